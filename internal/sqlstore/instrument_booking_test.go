package sqlstore

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// placeCapture is the store as the service sees it, except that PlaceOrder
// keeps what the service would write instead of writing it: the test
// builds a batch from real bookings, checks and all.
type placeCapture struct {
	*Store
	got *instruments.PlaceOrder
}

func (c placeCapture) PlaceOrder(_ context.Context, p instruments.PlaceOrder) (instruments.Order, error) {
	*c.got = p
	return p.Order, nil
}

// One batch on PostgreSQL answers each booking as if it had been alone: a
// batch-mate's slot, the user's day quota counted with the batch-mates'
// minutes and an unknown instrument refuse only their own item; the
// accepted orders get their cells, first event and the notifications the
// one-at-a-time path writes. A batch whose statement fails (a note the
// database refuses) is rolled back and its items placed one by one, so
// the failing one does not take its batch-mates down; nor does a rule
// check that panics.
func TestBookingBatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		if st.engine != Postgres {
			t.Skip("bookings are batched on PostgreSQL only; SQLite's single writer serialises them")
		}
		ctx := context.Background()
		m := newMarket(t, st)
		rules := openRules()
		rules.Approval, rules.DailyQuotaMinutes = instruments.ApproveAuto, 120
		d1, hourly1, _ := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", rules, 300*unit.Yuan)
		d2, hourly2, _ := m.open(t, "透射电镜", "JEM", "01", "电子光学仪器", rules, 300*unit.Yuan)
		var got instruments.PlaceOrder
		capSvc := instruments.NewService(placeCapture{st, &got}, instruments.Options{Now: func() time.Time { return m.now }})
		day := time.Date(2026, 12, 7, 0, 0, 0, 0, instruments.Zone)
		item := func(a instruments.Actor, inst, itemID int64, from, hours int, note string) *bookItem {
			t.Helper()
			s := day.Add(time.Duration(from) * time.Hour)
			if _, err := capSvc.Book(ctx, a, instruments.BookRequest{InstrumentID: inst, ItemID: itemID, Start: s, End: s.Add(time.Duration(hours) * time.Hour), Note: note}); err != nil {
				t.Fatal(err)
			}
			return &bookItem{ctx: ctx, p: got, done: make(chan struct{})}
		}
		gone := item(m.firm, d2.ID, hourly2, 16, 1, "")
		gone.p.Order.InstrumentID = 1 << 40
		batch := []*bookItem{
			item(m.firm, d1.ID, hourly1, 9, 1, ""),        // booked
			item(m.researcher, d1.ID, hourly1, 9, 2, ""),  // the firm's 9:00 is a batch-mate's: taken
			item(m.firm, d1.ID, hourly1, 10, 1, ""),       // booked: 120 minutes of the firm's day
			item(m.firm, d1.ID, hourly1, 11, 1, ""),       // over the quota with its batch-mates
			gone,                                          // no such instrument
			item(m.researcher, d2.ID, hourly2, 9, 1, ""),  // booked (another instrument, same hour)
			item(m.researcher, d1.ID, hourly1, 12, 1, ""), // booked
		}
		st.runBookBatch(batch)
		codes := make([]string, len(batch))
		for i, it := range batch {
			switch {
			case it.err == nil && it.o.ID != 0:
				codes[i] = "ok"
			case it.err == nil:
				codes[i] = "no id"
			default:
				var e *apperr.Error
				if !errors.As(it.err, &e) {
					t.Fatalf("item %d: %v", i, it.err)
				}
				codes[i] = e.Key
			}
		}
		want := []string{"ok", "instruments.err.slot_taken", "ok", "instruments.err.quota", "instruments.err.not_found", "ok", "ok"}
		for i := range want {
			if codes[i] != want[i] {
				t.Fatalf("answers %v, want %v", codes, want)
			}
		}
		// What is stored: the accepted orders with their cells and one
		// event each, nothing of the refused ones.
		for _, c := range []struct {
			inst  int64
			items []int
		}{{d1.ID, []int{0, 2, 6}}, {d2.ID, []int{5}}} {
			booked, err := st.BookedSlots(ctx, c.inst, day, day.AddDate(0, 0, 1))
			if err != nil {
				t.Fatal(err)
			}
			if len(booked) != len(c.items) {
				t.Fatalf("instrument %d: %d live orders, want %d", c.inst, len(booked), len(c.items))
			}
			for k, i := range c.items {
				o := batch[i].o
				if booked[k].ID != o.ID || !booked[k].Start.Equal(o.Start) || booked[k].UserID != o.UserID || booked[k].UnitPrice != o.UnitPrice {
					t.Fatalf("instrument %d: stored %+v, answered %+v", c.inst, booked[k], o)
				}
				var cells, events int
				if err := st.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM booking_cell WHERE order_id = $1), (SELECT COUNT(*) FROM order_event WHERE order_id = $1)`, o.ID).Scan(&cells, &events); err != nil {
					t.Fatal(err)
				}
				if cells != 4 || events != 1 {
					t.Fatalf("order %d: %d cells, %d events", o.ID, cells, events)
				}
			}
		}
		// The notifications of a batched order are those of an order
		// placed alone (same customer, instrument and state).
		alone, err := st.placeOrderOne(ctx, item(m.researcher, d1.ID, hourly1, 14, 1, "").p)
		if err != nil {
			t.Fatal(err)
		}
		notes := func(orderID int64) []string {
			t.Helper()
			rows, err := st.read.QueryContext(ctx, `SELECT user_id, kind, link FROM notification WHERE args LIKE $1 ORDER BY user_id, kind`, `["`+strconv.FormatInt(orderID, 10)+`",%`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var u int64
				var k, l string
				if err := rows.Scan(&u, &k, &l); err != nil {
					t.Fatal(err)
				}
				out = append(out, strconv.FormatInt(u, 10)+" "+k+" "+l)
			}
			sort.Strings(out)
			return out
		}
		wantNotes, gotNotes := notes(alone.ID), notes(batch[0].o.ID)
		if len(wantNotes) == 0 || len(gotNotes) != len(wantNotes) {
			t.Fatalf("batched order's notifications %v, alone %v", gotNotes, wantNotes)
		}
		for i := range wantNotes {
			if gotNotes[i] != wantNotes[i] {
				t.Fatalf("batched order's notifications %v, alone %v", gotNotes, wantNotes)
			}
		}
		// A batch the database refuses whole: placed one by one.
		bad := item(m.researcher, d2.ID, hourly2, 12, 1, "")
		bad.p.Order.Note = "\xff" // not UTF-8: PostgreSQL refuses the text
		// A rule check that panics fails its own booking, not the process.
		wild := item(m.operator, d2.ID, hourly2, 15, 1, "")
		wild.p.Check = func(int) error { panic("rule") }
		batch = []*bookItem{item(m.researcher, d2.ID, hourly2, 10, 1, ""), bad, item(m.firm, d2.ID, hourly2, 13, 1, ""), wild}
		st.runBookBatch(batch)
		if batch[0].err != nil || batch[2].err != nil || bad.err == nil || wild.err == nil {
			t.Fatalf("after the fallback: %v, %v, %v, %v", batch[0].err, bad.err, batch[2].err, wild.err)
		}
		booked, err := st.BookedSlots(ctx, d2.ID, day, day.AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(booked) != 3 || booked[1].ID != batch[0].o.ID || booked[2].ID != batch[2].o.ID {
			t.Fatalf("instrument %d after the fallback: %+v", d2.ID, booked)
		}
	})
}
