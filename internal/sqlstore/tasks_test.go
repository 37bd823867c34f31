package sqlstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/tasks"
)

// deptJudge is the service's judgement (tasks.Apply) for actor a.
func deptJudge(tb testing.TB, a tasks.Actor) func(cur *tasks.Entry, ch tasks.Change, locked bool) (tasks.Entry, review.Event, error) {
	cat, err := indicator.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	at := time.Date(2025, 1, 20, 12, 0, 0, 0, time.UTC)
	return func(cur *tasks.Entry, ch tasks.Change, locked bool) (tasks.Entry, review.Event, error) {
		ind, _ := cat.ByCode(ch.Indicator)
		return tasks.Apply(ind, cur, ch, a, locked, at)
	}
}

func v4(v int64) *int64 { return &v }

func TestDeptEntries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedIndicators(t, st)
		tongji := tasks.Actor{UserID: 11, Department: "市统计局", Enter: true}
		keji := tasks.Actor{UserID: 12, Department: "市科技局", Enter: true}
		city := tasks.Actor{UserID: 1, Review: true}
		share := tasks.Change{Indicator: "MFG_VA_GDP_SHARE", Year: 2024, Action: review.Submit, Value: v4(255_000), Note: "统计快报"}
		if err := st.ApplyDeptChanges(ctx, []tasks.Change{share}, deptJudge(t, tongji)); err != nil {
			t.Fatal(err)
		}
		if err := st.ApplyDeptChanges(ctx, []tasks.Change{{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Save, Value: v4(9 * tasks.Scale)}}, deptJudge(t, keji)); err != nil {
			t.Fatal(err)
		}
		// Submitted, not accepted: nothing counts yet.
		if _, ok, err := st.IndicatorValue(ctx, "MFG_VA_GDP_SHARE", target.ScopeCity, "", 2024, 12); err != nil || ok {
			t.Fatalf("value before acceptance: %v %v", ok, err)
		}
		all, err := st.DeptEntries(ctx, 2024, "")
		if err != nil || len(all) != 2 {
			t.Fatalf("entries %+v %v", all, err)
		}
		own, err := st.DeptEntries(ctx, 2024, "市统计局")
		if err != nil || len(own) != 1 || own[0].Indicator != "MFG_VA_GDP_SHARE" || own[0].State != review.Submitted || own[0].Value != 255_000 ||
			own[0].Note != "统计快报" || own[0].Accepted != nil || own[0].UpdatedBy != 11 {
			t.Fatalf("statistics bureau's entries %+v %v", own, err)
		}
		// A batch whose second change is refused writes nothing: the first
		// would have been accepted.
		err = st.ApplyDeptChanges(ctx, []tasks.Change{
			{Indicator: "MFG_VA_GDP_SHARE", Year: 2024, Action: review.Accept},
			{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Accept}, // a draft: not submitted
		}, deptJudge(t, city))
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("accepting a draft in a batch: %v, want conflict", err)
		}
		if got, _ := st.DeptEntries(ctx, 2024, "市统计局"); got[0].State != review.Submitted {
			t.Fatalf("refused batch changed the entry: %+v", got[0])
		}
		if evs, _ := st.ReviewEvents(ctx, tasks.Domain, "MFG_VA_GDP_SHARE", review.Period{Year: 2024}); len(evs) != 1 {
			t.Fatalf("refused batch left events: %+v", evs)
		}
		if err := st.ApplyDeptChanges(ctx, []tasks.Change{{Indicator: "MFG_VA_GDP_SHARE", Year: 2024, Action: review.Accept}}, deptJudge(t, city)); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := st.IndicatorValue(ctx, "MFG_VA_GDP_SHARE", target.ScopeCity, "", 2024, 12); err != nil || !ok || v != 255_000 {
			t.Fatalf("accepted value %d %v %v, want 255000", v, ok, err)
		}
		// Published: a revision needs a reason, and the accepted value
		// stands until the revision is accepted.
		if _, err := st.LockPeriod(ctx, review.Lock{Domain: tasks.Domain, Period: review.Period{Year: 2024}, LockedBy: 1}); err != nil {
			t.Fatal(err)
		}
		rev := tasks.Change{Indicator: "MFG_VA_GDP_SHARE", Year: 2024, Action: review.Submit, Value: v4(262_000)}
		if err := st.ApplyDeptChanges(ctx, []tasks.Change{rev}, deptJudge(t, tongji)); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("revision without reason: %v", err)
		}
		rev.Reason = "年报数据"
		if err := st.ApplyDeptChanges(ctx, []tasks.Change{rev}, deptJudge(t, tongji)); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := st.IndicatorValue(ctx, "MFG_VA_GDP_SHARE", target.ScopeCity, "", 2024, 0); v != 255_000 {
			t.Fatalf("a pending revision changed the counting value to %d", v)
		}
		if err := st.ApplyDeptChanges(ctx, []tasks.Change{{Indicator: "MFG_VA_GDP_SHARE", Year: 2024, Action: review.Accept, Reason: "核实"}}, deptJudge(t, city)); err != nil {
			t.Fatal(err)
		}
		if v, _, _ := st.IndicatorValue(ctx, "MFG_VA_GDP_SHARE", target.ScopeCity, "", 2024, 0); v != 262_000 {
			t.Fatalf("accepted revision: value %d, want 262000", v)
		}
		evs, err := st.ReviewEvents(ctx, tasks.Domain, "MFG_VA_GDP_SHARE", review.Period{Year: 2024})
		if err != nil || len(evs) != 4 {
			t.Fatalf("history %+v %v", evs, err)
		}
		last := evs[3]
		if !last.Revision || last.OldValues != `{"value":"25.5"}` || last.NewValues != `{"value":"26.2"}` || last.ActorID != 1 || last.Reason != "核实" || evs[2].Reason != "年报数据" {
			t.Fatalf("revision event %+v", last)
		}
	})
}

// Two reviewers accepting the same submission at once: one wins, the
// other is refused as a conflict, and the history has one acceptance.
func TestDeptEntriesConcurrentAccept(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedIndicators(t, st)
		keji := tasks.Actor{UserID: 12, Department: "市科技局", Enter: true}
		if err := st.ApplyDeptChanges(ctx, []tasks.Change{{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Submit, Value: v4(11 * tasks.Scale)}}, deptJudge(t, keji)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = st.ApplyDeptChanges(ctx, []tasks.Change{{Indicator: "NEW_KEY_LABS", Year: 2024, Action: review.Accept}}, deptJudge(t, tasks.Actor{UserID: int64(i + 1), Review: true}))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("concurrent accept: %v", err)
			}
		}
		evs, _ := st.ReviewEvents(ctx, tasks.Domain, "NEW_KEY_LABS", review.Period{Year: 2024})
		if ok != 1 || len(evs) != 2 {
			t.Fatalf("%d acceptances succeeded, %d events; want 1 and 2", ok, len(evs))
		}
	})
}
