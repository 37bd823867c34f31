package cultivation

import "sync"

// funnelCache is a screening's funnel counts per (district, cluster),
// counted in one pass over the subjects on first use: a screening is
// read-only once built, and the funnel of any filter is a sum of these
// groups (a few hundred), where counting the verdicts again cost a pass
// over every firm of the city per request (~13 ms of CPU at ten times the
// demo).
type funnelCache struct {
	once   sync.Once
	groups []funnelGroup
}

// funnelGroup is the funnel of the subjects of one district and cluster.
type funnelGroup struct {
	region, cluster string
	steps           []Step // per tier
}

func (g *funnelGroup) matches(f Filter) bool {
	return (f.RegionCode == "" || g.region == f.RegionCode) && (f.ClusterCode == "" || g.cluster == f.ClusterCode)
}

func (sc *Screening) funnelGroups() []funnelGroup {
	sc.funnel.once.Do(func() {
		index := map[[2]string]int{}
		for si, s := range sc.Subjects {
			key := [2]string{s.RegionCode, s.ClusterCode}
			gi, ok := index[key]
			if !ok {
				gi = len(sc.funnel.groups)
				index[key] = gi
				sc.funnel.groups = append(sc.funnel.groups, funnelGroup{region: s.RegionCode, cluster: s.ClusterCode, steps: make([]Step, len(sc.Tiers))})
			}
			steps := sc.funnel.groups[gi].steps
			for ti := range sc.Tiers {
				steps[ti].count(&sc.Verdicts[si][ti])
			}
		}
	})
	return sc.funnel.groups
}

// add adds another step's counts.
func (st *Step) add(o *Step) {
	st.Holders += o.Holders
	st.PassReview += o.PassReview
	st.FailReview += o.FailReview
	st.Qualifying += o.Qualifying
	st.NearMiss += o.NearMiss
	st.Unknown += o.Unknown
	st.Screened += o.Screened
}
