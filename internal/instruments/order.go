package instruments

import (
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

// OrderState is a step of an order.
type OrderState string

// Order states. The main line runs submitted → approved → scheduled → in
// progress → completed → usage confirmed → invoiced → paid → rated →
// closed; the side exits are rejected, cancelled, no-show, voided and
// disputed.
const (
	Submitted      OrderState = "submitted"
	Approved       OrderState = "approved"
	Rejected       OrderState = "rejected"
	Scheduled      OrderState = "scheduled"
	InProgress     OrderState = "in_progress"
	Completed      OrderState = "completed"
	UsageConfirmed OrderState = "usage_confirmed"
	Invoiced       OrderState = "invoiced"
	Paid           OrderState = "paid"
	Rated          OrderState = "rated"
	Closed         OrderState = "closed"
	Cancelled      OrderState = "cancelled"
	NoShow         OrderState = "no_show"
	Voided         OrderState = "voided"
	Disputed       OrderState = "disputed"
)

// OrderStates lists every state.
var OrderStates = []OrderState{Submitted, Approved, Rejected, Scheduled, InProgress, Completed, UsageConfirmed,
	Invoiced, Paid, Rated, Closed, Cancelled, NoShow, Voided, Disputed}

// Party is who acts on an order: the customer who placed it, a manager of
// the instrument (or an administrator of its unit), or the platform
// operator (the science bureau).
type Party string

// Parties.
const (
	Customer Party = "customer"
	Manager  Party = "manager"
	Operator Party = "operator"
)

// Parties lists the parties.
var Parties = []Party{Customer, Manager, Operator}

// Order actions.
const (
	OrderApprove  = "approve"
	OrderReject   = "reject"
	OrderSchedule = "schedule"
	OrderStart    = "start"
	OrderComplete = "complete"
	OrderConfirm  = "confirm_usage"
	OrderInvoice  = "invoice"
	OrderPay      = "pay"
	OrderRate     = "rate"
	OrderClose    = "close"
	OrderCancel   = "cancel"
	OrderNoShow   = "no_show"
	OrderVoid     = "void"
	OrderDispute  = "dispute"
	OrderResolve  = "resolve"
)

// Transition is one allowed step of the order machine.
type Transition struct {
	Action string
	From   OrderState
	To     OrderState
	By     []Party
}

// Transitions is the order machine as data: any step not listed is
// refused.
var Transitions = []Transition{
	{OrderApprove, Submitted, Approved, []Party{Manager}},
	{OrderReject, Submitted, Rejected, []Party{Manager}},
	{OrderSchedule, Approved, Scheduled, []Party{Manager}},
	{OrderStart, Scheduled, InProgress, []Party{Manager}},
	{OrderComplete, InProgress, Completed, []Party{Manager}},
	{OrderConfirm, Completed, UsageConfirmed, []Party{Manager}},
	{OrderInvoice, UsageConfirmed, Invoiced, []Party{Manager}},
	// The unit that receives the money records it (through the
	// invoice, invoice.go).
	{OrderPay, Invoiced, Paid, []Party{Manager}},
	{OrderRate, Paid, Rated, []Party{Customer}},
	{OrderClose, Paid, Closed, []Party{Manager, Operator}},
	{OrderClose, Rated, Closed, []Party{Manager, Operator}},
	{OrderCancel, Submitted, Cancelled, []Party{Customer}},
	{OrderCancel, Approved, Cancelled, []Party{Customer}},
	{OrderCancel, Scheduled, Cancelled, []Party{Customer}},
	{OrderNoShow, Scheduled, NoShow, []Party{Manager}},
	{OrderVoid, Submitted, Voided, []Party{Manager, Operator}},
	{OrderVoid, Approved, Voided, []Party{Manager, Operator}},
	{OrderVoid, Scheduled, Voided, []Party{Manager, Operator}},
	{OrderDispute, UsageConfirmed, Disputed, []Party{Customer}},
	{OrderDispute, Invoiced, Disputed, []Party{Customer}},
	{OrderResolve, Disputed, UsageConfirmed, []Party{Operator}},
}

// FeeState is where the fee of a cancelled or no-show order
// (Order.Penalty) stands in billing. The order keeps its state — its
// cells stay free, statistics and violations count it as cancelled or
// no-show — and its fee moves on its own: unbilled → invoiced → paid,
// back to unbilled when its invoice is voided (NextFeeState).
type FeeState string

// Fee states.
const (
	FeeUnbilled FeeState = ""
	FeeInvoiced FeeState = "invoiced"
	FeePaid     FeeState = "paid"
)

// FeeStates lists the fee states.
var FeeStates = []FeeState{FeeUnbilled, FeeInvoiced, FeePaid}

// FeeTransition is one allowed step of a fee.
type FeeTransition struct {
	Action   string
	From, To FeeState
	By       []Party
}

// FeeTransitions is the fee machine as data, open only to an order that
// HasFee; like the order's own invoice and pay steps they are taken
// through invoices (invoice.go).
var FeeTransitions = []FeeTransition{
	{OrderInvoice, FeeUnbilled, FeeInvoiced, []Party{Manager}},
	{OrderPay, FeeInvoiced, FeePaid, []Party{Manager}},
}

// HasFee reports whether o is a cancelled or no-show order with a fee to
// bill: a fee-free cancellation has nothing to invoice.
func (o Order) HasFee() bool {
	return (o.State == Cancelled || o.State == NoShow) && o.Penalty > 0
}

// StepFee finds the step action takes on o's fee by party, refused as
// Step refuses: the wrong party is Forbidden, an order without a fee or
// a fee in the wrong state a Conflict.
func StepFee(o Order, action string, by Party) (FeeTransition, error) {
	if !o.HasFee() {
		return FeeTransition{}, apperr.New(apperr.Conflict, "instruments.err.order_state", string(o.State), action)
	}
	for _, t := range FeeTransitions {
		if t.Action != action || t.From != o.FeeState {
			continue
		}
		for _, p := range t.By {
			if p == by {
				return t, nil
			}
		}
		return FeeTransition{}, apperr.New(apperr.Forbidden, "instruments.err.order_party", action)
	}
	return FeeTransition{}, apperr.New(apperr.Conflict, "instruments.err.fee_state", string(o.FeeState), action)
}

// Releases reports whether reaching s frees the order's booked cells.
func Releases(s OrderState) bool {
	return s == Rejected || s == Cancelled || s == Voided
}

// Step finds the transition action takes from by party: a known step
// by the wrong party is Forbidden, a step the state does not allow is a
// Conflict.
func Step(from OrderState, action string, by Party) (Transition, error) {
	known := false
	for _, t := range Transitions {
		if t.Action != action {
			continue
		}
		known = true
		if t.From != from {
			continue
		}
		for _, p := range t.By {
			if p == by {
				return t, nil
			}
		}
		return Transition{}, apperr.New(apperr.Forbidden, "instruments.err.order_party", action)
	}
	if !known {
		return Transition{}, apperr.New(apperr.Invalid, "instruments.err.order_action", action)
	}
	return Transition{}, apperr.New(apperr.Conflict, "instruments.err.order_state", string(from), action)
}

// Order is a booking or a sample-sending request with its frozen price.
// Booked, actual and billable time are kept apart: the slot held, what
// the lab recorded, and what is charged.
type Order struct {
	ID              int64
	InstrumentID    int64
	ItemID          int64
	UserID          int64
	EnterpriseID    int64 // the customer's firm, for vouchers; 0 for other users
	Category        Category
	Mode            Mode
	State           OrderState
	Start, End      time.Time // the booked slot; zero for sample sending
	DueOn           string    // sample sending: the promised day
	Samples         int
	ChargeUnit      ChargeUnit
	UnitPrice       unit.Fen // frozen when the order is placed
	BookedMinutes   int
	ActualMinutes   int
	BillableMinutes int
	Amount          unit.Fen // fixed at usage confirmation
	VoucherAmount   unit.Fen // covered by an innovation voucher
	Note            string
	CreatedAt       time.Time
	Terms           OrderTerms // cancellation and no-show terms, frozen when placed
	Penalty         unit.Fen   // late-cancellation or no-show fee, fixed when it happens
	FeeState        FeeState   // the penalty's billing (invoice.go)
	Flag            string     // the kind of the last maintenance or outage window that hit the slot
	FlagNote        string     // and its note
}

// Usage is what the lab records when it confirms use.
type Usage struct {
	ActualMinutes   int
	BillableMinutes int // what is charged; defaults to the actual minutes
	Samples         int // per-sample items: the count measured
}

// ConfirmUsage fixes the order's time and amount from the recorded usage.
func (o Order) ConfirmUsage(u Usage) (Order, error) {
	if u.ActualMinutes < 0 || u.BillableMinutes < 0 || u.Samples < 0 {
		return o, apperr.New(apperr.Invalid, "instruments.err.usage")
	}
	o.ActualMinutes = u.ActualMinutes
	o.BillableMinutes = u.BillableMinutes
	if o.BillableMinutes == 0 {
		o.BillableMinutes = u.ActualMinutes
	}
	if u.Samples > 0 {
		o.Samples = u.Samples
	}
	o.Amount = Charge(o.ChargeUnit, o.UnitPrice, o.BillableMinutes, o.Samples)
	return o, nil
}
