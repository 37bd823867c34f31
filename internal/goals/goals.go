// Package goals holds the city's cultivation goals (培育目标) and their
// allocation to districts: the yearly count of newly cultivated titles
// (2024 task table: 400 专精特新 / 30 小巨人 / 4 单项冠军) and stock goals for
// a later year (2027: 15 unicorns, 30 potential unicorns, 300 gazelles),
// with the rules that judge a district's or the city's progress.
//
// A Plan is one version of an allocation with an effective date; a later
// version replaces an earlier one from its effective date without erasing
// it. Judgement builds on package target: a goal is a target.Target, a
// flow goal is evaluated by target.Evaluate, and the alert/excellent marks
// come from target.Thresholds on the pace (actual against what the elapsed
// share of the period calls for). The package is pure: no storage, no HTTP.
package goals

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/target"
)

// Measure says how a goal's actual is counted.
type Measure string

// Measures.
const (
	// New counts titles granted during the goal year (a flow, e.g. 400
	// newly cultivated 专精特新 SMEs in 2024).
	New Measure = "new"
	// Stock counts valid titles held at a date (a level, e.g. 15 unicorns
	// by the end of 2027), tracked each year from the base year's stock.
	Stock Measure = "stock"
)

// Plan is one version of the allocation of a set of city goals to
// districts.
type Plan struct {
	ID            string    // stable across versions, e.g. "cq-cultivation-2024"
	Version       int       // 1, 2, … ; a higher version supersedes a lower one
	EffectiveFrom time.Time // the version applies from this day
	NameZh        string
	NameEn        string
	Source        string  // the document the goals come from
	Measure       Measure // how every goal of the plan is counted
	BaseYear      int     // Stock: the year whose year-end stock is the baseline
	GoalYear      int     // the year the goals are for
	AlertPct      float64 // pace below this % of the expected is an alert
	ExcellentPct  float64 // pace at or above this % of the expected is excellent
	Goals         []Goal
}

// Goal is one city goal and its district allocation.
type Goal struct {
	IndicatorCode string
	City          int
	Districts     map[string]int // region code → allocated count
}

// Clone returns a copy of p that shares nothing it could change: its
// goals and their district allocations are copied.
func (p Plan) Clone() Plan {
	p.Goals = slices.Clone(p.Goals)
	for i := range p.Goals {
		p.Goals[i].Districts = maps.Clone(p.Goals[i].Districts)
	}
	return p
}

// Validate checks a plan: identity, years, thresholds, and that every
// goal's district allocation is non-negative and sums exactly to the city
// goal. known reports whether a region code exists (nil skips the check).
func (p Plan) Validate(known func(code string) bool) error {
	bad := func(key string, args ...any) error { return apperr.New(apperr.Invalid, key, args...) }
	switch {
	case p.ID == "":
		return bad("goals.err.no_id")
	case p.Version < 1:
		return bad("goals.err.version", p.Version)
	case p.EffectiveFrom.IsZero():
		return bad("goals.err.effective")
	case p.GoalYear < 2000 || p.GoalYear > 2100:
		return bad("goals.err.year", p.GoalYear)
	case p.Measure != New && p.Measure != Stock:
		return bad("goals.err.measure", string(p.Measure))
	case p.Measure == Stock && (p.BaseYear >= p.GoalYear || p.BaseYear < 2000):
		return bad("goals.err.base_year", p.BaseYear, p.GoalYear)
	case p.Measure == New && p.BaseYear != 0 && p.BaseYear != p.GoalYear-1:
		return bad("goals.err.base_year", p.BaseYear, p.GoalYear)
	case p.AlertPct <= 0 || p.ExcellentPct <= p.AlertPct:
		return bad("goals.err.thresholds", p.AlertPct, p.ExcellentPct)
	case len(p.Goals) == 0:
		return bad("goals.err.no_goals")
	}
	seen := map[string]bool{}
	for _, g := range p.Goals {
		if g.IndicatorCode == "" || seen[g.IndicatorCode] {
			return bad("goals.err.indicator", g.IndicatorCode)
		}
		seen[g.IndicatorCode] = true
		if g.City <= 0 {
			return bad("goals.err.city_value", g.IndicatorCode, g.City)
		}
		sum := 0
		for code, v := range g.Districts {
			if known != nil && !known(code) {
				return bad("goals.err.region", g.IndicatorCode, code)
			}
			if v < 0 {
				return bad("goals.err.negative", g.IndicatorCode, code, v)
			}
			sum += v
		}
		if sum != g.City {
			return bad("goals.err.sum", g.IndicatorCode, sum, g.City)
		}
	}
	return nil
}

// Targets returns the plan's goals as rows of the target engine's task
// table for the goal year: the city goal and every district's allocation,
// districts in code order.
func (p Plan) Targets() []target.Target {
	var out []target.Target
	for _, g := range p.Goals {
		t := target.Target{IndicatorCode: g.IndicatorCode, ScopeKind: target.ScopeCity, Year: p.GoalYear, Comparator: target.AtLeast, Value: float64(g.City), Source: p.Label()}
		out = append(out, t)
		for _, code := range sortedKeys(g.Districts) {
			t.ScopeKind, t.ScopeCode, t.Value = target.ScopeRegion, code, float64(g.Districts[code])
			out = append(out, t)
		}
	}
	return out
}

// Label names the version for the target table's source column.
func (p Plan) Label() string {
	return p.Source + " · " + p.ID + " v" + strconv.Itoa(p.Version)
}

// Goal returns the plan's goal for an indicator.
func (p Plan) Goal(code string) (Goal, bool) {
	for _, g := range p.Goals {
		if g.IndicatorCode == code {
			return g, true
		}
	}
	return Goal{}, false
}

// InForce returns the version of plan id in force on day: the highest
// version whose effective date is on or before day.
func InForce(plans []Plan, id string, day time.Time) (Plan, bool) {
	var best Plan
	found := false
	for _, p := range plans {
		if p.ID != id || p.EffectiveFrom.After(day) {
			continue
		}
		if !found || p.Version > best.Version {
			best, found = p, true
		}
	}
	return best, found
}

// Weight is one district's share basis in an allocation.
type Weight struct {
	Code   string
	Weight float64
}

// Allocate splits total among districts in proportion to their weights by
// the largest-remainder method, so the parts are whole numbers that sum
// exactly to total. Ties in the remainder go to the larger weight, then
// the lower code, so the result is deterministic.
func Allocate(total int, weights []Weight) (map[string]int, error) {
	if total < 0 {
		return nil, apperr.New(apperr.Invalid, "goals.err.negative", "", "", total)
	}
	var sum float64
	for _, w := range weights {
		if w.Weight < 0 || math.IsNaN(w.Weight) || math.IsInf(w.Weight, 0) {
			return nil, apperr.New(apperr.Invalid, "goals.err.weight", w.Code)
		}
		sum += w.Weight
	}
	if sum == 0 {
		return nil, apperr.New(apperr.Invalid, "goals.err.no_weight")
	}
	type part struct {
		code string
		w    float64
		n    int
		rem  float64
	}
	parts := make([]part, len(weights))
	given := 0
	for i, w := range weights {
		q := float64(total) * w.Weight / sum
		n := int(math.Floor(q))
		parts[i] = part{w.Code, w.Weight, n, q - float64(n)}
		given += n
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		pa, pb := parts[a], parts[b]
		if c := cmp.Compare(pb.rem, pa.rem); c != 0 {
			return c
		}
		if c := cmp.Compare(pb.w, pa.w); c != 0 {
			return c
		}
		return cmp.Compare(pa.code, pb.code)
	})
	for i := 0; given < total; i++ {
		parts[order[i%len(order)]].n++
		given++
	}
	out := make(map[string]int, len(parts))
	for _, p := range parts {
		out[p.code] += p.n
	}
	return out, nil
}

// Input is what a goal is judged on: the goal, the counted actual through
// month (1–12) of year, and for stock goals the stock at the end of the
// plan's base year.
type Input struct {
	Plan     Plan
	Goal     int // the goal (city or district) for the plan's goal year
	Year     int // the year viewed: the goal year for New, any year of the plan period for Stock
	Month    int // data cover year through this month; 0 = no data yet
	Actual   int
	Baseline int // Stock only
}

// Progress is the judgement of one goal for one scope.
type Progress struct {
	Goal        int     // the final goal
	YearGoal    float64 // what the viewed year calls for: the goal (New) or the year-end milestone (Stock)
	Actual      int
	Baseline    int
	YearElapsed float64 // share of the viewed year elapsed, 0–1
	Elapsed     float64 // share of the tracking period elapsed, 0–1 (the year for New, base-year end → goal-year end for Stock)
	Expected    float64 // what a steady pace would have reached by now
	PacePct     float64 // Actual ÷ Expected × 100; 0 when Expected is 0
	Ratio       float64 // Actual ÷ Goal
	Projection  float64 // the goal year's end value at the present pace
	Status      target.Status
	Mark        target.Mark
}

// Evaluate judges a goal.
//
// New goals (titles granted in the goal year) go through the target
// engine: target.Evaluate with a level indicator projects the count
// linearly to the year end. Stock goals start from the base-year stock and
// are expected to grow linearly to the goal: each year of the plan period
// has a year-end milestone, the status compares the stock with the viewed
// year's milestone (the final goal in the goal year), and the projection
// extends the growth since the base year to the goal year's end.
func Evaluate(in Input) Progress {
	p := Progress{Goal: in.Goal, Actual: in.Actual, Baseline: in.Baseline, Status: target.StatusNoData}
	if in.Goal <= 0 {
		// A district allocated nothing has no goal to meet: "已完成" for a
		// goal of 0 read as an achievement.
		p.Status = target.StatusNoGoal
		return p
	}
	m := min(max(in.Month, 0), 12)
	p.YearElapsed = float64(m) / 12
	if in.Goal > 0 {
		p.Ratio = float64(in.Actual) / float64(in.Goal)
	}
	switch in.Plan.Measure {
	case Stock:
		span := float64(in.Plan.GoalYear - in.Plan.BaseYear)
		p.YearGoal = Milestone(in.Plan, in.Baseline, in.Goal, in.Year)
		if m == 0 || in.Year <= in.Plan.BaseYear || in.Year > in.Plan.GoalYear {
			return p
		}
		years := float64(in.Year-in.Plan.BaseYear-1) + p.YearElapsed
		p.Elapsed = years / span
		p.Expected = float64(in.Baseline) + float64(in.Goal-in.Baseline)*p.Elapsed
		p.Projection = float64(in.Actual)
		if grown := in.Actual - in.Baseline; grown > 0 {
			p.Projection = float64(in.Baseline) + float64(grown)*span/years
		}
		// Where the year ends at the present pace, for the status mid-year.
		yearEnd := float64(in.Actual)
		if grown := in.Actual - in.Baseline; grown > 0 {
			yearEnd = float64(in.Baseline) + float64(grown)*float64(in.Year-in.Plan.BaseYear)/years
		}
		switch {
		case float64(in.Actual) >= p.YearGoal:
			p.Status = target.StatusMet
		case m == 12:
			p.Status = target.StatusMissed
		case yearEnd >= p.YearGoal:
			p.Status = target.StatusOnTrack
		default:
			p.Status = target.StatusBehind
		}
	default:
		p.YearGoal = float64(in.Goal)
		if in.Year != in.Plan.GoalYear {
			return p
		}
		t := target.Target{Year: in.Plan.GoalYear, Comparator: target.AtLeast, Value: float64(in.Goal)}
		tp := target.Evaluate(t, target.Level, float64(in.Actual), m > 0, m)
		p.Status, p.Projection = tp.Status, tp.Projection
		if m == 0 {
			return p
		}
		p.Elapsed = p.YearElapsed
		p.Expected = float64(in.Goal) * p.Elapsed
	}
	if p.Expected > 0 {
		p.PacePct = float64(in.Actual) / p.Expected * 100
		a, e := in.Plan.AlertPct, in.Plan.ExcellentPct
		p.Mark = target.Thresholds(p.PacePct, &a, &e, true)
	}
	return p
}

// Milestone is the stock a stock plan calls for at the end of year: the
// straight line from the base-year stock to the goal, rounded up to whole
// titles (a milestone of 10.2 firms is met by 11). For New plans and years
// outside the plan period it is the goal.
func Milestone(p Plan, baseline, goal, year int) float64 {
	if p.Measure != Stock || year >= p.GoalYear || year <= p.BaseYear {
		if p.Measure == Stock && year <= p.BaseYear {
			return float64(baseline)
		}
		return float64(goal)
	}
	v := float64(baseline) + float64(goal-baseline)*float64(year-p.BaseYear)/float64(p.GoalYear-p.BaseYear)
	return math.Ceil(v - 1e-9)
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
