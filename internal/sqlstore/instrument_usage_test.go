package sqlstore

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// TestInstrumentUsageRecords writes a history in bulk next to an order
// placed through the service and reads both back as the statistics do;
// bad histories are refused whole.
func TestInstrumentUsageRecords(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		d, hourly, sample := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", openRules(), 300*unit.Yuan)
		// A live order: the researcher (a member of the other unit) books
		// 10:00–12:00 on 2026-12-07; 100 minutes are recorded.
		day := time.Date(2026, 12, 7, 0, 0, 0, 0, instruments.Zone)
		o, err := m.svc.Book(ctx, m.researcher, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: day.Add(10 * time.Hour), End: day.Add(12 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{"approve", "schedule", "start", "complete"} {
			if _, err := m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: a}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: instruments.OrderConfirm, Usage: instruments.Usage{ActualMinutes: 100}}); err != nil {
			t.Fatal(err)
		}
		// History: a firm's 2025 slot (closed, rated 4, half paid by a
		// voucher) and a sample order of the same firm (cancelled).
		start := time.Date(2025, 3, 4, 9, 0, 0, 0, instruments.Zone)
		at := start.Add(-48 * time.Hour)
		fund := []instruments.Posting{{Account: "issuer:x", Amount: -1000, Kind: "fund"}, {Account: "budget:x:2025", Amount: 1000, Kind: "fund"}}
		redeem := []instruments.Posting{{Account: "budget:x:2025", Amount: -300, Kind: "redeem"}, {Account: "redeemed:x:2025", Amount: 300, Kind: "redeem"}}
		good := []OrderRecord{
			{Order: instruments.Order{InstrumentID: d.ID, ItemID: hourly, EnterpriseID: 42, Category: instruments.EnterpriseUser, Mode: instruments.SelfOperation,
				State: instruments.Closed, Start: start, End: start.Add(3 * time.Hour), ChargeUnit: instruments.PerHour, UnitPrice: 200, BookedMinutes: 180,
				ActualMinutes: 170, BillableMinutes: 180, Amount: 600, VoucherAmount: 300, CreatedAt: at},
				Events: []OrderEvent{{To: instruments.Submitted, At: at}, {From: instruments.Submitted, To: instruments.Closed, At: start}},
				Review: &instruments.Review{Stars: 4, Tags: []string{"service"}, CreatedAt: start}, Vouchers: [][]instruments.Posting{redeem}},
			{Order: instruments.Order{InstrumentID: d.ID, ItemID: sample, EnterpriseID: 42, Category: instruments.EnterpriseUser, Mode: instruments.SampleSending,
				State: instruments.Cancelled, DueOn: "2025-03-10", Samples: 2, ChargeUnit: instruments.PerSample, UnitPrice: 80, CreatedAt: at}},
		}
		// Refused whole: an unbalanced entry, a bad rating, a history
		// whose live slot overlaps another's, an unknown instrument.
		overlap := good[0]
		overlap.Order.State = instruments.Scheduled
		bad := map[string]func() ([]OrderRecord, []VoucherEntry){
			"unbalanced": func() ([]OrderRecord, []VoucherEntry) {
				return good, []VoucherEntry{{At: at, Postings: fund[:1]}}
			},
			"stars": func() ([]OrderRecord, []VoucherEntry) {
				r := good[0]
				r.Review = &instruments.Review{Stars: 6}
				return []OrderRecord{r}, nil
			},
			"overlap": func() ([]OrderRecord, []VoucherEntry) { return []OrderRecord{good[0], overlap, overlap}, nil },
			"unknown": func() ([]OrderRecord, []VoucherEntry) {
				r := good[1]
				r.Order.InstrumentID = d.ID + 1000
				return []OrderRecord{good[0], r}, nil
			},
		}
		for name, mk := range bad {
			recs, entries := mk()
			if n, err := st.ImportOrderRecords(ctx, recs, entries, OrderImportOptions{}); err == nil || n != 0 {
				t.Errorf("%s: %d written, %v", name, n, err)
			}
		}
		if got, err := st.UsageOrders(ctx, "2025-01-01", "2026-01-01"); err != nil || len(got) != 0 {
			t.Fatalf("after refused imports: %v %v", got, err)
		}
		// SkipIfOrders: the live order is there, nothing is written.
		if n, err := st.ImportOrderRecords(ctx, good, []VoucherEntry{{At: at, Postings: fund}}, OrderImportOptions{SkipIfOrders: true}); err != nil || n != 0 {
			t.Fatalf("skip: %d %v", n, err)
		}
		if n, err := st.ImportOrderRecords(ctx, good, []VoucherEntry{{At: at, Postings: fund}}, OrderImportOptions{}); err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		if b, _ := st.VoucherBalance(ctx, "redeemed:x:2025"); b != 300 {
			t.Errorf("redeemed balance %d, want 300", b)
		}
		if b, _ := st.VoucherBalance(ctx, "budget:x:2025"); b != 700 {
			t.Errorf("budget balance %d, want 700", b)
		}
		got, err := st.UsageOrders(ctx, "2025-01-01", "2026-01-01")
		if err != nil || len(got) != 2 {
			t.Fatalf("2025: %+v %v", got, err)
		}
		byState := map[instruments.OrderState]instruments.UsageOrder{}
		for _, o := range got {
			byState[o.State] = o
		}
		if c := byState[instruments.Closed]; c.Day != "2025-03-04" || c.Actual != 170 || c.Billable != 180 || c.Booked != 180 || c.Stars != 4 ||
			c.Client() != "e42" || c.Voucher != 300 {
			t.Errorf("closed: %+v", c)
		}
		if c := byState[instruments.Cancelled]; c.Day != "2025-03-10" || c.Mode != instruments.SampleSending {
			t.Errorf("cancelled: %+v", c)
		}
		// The live order: its client is the researcher's unit by
		// membership.
		live, err := st.UsageOrders(ctx, "2026-12-01", "2026-12-08")
		if err != nil || len(live) != 1 {
			t.Fatalf("live: %+v %v", live, err)
		}
		if l := live[0]; l.Actual != 100 || l.Category != instruments.ExternalAcademic || l.Client() != "u"+strconv.FormatInt(m.other.ID, 10) || l.State != instruments.UsageConfirmed {
			t.Errorf("live: %+v", l)
		}
		// The imported history counts in the instrument's uses and rating.
		dd, err := m.svc.Detail(ctx, d.ID)
		if err != nil || dd.Uses != 2 || dd.RatingN != 1 {
			t.Errorf("detail uses %d ratings %d %v", dd.Uses, dd.RatingN, err)
		}
		// The history's slot is held: a new booking over it is refused on
		// the cells' key (the state closed keeps its cells, as a live
		// order's would).
		if _, err := st.PlaceOrder(ctx, instruments.PlaceOrder{Order: instruments.Order{InstrumentID: d.ID, ItemID: hourly, Mode: instruments.SelfOperation,
			State: instruments.Submitted, Start: start.Add(time.Hour), End: start.Add(2 * time.Hour), CreatedAt: at}}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("booking over the history: %v", err)
		}
		// The fixture fills two of the optional catalogue fields: model
		// and manufacturer.
		ins, err := st.UsageInstruments(ctx)
		if err != nil || len(ins) != 1 || ins[0].ID != d.ID || ins[0].UnitName != "西南大学" || ins[0].Filled != 2 || ins[0].RegionCode != "500109" {
			t.Errorf("instruments: %+v %v", ins, err)
		}
	})
}
