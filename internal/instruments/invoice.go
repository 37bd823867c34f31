package instruments

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Invoicing of fees (结算单, issue 9 item 4): the owning unit bills one or
// several usage-confirmed orders of one customer on one invoice, numbered
// per unit and year. Issuing moves the orders to invoiced, marking the
// invoice paid moves them to paid, voiding an unpaid invoice returns them
// to usage confirmed: each in the invoice's transaction, each order with
// its event (and so its notifications).
//
// A late cancellation's or a no-show's fee (Order.Penalty, frozen when
// it happens) is billed the same way on a line of its own kind; the
// order stays cancelled or no-show and its FeeState moves instead
// (order.go). Vouchers never cover a fee: its line's voucher is 0.

// InvoiceState is an invoice's state.
type InvoiceState string

// Invoice states: issued → paid, or issued → voided.
const (
	InvoiceIssued InvoiceState = "issued"
	InvoicePaid   InvoiceState = "paid"
	InvoiceVoided InvoiceState = "voided"
)

// Order event kinds written by invoices besides the state changes (the
// notification routing is keyed by them).
const (
	// EventInvoiceVoided returns an invoiced order to usage confirmed.
	EventInvoiceVoided = "invoice_voided"
	// EventFeeInvoiced and EventFeePaid move a cancelled or no-show
	// order's fee; the voided invoice's event returns it to unbilled.
	EventFeeInvoiced = "fee_invoiced"
	EventFeePaid     = "fee_paid"
)

// LineKind is what an invoice line bills.
type LineKind string

// Line kinds: an order's usage charge, or the fee of a late
// cancellation or of a no-show.
const (
	LineCharge       LineKind = "charge"
	LineCancellation LineKind = "cancellation_fee"
	LineNoShow       LineKind = "no_show_fee"
)

// LineKinds lists the line kinds.
var LineKinds = []LineKind{LineCharge, LineCancellation, LineNoShow}

// Fee reports whether the line bills a cancellation or no-show fee.
func (k LineKind) Fee() bool { return k == LineCancellation || k == LineNoShow }

// InvoiceLine is one order on an invoice, with its amounts as billed.
type InvoiceLine struct {
	OrderID         int64
	Kind            LineKind
	InstrumentID    int64
	InstrumentName  string // as the store reads it
	ItemID          int64
	Mode            Mode
	Start           time.Time // zero for sample sending
	ChargeUnit      ChargeUnit
	UnitPrice       unit.Fen // frozen on the order
	BillableMinutes int
	BookedMinutes   int // what a fee is a share of
	Samples         int
	Amount          unit.Fen // the order's charge, or its fee
	Voucher         unit.Fen // covered by an innovation voucher
	Due             unit.Fen // Amount − Voucher: what the customer pays
}

// Invoice bills a customer's usage-confirmed orders at one unit.
type Invoice struct {
	ID           int64
	Number       string // unique: prefix-unit-year-sequence
	Prefix       string // the instance's identifier prefix, for Number
	UnitID       int64
	Year         int // the issuing year (local time), the numbering's scope
	Seq          int
	CustomerID   int64
	EnterpriseID int64
	State        InvoiceState
	Amount       unit.Fen // the lines' sum
	Voucher      unit.Fen
	Due          unit.Fen
	Penalty      unit.Fen // of Amount, the fee lines' sum
	Orders       int      // the lines' count, also when Lines is not read
	Note         string
	IssuedBy     int64
	IssuedAt     time.Time
	PaidBy       int64
	PaidAt       time.Time
	VoidedBy     int64
	VoidedAt     time.Time
	VoidReason   string
	Lines        []InvoiceLine
	CustomerName string // as the store reads it
	UnitName     string
}

// InvoiceFilter narrows an invoice list: a customer's (CustomerID), a
// unit's (UnitID), or all when both are 0.
type InvoiceFilter struct {
	CustomerID int64
	UnitID     int64
	State      InvoiceState
	Limit      int
}

// InvoiceStore is the storage of invoices.
type InvoiceStore interface {
	// IssueInvoice locks the orders, lets plan build the invoice from
	// them as stored, numbers it within its unit and year, writes it
	// with its lines and moves the orders to invoiced, with their events,
	// in one transaction. An order already on a live invoice is a
	// Conflict, whatever plan says.
	IssueInvoice(ctx context.Context, orderIDs []int64, actorID int64, plan func(os []Order) (Invoice, error)) (Invoice, error)
	// ChangeInvoice moves an invoice through fn (paid or voided) and its
	// orders with it, in one transaction under the invoice's lock.
	ChangeInvoice(ctx context.Context, id, actorID int64, fn func(inv Invoice, os []Order) (Invoice, error)) (Invoice, error)
	Invoice(ctx context.Context, id int64) (Invoice, error)
	// InvoiceOfOrder is the live (issued or paid) invoice holding an
	// order (NotFound when none).
	InvoiceOfOrder(ctx context.Context, orderID int64) (Invoice, error)
	Invoices(ctx context.Context, f InvoiceFilter) ([]Invoice, error)
}

// MaxInvoiceOrders bounds the orders of one invoice.
const MaxInvoiceOrders = 200

// LineOf is an order's invoice line: a usage-confirmed order's charge as
// fixed at usage confirmation (the frozen unit price times the billable
// time or the samples) less the voucher's share; a cancelled or no-show
// order's fee as frozen then, which no voucher covers.
func LineOf(o Order) InvoiceLine {
	l := InvoiceLine{OrderID: o.ID, Kind: LineCharge, InstrumentID: o.InstrumentID, ItemID: o.ItemID, Mode: o.Mode, Start: o.Start, ChargeUnit: o.ChargeUnit,
		UnitPrice: o.UnitPrice, BillableMinutes: o.BillableMinutes, BookedMinutes: o.BookedMinutes, Samples: o.Samples, Amount: o.Amount,
		Voucher: o.VoucherAmount, Due: o.Amount - o.VoucherAmount}
	if o.HasFee() {
		l.Kind, l.Amount, l.Voucher, l.Due = LineCancellation, o.Penalty, 0, o.Penalty
		if o.State == NoShow {
			l.Kind = LineNoShow
		}
	}
	return l
}

// billable reports whether an order may go on a new invoice: usage
// confirmed, or a fee the fee machine lets invoice.
func billable(o Order) bool {
	if o.State == UsageConfirmed {
		return true
	}
	_, err := StepFee(o, OrderInvoice, Manager)
	return err == nil
}

// PlanInvoice builds an invoice of orders: every one usage confirmed or
// with an unbilled fee, of one customer and one unit (unitOf names each
// order's unit). The totals are the lines' sums.
func PlanInvoice(os []Order, unitOf func(Order) int64) (Invoice, error) {
	if len(os) == 0 || len(os) > MaxInvoiceOrders {
		return Invoice{}, apperr.New(apperr.Invalid, "instruments.err.invoice_orders", MaxInvoiceOrders)
	}
	inv := Invoice{State: InvoiceIssued, CustomerID: os[0].UserID, EnterpriseID: os[0].EnterpriseID, UnitID: unitOf(os[0])}
	seen := map[int64]bool{}
	for _, o := range os {
		if seen[o.ID] {
			return Invoice{}, apperr.New(apperr.Invalid, "instruments.err.invoice_repeated", o.ID)
		}
		seen[o.ID] = true
		if !billable(o) {
			return Invoice{}, apperr.New(apperr.Conflict, "instruments.err.invoice_state", o.ID, string(o.State))
		}
		if o.UserID != inv.CustomerID || unitOf(o) != inv.UnitID {
			return Invoice{}, apperr.New(apperr.Invalid, "instruments.err.invoice_customer")
		}
		l := LineOf(o)
		inv.Lines = append(inv.Lines, l)
		inv.Amount += l.Amount
		inv.Voucher += l.Voucher
		inv.Due += l.Due
		if l.Kind.Fee() {
			inv.Penalty += l.Amount
		}
	}
	return inv, nil
}

// InvoiceNumber is the printed number of the seq-th invoice of a unit in
// a year.
func InvoiceNumber(prefix string, unitID int64, year, seq int) string {
	return fmt.Sprintf("%s-%d-%d-%04d", strings.ToUpper(prefix), unitID, year, seq)
}

// Numbered sets the invoice's sequence in its unit and year, and so its
// number.
func (inv Invoice) Numbered(seq int) Invoice {
	inv.Seq, inv.Number = seq, InvoiceNumber(inv.Prefix, inv.UnitID, inv.Year, seq)
	return inv
}

// InvoiceRequest asks to bill orders.
type InvoiceRequest struct {
	OrderIDs []int64
	Note     string
}

// IssueInvoice bills orders of one customer: whoever manages every
// order's instrument (its managers, its unit's administrator).
func (s *Service) IssueInvoice(ctx context.Context, a Actor, req InvoiceRequest) (Invoice, error) {
	req.Note = strings.TrimSpace(req.Note)
	if utf8.RuneCountInString(req.Note) > MaxReplyRunes {
		return Invoice{}, apperr.New(apperr.Invalid, "instruments.err.invoice_note")
	}
	if len(req.OrderIDs) == 0 || len(req.OrderIDs) > MaxInvoiceOrders {
		return Invoice{}, apperr.New(apperr.Invalid, "instruments.err.invoice_orders", MaxInvoiceOrders)
	}
	// Who may bill is checked on the orders as stored before the
	// transaction; their state is checked again inside it.
	units := map[int64]int64{}
	for _, id := range req.OrderIDs {
		o, err := s.store.Order(ctx, id)
		if err != nil {
			return Invoice{}, err
		}
		d, err := s.store.InstrumentDetail(ctx, o.InstrumentID)
		if err != nil {
			return Invoice{}, err
		}
		ok, err := s.manages(ctx, a, d)
		if err != nil {
			return Invoice{}, err
		}
		if !ok {
			if o.UserID == a.UserID || a.Operator {
				return Invoice{}, apperr.New(apperr.Forbidden, "instruments.err.invoice_actor")
			}
			return Invoice{}, apperr.New(apperr.NotFound, "instruments.err.no_order")
		}
		units[o.InstrumentID] = d.UnitID
	}
	now := s.now()
	return s.store.IssueInvoice(ctx, req.OrderIDs, a.UserID, func(os []Order) (Invoice, error) {
		inv, err := PlanInvoice(os, func(o Order) int64 { return units[o.InstrumentID] })
		if err != nil {
			return inv, err
		}
		inv.Note, inv.IssuedBy, inv.IssuedAt, inv.Year, inv.Prefix = req.Note, a.UserID, now, now.In(Zone).Year(), s.prefix
		return inv, nil
	})
}

// staffOf reports whether a is staff of the invoice's unit: its
// administrator, or a manager of one of its instruments on it.
func (s *Service) staffOf(ctx context.Context, a Actor, inv Invoice) (bool, error) {
	if !a.UnitAdmin && !a.Manager {
		return false, nil
	}
	m, err := s.store.SharingMember(ctx, a.UserID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	if err == nil && m.UnitID == inv.UnitID {
		return true, nil
	}
	// A manager assigned to an instrument on the invoice, as IssueInvoice
	// lets bill it, need not be a member of the unit.
	seen := map[int64]bool{}
	for _, l := range inv.Lines {
		if seen[l.InstrumentID] {
			continue // lines of one instrument: read it once
		}
		seen[l.InstrumentID] = true
		d, err := s.store.InstrumentDetail(ctx, l.InstrumentID)
		if err != nil {
			return false, err
		}
		if ok, err := s.manages(ctx, a, d); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// Invoice reads an invoice its customer, its unit's staff or the
// operator may see (NotFound for anyone else).
func (s *Service) Invoice(ctx context.Context, a Actor, id int64) (Invoice, error) {
	inv, err := s.store.Invoice(ctx, id)
	if err != nil {
		return inv, err
	}
	if inv.CustomerID == a.UserID || a.Operator {
		return inv, nil
	}
	ok, err := s.staffOf(ctx, a, inv)
	if err != nil {
		return Invoice{}, err
	}
	if !ok {
		return Invoice{}, apperr.New(apperr.NotFound, "instruments.err.no_invoice")
	}
	return inv, nil
}

// InvoicesOf lists the invoices the actor may see: the operator all, a
// unit's staff (unit true) their unit's, anyone else their own.
func (s *Service) InvoicesOf(ctx context.Context, a Actor, unitView bool, state InvoiceState) ([]Invoice, error) {
	f := InvoiceFilter{CustomerID: a.UserID, State: state, Limit: 500}
	switch {
	case unitView && a.Operator:
		f.CustomerID = 0
	case unitView && (a.UnitAdmin || a.Manager):
		m, err := s.store.SharingMember(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		f = InvoiceFilter{UnitID: m.UnitID, State: state, Limit: 500}
	case unitView:
		return nil, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	return s.store.Invoices(ctx, f)
}

// PayInvoice records the payment of an issued invoice (its unit's staff,
// who receive it); its orders become paid.
func (s *Service) PayInvoice(ctx context.Context, a Actor, id int64) (Invoice, error) {
	if err := s.invoiceStaff(ctx, a, id); err != nil {
		return Invoice{}, err
	}
	now := s.now()
	return s.store.ChangeInvoice(ctx, id, a.UserID, func(inv Invoice, os []Order) (Invoice, error) {
		if inv.State != InvoiceIssued {
			return inv, apperr.New(apperr.Conflict, "instruments.err.invoice_not_issued", string(inv.State))
		}
		for _, o := range os {
			if o.State != Invoiced && !(o.HasFee() && o.FeeState == FeeInvoiced) {
				return inv, apperr.New(apperr.Conflict, "instruments.err.invoice_order_state", o.ID, string(o.State))
			}
		}
		inv.State, inv.PaidBy, inv.PaidAt = InvoicePaid, a.UserID, now
		return inv, nil
	})
}

// VoidInvoice cancels an unpaid invoice with a reason (its unit's staff);
// its invoiced orders return to usage confirmed and its fees to unbilled,
// and may be billed again. A disputed order stays disputed.
func (s *Service) VoidInvoice(ctx context.Context, a Actor, id int64, reason string) (Invoice, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReplyRunes {
		return Invoice{}, apperr.New(apperr.Invalid, "instruments.err.invoice_reason")
	}
	if err := s.invoiceStaff(ctx, a, id); err != nil {
		return Invoice{}, err
	}
	now := s.now()
	return s.store.ChangeInvoice(ctx, id, a.UserID, func(inv Invoice, _ []Order) (Invoice, error) {
		if inv.State != InvoiceIssued {
			return inv, apperr.New(apperr.Conflict, "instruments.err.invoice_not_issued", string(inv.State))
		}
		inv.State, inv.VoidedBy, inv.VoidedAt, inv.VoidReason = InvoiceVoided, a.UserID, now, reason
		return inv, nil
	})
}

// invoiceStaff refuses anyone but the invoice's unit staff: its customer
// and the operator see it (Forbidden), others do not (NotFound).
func (s *Service) invoiceStaff(ctx context.Context, a Actor, id int64) error {
	inv, err := s.Invoice(ctx, a, id)
	if err != nil {
		return err
	}
	ok, err := s.staffOf(ctx, a, inv)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "instruments.err.invoice_actor")
	}
	return nil
}

// NextOrderState is where an invoice's change moves its order: paid
// from invoiced, usage confirmed from invoiced on a void; ok false
// leaves it (a disputed order on a voided invoice).
func NextOrderState(to InvoiceState, o Order) (OrderState, bool) {
	if o.State != Invoiced {
		return o.State, false
	}
	switch to {
	case InvoicePaid:
		return Paid, true
	case InvoiceVoided:
		return UsageConfirmed, true
	}
	return o.State, false
}

// NextFeeState is where an invoice's change moves a cancelled or no-show
// order's fee: paid from invoiced, unbilled from invoiced on a void; ok
// false leaves it.
func NextFeeState(to InvoiceState, o Order) (FeeState, bool) {
	if !o.HasFee() || o.FeeState != FeeInvoiced {
		return o.FeeState, false
	}
	switch to {
	case InvoicePaid:
		return FeePaid, true
	case InvoiceVoided:
		return FeeUnbilled, true
	}
	return o.FeeState, false
}

// InvoiceStaff reports whether a is staff of the invoice's unit, who may
// mark it paid or void it.
func (s *Service) InvoiceStaff(ctx context.Context, a Actor, inv Invoice) (bool, error) {
	return s.staffOf(ctx, a, inv)
}
