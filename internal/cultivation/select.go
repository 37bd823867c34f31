package cultivation

// Select returns the screening restricted to the subjects keep accepts, in
// the same order. A subject's verdicts depend only on its own data, so the
// restriction of a city-wide screening equals a screening of just those
// subjects. A screening is read-only once built: the result shares verdict
// rows with sc, and is sc itself when keep accepts every subject.
func (sc *Screening) Select(keep func(*Subject) bool) *Screening {
	var picked []int
	for i := range sc.Subjects {
		if keep(sc.Subjects[i]) {
			picked = append(picked, i)
		}
	}
	if len(picked) == len(sc.Subjects) {
		return sc
	}
	out := &Screening{AsOf: sc.AsOf, Tiers: sc.Tiers, RuleSets: sc.RuleSets, Generation: sc.Generation, ReadAt: sc.ReadAt, query: sc.query,
		Subjects: make([]*Subject, len(picked)), Verdicts: make([][]Verdict, len(picked))}
	for j, i := range picked {
		out.Subjects[j], out.Verdicts[j] = sc.Subjects[i], sc.Verdicts[i]
	}
	return out
}

// with returns sc brought up to date for the enterprises ids (sorted):
// their subjects and verdicts are replaced by fresh's, those missing from
// fresh dropped, new ones added, in id order. A subject's verdicts depend
// only on its own data, so the result equals screening every subject
// anew. sc is unchanged (it may be being served); the result shares the
// unchanged subjects and verdict rows with it.
func (sc *Screening) with(ids []int64, fresh *Screening) *Screening {
	out := &Screening{AsOf: sc.AsOf, Tiers: sc.Tiers, RuleSets: sc.RuleSets, query: sc.query,
		Subjects: make([]*Subject, 0, len(sc.Subjects)+len(fresh.Subjects)),
		Verdicts: make([][]Verdict, 0, len(sc.Subjects)+len(fresh.Subjects))}
	i, j, k := 0, 0, 0 // into sc, fresh, ids
	for i < len(sc.Subjects) || j < len(fresh.Subjects) {
		if j < len(fresh.Subjects) && (i == len(sc.Subjects) || fresh.Subjects[j].ID <= sc.Subjects[i].ID) {
			if i < len(sc.Subjects) && fresh.Subjects[j].ID == sc.Subjects[i].ID {
				i++
			}
			out.Subjects, out.Verdicts = append(out.Subjects, fresh.Subjects[j]), append(out.Verdicts, fresh.Verdicts[j])
			j++
			continue
		}
		id := sc.Subjects[i].ID
		for k < len(ids) && ids[k] < id {
			k++
		}
		if k == len(ids) || ids[k] != id { // unchanged
			out.Subjects, out.Verdicts = append(out.Subjects, sc.Subjects[i]), append(out.Verdicts, sc.Verdicts[i])
		}
		i++
	}
	return out
}
