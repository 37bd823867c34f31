package sqlstore

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// TestBookingFactsFresh checks that the booking facts cache never serves
// a fact older than the booking: after each write that changes what a
// booking reads (membership, a rate, the rules, a qualification granted
// and revoked, a violation recorded and waived, the status), the next
// booking follows it. Each write goes through one store and the bookings
// through another, either the same store or a second one opened on the
// same database, as another process would be; every booking before a
// write has filled the booker's cache.
func TestBookingFactsFresh(t *testing.T) {
	for _, e := range testEngines(t) {
		for _, mode := range []string{"same store", "other process"} {
			t.Run(e.name+"/"+mode, func(t *testing.T) {
				writer, booker := openPair(t, e.name)
				if mode == "same store" {
					booker = writer
				}
				testBookingFactsFresh(t, writer, booker)
			})
		}
	}
}

// openPair opens two stores on one new, migrated database of the engine.
func openPair(t *testing.T, engine string) (*Store, *Store) {
	t.Helper()
	if engine == "sqlite" {
		path := filepath.Join(t.TempDir(), "ibrain.db")
		a := openSQLiteAt(t, path, Options{Now: tickingClock()})
		mustMigrate(t, a)
		return a, openSQLiteAt(t, path, Options{Now: tickingClock()})
	}
	base := os.Getenv(pgEnv)
	url := postgresURL(t, base, createPostgresDB(t, base))
	var out [2]*Store
	for i := range out {
		st, err := Open(context.Background(), url, Options{Now: tickingClock()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		out[i] = st
	}
	mustMigrate(t, out[0])
	return out[0], out[1]
}

func testBookingFactsFresh(t *testing.T, writer, booker *Store) {
	ctx := context.Background()
	m := newMarket(t, writer)
	rules := openRules()
	rules.Approval, rules.MaxViolations = instruments.ApproveAuto, 1
	d, hourly, _ := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", rules, 300*unit.Yuan)
	uid, err := writer.CreateUser(ctx, auth.User{Username: "booker", DisplayName: "b", PasswordHash: "x", Role: auth.RoleCityAnalyst})
	if err != nil {
		t.Fatal(err)
	}
	who := instruments.Actor{UserID: uid, Booker: true}
	svc := instruments.NewService(booker, instruments.Options{Now: func() time.Time { return m.now }})
	k := 0
	book := func() (instruments.Order, error) {
		t.Helper()
		k++ // a new day each time: no slot or day quota is shared
		s := time.Date(2026, 12, 4, 9, 0, 0, 0, instruments.Zone).AddDate(0, 0, k)
		return svc.Book(ctx, who, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: s, End: s.Add(time.Hour)})
	}
	mustBook := func(step string) instruments.Order {
		t.Helper()
		o, err := book()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return o
	}
	refused := func(step string, kind apperr.Code) {
		t.Helper()
		if _, err := book(); !apperr.Is(err, kind) {
			t.Fatalf("%s: want %v, got %v", step, kind, err)
		}
	}
	update := func(fn func(in instruments.Instrument) instruments.Instrument) {
		t.Helper()
		if _, err := writer.UpdateInstrument(ctx, d.ID, func(in instruments.Instrument) (instruments.Instrument, error) { return fn(in), nil }); err != nil {
			t.Fatal(err)
		}
	}

	// No membership: the external academic price, twice (the second from
	// the cache).
	for range 2 {
		if o := mustBook("no membership"); o.Category != instruments.ExternalAcademic || o.UnitPrice != 200*unit.Yuan {
			t.Fatalf("no membership: %s at %d", o.Category, o.UnitPrice)
		}
	}
	// Membership of the owning unit: the internal price.
	if err := writer.PutSharingMember(ctx, instruments.Member{UserID: uid, UnitID: m.uni.ID, Category: instruments.Internal}); err != nil {
		t.Fatal(err)
	}
	if o := mustBook("member"); o.Category != instruments.Internal || o.UnitPrice != 100*unit.Yuan {
		t.Fatalf("member: %s at %d", o.Category, o.UnitPrice)
	}
	// A new internal rate from this year on.
	if err := writer.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO service_rate (item_id, category, effective_from, price) VALUES ($1, $2, '2026-01-01', $3)`, hourly, string(instruments.Internal), int64(60*unit.Yuan))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if o := mustBook("new rate"); o.UnitPrice != 60*unit.Yuan {
		t.Fatalf("new rate: %d", o.UnitPrice)
	}
	// The rules now require a qualification for self-operation.
	update(func(in instruments.Instrument) instruments.Instrument {
		in.Rules.QualificationRequired = true
		return in
	})
	refused("qualification required", apperr.Forbidden)
	q, err := writer.PutQualification(ctx, instruments.Qualification{UserID: uid, UnitID: m.uni.ID, InstrumentID: d.ID, GrantedOn: "2026-01-01", ExpiresOn: "2027-12-31", GrantedBy: m.admin.UserID})
	if err != nil {
		t.Fatal(err)
	}
	last := mustBook("qualified")
	if _, err := writer.RevokeQualification(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	refused("qualification revoked", apperr.Forbidden)
	update(func(in instruments.Instrument) instruments.Instrument {
		in.Rules.QualificationRequired = false
		return in
	})
	mustBook("qualification no longer required")
	// One violation suspends (MaxViolations 1); waiving it lifts that.
	var vid int64
	if err := writer.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO booking_violation (user_id, unit_id, order_id, kind, at) VALUES ($1, $2, $3, 'no_show', $4) RETURNING id`,
			uid, m.uni.ID, last.ID, m.now.Unix()).Scan(&vid)
	}); err != nil {
		t.Fatal(err)
	}
	refused("suspended", apperr.Forbidden)
	if _, err := writer.WaiveViolation(ctx, vid, m.admin.UserID, m.now, "illness"); err != nil {
		t.Fatal(err)
	}
	mustBook("violation waived")
	// Taken offline.
	update(func(in instruments.Instrument) instruments.Instrument {
		in.Status = instruments.Offline
		return in
	})
	refused("offline", apperr.Conflict)
}
