package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSQLitePageCacheBudget: the page cache is one budget for the store,
// not a size per connection: the writer's and every reader's cache_size
// add up to at most the budget, and a larger pool gets smaller shares.
func TestSQLitePageCacheBudget(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		budget  int64
		readers int
	}{{0, 4}, {64 << 20, 4}, {16 << 20, 8}, {160 << 20, 2}} {
		st, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "db.sqlite"), Options{PageCache: c.budget, MaxReadConns: c.readers})
		if err != nil {
			t.Fatal(err)
		}
		var writer, reader int64
		if err := st.write.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&writer); err != nil {
			t.Fatal(err)
		}
		if err := st.read.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&reader); err != nil {
			t.Fatal(err)
		}
		st.Close()
		budget := c.budget
		if budget == 0 {
			budget = 64 << 20
		}
		// Negative cache_size is KiB.
		total := (-writer - reader*int64(c.readers)) << 10
		if writer >= 0 || reader >= 0 || total > budget || total < budget*9/10 {
			t.Errorf("budget %d MiB, %d readers: writer %d, reader %d: %d MiB in all", budget>>20, c.readers, writer, reader, total>>20)
		}
	}
}
