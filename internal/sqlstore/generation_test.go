package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/region"
)

// TestDataGeneration: a committed data write advances the generation for
// every store on the database, a write of another store (another
// process) is seen by this one, and neither a rolled-back write nor a
// write of operational records (sessions, the audit trail) moves it.
func TestDataGeneration(t *testing.T) {
	type pair struct{ a, b *Store }
	engines := map[string]func(t *testing.T) pair{
		"sqlite": func(t *testing.T) pair {
			path := filepath.Join(t.TempDir(), "ibrain.db")
			return pair{openSQLiteAt(t, path, Options{}), openSQLiteAt(t, path, Options{})}
		},
	}
	if u := os.Getenv(pgEnv); u != "" {
		engines["postgres"] = func(t *testing.T) pair {
			dsn := postgresURL(t, u, createPostgresDB(t, u))
			open := func() *Store {
				st, err := Open(context.Background(), dsn, Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
			return pair{open(), open()}
		}
	}
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
			// The other process writes; the first store sees it.
			if err := p.b.SyncRegions(ctx, cat.Regions[:3]); err != nil {
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
