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

// Fees on invoices (issue 9): a late cancellation's and a no-show's fee,
// frozen on the order, is billed on a line of its own kind that no
// voucher covers; a fee-free cancellation has nothing to bill; the order
// stays cancelled or no-show while its fee moves invoiced → paid (back
// to unbilled on a void); four racing invoices of a fee yield one.
func TestInstrumentFeeInvoices(t *testing.T) {
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
		// A usage-confirmed hour for the firm (¥300, half on the voucher).
		used := m.confirmedOrders(t, m.firm, d.ID, hourly, 7, 60)[0]
		if used.VoucherAmount != 150*unit.Yuan {
			t.Fatalf("voucher share %d", used.VoucherAmount)
		}
		book := func(day, h0, h1 int, actions ...string) instruments.Order {
			t.Helper()
			d0 := time.Date(2026, 12, day, 0, 0, 0, 0, instruments.Zone)
			o, err := m.svc.Book(ctx, m.firm, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly,
				Start: d0.Add(time.Duration(h0) * time.Hour), End: d0.Add(time.Duration(h1) * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range actions {
				if o, err = m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: a}); err != nil {
					t.Fatalf("%s: %v", a, err)
				}
			}
			return o
		}
		free := book(10, 9, 10, instruments.OrderApprove)
		late := book(11, 9, 11, instruments.OrderApprove)
		absent := book(12, 14, 17, instruments.OrderApprove, instruments.OrderSchedule)
		// Cancelling 48 h ahead is free (24 h free, booking_rules.json);
		// 23 h ahead costs 20 % of 2 h × ¥300 = ¥120.
		m.now = free.Start.Add(-48 * time.Hour)
		if c, err := m.svc.Act(ctx, m.firm, free.ID, instruments.ActRequest{Action: instruments.OrderCancel}); err != nil || c.Penalty != 0 {
			t.Fatalf("free cancellation: %+v %v", c, err)
		}
		m.now = late.Start.Add(-23 * time.Hour)
		if c, err := m.svc.Act(ctx, m.firm, late.ID, instruments.ActRequest{Action: instruments.OrderCancel}); err != nil || c.Penalty != 120*unit.Yuan {
			t.Fatalf("late cancellation: %+v %v", c, err)
		}
		// A no-show costs the full booked price: 3 h × ¥300 = ¥900.
		m.now = absent.Start.Add(time.Hour)
		if c, err := m.svc.Act(ctx, m.manager, absent.ID, instruments.ActRequest{Action: instruments.OrderNoShow}); err != nil || c.Penalty != 900*unit.Yuan {
			t.Fatalf("no-show: %+v %v", c, err)
		}

		// The fee-free cancellation has no line: alone or with others it
		// is refused, and nothing is written.
		if _, err := m.svc.IssueInvoice(ctx, m.manager, instruments.InvoiceRequest{OrderIDs: []int64{free.ID}}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("fee-free cancellation: %v", err)
		}
		if _, err := m.svc.IssueInvoice(ctx, m.manager, instruments.InvoiceRequest{OrderIDs: []int64{late.ID, free.ID}}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("with a fee-free cancellation: %v", err)
		}
		var lines int
		if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM instrument_invoice_line`).Scan(&lines); err != nil || lines != 0 {
			t.Fatalf("%d lines after refusals (%v)", lines, err)
		}
		// The customer does not bill their own fee.
		if _, err := m.svc.IssueInvoice(ctx, m.firm, instruments.InvoiceRequest{OrderIDs: []int64{late.ID}}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("customer billing a fee: %v", err)
		}

		inv, err := m.svc.IssueInvoice(ctx, m.manager, instruments.InvoiceRequest{OrderIDs: []int64{used.ID, late.ID, absent.ID}})
		if err != nil {
			t.Fatal(err)
		}
		// ¥300 + ¥120 + ¥900; the voucher pays ¥150 of the usage only.
		if inv.Amount != 1_320*unit.Yuan || inv.Voucher != 150*unit.Yuan || inv.Due != 1_170*unit.Yuan || inv.Penalty != 1_020*unit.Yuan {
			t.Fatalf("totals %+v", inv)
		}
		stored, err := m.svc.Invoice(ctx, m.firm, inv.ID)
		if err != nil || stored.Penalty != 1_020*unit.Yuan || len(stored.Lines) != 3 {
			t.Fatalf("%+v %v", stored, err)
		}
		want := map[int64]struct {
			kind          instruments.LineKind
			amount, vouch unit.Fen
			booked        int
		}{used.ID: {instruments.LineCharge, 300 * unit.Yuan, 150 * unit.Yuan, 60}, late.ID: {instruments.LineCancellation, 120 * unit.Yuan, 0, 120},
			absent.ID: {instruments.LineNoShow, 900 * unit.Yuan, 0, 180}}
		for _, l := range stored.Lines {
			w := want[l.OrderID]
			if l.Kind != w.kind || l.Amount != w.amount || l.Voucher != w.vouch || l.Due != w.amount-w.vouch || l.BookedMinutes != w.booked {
				t.Fatalf("line %+v, want %+v", l, w)
			}
		}
		check := func(id int64, state instruments.OrderState, fee instruments.FeeState) {
			t.Helper()
			o, err := st.Order(ctx, id)
			if err != nil || o.State != state || o.FeeState != fee {
				t.Fatalf("order %d: %s/%q, want %s/%q (%v)", id, o.State, o.FeeState, state, fee, err)
			}
		}
		check(used.ID, instruments.Invoiced, instruments.FeeUnbilled)
		check(late.ID, instruments.Cancelled, instruments.FeeInvoiced)
		check(absent.ID, instruments.NoShow, instruments.FeeInvoiced)
		if n := countNotes(t, st, m.firm.UserID, "order."+instruments.EventFeeInvoiced); n != 2 {
			t.Fatalf("%d fee notifications", n)
		}
		if _, err := m.svc.IssueInvoice(ctx, m.manager, instruments.InvoiceRequest{OrderIDs: []int64{late.ID}}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("a fee billed twice: %v", err)
		}

		// Voiding frees the fees; four racing invoices of them yield one.
		if _, err := m.svc.VoidInvoice(ctx, m.manager, inv.ID, "分开开具"); err != nil {
			t.Fatal(err)
		}
		check(used.ID, instruments.UsageConfirmed, instruments.FeeUnbilled)
		check(late.ID, instruments.Cancelled, instruments.FeeUnbilled)
		check(absent.ID, instruments.NoShow, instruments.FeeUnbilled)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = m.svc.IssueInvoice(ctx, m.manager, instruments.InvoiceRequest{OrderIDs: []int64{late.ID, absent.ID}})
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
		if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM instrument_invoice_line WHERE order_id IN ($1, $2) AND live = 1`, late.ID, absent.ID).Scan(&live); err != nil || ok != 1 || live != 2 {
			t.Fatalf("%d invoices succeeded, %d live lines (%v)", ok, live, err)
		}
		fees, err := st.InvoiceOfOrder(ctx, late.ID)
		if err != nil || fees.Amount != 1_020*unit.Yuan || fees.Voucher != 0 || fees.Due != 1_020*unit.Yuan || fees.Penalty != fees.Amount {
			t.Fatalf("%+v %v", fees, err)
		}

		// Payment through the order action: the customer may not, the
		// unit may; the orders stay cancelled and no-show, their fees paid.
		if _, err := m.svc.Act(ctx, m.firm, late.ID, instruments.ActRequest{Action: instruments.OrderPay}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("customer paying a fee: %v", err)
		}
		if _, err := m.svc.Act(ctx, m.manager, late.ID, instruments.ActRequest{Action: instruments.OrderPay}); err != nil {
			t.Fatal(err)
		}
		check(late.ID, instruments.Cancelled, instruments.FeePaid)
		check(absent.ID, instruments.NoShow, instruments.FeePaid)
		if p, _ := st.Invoice(ctx, fees.ID); p.State != instruments.InvoicePaid {
			t.Fatalf("%+v", p)
		}
		if n := countNotes(t, st, m.firm.UserID, "order."+instruments.EventFeePaid); n != 2 {
			t.Fatalf("%d fee-paid notifications", n)
		}
		// A paid fee is billed no more; the fee-free order cannot be
		// invoiced through the order action either.
		for _, id := range []int64{late.ID, free.ID} {
			if _, err := m.svc.Act(ctx, m.manager, id, instruments.ActRequest{Action: instruments.OrderInvoice}); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("invoicing order %d again: %v", id, err)
			}
		}
	})
}
