package rules

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// nodeType is the kind of a criteria node.
type nodeType uint8

const (
	ntAllOf nodeType = iota + 1
	ntAnyOf
	ntCond
	ntManual
	ntScore
	ntCategory
	ntIndicator
	ntBanded
)

func (t nodeType) String() string {
	switch t {
	case ntAllOf:
		return "all_of"
	case ntAnyOf:
		return "any_of"
	case ntCond:
		return "condition"
	case ntManual:
		return "manual"
	case ntScore:
		return "score"
	case ntCategory:
		return "category"
	case ntIndicator:
		return "indicator"
	case ntBanded:
		return "banded"
	}
	return "?"
}

type opKind uint8

const (
	opMin   opKind = iota + 1 // value ≥ threshold (> when not inclusive)
	opMax                     // value ≤ threshold (< when not inclusive)
	opTrue                    // flag is set
	opFalse                   // flag is not set
)

// Boundary says which tier a value exactly on a tier bound falls into.
type Boundary string

// Boundary rules for score tier tables.
const (
	// BoundaryLowerInclusive: ranges are [lower, upper), so a bound belongs
	// to the range that starts there (the MIIT texts' default reading).
	BoundaryLowerInclusive Boundary = "lower_inclusive"
	// BoundaryHigherTier: a bound scores the higher-scoring tier, as some
	// provinces do (e.g. debt ratio exactly 55 % → the "≤55 %" tier).
	BoundaryHigherTier Boundary = "higher_tier"
)

type tierC struct{ bound, pts int64 }

// baseC is one way an indicator can be scored (e.g. R&D amount or R&D ratio).
type baseC struct {
	m      *metricDef
	fn     metricFunc
	params metricParams // for labels
	lower  bool         // lower values score more
	upIncl bool         // lower_is_better with higher_tier: the bound is in the better tier
	tiers  []tierC
}

type bandC struct {
	min  int64
	has  bool
	incl bool
}

// crit is one compiled criteria node. A tree is a flat slice in breadth-
// first order, so every node's children are contiguous and the result can
// mirror the tree with sub-slices of one allocation.
type crit struct {
	typ      nodeType
	id       string
	label    Text
	note     string
	question Text
	first    int
	count    int

	// condition, banded
	m      *metricDef
	fn     metricFunc
	params metricParams
	op     opKind
	incl   bool
	thr    int64

	bands []bandC

	// score, category
	minimum int64
	hasMin  bool
	cap     int64
	hasCap  bool

	// indicator
	bases   []baseC
	elsePts int64
	maxPts  int64
	input   bool
}

// tree is a rule set's criteria compiled for one application kind.
type tree struct {
	crits []crit
}

// LoadError reports a rule-set file that cannot be loaded.
type LoadError struct {
	File    string
	RuleSet string
	Node    string
	Err     error
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("rules: ")
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.RuleSet != "" {
		b.WriteString(e.RuleSet + ": ")
	}
	if e.Node != "" {
		b.WriteString("node " + e.Node + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *LoadError) Unwrap() error { return e.Err }

// OverlapError reports two rule sets for the same title, application kind
// and jurisdiction whose effective periods overlap, so Select could not
// choose between them.
type OverlapError struct {
	A, B         string
	Kind         Kind
	Jurisdiction string
}

func (e *OverlapError) Error() string {
	return fmt.Sprintf("rule sets %s and %s overlap for %s applications in %s", e.A, e.B, e.Kind, e.Jurisdiction)
}

type compiler struct {
	metrics  metricSet
	specs    map[string]*ruleSetSpec
	boundary Boundary // override from Options, or ""
	local    map[string]*categorySpec
	rsID     string
	kind     Kind
	ids      map[string]bool
}

func (c *compiler) errf(node string, format string, a ...any) error {
	return &LoadError{RuleSet: c.rsID, Node: node, Err: fmt.Errorf(format, a...)}
}

// compileTree compiles spec's criteria for one kind.
func (c *compiler) compileTree(spec *ruleSetSpec, kind Kind) (*tree, error) {
	c.rsID, c.kind, c.ids = spec.ID, kind, map[string]bool{}
	root, err := c.node(spec.Criteria, "", c.boundaryOf(spec), 0)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, c.errf("", "no criteria apply to %s applications", kind)
	}
	order := []*cnode{root}
	for i := 0; i < len(order); i++ {
		n := order[i]
		n.c.first, n.c.count = len(order), len(n.kids)
		order = append(order, n.kids...)
	}
	t := &tree{crits: make([]crit, len(order))}
	for i, n := range order {
		t.crits[i] = n.c
	}
	return t, nil
}

func (c *compiler) boundaryOf(spec *ruleSetSpec) Boundary {
	if c.boundary != "" {
		return c.boundary
	}
	if spec.TierBoundary != "" {
		return Boundary(spec.TierBoundary)
	}
	return BoundaryLowerInclusive
}

type cnode struct {
	c    crit
	kids []*cnode
}

func (c *compiler) claim(id string) error {
	if id == "" {
		return c.errf("", "a node has no id")
	}
	if c.ids[id] {
		return c.errf(id, "duplicate id")
	}
	c.ids[id] = true
	return nil
}

func label(l *Text, def Text) Text {
	if l != nil {
		return *l
	}
	return def
}

// node compiles one spec node; nil when it does not apply to c.kind.
func (c *compiler) node(s *nodeSpec, prefix string, bd Boundary, depth int) (*cnode, error) {
	if s == nil {
		return nil, c.errf(prefix, "missing criteria")
	}
	if depth > 32 {
		return nil, c.errf(prefix+s.ID, "criteria nested too deep (include cycle?)")
	}
	if len(s.Kinds) > 0 && !slices.Contains(s.Kinds, c.kind) {
		return nil, nil
	}
	id := prefix + s.ID
	if s.Type == "include" {
		inc, ok := c.specs[s.RuleSet]
		if !ok || inc.Criteria == nil {
			return nil, c.errf(id, "include: unknown rule set %q", s.RuleSet)
		}
		n, err := c.node(inc.Criteria, id+".", c.boundaryOf(inc), depth+1)
		if err != nil || n == nil {
			return n, err
		}
		// The included root takes the include node's id.
		if err := c.claim(id); err != nil {
			return nil, err
		}
		n.c.id = id
		if s.Label != nil {
			n.c.label = *s.Label
		}
		n.c.note = strings.TrimSpace(s.Note + " " + n.c.note)
		return n, nil
	}
	if err := c.claim(id); err != nil {
		return nil, err
	}
	n := &cnode{c: crit{id: id, label: label(s.Label, Text{}), note: s.Note}}
	switch s.Type {
	case "all_of", "any_of":
		n.c.typ = ntAllOf
		if s.Type == "any_of" {
			n.c.typ = ntAnyOf
		}
		for _, k := range s.Children {
			kn, err := c.node(k, prefix, bd, depth+1)
			if err != nil {
				return nil, err
			}
			if kn != nil {
				n.kids = append(n.kids, kn)
			}
		}
		if len(n.kids) == 0 {
			return nil, nil // every child was for another kind
		}
	case "condition":
		if err := c.condition(n, s, id); err != nil {
			return nil, err
		}
	case "manual":
		if s.Question == nil || s.Question.ZH == "" || s.Question.EN == "" {
			return nil, c.errf(id, "manual node needs a question in zh and en")
		}
		n.c.typ, n.c.question = ntManual, *s.Question
		if s.Label == nil {
			n.c.label = *s.Question
		}
	case "banded":
		if err := c.banded(n, s, id, prefix, bd, depth); err != nil {
			return nil, err
		}
	case "score":
		if err := c.score(n, s, id, bd); err != nil {
			return nil, err
		}
	default:
		return nil, c.errf(id, "unknown node type %q", s.Type)
	}
	if n.c.label.ZH == "" || n.c.label.EN == "" {
		return nil, c.errf(id, "label needs zh and en")
	}
	return n, nil
}

func (c *compiler) metric(id, name string, raw []byte) (*metricDef, metricFunc, metricParams, error) {
	m, ok := c.metrics[name]
	if !ok {
		return nil, nil, metricParams{}, c.errf(id, "unknown metric %q", name)
	}
	p, err := parseParams(raw)
	if err != nil {
		return nil, nil, p, c.errf(id, "metric %s params: %v", name, err)
	}
	if m.build == nil {
		if len(raw) > 0 {
			return nil, nil, p, c.errf(id, "metric %s takes no params", name)
		}
		return m, m.fn, p, nil
	}
	fn, err := m.build(p)
	if err != nil {
		return nil, nil, p, c.errf(id, "%v", err)
	}
	return m, fn, p, nil
}

// threshold parses a threshold for metric m: a level key for ordinals, a
// number (with 万/亿 for money) otherwise.
func threshold(m *metricDef, s string) (int64, error) {
	if m.unit == UnitLevel {
		if i := slices.Index(m.keys, s); i >= 0 {
			return int64(i), nil
		}
		return 0, fmt.Errorf("unknown level %q for %s (want one of %v)", s, m.name, m.keys)
	}
	if m.unit == UnitBool {
		return 0, errors.New("a yes/no metric takes op true or false, not a threshold")
	}
	return parseAmount(s, m.unit)
}

func (c *compiler) condition(n *cnode, s *nodeSpec, id string) error {
	m, fn, p, err := c.metric(id, s.Metric, s.Params)
	if err != nil {
		return err
	}
	n.c.typ, n.c.m, n.c.fn, n.c.params = ntCond, m, fn, p
	if n.c.label.ZH == "" {
		n.c.label = m.label
		if s.Metric == "flag" {
			n.c.label = flagLabel(p.Flag)
		}
	}
	switch s.Op {
	case "true", "false":
		if m.unit != UnitBool {
			return c.errf(id, "op %s needs a yes/no metric, %s is %s", s.Op, m.name, m.unit)
		}
		if s.Threshold != "" || s.Inclusive != nil {
			return c.errf(id, "op %s takes no threshold", s.Op)
		}
		n.c.op = opTrue
		if s.Op == "false" {
			n.c.op = opFalse
		}
		return nil
	case "min", "max":
		n.c.op = opMin
		if s.Op == "max" {
			n.c.op = opMax
		}
	default:
		return c.errf(id, "op must be min, max, true or false, not %q", s.Op)
	}
	if s.Inclusive == nil {
		return c.errf(id, "a %s condition must say whether the threshold is inclusive", s.Op)
	}
	n.c.incl = *s.Inclusive
	if s.Threshold == "" {
		return c.errf(id, "missing threshold")
	}
	if n.c.thr, err = threshold(m, s.Threshold); err != nil {
		return c.errf(id, "threshold: %v", err)
	}
	return nil
}

func (c *compiler) banded(n *cnode, s *nodeSpec, id, prefix string, bd Boundary, depth int) error {
	m, fn, _, err := c.metric(id, s.Metric, s.Params)
	if err != nil {
		return err
	}
	if m.unit == UnitBool || m.unit == UnitLevel {
		return c.errf(id, "banded needs a numeric metric")
	}
	n.c.typ, n.c.m, n.c.fn = ntBanded, m, fn
	if n.c.label.ZH == "" {
		n.c.label = m.label
	}
	if len(s.Bands) < 2 {
		return c.errf(id, "banded needs at least 2 bands")
	}
	prev := int64(0)
	for i, b := range s.Bands {
		last := i == len(s.Bands)-1
		var bc bandC
		if b.Min == "" {
			if !last {
				return c.errf(id, "only the last band may omit min")
			}
		} else {
			if b.Inclusive == nil {
				return c.errf(id, "band %s must say whether min is inclusive", b.ID)
			}
			v, err := threshold(m, b.Min)
			if err != nil {
				return c.errf(id, "band %s: %v", b.ID, err)
			}
			if i > 0 && v >= prev {
				return c.errf(id, "bands must be in descending order of min")
			}
			bc, prev = bandC{min: v, has: true, incl: *b.Inclusive}, v
		}
		if last && bc.has {
			return c.errf(id, "the last band must be the catch-all (no min)")
		}
		if err := c.claim(prefix + b.ID); err != nil {
			return err
		}
		kid, err := c.node(b.Criteria, prefix, bd, depth+1)
		if err != nil {
			return err
		}
		if kid == nil {
			return c.errf(id, "band %s has no criteria for %s applications", b.ID, c.kind)
		}
		// The band node wraps its criteria so the result shows the band.
		wrap := &cnode{c: crit{typ: ntAllOf, id: prefix + b.ID, label: label(b.Label, kid.c.label)}, kids: []*cnode{kid}}
		n.c.bands = append(n.c.bands, bc)
		n.kids = append(n.kids, wrap)
	}
	return nil
}

func points(s string) (int64, error) { return parseAmount(s, UnitCentipoint) }

func (c *compiler) score(n *cnode, s *nodeSpec, id string, bd Boundary) error {
	n.c.typ = ntScore
	if n.c.label.ZH == "" {
		n.c.label = lbl("node.score")
	}
	v, err := points(s.Minimum)
	if err != nil {
		return c.errf(id, "minimum: %v", err)
	}
	n.c.minimum, n.c.hasMin = v, true
	if s.Boundary != "" && c.boundary == "" {
		bd = Boundary(s.Boundary)
	}
	cats := slices.Clone(s.Categories)
	local := s.LocalPoints
	if o, ok := c.local[c.rsID]; ok && local != nil {
		local = o
	}
	if local != nil {
		cats = append(cats, local)
	}
	if len(cats) == 0 || len(cats) > maxCategories {
		return c.errf(id, "a score needs 1–%d categories", maxCategories)
	}
	total := 0
	for _, cs := range cats {
		total += len(cs.Indicators)
	}
	if total > maxIndicators {
		return c.errf(id, "a score has at most %d indicators", maxIndicators)
	}
	for _, cs := range cats {
		cn, err := c.category(cs, id, bd)
		if err != nil {
			return err
		}
		n.kids = append(n.kids, cn)
	}
	return nil
}

func (c *compiler) category(s *categorySpec, parent string, bd Boundary) (*cnode, error) {
	id := parent + "." + s.ID
	if err := c.claim(id); err != nil {
		return nil, err
	}
	n := &cnode{c: crit{typ: ntCategory, id: id, label: label(s.Label, Text{}), note: s.Note}}
	if n.c.label.ZH == "" || n.c.label.EN == "" {
		return nil, c.errf(id, "category label needs zh and en")
	}
	var err error
	if s.Minimum != "" {
		if n.c.minimum, err = points(s.Minimum); err != nil {
			return nil, c.errf(id, "minimum: %v", err)
		}
		n.c.hasMin = true
	}
	if s.Max != "" {
		if n.c.cap, err = points(s.Max); err != nil {
			return nil, c.errf(id, "max: %v", err)
		}
		n.c.hasCap = true
	}
	if len(s.Indicators) == 0 {
		return nil, c.errf(id, "category has no indicators")
	}
	for _, is := range s.Indicators {
		in, err := c.indicator(is, id, bd)
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, in)
	}
	return n, nil
}

func (c *compiler) indicator(s *indicatorSpec, parent string, bd Boundary) (*cnode, error) {
	id := parent + "." + s.ID
	if err := c.claim(id); err != nil {
		return nil, err
	}
	n := &cnode{c: crit{typ: ntIndicator, id: id, label: label(s.Label, Text{}), note: s.Note}}
	var err error
	if n.c.maxPts, err = points(s.Max); err != nil {
		return nil, c.errf(id, "max: %v", err)
	}
	if s.Else != "" {
		if n.c.elsePts, err = points(s.Else); err != nil {
			return nil, c.errf(id, "else: %v", err)
		}
	}
	if s.Boundary != "" && c.boundary == "" {
		bd = Boundary(s.Boundary)
	}
	if bd != BoundaryLowerInclusive && bd != BoundaryHigherTier {
		return nil, c.errf(id, "unknown boundary rule %q", bd)
	}
	if s.Type == "input" {
		if s.Question == nil {
			return nil, c.errf(id, "an input indicator needs a question")
		}
		n.c.input, n.c.question = true, *s.Question
		if n.c.label.ZH == "" {
			n.c.label = *s.Question
		}
		return n, nil
	}
	if s.Type != "" {
		return nil, c.errf(id, "unknown indicator type %q", s.Type)
	}
	bases := s.Bases
	if len(bases) == 0 {
		bases = []*baseSpec{{Metric: s.Metric, Params: s.Params, Lower: s.Lower, Tiers: s.Tiers}}
	} else if s.Metric != "" || len(s.Tiers) > 0 {
		return nil, c.errf(id, "give either metric and tiers or bases, not both")
	}
	for _, b := range bases {
		m, fn, p, err := c.metric(id, b.Metric, b.Params)
		if err != nil {
			return nil, err
		}
		bc := baseC{m: m, fn: fn, params: p, lower: b.Lower, upIncl: b.Lower && bd == BoundaryHigherTier}
		if len(b.Tiers) == 0 {
			return nil, c.errf(id, "no tiers for %s", b.Metric)
		}
		for i, ts := range b.Tiers {
			var tc tierC
			if m.unit == UnitBool {
				if ts.Bound != "true" {
					return nil, c.errf(id, "a yes/no tier has bound \"true\"")
				}
				tc.bound = 1
			} else if tc.bound, err = threshold(m, ts.Bound); err != nil {
				return nil, c.errf(id, "tier %d: %v", i, err)
			}
			if tc.pts, err = points(ts.Points); err != nil {
				return nil, c.errf(id, "tier %d points: %v", i, err)
			}
			if tc.pts > n.c.maxPts || tc.pts <= n.c.elsePts {
				return nil, c.errf(id, "tier %d scores %s, outside (else, max]", i, strconv.FormatInt(tc.pts, 10))
			}
			if i > 0 {
				prev := bc.tiers[i-1]
				if tc.pts >= prev.pts || (!b.Lower && tc.bound >= prev.bound) || (b.Lower && tc.bound <= prev.bound) {
					return nil, c.errf(id, "tiers must run from the best down, bounds and points strictly monotonic")
				}
			}
			bc.tiers = append(bc.tiers, tc)
		}
		n.c.bases = append(n.c.bases, bc)
	}
	if n.c.label.ZH == "" {
		n.c.label = n.c.bases[0].m.label
		if n.c.bases[0].m.name == "flag" {
			n.c.label = flagLabel(n.c.bases[0].params.Flag)
		}
	}
	return n, nil
}
