package demo

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/cockpit"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/tasks"
)

func taskServices(t *testing.T, st *sqlstore.Store) (*cockpit.Service, *tasks.Service, *tasks.Tables) {
	t.Helper()
	cat, err := indicator.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tables, err := taskTables()
	if err != nil {
		t.Fatal(err)
	}
	ck := cockpit.NewService(st, stats.NewEngine(st, cat), cockpit.Options{OnScoreboard: tables.OnScoreboard})
	return ck, tasks.NewService(st, cat, ck, tasks.Options{Tables: tables}), tables
}

// Every task-table row has a value or an owner, for every bureau's table;
// in the demo every row has a value, the departmental ones through the
// review workflow (accepted entries), and the 数读 panel too.
func TestTaskTablesFilled(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo")
	}
	t.Parallel()
	ctx := context.Background()
	st := openLoadedSQLite(t)
	ck, svc, tables := taskServices(t, st)
	departmental := 0
	for _, tb := range tables.Tables {
		rep, err := svc.Report(ctx, tb.Code)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != len(tb.Rows) || rep.AsOf.Year != tb.Year {
			t.Fatalf("%s: %d rows as of %v, want %d", tb.Code, len(rep.Rows), rep.AsOf, len(tb.Rows))
		}
		for _, r := range rep.Rows {
			code := r.Figure.Indicator.Code
			if !r.Figure.Known && (r.Department == "" || !r.Owed) {
				t.Errorf("%s %s: neither a value nor an owner", tb.Code, code)
			}
			if !r.Figure.Known {
				t.Errorf("%s %s: no value in the demo (owed by %s)", tb.Code, code, r.Department)
			}
			if !tasks.Departmental(r.Figure.Indicator) {
				continue
			}
			departmental++
			// The value that counts is the accepted entry's, not a typed-in total.
			if r.Entry == nil || r.Entry.Accepted == nil || float64(*r.Entry.Accepted)/tasks.Scale != r.Figure.Value {
				t.Errorf("%s %s: value %v does not come from an accepted entry %+v", tb.Code, code, r.Figure.Value, r.Entry)
			}
		}
		t.Logf("%s: %d rows, %d owed", tb.Code, len(rep.Rows), rep.Owed)
	}
	// Of the 18 manufacturing rows, 5 are computed from monthly reports and
	// titles and 4 from the digital-transformation records (issue 11).
	if departmental != 9+21 {
		t.Errorf("%d departmental rows, want 9 manufacturing + 21 人社", departmental)
	}
	sb, err := ck.Scoreboard(ctx, 2023)
	if err != nil {
		t.Fatal(err)
	}
	if len(sb.TargetTable) != 18 {
		t.Errorf("数读 panel has %d task rows, want the 18 of the manufacturing table", len(sb.TargetTable))
	}
	for _, f := range sb.TargetTable {
		if !f.Known {
			t.Errorf("数读 %s: no value", f.Indicator.Code)
		}
	}
	// The workflow left its trail: 2024 is published, one value was
	// returned before it was accepted, one revision waits for review.
	if _, locked, err := st.PeriodLock(ctx, tasks.Domain, review.Period{Year: 2024}); err != nil || !locked {
		t.Errorf("2024 not published: %v", err)
	}
	entries, err := st.DeptEntries(ctx, 2024, "")
	if err != nil {
		t.Fatal(err)
	}
	pending, returned := 0, 0
	for _, e := range entries {
		if e.State == review.Submitted {
			pending++
			if !e.Revision || e.Reason == "" {
				t.Errorf("pending %s is not a revision with a reason: %+v", e.Indicator, e)
			}
		}
		evs, err := st.ReviewEvents(ctx, tasks.Domain, e.Indicator, review.Period{Year: 2024})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.Action == review.Return {
				returned++
			}
		}
	}
	if pending != 1 || returned != 1 {
		t.Errorf("%d pending revisions and %d returns, want 1 and 1", pending, returned)
	}
}
