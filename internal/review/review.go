// Package review is the review workflow shared by every kind of reported
// data (an enterprise's monthly report, a department's indicator values):
// the states a submission passes through, the actions that move it, the
// capability each action needs, and the lock of a published period. It is
// pure: callers decide which capabilities a user holds on one submission
// (role permission and data scope together) and whether its period is
// locked, then ask Apply.
package review

import (
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// State is where a submission stands.
type State string

// The states. Missing is not stored: it is a period without a submission
// (未填).
const (
	Missing   State = "missing"   // 未填
	Draft     State = "draft"     // 草稿
	Submitted State = "submitted" // 已报, awaiting review
	Returned  State = "returned"  // 退回, with a reason
	Accepted  State = "accepted"  // 已审: the data counts
)

// States lists every state in display order.
var States = []State{Missing, Draft, Submitted, Returned, Accepted}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// Action moves a submission.
type Action string

// The actions.
const (
	Save   Action = "save"   // keep a draft
	Submit Action = "submit" // hand in for review
	Return Action = "return" // send back with a reason
	Accept Action = "accept" // pass: the values become the accepted data
	// Record is a reviewer entering data and accepting it in one step
	// (a district's or the city's file import). The rules still run.
	Record Action = "record"
)

// Actions lists every action.
var Actions = []Action{Save, Submit, Return, Accept, Record}

// Capability is what a user may do to one submission: the caller derives
// it from the user's permissions and data scope.
type Capability int

// Capabilities, combinable as a bit set.
const (
	// Fill: the owner of the data (the enterprise itself, the department).
	Fill Capability = 1 << iota
	// Review: a reviewer whose scope covers the submission (district
	// officer for the district's firms, city staff for all).
	Review
	// Publish: may lock periods and decide revisions of locked periods
	// (city).
	Publish
)

// Has reports whether c includes all of want.
func (c Capability) Has(want Capability) bool { return c&want == want }

// transition is one row of the state machine.
type transition struct {
	from []State
	to   State
	need Capability
	// needLocked is the capability required instead of need when the
	// period is locked; 0 means the action is refused on a locked period.
	needLocked Capability
}

// machine is the state machine as data. On a locked period a submission
// is a revision request: the owner may still draft and submit it (with a
// reason), and only a publisher decides it.
var machine = map[Action]transition{
	Save:   {from: []State{Missing, Draft, Returned, Accepted}, to: Draft, need: Fill, needLocked: Fill},
	Submit: {from: []State{Missing, Draft, Returned, Accepted}, to: Submitted, need: Fill, needLocked: Fill},
	Return: {from: []State{Submitted}, to: Returned, need: Review, needLocked: Publish},
	Accept: {from: []State{Submitted}, to: Accepted, need: Review, needLocked: Publish},
	Record: {from: []State{Missing, Draft, Submitted, Returned, Accepted}, to: Accepted, need: Review},
}

// Apply returns the state after action, or a typed error: apperr.Forbidden
// when caps lack what the action needs, apperr.Conflict when the action is
// not allowed from the current state or on a locked period.
func Apply(from State, action Action, caps Capability, locked bool) (State, error) {
	t, ok := machine[action]
	if !ok {
		return from, apperr.New(apperr.Invalid, "review.err.action", string(action))
	}
	need := t.need
	if locked {
		if t.needLocked == 0 {
			return from, ErrLocked()
		}
		need = t.needLocked
	}
	if !caps.Has(need) {
		return from, apperr.New(apperr.Forbidden, "review.err.forbidden", string(action))
	}
	for _, s := range t.from {
		if s == from {
			return t.to, nil
		}
	}
	return from, apperr.New(apperr.Conflict, "review.err.transition", string(action), string(from))
}

// Allowed lists the actions caps may take from a state, for showing
// buttons.
func Allowed(from State, caps Capability, locked bool) []Action {
	var out []Action
	for _, a := range Actions {
		if _, err := Apply(from, a, caps, locked); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// NeedsReason reports whether an action must carry a reason: a return
// always, anything on a locked period (a revision) too.
func NeedsReason(a Action, locked bool) bool {
	return a == Return || (locked && (a == Submit || a == Accept || a == Record))
}

// ErrLocked is the typed error for a write to a published period.
func ErrLocked() *apperr.Error {
	return apperr.New(apperr.Conflict, "review.err.locked")
}

// Period names a reporting period of a domain. Month 0 is a whole year
// (yearly departmental indicators).
type Period struct {
	Year  int `json:"year"`
	Month int `json:"month"`
}

// String renders YYYY-MM, or YYYY for a year.
func (p Period) String() string {
	if p.Month == 0 {
		return fmt.Sprintf("%04d", p.Year)
	}
	return fmt.Sprintf("%04d-%02d", p.Year, p.Month)
}

// Domain names what a lock or an event is about, so one table serves
// every kind of reported data.
type Domain string

// MonthlyReport is the domain of enterprises' monthly reports.
const MonthlyReport Domain = "monthly_report"

// Lock is a published period: writes to it become revision requests.
type Lock struct {
	Domain   Domain    `json:"domain"`
	Period   Period    `json:"period"`
	LockedAt time.Time `json:"locked_at"`
	LockedBy int64     `json:"locked_by"`
	Note     string    `json:"note"`
}

// Event is one step of a submission's history: who did what when, the
// state before and after, the reason, and for a change to accepted data
// the values before and after (as JSON the domain chooses).
type Event struct {
	Domain    Domain    `json:"domain"`
	Subject   string    `json:"subject"` // the submission's key within the domain, e.g. an enterprise id
	Period    Period    `json:"period"`
	Action    Action    `json:"action"`
	From      State     `json:"from"`
	To        State     `json:"to"`
	Revision  bool      `json:"revision"` // on a locked period
	ActorID   int64     `json:"actor_id"`
	At        time.Time `json:"at"`
	Reason    string    `json:"reason"`
	OldValues string    `json:"old_values,omitempty"`
	NewValues string    `json:"new_values,omitempty"`
}
