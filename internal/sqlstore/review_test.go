package sqlstore

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
)

func TestPeriodLocks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		may := review.Period{Year: 2024, Month: 5}
		if _, ok, err := st.PeriodLock(ctx, review.MonthlyReport, may); err != nil || ok {
			t.Fatalf("lock before publishing: %v, %v; want none", ok, err)
		}
		l, err := st.LockPeriod(ctx, review.Lock{Domain: review.MonthlyReport, Period: may, LockedBy: 7, Note: "published"})
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := st.PeriodLock(ctx, review.MonthlyReport, may)
		if err != nil || !ok || got.LockedBy != 7 || got.Note != "published" || !got.LockedAt.Equal(l.LockedAt) {
			t.Fatalf("PeriodLock = %+v, %v, %v; want the lock by 7 at %v", got, ok, err, l.LockedAt)
		}
		// A second publication is refused and the first stands.
		if _, err := st.LockPeriod(ctx, review.Lock{Domain: review.MonthlyReport, Period: may, LockedBy: 8}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("locking twice: %v, want conflict", err)
		}
		// Locks are per domain and per period.
		if _, ok, _ := st.PeriodLock(ctx, review.Domain("dept:software"), may); ok {
			t.Error("a lock of monthly reports locked another domain")
		}
		if _, ok, _ := st.PeriodLock(ctx, review.MonthlyReport, review.Period{Year: 2024, Month: 6}); ok {
			t.Error("a lock of May locked June")
		}
		if _, err := st.LockPeriod(ctx, review.Lock{Domain: "dept:software", Period: review.Period{Year: 2024}, LockedBy: 9}); err != nil {
			t.Fatal(err)
		}
		ls, err := st.PeriodLocks(ctx, review.MonthlyReport)
		if err != nil || len(ls) != 1 || ls[0].LockedBy != 7 {
			t.Fatalf("PeriodLocks = %+v, %v; want only the May lock by 7", ls, err)
		}
	})
}

func TestReviewEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		p := review.Period{Year: 2024, Month: 6}
		at := time.Date(2024, 7, 3, 8, 0, 0, 0, time.UTC)
		evs := []review.Event{
			{Domain: review.MonthlyReport, Subject: "42", Period: p, Action: review.Submit, From: review.Missing, To: review.Submitted, ActorID: 3, At: at},
			{Domain: review.MonthlyReport, Subject: "42", Period: p, Action: review.Return, From: review.Submitted, To: review.Returned, ActorID: 4, At: at.Add(time.Hour), Reason: "check output"},
			{Domain: review.MonthlyReport, Subject: "43", Period: p, Action: review.Submit, From: review.Missing, To: review.Submitted, ActorID: 5, At: at},
			{Domain: review.MonthlyReport, Subject: "42", Period: review.Period{Year: 2024, Month: 5}, Action: review.Accept, From: review.Submitted, To: review.Accepted,
				Revision: true, ActorID: 1, At: at, Reason: "typo", OldValues: `{"output":1}`, NewValues: `{"output":2}`},
		}
		for _, e := range evs {
			if err := st.inTx(ctx, func(tx *sql.Tx) error { return appendReviewEventTx(ctx, tx, e) }); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.ReviewEvents(ctx, review.MonthlyReport, "42", p)
		if err != nil || len(got) != 2 || got[0].Action != review.Submit || got[1].Reason != "check output" || !got[1].At.Equal(at.Add(time.Hour)) {
			t.Fatalf("June history of 42 = %+v, %v; want submit then return", got, err)
		}
		all, err := st.ReviewEvents(ctx, review.MonthlyReport, "42", review.Period{})
		if err != nil || len(all) != 3 {
			t.Fatalf("whole history of 42: %d events, %v; want 3", len(all), err)
		}
		rev := all[2]
		if !rev.Revision || rev.OldValues != `{"output":1}` || rev.NewValues != `{"output":2}` || rev.ActorID != 1 {
			t.Errorf("revision event read back as %+v", rev)
		}
	})
}
