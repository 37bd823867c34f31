package rules

import (
	"math"
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

	// For the text: the metric, which of its parts changes (−1: the metric
	// itself) and the bound it must meet.
	m    *metricDef
	part int8
	thr  int64
}

// label names the changed input.
func (ch *Change) label() Text {
	if ch.m == nil {
		return Text{}
	}
	if ch.part >= 0 && int(ch.part) < len(ch.m.parts) {
		return ch.m.parts[ch.part].label
	}
	return ch.m.label
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
		ch := Change{Unit: m.unit, Current: cur, Required: req, Delta: req - cur, m: m, part: -1, thr: thr}
		if part >= 0 && part < len(m.parts) {
			pd := &m.parts[part]
			ch.Input, ch.Unit, ch.part = pd.field, pd.unit, int8(part)
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
		return append(out, mk(-1, o.v, tgt))
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
		if o.have != 7 || !up || o.parts[1] <= 0 || o.parts[2] <= 0 {
			return out
		}
		m1, m2, m3 := o.parts[0], o.parts[1], o.parts[2]
		// (m1/m2 − 1 + m2/m3 − 1)/2 ≥ t/10⁴ ⇔ m1 ≥ m2·x / (10⁴·m3), x = m3·(10⁴+2t) − 10⁴·(m2−m3)
		x, ok1 := mul64(m3, 10000+2*tgt)
		y, ok2 := mul64(10000, m2-m3)
		d, ok3 := mul64(10000, m3)
		if !ok1 || !ok2 || !ok3 {
			return out
		}
		req := int64(0)
		if x-y > 0 {
			var ok bool
			if req, ok = mulDivCeil(m2, x-y, d); !ok {
				return out
			}
		}
		return append(out, mk(0, m1, req))
	case wiCAGR:
		if !has(0) || !has(1) || !up || 10000+tgt < 0 || o.parts[1] < 0 {
			return out
		}
		// R₀ ≥ Rₙ·(10⁴+t)ⁿ / 10⁴ⁿ, with (10⁴+t)ⁿ and 10⁴ⁿ in int64 for n ≤ 4.
		num, den := int64(1), int64(1)
		for range m.wiN {
			var ok bool
			if num, ok = mul64(num, 10000+tgt); !ok {
				return out
			}
			den *= 10000
		}
		req, ok := mulDivCeil(o.parts[1], num, den)
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

// mul64 multiplies and reports overflow.
func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// Bounds that keep the scorecard what-if on the stack; compile checks them.
const (
	maxCategories = 8
	maxIndicators = 32
)

// step is one possible indicator tier step in a scorecard.
type step struct {
	ind      int // node index of the indicator
	cat      int // category offset within the scorecard
	from, to int64
}

// scoreWhatIf finds, for a scorecard that is not met, the single-indicator
// tier steps that would reach the minimum (smallest gain first, at most 3);
// when no single step is enough, one greedy combination of steps. It works
// on floors, so a step it proposes meets the card whatever the missing data.
func scoreWhatIf(r *Result, si int, e *env) {
	ns := r.nodes
	sc := &ns[si]
	c := sc.c
	var raw [maxCategories]int64
	for k := 0; k < c.count; k++ {
		cn := &ns[c.first+k]
		for j := cn.c.first; j < cn.c.first+cn.c.count; j++ {
			raw[k] += ns[j].lo
		}
	}
	passes := func(extra *[maxCategories]int64) (int64, bool) {
		var total int64
		ok := true
		for k := 0; k < c.count; k++ {
			cc := ns[c.first+k].c
			v := raw[k] + extra[k]
			if cc.hasCap {
				v = min(v, cc.cap)
			}
			if cc.hasMin && v < cc.minimum {
				ok = false
			}
			total += v
		}
		return total, ok && total >= c.minimum
	}
	var opts [3]step
	nOpts := 0
	var tops [maxIndicators]step // each indicator's highest reachable step
	nTops := 0
	for k := 0; k < c.count; k++ {
		cn := &ns[c.first+k]
		for j := cn.c.first; j < cn.c.first+cn.c.count; j++ {
			in := &ns[j]
			if in.c.input || in.lo != in.hi || in.lo >= in.c.maxPts {
				continue
			}
			found := false
			for _, pts := range tierPointsAbove(in.c, in.lo) {
				if pts == 0 {
					break
				}
				if bestIndicatorChange(in.c, pts, e) == 0 {
					continue
				}
				st := step{ind: j, cat: k, from: in.lo, to: pts}
				var extra [maxCategories]int64
				extra[k] = pts - in.lo
				if _, ok := passes(&extra); ok && !found {
					found = true
					// Keep the 3 smallest gains, first found first on ties.
					pos := nOpts
					for pos > 0 && opts[min(pos, 3)-1].to-opts[min(pos, 3)-1].from > st.to-st.from {
						pos--
					}
					if pos < 3 {
						copy(opts[pos+1:], opts[pos:])
						opts[pos] = st
						nOpts = min(nOpts+1, 3)
					}
				}
				if nTops == 0 || tops[nTops-1].ind != j {
					tops[nTops] = st
					nTops++
				} else {
					tops[nTops-1] = st
				}
			}
		}
	}
	if nOpts > 0 {
		for _, o := range opts[:nOpts] {
			var extra [maxCategories]int64
			extra[o.cat] = o.to - o.from
			total, _ := passes(&extra)
			r.addScoreWhatIf(c, sc.lo, total, e, o)
		}
		return
	}
	// Greedy: take the biggest gains until the card passes.
	slices.SortStableFunc(tops[:nTops], func(a, b step) int { return cmpInt64(b.to-b.from, a.to-a.from) })
	var extra [maxCategories]int64
	for n := 0; n < nTops; n++ {
		extra[tops[n].cat] += tops[n].to - tops[n].from
		if total, ok := passes(&extra); ok {
			r.addScoreWhatIf(c, sc.lo, total, e, tops[:n+1]...)
			return
		}
	}
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// addScoreWhatIf records one scorecard what-if made of steps.
func (r *Result) addScoreWhatIf(c *crit, before, after int64, e *env, steps ...step) {
	start := len(r.changes)
	for _, st := range steps {
		from := len(r.changes)
		r.changes = indicatorChanges(r.changes, r.nodes[st.ind].c, st.to, e)
		for k := from; k < len(r.changes); k++ {
			r.changes[k].Indicator, r.changes[k].PointsFrom, r.changes[k].PointsTo = r.nodes[st.ind].c.id, st.from, st.to
		}
	}
	r.WhatIf = append(r.WhatIf, WhatIf{NodeID: c.id, Type: "score", Changes: r.changes[start:len(r.changes):len(r.changes)],
		PointsBefore: before, PointsAfter: after, Minimum: c.minimum, c: c})
}

// tierPointsAbove lists the distinct tier points above cur, ascending, in a
// fixed array (zero-terminated when shorter).
func tierPointsAbove(c *crit, cur int64) [16]int64 {
	var out [16]int64
	n := 0
	for _, b := range c.bases {
		for _, tr := range b.tiers {
			if tr.pts <= cur || n == len(out) {
				continue
			}
			dup := false
			for _, x := range out[:n] {
				dup = dup || x == tr.pts
			}
			if !dup {
				out[n] = tr.pts
				n++
			}
		}
	}
	slices.Sort(out[:n])
	return out
}

// indicatorChanges appends the cheapest input change that lifts indicator c
// to pts points.
func indicatorChanges(out []Change, c *crit, pts int64, e *env) []Change {
	n := bestIndicatorChange(c, pts, e)
	return append(out, e.best[:n]...)
}

// bestIndicatorChange puts into e.best the cheapest change that lifts
// indicator c to pts points, over its bases (the smallest relative change
// wins), and returns how many changes it needs (0: none possible).
func bestIndicatorChange(c *crit, pts int64, e *env) int {
	best, cand := &e.best, &e.cand
	nBest := 0
	bestCost := math.Inf(1)
	for b := range c.bases {
		bs := &c.bases[b]
		if bs.m.wi == wiNone || bs.m.unit == UnitBool {
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
		o := &e.tmp
		*o = obs{}
		bs.fn(e, o)
		if !o.known || o.lower {
			continue
		}
		op, incl := opMin, true
		if bs.lower {
			op, incl = opMax, bs.upIncl
		}
		ch := inverse(cand[:0], bs.m, o, op, incl, bs.tiers[ti].bound, e.year)
		if len(ch) == 0 {
			continue
		}
		cost := 0.0
		for _, x := range ch {
			cost += math.Abs(float64(x.Delta)) / math.Max(math.Abs(float64(x.Current)), 1)
		}
		if cost < bestCost {
			nBest = copy(best[:], ch)
			bestCost = cost
		}
	}
	return nBest
}
