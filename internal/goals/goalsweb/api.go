package goalsweb

import (
	"net/http"

	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/web"
)

// apiGoals is the wire form of the goals of one year.
type apiGoals struct {
	Year           int       `json:"year"`
	AsOf           string    `json:"as_of"` // YYYY-MM the actuals cover; "" when the year has no data yet
	YearElapsedPct float64   `json:"year_elapsed_pct"`
	Years          []int     `json:"years"`
	Goals          []apiGoal `json:"goals"`
}

// apiGoal is one goal with the city's and each district's progress.
type apiGoal struct {
	Indicator   string            `json:"indicator"`
	NameZh      string            `json:"name_zh"`
	NameEn      string            `json:"name_en"`
	Measure     string            `json:"measure"`
	PlanID      string            `json:"plan_id"`
	PlanVersion int               `json:"plan_version"`
	Source      string            `json:"source"`
	BaseYear    int               `json:"base_year"`
	GoalYear    int               `json:"goal_year"`
	City        *apiGoalProgress  `json:"city,omitempty"` // city roles only
	Districts   []apiGoalProgress `json:"districts"`
}

// apiGoalProgress is a goal's progress in one scope.
type apiGoalProgress struct {
	Region     string  `json:"region"` // "" for the city
	NameZh     string  `json:"name_zh"`
	NameEn     string  `json:"name_en"`
	Goal       int     `json:"goal"`
	YearGoal   float64 `json:"year_goal"`
	Actual     int     `json:"actual"`
	Baseline   int     `json:"baseline"`
	Expected   float64 `json:"expected"`
	PacePct    float64 `json:"pace_pct"`
	Ratio      float64 `json:"ratio"`
	Projection float64 `json:"projection"`
	ElapsedPct float64 `json:"elapsed_pct"`
	Status     string  `json:"status"`
	Mark       string  `json:"mark"`
}

// apiGoals is GET /api/v1/goals?year=.
func (m *module) apiGoals(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	year, err := web.IntParam(r.URL.Query(), "year", 0, 2000, 2100)
	if err != nil {
		return err
	}
	rep, err := m.svc.Report(r.Context(), c.Scope(), year)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, m.toAPI(rep))
	return nil
}

// toAPI is the wire form of a report; the city is named from the
// catalogue in both languages.
func (m *module) toAPI(rep goals.Report) apiGoals {
	out := apiGoals{Year: rep.Year, AsOf: rep.AsOf, YearElapsedPct: rep.YearElapsedPct, Years: rep.Years, Goals: []apiGoal{}}
	for _, g := range rep.Goals {
		ag := apiGoal{Indicator: g.Indicator, NameZh: g.NameZh, NameEn: g.NameEn, Measure: string(g.Measure), PlanID: g.PlanID,
			PlanVersion: g.PlanVersion, Source: g.Source, BaseYear: g.BaseYear, GoalYear: g.GoalYear, Districts: []apiGoalProgress{}}
		if g.City != nil {
			c := toAPIProgress(*g.City)
			c.NameZh, c.NameEn = m.core.T("zh-CN", "goals.city"), m.core.T("en", "goals.city")
			ag.City = &c
		}
		for _, d := range g.Districts {
			ag.Districts = append(ag.Districts, toAPIProgress(d))
		}
		out.Goals = append(out.Goals, ag)
	}
	return out
}

func toAPIProgress(p goals.ScopeProgress) apiGoalProgress {
	return apiGoalProgress{Region: p.Region, NameZh: p.NameZh, NameEn: p.NameEn, Goal: p.Goal, YearGoal: p.YearGoal, Actual: p.Actual,
		Baseline: p.Baseline, Expected: p.Expected, PacePct: p.PacePct, Ratio: p.Ratio, Projection: p.Projection, ElapsedPct: p.ElapsedPct,
		Status: p.Status, Mark: p.Mark}
}
