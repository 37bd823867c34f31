package sqlstore

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/tasks"
)

// targetsBySource maps indicator → value of the stored targets of a year
// and source.
func targetsBySource(t *testing.T, st *Store, year int, source string) map[string]float64 {
	t.Helper()
	ts, err := st.Targets(context.Background(), year)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, tg := range ts {
		if tg.Source == source {
			out[tg.IndicatorCode] = tg.Value
		}
	}
	return out
}

// TestSyncTaskTables: a deployment gets every task table of tables.json
// into the target table; a second start writes nothing; a new version of
// one table rewrites that table only (a dropped row goes, a changed value
// changes) and leaves other sources' targets alone; a bad row changes
// nothing.
func TestSyncTaskTables(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedIndicators(t, st)
		tables, err := tasks.BuiltinTables()
		if err != nil {
			t.Fatal(err)
		}
		other := target.Target{IndicatorCode: "IND_OUTPUT", ScopeKind: target.ScopeRegion, ScopeCode: "500101", Year: 2024, Comparator: target.AtLeast, Value: 3, Source: "district plan"}
		if err := st.PutTargets(ctx, []target.Target{other}); err != nil {
			t.Fatal(err)
		}
		syncs := tables.Syncs()
		synced, err := st.SyncTaskTables(ctx, syncs)
		if err != nil || len(synced) != len(tables.Tables) {
			t.Fatalf("first sync: %v, %v; want every table", synced, err)
		}
		for _, tb := range tables.Tables {
			got := targetsBySource(t, st, tb.Year, tb.Source)
			if len(got) != len(tb.Rows) {
				t.Errorf("table %s: %d targets stored, want %d", tb.Code, len(got), len(tb.Rows))
			}
			for _, r := range tb.Rows {
				if v, ok := got[r.Indicator]; !ok || v != r.Value {
					t.Errorf("table %s, %s: stored %v (%v), want %v", tb.Code, r.Indicator, v, ok, r.Value)
				}
			}
		}
		if synced, err := st.SyncTaskTables(ctx, syncs); err != nil || len(synced) != 0 {
			t.Fatalf("second sync wrote %v, %v; want nothing", synced, err)
		}

		// A new version of the first table: one row dropped, one changed.
		mfg := tables.Tables[0]
		dropped, changed := mfg.Rows[0].Indicator, mfg.Rows[1]
		mfg.Rows = append([]tasks.Row(nil), mfg.Rows[1:]...)
		mfg.Rows[0].Value = changed.Value + 1
		next := &tasks.Tables{Version: tables.Version + "-next", Tables: append([]tasks.Table{mfg}, tables.Tables[1:]...)}
		synced, err = st.SyncTaskTables(ctx, next.Syncs())
		if err != nil || len(synced) != len(tables.Tables) {
			// The version is the file's, so every table is rewritten once.
			t.Fatalf("new version: %v, %v", synced, err)
		}
		got := targetsBySource(t, st, mfg.Year, mfg.Source)
		if _, ok := got[dropped]; ok {
			t.Errorf("%s dropped from the table but still a target", dropped)
		}
		if got[changed.Indicator] != changed.Value+1 {
			t.Errorf("%s = %v, want %v", changed.Indicator, got[changed.Indicator], changed.Value+1)
		}
		if d := targetsBySource(t, st, 2024, "district plan"); d["IND_OUTPUT"] != 3 {
			t.Errorf("another source's target changed: %v", d)
		}

		// A bad row (unknown comparator) is refused and changes nothing.
		bad := next.Syncs()
		bad[0].Version, bad[0].Targets[0].Comparator = "broken", "=="
		before := targetsBySource(t, st, mfg.Year, mfg.Source)
		if _, err := st.SyncTaskTables(ctx, bad); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad comparator: %v, want invalid", err)
		}
		after := targetsBySource(t, st, mfg.Year, mfg.Source)
		if len(after) != len(before) || after[changed.Indicator] != before[changed.Indicator] {
			t.Errorf("a refused sync changed the targets: %v → %v", before, after)
		}
		if synced, err := st.SyncTaskTables(ctx, next.Syncs()); err != nil || len(synced) != 0 {
			t.Errorf("after a refused sync the recorded versions changed: %v, %v", synced, err)
		}
	})
}
