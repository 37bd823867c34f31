package digitalweb

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/web"
)

// The pages of rung applications: the list for officials, one
// application with the engine's verdict and the review steps the caller
// may take, and (in pages.go) the form on the firm's digital page.

// verdictView renders a verdict's criteria, questions and what-if.
func (m *module) verdictView(lang string, v digital.Verdict) *nextView {
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	nv := &nextView{Rung: t("digital.rung." + string(v.Rung)), Status: t("digital.status." + string(v.Status)), StatusCode: string(v.Status),
		Version: v.Version, WhatIf: v.WhatIfText(lang)}
	for _, cd := range v.Conditions {
		cr := condRow{Metric: cd.Label(lang), Min: cd.ThresholdText(lang), Value: cd.ValueText(lang), Status: t("digital.status." + string(cd.Status)),
			StatusCode: string(cd.Status), Note: cd.Note}
		if cr.Value == "" {
			cr.Value = "–"
		}
		nv.Conditions = append(nv.Conditions, cr)
	}
	for _, q := range v.Questions {
		nv.Manual = append(nv.Manual, q.Question.Lang(lang))
	}
	return nv
}

type rungAppRow struct {
	URL, Firm, Rung, RungCode, Name, Applied, State, StateCode, Recommended, Decided string
	Year                                                                             int
}

func (m *module) rungStateText(lang string, s review.State) string {
	if s == digital.AppRejected {
		return m.core.T(lang, "digital.rungapp.state.rejected")
	}
	return m.core.T(lang, "review.state."+string(s))
}

func (m *module) rungAppRow(lang string, a digital.RungApplication) rungAppRow {
	row := rungAppRow{URL: "/digital/rung-applications/" + strconv.FormatInt(a.ID, 10), Firm: a.FirmName, Rung: m.core.T(lang, "digital.rung."+string(a.Rung)),
		RungCode: string(a.Rung), Name: a.Name, Year: a.Year, Applied: web.DateString(a.AppliedOn), State: m.rungStateText(lang, a.State), StateCode: string(a.State)}
	if !a.RecommendedOn.IsZero() {
		row.Recommended = web.DateString(a.RecommendedOn)
	}
	if !a.DecidedOn.IsZero() {
		row.Decided = web.DateString(a.DecidedOn)
	}
	return row
}

// firmRungApps fills the firm page's applications and apply form.
func (m *module) firmRungApps(r *http.Request, c web.Ctx, p *firmPage) error {
	apps, err := m.svc.RungApplications(r.Context(), c.Scope(), digital.RungAppQuery{EnterpriseID: p.ID})
	if err != nil {
		return err
	}
	for _, a := range apps {
		p.RungApps = append(p.RungApps, m.rungAppRow(c.Lang, a))
	}
	p.CanApplyRung = c.Can(permApply)
	p.ApplyYear = m.core.Today().Year()
	for _, rg := range digital.Rungs {
		if _, ok := m.svc.Rules().RuleSet(rg, m.core.Today()); ok {
			p.ApplyRungs = append(p.ApplyRungs, web.Option{Value: string(rg), Label: m.core.T(c.Lang, "digital.rung."+string(rg))})
		}
	}
	return nil
}

type rungListPage struct {
	web.BasePage
	Rows   []rungAppRow
	State  string
	Year   int
	States []web.Option
}

func (m *module) rungListPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q, err := rungQuery(r)
	if err != nil {
		return err
	}
	apps, err := m.svc.RungApplications(r.Context(), c.Scope(), q)
	if err != nil {
		return err
	}
	p := rungListPage{State: string(q.State), Year: q.Year}
	p.BasePage = m.core.Base(r, c, "digital.rungapp.title", "digital")
	p.States = append(p.States, web.Option{Value: "", Label: "–"})
	for _, s := range []review.State{review.Submitted, review.Returned, review.Accepted, digital.AppRejected} {
		p.States = append(p.States, web.Option{Value: string(s), Label: m.rungStateText(c.Lang, s)})
	}
	for _, a := range apps {
		p.Rows = append(p.Rows, m.rungAppRow(c.Lang, a))
	}
	return m.core.Render(w, r, c, "digital_rungapps.html", p)
}

type rungAnswerRow struct{ Question, Answer string }

type rungDetailPage struct {
	web.BasePage
	ID                                 int64
	App                                rungAppRow
	FirmURL, Evidence, Reason, Today   string
	Verdict                            *nextView
	Answers                            []rungAnswerRow
	History                            []reviewRow
	CanSubmit, CanRecommend, CanReturn bool
	CanAccept, CanReject               bool
	Data                               pageData
}

func (m *module) rungDetailPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	_, d, err := m.rungDetail(r, c, id)
	if err != nil {
		return err
	}
	a := d.App
	p := rungDetailPage{ID: id, App: m.rungAppRow(lang, a), FirmURL: "/digital/firms/" + strconv.FormatInt(a.EnterpriseID, 10), Evidence: a.Evidence,
		Reason: a.Reason, Today: web.DateString(m.core.Today()), Verdict: m.verdictView(lang, d.Verdict)}
	for _, q := range d.Verdict.Questions {
		p.Answers = append(p.Answers, rungAnswerRow{Question: q.Question.Lang(lang), Answer: a.Answers[q.ID]})
	}
	for _, e := range d.History {
		act := t("digital.rungapp.action." + string(e.Action))
		if e.From == review.Missing {
			act = t("digital.rungapp.submit") // the application itself, not a resubmission
		}
		p.History = append(p.History, reviewRow{At: e.At.UTC().Format("2006-01-02 15:04 UTC"), Action: act,
			From: m.rungStateText(lang, e.From), To: m.rungStateText(lang, e.To), Reason: e.Reason})
	}
	caps, city := rungCaps(c)
	acts := digital.RungActions(a, caps, city)
	p.CanSubmit, p.CanRecommend, p.CanReturn = slices.Contains(acts, review.Submit), slices.Contains(acts, digital.ActionRecommend), slices.Contains(acts, review.Return)
	p.CanAccept, p.CanReject = slices.Contains(acts, review.Accept), slices.Contains(acts, digital.ActionReject)
	p.BasePage = m.core.Base(r, c, "digital.rungapp.title", "digital")
	p.Title = a.Name + " · " + p.Title
	p.Scripts = []string{"app.js", "digital.js"}
	p.Data = pageData{Text: m.core.Prefixed(lang, "js.digital.")}
	p.Crumbs = m.core.EntCrumbs(c, a.EnterpriseID, a.FirmName, a.RegionCode, t("digital.rungapp.title"))
	return m.core.Render(w, r, c, "digital_rungapp.html", p)
}
