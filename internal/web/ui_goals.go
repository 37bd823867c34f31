package web

import (
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
)

// goalsPage is GET /goals: the cultivation goals tracked in a year, each
// as a district table with progress bars (the same numbers the API gives).
type goalsPage struct {
	basePage
	Year        int
	AsOf        string
	YearElapsed string
	Years       []option
	Goals       []goalView
	NoData      bool
	Region      string   // the district the rows are narrowed to, "" for all
	Regions     []option // the district filter, when there is more than one
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

func (u *ui) goalsPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	lang := pc.lang
	if pc.user.Role == auth.RoleEnterprise {
		u.renderError(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	p := goalsPage{}
	p.basePage = u.base(r, pc, "goals.title", "goals")
	p.Scripts = []string{"app.js"}
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	if year < 2000 || year > 2100 {
		year = 0
	}
	rep, err := u.s.goalsReport(r.Context(), pc.user.ScopeOf(), year)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Year, p.AsOf = rep.Year, rep.AsOf
	p.YearElapsed = u.t(lang, "goals.year_elapsed", formatNumber(rep.YearElapsedPct, 0))
	for i := len(rep.Years) - 1; i >= 0; i-- {
		y := rep.Years[i]
		p.Years = append(p.Years, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == rep.Year})
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
				p.Regions = append(p.Regions, option{Value: d.Region, Label: pickLang(lang, d.NameZh, d.NameEn), Selected: d.Region == p.Region})
			}
		}
	}
	if p.Region != "" && !seen[p.Region] && !p.NoData {
		u.renderError(w, r, http.StatusNotFound, "err.region_not_found")
		return
	}
	if len(p.Regions) < 2 {
		p.Regions = nil
	} else {
		p.Regions = append([]option{{Value: "", Label: u.t(lang, "filter.all_regions")}}, p.Regions...)
	}
	for _, g := range rep.Goals {
		v := goalView{ID: g.Indicator, Name: pickLang(lang, g.NameZh, g.NameEn), Measure: u.t(lang, "goals.measure."+g.Measure),
			Plan: u.t(lang, "goals.plan", g.Source, g.PlanID, g.PlanVersion), Stock: g.Measure == "stock", GoalYear: g.GoalYear, BaseYear: g.BaseYear}
		row := func(gp apiGoalProgress) goalRowView {
			rv := goalRowView{Scope: pickLang(lang, gp.NameZh, gp.NameEn), Goal: formatNumber(float64(gp.Goal), 0), YearGoal: formatNumber(gp.YearGoal, 0),
				Baseline: formatNumber(float64(gp.Baseline), 0), Actual: formatNumber(float64(gp.Actual), 0), Expected: "–", Pace: "–", Projection: "–",
				Status: gp.Status, StatusTxt: u.t(lang, "status."+gp.Status), Mark: gp.Mark, Stock: g.Measure == "stock", City: gp.Region == ""}
			if gp.Region == "" {
				rv.Scope = u.t(lang, "goals.city")
			} else if canSeeRegion(pc.user, gp.Region) {
				rv.URL = districtURL(gp.Region)
			}
			if gp.Status != "no_data" {
				rv.Expected, rv.Projection = formatNumber(gp.Expected, 1), formatNumber(gp.Projection, 1)
				if gp.Expected > 0 {
					rv.Pace = formatNumber(gp.PacePct, 0) + "%"
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
	u.render(w, r, http.StatusOK, lang, "goals.html", p)
}
