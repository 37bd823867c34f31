package tasksweb

import (
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/tasks"
	"github.com/industrybrain/ibrain/internal/web"
)

// tablesPage is GET /tasks: every bureau's task table, each with its
// rows; and GET /tasks/tables/{table}, one of them (Single).
type tablesPage struct {
	web.BasePage
	Tables []tableView
	Single bool
}

type tableView struct {
	Code       string
	Name       string
	Department string
	Year       int
	AsOf       string
	Rows       []rowView
	Owed       int
	Total      int
}

type rowView struct {
	Indicator string
	Code      string
	Target    string
	Actual    string
	Status    string
	StatusTxt string
	Source    string // where the value comes from
	Owner     string
	Owed      string // "暂无数据 · 待 X 报送"; "" with a value
	Entry     string // review state of a departmental value
}

func (m *module) tablesPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permRead) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	p := tablesPage{BasePage: m.core.Base(r, c, "tasks.title", "tasks")}
	for _, t := range m.svc.Tables().Tables {
		v, err := m.tableView(r, c, t.Code)
		if err != nil {
			return err
		}
		p.Tables = append(p.Tables, v)
	}
	return m.core.Render(w, r, c, "tasks.html", p)
}

func (m *module) tablePage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permRead) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	v, err := m.tableView(r, c, r.PathValue("table"))
	if err != nil {
		return err
	}
	p := tablesPage{BasePage: m.core.Base(r, c, "tasks.title", "tasks"), Tables: []tableView{v}, Single: true}
	p.Title = v.Name
	return m.core.Render(w, r, c, "tasks.html", p)
}

func (m *module) tableView(r *http.Request, c web.Ctx, code string) (tableView, error) {
	lang := c.Lang
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	rep, err := m.svc.Report(r.Context(), code)
	if err != nil {
		return tableView{}, err
	}
	tb := rep.Table
	v := tableView{Code: tb.Code, Name: web.PickLang(lang, tb.NameZh, tb.NameEn), Department: tb.Department, Year: tb.Year, Owed: rep.Owed, Total: len(rep.Rows)}
	if rep.AsOf.Year != 0 {
		v.AsOf = rep.AsOf.String()
	}
	for _, row := range rep.Rows {
		f, pr := row.Figure, row.Figure.Progress
		ind := f.Indicator
		d := web.ValueDigits(ind)
		unitText := web.PickLang(lang, ind.UnitZh, ind.UnitEn)
		rv := rowView{Indicator: web.PickLang(lang, ind.NameZh, ind.NameEn), Code: ind.Code,
			Target: comparatorSymbol(pr.Target.Comparator) + " " + web.FormatNumber(pr.Target.Value, d) + " " + unitText,
			Actual: "–", Status: string(pr.Status), StatusTxt: t("status." + string(pr.Status)),
			Source: t("tasks.source." + row.Source), Owner: row.Department}
		if f.Known {
			rv.Actual = web.FormatNumber(f.Value, shownDigits(f.Value, d)) + " " + unitText
		} else {
			rv.Owed = t("tasks.owed_by", row.Department)
		}
		if row.Entry != nil {
			rv.Entry = t("review.state." + string(row.Entry.State))
		}
		v.Rows = append(v.Rows, rv)
	}
	return v, nil
}

// shownDigits keeps whole counts whole and shows a fraction otherwise.
func shownDigits(v float64, d int) int {
	if d == 0 && v != float64(int64(v)) {
		return 1
	}
	return d
}

func comparatorSymbol(c target.Comparator) string {
	switch c {
	case target.AtMost:
		return "≤"
	case target.About:
		return "≈"
	}
	return "≥"
}

// entryPage is GET /tasks/entry: a department's form for its indicators
// (one value at a time or a file), the city's review queue, and the
// year's publication.
type entryPage struct {
	web.BasePage
	Year       int
	Years      []web.Option
	Locked     bool
	Department string
	CanEnter   bool
	CanReview  bool
	Done       bool
	Error      string
	Rows       []entryView
	Pending    int
}

type entryView struct {
	Code       string
	Name       string
	Department string
	Unit       string
	State      string
	StateTxt   string
	Value      string
	Accepted   string
	Note       string
	Reason     string
	Revision   bool
	Fill       bool // the user may save and submit it
	Decide     bool // the user may return or accept it
	NeedReason bool // a change of a published year
}

func (m *module) entryPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permRead) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	q := r.URL.Query()
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil || year < 2000 || year > 2100 {
		year = m.defaultYear()
	}
	a := actor(c)
	rows, locked, err := m.svc.Entries(r.Context(), a, year)
	if err != nil {
		return err
	}
	p := entryPage{BasePage: m.core.Base(r, c, "tasks.entry.title", "tasks-entry"), Year: year, Locked: locked, Department: a.Department,
		CanEnter: a.Enter && a.Department != "", CanReview: a.Review, Done: q.Get("done") == "1", Error: q.Get("error")}
	p.Module = "tasks"
	for _, y := range []int{year + 1, year, year - 1, year - 2} {
		if y == m.defaultYear()+1 && y != year {
			continue
		}
		p.Years = append(p.Years, web.Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == year})
	}
	for _, row := range rows {
		ev := m.entryView(lang, row, a)
		if ev.State == string(review.Submitted) {
			p.Pending++
		}
		p.Rows = append(p.Rows, ev)
	}
	return m.core.Render(w, r, c, "tasks_entry.html", p)
}

func (m *module) entryView(lang string, row tasks.EntryRow, a tasks.Actor) entryView {
	ind := row.Indicator
	state := review.Missing
	v := entryView{Code: ind.Code, Name: web.PickLang(lang, ind.NameZh, ind.NameEn), Department: ind.Department,
		Unit: web.PickLang(lang, ind.UnitZh, ind.UnitEn), NeedReason: row.Locked}
	if e := row.Entry; e != nil {
		state = e.State
		v.Value, v.Note, v.Reason, v.Revision = tasks.FormatValue(e.Value), e.Note, e.Reason, e.Revision
		if e.Accepted != nil {
			v.Accepted = tasks.FormatValue(*e.Accepted)
		}
	}
	v.State, v.StateTxt = string(state), m.core.T(lang, "review.state."+string(state))
	caps := a.Caps(ind)
	for _, act := range review.Allowed(state, caps, row.Locked) {
		switch act {
		case review.Submit:
			v.Fill = true
		case review.Accept:
			v.Decide = true
		}
	}
	return v
}
