package tasks

import (
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/indicator"
)

// State is where a departmental value is in its review (the same states as
// an enterprise's online report: 草稿/已报/退回/已审).
type State string

// States. An entry that was never saved has no state ("未填").
const (
	StateNone      State = ""
	StateDraft     State = "draft"
	StateSubmitted State = "submitted"
	StateReturned  State = "returned"
	StateAccepted  State = "accepted"
)

// Action is one step of the review.
type Action string

// Actions: the department saves and submits; the reviewer returns or
// accepts.
const (
	ActionSave   Action = "save"
	ActionSubmit Action = "submit"
	ActionReturn Action = "return"
	ActionAccept Action = "accept"
)

// Entry is a department's value of a yearly indicator for the city. Value
// is the working copy under review; Accepted, when set, is the value that
// counts (the one the task tables and the 数读 panel read), which a later
// draft or revision does not change until it is accepted in turn.
type Entry struct {
	Indicator  string
	Year       int
	Department string
	Value      int64 // × 10^4, the exact decimal entered
	Accepted   *int64
	State      State
	Note       string // the department's explanation
	Reason     string // why it was returned, or why a published value is revised
	Revision   bool   // a change to a published (locked) year
	UpdatedBy  string
	UpdatedAt  time.Time
}

// Scale is the fixed-point scale of entered values: four decimals.
const Scale = 10_000

// Change is one step asked for on an entry. Value is read for save and
// submit; Reason is required to return, and to change a locked year.
type Change struct {
	Indicator string
	Year      int
	Action    Action
	Value     *int64
	Note      string
	Reason    string
}

// History is one step kept with an entry: who did what, from which state
// to which, and the counting value before and after (set only when an
// accepted value changed).
type History struct {
	Indicator   string
	Year        int
	Action      Action
	From, To    State
	Value       int64
	OldAccepted *int64
	NewAccepted *int64
	Reason      string
	Revision    bool
	Actor       string
	At          time.Time
}

// Actor is who asks for a change: a department's user enters the values
// of its own indicators; a reviewer returns and accepts.
type Actor struct {
	Username   string
	Department string // "" for users of no department
	Enter      bool   // holds the entry permission
	Review     bool   // holds the review permission
}

// Message keys of refusals.
const (
	KeyNotDepartmental = "tasks.err.not_departmental"
	KeyOtherDepartment = "tasks.err.other_department"
	KeyTransition      = "tasks.err.transition"
	KeyReasonRequired  = "tasks.err.reason_required"
	KeyLockedReason    = "tasks.err.locked_reason"
	KeyValueRequired   = "tasks.err.value_required"
	KeyNegative        = "tasks.err.negative"
	KeyPercentRange    = "tasks.err.percent_range"
	KeyForbidden       = "tasks.err.forbidden"
	KeyUnknown         = "tasks.err.unknown_indicator"
)

// Departmental reports whether an indicator's values are entered by its
// department (every indicator the statistics engine does not compute).
func Departmental(ind indicator.Indicator) bool { return ind.Measure == "" && ind.Source != "computed" }

// CheckValue refuses a value the indicator cannot take: a negative count,
// amount or head count, a percentage outside −100 … 1000.
func CheckValue(ind indicator.Indicator, v int64) error {
	if ind.Unit == "percent" {
		if v < -100*Scale || v > 1000*Scale {
			return apperr.New(apperr.Invalid, KeyPercentRange, ind.Code)
		}
		return nil
	}
	if v < 0 {
		return apperr.New(apperr.Invalid, KeyNegative, ind.Code)
	}
	return nil
}

// Apply judges ch on the current entry cur (nil when none was saved) of
// indicator ind, with locked saying whether the year is published, and
// returns the new entry and the history line to keep. It changes nothing
// when it refuses.
func Apply(ind indicator.Indicator, cur *Entry, ch Change, a Actor, locked bool, now time.Time) (Entry, History, error) {
	if !Departmental(ind) {
		return Entry{}, History{}, apperr.New(apperr.Invalid, KeyNotDepartmental, ind.Code)
	}
	e := Entry{Indicator: ind.Code, Year: ch.Year, Department: ind.Department}
	if cur != nil {
		e = *cur
	}
	from := e.State
	h := History{Indicator: ind.Code, Year: ch.Year, Action: ch.Action, From: from, Actor: a.Username, At: now, Reason: ch.Reason}
	refuse := func() (Entry, History, error) {
		return Entry{}, History{}, apperr.New(apperr.Conflict, KeyTransition, ind.Code, string(ch.Action), string(from))
	}
	switch ch.Action {
	case ActionSave, ActionSubmit:
		if !a.Enter || a.Department != ind.Department {
			return Entry{}, History{}, apperr.New(apperr.Forbidden, KeyOtherDepartment, ind.Code, ind.Department)
		}
		if from == StateSubmitted {
			return refuse() // under review: wait for it to be returned or accepted
		}
		if ch.Value == nil {
			if ch.Action == ActionSave || from == StateNone {
				return Entry{}, History{}, apperr.New(apperr.Invalid, KeyValueRequired, ind.Code)
			}
			if from == StateAccepted {
				return refuse() // nothing new to submit
			}
		} else {
			if err := CheckValue(ind, *ch.Value); err != nil {
				return Entry{}, History{}, err
			}
			if from == StateNone || from == StateAccepted {
				// A new working copy: a revision when the year is published.
				e.Revision = locked
			}
			e.Value = *ch.Value
			e.Note = ch.Note
		}
		if locked && e.Revision && ch.Reason == "" && e.Reason == "" {
			return Entry{}, History{}, apperr.New(apperr.Invalid, KeyLockedReason, ind.Code, ch.Year)
		}
		if ch.Reason != "" {
			e.Reason = ch.Reason
		} else if from == StateReturned || from == StateAccepted {
			e.Reason = "" // the reviewer's reason was answered by this change
		}
		e.State = StateDraft
		if ch.Action == ActionSubmit {
			e.State = StateSubmitted
		}
	case ActionReturn, ActionAccept:
		if !a.Review {
			return Entry{}, History{}, apperr.New(apperr.Forbidden, KeyForbidden)
		}
		if from != StateSubmitted {
			return refuse()
		}
		if ch.Action == ActionReturn {
			if ch.Reason == "" {
				return Entry{}, History{}, apperr.New(apperr.Invalid, KeyReasonRequired, ind.Code)
			}
			e.State, e.Reason = StateReturned, ch.Reason
			break
		}
		if e.Accepted == nil || *e.Accepted != e.Value {
			h.OldAccepted = e.Accepted
			v := e.Value
			h.NewAccepted = &v
			e.Accepted = &v
		}
		e.State = StateAccepted
		if ch.Reason != "" {
			h.Reason = ch.Reason
		} else {
			h.Reason = e.Reason
		}
	default:
		return Entry{}, History{}, apperr.New(apperr.Invalid, KeyTransition, ind.Code, string(ch.Action), string(from))
	}
	h.To, h.Value, h.Revision = e.State, e.Value, e.Revision
	e.UpdatedBy, e.UpdatedAt = a.Username, now
	return e, h, nil
}
