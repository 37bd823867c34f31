package demo

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// TestInstrumentServiceHistory reads the demo's service records and
// checks what the statistics need of them: orders of 2023–2025 in every
// state of the machine, actual time apart from booked and billable time,
// reviews, voucher redemptions that the ledger holds, and the service
// statistics equal to sums taken here directly over the records.
func TestInstrumentServiceHistory(t *testing.T) {
	t.Parallel()
	st := openLoadedSQLite(t)
	ctx := context.Background()
	svc := instruments.NewService(st, instruments.Options{})
	ins, err := st.UsageInstruments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unitOf := map[int64]int64{}
	for _, in := range ins {
		unitOf[in.ID] = in.UnitID
	}
	states := map[instruments.OrderState]int{}
	for _, y := range []int{2023, 2024, 2025} {
		y0, y1 := fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-01-01", y+1)
		orders, err := st.UsageOrders(ctx, y0, y1)
		if err != nil {
			t.Fatal(err)
		}
		var eff, ext int64
		var voucher unit.Fen
		apart, rated := 0, 0
		clients := map[int64]map[string]bool{}
		for _, o := range orders {
			states[o.State]++
			switch o.State {
			case instruments.UsageConfirmed, instruments.Invoiced, instruments.Paid, instruments.Rated, instruments.Closed, instruments.Disputed:
				eff += int64(o.Actual)
				if o.Category != instruments.Internal {
					ext += int64(o.Actual)
				}
				u := unitOf[o.InstrumentID]
				if clients[u] == nil {
					clients[u] = map[string]bool{}
				}
				clients[u][o.Client()] = true
				if o.Actual != o.Billable {
					apart++
				}
			default:
				if o.Actual != 0 {
					t.Errorf("order %d (%s) has %d actual minutes", o.ID, o.State, o.Actual)
				}
			}
			if o.Stars > 0 {
				rated++
			}
			voucher += o.Voucher
		}
		if len(orders) < 1000 || apart == 0 || rated == 0 || voucher == 0 {
			t.Errorf("%d: %d orders, %d with billable ≠ actual, %d rated, %d fen of vouchers", y, len(orders), apart, rated, voucher)
		}
		// The ledger holds what the orders say was redeemed.
		if b, err := st.VoucherBalance(ctx, instruments.RedeemedAccount("cqkjj", y)); err != nil || b != voucher {
			t.Errorf("%d: redeemed account %d, orders %d (%v)", y, b, voucher, err)
		}
		rep, err := svc.Usage(ctx, y, 10)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d: %d orders, %.0f effective h, %.0f external h, %d clients, %d reviews", y, len(orders), rep.Total.EffectiveHours(), rep.Total.ExternalHours(), rep.Total.Clients, rep.Total.Ratings)
		if rep.Total.EffectiveMinutes != eff || rep.Total.ExternalMinutes != ext || rep.Total.Instruments != 9288 {
			t.Errorf("%d: statistics %d/%d min over %d instruments, records %d/%d", y, rep.Total.EffectiveMinutes, rep.Total.ExternalMinutes, rep.Total.Instruments, eff, ext)
		}
		for _, u := range rep.ByUnit {
			var id int64
			for _, in := range ins {
				if in.UnitName == u.Label {
					id = in.UnitID
				}
			}
			if u.Clients != len(clients[id]) {
				t.Errorf("%d %s: %d clients, records %d", y, u.Label, u.Clients, len(clients[id]))
			}
		}
	}
	for _, s := range instruments.OrderStates {
		if states[s] == 0 {
			t.Errorf("no order in state %s", s)
		}
	}
}

// The demo's invoiced, paid, rated and closed orders are on invoices
// (billHistory): each such order on one, as many lines as those orders,
// each invoice's totals its lines' sums, a paid invoice's orders paid or
// later and an issued one's invoiced, numbers unique.
func TestInstrumentHistoryInvoices(t *testing.T) {
	t.Parallel()
	st := openLoadedSQLite(t)
	ctx := context.Background()
	orders, err := st.UsageOrders(ctx, "2022-01-01", "2027-01-01")
	if err != nil {
		t.Fatal(err)
	}
	billed := map[int64]instruments.OrderState{}
	for _, o := range orders {
		switch o.State {
		case instruments.Invoiced, instruments.Paid, instruments.Rated, instruments.Closed:
			billed[o.ID] = o.State
		}
	}
	invs, err := st.Invoices(ctx, instruments.InvoiceFilter{Limit: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	lines, paid := 0, 0
	numbers := map[string]bool{}
	for _, v := range invs {
		lines += v.Orders
		if v.State == instruments.InvoicePaid {
			paid++
		}
		if numbers[v.Number] || !strings.HasPrefix(v.Number, "CQ-") || v.Amount-v.Voucher != v.Due {
			t.Errorf("invoice %+v", v)
		}
		numbers[v.Number] = true
	}
	if len(billed) == 0 || lines != len(billed) || paid == 0 || paid == len(invs) {
		t.Fatalf("%d billed orders, %d invoice lines on %d invoices (%d paid)", len(billed), lines, len(invs), paid)
	}
	seen := map[int64]bool{}
	for i, v := range invs {
		if i%7 != 0 {
			continue // a sample: reading every invoice's lines is slow
		}
		full, err := st.Invoice(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		var amount, due unit.Fen
		for _, l := range full.Lines {
			amount, due = amount+l.Amount, due+l.Due
			s, ok := billed[l.OrderID]
			if !ok || seen[l.OrderID] || (v.State == instruments.InvoicePaid) == (s == instruments.Invoiced) {
				t.Errorf("invoice %s (%s): order %d is %s", v.Number, v.State, l.OrderID, s)
			}
			seen[l.OrderID] = true
		}
		if amount != v.Amount || due != v.Due || v.State == instruments.InvoicePaid && v.PaidAt.Before(v.IssuedAt) {
			t.Errorf("invoice %s: lines %d/%d, totals %d/%d", v.Number, amount, due, v.Amount, v.Due)
		}
	}
}
