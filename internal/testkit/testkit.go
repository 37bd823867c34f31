// Package testkit provides databases for tests: a migrated store with the
// reference data, and images, SQLite files such as the demo dataset built
// once per test binary, of which each test gets a copy. Loading the demo
// takes 10–30 s; copying its file takes a fraction of a second, so a
// package's tests pay for one build, not one per test. (testkit does not
// import internal/demo: the caller passes the build function, so demo's
// own tests can use it.)
//
// Only test code imports testkit: _test.go files and test kits such as
// internal/web/webtest; no command depends on it (TestNotInTheBinary
// checks that). A package that uses it runs its tests through Main (or a
// TestMain that calls Cleanup, as webtest.Main does), which removes the
// files built once when the tests end:
//
//	func TestMain(m *testing.M) { testkit.Main(m) }
//
// Without Main, the next test binary that builds a file removes them.
//
// SQLite databases are copied files. PostgreSQL databases are created
// fresh on the server IBRAIN_TEST_POSTGRES names and dropped when the test
// ends, as before.
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/industrybrain/ibrain/internal/refdata"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// PostgresEnv names a postgres:// URL; when it is set, suites also run on
// PostgreSQL, in a fresh database per test.
const PostgresEnv = "IBRAIN_TEST_POSTGRES"

// PostgresURL returns the server URL of PostgresEnv, or "" when unset.
func PostgresURL() string { return os.Getenv(PostgresEnv) }

// Main runs the package's tests and then removes the databases built once
// for them.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// built lists the directories of the files built once, for Main to remove.
// With sweepOnce and the prepared image (sync.Once inside) it is the
// package's only process-wide state.
var built struct {
	mu   sync.Mutex
	dirs []string
}

// tempDir makes a directory for files built once. Its name carries the
// process id, so that a later run can remove what a test binary without
// Main left behind (sweep).
func tempDir(prefix string) (string, error) {
	sweepOnce.Do(sweep)
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", dirPrefix+prefix, os.Getpid()))
	if err != nil {
		return "", err
	}
	built.mu.Lock()
	built.dirs = append(built.dirs, dir)
	built.mu.Unlock()
	return dir, nil
}

// dirPrefix starts the name of every directory testkit makes.
const dirPrefix = "ibrain-testkit-"

var sweepOnce sync.Once

// sweep removes the directories of test binaries that have ended without
// removing them (a package that uses testkit through another helper,
// such as internal/web/webtest, and has no TestMain calling Main).
func sweep() {
	if runtime.GOOS == "windows" {
		return // no signal 0 to ask whether a process is alive
	}
	entries, err := os.ReadDir(os.TempDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), dirPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		// name is <image>-<pid>-<random>.
		parts := strings.Split(name, "-")
		if len(parts) < 3 {
			continue
		}
		pid, err := strconv.Atoi(parts[len(parts)-2])
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if p, err := os.FindProcess(pid); err == nil {
			if err := p.Signal(syscall.Signal(0)); err == nil || errors.Is(err, syscall.EPERM) {
				continue // still running
			}
		}
		os.RemoveAll(filepath.Join(os.TempDir(), e.Name()))
	}
}

// Cleanup removes the databases built once in this process, for a
// TestMain that cannot use Main (webtest.Main calls it).
func Cleanup() {
	built.mu.Lock()
	defer built.mu.Unlock()
	for _, d := range built.dirs {
		os.RemoveAll(d)
	}
	built.dirs = nil
}

// Prepare migrates st and writes the built-in reference data.
func Prepare(ctx context.Context, st *sqlstore.Store) error {
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	ref, err := refdata.Builtin()
	if err != nil {
		return err
	}
	return refdata.Sync(ctx, st, ref)
}

// Open opens dsn and closes the store when tb ends.
func Open(tb testing.TB, dsn string) *sqlstore.Store {
	tb.Helper()
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// An Image is a SQLite database file built once, by the function given
// to NewImage, on the first call that needs it; every later caller gets a
// copy of the file (or, with OpenShared, the file itself).
type Image struct {
	name  string
	base  *Image // the image this one starts from; nil for an empty database
	build func(ctx context.Context, st *sqlstore.Store) error
	once  sync.Once
	path  string
	stat  os.FileInfo // of the file when built, to catch writes through OpenShared
	err   error
}

// NewImage returns an image named name (a file name stem) that build
// fills: it gets an empty, unmigrated store.
func NewImage(name string, build func(ctx context.Context, st *sqlstore.Store) error) *Image {
	return &Image{name: name, build: build}
}

// NewImageFrom returns an image named name that starts as a copy of base
// and that build changes: for a state several tests check, such as the
// demo loaded twice.
func NewImageFrom(name string, base *Image, build func(ctx context.Context, st *sqlstore.Store) error) *Image {
	return &Image{name: name, base: base, build: build}
}

// file builds the image on first use and returns its path.
func (im *Image) file(tb testing.TB) string {
	tb.Helper()
	im.once.Do(func() {
		dir, err := tempDir(im.name + "-")
		if err != nil {
			im.err = err
			return
		}
		path := filepath.Join(dir, im.name+".db")
		if im.base != nil {
			if im.err = copyDB(im.base.file(tb), path); im.err != nil {
				return
			}
		}
		ctx := context.Background()
		st, err := sqlstore.Open(ctx, "sqlite:"+path, sqlstore.Options{})
		if err != nil {
			im.err = err
			return
		}
		if err := im.build(ctx, st); err != nil {
			st.Close()
			im.err = err
			return
		}
		// Closing the last connection checkpoints the WAL into the file.
		if err := st.Close(); err != nil {
			im.err = err
			return
		}
		im.path = path
		im.stat, im.err = os.Stat(path)
	})
	if im.err != nil {
		tb.Fatalf("testkit: building the %s database: %v", im.name, im.err)
	}
	if im.path == "" {
		tb.Fatalf("testkit: building the %s database stopped half-way (an earlier test failed in it)", im.name)
	}
	return im.path
}

// Copy returns the DSN of a private copy of the image in tb's temp dir:
// the test may write to it as it likes.
func (im *Image) Copy(tb testing.TB) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), im.name+".db")
	im.CopyTo(tb, dst)
	return "sqlite:" + dst
}

// CopyTo writes a private copy of the image to the SQLite file path, which
// must not exist yet.
func (im *Image) CopyTo(tb testing.TB, path string) {
	tb.Helper()
	src := im.file(tb)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := copyDB(src, path); err != nil {
		tb.Fatalf("testkit: copying the %s database: %v", im.name, err)
	}
}

// OpenCopy opens a private copy of the image, closed when tb ends.
func (im *Image) OpenCopy(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	return Open(tb, im.Copy(tb))
}

// OpenShared opens the image itself, for tests that only read: several
// may have it open at once, in parallel. A test that writes, even what a
// reload would write anyway, takes a copy instead; a write through
// OpenShared fails the test when its store is closed.
func (im *Image) OpenShared(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	path := im.file(tb)
	// Registered before Open's cleanup, so it runs after the store closed.
	tb.Cleanup(func() { im.checkUnchanged(tb) })
	return Open(tb, "sqlite:"+path)
}

// checkUnchanged fails tb when the image's file or its WAL shows a write.
func (im *Image) checkUnchanged(tb testing.TB) {
	tb.Helper()
	fi, err := os.Stat(im.path)
	if err != nil {
		tb.Errorf("testkit: %s database: %v", im.name, err)
		return
	}
	if fi.Size() != im.stat.Size() || !fi.ModTime().Equal(im.stat.ModTime()) {
		tb.Errorf("testkit: the shared %s database was written to (size %d → %d); a test that writes must use a copy", im.name, im.stat.Size(), fi.Size())
	}
	if wal, err := os.Stat(im.path + "-wal"); err == nil && wal.Size() > 0 {
		tb.Errorf("testkit: the shared %s database has a %d-byte WAL: a test wrote to it; a test that writes must use a copy", im.name, wal.Size())
	}
}

// copyDB copies a closed SQLite database: the file and a WAL left beside
// it, if any (the shared-memory index is rebuilt on open).
func copyDB(src, dst string) error {
	if err := copyFile(src, dst); err != nil {
		return err
	}
	if err := copyFile(src+"-wal", dst+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// prepared is the migrated SQLite database with the reference data, built
// once per test binary.
var prepared = NewImage("prepared", Prepare)

// SQLite returns the DSN of a fresh SQLite database, migrated and holding
// the reference data: a copy of a file prepared once per test binary.
func SQLite(tb testing.TB) string {
	tb.Helper()
	return prepared.Copy(tb)
}

// SQLiteAt creates the SQLite file path (which must not exist yet) as
// SQLite describes, for harnesses that choose their files' names.
func SQLiteAt(tb testing.TB, path string) {
	tb.Helper()
	prepared.CopyTo(tb, path)
}

// OpenSQLite opens a fresh SQLite store as SQLite describes, closed when
// tb ends.
func OpenSQLite(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	return prepared.OpenCopy(tb)
}

// Postgres creates a database with a random name (prefix plus hex) on the
// server of base and drops it when tb ends; it returns the database's URL.
// The database is empty: call Prepare, or use OpenPostgres.
func Postgres(tb testing.TB, base, prefix string) string {
	tb.Helper()
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		tb.Fatalf("%s=%q: want a postgres:// URL", PostgresEnv, base)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		admin.Close()
		tb.Fatal(err)
	}
	name := prefix + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// OpenPostgres opens a fresh, migrated PostgreSQL store with the reference
// data on the server PostgresEnv names, or skips tb when it is unset.
func OpenPostgres(tb testing.TB, prefix string) *sqlstore.Store {
	tb.Helper()
	base := PostgresURL()
	if base == "" {
		tb.Skip(PostgresEnv + " is not set")
	}
	st := Open(tb, Postgres(tb, base, prefix))
	if err := Prepare(context.Background(), st); err != nil {
		tb.Fatal(fmt.Errorf("testkit: preparing PostgreSQL: %w", err))
	}
	return st
}
