package app

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/industrybrain/ibrain/internal/testkit"
)

// TestReopeningLeavesTheDataGenerationAlone: every process that opens the
// store syncs the reference data (regions, clusters, indicators, the
// industry map, task tables, the 亩均 configurations). Opened again with
// nothing to change, it must not advance the data generation, or every
// command run beside a server (an import --check, an audit verify)
// empties that server's answer cache. The first open, which writes the
// catalogues, does advance it. On SQLite and, when configured,
// PostgreSQL.
func TestReopeningLeavesTheDataGenerationAlone(t *testing.T) {
	dsns := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "gen.db")}
	if u := testkit.PostgresURL(); u != "" {
		dsns["postgres"] = testkit.Postgres(t, u, "ibrain_gen_")
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			gen := func() int64 {
				t.Helper()
				a, err := Open(ctx, Config{DB: dsn})
				if err != nil {
					t.Fatal(err)
				}
				defer a.Close()
				g, err := a.Store.DataGeneration(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			first := gen()
			if first <= 1 {
				t.Fatalf("the first open, which writes the catalogues, left the generation at %d", first)
			}
			for i := range 2 {
				if g := gen(); g != first {
					t.Fatalf("open %d moved the data generation from %d to %d with nothing to change", i+2, first, g)
				}
			}
		})
	}
}
