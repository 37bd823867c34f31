package sqlstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

const testIssuer = "https://idp.example.gov.cn/"

// fedHome is the market as a federation home (cq) whose clock the test
// moves, with one open instrument priced for partner-region users.
func fedHome(t *testing.T, st *Store) (*market, *federation.Service, int64, int64) {
	t.Helper()
	m := newMarket(t, st)
	d, hourly, _ := m.open(t, "透射电镜", "JEM-2100", "01", "电子光学仪器", openRules(), 400*unit.Yuan)
	if _, err := st.write.Exec(`INSERT INTO service_rate (item_id, category, effective_from, price) VALUES ($1, 'partner', '2024-01-01', 30000)`, hourly); err != nil {
		t.Fatal(err)
	}
	inst := instruments.NewService(st, instruments.Options{Now: func() time.Time { return m.now }, Prefix: "cq"})
	cfg := federation.Config{Instance: "cq", TrustedIssuers: []string{testIssuer}, HoldMinutes: 15, SkewSeconds: 120, PullSeconds: 60, CheckEvery: 10}
	svc := federation.NewService(cfg, nil, st, inst, nil, federation.Options{Now: func() time.Time { return m.now }})
	return m, svc, d.ID, hourly
}

// TestCatalogueChangeLog: every instrument write logs its change in its
// own transaction; the feed lists each instrument once, at its last
// change; a write that fails logs nothing.
func TestCatalogueChangeLog(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		d, _, _ := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", openRules(), 400*unit.Yuan)
		ch, err := st.ChangedSince(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch) != 1 || ch[0].InstrumentID != d.ID {
			t.Fatalf("changes %+v, want the instrument once", ch)
		}
		last := ch[0].Seq
		if _, err := st.UpdateInstrument(ctx, d.ID, func(in instruments.Instrument) (instruments.Instrument, error) {
			return in, errors.New("refused")
		}); err == nil {
			t.Fatal("the failing update succeeded")
		}
		if ch, _ := st.ChangedSince(ctx, last, 10); len(ch) != 0 {
			t.Fatalf("a failed write logged %+v", ch)
		}
		m.now = m.now.Add(time.Hour)
		if _, err := m.svc.Lifecycle(ctx, m.admin, d.ID, instruments.LifecycleChange{Action: instruments.ActRetire, Reason: "报废"}); err != nil {
			t.Fatal(err)
		}
		ch, _ = st.ChangedSince(ctx, last, 10)
		if len(ch) != 1 || ch[0].Seq <= last {
			t.Fatalf("after the retirement: %+v", ch)
		}
	})
}

// TestHolds: a retried key returns the same hold; racing requests with
// one key make one order; an untrusted issuer is refused; a hold past its
// time cannot be confirmed and its slot is free again; a confirmed hold
// confirms again idempotently.
func TestHolds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m, svc, id, item := fedHome(t, st)
		sc := federation.Peer{ID: "sc"}
		start := time.Date(2026, 12, 5, 10, 0, 0, 0, instruments.Zone)
		req := federation.HoldRequest{Key: "u7:key-00000001", Issuer: testIssuer, Subject: "sc-7001", Name: "陈静", InstrumentID: id, ItemID: item,
			Start: start, End: start.Add(time.Hour)}

		bad := req
		bad.Issuer = "https://evil.example/"
		if _, err := svc.PlaceHold(ctx, sc, bad); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("untrusted issuer: %v", err)
		}

		// Racing first requests with one key.
		var wg sync.WaitGroup
		answers := make(chan federation.HoldAnswer, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := svc.PlaceHold(ctx, sc, req)
				if err == nil {
					answers <- a
				} else if !apperr.Is(err, apperr.Conflict) {
					t.Errorf("racing retry: %v", err)
				}
			}()
		}
		wg.Wait()
		close(answers)
		orders := map[int64]bool{}
		for a := range answers {
			orders[a.OrderID] = true
			if a.Category != string(instruments.PartnerRegion) || a.UnitPrice != 30000 {
				t.Errorf("answer %+v, want the partner-region price", a)
			}
		}
		again, err := svc.PlaceHold(ctx, sc, req)
		if err != nil || again.Created || len(orders) > 1 || (len(orders) == 1 && !orders[again.OrderID]) {
			t.Fatalf("retries: %v orders %v, again %+v %v", len(orders), orders, again, err)
		}
		all, err := st.Orders(ctx, instruments.OrderFilter{InstrumentID: id})
		if err != nil || len(all) != 1 {
			t.Fatalf("orders at the home: %d %v, want 1", len(all), err)
		}

		// The hold expires unconfirmed: confirming is refused and the slot
		// is free for someone else.
		m.now = m.now.Add(16 * time.Minute)
		if _, err := svc.ConfirmHold(ctx, sc, again.HoldID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("confirm after expiry: %v", err)
		}
		if _, err := svc.ConfirmHold(ctx, federation.Peer{ID: "gz"}, again.HoldID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another peer's hold: %v", err)
		}
		if o, err := st.Order(ctx, again.OrderID); err != nil || o.State != instruments.Cancelled {
			t.Fatalf("expired hold's order: %+v %v", o, err)
		}
		if _, err := m.svc.Book(ctx, m.researcher, instruments.BookRequest{InstrumentID: id, ItemID: item, Start: start, End: start.Add(time.Hour)}); err != nil {
			t.Fatalf("the freed slot: %v", err)
		}

		// A new hold confirmed in time; confirming again answers the same.
		req2 := req
		req2.Key, req2.Start, req2.End = "u7:key-00000002", start.Add(2*time.Hour), start.Add(3*time.Hour)
		h, err := svc.PlaceHold(ctx, sc, req2)
		if err != nil || !h.Created || h.HoldState != federation.Held {
			t.Fatalf("second hold: %+v %v", h, err)
		}
		c1, err := svc.ConfirmHold(ctx, sc, h.HoldID)
		if err != nil || c1.HoldState != federation.Confirmed {
			t.Fatalf("confirm: %+v %v", c1, err)
		}
		m.now = m.now.Add(time.Hour)
		if err := svc.ExpireHolds(ctx); err != nil {
			t.Fatal(err)
		}
		c2, err := svc.ConfirmHold(ctx, sc, h.HoldID)
		if err != nil || c2.HoldState != federation.Confirmed || c2.OrderID != c1.OrderID {
			t.Fatalf("confirm again: %+v %v", c2, err)
		}
		evs, err := svc.OrderEvents(ctx, sc, 0, 100)
		if err != nil || len(evs) < 3 {
			t.Fatalf("order events for sc: %+v %v", evs, err)
		}
		if ext, err := st.ExternalService(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, instruments.Zone), time.Date(2027, 1, 1, 0, 0, 0, 0, instruments.Zone)); err != nil ||
			len(ext) != 1 || ext[0].Origin != "sc" || ext[0].Orders != 1 || ext[0].BookedMinutes != 60 {
			t.Fatalf("external service %+v %v, want the one live order of sc", ext, err)
		}
	})
}
