package rules

import (
	"math"
	"math/big"
	"slices"
)

// WhatIf is one way to meet a criterion that is not met: the smallest change
// of the inputs the enterprise controls, in the inputs' own units.
type WhatIf struct {
	NodeID  string   `json:"node_id"`
	Type    string   `json:"type"` // "condition" or "score"
	Changes []Change `json:"changes"`
	// Score what-ifs: the total before and after the change, and the
	// minimum it must reach (centipoints).
	PointsBefore int64 `json:"points_before,omitempty"`
	PointsAfter  int64 `json:"points_after,omitempty"`
	Minimum      int64 `json:"minimum,omitempty"`

	c *crit
}

// Change is one input change.
type Change struct {
	Input    string `json:"input"`          // Profile JSON field, e.g. "rd_expense_fen"
	Year     int    `json:"year,omitempty"` // for yearly inputs
	Unit     Unit   `json:"unit"`
	Current  int64  `json:"current"`
	Required int64  `json:"required"`
	Delta    int64  `json:"delta"`
	// Score steps: the indicator and its points before and after.
	Indicator  string `json:"indicator,omitempty"`
	PointsFrom int64  `json:"points_from,omitempty"`
	PointsTo   int64  `json:"points_to,omitempty"`

	label  Text
	levels []Text
	// the condition the change meets, for the text
	m    *metricDef
	op   opKind
	incl bool
	thr  int64
}

// collectWhatIf walks the criteria that are not met and records what would
// meet them. Met branches are skipped: an any_of that is met needs nothing.
func collectWhatIf(r *Result, i int, e *env) {
	n := &r.nodes[i]
	if n.Status == StatusMet || n.Status == StatusNotApplicable {
		return
	}
	c := n.c
	switch c.typ {
	case ntCond:
		if n.Status != StatusNotMet || c.op == opTrue || c.op == opFalse || n.o.lower {
			return
		}
		start := len(r.changes)
		r.changes = inverse(r.changes, c.m, &n.o, c.op, c.incl, c.thr, e.year)
		if len(r.changes) > start {
			r.WhatIf = append(r.WhatIf, WhatIf{NodeID: c.id, Type: "condition", Changes: r.changes[start:len(r.changes):len(r.changes)], c: c})
		}
	case ntScore:
		if n.Status == StatusNotMet {
			scoreWhatIf(r, i, e)
		}
	default:
		for k := c.first; k < c.first+c.count; k++ {
			collectWhatIf(r, k, e)
		}
	}
}

// inverse appends the changes that bring metric m (observed as o) to meet
// "op thr". Exact to one base unit: a strict bound is met by thr ± 1.
func inverse(out []Change, m *metricDef, o *obs, op opKind, incl bool, thr int64, year int) []Change {
	tgt := thr
	if !incl {
		if op == opMin {
			tgt++
		} else {
			tgt--
		}
	}
	up := op == opMin
	mk := func(part int, cur, req int64) Change {
		ch := Change{Unit: m.unit, Current: cur, Required: req, Delta: req - cur, label: m.label, m: m, op: op, incl: incl, thr: thr}
		if part >= 0 && part < len(m.parts) {
			pd := &m.parts[part]
			ch.Input, ch.Unit, ch.label = pd.field, pd.unit, pd.label
			if pd.yoff > 0 {
				ch.Year = year - pd.yoff
			}
		} else {
			ch.Input = m.name
		}
		return ch
	}
	has := func(k int) bool { return o.have&(1<<k) != 0 }
	switch m.wi {
	case wiDirect:
		ch := mk(0, o.v, tgt)
		if len(m.parts) == 0 {
			ch = mk(-1, o.v, tgt)
		}
		if m.unit == UnitRank && o.v == rankNone {
			ch.Delta = 0
		}
		return append(out, ch)
	case wiLevel:
		ch := mk(-1, o.v, tgt)
		ch.levels = m.levels
		return append(out, ch)
	case wiNumerator:
		if !has(0) || !has(1) || o.parts[1] <= 0 {
			return out
		}
		req, ok := ratioNeed(tgt, o.parts[1], up)
		if !ok {
			return out
		}
		return append(out, mk(0, o.parts[0], req))
	case wiPartOfWhole:
		if !has(0) || !has(1) {
			return out
		}
		part, rest := o.parts[0], o.parts[1]-o.parts[0]
		if tgt >= 10000 {
			if rest > 0 || !up {
				return out // 100 % cannot be reached while other items remain
			}
			return append(out, mk(0, part, max(part, 1)))
		}
		var req int64
		var ok bool
		if up {
			req, ok = mulDivCeil(max(tgt, 0), rest, 10000-tgt)
		} else {
			req, ok = divFloor(max(tgt, 0), rest, 10000-tgt).v, true
		}
		if !ok {
			return out
		}
		return append(out, mk(0, part, req))
	case wiGrowth1:
		if !has(0) || !has(1) || !up {
			return out
		}
		req, ok := mulDivCeil(o.parts[1], 10000+tgt, 10000)
		if !ok {
			return out
		}
		return append(out, mk(0, o.parts[0], req))
	case wiAvgGrowth2:
		if o.have != 7 || !up || o.parts[2] <= 0 {
			return out
		}
		m1, m2, m3 := o.parts[0], o.parts[1], o.parts[2]
		// (m1/m2 − 1 + m2/m3 − 1)/2 ≥ t/10⁴ ⇔ m1 ≥ m2·(m3·(10⁴+2t) − 10⁴·(m2−m3)) / (10⁴·m3)
		a := new(big.Int).Mul(big.NewInt(m3), big.NewInt(10000+2*tgt))
		a.Sub(a, new(big.Int).Mul(big.NewInt(10000), big.NewInt(m2-m3)))
		a.Mul(a, big.NewInt(m2))
		req, ok := bigCeilDiv(a, new(big.Int).Mul(big.NewInt(10000), big.NewInt(m3)))
		if !ok {
			return out
		}
		return append(out, mk(0, m1, max(req, 0)))
	case wiCAGR:
		if !has(0) || !has(1) || !up || 10000+tgt < 0 {
			return out
		}
		n := big.NewInt(m.wiN)
		a := new(big.Int).Mul(big.NewInt(o.parts[1]), new(big.Int).Exp(big.NewInt(10000+tgt), n, nil))
		req, ok := bigCeilDiv(a, new(big.Int).Exp(big.NewInt(10000), n, nil))
		if !ok {
			return out
		}
		return append(out, mk(0, o.parts[0], req))
	case wiMin2Direct:
		for k := range 2 {
			if has(k) && ((up && o.parts[k] < tgt) || (!up && o.parts[k] > tgt)) {
				out = append(out, mk(k, o.parts[k], tgt))
			}
		}
		return out
	case wiMin2Ratio:
		for k := range 2 {
			num, den := o.parts[2*k], o.parts[2*k+1]
			if !has(2*k) || !has(2*k+1) || den <= 0 {
				continue
			}
			if r := divFloor(num, 10000, den); cmpNum(r, tgt) < 0 {
				if req, ok := ratioNeed(tgt, den, true); ok {
					out = append(out, mk(2*k, num, req))
				}
			}
		}
		return out
	case wiSum:
		if !up {
			return out
		}
		var others int64
		for k := 1; k < len(m.parts); k++ {
			if !has(k) {
				return out
			}
			others += o.parts[k]
		}
		if !has(0) || tgt > math.MaxInt64/max(m.wiN, 1) {
			return out
		}
		return append(out, mk(0, o.parts[0], tgt*m.wiN-others))
	}
	return out
}

// ratioNeed returns the numerator that makes num/den reach tgt basis points
// (at least when up, at most otherwise).
func ratioNeed(tgt, den int64, up bool) (int64, bool) {
	if up {
		if tgt <= 0 {
			return 0, true
		}
		return mulDivCeil(tgt, den, 10000)
	}
	return divFloor(tgt, den, 10000).v, true
}

func bigCeilDiv(a, b *big.Int) (int64, bool) {
	q, r := new(big.Int).QuoRem(a, b, new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

// step is one possible indicator tier step in a scorecard.
type step struct {
	ind      int // node index of the indicator
	cat      int // node index of its category
	from, to int64
	changes  []Change
}

// scoreWhatIf finds, for a scorecard that is not met, the single-indicator
// tier steps that would reach the minimum (smallest gain first, at most 3);
// when no single step is enough, one greedy combination of steps.
func scoreWhatIf(r *Result, si int, e *env) {
	ns := r.nodes
	sc := &ns[si]
	c := sc.c
	// Category floors without the cap, so a step can be re-added.
	passes := func(changeCat int, delta int64, extra map[int]int64) (int64, bool) {
		var total int64
		ok := true
		for k := c.first; k < c.first+c.count; k++ {
			cn := &ns[k]
			var raw int64
			for j := cn.c.first; j < cn.c.first+cn.c.count; j++ {
				raw += ns[j].lo
			}
			if k == changeCat {
				raw += delta
			}
			raw += extra[k]
			if cn.c.hasCap {
				raw = min(raw, cn.c.cap)
			}
			if cn.c.hasMin && raw < cn.c.minimum {
				ok = false
			}
			total += raw
		}
		return total, ok && total >= c.minimum
	}
	var options []step
	var all []step // the best step of each indicator, for the greedy fallback
	for k := c.first; k < c.first+c.count; k++ {
		cn := &ns[k]
		for j := cn.c.first; j < cn.c.first+cn.c.count; j++ {
			in := &ns[j]
			if in.c.input || in.lo != in.hi || in.lo >= in.c.maxPts {
				continue
			}
			found := false
			for _, pts := range tierPointsAbove(in.c, in.lo) {
				changes := indicatorChanges(in.c, pts, e)
				if changes == nil {
					continue
				}
				st := step{ind: j, cat: k, from: in.lo, to: pts, changes: changes}
				if _, ok := passes(k, pts-in.lo, nil); ok && !found {
					options = append(options, st)
					found = true
				}
				if len(all) == 0 || all[len(all)-1].ind != j {
					all = append(all, st)
				} else {
					all[len(all)-1] = st // keep the highest step
				}
			}
		}
	}
	if len(options) > 0 {
		slices.SortStableFunc(options, func(a, b step) int { return int((a.to - a.from) - (b.to - b.from)) })
		for _, o := range options[:min(3, len(options))] {
			total, _ := passes(o.cat, o.to-o.from, nil)
			r.addScoreWhatIf(c, sc.lo, total, o)
		}
		return
	}
	// Greedy: take the biggest gains until the card passes.
	slices.SortStableFunc(all, func(a, b step) int { return int((b.to - b.from) - (a.to - a.from)) })
	extra := map[int]int64{}
	for n := range all {
		extra[all[n].cat] += all[n].to - all[n].from
		if total, ok := passes(-1, 0, extra); ok {
			start := len(r.changes)
			for _, st := range all[:n+1] {
				r.changes = appendStep(r.changes, st)
			}
			r.WhatIf = append(r.WhatIf, WhatIf{NodeID: c.id, Type: "score", Changes: r.changes[start:len(r.changes):len(r.changes)],
				PointsBefore: sc.lo, PointsAfter: total, Minimum: c.minimum, c: c})
			return
		}
	}
}

func appendStep(out []Change, st step) []Change {
	for _, ch := range st.changes {
		ch.Indicator, ch.PointsFrom, ch.PointsTo = "", st.from, st.to
		out = append(out, ch)
	}
	return out
}

func (r *Result) addScoreWhatIf(c *crit, before, after int64, st step) {
	start := len(r.changes)
	r.changes = appendStep(r.changes, st)
	for k := start; k < len(r.changes); k++ {
		r.changes[k].Indicator = r.nodes[st.ind].c.id
	}
	r.WhatIf = append(r.WhatIf, WhatIf{NodeID: c.id, Type: "score", Changes: r.changes[start:len(r.changes):len(r.changes)],
		PointsBefore: before, PointsAfter: after, Minimum: c.minimum, c: c})
}

// tierPointsAbove lists the distinct tier points above cur, ascending.
func tierPointsAbove(c *crit, cur int64) []int64 {
	var out []int64
	for _, b := range c.bases {
		for _, tr := range b.tiers {
			if tr.pts > cur && !slices.Contains(out, tr.pts) {
				out = append(out, tr.pts)
			}
		}
	}
	slices.Sort(out)
	return out
}

// indicatorChanges returns the cheapest input change that lifts indicator c
// to pts points, over its bases (the smallest relative change wins).
func indicatorChanges(c *crit, pts int64, e *env) []Change {
	var best []Change
	bestCost := math.Inf(1)
	for b := range c.bases {
		bs := &c.bases[b]
		if bs.m.wi == wiNone {
			continue
		}
		// The lowest tier of this base that scores at least pts.
		ti := -1
		for k, tr := range bs.tiers {
			if tr.pts >= pts {
				ti = k
			}
		}
		if ti < 0 {
			continue
		}
		var o obs
		bs.fn(e, &o)
		if !o.known || o.lower {
			continue
		}
		op, incl := opMin, true
		if bs.lower {
			op, incl = opMax, bs.upIncl
		}
		if bs.m.unit == UnitBool {
			continue
		}
		ch := inverse(nil, bs.m, &o, op, incl, bs.tiers[ti].bound, e.year)
		if len(ch) == 0 {
			continue
		}
		cost := 0.0
		for _, x := range ch {
			cost += math.Abs(float64(x.Delta)) / math.Max(math.Abs(float64(x.Current)), 1)
		}
		if cost < bestCost {
			best, bestCost = ch, cost
		}
	}
	return best
}
