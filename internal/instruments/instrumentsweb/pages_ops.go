package instrumentsweb

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web"
)

// What the instrument page shows of the operations: photos and
// documents, the rules beyond slot shape, and the managers' upload form.

type fileView struct {
	URL  string
	Name string
	Size string
}

type opsView struct {
	Photos    []fileView
	Documents []fileView
	CanManage bool
	RulesURL  string // the rules form, for the instrument's managers and the operator
}

// addOps fills the page's files, the upload form for the instrument's
// managers and the rows of the rules in rules_ops.go.
func (m *module) addOps(r *http.Request, c web.Ctx, d instruments.Detail, p *instrumentPage) error {
	t := func(k string, a ...any) string { return m.core.T(c.Lang, k, a...) }
	fs, err := m.svc.Files(r.Context(), d.ID)
	if err != nil {
		return err
	}
	for _, f := range fs {
		v := fileView{URL: "/api/v1/instrument-files/" + strconv.FormatInt(f.ID, 10), Name: f.Name,
			Size: web.FormatNumber(float64(f.Size)/1024, 0) + " KB"}
		if f.Kind == instruments.FilePhoto {
			p.Photos = append(p.Photos, v)
		} else {
			p.Documents = append(p.Documents, v)
		}
	}
	if c.Can(permManage) {
		ok, err := m.svc.Manages(r.Context(), actor(c), d)
		if err != nil {
			return err
		}
		p.CanManage = ok
	}
	if p.CanManage {
		p.Scripts = append(p.Scripts, "instruments_ops.js")
	}
	if p.CanManage || c.Can(permOperate) {
		p.RulesURL = "/instruments/manage/" + strconv.FormatInt(d.ID, 10) + "/rules"
	}
	rl := d.Rules
	qual := t("instruments.rule.qualification_none")
	if rl.QualificationRequired {
		qual = t("instruments.rule.qualification_days", rl.QualificationDays)
	}
	p.Rules = append(p.Rules, web.Option{Label: t("instruments.rule.qualification"), Value: qual})
	if len(rl.InternalFirst) > 0 {
		var parts []string
		for _, w := range rl.InternalFirst {
			parts = append(parts, hhmm(w.FromMinute)+"–"+hhmm(w.ToMinute)+" "+t("instruments.rule.release", w.ReleaseHours))
		}
		p.Rules = append(p.Rules, web.Option{Label: t("instruments.rule.internal_first"), Value: strings.Join(parts, "; ")})
	}
	p.Rules = append(p.Rules,
		web.Option{Label: t("instruments.rule.no_show"), Value: t("instruments.no_show_rule", rl.NoShowGraceMinutes, float64(rl.NoShowFeePermille)/10)},
		web.Option{Label: t("instruments.rule.violations"), Value: t("instruments.violations_rule", rl.MaxViolations, rl.ViolationSinceDays())})
	for _, w := range rl.Maintenance {
		if w.End.Before(m.core.Today()) {
			continue
		}
		kind := w.Kind
		if kind == "" {
			kind = instruments.WindowMaintenance
		}
		p.Rules = append(p.Rules, web.Option{Label: t("instruments.window." + kind),
			Value: w.Start.In(instruments.Zone).Format("2006-01-02 15:04") + "–" + w.End.In(instruments.Zone).Format("2006-01-02 15:04") + " " + w.Note})
	}
	return nil
}

// orderOps are an order's fee and window flag as the orders page shows
// them.
func (m *module) orderOps(lang string, o instruments.Order) (penalty, flag string) {
	if o.Penalty > 0 {
		penalty = m.core.T(lang, "instruments.orders.penalty", yuan(lang, o.Penalty))
		if o.FeeState != instruments.FeeUnbilled {
			penalty += " · " + m.core.T(lang, "instruments.orders.fee."+string(o.FeeState))
		}
	}
	if o.Flag != "" {
		flag = m.core.T(lang, "instruments.window."+o.Flag)
	}
	return penalty, flag
}
