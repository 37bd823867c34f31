package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/registry"
)

// storePair is two stores on one database: two processes.
type storePair struct{ a, b *Store }

// storePairs opens, per engine, two stores on one fresh database.
func storePairs() map[string]func(t *testing.T) storePair {
	engines := map[string]func(t *testing.T) storePair{
		"sqlite": func(t *testing.T) storePair {
			path := filepath.Join(t.TempDir(), "ibrain.db")
			return storePair{openSQLiteAt(t, path, Options{}), openSQLiteAt(t, path, Options{})}
		},
	}
	if u := os.Getenv(pgEnv); u != "" {
		engines["postgres"] = func(t *testing.T) storePair {
			dsn := postgresURL(t, u, createPostgresDB(t, u))
			open := func() *Store {
				st, err := Open(context.Background(), dsn, Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
			return storePair{open(), open()}
		}
	}
	return engines
}

// TestDataGeneration: a committed data write advances the generation for
// every store on the database, a write of another store (another
// process) is seen by this one, and neither a rolled-back write nor a
// write of operational records (sessions, the audit trail) moves it.
func TestDataGeneration(t *testing.T) {
	engines := storePairs()
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p := open(t)
			mustMigrate(t, p.a)
			gen := func(st *Store) int64 {
				t.Helper()
				g, err := st.DataGeneration(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			g0 := gen(p.a)
			if g := gen(p.b); g != g0 {
				t.Fatalf("two stores on one database read generations %d and %d", g0, g)
			}

			cat, err := region.Builtin()
			if err != nil {
				t.Fatal(err)
			}
			if err := p.a.SyncRegions(ctx, cat.Regions); err != nil {
				t.Fatal(err)
			}
			g1 := gen(p.b)
			if g1 <= g0 {
				t.Fatalf("a data write left the generation at %d (was %d) for the other store", g1, g0)
			}
			if g := gen(p.a); g != g1 {
				t.Fatalf("the writing store reads %d, the other %d", g, g1)
			}
			// The other process writes (a change: a sync that changes
			// nothing leaves the generation alone); the first store sees it.
			renamed := slices.Clone(cat.Regions[:3])
			renamed[0].NameEn += " (renamed)"
			if err := p.b.SyncRegions(ctx, renamed); err != nil {
				t.Fatal(err)
			}
			g2 := gen(p.a)
			if g2 <= g1 {
				t.Fatalf("another store's write left the generation at %d (was %d)", g2, g1)
			}

			// A failed write rolls the generation back with its data.
			boom := errors.New("boom")
			if err := p.a.inTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE region SET name_zh = name_zh WHERE code = $1`, cat.Regions[0].Code); err != nil {
					return err
				}
				return boom
			}); !errors.Is(err, boom) {
				t.Fatalf("inTx: %v", err)
			}
			if g := gen(p.b); g != g2 {
				t.Fatalf("a rolled-back write moved the generation %d → %d", g2, g)
			}

			// Operational records leave it alone.
			uid, err := p.a.CreateUser(ctx, auth.User{Username: "gen-test", DisplayName: "gen", PasswordHash: "x", Role: auth.RoleCityAnalyst})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.a.CreateSession(ctx, "hash-gen-test", uid, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := p.a.AppendAudit(ctx, audit.Event{Action: audit.SignIn, Actor: "gen-test", At: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if g := gen(p.b); g != g2 {
				t.Fatalf("an account, a session and an audit record moved the generation %d → %d", g2, g)
			}
		})
	}
}

// TestReferenceSyncsAdvanceOnlyOnChange: each reference sync run again
// with the same data leaves the data generation alone (a process opening
// the store must not empty the servers' answer caches), and run with a
// change advances it (a changed catalogue must), on both engines.
func TestReferenceSyncsAdvanceOnlyOnChange(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		cat, err := region.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		regions := slices.Clone(cat.Regions)
		clusters := []registry.ClusterCatalogue{{ID: "cq-2024", Version: "1", EffectiveFrom: "2024-01-01", Source: "test",
			Clusters: []registry.Cluster{{Code: "C01", Tier: "支柱", Group: "g", NameZh: "汽车", NameEn: "Automobiles"}}}}
		inds := []IndicatorRow{{Code: "GEN_TEST", NameZh: "测试指标", NameEn: "Test indicator", Unit: "%", Frequency: "year", Kind: "flow", Aggregation: "sum", Measure: "value", Department: "经信委", Source: "test"}}
		imap := smallMap()
		cfg, err := mujun.Builtin(mujun.BuiltinNames()[0])
		if err != nil {
			t.Fatal(err)
		}
		seedCfg := func() error {
			_, err := st.PutMujunConfig(ctx, cfg, mujun.ConfigOptions{By: "builtin", KeepVersion: true, Builtin: true})
			return err
		}
		syncs := []struct {
			name         string
			sync, change func() error
		}{
			{"regions", func() error { return st.SyncRegions(ctx, regions) }, func() error { regions[0].NameEn += " (renamed)"; return st.SyncRegions(ctx, regions) }},
			{"clusters", func() error { return st.SyncClusters(ctx, clusters) }, func() error { clusters[0].Clusters[0].NameZh = "汽车产业"; return st.SyncClusters(ctx, clusters) }},
			{"indicators", func() error { return st.SyncIndicators(ctx, inds) }, func() error { inds[0].NameZh = "测试指标二"; return st.SyncIndicators(ctx, inds) }},
			{"industry map", func() error { return st.SyncIndustryMap(ctx, imap) }, func() error { imap[0].ClusterCode = "C02"; return st.SyncIndustryMap(ctx, imap) }},
			{"亩均 configuration", seedCfg, func() error { cfg.Version++; return seedCfg() }},
		}
		gen := func() int64 {
			t.Helper()
			g, err := st.DataGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}
		for _, s := range syncs {
			if err := s.sync(); err != nil { // the first time writes
				t.Fatalf("%s: %v", s.name, err)
			}
			before := gen()
			if err := s.sync(); err != nil {
				t.Fatalf("%s again: %v", s.name, err)
			}
			if g := gen(); g != before {
				t.Errorf("%s synced again unchanged moved the generation %d → %d", s.name, before, g)
			}
			if err := s.change(); err != nil {
				t.Fatalf("%s changed: %v", s.name, err)
			}
			if g := gen(); g <= before {
				t.Errorf("%s changed left the generation at %d", s.name, g)
			}
		}
	})
}

// TestConcurrentMigrations: two processes opening one fresh database at
// once both migrate it; each migration is applied once (the two lists of
// applied versions share none and together make every migration), and
// neither fails. Both may read that nothing is applied before either
// starts: the check inside each migration's transaction, under the
// writer lock, is what keeps the second from applying it again.
func TestConcurrentMigrations(t *testing.T) {
	engines := storePairs()
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p := open(t)
			var wg sync.WaitGroup
			got := make([][]int, 2)
			errs := make([]error, 2)
			for i, st := range []*Store{p.a, p.b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = st.Migrate(ctx)
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("concurrent migrations: %v; %v", errs[0], errs[1])
			}
			all := append(slices.Clone(got[0]), got[1]...)
			slices.Sort(all)
			ms, err := loadMigrations()
			if err != nil {
				t.Fatal(err)
			}
			var want []int
			for _, m := range ms {
				want = append(want, m.version)
			}
			if !slices.Equal(all, want) {
				t.Fatalf("applied %v and %v, want each of %v once", got[0], got[1], want)
			}
			if again, err := p.b.Migrate(ctx); err != nil || len(again) != 0 {
				t.Fatalf("a third run applied %v (%v)", again, err)
			}
		})
	}
}
