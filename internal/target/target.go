// Package target holds yearly targets (任务表) per indicator and scope, and
// the rules that judge progress against them.
package target

import "math"

// Comparator says which side of the target value is success.
type Comparator string

// Comparators.
const (
	AtLeast Comparator = ">=" // e.g. value-added growth ≥ 8 %
	AtMost  Comparator = "<=" // e.g. unemployment ≤ 5.5 %
	About   Comparator = "~"  // e.g. "about 5.5 %": within Tolerance
)

// Scope kinds a target can apply to.
const (
	ScopeCity    = "city"
	ScopeRegion  = "region"
	ScopeCluster = "cluster"
)

// Target is one row of a yearly task table.
type Target struct {
	IndicatorCode string
	ScopeKind     string
	ScopeCode     string // "" for the city
	Year          int
	Comparator    Comparator
	Value         float64 // in the indicator's unit (percent, count, 亿元 …)
	Source        string  // e.g. "2024重庆制造业任务表"
}

// Status is the state of a target.
type Status string

// Statuses.
const (
	StatusMet     Status = "met"      // achieved (a level already reached, or a completed year on target)
	StatusOnTrack Status = "on_track" // the projection reaches the target
	StatusBehind  Status = "behind"   // the projection falls short, year not over
	StatusMissed  Status = "missed"   // the year is over and the target was not reached
	StatusNoData  Status = "no_data"
	// StatusNoGoal: nothing was allocated (a goal of 0), so nothing can be
	// met or missed.
	StatusNoGoal Status = "no_goal"
)

// Tolerance is the band for About targets, in the indicator's unit.
const Tolerance = 0.2

// Kind says how an indicator's actual relates to the year end.
type Kind int

// Kinds of actual.
const (
	// Level: a cumulative amount or count that grows through the year
	// (output, titles granted); the year-end projection scales it linearly.
	Level Kind = iota
	// Rate: a growth rate or share whose year-to-date value is the best
	// estimate of the year-end value.
	Rate
)

// Progress is the judgement of one target at a period.
type Progress struct {
	Target     Target
	Actual     float64
	Known      bool
	Month      int     // the latest month the actual covers (12 = full year)
	Ratio      float64 // Actual ÷ target for levels; 0 for rates
	Projection float64 // year-end estimate
	Status     Status
}

// Evaluate judges actual (known=false when there is no data) reported
// through month of the target year.
func Evaluate(t Target, kind Kind, actual float64, known bool, month int) Progress {
	p := Progress{Target: t, Actual: actual, Known: known, Month: month}
	if !known || month <= 0 {
		p.Status = StatusNoData
		return p
	}
	p.Projection = actual
	if kind == Level {
		if t.Value != 0 {
			p.Ratio = actual / t.Value
		}
		if month < 12 {
			p.Projection = actual * 12 / float64(month)
		}
	}
	reached := func(v float64) bool {
		switch t.Comparator {
		case AtMost:
			return v <= t.Value
		case About:
			return math.Abs(v-t.Value) <= Tolerance
		default:
			return v >= t.Value
		}
	}
	switch {
	case month >= 12 && reached(actual):
		p.Status = StatusMet
	case month >= 12:
		p.Status = StatusMissed
	case kind == Level && t.Comparator == AtLeast && reached(actual):
		p.Status = StatusMet
	case reached(p.Projection):
		p.Status = StatusOnTrack
	default:
		p.Status = StatusBehind
	}
	return p
}

// Mark is the alert/excellent flag of an indicator value.
type Mark string

// Marks.
const (
	MarkNone      Mark = ""
	MarkAlert     Mark = "alert"
	MarkExcellent Mark = "excellent"
)

// Thresholds judges a value against an indicator's alert and excellence
// thresholds (either may be nil).
func Thresholds(v float64, alert, excellent *float64, higherIsBetter bool) Mark {
	better := func(a, b float64) bool {
		if higherIsBetter {
			return a >= b
		}
		return a <= b
	}
	if excellent != nil && better(v, *excellent) {
		return MarkExcellent
	}
	if alert != nil && !better(v, *alert) {
		return MarkAlert
	}
	return MarkNone
}
