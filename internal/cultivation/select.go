package cultivation

import "github.com/industrybrain/ibrain/internal/unit"

// Select returns the screening restricted to the firms keep accepts, in
// the same order. A firm's verdicts depend only on its own data, so the
// restriction of a city-wide screening equals a screening of just those
// firms. A screening is read-only once built: the result is sc itself
// when keep accepts every firm, else a copy of the kept rows.
func (sc *Screening) Select(keep func(*Firm) bool) *Screening {
	var picked []int
	for i := range sc.firms {
		if keep(&sc.firms[i]) {
			picked = append(picked, i)
		}
	}
	if len(picked) == len(sc.firms) {
		return sc
	}
	out := sc.empty(len(picked))
	out.Generation, out.ReadAt = sc.Generation, sc.ReadAt
	for _, i := range picked {
		out.appendRow(sc, i)
	}
	return out
}

// empty returns a screening like sc (date, tiers, rule sets, query) with
// room for n firms and none in it.
func (sc *Screening) empty(n int) *Screening {
	return &Screening{AsOf: sc.AsOf, Tiers: sc.Tiers, RuleSets: sc.RuleSets, query: sc.query, choices: sc.choices,
		firms: make([]Firm, 0, n), revenue: make([]unit.Fen, 0, n), verdicts: make([]verdict, 0, n*len(sc.Tiers))}
}

// appendRow appends firm i of from, with its verdicts.
func (sc *Screening) appendRow(from *Screening, i int) {
	nt := len(from.Tiers)
	sc.firms = append(sc.firms, from.firms[i])
	sc.revenue = append(sc.revenue, from.revenue[i])
	sc.verdicts = append(sc.verdicts, from.verdicts[i*nt:(i+1)*nt]...)
}

// with returns sc brought up to date for the enterprises ids (sorted):
// their rows are replaced by fresh's, those missing from fresh dropped,
// new ones added, in id order. A firm's verdicts depend only on its own
// data, so the result equals screening every firm anew. fresh is a
// screening on the same date with the same rules (or empty); sc is
// unchanged (it may be being served).
func (sc *Screening) with(ids []int64, fresh *Screening) *Screening {
	out := sc.empty(len(sc.firms) + len(fresh.firms))
	i, j, k := 0, 0, 0 // into sc, fresh, ids
	for i < len(sc.firms) || j < len(fresh.firms) {
		if j < len(fresh.firms) && (i == len(sc.firms) || fresh.firms[j].ID <= sc.firms[i].ID) {
			if i < len(sc.firms) && fresh.firms[j].ID == sc.firms[i].ID {
				i++
			}
			out.appendRow(fresh, j)
			j++
			continue
		}
		id := sc.firms[i].ID
		for k < len(ids) && ids[k] < id {
			k++
		}
		if k == len(ids) || ids[k] != id { // unchanged
			out.appendRow(sc, i)
		}
		i++
	}
	return out
}
