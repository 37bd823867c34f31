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
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
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
	engine Engine
	read   *sql.DB
	write  *sql.DB
	now    func() time.Time
	// txConns maps an open PostgreSQL write transaction to the connection
	// it runs on, so bulk writes inside it can use COPY (pgcopy.go).
	txConns sync.Map // *sql.Tx → *sql.Conn
	// bulkMin is the smallest write that goes through COPY on PostgreSQL
	// (bulkMinRows; tests move it to compare both paths).
	bulkMin int
}

// Options tune Open.
type Options struct {
	Now          func() time.Time // clock; time.Now when nil
	MaxReadConns int              // reader pool size; 2×CPU when zero
}

// Open connects to dsn: "sqlite:PATH" (the file and its directory are
// created) or a "postgres://" URL. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	s := &Store{now: opts.Now, bulkMin: bulkMinRows}
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
		if path == "" {
			return nil, errors.New("sqlstore: sqlite DSN needs a path")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("sqlstore: %w", err)
			}
		}
		s.engine = SQLite
		var err error
		if s.write, err = sql.Open("sqlite", sqliteDSN(path, true)); err != nil {
			return nil, err
		}
		s.write.SetMaxOpenConns(1)
		if s.read, err = sql.Open("sqlite", sqliteDSN(path, false)); err != nil {
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
// is switched on.
func sqliteDSN(path string, writer bool) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "temp_store(MEMORY)", "cache_size(-32000)"} {
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
	return errors.Join(errs...)
}

// Ping checks the database, for /healthz.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// Stats returns the reader pool's statistics, for /metrics.
func (s *Store) Stats() sql.DBStats { return s.read.Stats() }

// writerLock is the PostgreSQL advisory lock that write transactions hold.
const writerLock = 0x69627261696e // "ibrain"

// inTx runs fn in a write transaction, committing on success and rolling
// back on error or panic, so a failure mid-write leaves the database as it
// was.
//
// On PostgreSQL write transactions take one advisory lock first, so they
// run one at a time as on SQLite's single writer connection. Without it
// two imports deadlock on overlapping report rows, and two rebuilds of
// agg_month (DELETE then INSERT of the same year) collide on its primary
// key, because neither DELETE sees the rows the other inserts.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
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
	} else if tx, err = s.write.BeginTx(ctx, nil); err != nil {
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
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

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
