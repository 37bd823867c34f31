package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
)

// goalsRoutes are the cultivation-goal routes: progress of the city's
// goals and their district allocation.
func (s *Server) goalsRoutes() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/goals", auth.Permission("goals.read"), s.withUser(s.apiGoals)},
	}
}

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

func (s *Server) apiGoals(w http.ResponseWriter, r *http.Request, u auth.User) error {
	year, err := intParam(r.URL.Query(), "year", 0, 2000, 2100)
	if err != nil {
		return err
	}
	out, err := s.goalsReport(r.Context(), u.ScopeOf(), year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// goalYears lists the years any plan tracks: a flow plan its goal year, a
// stock plan every year after its base year up to its goal year.
func goalYears(plans []goals.Plan) []int {
	ys := []int{} // an empty list, not null, when there are no plans
	for _, p := range plans {
		from := p.GoalYear
		if p.Measure == goals.Stock {
			from = p.BaseYear + 1
		}
		for y := from; y <= p.GoalYear; y++ {
			if !slices.Contains(ys, y) {
				ys = append(ys, y)
			}
		}
	}
	slices.Sort(ys)
	return ys
}

// goalsReport judges every goal tracked in year (the latest reported year
// when 0) for the scope: each district's allocation against the titles
// granted (flow goals) or held (stock goals) by its firms, and for a
// city-wide scope the city's. The actuals are counted to the end of the
// latest reported month, the period every other page reports on.
func (s *Server) goalsReport(ctx context.Context, sc auth.Scope, year int) (apiGoals, error) {
	out := apiGoals{Goals: []apiGoal{}}
	plans, err := s.store.GoalPlans(ctx)
	if err != nil {
		return out, err
	}
	out.Years = goalYears(plans)
	latest, err := s.store.LatestPeriod(ctx)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return out, err
	}
	if year == 0 {
		year = latest.Year
		if !slices.Contains(out.Years, year) && len(out.Years) > 0 {
			year = out.Years[0]
			for _, y := range out.Years {
				if y <= latest.Year {
					year = y
				}
			}
		}
	}
	out.Year = year
	// The period the actuals cover: December of a past year, the latest
	// month of the current one; a later year has none yet, but its stock
	// goals still show the stock at the latest month.
	month, counted := 0, latest
	switch {
	case latest.Year == 0:
	case year < latest.Year:
		month, counted = 12, report.Period{Year: year, Month: 12}
	case year == latest.Year:
		month = latest.Month
	}
	if month > 0 {
		out.AsOf = fmt.Sprintf("%d-%02d", year, month)
	}
	out.YearElapsedPct = float64(month) / 12 * 100
	day := ""
	if counted.Year != 0 {
		day = stats.PeriodEnd(counted)
	}
	asOfDay, _ := time.Parse(time.DateOnly, day)
	if day == "" {
		asOfDay = time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	ids := []string{}
	for _, p := range plans {
		if !slices.Contains(ids, p.ID) {
			ids = append(ids, p.ID)
		}
	}
	for _, id := range ids {
		p, ok := goals.InForce(plans, id, asOfDay)
		if !ok {
			// Before the first version's effective date the first
			// published version is the best statement of the goal.
			p, _ = goals.InForce(plans, id, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
		}
		tracked := p.GoalYear == year || p.Measure == goals.Stock && year > p.BaseYear && year <= p.GoalYear
		if !tracked {
			continue
		}
		for _, g := range p.Goals {
			ag, err := s.goalProgress(ctx, sc, p, g, year, month, day)
			if err != nil {
				return out, err
			}
			out.Goals = append(out.Goals, ag)
		}
	}
	return out, nil
}

func (s *Server) goalProgress(ctx context.Context, sc auth.Scope, p goals.Plan, g goals.Goal, year, month int, day string) (apiGoal, error) {
	ag := apiGoal{Indicator: g.IndicatorCode, Measure: string(p.Measure), PlanID: p.ID, PlanVersion: p.Version, Source: p.Source,
		BaseYear: p.BaseYear, GoalYear: p.GoalYear, Districts: []apiGoalProgress{}}
	ind, ok := s.stats.Catalogue().ByCode(g.IndicatorCode)
	if !ok {
		return ag, apperr.New(apperr.NotFound, "err.indicator_not_found", g.IndicatorCode)
	}
	ag.NameZh, ag.NameEn = ind.NameZh, ind.NameEn
	kind, held, ok := stats.TitleMeasure(ind.Measure)
	if !ok {
		return ag, fmt.Errorf("web: goal %s is not counted from titles (measure %q)", g.IndicatorCode, ind.Measure)
	}
	actual, baseline := map[string]int{}, map[string]int{}
	var err error
	switch {
	case day == "":
	case held:
		if actual, err = s.store.TitlesHeldByRegion(ctx, sc, kind, day); err != nil {
			return ag, err
		}
		if baseline, err = s.store.TitlesHeldByRegion(ctx, sc, kind, fmt.Sprintf("%d-12-31", p.BaseYear)); err != nil {
			return ag, err
		}
	case month > 0:
		if actual, err = s.store.TitlesGrantedByRegion(ctx, sc, kind, fmt.Sprintf("%d-01-01", year), day); err != nil {
			return ag, err
		}
	}
	judge := func(code, zh, en string, goal, act, base int) apiGoalProgress {
		pr := goals.Evaluate(goals.Input{Plan: p, Goal: goal, Year: year, Month: month, Actual: act, Baseline: base})
		return apiGoalProgress{Region: code, NameZh: zh, NameEn: en, Goal: goal, YearGoal: pr.YearGoal, Actual: act, Baseline: base,
			Expected: goalRound2(pr.Expected), PacePct: goalRound2(pr.PacePct), Ratio: goalRound4(pr.Ratio), Projection: goalRound2(pr.Projection),
			ElapsedPct: goalRound2(pr.Elapsed * 100), Status: string(pr.Status), Mark: string(pr.Mark)}
	}
	cityAct, cityBase := 0, 0
	for _, reg := range s.regions.Regions {
		cityAct += actual[reg.Code]
		cityBase += baseline[reg.Code]
		if !sc.IsAll() && sc.RegionCode != reg.Code {
			continue
		}
		if _, allocated := g.Districts[reg.Code]; !allocated && actual[reg.Code] == 0 {
			continue
		}
		ag.Districts = append(ag.Districts, judge(reg.Code, reg.NameZh, reg.NameEn, g.Districts[reg.Code], actual[reg.Code], baseline[reg.Code]))
	}
	if sc.IsAll() {
		c := judge("", "全市", "City", g.City, cityAct, cityBase)
		ag.City = &c
	}
	return ag, nil
}

func goalRound2(v float64) float64 { return math.Round(v*100) / 100 }
func goalRound4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
