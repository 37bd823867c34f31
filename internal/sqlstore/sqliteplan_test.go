package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLiteCellQueriesSeekTheFirm: SQLite keeps no statistics here, so
// the plans of the summary cells' queries rest on how they are written.
// The specialized flag must look a firm's titles up by the title key
// (firm first), not walk every specialized title granted by the date
// through title_kind (11 s for a whole year's cells at 10× in the C shell
// against 0.24 s); a correction's cells must seek each firm-year by the
// primary key, not walk the year's firms through the year index (a 100-row
// correction spent 90 % of its time there at 10×).
func TestSQLiteCellQueriesSeekTheFirm(t *testing.T) {
	ctx := context.Background()
	st := openSQLiteAt(t, filepath.Join(t.TempDir(), "db.sqlite"), Options{})
	mustMigrate(t, st)
	plan := func(q string) string {
		t.Helper()
		rows, err := st.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, 2024, "2024-12-31")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, detail)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return strings.Join(lines, "\n")
	}
	titleByKey := "SEARCH t USING INDEX sqlite_autoindex_title_1 (enterprise_id=?)"
	whole := plan(cellAttrsSQL)
	if !strings.Contains(whole, titleByKey) {
		t.Errorf("the year's cells read titles other than by the firm:\n%s", whole)
	}
	// A correction's hundred firms: with five, SQLite seeks the key anyway.
	ids := make([]int64, 100)
	for i := range ids {
		ids[i] = int64(700*i + 1)
	}
	some := plan(cellsOfFirmsSQL(ids))
	if !strings.Contains(some, titleByKey) {
		t.Errorf("the firms' cells read titles other than by the firm:\n%s", some)
	}
	if !strings.Contains(some, "SEARCH ey USING INDEX sqlite_autoindex_enterprise_year_1 (enterprise_id=? AND year=?)") {
		t.Errorf("the firms' cells do not seek each firm-year:\n%s", some)
	}
}

// TestSQLiteWriterTempStore: the writer keeps temporary data (the
// statement journals of its multi-row upserts) in a file, where modernc's
// allocator does not see it; readers keep their sorts in memory.
func TestSQLiteWriterTempStore(t *testing.T) {
	ctx := context.Background()
	st := openSQLiteAt(t, filepath.Join(t.TempDir(), "db.sqlite"), Options{})
	var writer, reader int
	if err := st.write.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&writer); err != nil {
		t.Fatal(err)
	}
	if err := st.read.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&reader); err != nil {
		t.Fatal(err)
	}
	// 1 is FILE, 2 is MEMORY.
	if writer != 1 || reader != 2 {
		t.Errorf("temp_store: writer %d, reader %d; want 1 (file) and 2 (memory)", writer, reader)
	}
}
