package sqlstore

import (
	"modernc.org/sqlite"
	"modernc.org/sqlite/pcache"
)

// SQLite's own page cache, as modernc.org/sqlite builds it
// (SQLITE_ENABLE_MEMORY_MANAGEMENT), keeps every connection's pages in
// one group behind one mutex: under 16 concurrent requests a quarter of
// the server's CPU went to that lock. The driver's per-connection cache
// (package pcache) has no shared lock; each connection still holds at
// most its cache_size (PageCacheSizes). SQLite takes a page cache only
// before its first connection, hence init.
func init() {
	sqlite.MustRegisterPageCache(pcache.New())
}
