package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/notify"
	"github.com/industrybrain/ibrain/internal/unit"
)

// inbox is a user's notifications as "kind[args]" strings, oldest first,
// and their unread count.
func inbox(t *testing.T, st *Store, userID int64) ([]string, int) {
	t.Helper()
	ns, err := st.Notifications(context.Background(), userID, notify.ListFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(ns) - 1; i >= 0; i-- {
		out = append(out, fmt.Sprintf("%s%v", ns[i].Kind, ns[i].Args))
	}
	n, err := st.UnreadNotifications(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return out, n
}

// Every order event reaches exactly the accounts its rule names, each
// with an outbox row when they want mail; a rolled-back transition writes
// nothing; booking reminders are written once.
func TestNotifyOrderEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		opID, err := st.CreateUser(ctx, auth.User{Username: "bureau", DisplayName: "bureau", PasswordHash: "x", Role: auth.RoleSharingOperator})
		if err != nil {
			t.Fatal(err)
		}
		svc := notify.NewService(st, notify.Options{})
		if _, err := svc.SetPrefs(ctx, m.researcher.UserID, notify.Prefs{Email: "researcher@example.org", Lang: "zh-CN", EmailOn: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetPrefs(ctx, m.manager.UserID, notify.Prefs{Email: "lab@example.org", Lang: "en", EmailOn: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetPrefs(ctx, m.firm.UserID, notify.Prefs{Email: "firm@example.org", Lang: "zh-CN", EmailOn: false}); err != nil {
			t.Fatal(err)
		}
		d, hourly, sample := m.open(t, "场发射扫描电镜", "SU8010", "01", "电子光学仪器", openRules(), 300*unit.Yuan)
		name := "场发射扫描电镜 SU8010"
		everyone := map[string]int64{"researcher": m.researcher.UserID, "manager": m.manager.UserID, "admin": m.admin.UserID,
			"operator": m.operator.UserID, "firm": m.firm.UserID, "bureau": opID}
		// expect checks every account's inbox against want (absent: empty).
		expect := func(step string, want map[string][]string) {
			t.Helper()
			for who, id := range everyone {
				got, unread := inbox(t, st, id)
				if fmt.Sprint(got) != fmt.Sprint(want[who]) || unread != len(want[who]) {
					t.Errorf("%s: %s has %v (%d unread), want %v", step, who, got, unread, want[who])
				}
			}
		}
		outbox := func(step string, want int) {
			t.Helper()
			c, err := st.OutboxCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c[notify.OutboxPending] != want || len(c) > 1 {
				t.Errorf("%s: outbox %v, want %d pending", step, c, want)
			}
		}
		slot := time.Date(2026, 12, 4, 9, 0, 0, 0, instruments.Zone)
		o, err := m.svc.Book(ctx, m.researcher, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: slot, End: slot.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		oid := fmt.Sprint(o.ID)
		submitted := fmt.Sprintf("order.submitted[%s %s]", oid, name)
		expect("submitted", map[string][]string{"manager": {submitted}})
		outbox("submitted", 1) // the manager wants mail

		if _, err := m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: instruments.OrderApprove}); err != nil {
			t.Fatal(err)
		}
		approved := fmt.Sprintf("order.approved[%s %s]", oid, name)
		expect("approved", map[string][]string{"manager": {submitted}, "researcher": {approved}})
		outbox("approved", 2)

		// A transition that fails after its event was written (an
		// unbalanced voucher entry) rolls the notification back with it.
		_, err = st.TransitionOrder(ctx, o.ID, m.manager.UserID, func(o instruments.Order, _ instruments.LedgerView) (instruments.Order, instruments.Effects, error) {
			o.State = instruments.Scheduled
			return o, instruments.Effects{Postings: []instruments.Posting{{Account: "x", Amount: 1, Kind: "fund"}}}, nil
		})
		if err == nil {
			t.Fatal("an unbalanced entry was accepted")
		}
		if got, _ := st.Order(ctx, o.ID); got.State != instruments.Approved {
			t.Fatalf("state after rollback: %s", got.State)
		}
		expect("rolled back", map[string][]string{"manager": {submitted}, "researcher": {approved}})
		outbox("rolled back", 2)

		// The reminder: the worker finds the slot within 24 hours once,
		// however often it runs.
		now := time.Date(2026, 12, 3, 10, 0, 0, 0, instruments.Zone)
		w, err := notify.NewWorker(st, notify.WorkerOptions{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		for run, want := range []int{1, 0} {
			if n, err := w.Remind(ctx); err != nil || n != want {
				t.Fatalf("reminder run %d: %d written, %v; want %d", run, n, err, want)
			}
		}
		reminder := fmt.Sprintf("booking.reminder[%s %s 2026-12-04 09:00]", oid, name)
		expect("reminded", map[string][]string{"manager": {submitted}, "researcher": {approved, reminder}})

		// A sample order of the firm; then the researcher cancels: the
		// managers are told, the researcher is not told of their own act.
		o2, err := m.svc.Book(ctx, m.firm, instruments.BookRequest{InstrumentID: d.ID, ItemID: sample, Samples: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.svc.Act(ctx, m.researcher, o.ID, instruments.ActRequest{Action: instruments.OrderCancel}); err != nil {
			t.Fatal(err)
		}
		submitted2 := fmt.Sprintf("order.submitted[%d %s]", o2.ID, name)
		cancelled := fmt.Sprintf("order.cancelled[%s %s]", oid, name)
		expect("cancelled", map[string][]string{"manager": {submitted, submitted2, cancelled}, "researcher": {approved, reminder}})
		outbox("cancelled", 5) // manager ×3, researcher ×2 (approval, reminder)
		// The operator voids the firm's order: both parties are told.
		if _, err := m.svc.Act(ctx, m.operator, o2.ID, instruments.ActRequest{Action: instruments.OrderVoid}); err != nil {
			t.Fatal(err)
		}
		voided := fmt.Sprintf("order.voided[%d %s]", o2.ID, name)
		expect("voided", map[string][]string{"manager": {submitted, submitted2, cancelled, voided}, "researcher": {approved, reminder}, "firm": {voided}})
		outbox("voided", 6) // and the manager again; the firm has mail off

		// Marking read: someone else's ids change nothing; then one, then all.
		ns, err := svc.Inbox(ctx, m.manager.UserID, notify.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := svc.MarkRead(ctx, m.researcher.UserID, []int64{ns[0].ID}, false); err != nil || n != 0 {
			t.Fatalf("marking another's notification: %d, %v", n, err)
		}
		if n, err := svc.MarkRead(ctx, m.manager.UserID, []int64{ns[0].ID}, false); err != nil || n != 1 {
			t.Fatalf("mark one: %d, %v", n, err)
		}
		if n, _ := svc.Unread(ctx, m.manager.UserID); n != 3 {
			t.Fatalf("unread after one read: %d, want 3", n)
		}
		if _, err := svc.MarkRead(ctx, m.manager.UserID, nil, false); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("marking nothing: %v", err)
		}
		if n, err := svc.MarkRead(ctx, m.manager.UserID, nil, true); err != nil || n != 3 {
			t.Fatalf("mark all: %d, %v", n, err)
		}
		if n, _ := svc.Unread(ctx, m.manager.UserID); n != 0 {
			t.Fatalf("unread after all read: %d", n)
		}
		if n, _ := svc.Unread(ctx, m.researcher.UserID); n != 2 {
			t.Fatalf("the researcher's unread changed with the manager's: %d", n)
		}
	})
}

// checkOutboxClaims: a claimed row is not claimed again while leased, a
// sent row never again, a retried one after its backoff. It runs on the
// store of TestNotifyReportingReminder (no outbox rows there), which
// saves a database per engine.
func checkOutboxClaims(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	id, err := st.CreateUser(ctx, auth.User{Username: "user1", DisplayName: "u", PasswordHash: "x", Role: auth.RoleCityAnalyst})
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateUser(ctx, auth.User{Username: "user2", DisplayName: "v", PasswordHash: "x", Role: auth.RoleCityAnalyst})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutNotifyPrefs(ctx, notify.Prefs{UserID: id, Email: "u@example.org", Lang: "en", EmailOn: true}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	notes := []notify.Note{{UserID: id, Kind: "order.approved", Args: []string{"1", "x"}, Link: "/"}, {UserID: id, Kind: "order.approved", Args: []string{"2", "x"}, Link: "/"},
		{UserID: other, Kind: "order.approved", Args: []string{"3", "x"}, Link: "/"}}
	if n, err := st.AddNotes(ctx, notes, t0); err != nil || n != 3 {
		t.Fatalf("add: %d, %v", n, err)
	}
	claim := func(at time.Time) []notify.Delivery {
		t.Helper()
		ds, err := st.ClaimOutbox(ctx, at, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	ds := claim(t0)
	if len(ds) != 2 || ds[0].To != "u@example.org" || ds[0].Lang != "en" || ds[0].Attempts != 1 || ds[0].Notification.Args[0] != "1" {
		t.Fatalf("first claim: %+v (the user without settings has no outbox row)", ds)
	}
	if again := claim(t0.Add(30 * time.Second)); len(again) != 0 {
		t.Fatalf("claimed again within the lease: %+v", again)
	}
	if err := st.FinishOutbox(ctx, ds[0].OutboxID, notify.Outcome{State: notify.OutboxSent, At: t0, SentAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishOutbox(ctx, ds[1].OutboxID, notify.Outcome{State: notify.OutboxPending, At: t0, Next: t0.Add(5 * time.Minute), Error: "421"}); err != nil {
		t.Fatal(err)
	}
	if got := claim(t0.Add(4 * time.Minute)); len(got) != 0 {
		t.Fatalf("claimed before its backoff: %+v", got)
	}
	got := claim(t0.Add(5 * time.Minute))
	if len(got) != 1 || got[0].OutboxID != ds[1].OutboxID || got[0].Attempts != 2 {
		t.Fatalf("after the backoff: %+v, want the retried row at attempt 2", got)
	}
	// A sent row stays sent whatever a late finisher says.
	if err := st.FinishOutbox(ctx, ds[0].OutboxID, notify.Outcome{State: notify.OutboxPending, At: t0, Next: t0}); err != nil {
		t.Fatal(err)
	}
	if got := claim(t0.Add(time.Hour)); len(got) != 1 || got[0].OutboxID != ds[1].OutboxID {
		t.Fatalf("a sent row came back: %+v", got)
	}
	if err := st.FinishOutbox(ctx, ds[1].OutboxID, notify.Outcome{State: "bogus"}); err == nil {
		t.Fatal("an unknown state was accepted")
	}
}

// A district's reminder of a late report reaches the late firm's accounts
// and no one else; a firm outside the district is skipped. Then the
// outbox claims (checkOutboxClaims).
func TestNotifyReportingReminder(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		w := newReportingWorld(t, st)
		user := func(name string, ent int64) int64 {
			id, err := st.CreateUser(ctx, auth.User{Username: name, DisplayName: name, PasswordHash: "x", Role: auth.RoleEnterprise, EnterpriseID: ent})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		late1, late2 := user("late1", w.ids[1]), user("late2", w.ids[1])
		onTime, outside := user("ontime", w.ids[0]), user("outside", w.other)
		n, err := w.svc.Remind(ctx, w.scopeA, w.district, w.june, []int64{w.ids[1], w.other})
		if err != nil || n != 1 {
			t.Fatalf("remind: %d, %v; want the one firm in scope", n, err)
		}
		var firm string
		if err := st.read.QueryRowContext(ctx, `SELECT name FROM enterprise WHERE id = $1`, w.ids[1]).Scan(&firm); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{late1, late2} {
			if got, unread := inbox(t, st, id); fmt.Sprint(got) != fmt.Sprintf("[reporting.reminder[2024-06 %s]]", firm) || unread != 1 {
				t.Errorf("late firm's account %d: %v", id, got)
			}
		}
		for _, id := range []int64{onTime, outside, w.district.UserID} {
			if got, _ := inbox(t, st, id); len(got) != 0 {
				t.Errorf("account %d was told: %v", id, got)
			}
		}
		if c, err := st.OutboxCounts(ctx); err != nil || len(c) != 0 {
			t.Fatalf("outbox %v, %v: nobody asked for mail", c, err)
		}
		checkOutboxClaims(t, st)
	})
}
