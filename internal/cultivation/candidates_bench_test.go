package cultivation

import (
	"fmt"
	"testing"

	"github.com/industrybrain/ibrain/internal/rules"
)

// BenchmarkCandidates is one candidate-list request against a cached
// city-wide screening of the 10× demo's size (90,000 firms): the ranked
// list of one title, all statuses, city-wide and for one district, page 3
// of 20 as the API serves it:
// go test -run '^$' -bench Candidates -benchtime 200x ./internal/cultivation/.
func BenchmarkCandidates(b *testing.B) {
	sc := syntheticScreening(90_000)
	title := sc.Tiers[1].Title
	for _, f := range []struct {
		name   string
		filter Filter
	}{{"city", Filter{}}, {"district", Filter{RegionCode: "500107"}}} {
		b.Run(f.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				// What the API does for page 3 of 20.
				page, total := sc.CandidatesPage(title, f.filter, CandidatesAll, 40, 20)
				n = total + len(page)
			}
			if n == 0 {
				b.Fatal("no candidates")
			}
		})
	}
}

// TestCandidatesPageIsASliceOfTheList: every page of CandidatesPage is the
// same slice of Candidates (ranks included), and its total the list's
// length, for each status and filter, including pages past the end.
func TestCandidatesPageIsASliceOfTheList(t *testing.T) {
	sc := syntheticScreening(3_000)
	for _, title := range []int{0, 1, 3} {
		for _, st := range []CandidateStatus{CandidatesAll, CandidatesQualifying, CandidatesNear} {
			for _, f := range []Filter{{}, {RegionCode: "500107"}} {
				all := sc.Candidates(sc.Tiers[title].Title, f, st)
				if len(all) == 0 {
					t.Fatalf("tier %d %s %v: no candidates; the fixture proves nothing", title, st, f)
				}
				for _, off := range []int{0, 7, len(all) - 1, len(all), len(all) + 5} {
					page, total := sc.CandidatesPage(sc.Tiers[title].Title, f, st, off, 20)
					want := all[min(off, len(all)):min(off+20, len(all))]
					if total != len(all) || len(page) != len(want) {
						t.Fatalf("tier %d %s %v offset %d: %d of %d, want %d of %d", title, st, f, off, len(page), total, len(want), len(all))
					}
					for i := range page {
						if page[i].Rank != want[i].Rank || page[i].Subject != want[i].Subject || page[i].Verdict != want[i].Verdict {
							t.Fatalf("tier %d %s %v offset %d: item %d differs", title, st, f, off, i)
						}
					}
				}
			}
		}
	}
}

// syntheticScreening is a screening of firms made-up verdicts: one in
// seven meets each tier, one in five misses by one criterion.
func syntheticScreening(firms int) *Screening {
	tiers := Tiers()
	sc := &Screening{Tiers: tiers, choices: make([][2]choice, len(tiers))}
	for i := range firms {
		sc.firms = append(sc.firms, Firm{ID: int64(i + 1), Name: fmt.Sprintf("firm %06d", (i*7919)%firms), RegionCode: fmt.Sprintf("5001%02d", i%38)})
		sc.revenue = append(sc.revenue, 0)
		for t := range tiers {
			v := verdict{outcome: rules.StatusNotMet, short: 3, met: uint16(i % 9), unknown: uint16(i % 3)}
			switch {
			case (i+t)%7 == 0:
				v.outcome, v.short = rules.StatusMet, 0
			case (i+t)%5 == 0:
				v.short = 1
			}
			sc.verdicts = append(sc.verdicts, v)
		}
	}
	return sc
}
