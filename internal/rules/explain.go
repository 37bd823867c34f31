package rules

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Rendering: explanations are built from the compiled rule and the stored
// numbers only when asked for (Explain, JSON), never during evaluation.

const zh, en = "zh", "en"

// formatValue renders v in unit u. mode: -1 floor, 0 nearest, +1 ceil.
func formatValue(u Unit, v int64, levels []Text, lang string, mode int) string {
	switch u {
	case UnitFen:
		return formatMoney(v, false, lang, mode)
	case UnitUSDCent:
		return formatMoney(v, true, lang, mode)
	case UnitBP:
		if lang == en {
			return formatDecimal(v, 100, 2, mode) + " %"
		}
		return formatDecimal(v, 100, 2, mode) + "%"
	case UnitCentiyear:
		s := formatDecimal(v, 100, 2, mode)
		if lang == en && s == "1" {
			return "1 year"
		}
		return tf(lang, "unit.years", s)
	case UnitCentipoint:
		return tf(lang, "unit.points", formatDecimal(v, 100, 2, mode))
	case UnitRank:
		if v >= rankNone {
			return tf(lang, "unit.rank_none")
		}
		return tf(lang, "unit.rank", v)
	case UnitBool:
		if v != 0 {
			return tf(lang, "unit.yes")
		}
		return tf(lang, "unit.no")
	case UnitLevel:
		if v >= 0 && int(v) < len(levels) {
			return levels[v].Lang(lang)
		}
	}
	return formatDecimal(v, 1, 0, mode)
}

func opSymbol(op opKind, incl bool) string {
	switch {
	case op == opMin && incl:
		return "≥"
	case op == opMin:
		return ">"
	case op == opMax && incl:
		return "≤"
	case op == opMax:
		return "<"
	}
	return ""
}

func opJSON(op opKind, incl bool) string {
	switch op {
	case opTrue:
		return "is_true"
	case opFalse:
		return "is_false"
	}
	return asciiOp(op, incl)
}

func asciiOp(op opKind, incl bool) string {
	switch {
	case op == opMin && incl:
		return ">="
	case op == opMin:
		return ">"
	case op == opMax && incl:
		return "<="
	}
	return "<"
}

// yearLabel fills {y} with year.
func yearLabel(l Text, year int) Text {
	y := strconv.Itoa(year)
	return Text{ZH: strings.ReplaceAll(l.ZH, "{y}", y), EN: strings.ReplaceAll(l.EN, "{y}", y)}
}

func both(f func(lang string) string) Text { return Text{ZH: f(zh), EN: f(en)} }

// ID returns the criterion id.
func (n *Node) ID() string { return n.c.id }

// Type returns the node type: all_of, any_of, condition, manual, score,
// category, indicator or banded.
func (n *Node) Type() string { return n.c.typ.String() }

// Label returns the criterion's name.
func (n *Node) Label() Text { return n.c.label }

// Note returns the rule data's note (source and confidence).
func (n *Node) Note() string { return n.c.note }

// Value returns the observed value in the metric's base unit; ok is false
// when it is not known.
func (n *Node) Value() (v int64, ok bool) { return n.o.v, n.o.known }

// Threshold returns a condition's threshold in the metric's base unit.
func (n *Node) Threshold() (int64, bool) {
	if n.c.typ == ntCond && (n.c.op == opMin || n.c.op == opMax) {
		return n.c.thr, true
	}
	return 0, false
}

// Points returns a score, category or indicator's points as an interval in
// centipoints (lo == hi when determined).
func (n *Node) Points() (lo, hi int64) { return n.lo, n.hi }

func (n *Node) metric() *metricDef {
	switch n.c.typ {
	case ntCond, ntBanded:
		return n.c.m
	case ntIndicator:
		if len(n.c.bases) > 0 {
			return n.c.bases[n.base].m
		}
	}
	return nil
}

func (n *Node) params() *metricParams {
	switch n.c.typ {
	case ntCond, ntBanded:
		return &n.c.params
	case ntIndicator:
		if len(n.c.bases) > 0 {
			return &n.c.bases[n.base].params
		}
	}
	return nil
}

// missing lists the labels of the inputs a metric lacked; metrics without
// declared parts name their flags or themselves.
func (n *Node) missing(lang string) string {
	m := n.metric()
	if m == nil {
		return ""
	}
	var out []string
	for k, p := range m.parts {
		if n.o.have&(1<<k) == 0 {
			out = append(out, yearLabel(p.label, int(n.year)-p.yoff).Lang(lang))
		}
	}
	if len(m.parts) == 0 {
		ps := n.params()
		switch {
		case m.name == "flag":
			out = append(out, flagLabel(ps.Flag).Lang(lang))
		case m.name == "flags_any":
			for _, f := range ps.Flags {
				out = append(out, flagLabel(f).Lang(lang))
			}
		case m.name == "quality_items":
			for _, f := range []string{"quality_award", "qms_certified", "own_brand", "standards_drafted"} {
				out = append(out, flagLabel(f).Lang(lang))
			}
		default:
			out = append(out, m.label.Lang(lang))
		}
	}
	sep := "、"
	if lang == en {
		sep = ", "
	}
	return strings.Join(out, sep)
}

func (n *Node) valueText(lang string) string {
	m := n.metric()
	if m == nil || !n.o.known {
		return ""
	}
	s := formatValue(m.unit, n.o.v, m.levels, lang, -1)
	if n.o.lower {
		s = "≥ " + s
	}
	return s
}

func (n *Node) thresholdText(lang string) string {
	c := n.c
	if c.typ != ntCond {
		return ""
	}
	switch c.op {
	case opTrue:
		return formatValue(UnitBool, 1, nil, lang, 0)
	case opFalse:
		return formatValue(UnitBool, 0, nil, lang, 0)
	}
	return opSymbol(c.op, c.incl) + " " + formatValue(c.m.unit, c.thr, c.m.levels, lang, 0)
}

func pts(v int64, lang string) string { return formatValue(UnitCentipoint, v, nil, lang, 0) }

func ptsRange(lo, hi int64, lang string) string {
	if lo == hi {
		return pts(lo, lang)
	}
	return formatDecimal(lo, 100, 2, 0) + "–" + pts(hi, lang)
}

// Explain renders the node's explanation in both languages, e.g.
// "上年研发费用占营业收入比重 2.4%，要求 ≥ 3%".
func (n *Node) Explain() Text { return both(n.explain) }

// langCode maps a Text.Lang language ("en…" is English, anything else
// Chinese) to the renderers' code.
func langCode(lang string) string {
	if strings.HasPrefix(lang, "en") {
		return en
	}
	return zh
}

// ExplainIn is Explain in one language, for pages that render one: half
// the formatting.
func (n *Node) ExplainIn(lang string) string { return n.explain(langCode(lang)) }

// ValueTextIn renders the judged value in one language, as the JSON form's
// value_text: "" when unknown, without a metric, or not applicable.
func (n *Node) ValueTextIn(lang string) string {
	if n.metric() == nil || n.Status == StatusNotApplicable {
		return ""
	}
	return n.valueText(langCode(lang))
}

// ThresholdTextIn renders a condition's requirement in one language, as
// the JSON form's threshold_text ("" for other nodes).
func (n *Node) ThresholdTextIn(lang string) string { return n.thresholdText(langCode(lang)) }

func (n *Node) explain(lang string) string {
	c := n.c
	l := c.label.Lang(lang)
	switch c.typ {
	case ntCond:
		req := n.thresholdText(lang)
		if !n.o.known {
			return tf(lang, "explain.missing", l, n.missing(lang), req)
		}
		v := n.valueText(lang)
		if c.op == opTrue || c.op == opFalse {
			return tf(lang, "explain.flag", l, v, req)
		}
		if n.o.lower && n.Status == StatusUnknown {
			return tf(lang, "explain.partly_missing", l, v, n.missing(lang), req)
		}
		return tf(lang, "explain.value", l, v, req)
	case ntManual:
		return tf(lang, "explain.manual", c.question)
	case ntAllOf, ntAnyOf:
		k, total := strconv.FormatInt(n.lo, 10), strconv.Itoa(c.count)
		if n.Status == StatusNotApplicable {
			return tf(lang, "explain.not_applicable", l)
		}
		if c.typ == ntAllOf {
			return tf(lang, "explain.all_of", l, k, total)
		}
		return tf(lang, "explain.any_of", l, k, total)
	case ntBanded:
		if n.lo < 0 {
			return tf(lang, "explain.band_missing", l, n.missing(lang))
		}
		band := n.Children[n.lo].c.label.Lang(lang)
		return tf(lang, "explain.band", l, n.valueText(lang), band)
	case ntScore:
		var b strings.Builder
		b.WriteString(tf(lang, "explain.score", l, ptsRange(n.lo, n.hi, lang), pts(c.minimum, lang)))
		for _, cn := range n.Children {
			if !cn.c.hasMin {
				continue
			}
			b.WriteString(tf(lang, "explain.score_part", cn.c.label, ptsRange(cn.lo, cn.hi, lang), pts(cn.c.minimum, lang)))
		}
		return b.String()
	case ntCategory:
		s := l + " " + ptsRange(n.lo, n.hi, lang)
		if c.hasMin {
			s += tf(lang, "explain.category_minimum", pts(c.minimum, lang))
		}
		return s
	case ntIndicator:
		maxs := pts(c.maxPts, lang)
		if c.input {
			if n.Status == StatusManual {
				return tf(lang, "explain.to_score", l, maxs)
			}
			return tf(lang, "explain.scored", l, pts(n.lo, lang), maxs)
		}
		if !n.o.known {
			return tf(lang, "explain.indicator_missing", l, n.missing(lang), ptsRange(n.lo, n.hi, lang), maxs)
		}
		return tf(lang, "explain.indicator", l, n.valueText(lang), ptsRange(n.lo, n.hi, lang), maxs)
	}
	return l
}

// Text renders the change, e.g. "研发费用需达到 ¥120万（+¥18万）".
func (ch *Change) Text() Text { return both(ch.text) }

func (ch *Change) text(lang string) string {
	l := ch.label()
	if ch.Year != 0 {
		l = yearLabel(l, ch.Year)
	}
	name := l.Lang(lang)
	if ch.Unit == UnitLevel {
		to := formatValue(UnitLevel, ch.Required, ch.m.levels, lang, 0)
		return tf(lang, "change.level", name, to)
	}
	up := ch.Delta >= 0
	mode := 1
	if !up {
		mode = -1
	}
	req := formatValue(ch.Unit, ch.Required, ch.m.levels, lang, mode)
	var delta string
	switch {
	case ch.Unit == UnitRank && ch.Current >= rankNone:
		delta = ""
	case up:
		delta = "+" + formatValue(ch.Unit, ch.Delta, nil, lang, 1)
	default:
		delta = formatValue(ch.Unit, ch.Delta, nil, lang, -1)
	}
	if ch.Unit == UnitRank {
		up = true
	}
	s := tf(lang, "change.down", name, req)
	if up {
		s = tf(lang, "change.up", name, req)
	}
	if delta != "" {
		s += tf(lang, "change.delta", delta)
	}
	// Say what it reaches when the input is not the metric itself
	// ("R&D expense must reach ¥1.2 M (+¥180k) to reach 3 %").
	if ch.m != nil && ch.Indicator == "" && ch.PointsTo == 0 && ch.m.unit != ch.Unit {
		thr := formatValue(ch.m.unit, ch.thr, ch.m.levels, lang, 0)
		s += tf(lang, "change.to_reach", thr)
	}
	return s
}

// Text renders the what-if in both languages.
func (w *WhatIf) Text() Text { return both(w.text) }

func (w *WhatIf) text(lang string) string {
	sep := tf(lang, "whatif.separator")
	parts := make([]string, len(w.Changes))
	for i := range w.Changes {
		parts[i] = w.Changes[i].text(lang)
	}
	s := strings.Join(parts, sep)
	if w.Type != "score" {
		return tf(lang, "whatif.changes", w.c.label, s)
	}
	return tf(lang, "whatif.score", w.c.label, s, pts(w.PointsBefore, lang), pts(w.PointsAfter, lang), pts(w.Minimum, lang))
}

// Summary renders the overall outcome, e.g. "专精特新中小企业（2022，新申请）：不符合".
func (r *Result) Summary() Text {
	kind := map[Kind]Text{KindNew: lbl("kind.new"), KindReview: lbl("kind.review")}[r.Kind]
	st := r.Outcome.Text()
	notMet := 0
	for i := range r.nodes {
		if r.nodes[i].c.typ == ntCond && r.nodes[i].Status == StatusNotMet {
			notMet++
		}
	}
	s := tb("summary", r.RuleSet.Title, r.RuleSet.Version, kind, r.AssessmentDate.String(), st)
	if notMet > 0 && r.Outcome != StatusMet {
		n := tb("summary_not_met", notMet)
		s.ZH += n.ZH
		s.EN += n.EN
	}
	return s
}

type inputJSON struct {
	Input string `json:"input"`
	Year  int    `json:"year,omitempty"`
	Label Text   `json:"label"`
	Unit  Unit   `json:"unit"`
	Value int64  `json:"value"`
	Text  Text   `json:"text"`
}

type scoreJSON struct {
	Points    int64  `json:"points"`     // centipoints (lower bound when undetermined)
	PointsMax int64  `json:"points_max"` // upper bound; equals points when determined
	Maximum   *int64 `json:"maximum,omitempty"`
	Minimum   *int64 `json:"minimum,omitempty"`
}

type nodeJSON struct {
	ID                string      `json:"id"`
	Type              string      `json:"type"`
	Label             Text        `json:"label"`
	Status            Status      `json:"status"`
	Metric            string      `json:"metric,omitempty"`
	Unit              string      `json:"unit,omitempty"`
	Value             *int64      `json:"value,omitempty"`
	ValueIsLowerBound bool        `json:"value_is_lower_bound,omitempty"`
	ValueText         *Text       `json:"value_text,omitempty"`
	Op                string      `json:"op,omitempty"`
	Threshold         *int64      `json:"threshold,omitempty"`
	Inclusive         *bool       `json:"inclusive,omitempty"`
	ThresholdText     *Text       `json:"threshold_text,omitempty"`
	Inputs            []inputJSON `json:"inputs,omitempty"`
	Score             *scoreJSON  `json:"score,omitempty"`
	Question          *Text       `json:"question,omitempty"`
	Explanation       Text        `json:"explanation"`
	Note              string      `json:"note,omitempty"`
	Children          []Node      `json:"children,omitempty"`
}

// MarshalJSON renders the node with its explanation and children.
func (n Node) MarshalJSON() ([]byte, error) {
	c := n.c
	j := nodeJSON{ID: c.id, Type: c.typ.String(), Label: c.label, Status: n.Status, Explanation: n.Explain(), Note: c.note, Children: n.Children}
	if m := n.metric(); m != nil && n.Status != StatusNotApplicable {
		j.Metric, j.Unit = m.name, m.unit.String()
		if n.o.known {
			v := n.o.v
			j.Value, j.ValueIsLowerBound = &v, n.o.lower
			vt := both(n.valueText)
			j.ValueText = &vt
		}
		for k, p := range m.parts {
			if n.o.have&(1<<k) == 0 {
				continue
			}
			in := inputJSON{Input: p.field, Label: p.label, Unit: p.unit, Value: n.o.parts[k]}
			if p.yoff > 0 {
				in.Year = int(n.year) - p.yoff
				in.Label = yearLabel(p.label, in.Year)
			}
			in.Text = both(func(lang string) string { return formatValue(p.unit, in.Value, nil, lang, 0) })
			j.Inputs = append(j.Inputs, in)
		}
	}
	switch c.typ {
	case ntCond:
		j.Op = opJSON(c.op, c.incl)
		if c.op == opMin || c.op == opMax {
			thr, incl := c.thr, c.incl
			j.Threshold, j.Inclusive = &thr, &incl
		}
		tt := both(n.thresholdText)
		j.ThresholdText = &tt
	case ntManual:
		q := c.question
		j.Question = &q
	case ntScore, ntCategory, ntIndicator:
		s := &scoreJSON{Points: n.lo, PointsMax: n.hi}
		if c.typ == ntIndicator {
			m := c.maxPts
			s.Maximum = &m
			if c.input {
				q := c.question
				j.Question = &q
			}
		}
		if c.typ == ntCategory && c.hasCap {
			m := c.cap
			s.Maximum = &m
		}
		if c.hasMin {
			m := c.minimum
			s.Minimum = &m
		}
		if n.Status != StatusNotApplicable {
			j.Score = s
		}
	}
	return marshal(j)
}

type changeJSON struct {
	Change
	Label Text `json:"label"`
	Text  Text `json:"text"`
}

type whatIfJSON struct {
	NodeID       string       `json:"node_id"`
	Label        Text         `json:"label"`
	Type         string       `json:"type"`
	Changes      []changeJSON `json:"changes"`
	PointsBefore int64        `json:"points_before,omitempty"`
	PointsAfter  int64        `json:"points_after,omitempty"`
	Minimum      int64        `json:"minimum,omitempty"`
	Text         Text         `json:"text"`
}

// MarshalJSON renders the what-if with its text.
func (w WhatIf) MarshalJSON() ([]byte, error) {
	j := whatIfJSON{NodeID: w.NodeID, Type: w.Type, PointsBefore: w.PointsBefore, PointsAfter: w.PointsAfter, Minimum: w.Minimum, Text: w.Text()}
	if w.c != nil {
		j.Label = w.c.label
	}
	for i := range w.Changes {
		ch := &w.Changes[i]
		l := ch.label()
		if ch.Year != 0 {
			l = yearLabel(l, ch.Year)
		}
		j.Changes = append(j.Changes, changeJSON{Change: *ch, Label: l, Text: ch.Text()})
	}
	return marshal(j)
}

type resultJSON struct {
	RuleSet        *RuleSetInfo `json:"rule_set"`
	Kind           Kind         `json:"kind"`
	AssessmentDate Date         `json:"assessment_date"`
	Outcome        Status       `json:"outcome"`
	OutcomeText    Text         `json:"outcome_text"`
	Summary        Text         `json:"summary"`
	Criteria       *Node        `json:"criteria"`
	WhatIf         []WhatIf     `json:"what_if"`
}

// MarshalJSON renders the result for the API and `ibrain evaluate --format json`.
func (r Result) MarshalJSON() ([]byte, error) {
	w := r.WhatIf
	if w == nil {
		w = []WhatIf{}
	}
	return marshal(resultJSON{RuleSet: r.RuleSet, Kind: r.Kind, AssessmentDate: r.AssessmentDate, Outcome: r.Outcome,
		OutcomeText: r.Outcome.Text(), Summary: r.Summary(), Criteria: r.Criteria, WhatIf: w})
}

// marshal encodes without HTML escaping, so "R&D" and "≥" stay readable.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
