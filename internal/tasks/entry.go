package tasks

import (
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/review"
)

// Domain is the review domain of departmental values: their locks and
// history share the review workflow's tables with the enterprises'
// monthly reports.
const Domain review.Domain = "department_indicator"

// Entry is a department's value of a yearly indicator for the city, under
// the shared review workflow (internal/review: 未填/草稿/已报/退回/已审).
// Value is the working copy; Accepted, when set, is the value that counts
// (the one the task tables and the 数读 panel read), which a later draft
// or revision does not change until it is accepted in turn.
type Entry struct {
	Indicator  string
	Year       int
	Department string
	Value      int64 // × Scale, the exact decimal entered
	Accepted   *int64
	State      review.State
	Note       string // the department's explanation
	Reason     string // why it was returned, or why a published value is revised
	Revision   bool   // a change to a published (locked) year
	UpdatedBy  int64
	UpdatedAt  time.Time
}

// Scale is the fixed-point scale of entered values: four decimals.
const Scale = 10_000

// Change is one step asked for on an entry: save and submit (by the
// department) read Value, return and accept (by the city) do not. Reason
// is required to return, and to change or decide a published year.
type Change struct {
	Indicator string
	Year      int
	Action    review.Action
	Value     *int64
	Note      string
	Reason    string
}

// Actor is who asks for a change: a department's user fills its own
// indicators; a city reviewer returns, accepts and publishes.
type Actor struct {
	UserID     int64
	Department string // "" for users of no department
	Enter      bool   // holds the entry permission
	Review     bool   // holds the review permission (city: review and publish)
}

// Caps are the review capabilities the actor holds on ind's values.
func (a Actor) Caps(ind indicator.Indicator) review.Capability {
	var c review.Capability
	if a.Enter && a.Department != "" && a.Department == ind.Department {
		c |= review.Fill
	}
	if a.Review {
		c |= review.Review | review.Publish
	}
	return c
}

// Message keys of refusals.
const (
	KeyNotDepartmental = "tasks.err.not_departmental"
	KeyOtherDepartment = "tasks.err.other_department"
	KeyValueRequired   = "tasks.err.value_required"
	KeyNegative        = "tasks.err.negative"
	KeyPercentRange    = "tasks.err.percent_range"
	KeyForbidden       = "tasks.err.forbidden"
	KeyUnknown         = "tasks.err.unknown_indicator"
	KeyNothingNew      = "tasks.err.nothing_new"
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

// Apply judges ch on the current entry cur (nil when never saved) of
// indicator ind, with locked saying whether the year is published, and
// returns the new entry and the review event to keep (ActorID, Period,
// old and new accepted values filled). It changes nothing when it
// refuses. The transitions and who may take them are review.Apply's.
func Apply(ind indicator.Indicator, cur *Entry, ch Change, a Actor, locked bool, now time.Time) (Entry, review.Event, error) {
	if !Departmental(ind) {
		return Entry{}, review.Event{}, apperr.New(apperr.Invalid, KeyNotDepartmental, ind.Code)
	}
	e := Entry{Indicator: ind.Code, Year: ch.Year, Department: ind.Department, State: review.Missing}
	if cur != nil {
		e = *cur
	}
	from := e.State
	if (ch.Action == review.Save || ch.Action == review.Submit) && !a.Caps(ind).Has(review.Fill) {
		// Name the department that owns the value rather than a bare refusal.
		return Entry{}, review.Event{}, apperr.New(apperr.Forbidden, KeyOtherDepartment, ind.Code, ind.Department)
	}
	to, err := review.Apply(from, ch.Action, a.Caps(ind), locked)
	if err != nil {
		return Entry{}, review.Event{}, err
	}
	if review.NeedsReason(ch.Action, locked) && ch.Reason == "" && !(ch.Action == review.Submit && e.Reason != "" && e.Revision) {
		return Entry{}, review.Event{}, apperr.New(apperr.Invalid, "review.err.reason")
	}
	ev := review.Event{Domain: Domain, Subject: ind.Code, Period: review.Period{Year: ch.Year}, Action: ch.Action, From: from, To: to,
		ActorID: a.UserID, At: now, Reason: ch.Reason}
	switch ch.Action {
	case review.Save, review.Submit:
		switch {
		case ch.Value != nil:
			if err := CheckValue(ind, *ch.Value); err != nil {
				return Entry{}, review.Event{}, err
			}
			if from == review.Missing || from == review.Accepted {
				// A new working copy: a revision when the year is published.
				e.Revision = locked
			}
			e.Value, e.Note = *ch.Value, ch.Note
		case from == review.Missing || ch.Action == review.Save:
			return Entry{}, review.Event{}, apperr.New(apperr.Invalid, KeyValueRequired, ind.Code)
		case from == review.Accepted:
			return Entry{}, review.Event{}, apperr.New(apperr.Conflict, KeyNothingNew, ind.Code)
		}
		if ch.Reason != "" {
			e.Reason = ch.Reason
		} else if from == review.Returned || from == review.Accepted {
			e.Reason = "" // the reviewer's reason was answered by this change
		}
		ev.NewValues = valueJSON(&e.Value)
	case review.Return:
		e.Reason = ch.Reason
	case review.Accept:
		if e.Accepted == nil || *e.Accepted != e.Value {
			ev.OldValues = valueJSON(e.Accepted)
			v := e.Value
			e.Accepted = &v
			ev.NewValues = valueJSON(&v)
		}
	default:
		// Record (a reviewer's one-step entry) is for files of enterprise
		// reports; a department's value is always entered by the department.
		return Entry{}, review.Event{}, apperr.New(apperr.Invalid, "review.err.action", string(ch.Action))
	}
	ev.Revision = e.Revision
	e.State, e.UpdatedBy, e.UpdatedAt = to, a.UserID, now
	return e, ev, nil
}

// valueJSON is the event's record of a value: {"value":"5.5"}, exact.
func valueJSON(v *int64) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf(`{"value":%q}`, FormatValue(*v))
}

// FormatValue renders a scaled value as its exact decimal, without
// trailing zeros.
func FormatValue(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	s := fmt.Sprintf("%s%d", sign, v/Scale)
	if f := v % Scale; f != 0 {
		frac := fmt.Sprintf("%04d", f)
		for frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		s += "." + frac
	}
	return s
}
