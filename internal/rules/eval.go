package rules

import (
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// Status is the tri-state (plus manual) outcome of a criterion.
type Status uint8

// Statuses. NotApplicable marks the bands a banded rule did not select.
const (
	StatusNotApplicable Status = iota
	StatusMet
	StatusNotMet
	StatusUnknown // data missing
	StatusManual  // cannot be decided from data; needs manual review
)

func (s Status) String() string {
	switch s {
	case StatusMet:
		return "met"
	case StatusNotMet:
		return "not_met"
	case StatusUnknown:
		return "unknown"
	case StatusManual:
		return "manual_review"
	}
	return "not_applicable"
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Text returns the status in both languages.
func (s Status) Text() Text { return lbl("status." + s.String()) }

// Context is what an evaluation depends on besides the profile.
type Context struct {
	AssessmentDate time.Time
	Kind           Kind
}

// Node is one evaluated criterion; the tree mirrors the rule set's criteria.
// Static facts (id, label, threshold) come from the compiled rule; the
// explanation is rendered on demand so batch screening does not format text.
type Node struct {
	c        *crit
	Status   Status
	o        obs
	lo, hi   int64 // points (score, category, indicator); lo = selected band (banded)
	base     int8  // indicator: the base that gave the points
	year     int32 // assessment year, for year labels
	Children []Node
}

// Result is the evaluation of one profile against one rule set.
type Result struct {
	RuleSet        *RuleSetInfo
	Kind           Kind
	AssessmentDate Date
	Outcome        Status
	Criteria       *Node
	WhatIf         []WhatIf

	nodes    []Node
	changes  []Change
	tree     *tree
	env      env // kept here so metric calls through func values do not move it to the heap
	lastDate time.Time
}

// Find returns the node with id, or nil.
func (r *Result) Find(id string) *Node {
	for i := range r.nodes {
		if r.nodes[i].c.id == id {
			return &r.nodes[i]
		}
	}
	return nil
}

// Nodes returns every node in breadth-first order.
func (r *Result) Nodes() []Node { return r.nodes }

// Evaluate judges p by the rule set for ctx.Kind on ctx.AssessmentDate. The
// rule set need not be in force on that date (to compare versions); use
// Registry.Select to pick the one that is.
func (rs *RuleSet) Evaluate(p Profile, ctx Context) (Result, error) {
	var r Result
	err := rs.EvaluateInto(&p, ctx, &r)
	return r, err
}

// EvaluateInto is Evaluate writing into dst, reusing its memory when dst
// last held a result of the same rule set and kind: a batch over many
// profiles then allocates nothing. dst must not be shared between
// goroutines; p is only read.
func (rs *RuleSet) EvaluateInto(p *Profile, ctx Context, dst *Result) error {
	ki := ctx.Kind.index()
	if ki < 0 || rs.trees[ki] == nil {
		return apperr.Wrap(&NotFoundError{ID: rs.info.ID, Kind: ctx.Kind}, apperr.Invalid, MsgKindUnsupported)
	}
	if ctx.AssessmentDate.IsZero() {
		return apperr.New(apperr.Invalid, MsgNoDate)
	}
	t := rs.trees[ki]
	if dst.tree != t || len(dst.nodes) != len(t.crits) {
		dst.nodes = make([]Node, len(t.crits))
		for i := range t.crits {
			c := &t.crits[i]
			dst.nodes[i].c = c
			dst.nodes[i].Children = dst.nodes[c.first : c.first+c.count : c.first+c.count]
		}
		dst.tree = t
		dst.changes = dst.changes[:0]
	}
	d := dst.env.date
	if !ctx.AssessmentDate.Equal(dst.lastDate) {
		d = NewDate(ctx.AssessmentDate) // calendar arithmetic once per date, not per profile
		dst.lastDate = ctx.AssessmentDate
	}
	dst.env.p, dst.env.date, dst.env.year, dst.env.y1 = p, d, d.Year(), d.Year()-1
	e := &dst.env
	dst.RuleSet, dst.Kind, dst.AssessmentDate = &rs.info, ctx.Kind, d
	dst.Criteria = &dst.nodes[0]
	dst.Outcome = evalNode(dst.nodes, 0, e)
	dst.WhatIf = dst.WhatIf[:0]
	dst.changes = dst.changes[:0]
	collectWhatIf(dst, 0, e)
	dst.env.p = nil // do not keep the caller's profile alive
	return nil
}

// evalNode evaluates node i and its subtree.
func evalNode(ns []Node, i int, e *env) Status {
	n := &ns[i]
	c := n.c
	n.year = int32(e.year)
	switch c.typ {
	case ntAllOf, ntAnyOf:
		var met, notMet, unknown, manual int
		for k := c.first; k < c.first+c.count; k++ {
			switch evalNode(ns, k, e) {
			case StatusMet:
				met++
			case StatusNotMet:
				notMet++
			case StatusUnknown:
				unknown++
			case StatusManual:
				manual++
			}
		}
		n.lo = int64(met)
		n.Status = combine(c.typ == ntAllOf, met, notMet, unknown, manual)
	case ntCond:
		n.o = obs{}
		c.fn(e, &n.o)
		n.Status = judge(c, &n.o)
	case ntManual:
		n.Status = StatusManual
	case ntBanded:
		n.o = obs{}
		c.fn(e, &n.o)
		sel := -1
		if n.o.known && !n.o.lower {
			for b, band := range c.bands {
				if !band.has || cmpNum(n.o.num, band.min) > 0 || (band.incl && cmpNum(n.o.num, band.min) == 0) {
					sel = b
					break
				}
			}
		}
		n.lo = int64(sel)
		for b := range c.count {
			if b == sel {
				n.Status = evalNode(ns, c.first+b, e)
			} else {
				markNA(ns, c.first+b)
			}
		}
		if sel < 0 {
			n.Status = StatusUnknown
		}
	case ntScore:
		evalScore(ns, i, e)
	}
	return n.Status
}

// combine applies the tri-state logic: for all_of any not met decides, for
// any_of any met decides; otherwise missing data outranks manual review.
func combine(all bool, met, notMet, unknown, manual int) Status {
	if all {
		switch {
		case notMet > 0:
			return StatusNotMet
		case unknown > 0:
			return StatusUnknown
		case manual > 0:
			return StatusManual
		}
		return StatusMet
	}
	switch {
	case met > 0:
		return StatusMet
	case unknown > 0:
		return StatusUnknown
	case manual > 0:
		return StatusManual
	}
	return StatusNotMet
}

func markNA(ns []Node, i int) {
	n := &ns[i]
	n.Status, n.o, n.lo, n.hi = StatusNotApplicable, obs{}, 0, 0
	for k := n.c.first; k < n.c.first+n.c.count; k++ {
		markNA(ns, k)
	}
}

// judge compares an observation with a condition's threshold.
func judge(c *crit, o *obs) Status {
	if !o.known {
		return StatusUnknown
	}
	var ok bool
	switch c.op {
	case opTrue:
		ok = o.v == 1
	case opFalse:
		ok = o.v == 0
	case opMin:
		k := cmpNum(o.num, c.thr)
		ok = k > 0 || (k == 0 && c.incl)
		if !ok && o.lower {
			return StatusUnknown // the true value may be higher
		}
	case opMax:
		k := cmpNum(o.num, c.thr)
		ok = k < 0 || (k == 0 && c.incl)
		if ok && o.lower {
			return StatusUnknown // the true value may be higher
		}
	}
	if ok {
		return StatusMet
	}
	return StatusNotMet
}

// tierPoints scores x on base b.
func (b *baseC) tierPoints(x num, elsePts int64) int64 {
	for _, tr := range b.tiers {
		k := cmpNum(x, tr.bound)
		if (!b.lower && k >= 0) || (b.lower && (k < 0 || (k == 0 && b.upIncl))) {
			return tr.pts
		}
	}
	return elsePts
}

// evalScore scores a scorecard as intervals [lo, hi]: missing data leaves an
// indicator anywhere between its floor and its maximum, so the card is met
// only if it passes at the floor and not met only if it fails at the top.
func evalScore(ns []Node, i int, e *env) {
	n := &ns[i]
	c := n.c
	n.year = int32(e.year)
	var lo, hi int64
	catFail, catOpen := false, false
	unknown := false
	for k := c.first; k < c.first+c.count; k++ {
		cn := &ns[k]
		cc := cn.c
		cn.year = int32(e.year)
		var clo, chi int64
		cUnknown := false
		for j := cc.first; j < cc.first+cc.count; j++ {
			in := &ns[j]
			evalIndicator(in, e)
			clo += in.lo
			chi += in.hi
			if in.Status == StatusUnknown {
				cUnknown = true
			}
		}
		if cc.hasCap {
			clo, chi = min(clo, cc.cap), min(chi, cc.cap)
		}
		cn.lo, cn.hi = clo, chi
		switch {
		case cc.hasMin && chi < cc.minimum:
			cn.Status, catFail = StatusNotMet, true
		case cc.hasMin && clo >= cc.minimum, !cc.hasMin && clo == chi:
			cn.Status = StatusMet
		case cUnknown:
			cn.Status = StatusUnknown
		default:
			cn.Status = StatusManual
		}
		if cc.hasMin && clo < cc.minimum && chi >= cc.minimum {
			catOpen = true
		}
		unknown = unknown || cUnknown
		lo += clo
		hi += chi
	}
	n.lo, n.hi = lo, hi
	switch {
	case catFail || hi < c.minimum:
		n.Status = StatusNotMet
	case lo >= c.minimum && !catOpen:
		n.Status = StatusMet
	case unknown:
		n.Status = StatusUnknown
	default:
		n.Status = StatusManual
	}
}

func evalIndicator(n *Node, e *env) {
	c := n.c
	n.year = int32(e.year)
	n.o = obs{}
	n.base = 0
	if c.input {
		v, ok := e.p.LocalPoints[localKey(c.id)]
		if !ok {
			n.lo, n.hi, n.Status = c.elsePts, c.maxPts, StatusManual
			return
		}
		pts := min(max(int64(v), 0), c.maxPts)
		n.o.set(pts)
		n.lo, n.hi = pts, pts
		n.Status = pointsStatus(pts)
		return
	}
	lo, hi := c.elsePts, c.elsePts
	bestLo, bestKnown := int64(-1), false
	o := &e.tmp
	for b := range c.bases {
		bs := &c.bases[b]
		*o = obs{}
		bs.fn(e, o)
		var blo, bhi int64
		switch {
		case !o.known:
			blo, bhi = c.elsePts, bs.tiers[0].pts
		case o.lower && !bs.lower:
			blo, bhi = bs.tierPoints(o.num, c.elsePts), bs.tiers[0].pts
		case o.lower:
			blo, bhi = c.elsePts, bs.tierPoints(o.num, c.elsePts)
		default:
			blo = bs.tierPoints(o.num, c.elsePts)
			bhi = blo
		}
		// Show the base that gives the points; on a tie, one with data.
		if blo > bestLo || (blo == bestLo && o.known && !bestKnown) {
			bestLo, bestKnown = blo, o.known
			n.o, n.base = *o, int8(b)
		}
		lo, hi = max(lo, blo), max(hi, bhi)
	}
	n.lo, n.hi = min(lo, c.maxPts), min(hi, c.maxPts)
	if n.lo == n.hi {
		n.Status = pointsStatus(n.lo)
	} else {
		n.Status = StatusUnknown
	}
}

func pointsStatus(p int64) Status {
	if p > 0 {
		return StatusMet
	}
	return StatusNotMet
}

// localKey is the key of an input indicator in Profile.LocalPoints: its own
// id without the scorecard and category prefix.
func localKey(id string) string {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '.' {
			return id[i+1:]
		}
	}
	return id
}
