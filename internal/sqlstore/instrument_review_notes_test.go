package sqlstore

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The review's author is told of the owner's reply (and of an edit of
// it) and of the operator's hiding and restoring, in the review's
// transaction (issue 9 item 5; routing.json review_events).
func TestReviewNotifiesAuthor(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		d, hourly, _ := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", openRules(), 300*unit.Yuan)
		o := m.confirmedOrders(t, m.researcher, d.ID, hourly, 7, 60)[0]
		for _, a := range []string{instruments.OrderInvoice, instruments.OrderPay} {
			if _, err := m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: a}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := m.svc.Rate(ctx, m.researcher, o.ID, 2, nil, "排队久"); err != nil {
			t.Fatal(err)
		}
		author := m.researcher.UserID
		want := func(kind string, n int) {
			t.Helper()
			if got := countNotes(t, st, author, kind); got != n {
				t.Fatalf("%s: %d notifications, want %d", kind, got, n)
			}
		}
		want("review.replied", 0)
		if _, err := m.svc.ReplyToReview(ctx, m.manager, o.ID, "抱歉，已增加机时"); err != nil {
			t.Fatal(err)
		}
		want("review.replied", 1)
		if _, err := m.svc.ReplyToReview(ctx, m.admin, o.ID, "抱歉，已增加开放机时"); err != nil {
			t.Fatal(err)
		}
		want("review.replied", 2)
		if _, err := m.svc.ModerateReview(ctx, m.operator, o.ID, instruments.Moderation{Action: instruments.ModerateHide, Reason: "含个人信息"}); err != nil {
			t.Fatal(err)
		}
		want("review.hidden", 1)
		want("review.restored", 0)
		if _, err := m.svc.ModerateReview(ctx, m.operator, o.ID, instruments.Moderation{Action: instruments.ModerateRestore}); err != nil {
			t.Fatal(err)
		}
		want("review.restored", 1)
		// The manager who replied is not told of their own reply.
		if got := countNotes(t, st, m.manager.UserID, "review.replied"); got != 0 {
			t.Fatalf("manager told of own reply: %d", got)
		}
	})
}
