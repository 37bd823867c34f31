package sqlstore

import (
	"bufio"
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// holdLockEnv names the database file TestHelperHoldsWriteLock locks when
// the test binary runs as the second process.
const holdLockEnv = "IBRAIN_TEST_HOLD_WRITE_LOCK"

// TestHelperHoldsWriteLock is the other process of
// TestSQLiteWriterWaitsForAnotherProcess: it takes SQLite's write lock,
// says so on stdout, and commits when its stdin closes. It does nothing in
// a normal run.
func TestHelperHoldsWriteLock(t *testing.T) {
	path := os.Getenv(holdLockEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('held_by_other_process', '1')"); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteWriterWaitsForAnotherProcess: while another process holds
// SQLite's write lock (a command-line import next to the server), a write
// transaction keeps retrying past busy_timeout and succeeds once the lock
// is released, instead of failing with "database is locked". A store told
// not to wait shows the failure the retry avoids.
func TestSQLiteWriterWaitsForAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts a second process")
	}
	path := filepath.Join(t.TempDir(), "shared.db")
	var busy atomic.Int32
	retried := make(chan struct{}, 1)
	st := openSQLiteAt(t, path, Options{BusyTimeout: 50 * time.Millisecond, OnBusy: func() {
		if busy.Add(1) == 3 {
			retried <- struct{}{}
		}
	}})
	mustMigrate(t, st)
	impatient := openSQLiteAt(t, path, Options{BusyTimeout: 50 * time.Millisecond, WriteWait: time.Nanosecond})

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldsWriteLock$", "-test.count=1")
	cmd.Env = append(os.Environ(), holdLockEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper process: %q %v", line, err)
	}

	write := func(s *Store, key string) error {
		return s.inTx(t.Context(), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(t.Context(), `INSERT INTO meta (key, value) VALUES ($1, '1')`, key)
			return err
		})
	}
	if err := write(impatient, "impatient"); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("a writer that does not wait: err = %v, want database is locked", err)
	}

	done := make(chan error, 1)
	go func() { done <- write(st, "patient") }()
	select {
	case <-retried: // three begins found the lock held, each after busy_timeout
	case err := <-done:
		t.Fatalf("the write ended while another process held the lock: %v", err)
	}
	if err := stdin.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("write while another process held the lock: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper process: %v", err)
	}
	var n int
	if err := st.read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM meta WHERE key IN ('held_by_other_process', 'patient', 'impatient')`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows after both processes wrote: %d %v", n, err)
	}
}
