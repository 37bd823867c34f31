package cultivation

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/rules"
)

// The funnel is added up from per-district-and-cluster counts; for every
// filter it must equal counting the matching subjects' verdicts one by one.
func TestFunnelGroupsEqualCountingEverySubject(t *testing.T) {
	var subjects []Subject
	id := int64(0)
	for _, region := range []string{"500101", "500103", "500104"} {
		for _, cluster := range []string{"C1", "C2"} {
			for _, s := range gazelleSubjects() {
				id++
				s.ID, s.RegionCode, s.ClusterCode = id, region, cluster
				subjects = append(subjects, s)
			}
		}
	}
	subjects = subjects[:len(subjects)-2] // groups of unequal size
	sc, err := Screen(registry(t), subjects, asOf)
	if err != nil {
		t.Fatal(err)
	}
	filters := []Filter{{}, {RegionCode: "500101"}, {RegionCode: "500104"}, {ClusterCode: "C2"},
		{RegionCode: "500103", ClusterCode: "C1"}, {RegionCode: "500104", ClusterCode: "C2"}, {RegionCode: "500199"}}
	nonzero := 0
	for _, f := range filters {
		got := sc.Funnel(f)
		for ti := range sc.Tiers {
			want := Step{Tier: sc.Tiers[ti]}
			for si, s := range sc.Subjects {
				if f.RegionCode != "" && s.RegionCode != f.RegionCode || f.ClusterCode != "" && s.ClusterCode != f.ClusterCode {
					continue
				}
				v := sc.Verdicts[si][ti]
				want.Screened++
				met := v.Outcome == rules.StatusMet || v.Outcome == rules.StatusManual
				if v.Held {
					want.Holders++
					if met {
						want.PassReview++
					}
					if v.Outcome == rules.StatusNotMet {
						want.FailReview++
					}
					continue
				}
				switch {
				case met:
					want.Qualifying++
				case v.Outcome == rules.StatusNotMet && v.Short == 1:
					want.NearMiss++
				case v.Outcome == rules.StatusUnknown:
					want.Unknown++
				}
			}
			if got[ti] != want {
				t.Errorf("filter %+v, %s: %+v, want %+v", f, sc.Tiers[ti].Title, got[ti], want)
			}
			nonzero += want.Holders + want.Qualifying + want.NearMiss + want.Unknown
		}
	}
	if nonzero == 0 {
		t.Fatal("every count is zero: the subjects test nothing")
	}
}
