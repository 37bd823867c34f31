package rules

import (
	"testing"
	"time"
)

// TestSMEPrecondition: every tier of the MIIT ladder, in every version and
// for every application kind, applies only to 中小企业 (domain.md §2.1). A
// firm is large when employees ≥ 1000 and prior-year revenue ≥ ¥400 m,
// both bounds inclusive; either indicator below its bound keeps it an SME;
// a missing indicator leaves the test unknown unless the other settles it.
// A large firm can then never meet the tier, whatever else it meets.
func TestSMEPrecondition(t *testing.T) {
	reg := mustBuiltin(t)
	ladder := map[string]bool{}
	for _, info := range reg.List() {
		switch info.TitleKind {
		case "innovative_sme", "specialized_sme", "little_giant":
			ladder[info.ID] = true
		}
	}
	if len(ladder) < 6 {
		t.Fatalf("found %d MIIT ladder rule sets, want the three tiers of both versions and their review variants", len(ladder))
	}
	cases := []struct {
		name      string
		employees *int64
		revenue   int64 // prior year, fen; 0 for missing
		want      Status
	}{
		{"large at both bounds", Ptr(int64(1000)), 4 * yi, StatusNotMet},
		{"large above both bounds", Ptr(int64(3718)), 332 * yi, StatusNotMet},
		{"999 staff keeps it an SME", Ptr(int64(999)), 50 * yi, StatusMet},
		{"revenue a fen below ¥400 m keeps it an SME", Ptr(int64(5000)), 4*yi - 1, StatusMet},
		{"staff missing, revenue large: unknown", nil, 5 * yi, StatusUnknown},
		{"staff missing, revenue small: an SME", nil, 3 * yi, StatusMet},
		{"both missing: unknown", nil, 0, StatusUnknown},
	}
	for id := range ladder {
		rs := mustGet(t, reg, id)
		for _, kind := range []Kind{KindNew, KindReview} {
			if !rs.Supports(kind) {
				continue
			}
			for _, c := range cases {
				p := lg2022()
				p.Employees = c.employees
				p.OperatingRevenue = nil
				if c.revenue != 0 {
					p.OperatingRevenue = series(2025, c.revenue, c.revenue)
				}
				res, err := rs.Evaluate(p, Context{AssessmentDate: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), Kind: kind})
				if err != nil {
					t.Fatalf("%s %s: %v", id, kind, err)
				}
				sme := res.Find("sme")
				if sme == nil {
					t.Fatalf("%s %s: no SME criterion in the explanation", id, kind)
				}
				if got := sme.Status; got != c.want {
					t.Errorf("%s %s, %s: SME test %s, want %s", id, kind, c.name, got, c.want)
				}
				if c.want == StatusNotMet && res.Outcome == StatusMet {
					t.Errorf("%s %s, %s: a large firm meets the tier", id, kind, c.name)
				}
			}
		}
	}
}
