package sqlstore

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// confirmedOrders books n one-hour slots for a on consecutive December
// days and runs each to usage confirmed with the billable minutes given.
func (m *market) confirmedOrders(t *testing.T, a instruments.Actor, insID, item int64, firstDay int, billable ...int) []instruments.Order {
	t.Helper()
	ctx := context.Background()
	var out []instruments.Order
	for i, b := range billable {
		day := time.Date(2026, 12, firstDay+i, 9, 0, 0, 0, instruments.Zone)
		o, err := m.svc.Book(ctx, a, instruments.BookRequest{InstrumentID: insID, ItemID: item, Start: day, End: day.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []instruments.ActRequest{{Action: "approve"}, {Action: "schedule"}, {Action: "start"}, {Action: "complete"},
			{Action: instruments.OrderConfirm, Usage: instruments.Usage{ActualMinutes: 60, BillableMinutes: b}}} {
			if o, err = m.svc.Act(ctx, m.manager, o.ID, step); err != nil {
				t.Fatalf("%s: %v", step.Action, err)
			}
		}
		out = append(out, o)
	}
	return out
}

// Invoicing (issue 9 item 4): an invoice's totals are its orders'
// charges less their voucher shares; an order is on one live invoice at
// most, also when two invoices race; paying moves the orders to paid,
// voiding back to usage confirmed, each with events and notifications.
func TestInstrumentInvoices(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		d, hourly, _ := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", openRules(), 300*unit.Yuan)
		if err := m.svc.FundVouchers(ctx, m.operator, 2026, 5_000*unit.Yuan); err != nil {
			t.Fatal(err)
		}
		if err := m.svc.AllocateVoucher(ctx, m.operator, 42, 2026, 1_000*unit.Yuan); err != nil {
			t.Fatal(err)
		}
		// The firm: 60, 90 and 45 billable minutes at ¥300/h; the
		// researcher (another unit, ¥200/h): 120.
		fo := m.confirmedOrders(t, m.firm, d.ID, hourly, 7, 60, 90, 45)
		ro := m.confirmedOrders(t, m.researcher, d.ID, hourly, 14, 120)
		// The expected figures from the minutes and the rate, not from
		// the code: ¥300 + ¥450 + ¥225 = ¥975; the voucher covers half of
		// each (vouchers.json) within the firm's ¥1,000.
		wantAmount := 975 * unit.Yuan
		var wantVoucher unit.Fen
		for _, o := range fo {
			wantVoucher += o.VoucherAmount
		}
		if wantVoucher != 975*unit.Yuan/2 {
			t.Fatalf("voucher shares %d", wantVoucher)
		}

		// Refusals: the customer, another unit's user and the operator
		// cannot bill; orders of two customers do not share an invoice;
		// an order not yet usage confirmed is not billed.
		if _, err := m.svc.IssueInvoice(ctx, m.firm, instruments.InvoiceRequest{OrderIDs: []int64{fo[0].ID}}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("customer invoicing: %v", err)
		}
		if _, err := m.svc.IssueInvoice(ctx, m.researcher, instruments.InvoiceRequest{OrderIDs: []int64{fo[0].ID}}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("stranger invoicing: %v", err)
		}
		if _, err := m.svc.IssueInvoice(ctx, m.manager, instruments.InvoiceRequest{OrderIDs: []int64{fo[0].ID, ro[0].ID}}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("two customers: %v", err)
		}
		day := time.Date(2026, 12, 20, 9, 0, 0, 0, instruments.Zone)
		pending, err := m.svc.Book(ctx, m.firm, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: day, End: day.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.svc.IssueInvoice(ctx, m.manager, instruments.InvoiceRequest{OrderIDs: []int64{fo[0].ID, pending.ID}}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("submitted order: %v", err)
		}
		if o, _ := st.Order(ctx, fo[0].ID); o.State != instruments.UsageConfirmed {
			t.Fatalf("a refused invoice moved the order: %s", o.State)
		}

		inv, err := m.svc.IssueInvoice(ctx, m.admin, instruments.InvoiceRequest{OrderIDs: []int64{fo[0].ID, fo[1].ID, fo[2].ID}, Note: " 12月 "})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Amount != wantAmount || inv.Voucher != wantVoucher || inv.Due != wantAmount-wantVoucher || len(inv.Lines) != 3 || inv.Note != "12月" {
			t.Fatalf("%+v", inv)
		}
		if inv.Number != "CQ-"+strconv.FormatInt(m.uni.ID, 10)+"-2026-0001" || inv.CustomerID != m.firm.UserID || inv.EnterpriseID != 42 {
			t.Fatalf("number %s, customer %d", inv.Number, inv.CustomerID)
		}
		stored, err := m.svc.Invoice(ctx, m.firm, inv.ID)
		if err != nil || stored.Amount != wantAmount || len(stored.Lines) != 3 {
			t.Fatalf("%+v %v", stored, err)
		}
		var sum unit.Fen
		for _, l := range stored.Lines {
			sum += l.Due
		}
		if sum != stored.Due {
			t.Fatalf("lines %d, due %d", sum, stored.Due)
		}
		for _, o := range fo {
			if got, _ := st.Order(ctx, o.ID); got.State != instruments.Invoiced {
				t.Fatalf("order %d: %s", o.ID, got.State)
			}
		}
		// The customer is told of each invoiced order.
		if n := countNotes(t, st, m.firm.UserID, "order.invoiced"); n != 3 {
			t.Fatalf("%d invoiced notifications", n)
		}
		// An order on an invoice is not billed again.
		if _, err := m.svc.IssueInvoice(ctx, m.manager, instruments.InvoiceRequest{OrderIDs: []int64{fo[0].ID}}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second invoice: %v", err)
		}
		// Visibility: the customer and the unit see it; another unit's
		// researcher does not.
		if _, err := m.svc.Invoice(ctx, m.researcher, inv.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("stranger reading: %v", err)
		}
		if l, err := m.svc.InvoicesOf(ctx, m.manager, true, ""); err != nil || len(l) != 1 {
			t.Fatalf("unit list %d %v", len(l), err)
		}
		if l, err := m.svc.InvoicesOf(ctx, m.researcher, false, ""); err != nil || len(l) != 0 {
			t.Fatalf("researcher's own list %d %v", len(l), err)
		}

		// Void: the orders return to usage confirmed, the customer is
		// told, and they may be billed again under the next number.
		if _, err := m.svc.VoidInvoice(ctx, m.firm, inv.ID, "错开"); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("customer voiding: %v", err)
		}
		if _, err := m.svc.VoidInvoice(ctx, m.manager, inv.ID, " "); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("void without reason: %v", err)
		}
		if v, err := m.svc.VoidInvoice(ctx, m.manager, inv.ID, "金额有误"); err != nil || v.State != instruments.InvoiceVoided || v.VoidReason != "金额有误" {
			t.Fatalf("%+v %v", v, err)
		}
		for _, o := range fo {
			if got, _ := st.Order(ctx, o.ID); got.State != instruments.UsageConfirmed {
				t.Fatalf("order %d after void: %s", o.ID, got.State)
			}
		}
		if n := countNotes(t, st, m.firm.UserID, "order.invoice_voided"); n != 3 {
			t.Fatalf("%d void notifications", n)
		}
		if _, err := m.svc.PayInvoice(ctx, m.manager, inv.ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("paying a voided invoice: %v", err)
		}

		// Concurrent invoicing of the same order: one invoice.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = m.svc.IssueInvoice(ctx, m.manager, instruments.InvoiceRequest{OrderIDs: []int64{fo[0].ID, fo[1].ID}})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apperr.Is(err, apperr.Conflict):
				t.Fatalf("racing invoice: %v", err)
			}
		}
		var live int
		if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM instrument_invoice_line WHERE order_id = $1 AND live = 1`, fo[0].ID).Scan(&live); err != nil || ok != 1 || live != 1 {
			t.Fatalf("%d invoices succeeded, %d live lines (%v)", ok, live, err)
		}
		second, err := st.InvoiceOfOrder(ctx, fo[0].ID)
		if err != nil || second.Seq != 2 || second.Amount != 750*unit.Yuan {
			t.Fatalf("%+v %v", second, err)
		}

		// Pay through the order action (the unit records it): the whole
		// invoice is paid, the customer may rate.
		if _, err := m.svc.Act(ctx, m.firm, fo[1].ID, instruments.ActRequest{Action: instruments.OrderPay}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("customer paying: %v", err)
		}
		if _, err := m.svc.Act(ctx, m.manager, fo[2].ID, instruments.ActRequest{Action: instruments.OrderPay}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("paying an order not invoiced: %v", err)
		}
		if _, err := m.svc.Act(ctx, m.manager, fo[1].ID, instruments.ActRequest{Action: instruments.OrderPay}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{fo[0].ID, fo[1].ID} {
			if got, _ := st.Order(ctx, id); got.State != instruments.Paid {
				t.Fatalf("order %d after pay: %s", id, got.State)
			}
		}
		if p, _ := st.Invoice(ctx, second.ID); p.State != instruments.InvoicePaid || p.PaidBy != m.manager.UserID {
			t.Fatalf("%+v", p)
		}
		if _, err := m.svc.VoidInvoice(ctx, m.manager, second.ID, "晚了"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("voiding a paid invoice: %v", err)
		}
		// The one-order invoice of the per-order action.
		if _, err := m.svc.Act(ctx, m.manager, fo[2].ID, instruments.ActRequest{Action: instruments.OrderInvoice}); err != nil {
			t.Fatal(err)
		}
		third, err := st.InvoiceOfOrder(ctx, fo[2].ID)
		if err != nil || third.Seq != 3 || third.Amount != 225*unit.Yuan || len(third.Lines) != 1 {
			t.Fatalf("%+v %v", third, err)
		}
		// An order invoiced before invoices were stored (imported
		// history) is paid through the order machine alone.
		if _, err := st.write.ExecContext(ctx, `UPDATE instrument_order SET state = 'invoiced' WHERE id = $1`, ro[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := m.svc.Act(ctx, m.researcher, ro[0].ID, instruments.ActRequest{Action: instruments.OrderPay}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("customer paying a history order: %v", err)
		}
		if o, err := m.svc.Act(ctx, m.manager, ro[0].ID, instruments.ActRequest{Action: instruments.OrderPay}); err != nil || o.State != instruments.Paid {
			t.Fatalf("history order: %+v %v", o, err)
		}
	})
}

// countNotes counts a user's notifications of a kind.
func countNotes(t *testing.T, st *Store, userID int64, kind string) int {
	t.Helper()
	var n int
	if err := st.read.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM notification WHERE user_id = $1 AND kind = $2`, userID, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
