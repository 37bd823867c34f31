package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tasks"
)

// TestMigrateSyncsTaskTables: 'ibrain migrate' on a new database (no demo)
// brings every task table's rows into the target table, and says so; a
// second run leaves them as they are.
func TestMigrateSyncsTaskTables(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ibrain.db")
	code, _, errOut := run(t, "migrate", "--db", db)
	if code != 0 || !strings.Contains(errOut, "synced task tables") {
		t.Fatalf("migrate: %d %s", code, errOut)
	}
	if code, _, errOut = run(t, "migrate", "--db", db); code != 0 || strings.Contains(errOut, "synced task tables") {
		t.Fatalf("second migrate: %d %s (want nothing synced)", code, errOut)
	}
	tables, err := tasks.BuiltinTables()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tb := range tables.Tables {
		ts, err := st.Targets(context.Background(), tb.Year)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, tg := range ts {
			if tg.Source == tb.Source {
				n++
			}
		}
		if n != len(tb.Rows) {
			t.Errorf("table %s: %d targets after migrate, want %d", tb.Code, n, len(tb.Rows))
		}
	}
}
