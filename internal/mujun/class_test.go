package mujun

import (
	"slices"
	"testing"
	"time"
)

// firmsScoring returns firms 1..n whose taxOnly score is scores[i] (tax
// per mu = score/10, so tax on 10 mu = score 万元).
func firmsScoring(scores ...int64) []Facts {
	out := make([]Facts, len(scores))
	for i, s := range scores {
		out[i] = taxFirm(int64(i+1), s)
	}
	return out
}

func ids(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

func TestShareSizes(t *testing.T) {
	// Rule: size = round-half-up(share × n / 100) for A, B and D in that
	// order, each clamped to the firms left; C (remainder) takes the rest.
	co := huaian()
	cases := []struct {
		n    int
		want []int // A B C D
	}{
		{0, []int{0, 0, 0, 0}},
		{1, []int{0, 0, 1, 0}},  // A .2→0, B .4→0, D .05→0, C 1
		{2, []int{0, 1, 1, 0}},  // A .4→0, B .8→1, D .1→0, C 1
		{3, []int{1, 1, 1, 0}},  // A .6→1, B 1.2→1, D .15→0, C 1
		{7, []int{1, 3, 3, 0}},  // A 1.4→1, B 2.8→3, D .35→0, C 7−4 = 3
		{10, []int{2, 4, 3, 1}}, // A 2, B 4, D .5→1 (half up), C 3
		{39, []int{8, 16, 13, 2}},
		// A 7.8→8, B 15.6→16, D 1.95→2, C 39−26 = 13
	}
	for _, c := range cases {
		if got := shareSizes(&co, c.n); !slices.Equal(got, c.want) {
			t.Errorf("n=%d: sizes %v, want %v", c.n, got, c.want)
		}
	}
	// Over-allocation: A 50 %, C 50 %, remainder B; for n = 1 both round
	// to 1, A is filled first and C is clamped to 0.
	co2 := Cutoff{Method: RankShare, Remainder: "B", Shares: []ClassShare{{"A", 50}, {"B", 0}, {"C", 50}}}
	if got := shareSizes(&co2, 1); !slices.Equal(got, []int{1, 0, 0}) {
		t.Errorf("clamped sizes %v", got)
	}
}

func TestRankShareSevenFirms(t *testing.T) {
	// 7 firms, 20/40/35/5: A 1, B 3, C 3, D 0 (see TestShareSizes).
	r := mustRun(t, taxOnly(), firmsScoring(70, 60, 50, 40, 30, 20, 10), nil)
	if got := classes(t, r, ids(7)...); got != "ABBBCCC" {
		t.Errorf("classes %s, want ABBBCCC", got)
	}
	want := map[string][2]int{"A": {1, 1}, "B": {3, 3}, "C": {3, 3}, "D": {0, 0}, "T": {0, 0}}
	for _, c := range r.Groups[0].Classes {
		if w := want[c.Class]; c.Count != w[0] || c.Quota != w[1] {
			t.Errorf("class %s count %d quota %d, want %v", c.Class, c.Count, c.Quota, w)
		}
	}
	if e := ent(t, r, 1); e.ClassBy != ByRankShare || e.Rank != 1 {
		t.Errorf("firm 1: %+v", e)
	}
}

func TestRankShareTies(t *testing.T) {
	// Equal scores share the competition rank and the class of the slot at
	// that rank (the better one); the next class shrinks.
	cases := []struct {
		name   string
		scores []int64
		want   string
	}{
		// ranks 1,1,3,4,5,5,7: slot 0 is A → both 70s are A; slots 1–3 B.
		{"tie across A/B", []int64{70, 70, 60, 50, 40, 40, 30}, "AABBCCC"},
		// ranks 1,2,3,4,4,6,7: rank 4 is slot 3, the last B → both 40s B.
		{"tie across B/C", []int64{70, 60, 50, 40, 40, 30, 20}, "ABBBBCC"},
		// 10 firms: A 2, B 4, C 3, D 1; the two lowest tie at rank 9 (slot
		// 8, a C slot), so nobody is D.
		{"tie across C/D", []int64{100, 90, 80, 70, 60, 50, 40, 30, 20, 20}, "AABBBBCCCC"},
		{"no tie with 10", []int64{100, 90, 80, 70, 60, 50, 40, 30, 20, 10}, "AABBBBCCCD"},
		// Everybody equal: everybody is A.
		{"all equal", []int64{50, 50, 50, 50}, "AAAA"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustRun(t, taxOnly(), firmsScoring(c.scores...), nil)
			if got := classes(t, r, ids(len(c.scores))...); got != c.want {
				t.Errorf("classes %s, want %s", got, c.want)
			}
		})
	}
}

func TestRankShareSmallGroups(t *testing.T) {
	for _, c := range []struct {
		scores []int64
		want   string
	}{
		{[]int64{50}, "C"},
		{[]int64{50, 40}, "BC"},
		{[]int64{50, 40, 30}, "ABC"},
	} {
		r := mustRun(t, taxOnly(), firmsScoring(c.scores...), nil)
		if got := classes(t, r, ids(len(c.scores))...); got != c.want {
			t.Errorf("%d firms: %s, want %s", len(c.scores), got, c.want)
		}
	}
}

func TestScoreCutoffs(t *testing.T) {
	cfg := taxOnly()
	cfg.Classes.Cutoff = Cutoff{Method: Score, Thresholds: []ClassThreshold{{"A", 90}, {"B", 75}, {"C", 60}, {"D", 0}}}
	// Scores 95, 90 (boundary: ≥ is in), 89.9, 75, 60, 59.9, 10.
	facts := []Facts{taxFirm(1, 95), taxFirm(2, 90), taxFirm(3, 0), taxFirm(4, 75), taxFirm(5, 60), taxFirm(6, 0), taxFirm(7, 10)}
	facts[2].Tax = Some(wan(899) / 10) // 89.9 万元 → 8.99/mu → 89.9
	facts[5].Tax = Some(wan(599) / 10) // 59.9
	r := mustRun(t, cfg, facts, nil)
	approx(t, "firm 3", ent(t, r, 3).Score, 89.9)
	if got := classes(t, r, ids(7)...); got != "AABBCDD" {
		t.Errorf("classes %s, want AABBCDD", got)
	}
	if e := ent(t, r, 1); e.ClassBy != ByScore {
		t.Errorf("class by %s", e.ClassBy)
	}
}

func vetoCfg() Config {
	cfg := taxOnly()
	cfg.Vetoes = []Veto{
		{Code: "safety", Name: Text{"重大安全事故", "Major safety accident"}, Effect: ForceClass, Class: "D"},
		{Code: "fraud", Name: Text{"数据造假", "Data fraud"}, Effect: ForceClass, Class: "C"},
		{Code: "penalty", Name: Text{"环保处罚", "Environmental penalty"}, Effect: Deduct, Points: 25},
	}
	return cfg
}

func TestVetoes(t *testing.T) {
	facts := firmsScoring(100, 90, 80, 70, 60)
	facts[0].Vetoes = []string{"safety"}  // best score, forced to D
	facts[2].Vetoes = []string{"penalty"} // 80 − 25 = 55
	r := mustRun(t, vetoCfg(), facts, nil)

	e1 := ent(t, r, 1)
	if e1.Class != "D" || e1.ClassBy != ByVeto || e1.Rank != 1 {
		t.Errorf("forced firm: class %s by %s rank %d; want D by veto, rank 1 (rank is by score)", e1.Class, e1.ClassBy, e1.Rank)
	}
	e3 := ent(t, r, 3)
	approx(t, "subtotal", e3.Subtotal, 80)
	approx(t, "deducted", e3.Deducted, 25)
	approx(t, "score", e3.Score, 55)
	if e3.Rank != 5 {
		t.Errorf("deducted firm rank %d, want 5", e3.Rank)
	}
	// The pool is the 4 firms without a forcing veto: A 1 (.8→1), B 2
	// (1.6→2), D 0 (.2→0), C 1. By score: F2 90, F4 70, F5 60, F3 55.
	if got := classes(t, r, 1, 2, 3, 4, 5); got != "DACBB" {
		t.Errorf("classes %s, want DACBB", got)
	}
	// Quota counts the pool's slots; Count includes the forced firm.
	for _, c := range r.Groups[0].Classes {
		if c.Class == "D" && (c.Count != 1 || c.Quota != 0) {
			t.Errorf("D count %d quota %d, want 1 and 0", c.Count, c.Quota)
		}
	}

	// Two forcing vetoes: the worse class wins.
	facts[1].Vetoes = []string{"fraud", "safety"}
	r = mustRun(t, vetoCfg(), facts, nil)
	if c := ent(t, r, 2).Class; c != "D" {
		t.Errorf("two vetoes: class %s, want D", c)
	}

	// A veto code the configuration does not define is an input error.
	facts[4].Vetoes = []string{"unknown"}
	if _, err := Run(vetoCfg(), facts, nil); err == nil {
		t.Error("unknown veto accepted")
	}
}

func TestExempt(t *testing.T) {
	cfg := taxOnly()
	cfg.Exempt = Exempt{Class: "T", NewFirmYears: 2, Sections: []string{"D"}}
	facts := firmsScoring(100, 90, 80, 70, 60, 50, 40)
	facts[5].Founded = time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)   // 1.6 years on 2024-12-31: exempt
	facts[4].Founded = time.Date(2022, 12, 31, 0, 0, 0, 0, time.UTC) // exactly 2 years: rated
	facts[6].Section = "D"                                           // utility: exempt
	r := mustRun(t, cfg, facts, nil)

	for id, want := range map[int64]ExemptReason{6: ExemptNewFirm, 7: ExemptSection, 5: ""} {
		if e := ent(t, r, id); e.Exempt != want {
			t.Errorf("firm %d exempt %q, want %q", id, e.Exempt, want)
		}
	}
	// Five rated firms: A 1, B 2, D round(.25) = 0, C 2. Exempt firms are
	// class T, unranked, outside the shares.
	if got := classes(t, r, ids(7)...); got != "ABBCCTT" {
		t.Errorf("classes %s, want ABBCCTT", got)
	}
	if e := ent(t, r, 6); e.Rank != 0 || e.ClassBy != ByExemption || e.Indicators != nil {
		t.Errorf("exempt firm %+v", e)
	}
	g := r.Groups[0]
	if g.Rated != 5 || g.Exempt != 2 || g.Firms != 7 {
		t.Errorf("group counts %d/%d/%d", g.Rated, g.Exempt, g.Firms)
	}

	// "Managed as B": the exempt class is B and B's policies apply.
	cfg.Exempt.Class = "B"
	cfg.Policies = []Policy{{Class: "B", Kind: PriorityCredit, Text: Text{"信贷支持", "Credit support"}}}
	r = mustRun(t, cfg, facts, nil)
	if e := ent(t, r, 7); e.Class != "B" || len(e.Policies) != 1 || e.Policies[0].Kind != PriorityCredit {
		t.Errorf("managed-as-B firm %+v", e)
	}

	// A forcing veto overrides the exemption.
	cfg = vetoCfg()
	cfg.Exempt = Exempt{Class: "T", Sections: []string{"D"}}
	facts[6].Vetoes = []string{"safety"}
	r = mustRun(t, cfg, facts, nil)
	if e := ent(t, r, 7); e.Class != "D" || e.ClassBy != ByVeto {
		t.Errorf("vetoed exempt firm %s by %s", e.Class, e.ClassBy)
	}
}

func TestPolicyEscalation(t *testing.T) {
	// Shandong: +5 fen/kWh in the first year in D, +10 in the second, +15
	// from the third; a year out of D restarts the count.
	base := vetoCfg()
	base.Policies = []Policy{
		{Class: "D", Kind: ElectricitySurcharge, RateFen: []int64{5, 10, 15}, Text: Text{"差别电价", "Surcharge"}},
		{Class: "A", Kind: LandTaxRelief, ReliefPct: 100, Text: Text{"土地使用税减免", "Land-use tax relief"}},
	}
	facts := firmsScoring(100, 90)
	facts[1].Electricity = Some(int64(1_000_000)) // 1 GWh
	var prior *RunResult
	for _, y := range []struct {
		year  int
		veto  bool
		years int
		rate  int64
	}{
		{2021, true, 1, 5},
		{2022, true, 2, 10},
		{2023, true, 3, 15},
		{2024, true, 4, 15},
		{2025, false, 1, 0}, // out of D: no surcharge
		{2026, true, 1, 5},  // back in D: starts again
	} {
		cfg := base
		cfg.Year = y.year
		facts[1].Vetoes = nil
		if y.veto {
			facts[1].Vetoes = []string{"safety"}
		}
		r := mustRun(t, cfg, facts, prior)
		e := ent(t, r, 2)
		if e.ConsecutiveYears != y.years {
			t.Errorf("%d: consecutive years %d, want %d", y.year, e.ConsecutiveYears, y.years)
		}
		var got int64
		for _, p := range e.Policies {
			if p.Kind == ElectricitySurcharge {
				got = p.RateFen
				// 1,000,000 kWh × rate fen
				if !p.AmountFen.Known || int64(p.AmountFen.Value) != y.rate*1_000_000 {
					t.Errorf("%d: amount %+v", y.year, p.AmountFen)
				}
			}
		}
		if got != y.rate {
			t.Errorf("%d: rate %d fen, want %d", y.year, got, y.rate)
		}
		if a := ent(t, r, 1); a.Class == "A" && (len(a.Policies) != 1 || a.Policies[0].ReliefPct != 100) {
			t.Errorf("%d: A policies %+v", y.year, a.Policies)
		}
		prior = &r
	}
	// A prior run that is not of the previous year is refused.
	cfg := base
	cfg.Year = 2030
	if _, err := Run(cfg, facts, prior); err == nil {
		t.Error("prior of 2026 accepted for 2030")
	}
}
