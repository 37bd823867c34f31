package demo

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// loadedDemo is one SQLite database with the demo loaded (seed 1, scale 1),
// shared by the tests that read it: a load takes 15–60 s, and loading once
// for all of them keeps the package well inside go test's time limit.
// TestAcceptanceSQLite still loads its own database, since it checks Load
// itself (progress, reload).
type loadedDemo struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// shared is test-only state, set once by openLoadedSQLite.
var shared loadedDemo

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// openLoadedSQLite opens a connection to the shared demo database, loading
// it on first use. Tests may write to it only what a reload of the demo
// would write anyway.
func openLoadedSQLite(t *testing.T) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	shared.once.Do(func() {
		if shared.dir, shared.err = os.MkdirTemp("", "ibrain-demo-test-"); shared.err != nil {
			return
		}
		shared.path = "sqlite:" + filepath.Join(shared.dir, "demo.db")
		st, err := sqlstore.Open(ctx, shared.path, sqlstore.Options{})
		if err != nil {
			shared.err = err
			return
		}
		defer st.Close()
		prepare(t, st)
		_, shared.err = Load(ctx, st, Options{Seed: 1, Scale: 1})
	})
	if shared.err != nil {
		t.Fatalf("loading the shared demo database: %v", shared.err)
	}
	st, err := sqlstore.Open(ctx, shared.path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
