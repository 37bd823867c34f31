package goalsweb

import (
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/web"
)

// goalsPage is GET /goals: the cultivation goals tracked in a year, each
// as a district table with progress bars (the same numbers the API gives).
type goalsPage struct {
	web.BasePage
	Year        int
	AsOf        string
	YearElapsed string
	Years       []web.Option
	Goals       []goalView
	NoData      bool
	Region      string       // the district the rows are narrowed to, "" for all
	Regions     []web.Option // the district filter, when there is more than one
}

type goalView struct {
	ID       string
	Name     string
	Measure  string
	Plan     string
	Stock    bool
	GoalYear int
	BaseYear int
	City     *goalRowView
	Rows     []goalRowView
}

type goalRowView struct {
	Scope      string
	URL        string
	Goal       string
	YearGoal   string
	Baseline   string
	Actual     string
	Expected   string
	Pace       string
	Projection string
	Pct        int // actual ÷ what the year calls for, for the bar
	Status     string
	StatusTxt  string
	Mark       string
	Stock      bool // the table has milestone and baseline columns
	City       bool // the city's total row
}

func (m *module) goalsPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	if !c.Can(permRead) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	t := func(key string, args ...any) string { return m.core.T(lang, key, args...) }
	p := goalsPage{}
	p.BasePage = m.core.Base(r, c, "goals.title", "goals")
	p.Scripts = []string{"app.js"}
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	if year < 2000 || year > 2100 {
		year = 0
	}
	rep, err := m.svc.Report(r.Context(), c.Scope(), year)
	if err != nil {
		return err
	}
	p.Year, p.AsOf = rep.Year, rep.AsOf
	p.YearElapsed = t("goals.year_elapsed", web.FormatNumber(rep.YearElapsedPct, 0))
	for i := len(rep.Years) - 1; i >= 0; i-- {
		y := rep.Years[i]
		p.Years = append(p.Years, web.Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == rep.Year})
	}
	p.NoData = len(rep.Goals) == 0
	// The district filter narrows every goal's table to the city total
	// and one district (the district cockpit links here with it).
	p.Region = r.URL.Query().Get("region")
	seen := map[string]bool{}
	for _, g := range rep.Goals {
		for _, d := range g.Districts {
			if !seen[d.Region] {
				seen[d.Region] = true
				p.Regions = append(p.Regions, web.Option{Value: d.Region, Label: web.PickLang(lang, d.NameZh, d.NameEn), Selected: d.Region == p.Region})
			}
		}
	}
	if p.Region != "" && !seen[p.Region] && !p.NoData {
		return apperr.New(apperr.NotFound, "err.region_not_found")
	}
	if len(p.Regions) < 2 {
		p.Regions = nil
	} else {
		p.Regions = append([]web.Option{{Value: "", Label: t("filter.all_regions")}}, p.Regions...)
	}
	for _, g := range rep.Goals {
		v := goalView{ID: g.Indicator, Name: web.PickLang(lang, g.NameZh, g.NameEn), Measure: t("goals.measure." + string(g.Measure)),
			Plan: t("goals.plan", g.Source, g.PlanID, g.PlanVersion), Stock: g.Measure == goals.Stock, GoalYear: g.GoalYear, BaseYear: g.BaseYear}
		row := func(gp goals.ScopeProgress) goalRowView {
			rv := goalRowView{Scope: web.PickLang(lang, gp.NameZh, gp.NameEn), Goal: web.FormatNumber(float64(gp.Goal), 0), YearGoal: web.FormatNumber(gp.YearGoal, 0),
				Baseline: web.FormatNumber(float64(gp.Baseline), 0), Actual: web.FormatNumber(float64(gp.Actual), 0), Expected: "–", Pace: "–", Projection: "–",
				Status: gp.Status, StatusTxt: t("status." + gp.Status), Mark: gp.Mark, Stock: g.Measure == goals.Stock, City: gp.Region == ""}
			if gp.Region == "" {
				rv.Scope = t("goals.city")
			} else if web.CanSeeRegion(c.User, gp.Region) {
				rv.URL = web.DistrictURL(gp.Region)
			}
			if gp.Status != "no_data" && gp.Status != "no_goal" {
				// Counts of firms: whole numbers, never "14.0" or "0.4".
				rv.Expected, rv.Projection = web.FormatNumber(gp.Expected, 0), web.FormatNumber(gp.Projection, 0)
				if gp.Expected > 0 {
					rv.Pace = web.FormatNumber(gp.PacePct, 0) + "%"
				}
			}
			switch {
			case gp.YearGoal > 0:
				rv.Pct = min(100, int(float64(gp.Actual)/gp.YearGoal*100+0.5))
			case gp.Actual > 0 || gp.Status == "met":
				rv.Pct = 100 // nothing asked this year: a met goal shows a full bar
			}
			return rv
		}
		if g.City != nil {
			c := row(*g.City)
			v.City = &c
		}
		for _, d := range g.Districts {
			if p.Region == "" || d.Region == p.Region {
				v.Rows = append(v.Rows, row(d))
			}
		}
		p.Goals = append(p.Goals, v)
	}
	return m.core.Render(w, r, c, "goals.html", p)
}
