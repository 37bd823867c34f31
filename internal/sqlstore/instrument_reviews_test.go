package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The owner's reply and the operator's moderation of reviews (issue 9
// item 5): only the instrument's manager or its unit's administrator
// replies, until moderation; a hidden review leaves the instrument's
// rating and the usage statistics' average but its author still sees it.
func TestReviewReplyAndModeration(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		m := newMarket(t, st)
		d, hourly, _ := m.open(t, "扫描电镜", "SU8010", "01", "电子光学仪器", openRules(), 300*unit.Yuan)
		// Three customers' rated orders, on three days of December 2026.
		stars := map[int64]int{}
		var orders []int64
		for i, c := range []struct {
			a     instruments.Actor
			stars int
		}{{m.firm, 5}, {m.researcher, 4}, {m.admin, 1}} {
			day := time.Date(2026, 12, 7+i, 9, 0, 0, 0, instruments.Zone)
			o, err := m.svc.Book(ctx, c.a, instruments.BookRequest{InstrumentID: d.ID, ItemID: hourly, Start: day, End: day.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range []instruments.ActRequest{{Action: "approve"}, {Action: "schedule"}, {Action: "start"}, {Action: "complete"},
				{Action: instruments.OrderConfirm, Usage: instruments.Usage{ActualMinutes: 60, BillableMinutes: 60}}, {Action: "invoice"}} {
				if _, err := m.svc.Act(ctx, m.manager, o.ID, step); err != nil {
					t.Fatalf("%s: %v", step.Action, err)
				}
			}
			if _, err := m.svc.Act(ctx, m.manager, o.ID, instruments.ActRequest{Action: "pay"}); err != nil {
				t.Fatal(err)
			}
			if _, err := m.svc.Rate(ctx, c.a, o.ID, c.stars, []string{"service"}, "评价"); err != nil {
				t.Fatal(err)
			}
			stars[o.ID] = c.stars
			orders = append(orders, o.ID)
		}
		low := orders[2]

		// Replies: the assigned manager and the unit's administrator may;
		// the customer, the operator and another unit's administrator may
		// not, and a refused or invalid reply changes nothing.
		otherID, err := st.CreateUser(ctx, auth.User{Username: "otheradmin", DisplayName: "otheradmin", PasswordHash: "x", Role: auth.RoleCityAnalyst})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutSharingMember(ctx, instruments.Member{UserID: otherID, UnitID: m.other.ID, Category: instruments.Internal}); err != nil {
			t.Fatal(err)
		}
		otherAdmin := instruments.Actor{UserID: otherID, UnitAdmin: true, Manager: true, Booker: true}
		for name, a := range map[string]instruments.Actor{"customer": m.firm, "operator": m.operator, "other unit": otherAdmin} {
			if _, err := m.svc.ReplyToReview(ctx, a, orders[0], "谢谢"); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("%s replying: %v", name, err)
			}
		}
		if _, err := m.svc.ReplyToReview(ctx, m.manager, orders[0], "   "); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("empty reply: %v", err)
		}
		if r, err := st.Review(ctx, orders[0]); err != nil || r.Reply != "" || r.RepliedBy != 0 {
			t.Fatalf("refused replies changed the review: %+v %v", r, err)
		}
		if r, err := m.svc.ReplyToReview(ctx, m.manager, orders[0], " 感谢使用 "); err != nil || r.Reply != "感谢使用" || r.RepliedBy != m.manager.UserID {
			t.Fatalf("manager's reply: %+v %v", r, err)
		}
		if r, err := m.svc.ReplyToReview(ctx, m.admin, orders[0], "欢迎再来"); err != nil || r.Reply != "欢迎再来" || r.RepliedBy != m.admin.UserID {
			t.Fatalf("unit administrator's edit: %+v %v", r, err)
		}
		if _, err := m.svc.ReplyToReview(ctx, m.manager, 999999, "x"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("no review: %v", err)
		}

		// Moderation: only the operator; hiding needs a reason.
		if _, err := m.svc.ModerateReview(ctx, m.admin, low, instruments.Moderation{Action: instruments.ModerateHide, Reason: "x"}); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("unit hiding: %v", err)
		}
		if _, err := m.svc.ModerateReview(ctx, m.operator, low, instruments.Moderation{Action: instruments.ModerateHide}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("hiding without a reason: %v", err)
		}
		if _, err := m.svc.ModerateReview(ctx, m.operator, low, instruments.Moderation{Action: instruments.ModerateRestore}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("restoring a visible review: %v", err)
		}
		average := func(hidden map[int64]bool) float64 {
			sum, n := 0, 0
			for id, s := range stars {
				if !hidden[id] {
					sum, n = sum+s, n+1
				}
			}
			return float64(sum) / float64(n)
		}
		check := func(when string, hidden map[int64]bool) {
			t.Helper()
			want := average(hidden)
			dd, err := m.svc.Detail(ctx, d.ID)
			if err != nil || dd.RatingN != len(stars)-len(hidden) || dd.Rating != want {
				t.Fatalf("%s: rating %v of %d, want %v of %d (%v)", when, dd.Rating, dd.RatingN, want, len(stars)-len(hidden), err)
			}
			rep, err := m.svc.Usage(ctx, 2026, 5)
			if err != nil || rep.Total.AverageRating() != want {
				t.Fatalf("%s: usage average %v, want %v (%v)", when, rep.Total.AverageRating(), want, err)
			}
			hits, err := m.svc.Search(ctx, instruments.SearchQuery{Text: "SU8010"})
			if err != nil || len(hits.Hits) != 1 {
				t.Fatalf("%s: search %+v %v", when, hits, err)
			}
		}
		check("all visible", nil)
		r, err := m.svc.ModerateReview(ctx, m.operator, low, instruments.Moderation{Action: instruments.ModerateHide, Reason: "与服务无关"})
		if err != nil || !r.Hidden || r.HiddenReason != "与服务无关" || r.ModeratedBy != m.operator.UserID {
			t.Fatalf("hide: %+v %v", r, err)
		}
		check("one hidden", map[int64]bool{low: true})
		seen := func(a instruments.Actor) map[int64]bool {
			t.Helper()
			rs, err := m.svc.Reviews(ctx, a, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]bool{}
			for _, r := range rs {
				out[r.OrderID] = r.Hidden
			}
			return out
		}
		if h, ok := seen(m.firm)[low]; ok {
			t.Fatalf("another customer sees the hidden review (hidden=%v)", h)
		}
		if h, ok := seen(m.admin)[low]; !ok || !h {
			t.Fatal("its author does not see the hidden review marked hidden")
		}
		if h, ok := seen(m.operator)[low]; !ok || !h {
			t.Fatal("the operator does not see the hidden review")
		}
		if _, err := m.svc.ReplyToReview(ctx, m.manager, low, "抱歉"); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("reply after moderation: %v", err)
		}
		if r, err := m.svc.ModerateReview(ctx, m.operator, low, instruments.Moderation{Action: instruments.ModerateRestore}); err != nil || r.Hidden || r.HiddenReason != "" {
			t.Fatalf("restore: %+v %v", r, err)
		}
		check("restored", nil)
		if _, ok := seen(m.firm)[low]; !ok {
			t.Fatal("the restored review is not shown")
		}
	})
}
