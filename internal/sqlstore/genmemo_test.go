package sqlstore

import (
	"context"
	"database/sql"
	"testing"

	"github.com/industrybrain/ibrain/internal/target"
)

// TestGenMemo: a kept value is served until the data generation moves,
// then loaded again; a load that read an older generation than the
// memo's does not replace the newer values; the keys are bounded.
func TestGenMemo(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		bump := func() {
			t.Helper()
			if err := st.inTx(ctx, func(*sql.Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
		var m genMemo[int, int]
		loads := 0
		get := func(key, v int) int {
			t.Helper()
			got, err := m.get(ctx, st, key, func() (int, error) { loads++; return v, nil })
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := get(1, 10); got != 10 || loads != 1 {
			t.Fatalf("first get: %d after %d loads", got, loads)
		}
		if got := get(1, 11); got != 10 || loads != 1 {
			t.Fatalf("same generation: %d after %d loads, want the kept 10 after 1", got, loads)
		}
		bump()
		if got := get(1, 12); got != 12 || loads != 2 {
			t.Fatalf("after a write: %d after %d loads, want 12 after 2", got, loads)
		}
		// A value loaded under an older generation is returned to its
		// caller but not kept among the newer one's.
		m.mu.Lock()
		m.gen++
		newer := m.gen
		m.m = map[int]int{1: 99}
		m.mu.Unlock()
		if got := get(2, 13); got != 13 {
			t.Fatalf("an older generation's load: %d, want its own 13", got)
		}
		if _, kept := m.m[2]; m.gen != newer || m.m[1] != 99 || kept {
			t.Fatalf("an older generation's load was kept with the newer values: gen %d, %v", m.gen, m.m)
		}
		bump()
		for k := range 2 * genMemoKeys {
			get(k, k)
		}
		if len(m.m) > genMemoKeys {
			t.Fatalf("%d keys kept, at most %d", len(m.m), genMemoKeys)
		}
	})
}

// TestTargetsMemoCopies: a caller changing the targets it was given does
// not change what the next caller reads.
func TestTargetsMemoCopies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		if err := st.SyncIndicators(ctx, []IndicatorRow{{Code: "va_growth", NameZh: "增速", NameEn: "Growth", Unit: "%", Frequency: "monthly", Kind: "rate", Aggregation: "growth", Measure: "value_added", Department: "经信委", Source: "test", HigherIsBetter: true}}); err != nil {
			t.Fatal(err)
		}
		want := target.Target{IndicatorCode: "va_growth", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 6, Source: "任务表"}
		if err := st.PutTargets(ctx, []target.Target{want}); err != nil {
			t.Fatal(err)
		}
		for _, read := range []func() ([]target.Target, error){
			func() ([]target.Target, error) { return st.Targets(ctx, 2024) },
			func() ([]target.Target, error) { return st.TargetsInScope(ctx, 2024, target.ScopeCity, "") },
		} {
			first, err := read()
			if err != nil || len(first) != 1 {
				t.Fatalf("%+v %v", first, err)
			}
			first[0].Value = -1
			again, err := read()
			if err != nil || len(again) != 1 || again[0] != want {
				t.Fatalf("after a caller's change: %+v %v, want %+v", again, err, want)
			}
		}
	})
}
