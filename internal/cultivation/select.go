package cultivation

// Select returns the screening restricted to the subjects keep accepts, in
// the same order. A subject's verdicts depend only on its own data, so the
// restriction of a city-wide screening equals a screening of just those
// subjects. A screening is read-only once built: the result shares verdict
// rows with sc, and is sc itself when keep accepts every subject.
func (sc *Screening) Select(keep func(*Subject) bool) *Screening {
	var picked []int
	for i := range sc.Subjects {
		if keep(&sc.Subjects[i]) {
			picked = append(picked, i)
		}
	}
	if len(picked) == len(sc.Subjects) {
		return sc
	}
	out := &Screening{AsOf: sc.AsOf, Tiers: sc.Tiers, RuleSets: sc.RuleSets,
		Subjects: make([]Subject, len(picked)), Verdicts: make([][]Verdict, len(picked))}
	for j, i := range picked {
		out.Subjects[j], out.Verdicts[j] = sc.Subjects[i], sc.Verdicts[i]
	}
	return out
}
