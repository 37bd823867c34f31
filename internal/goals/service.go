package goals

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
)

// The goals service: the use case the page and the API share, judging
// every goal of a year against the titles the firms were granted or hold.

// Store is what the service needs from storage.
type Store interface {
	// GoalPlans returns every stored version of every plan.
	GoalPlans(ctx context.Context) ([]Plan, error)
	// LatestPeriod is the latest reported month (apperr.NotFound when
	// there is none).
	LatestPeriod(ctx context.Context) (report.Period, error)
	// TitlesGrantedByRegion counts the titles of each of kinds granted
	// from day from to day to (inclusive) by the enterprise's region,
	// within scope; every kind asked for has a map.
	TitlesGrantedByRegion(ctx context.Context, sc auth.Scope, kinds []enterprise.TitleKind, from, to string) (map[enterprise.TitleKind]map[string]int, error)
	// TitlesHeldByRegion counts the enterprises holding a valid title of
	// each of kinds on day by region, within scope; every kind asked for
	// has a map.
	TitlesHeldByRegion(ctx context.Context, sc auth.Scope, kinds []enterprise.TitleKind, day string) (map[enterprise.TitleKind]map[string]int, error)
}

// Service is the cultivation goals' use cases.
type Service struct {
	store      Store
	indicators *indicator.Catalogue
	regions    *region.Catalogue
}

// NewService returns the service over st, naming goals from the indicator
// catalogue and listing districts in the region catalogue's order.
func NewService(st Store, indicators *indicator.Catalogue, regions *region.Catalogue) *Service {
	return &Service{store: st, indicators: indicators, regions: regions}
}

// Report is the goals tracked in one year.
type Report struct {
	Year           int
	AsOf           string // YYYY-MM the actuals cover; "" when the year has no data yet
	YearElapsedPct float64
	Years          []int // every year any plan tracks
	Goals          []GoalReport
}

// GoalReport is one goal with the city's and each district's progress.
type GoalReport struct {
	Indicator   string
	NameZh      string
	NameEn      string
	Measure     Measure
	PlanID      string
	PlanVersion int
	Source      string
	BaseYear    int
	GoalYear    int
	City        *ScopeProgress // city-wide scopes only; its names are the caller's
	Districts   []ScopeProgress
}

// ScopeProgress is a goal's progress in one scope, rounded as shown.
type ScopeProgress struct {
	Region     string // "" for the city
	NameZh     string
	NameEn     string
	Goal       int
	YearGoal   float64
	Actual     int
	Baseline   int
	Expected   float64
	PacePct    float64
	Ratio      float64
	Projection float64
	ElapsedPct float64
	Status     string
	Mark       string
}

// Years lists the years any plan tracks: a flow plan its goal year, a
// stock plan every year after its base year up to its goal year.
func Years(plans []Plan) []int {
	ys := []int{} // an empty list, not null, when there are no plans
	for _, p := range plans {
		from := p.GoalYear
		if p.Measure == Stock {
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

// Report judges every goal tracked in year (the latest reported year when
// 0) for the scope: each district's allocation against the titles granted
// (flow goals) or held (stock goals) by its firms, and for a city-wide
// scope the city's. The actuals are counted to the end of the latest
// reported month, the period every other page reports on.
func (s *Service) Report(ctx context.Context, sc auth.Scope, year int) (Report, error) {
	out := Report{Goals: []GoalReport{}}
	plans, err := s.store.GoalPlans(ctx)
	if err != nil {
		return out, err
	}
	out.Years = Years(plans)
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
	// The tracked goals first, then every count they need: one statement
	// per day for the titles held, one for the titles granted.
	type tracked struct {
		p      Plan
		g      Goal
		ind    indicator.Indicator
		kind   enterprise.TitleKind
		held   bool
		baseOn string // the baseline's day, for a stock goal
	}
	var goals []tracked
	for _, id := range ids {
		p, ok := InForce(plans, id, asOfDay)
		if !ok {
			// Before the first version's effective date the first
			// published version is the best statement of the goal.
			p, _ = InForce(plans, id, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
		}
		if !(p.GoalYear == year || p.Measure == Stock && year > p.BaseYear && year <= p.GoalYear) {
			continue
		}
		for _, g := range p.Goals {
			ind, ok := s.indicators.ByCode(g.IndicatorCode)
			if !ok {
				return out, apperr.New(apperr.NotFound, "err.indicator_not_found", g.IndicatorCode)
			}
			kind, held, ok := stats.TitleMeasure(ind.Measure)
			if !ok {
				return out, fmt.Errorf("goals: goal %s is not counted from titles (measure %q)", g.IndicatorCode, ind.Measure)
			}
			goals = append(goals, tracked{p: p, g: g, ind: ind, kind: kind, held: held, baseOn: fmt.Sprintf("%d-12-31", p.BaseYear)})
		}
	}
	heldKinds := map[string][]enterprise.TitleKind{} // day → kinds held on it
	var grantedKinds []enterprise.TitleKind
	for _, t := range goals {
		switch {
		case day == "":
		case t.held:
			for _, d := range []string{day, t.baseOn} {
				if !slices.Contains(heldKinds[d], t.kind) {
					heldKinds[d] = append(heldKinds[d], t.kind)
				}
			}
		case month > 0:
			if !slices.Contains(grantedKinds, t.kind) {
				grantedKinds = append(grantedKinds, t.kind)
			}
		}
	}
	held := map[string]map[enterprise.TitleKind]map[string]int{} // day → kind → region → count
	for d, kinds := range heldKinds {
		if held[d], err = s.store.TitlesHeldByRegion(ctx, sc, kinds, d); err != nil {
			return out, err
		}
	}
	granted := map[enterprise.TitleKind]map[string]int{}
	if len(grantedKinds) > 0 {
		if granted, err = s.store.TitlesGrantedByRegion(ctx, sc, grantedKinds, fmt.Sprintf("%d-01-01", year), day); err != nil {
			return out, err
		}
	}
	for _, t := range goals {
		actual, baseline := map[string]int{}, map[string]int{}
		switch {
		case day == "":
		case t.held:
			actual, baseline = held[day][t.kind], held[t.baseOn][t.kind]
		case month > 0:
			actual = granted[t.kind]
		}
		out.Goals = append(out.Goals, s.progress(sc, t.p, t.g, t.ind, year, month, actual, baseline))
	}
	return out, nil
}

// progress judges goal g of plan p (counting indicator ind) against the
// actual and baseline counts by district.
func (s *Service) progress(sc auth.Scope, p Plan, g Goal, ind indicator.Indicator, year, month int, actual, baseline map[string]int) GoalReport {
	gr := GoalReport{Indicator: g.IndicatorCode, NameZh: ind.NameZh, NameEn: ind.NameEn, Measure: p.Measure, PlanID: p.ID, PlanVersion: p.Version, Source: p.Source,
		BaseYear: p.BaseYear, GoalYear: p.GoalYear, Districts: []ScopeProgress{}}
	judge := func(code, zh, en string, goal, act, base int) ScopeProgress {
		pr := Evaluate(Input{Plan: p, Goal: goal, Year: year, Month: month, Actual: act, Baseline: base})
		return ScopeProgress{Region: code, NameZh: zh, NameEn: en, Goal: goal, YearGoal: pr.YearGoal, Actual: act, Baseline: base,
			Expected: Round2(pr.Expected), PacePct: Round2(pr.PacePct), Ratio: round4(pr.Ratio), Projection: Round2(pr.Projection),
			ElapsedPct: Round2(pr.Elapsed * 100), Status: string(pr.Status), Mark: string(pr.Mark)}
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
		gr.Districts = append(gr.Districts, judge(reg.Code, reg.NameZh, reg.NameEn, g.Districts[reg.Code], actual[reg.Code], baseline[reg.Code]))
	}
	if sc.IsAll() {
		c := judge("", "", "", g.City, cityAct, cityBase)
		gr.City = &c
	}
	return gr
}

// Round2 rounds to two decimals, as the report's figures are.
func Round2(v float64) float64 { return math.Round(v*100) / 100 }

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
