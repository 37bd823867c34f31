package sqlstore

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/mujun"
)

// TestBulkWritesLeavePlannerStatistics: on PostgreSQL a 亩均 run's results
// are analysed in the run's transaction, and Vacuum leaves every table
// with a visibility map (index-only scans) and statistics. Without them
// the planner costed mujun_result as never counted and every count of the
// name index read the table.
func TestBulkWritesLeavePlannerStatistics(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedMujunWorld(t, st)
		res, cnt := evaluateMujunWorld(t, st)
		if _, err := st.SaveMujunRun(ctx, res, mujun.RunMeta{Counts: cnt}); err != nil {
			t.Fatal(err)
		}
		if st.Engine() != Postgres {
			if err := st.Vacuum(ctx); err != nil {
				t.Fatalf("Vacuum on SQLite: %v", err)
			}
			return
		}
		stat := func(table string) (tuples float64, visible int) {
			t.Helper()
			if err := st.read.QueryRowContext(ctx, `SELECT reltuples, relallvisible FROM pg_class WHERE oid = CAST($1 AS regclass)`, table).Scan(&tuples, &visible); err != nil {
				t.Fatal(err)
			}
			return tuples, visible
		}
		if n, _ := stat("mujun_result"); int(n) != len(res.Enterprises) {
			t.Errorf("mujun_result counted %v rows by the planner after the run, want %d", n, len(res.Enterprises))
		}
		if _, v := stat("enterprise"); v != 0 {
			t.Fatalf("enterprise has %d all-visible pages before any vacuum: the test shows nothing", v)
		}
		if err := st.Vacuum(ctx); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"enterprise", "enterprise_year", "mujun_result"} {
			if n, v := stat(table); n <= 0 || v == 0 {
				t.Errorf("%s after Vacuum: %v rows counted, %d all-visible pages; want both above 0", table, n, v)
			}
		}
	})
}
