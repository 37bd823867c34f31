package digital

import (
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/rules"
)

// The ladder's criteria are rule sets of the rule engine (subject
// LadderSubject, internal/rules/rulesets/cq_digital_ladder.json): each rung
// is a "title kind" there, a firm's maturity and recognitions become a
// rules.Profile, and the engine's tri-state verdict, explanations and
// what-if are the ladder's. This file maps between the two.

// LadderSubject is the rule engine's subject of the ladder's rule sets.
const LadderSubject = "digital_ladder"

// Status is a tri-state verdict: missing data is never a pass.
type Status string

// Verdicts.
const (
	Met     Status = "met"
	NotMet  Status = "not_met"
	Unknown Status = "unknown"
)

// Firm is what the ladder judges: a firm's maturity records and its
// recognitions.
type Firm struct {
	EnterpriseID int64
	Maturity     []Maturity    // any order
	Recognitions []Recognition // any order
}

// MaturityAt is the latest maturity record of a year ≤ year.
func (f Firm) MaturityAt(year int) (Maturity, bool) {
	var best Maturity
	ok := false
	for _, m := range f.Maturity {
		if m.Year <= year && (!ok || m.Year > best.Year) {
			best, ok = m, true
		}
	}
	return best, ok
}

// Held counts the firm's recognitions of rung dated on or before d.
func (f Firm) Held(rung Rung, d time.Time) int {
	n := 0
	for _, r := range f.Recognitions {
		if r.Rung == rung && !r.RecognisedOn.After(d) {
			n++
		}
	}
	return n
}

// Profile is the firm as the rule engine reads it on day d: the NC rate and
// SME level of its latest maturity record of d's year or before (the
// assessment a recognition in year Y rests on), the latest CMMM level
// recorded, and every recognition as a title held from its date. A
// missing record leaves the facts unknown; recognitions are a complete
// record, so none is "known to be none".
func (f Firm) Profile(d time.Time) rules.Profile {
	var p rules.Profile
	if m, ok := f.MaturityAt(d.Year()); ok {
		if m.NCRate != nil {
			p.NCRate = rules.Ptr(*m.NCRate)
		}
		if m.SMELevel > 0 {
			p.DigitalLevel = rules.Ptr(int64(m.SMELevel))
		}
	}
	best, year := 0, 0
	for _, m := range f.Maturity {
		if m.Year <= d.Year() && m.CMMM > 0 && m.Year > year {
			best, year = m.CMMM, m.Year
		}
	}
	if year > 0 {
		p.CMMMLevel = rules.Ptr(int64(best))
	}
	p.Titles = make([]rules.HeldTitle, 0, len(f.Recognitions))
	for _, r := range f.Recognitions {
		p.Titles = append(p.Titles, rules.HeldTitle{Kind: enterprise.TitleKind(r.Rung), GrantedOn: rules.NewDate(r.RecognisedOn)})
	}
	return p
}

// CondResult is one data-decidable criterion judged. Metric is the
// criterion's id in the rule set (nc_rate_bp, digital_workshops,
// cmmm_level, holds_smart_factory, …).
type CondResult struct {
	Metric string
	Min    int64 // the inclusive minimum, in the metric's base unit
	Value  *int64
	Status Status
	Note   string
	node   rules.Node
}

// Label is the criterion's name in lang.
func (c CondResult) Label(lang string) string { return c.node.Label().Lang(lang) }

// Explain is the engine's explanation in lang, e.g. "关键工序数控化率
// 60%，要求 ≥ 65%".
func (c CondResult) Explain(lang string) string { return c.node.ExplainIn(lang) }

// ValueText and ThresholdText render the value and the requirement in lang.
func (c CondResult) ValueText(lang string) string { return c.node.ValueTextIn(lang) }

// ThresholdText renders the requirement in lang.
func (c CondResult) ThresholdText(lang string) string { return c.node.ThresholdTextIn(lang) }

// ManualItem is a criterion only a reviewer judges.
type ManualItem struct {
	ID       string
	Question rules.Text
}

// Verdict is a rung judged for a firm on a day.
type Verdict struct {
	Rung       Rung
	RuleSet    string // the engine's rule-set id; empty when the rung is not in force
	Version    string
	Applies    bool // the rung is recognised by the rules in force
	Status     Status
	Conditions []CondResult
	Manual     []string // ids of the items a reviewer judges
	Questions  []ManualItem
	Unmet      int // conditions not met
	// WhatIf is the engine's smallest change per unmet condition.
	WhatIf []rules.WhatIf
}

// WhatIfText renders the what-if changes in lang.
func (v Verdict) WhatIfText(lang string) []string {
	out := make([]string, 0, len(v.WhatIf))
	for i := range v.WhatIf {
		out = append(out, v.WhatIf[i].Text().Lang(lang))
	}
	return out
}

// RuleSet is the engine's rule set of rung in force on d; ok is false when
// the rung is not recognised then (e.g. 卓越级 before 2024).
func (r *Rules) RuleSet(rung Rung, d time.Time) (*rules.RuleSet, bool) {
	rs, err := r.reg.Select(enterprise.TitleKind(rung), rules.KindNew, d)
	if err != nil || rs.Info().Subject != LadderSubject {
		return nil, false
	}
	return rs, true
}

// Evaluate judges rung for the firm on day d with the rule set in force.
// The data-decidable criteria all met gives Met (the manual items still go
// to a reviewer), any not met gives NotMet, otherwise Unknown.
func (r *Rules) Evaluate(f Firm, rung Rung, d time.Time) Verdict {
	v := Verdict{Rung: rung, Status: NotMet}
	rs, ok := r.RuleSet(rung, d)
	if !ok {
		return v
	}
	p := f.Profile(d)
	res, err := rs.Evaluate(p, rules.Context{AssessmentDate: d, Kind: rules.KindNew})
	if err != nil {
		return v // only a missing date or kind, which cannot happen here
	}
	v.Applies, v.RuleSet, v.Version = true, rs.ID(), rs.Info().Version
	v.WhatIf = res.WhatIf
	for _, n := range res.Nodes() {
		switch n.Type() {
		case "condition":
			cr := CondResult{Metric: n.ID(), Status: statusOf(n.Status), Note: n.Note(), node: n}
			cr.Min, _ = n.Threshold()
			if val, ok := n.Value(); ok {
				cr.Value = &val
			}
			if cr.Status == NotMet {
				v.Unmet++
			}
			v.Conditions = append(v.Conditions, cr)
		case "manual":
			v.Manual = append(v.Manual, n.ID())
			v.Questions = append(v.Questions, ManualItem{ID: n.ID(), Question: n.Label()})
		}
	}
	v.Status = statusOf(res.Outcome)
	return v
}

// statusOf maps the engine's status: manual review left over means every
// data-decidable criterion is met.
func statusOf(s rules.Status) Status {
	switch s {
	case rules.StatusMet, rules.StatusManual:
		return Met
	case rules.StatusUnknown:
		return Unknown
	}
	return NotMet
}

// NextRung is the rung a firm climbs to next on day d: a smart factory
// needs digital workshops, 卓越级 a smart factory, 领航级 卓越级; a firm at
// the top of the smart-factory ladder looks to the future factory. ok is
// false when nothing is left in the rules in force.
func (r *Rules) NextRung(f Firm, d time.Time) (Rung, bool) {
	if f.Held(RungSmart, d) == 0 {
		// Without a smart factory the next step is one, once it has the
		// workshops its rule asks for; before that, another workshop.
		for _, c := range r.Evaluate(f, RungSmart, d).Conditions {
			if c.Metric == "digital_workshops" && c.Status == NotMet {
				return RungWorkshop, true
			}
		}
		return RungSmart, true
	}
	for _, rung := range []Rung{RungExcellent, RungLeading, RungFuture} {
		if _, ok := r.RuleSet(rung, d); ok && f.Held(rung, d) == 0 {
			return rung, true
		}
	}
	return "", false
}

// Candidate is a firm close to its next rung.
type Candidate struct {
	EnterpriseID int64
	Verdict      Verdict
}

// Candidates lists the firms whose next rung on day d is met on the data
// or fails by one condition only (the verdict names it and the change that
// would meet it), met first.
func (r *Rules) Candidates(firms []Firm, d time.Time) []Candidate {
	var met, near []Candidate
	for _, f := range firms {
		rung, ok := r.NextRung(f, d)
		if !ok {
			continue
		}
		v := r.Evaluate(f, rung, d)
		switch {
		case v.Status == Met:
			met = append(met, Candidate{f.EnterpriseID, v})
		case v.Status == NotMet && v.Unmet == 1:
			near = append(near, Candidate{f.EnterpriseID, v})
		}
	}
	return append(met, near...)
}
