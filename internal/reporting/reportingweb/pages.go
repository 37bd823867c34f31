package reportingweb

import (
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/web"
)

// indexPage is GET /reporting: an enterprise user goes to the form of the
// current period; officials see the status of their firms with the 报送率
// per district.
func (m *module) indexPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if c.Can(reporting.PermFill) && c.User.EnterpriseID != 0 && !c.Can(reporting.PermStatus) {
		p, err := m.periodParam(r)
		if err != nil {
			return err
		}
		http.Redirect(w, r, "/reporting/firms/"+strconv.FormatInt(c.User.EnterpriseID, 10)+"/"+p.String(), http.StatusSeeOther)
		return nil
	}
	if !c.Can(reporting.PermStatus) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	st, err := m.status(r, c)
	if err != nil {
		return err
	}
	t := func(key string, args ...any) string { return m.core.T(c.Lang, key, args...) }
	p := statusPage{BasePage: m.core.Base(r, c, "reporting.title", "reporting"), Period: st.Period.String(), Label: st.Period.Label(c.Lang == "zh-CN"),
		Deadline: st.Deadline.AddDate(0, 0, -1).Format("2006-01-02"), Locked: st.Locked,
		CanRemind: c.Can(reporting.PermReview), CanPublish: c.Can(reporting.PermPublish) && !st.Locked}
	p.Scripts = []string{"app.js", "reporting.js"}
	p.Data = pageData{Text: m.core.Prefixed(c.Lang, "js.reporting."), Period: p.Period}
	prev, next := st.Period, st.Period.Next()
	if pp, ok := st.Period.Prev(); ok {
		prev = pp
	} else {
		prev = report.Period{Year: st.Period.Year - 1, Month: 12}
	}
	p.PrevURL, p.NextURL = "/reporting?period="+prev.String(), "/reporting?period="+next.String()
	regionName := func(code string) string {
		if reg, ok := m.core.Regions().ByCode(code); ok {
			return web.RegionName(c.Lang, reg)
		}
		return code
	}
	for _, d := range toAPIStatus(st).Districts {
		row := districtRow{Region: regionName(d.Region), Expected: d.Expected, Reported: d.Reported, Rate: web.FormatNumber(d.RatePct, 1) + "%", Pct: int(d.RatePct + 0.5)}
		for _, s := range review.States {
			row.Counts = append(row.Counts, d.ByState[string(s)])
		}
		p.Districts = append(p.Districts, row)
	}
	for _, s := range review.States {
		p.States = append(p.States, stateLabel{State: string(s), Label: t("review.state." + string(s))})
	}
	for _, f := range st.Firms {
		p.Firms = append(p.Firms, firmRow{URL: "/reporting/firms/" + strconv.FormatInt(f.Firm.ID, 10) + "/" + st.Period.String(), Name: f.Firm.Name, CreditCode: f.Firm.CreditCode,
			Region: regionName(f.Firm.RegionCode), State: string(f.State), StateText: t("review.state." + string(f.State)), Revision: f.Revision,
			Warnings: f.Warnings, Late: f.Late, Reminders: f.Reminders})
	}
	if st.Locked {
		rv, err := m.svc.Revisions(r.Context(), c.Scope(), st.Period)
		if err != nil {
			return err
		}
		p.Revised = len(rv.Firms)
		a := toAPIRevisions(rv)
		for _, fi := range report.Fields {
			name, unitName := fi.NameEn, fi.FileUnitEn
			if c.Lang == "zh-CN" {
				name, unitName = fi.NameZh, fi.FileUnitZh
			}
			p.AsPublished = append(p.AsPublished, publishedRow{Name: name, Unit: unitName, Published: a.AsPublished[fi.Code], Revised: a.AsRevised[fi.Code],
				Changed: a.AsPublished[fi.Code] != a.AsRevised[fi.Code]})
		}
	}
	return m.core.Render(w, r, c, "reporting_status.html", p)
}

// publishedRow is one field of a published period, as published and as
// revised.
type publishedRow struct {
	Name, Unit, Published, Revised string
	Changed                        bool
}

type statusPage struct {
	web.BasePage
	Period, Label, Deadline string
	Locked                  bool
	CanRemind, CanPublish   bool
	PrevURL, NextURL        string
	States                  []stateLabel
	Districts               []districtRow
	Firms                   []firmRow
	AsPublished             []publishedRow
	Revised                 int
	Data                    pageData
}

type stateLabel struct{ State, Label string }

type districtRow struct {
	Region             string
	Expected, Reported int
	Rate               string
	Pct                int
	Counts             []int
}

type firmRow struct {
	URL, Name, CreditCode, Region, State, StateText string
	Revision, Late                                  bool
	Warnings, Reminders                             int
}

// pageData is what static/reporting.js reads.
type pageData struct {
	Text   map[string]string `json:"text"`
	Period string            `json:"period"`
	Firm   int64             `json:"firm,omitempty"`
}

// formPage is GET /reporting/firms/{id}/{period}: the form with last
// month's and last year's values beside each field, the rule findings
// with their explanations, the history, and the buttons the user's role
// allows in the submission's state.
func (m *module) formPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	f, err := m.form(r, c)
	if err != nil {
		return err
	}
	t := func(key string, args ...any) string { return m.core.T(c.Lang, key, args...) }
	a := toAPIForm(c.Lang, f)
	p := formPage{BasePage: m.core.Base(r, c, "reporting.form.title", "reporting"), Form: a, Label: f.Period.Label(c.Lang == "zh-CN"),
		StateText: t("review.state." + a.State)}
	p.Scripts = []string{"app.js", "reporting.js"}
	p.Data = pageData{Text: m.core.Prefixed(c.Lang, "js.reporting."), Period: a.Period, Firm: a.EnterpriseID}
	zh := c.Lang == "zh-CN"
	for _, fi := range report.Fields {
		row := fieldRow{Code: fi.Code, Name: fi.NameEn, Unit: fi.FileUnitEn, Value: a.Values[fi.Code], Prev: "–", LastYear: "–"}
		if zh {
			row.Name, row.Unit = fi.NameZh, fi.FileUnitZh
		}
		if a.PrevMonth != nil {
			row.Prev = a.PrevMonth[fi.Code]
		}
		if a.LastYear != nil {
			row.LastYear = a.LastYear[fi.Code]
		}
		p.Fields = append(p.Fields, row)
	}
	for _, act := range a.Actions {
		switch review.Action(act) {
		case review.Save, review.Submit:
			p.CanFill = true
		case review.Return, review.Accept:
			p.CanReview = true
		}
	}
	for _, e := range a.History {
		p.History = append(p.History, historyRow{At: e.At, Action: t("review.action." + e.Action), To: t("review.state." + e.To), Reason: e.Reason,
			Revision: e.Revision, Old: e.OldValues, New: e.NewValues})
	}
	if c.Can(reporting.PermStatus) {
		p.BackURL = "/reporting?period=" + a.Period
	}
	return m.core.Render(w, r, c, "reporting_form.html", p)
}

type formPage struct {
	web.BasePage
	Form               apiForm
	Label, StateText   string
	Fields             []fieldRow
	CanFill, CanReview bool
	History            []historyRow
	BackURL            string
	Data               pageData
}

type fieldRow struct{ Code, Name, Unit, Value, Prev, LastYear string }

type historyRow struct {
	At, Action, To, Reason, Old, New string
	Revision                         bool
}
