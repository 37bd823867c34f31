package notify_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/notify"
)

func routing(t *testing.T) notify.Routing {
	t.Helper()
	rs, err := notify.Routings()
	if err != nil {
		t.Fatal(err)
	}
	r, err := notify.RoutingOn(rs, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Every state an order can reach tells someone, and the rules name no
// state the order machine lacks (or event it does not write: a
// maintenance or outage window over a booking).
func TestEveryOrderStateNotifies(t *testing.T) {
	r := routing(t)
	known := map[string]bool{instruments.EventWindowHit: true, instruments.EventInvoiceVoided: true,
		instruments.EventFeeInvoiced: true, instruments.EventFeePaid: true}
	for _, s := range instruments.OrderStates {
		known[string(s)] = true
		if len(r.OrderEvents[string(s)]) == 0 {
			t.Errorf("state %s tells nobody", s)
		}
	}
	for s := range r.OrderEvents {
		if !known[s] {
			t.Errorf("routing names unknown state %s", s)
		}
	}
}

func recipients(notes []notify.Note) string {
	var ids []int64
	for _, n := range notes {
		ids = append(ids, n.UserID)
	}
	return fmt.Sprint(ids)
}

// Who is told: the parties of the rule, never the actor, and not the
// other managers when a manager acted; an operator's act reaches all.
func TestPlanOrderEvent(t *testing.T) {
	r := routing(t)
	const customer, m1, m2, op = 10, 20, 21, 30
	ev := func(to string, actor int64) notify.OrderEvent {
		return notify.OrderEvent{OrderID: 5, InstrumentName: "电镜", To: to, ActorID: actor, CustomerID: customer, ManagerIDs: []int64{m1, m2}, OperatorIDs: []int64{op}}
	}
	for _, c := range []struct {
		name string
		ev   notify.OrderEvent
		want string
	}{
		{"submitted by the customer", ev("submitted", customer), "[20 21]"},
		{"auto-approved at placement", ev("approved", customer), "[20 21]"},
		{"approved by a manager", ev("approved", m1), "[10]"},
		{"rejected by a manager", ev("rejected", m2), "[10]"},
		{"cancelled by the customer", ev("cancelled", customer), "[20 21]"},
		{"voided by the operator", ev("voided", op), "[10 20 21]"},
		{"disputed by the customer", ev("disputed", customer), "[20 21 30]"},
		{"paid", ev("paid", customer), "[20 21]"},
		{"an unknown state", ev("nonsense", m1), "[]"},
	} {
		notes := notify.PlanOrderEvent(r, c.ev)
		if got := recipients(notes); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
		for _, n := range notes {
			if n.Kind != "order."+c.ev.To || fmt.Sprint(n.Args) != "[5 电镜]" || n.Dedup != "" {
				t.Errorf("%s: note %+v", c.name, n)
			}
		}
	}
}

func TestBookingReminderAndReportingReminder(t *testing.T) {
	n := notify.PlanBookingReminder(notify.Booking{OrderID: 9, UserID: 3, InstrumentName: "电镜", Start: time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)})
	if fmt.Sprint(n.Args) != "[9 电镜 2026-12-04 09:00]" || n.Dedup != "booking:9:3" || n.UserID != 3 {
		t.Errorf("booking reminder %+v (start in China Standard Time)", n)
	}
	ns := notify.PlanReportingReminder(notify.ReportingReminder{FirmName: "甲", Year: 2024, Month: 6, UserIDs: []int64{4, 5}})
	if recipients(ns) != "[4 5]" || fmt.Sprint(ns[0].Args) != "[2024-06 甲]" {
		t.Errorf("reporting reminder %+v", ns)
	}
}

func TestBackoff(t *testing.T) {
	base, max := 30*time.Second, 10*time.Minute
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 5: 8 * time.Minute, 6: 10 * time.Minute, 40: 10 * time.Minute} {
		if got := notify.Backoff(n, base, max); got != want {
			t.Errorf("attempt %d: %s, want %s", n, got, want)
		}
	}
}

func TestPrefsValidate(t *testing.T) {
	langs := []string{"zh-CN", "en"}
	for _, c := range []struct {
		p    notify.Prefs
		want string // "" valid, else the message key
	}{
		{notify.Prefs{Email: " a@example.org ", Lang: "en", EmailOn: true}, ""},
		{notify.Prefs{Lang: "zh-CN"}, ""},
		{notify.Prefs{Lang: "zh-CN", EmailOn: true}, "notify.err.email_needed"},
		{notify.Prefs{Email: "Zhang <a@example.org>", Lang: "zh-CN"}, "notify.err.email"},
		{notify.Prefs{Email: "a@", Lang: "zh-CN"}, "notify.err.email"},
		{notify.Prefs{Email: "a@example.org", Lang: "fr"}, "notify.err.lang"},
	} {
		p, err := c.p.Validate(langs)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.p, err)
		case c.want != "" && !hasKey(err, c.want):
			t.Errorf("%+v: %v, want %s", c.p, err, c.want)
		case c.want == "" && p.Email != "" && p.Email != "a@example.org":
			t.Errorf("%+v: address %q not trimmed", c.p, p.Email)
		}
	}
}

func hasKey(err error, key string) bool {
	var e *apperr.Error
	return errors.As(err, &e) && e.Key == key && e.Code == apperr.Invalid
}

// Review events reach the author only, never the actor, and each event
// has a rule.
func TestPlanReviewEvent(t *testing.T) {
	r := routing(t)
	for _, e := range []string{notify.ReviewReplied, notify.ReviewHidden, notify.ReviewRestored} {
		if len(r.ReviewEvents[e]) == 0 {
			t.Errorf("review event %s tells nobody", e)
		}
		ns := notify.PlanReviewEvent(r, notify.ReviewEvent{OrderID: 7, InstrumentID: 3, InstrumentName: "电镜", Event: e, ActorID: 20, AuthorID: 10, ManagerIDs: []int64{20, 21}})
		if recipients(ns) != "[10]" || ns[0].Kind != "review."+e || ns[0].Link != "/instruments/3" || ns[0].Args[0] != "7" {
			t.Errorf("%s: %+v", e, ns)
		}
	}
	// The author acting (not a real case, but the rule holds) is not told.
	if ns := notify.PlanReviewEvent(r, notify.ReviewEvent{Event: notify.ReviewReplied, ActorID: 10, AuthorID: 10}); len(ns) != 0 {
		t.Errorf("actor told: %+v", ns)
	}
}
