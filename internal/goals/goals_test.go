package goals

import (
	"math"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/target"
)

func TestAllocate(t *testing.T) {
	tests := []struct {
		name  string
		total int
		ws    []Weight
		want  map[string]int
	}{
		// 10/3 = 3.33 each; the tie in remainder and weight goes to the lowest code.
		{"EqualWeightsTieByCode", 10, []Weight{{"b", 1}, {"a", 1}, {"c", 1}}, map[string]int{"a": 4, "b": 3, "c": 3}},
		{"Exact", 400, []Weight{{"a", 5}, {"b", 3}, {"c", 2}}, map[string]int{"a": 200, "b": 120, "c": 80}},
		// 4 × (.5, .3, .2) = 2, 1.2, 0.8: floors give 3, the largest remainder (.8) gets the fourth.
		{"LargestRemainder", 4, []Weight{{"a", .5}, {"b", .3}, {"c", .2}}, map[string]int{"a": 2, "b": 1, "c": 1}},
		{"ZeroWeightGetsNothing", 3, []Weight{{"a", 2}, {"b", 0}, {"c", 1}}, map[string]int{"a": 2, "b": 0, "c": 1}},
		{"ZeroTotal", 0, []Weight{{"a", 1}}, map[string]int{"a": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Allocate(tt.total, tt.ws)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("got %v want %v", got, tt.want)
				}
			}
		})
	}
	if _, err := Allocate(15, []Weight{{"a", 0}}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("all-zero weights: %v", err)
	}
	if _, err := Allocate(15, []Weight{{"a", -1}, {"b", 3}}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("negative weight: %v", err)
	}
}

func newPlan() Plan {
	return Plan{ID: "p", Version: 1, EffectiveFrom: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Source: "s", Measure: New, GoalYear: 2024,
		AlertPct: 80, ExcellentPct: 120, Goals: []Goal{{IndicatorCode: "NEW_SPECIALIZED", City: 400}}}
}

func stockPlan() Plan {
	p := newPlan()
	p.Measure, p.BaseYear, p.GoalYear, p.AlertPct, p.ExcellentPct = Stock, 2022, 2027, 90, 110
	p.Goals = []Goal{{IndicatorCode: "UNICORN_COUNT", City: 15}}
	return p
}

func TestValidate(t *testing.T) {
	ok := newPlan()
	ok.Goals[0].Districts = map[string]int{"500101": 250, "500103": 150}
	if err := ok.Validate(nil); err != nil {
		t.Fatalf("valid plan: %v", err)
	}
	known := func(c string) bool { return c == "500101" || c == "500103" }
	cases := map[string]func(p *Plan){
		"SumShort":      func(p *Plan) { p.Goals[0].Districts = map[string]int{"500101": 250, "500103": 149} },
		"Negative":      func(p *Plan) { p.Goals[0].Districts = map[string]int{"500101": 401, "500103": -1} },
		"UnknownRegion": func(p *Plan) { p.Goals[0].Districts = map[string]int{"500101": 250, "999999": 150} },
		"NoID":          func(p *Plan) { p.ID = "" },
		"Thresholds":    func(p *Plan) { p.ExcellentPct = 80 },
		"StockBaseYear": func(p *Plan) { p.Measure, p.BaseYear = Stock, 2024 },
		"Repeated": func(p *Plan) {
			p.Goals = append(p.Goals, Goal{IndicatorCode: "NEW_SPECIALIZED", City: 1, Districts: map[string]int{"500101": 1}})
		},
	}
	for name, mut := range cases {
		t.Run(name, func(t *testing.T) {
			p := newPlan()
			p.Goals = []Goal{{IndicatorCode: "NEW_SPECIALIZED", City: 400, Districts: map[string]int{"500101": 250, "500103": 150}}}
			mut(&p)
			if err := p.Validate(known); !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("want invalid, got %v", err)
			}
		})
	}
}

func TestInForce(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	v1, v2 := newPlan(), newPlan()
	v2.Version, v2.EffectiveFrom = 2, d("2024-07-01")
	other := newPlan()
	other.ID, other.Version = "q", 9
	plans := []Plan{v2, other, v1}
	for _, c := range []struct {
		day  string
		want int
	}{{"2023-12-31", 0}, {"2024-01-01", 1}, {"2024-06-30", 1}, {"2024-07-01", 2}, {"2025-01-01", 2}} {
		p, ok := InForce(plans, "p", d(c.day))
		if got := map[bool]int{true: p.Version}[ok]; got != c.want {
			t.Errorf("on %s: version %d (found %v), want %d", c.day, p.Version, ok, c.want)
		}
	}
}

func TestTargets(t *testing.T) {
	p := newPlan()
	p.Goals[0].Districts = map[string]int{"500103": 150, "500101": 250}
	ts := p.Targets()
	if len(ts) != 3 || ts[0].ScopeKind != target.ScopeCity || ts[0].Value != 400 ||
		ts[1].ScopeCode != "500101" || ts[1].Value != 250 || ts[2].ScopeCode != "500103" || ts[2].Value != 150 {
		t.Fatalf("targets %+v", ts)
	}
	if ts[0].Source != "s · p v1" || ts[0].Year != 2024 || ts[0].Comparator != target.AtLeast {
		t.Fatalf("target %+v", ts[0])
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestEvaluateNew(t *testing.T) {
	p := newPlan()
	tests := []struct {
		name                 string
		actual, month        int
		status               target.Status
		proj, expected, pace float64
		mark                 target.Mark
	}{
		// 210 by June: 420 projected, 200 expected, pace 105 %.
		{"OnTrack", 210, 6, target.StatusOnTrack, 420, 200, 105, target.MarkNone},
		// 150 by June: 300 projected, pace 75 % < 80 → alert.
		{"BehindAlert", 150, 6, target.StatusBehind, 300, 200, 75, target.MarkAlert},
		// 401 by September: met early; expected 300, pace 133.3 % ≥ 120 → excellent.
		{"MetEarlyExcellent", 401, 9, target.StatusMet, 401 * 12 / 9.0, 300, 401.0 / 3, target.MarkExcellent},
		// Year over at 380: missed; pace 95 %.
		{"Missed", 380, 12, target.StatusMissed, 380, 400, 95, target.MarkNone},
		// Exactly the goal at the year end is met; pace 100 %.
		{"MetAtBoundary", 400, 12, target.StatusMet, 400, 400, 100, target.MarkNone},
		// Pace exactly at the alert line is not an alert.
		{"AlertBoundary", 160, 6, target.StatusBehind, 320, 200, 80, target.MarkNone},
		{"NoData", 0, 0, target.StatusNoData, 0, 0, 0, target.MarkNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := Evaluate(Input{Plan: p, Goal: 400, Year: 2024, Month: tt.month, Actual: tt.actual})
			if g.Status != tt.status || !near(g.Projection, tt.proj) || !near(g.Expected, tt.expected) || !near(g.PacePct, tt.pace) || g.Mark != tt.mark {
				t.Fatalf("got status %s proj %v expected %v pace %v mark %q", g.Status, g.Projection, g.Expected, g.PacePct, g.Mark)
			}
			if !near(g.YearElapsed, float64(tt.month)/12) || !near(g.Ratio, float64(tt.actual)/400) {
				t.Fatalf("elapsed %v ratio %v", g.YearElapsed, g.Ratio)
			}
		})
	}
}

func TestMilestone(t *testing.T) {
	p := stockPlan()
	// Baseline 5 → goal 15 over 2022–2027: +2 a year.
	for y, want := range map[int]float64{2022: 5, 2023: 7, 2024: 9, 2025: 11, 2026: 13, 2027: 15} {
		if got := Milestone(p, 5, 15, y); got != want {
			t.Errorf("milestone %d = %v, want %v", y, got, want)
		}
	}
	// Baseline 6: 7.8 → 8 and 9.6 → 10 whole firms.
	if got := Milestone(p, 6, 15, 2023); got != 8 {
		t.Errorf("rounded up: %v", got)
	}
	if got := Milestone(p, 6, 15, 2024); got != 10 {
		t.Errorf("rounded up: %v", got)
	}
}

func TestEvaluateStock(t *testing.T) {
	p := stockPlan()
	tests := []struct {
		name                        string
		year, month, actual         int
		status                      target.Status
		yearGoal, elapsed, expected float64
		proj, pace                  float64
		mark                        target.Mark
	}{
		// End of 2024 with 9: two of five years gone, milestone 9 reached,
		// projection 5 + 4 × 5/2 = 15.
		{"MilestoneMet", 2024, 12, 9, target.StatusMet, 9, .4, 9, 15, 100, target.MarkNone},
		// End of 2024 with 8: milestone missed, projection 5 + 3 × 2.5 = 12.5, pace 8/9 → alert.
		{"MilestoneMissed", 2024, 12, 8, target.StatusMissed, 9, .4, 9, 12.5, 800.0 / 9, target.MarkAlert},
		// June 2024 with 8: 1.5 years gone; the year ends at 5 + 3 × 2/1.5 = 9 → on track.
		{"OnTrackMidYear", 2024, 6, 8, target.StatusOnTrack, 9, .3, 8, 15, 100, target.MarkNone},
		// June 2024 with 7: ends at 5 + 2 × 2/1.5 = 7.67 < 9 → behind; pace 7/8.
		{"BehindMidYear", 2024, 6, 7, target.StatusBehind, 9, .3, 8, 5 + 2*5/1.5, 87.5, target.MarkAlert},
		// End of 2027 with 15: the final goal met; pace 100 %.
		{"GoalMet", 2027, 12, 15, target.StatusMet, 15, 1, 15, 15, 100, target.MarkNone},
		// End of 2027 with 14: missed.
		{"GoalMissed", 2027, 12, 14, target.StatusMissed, 15, 1, 15, 14, 1400.0 / 15, target.MarkNone},
		// End of 2023 with 9 of a milestone 7: excellent (9/7 = 128.6 %).
		{"Excellent", 2023, 12, 9, target.StatusMet, 7, .2, 7, 25, 900.0 / 7, target.MarkExcellent},
		// No growth: the projection is the stock itself.
		{"NoGrowth", 2023, 12, 5, target.StatusMissed, 7, .2, 7, 5, 500.0 / 7, target.MarkAlert},
		{"BaseYear", 2022, 12, 5, target.StatusNoData, 5, 0, 0, 0, 0, target.MarkNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := Evaluate(Input{Plan: p, Goal: 15, Year: tt.year, Month: tt.month, Actual: tt.actual, Baseline: 5})
			if g.Status != tt.status || g.YearGoal != tt.yearGoal || !near(g.Elapsed, tt.elapsed) || !near(g.Expected, tt.expected) ||
				!near(g.Projection, tt.proj) || !near(g.PacePct, tt.pace) || g.Mark != tt.mark {
				t.Fatalf("got status %s yearGoal %v elapsed %v expected %v proj %v pace %v mark %q",
					g.Status, g.YearGoal, g.Elapsed, g.Expected, g.Projection, g.PacePct, g.Mark)
			}
		})
	}
}

func TestBuiltin(t *testing.T) {
	ps, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"NEW_SPECIALIZED": 400, "NEW_LITTLE_GIANTS": 30, "NEW_CHAMPIONS": 4, "UNICORN_COUNT": 15, "POTENTIAL_UNICORN_COUNT": 30, "GAZELLE_COUNT": 300}
	got := map[string]int{}
	for _, p := range ps {
		for _, g := range p.Goals {
			got[g.IndicatorCode] = g.City
			// A plan with its whole goal on one district validates.
			g.Districts["500101"] = g.City
		}
		if err := p.Validate(nil); err != nil {
			t.Errorf("plan %s: %v", p.ID, err)
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
}

// TestEvaluateNoGoal: a district allocated nothing (a goal of 0) has no goal
// to meet, for new titles and for stock goals alike; before, a 2027 goal of
// 0 read "已完成" in 2024.
func TestEvaluateNoGoal(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Input
	}{
		{"stock", Input{Plan: stockPlan(), Year: 2024, Month: 12, Goal: 0, Baseline: 0, Actual: 0}},
		{"stock with firms", Input{Plan: stockPlan(), Year: 2024, Month: 6, Goal: 0, Baseline: 3, Actual: 4}},
		{"new", Input{Plan: newPlan(), Year: newPlan().GoalYear, Month: 12, Goal: 0, Actual: 0}},
	} {
		if got := Evaluate(c.in); got.Status != target.StatusNoGoal {
			t.Errorf("%s: status %s, want %s", c.name, got.Status, target.StatusNoGoal)
		}
	}
	// A real goal is still judged.
	if got := Evaluate(Input{Plan: stockPlan(), Year: 2024, Month: 12, Goal: 15, Baseline: 5, Actual: 9}); got.Status != target.StatusMet {
		t.Errorf("a goal of 15 with the milestone reached: %s", got.Status)
	}
}

// TestPlanClone: a clone's goals and allocations are its own.
func TestPlanClone(t *testing.T) {
	p := Plan{ID: "p", Version: 1, Goals: []Goal{{IndicatorCode: "X", City: 3, Districts: map[string]int{"500101": 2, "500102": 1}}}}
	c := p.Clone()
	c.Goals[0].City, c.Goals[0].Districts["500101"] = 9, 9
	c.Goals = append(c.Goals, Goal{IndicatorCode: "Y"})
	if p.Goals[0].City != 3 || p.Goals[0].Districts["500101"] != 2 || len(p.Goals) != 1 {
		t.Fatalf("changing the clone changed the plan: %+v", p)
	}
	if len(c.Goals) != 2 || c.Goals[0].Districts["500102"] != 1 {
		t.Fatalf("clone %+v", c)
	}
}
