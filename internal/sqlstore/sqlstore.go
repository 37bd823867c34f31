// Package sqlstore is the platform's storage adapter: one set of SQL
// statements that runs on embedded SQLite (modernc.org/sqlite, no cgo) and on
// PostgreSQL (pgx through database/sql). Statements use $N placeholders and
// CAST(), which both engines accept; the few differences live in dialect.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/target"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"               // registers the "sqlite" driver; its Error carries the result code
)

// Engine names a database engine.
type Engine string

// Engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Store is the storage adapter. Reads go to a pool; on SQLite writes go to a
// separate single-connection pool with immediate transactions, because a
// deferred transaction that reads then writes cannot upgrade its lock under
// WAL and fails with SQLITE_BUSY without waiting.
type Store struct {
	engine    Engine
	read      *sql.DB
	write     *sql.DB
	now       func() time.Time
	writeWait time.Duration
	onBusy    func()
	path      string // the SQLite file; "" on PostgreSQL
	// txConns maps an open PostgreSQL write transaction to the connection
	// it runs on, so bulk writes inside it can use COPY (pgcopy.go).
	txConns sync.Map // *sql.Tx → *sql.Conn
	// bulkMin is the smallest write that goes through COPY on PostgreSQL
	// (bulkMinRows; tests move it to compare both paths).
	bulkMin int
	// search is the catalogue's in-memory search index
	// (instrument_search.go).
	search instrumentSearch
	// deltaMax is the largest report write whose summaries are kept by
	// delta (deltaMaxRows; tests move it to compare with the rebuild).
	deltaMax int
	// wholePeriod is the smallest batch of a file of up to three months
	// whose neighbouring rows are read as whole periods
	// (wholePeriodRows; tests move it to compare both reads).
	wholePeriod int
	// storedCheck is the smallest report write whose neighbour read
	// first asks which periods hold rows (storedCheckRows; tests move
	// it).
	storedCheck int
	// cellsAheadRows is the smallest streamed report write whose summary
	// cells are read while its batches are written (cellsWholeYear;
	// tests move it).
	cellsAheadRows int
	// districtWalk is the most index entries of a bigram a district's
	// name search walks before it walks the district's names instead
	// (districtWalkEntries; tests move it to compare both walks).
	districtWalk int
	// listing keeps the city's listing records, targets the targets of a
	// year and scope, goalPlans the goal plans, per data generation
	// (genmemo.go).
	listing   genMemo[struct{}, []listing.Firm]
	targets   genMemo[targetKey, []target.Target]
	goalPlans genMemo[struct{}, []goals.Plan]
	// booking queues concurrent bookings for group commit on PostgreSQL
	// (instrument_booking.go).
	booking bookQueue
	book    *sql.DB // PostgreSQL: the booking batches' connections
	// facts caches what a booking reads before it is placed
	// (booking_facts.go).
	facts bookingFacts
}

// Options tune Open.
type Options struct {
	Now          func() time.Time // clock; time.Now when nil
	MaxReadConns int              // reader pool size; 2×CPU when zero
	// SQLite only. BusyTimeout is how long one statement waits for a lock
	// another process holds (busy_timeout; 10 s when zero). WriteWait is
	// how long a write transaction keeps retrying to begin while another
	// process writes — a command-line import next to the server, say —
	// before it fails with "database is locked" (2 min when zero).
	BusyTimeout time.Duration
	WriteWait   time.Duration
	// OnBusy, when set, is called each time a write transaction found the
	// database locked and will retry (for tests and logs).
	OnBusy func()
	// PageCache is the SQLite page cache of all connections together, in
	// bytes (DefaultPageCache when zero). SQLite allocates it outside the
	// Go heap, so the runtime's memory limit does not see it: it is a
	// budget of its own, a quarter for the writer and the rest split
	// among the readers (PageCacheSizes).
	PageCache int64
}

// DefaultPageCache is the SQLite page cache of a store, all connections
// together. At ten times the demo (a 0.9 GB database) the cockpit, lists
// and 亩均 pages cost the same CPU per request with 64 MiB as with the
// 160 MiB (32 MB a connection) used before; see docs/PERFORMANCE.md.
const DefaultPageCache = 64 << 20

// PageCacheSizes splits a page cache budget (bytes; DefaultPageCache when
// not positive) into the writer's and each of readers' share, in KiB, at
// least 256 KiB each.
func PageCacheSizes(budget int64, readers int) (writerKiB, readerKiB int64) {
	if budget <= 0 {
		budget = DefaultPageCache
	}
	readers = max(readers, 1)
	return max(budget/4>>10, 256), max(budget*3/4/int64(readers)>>10, 256)
}

// Open connects to dsn: "sqlite:PATH" (the file and its directory are
// created) or a "postgres://" URL. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	s := &Store{now: opts.Now, writeWait: opts.WriteWait, onBusy: opts.OnBusy, bulkMin: bulkMinRows, deltaMax: deltaMaxRows, wholePeriod: wholePeriodRows, storedCheck: storedCheckRows, cellsAheadRows: cellsWholeYear, districtWalk: districtWalkEntries}
	if s.writeWait <= 0 {
		s.writeWait = 2 * time.Minute
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 10 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	readConns := opts.MaxReadConns
	if readConns == 0 {
		readConns = 2 * runtime.NumCPU()
	}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		s.path = path
		if path == "" {
			return nil, errors.New("sqlstore: sqlite DSN needs a path")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("sqlstore: %w", err)
			}
		}
		s.engine = SQLite
		writerKiB, readerKiB := PageCacheSizes(opts.PageCache, readConns)
		var err error
		if s.write, err = sql.Open("sqlite", sqliteDSN(path, true, busy, writerKiB)); err != nil {
			return nil, err
		}
		s.write.SetMaxOpenConns(1)
		if s.read, err = sql.Open("sqlite", sqliteDSN(path, false, busy, readerKiB)); err != nil {
			return nil, err
		}
		s.read.SetMaxOpenConns(readConns)
		s.read.SetMaxIdleConns(readConns)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.engine = Postgres
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		// Every open connection may stay idle: with fewer idle than open
		// slots, a burst of requests (16 clients) closed the extra
		// connections after each use and opened new ones, a backend fork
		// each, which showed as the p99 of every endpoint.
		db.SetMaxOpenConns(readConns + 4)
		db.SetMaxIdleConns(readConns + 4)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.read, s.write = db, db
		// The booking batches' own connections (instrument_booking.go): a
		// batch holds its instruments' row locks, so it must not queue
		// for a connection behind the reads of the requests it answers.
		if s.book, err = sql.Open("pgx", dsn); err != nil {
			return nil, err
		}
		s.book.SetMaxOpenConns(bookShards)
		s.book.SetMaxIdleConns(bookShards)
		s.book.SetConnMaxIdleTime(time.Minute)
	default:
		return nil, fmt.Errorf("sqlstore: unsupported DSN %q: want sqlite:PATH or postgres://", redact(dsn))
	}
	// Writing first creates the WAL file, so readers find the database set up.
	if err := s.write.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlstore: connect %s: %w", redact(dsn), err)
	}
	return s, nil
}

// sqliteDSN puts every pragma in the DSN so it reaches every pooled
// connection (db.Exec would reach one). busy_timeout comes before
// journal_mode so the connection already waits on a busy database when WAL
// is switched on. cacheKiB is the connection's page cache.
//
// Readers keep temporary b-trees (sorts without an index) in memory. The
// writer keeps them in a temporary file, which mostly stays in the OS page
// cache: its multi-row report upserts each open a statement journal
// holding every page the statement touches (a December file at 10×
// touches a page per firm), and in memory modernc's allocator spent half
// of such an import allocating and freeing the journal's 1 kB chunks
// (docs/PERFORMANCE.md, "Writes at 10×").
func sqliteDSN(path string, writer bool, busy time.Duration, cacheKiB int64) string {
	q := url.Values{}
	temp := "temp_store(MEMORY)"
	if writer {
		temp = "temp_store(FILE)"
	}
	for _, p := range []string{fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()), "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", temp, fmt.Sprintf("cache_size(-%d)", cacheKiB)} {
		q.Add("_pragma", p)
	}
	q.Set("_time_format", "sqlite")
	if writer {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// redact hides a password in a URL DSN for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Engine reports which engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// Close releases both pools.
func (s *Store) Close() error {
	var errs []error
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	if s.write != nil && s.write != s.read {
		errs = append(errs, s.write.Close())
	}
	if s.book != nil {
		errs = append(errs, s.book.Close())
	}
	return errors.Join(errs...)
}

// Ping checks the database, for /healthz.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// Check reads from the database, not just the connection: a damaged
// SQLite file (a bad header or schema page) passes Ping, since opening a
// connection reads nothing, but fails here.
func (s *Store) Check(ctx context.Context) error {
	// SQLite connections serve reads from their page cache and the WAL
	// index, so damage to the file shows only to a new reader: read its
	// header from disk.
	if s.path != "" {
		f, err := os.Open(s.path)
		if err != nil {
			return fmt.Errorf("sqlstore: check: %w", err)
		}
		hdr := make([]byte, 16)
		_, err = io.ReadFull(f, hdr)
		f.Close()
		if err != nil || string(hdr) != "SQLite format 3\x00" {
			return errors.New("sqlstore: check: the database file is damaged (bad header)")
		}
	}
	var v int
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("sqlstore: check: %w", err)
	}
	if v == 0 {
		return errors.New("sqlstore: check: no migrations applied")
	}
	return nil
}

// Stats returns the reader pool's statistics, for /metrics.
func (s *Store) Stats() sql.DBStats { return s.read.Stats() }

// writerLock is the PostgreSQL advisory lock that write transactions hold.
const writerLock = 0x69627261696e // "ibrain"

// inTx runs fn in a write transaction, committing on success and rolling
// back on error or panic, so a failure mid-write leaves the database as it
// was. The transaction also advances the data generation (generation.go),
// so answers cached from the data are recomputed after it commits; writes
// of operational records that no cached answer reads use opsTx.
//
// On PostgreSQL write transactions take one advisory lock first, so they
// run one at a time as on SQLite's single writer connection. Without it
// two imports deadlock on overlapping report rows, and two rebuilds of
// agg_month (DELETE then INSERT of the same year) collide on its primary
// key, because neither DELETE sees the rows the other inserts.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.writeTx(ctx, func(tx *sql.Tx) (bool, error) { return true, fn(tx) })
}

// refTx is inTx for a write that often finds nothing to change (the
// reference data synced at every start, a shipped configuration seeded
// again): fn says whether it changed the data, and only then is the
// generation advanced. Every ibrain process syncs the catalogues when it
// opens the store; through inTx each command run beside a server (an
// import --check, an audit verify, a report) emptied that server's
// answer cache.
func (s *Store) refTx(ctx context.Context, fn func(tx *sql.Tx) (changed bool, err error)) error {
	return s.writeTx(ctx, fn)
}

// opsTx is inTx for writes of operational records (accounts and sessions,
// the audit trail, notifications, the instrument market, federation):
// it leaves the data generation alone, so a stream of them — bookings,
// sign-ins — does not empty the answer cache. A write that any cached
// answer may read must use inTx.
func (s *Store) opsTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.writeTx(ctx, func(tx *sql.Tx) (bool, error) { return false, fn(tx) })
}

// writeTx is inTx, refTx and opsTx: fn's first result says whether the
// transaction advances the data generation.
func (s *Store) writeTx(ctx context.Context, fn func(tx *sql.Tx) (advance bool, err error)) (err error) {
	var tx *sql.Tx
	if s.engine == Postgres {
		// The transaction runs on a connection of its own, kept next to
		// it, so COPY can reach the same session (copyFrom).
		conn, err := s.write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("sqlstore: begin: %w", err)
		}
		defer conn.Close()
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return fmt.Errorf("sqlstore: begin: %w", err)
		}
		s.txConns.Store(tx, conn)
		defer s.txConns.Delete(tx)
	} else if tx, err = s.beginWrite(ctx); err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if s.engine == Postgres {
		if _, err = tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(writerLock)); err != nil {
			return fmt.Errorf("sqlstore: writer lock: %w", err)
		}
	}
	advance, err := fn(tx)
	if err != nil {
		return err
	}
	if advance {
		if err = s.bumpDataGeneration(ctx, tx); err != nil {
			return err
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// beginWrite begins a write transaction. On SQLite it begins IMMEDIATE
// (_txlock), so it takes the write lock first or not at all, and a begin
// that found another process's lock held past busy_timeout is retried
// until WriteWait: nothing has happened yet, so retrying is safe. Several
// server instances on one SQLite file would still queue every write
// behind each other; they need PostgreSQL.
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, error) {
	deadline := time.Now().Add(s.writeWait)
	pause := 50 * time.Millisecond
	for {
		tx, err := s.write.BeginTx(ctx, nil)
		if err == nil || s.engine != SQLite || !isBusy(err) || time.Now().After(deadline) {
			return tx, err
		}
		if s.onBusy != nil {
			s.onBusy()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Second)
	}
}

// isBusy reports SQLITE_BUSY (and its extended codes) from the driver.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqliteBusy
}

// sqliteBusy is SQLITE_BUSY, the primary result code of a lock held by
// another connection.
const sqliteBusy = 5

// unix returns the store clock as unix seconds.
func (s *Store) unix() int64 { return s.now().Unix() }

// placeholders returns "(…), (…)" for rows of per parameters: anonymous
// "?" on SQLite (see upsertReportSQL), "$N" on PostgreSQL.
func placeholders(engine Engine, rows, per int) string {
	var b strings.Builder
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range per {
			if j > 0 {
				b.WriteString(", ")
			}
			if engine == SQLite {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", i*per+j+1)
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
