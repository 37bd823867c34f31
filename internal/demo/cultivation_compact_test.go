package demo

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/unit"
)

// TestCompactScreeningEqualsFullVerdicts: the screening keeps its verdicts
// compact (no profiles, 16-byte verdicts, the rule set per tier); on the
// demo's firms (scale 1) every verdict, firm and candidate ranking equals
// what the full computation gives — each firm's rule set chosen and
// evaluated afresh with a new result, leaves counted into a full Verdict,
// candidates sorted by the profile's revenue — for the demo's assessment
// date and a date with different rule sets in force, through Screen and
// through ScreenRaws.
func TestCompactScreeningEqualsFullVerdicts(t *testing.T) {
	t.Parallel()
	ds, err := generate(Options{Seed: 1, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, asOf := range []time.Time{CultivationAsOf, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)} {
		subjects := cultivation.Subjects(ds.cultivationRaws(), asOf)
		want := fullVerdicts(t, reg, subjects, asOf)
		viaSubjects, err := cultivation.Screen(reg, subjects, asOf)
		if err != nil {
			t.Fatal(err)
		}
		viaRaws, err := cultivation.ScreenRaws(reg, ds.cultivationRaws(), asOf)
		if err != nil {
			t.Fatal(err)
		}
		for name, sc := range map[string]*cultivation.Screening{"Screen": viaSubjects, "ScreenRaws": viaRaws} {
			if sc.Len() != len(subjects) {
				t.Fatalf("%s %s: %d firms, want %d", name, asOf.Format(time.DateOnly), sc.Len(), len(subjects))
			}
			seen := map[rules.Status]int{}
			for si := range subjects {
				s := &subjects[si]
				if f := *sc.Firm(si); f != (cultivation.Firm{ID: s.ID, Name: s.Name, CreditCode: s.CreditCode, RegionCode: s.RegionCode, ClusterCode: s.ClusterCode}) {
					t.Fatalf("%s: firm %d is %+v, want subject %d", name, si, f, s.ID)
				}
				for ti := range sc.Tiers {
					if got := sc.Verdict(si, ti); got != want[si][ti] {
						t.Fatalf("%s %s: firm %d tier %s: %+v, want %+v", name, asOf.Format(time.DateOnly), s.ID, sc.Tiers[ti].Title, got, want[si][ti])
					}
					seen[want[si][ti].Outcome]++
				}
			}
			if seen[rules.StatusMet] == 0 || seen[rules.StatusNotMet] == 0 || seen[rules.StatusUnknown] == 0 {
				t.Fatalf("%s: outcomes %v: the fixture does not exercise every outcome", asOf.Format(time.DateOnly), seen)
			}
			for ti, tier := range sc.Tiers {
				got := sc.Candidates(tier.Title, cultivation.Filter{}, cultivation.CandidatesAll)
				wantIDs, wantRev := fullRanking(subjects, want, ti, asOf)
				if len(got) != len(wantIDs) {
					t.Fatalf("%s %s: %d candidates, want %d", name, tier.Title, len(got), len(wantIDs))
				}
				for i := range got {
					if got[i].Subject.ID != wantIDs[i] || got[i].Revenue != wantRev[i] || got[i].Rank != i+1 {
						t.Fatalf("%s %s: candidate %d is firm %d (revenue %d), want %d (revenue %d)", name, tier.Title, i, got[i].Subject.ID, got[i].Revenue, wantIDs[i], wantRev[i])
					}
				}
			}
		}
	}
}

// fullVerdicts is the screening as computed before verdicts were kept
// compact: per firm and tier, the rule set chosen and evaluated with a
// fresh result, the leaves counted into a full Verdict.
func fullVerdicts(t *testing.T, reg *rules.Registry, subjects []cultivation.Subject, asOf time.Time) [][]cultivation.Verdict {
	t.Helper()
	out := make([][]cultivation.Verdict, len(subjects))
	for si := range subjects {
		s := &subjects[si]
		for _, tier := range cultivation.Tiers() {
			held := cultivation.Holds(s.Titles, tier.Title, asOf)
			v := cultivation.Verdict{Title: tier.Title, Held: held}
			rs, k, err := cultivation.Choose(reg, tier, held, asOf)
			if err != nil {
				v.Outcome = rules.StatusNotApplicable
				out[si] = append(out[si], v)
				continue
			}
			res, err := rs.Evaluate(s.Profile, rules.Context{AssessmentDate: asOf, Kind: k})
			if err != nil {
				t.Fatal(err)
			}
			v.RuleSetID, v.Kind, v.Outcome, v.Short = rs.ID(), k, res.Outcome, fullShortfall(res.Criteria)
			for _, n := range res.Nodes() {
				if n.Type() != "condition" {
					continue
				}
				switch n.Status {
				case rules.StatusMet:
					v.Met++
				case rules.StatusNotMet:
					v.NotMet++
				case rules.StatusUnknown:
					v.Unknown++
				case rules.StatusManual:
					v.Manual++
				}
			}
			out[si] = append(out[si], v)
		}
	}
	return out
}

// fullShortfall is the criteria that must change for n to be met, as the
// screening defines it (internal/cultivation's shortfall).
func fullShortfall(n *rules.Node) int {
	const unreachable = 1 << 20
	switch n.Status {
	case rules.StatusMet, rules.StatusManual, rules.StatusNotApplicable:
		return 0
	case rules.StatusUnknown:
		return unreachable
	}
	switch n.Type() {
	case "all_of", "banded":
		sum := 0
		for i := range n.Children {
			sum = min(unreachable, sum+fullShortfall(&n.Children[i]))
		}
		return max(sum, 1)
	case "any_of":
		best := unreachable
		for i := range n.Children {
			best = min(best, fullShortfall(&n.Children[i]))
		}
		return max(best, 1)
	}
	return 1
}

// fullRanking is tier ti's candidate order from full verdicts and
// profiles: qualifying (met, then manual) before near misses; fewer
// unknowns, more met, larger prior-year revenue, name, id.
func fullRanking(subjects []cultivation.Subject, verdicts [][]cultivation.Verdict, ti int, asOf time.Time) ([]int64, []unit.Fen) {
	rank := map[rules.Status]int{rules.StatusMet: 0, rules.StatusManual: 1, rules.StatusUnknown: 2, rules.StatusNotMet: 3}
	revenue := func(s *cultivation.Subject) unit.Fen {
		r, _ := s.Profile.OperatingRevenue.Get(asOf.Year() - 1)
		return unit.Fen(r)
	}
	var idx []int
	for si := range subjects {
		v := &verdicts[si][ti]
		if !v.Held && (cultivation.Qualifies(v.Outcome) || v.NearMiss()) {
			idx = append(idx, si)
		}
	}
	slices.SortFunc(idx, func(x, y int) int {
		a, b, sa, sb := &verdicts[x][ti], &verdicts[y][ti], &subjects[x], &subjects[y]
		return cmp.Or(cmp.Compare(rank[a.Outcome], rank[b.Outcome]), cmp.Compare(a.Unknown, b.Unknown), cmp.Compare(b.Met, a.Met),
			cmp.Compare(revenue(sb), revenue(sa)), cmp.Compare(sa.Name, sb.Name), cmp.Compare(sa.ID, sb.ID))
	})
	ids, revs := make([]int64, len(idx)), make([]unit.Fen, len(idx))
	for i, si := range idx {
		ids[i], revs[i] = subjects[si].ID, revenue(&subjects[si])
	}
	return ids, revs
}
