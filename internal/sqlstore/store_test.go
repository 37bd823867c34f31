package sqlstore

// Engine-level guarantees: writes are all-or-nothing, both when a row of a
// batch fails and when the process dies in the middle of a write.

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

func TestOpenRejectsUnknownDSN(t *testing.T) {
	for _, dsn := range []string{"", "sqlite:", "mysql://u:secret@h/db", "/tmp/x.db"} {
		st, err := Open(t.Context(), dsn, Options{})
		if err == nil {
			st.Close()
			t.Fatalf("Open(%q) succeeded", dsn)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Fatalf("Open(%q) error leaks the password: %v", dsn, err)
		}
	}
}

func TestSQLiteForeignKeysOnEveryConnection(t *testing.T) {
	// PRAGMAs are per connection; the DSN must carry foreign_keys to every
	// pooled connection, readers and the writer alike.
	st := openSQLiteAt(t, filepath.Join(t.TempDir(), "fk.db"), Options{MaxReadConns: 4})
	mustMigrate(t, st)
	ctx := t.Context()
	var conns []*sql.Conn
	for range 4 {
		c, err := st.read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	w, err := st.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conns = append(conns, w)
	for i, c := range conns {
		var on int
		if err := c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil {
			t.Fatal(err)
		}
		var mode string
		if err := c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if on != 1 || mode != "wal" {
			t.Fatalf("connection %d: foreign_keys=%d journal_mode=%s, want 1 and wal", i, on, mode)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestAllOrNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedRegions(t, st)
		ids := seedFirms(t, st, "AON", 40, 2023, 2024)
		if _, err := st.UpsertReports(ctx, monthRows(ids, 2023, 100)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpsertReports(ctx, monthRows(ids[:10], 2024, 100)); err != nil {
			t.Fatal(err)
		}
		if countRows(t, st, "agg_month") == 0 {
			t.Fatal("setup: no summaries")
		}
		// The batch updates 440 stored rows (2023 and part of 2024) and
		// inserts 330, in 4 multi-row statements.
		batch := func() []report.Monthly {
			return append(monthRows(ids, 2023, 555), monthRows(ids, 2024, 777)...)
		}
		for _, at := range []int{149, 349, 799, 879} {
			t.Run(fmt.Sprintf("a report of an unknown enterprise at row %d leaves nothing of the batch", at+1), func(t *testing.T) {
				before, beforeAgg := dbChecksum(t, st), aggSnapshot(t, st)
				rows := batch()
				rows[at].EnterpriseID = 9_999_999
				if _, err := st.UpsertReports(ctx, rows); err == nil {
					t.Fatal("UpsertReports accepted a report of an unknown enterprise")
				}
				if after := dbChecksum(t, st); after != before {
					t.Fatalf("database changed:\nbefore %s\nafter  %s", before, after)
				}
				if after := aggSnapshot(t, st); !slices.Equal(after, beforeAgg) {
					t.Fatal("summaries changed")
				}
			})
		}
		t.Run("enterprises with an unknown region at row 150 leave nothing of the batch", func(t *testing.T) {
			before, beforeAgg := dbChecksum(t, st), aggSnapshot(t, st)
			var rows []EnterpriseWithYear
			for i := range 300 {
				// Rows 0–39 update the stored firms (new name, a new year
				// that moves them out of the above-scale set); the rest
				// are new.
				e := enterprise.Enterprise{CreditCode: fmt.Sprintf("AON%08d", i), Name: fmt.Sprintf("改名企业%d", i), RegionCode: regionB, IndustryCode: "3911", LandArea: 1}
				rows = append(rows, EnterpriseWithYear{Enterprise: e, Year: &enterprise.Year{Year: 2024, AboveScale: false, Size: enterprise.SizeMicro, Revenue: unit.Wan}})
			}
			rows[149].Enterprise.RegionCode = "999999"
			if _, err := st.UpsertEnterprises(ctx, rows); err == nil {
				t.Fatal("UpsertEnterprises accepted an unknown region")
			}
			if after := dbChecksum(t, st); after != before {
				t.Fatalf("database changed:\nbefore %s\nafter  %s", before, after)
			}
			if after := aggSnapshot(t, st); !slices.Equal(after, beforeAgg) {
				t.Fatal("summaries changed")
			}
		})
		t.Run("the same batch without the bad row is written whole", func(t *testing.T) {
			res, err := st.UpsertReports(ctx, batch())
			if err != nil {
				t.Fatal(err)
			}
			if want := (UpsertResult{Inserted: 330, Updated: 550}); res != want {
				t.Fatalf("got %+v, want %+v", res, want)
			}
			if n := countRows(t, st, "monthly_report"); n != 880 {
				t.Fatalf("%d reports, want 880", n)
			}
		})
	})
}

// The crash tests run a large UpsertReports in a child process (this test
// binary re-executed as TestHelperProcess), stop it inside the transaction
// at a chosen row, kill it with SIGKILL, and check that the database is
// exactly as before.
//
// The child stops at a known point rather than after a guessed delay: a
// trigger fires on the chosen row and blocks. On SQLite it is a TEMP
// trigger (on the child's connection only, so the file's schema is not
// touched) calling ibrain_test_hold(), which prints crashMidway. On
// PostgreSQL the parent installs a trigger that raises a NOTICE (the child
// prints crashMidway when it arrives) and then waits for an advisory lock
// the parent holds.
const (
	crashFirms    = 400
	crashStopFirm = crashFirms * 3 / 4
)

// crashBatch is what the child writes: changed 2023 values of every firm
// (updates), then 2024 values (half updates, half inserts) — 8,800 rows.
func crashBatch(ids []int64) []report.Monthly {
	return append(monthRows(ids, 2023, 999), monthRows(ids, 2024, 7777)...)
}

func crashSetup(t *testing.T, st *Store) []int64 {
	t.Helper()
	ctx := t.Context()
	mustMigrate(t, st)
	seedRegions(t, st)
	ids := seedFirms(t, st, "CRASH", crashFirms, 2023, 2024)
	if _, err := st.UpsertReports(ctx, monthRows(ids, 2023, 100)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertReports(ctx, monthRows(ids[:crashFirms/2], 2024, 100)); err != nil {
		t.Fatal(err)
	}
	return ids
}

// crashStages are the points where the child is stopped: while it inserts
// report rows, and after every report is written, while the summaries are
// brought up to date (by delta: the stored 2024 cells are updated).
var crashStages = []struct {
	name  string
	event string // INSERT or UPDATE
	table string
	when  func(stopID int64) string // trigger condition on NEW
}{
	{"killed while writing reports", "INSERT", "monthly_report", func(id int64) string {
		return fmt.Sprintf("NEW.enterprise_id = %d AND NEW.year = 2024 AND NEW.month = 7", id)
	}},
	{"killed while updating summaries", "UPDATE", "agg_month", func(int64) string { return "NEW.year = 2024" }},
}

func TestCrashMidWriteLeavesDatabaseAsBefore(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		for _, stage := range crashStages {
			t.Run(stage.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "crash.db")
				st := openSQLiteAt(t, path, Options{})
				ids := crashSetup(t, st)
				before, beforeAgg := dbChecksum(t, st), aggSnapshot(t, st)
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
				trigger := fmt.Sprintf("CREATE TEMP TRIGGER ibrain_crash_hold AFTER %s ON main.%s WHEN %s BEGIN SELECT ibrain_test_hold(); END",
					stage.event, stage.table, stage.when(ids[crashStopFirm]))
				runCrashChild(t, "sqlite:"+path, trigger, nil)

				// The child wrote uncommitted pages (it spills its cache
				// early), so recovery has real work to ignore.
				if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
					t.Fatalf("no uncommitted WAL frames after the kill (%v); the test would prove nothing", err)
				}
				st = openSQLiteAt(t, path, Options{})
				var check string
				if err := st.read.QueryRowContext(t.Context(), `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
					t.Fatalf("integrity_check = %q, %v", check, err)
				}
				checkCrashRecovered(t, st, ids, before, beforeAgg)
			})
		}
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv(pgEnv)
		if base == "" {
			t.Skipf("%s not set", pgEnv)
		}
		for _, stage := range crashStages {
			t.Run(stage.name, func(t *testing.T) {
				ctx := t.Context()
				dsn := postgresURL(t, base, createPostgresDB(t, base))
				st, err := Open(ctx, dsn, Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				ids := crashSetup(t, st)
				before, beforeAgg := dbChecksum(t, st), aggSnapshot(t, st)

				for _, q := range []string{
					`CREATE FUNCTION ibrain_crash_hold() RETURNS trigger LANGUAGE plpgsql AS $$
					BEGIN
						RAISE NOTICE 'ibrain-crash-midway';
						PERFORM pg_advisory_lock(4242);
						RETURN NEW;
					END $$`,
					fmt.Sprintf(`CREATE TRIGGER ibrain_crash_hold AFTER %s ON %s FOR EACH ROW WHEN (%s) EXECUTE FUNCTION ibrain_crash_hold()`, stage.event, stage.table, stage.when(ids[crashStopFirm])),
				} {
					if _, err := st.write.ExecContext(ctx, q); err != nil {
						t.Fatal(err)
					}
				}
				holder, err := st.write.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_lock(4242)`); err != nil {
					t.Fatal(err)
				}
				runCrashChild(t, dsn, "", func() {
					// The child is dead; let its server process run on.
					// It finds the client gone and rolls back.
					if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_unlock(4242)`); err != nil {
						t.Fatal(err)
					}
					holder.Close()
				})
				// Wait for the dead client's transaction to end: it holds
				// a lock on monthly_report until it is rolled back.
				tx, err := st.write.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.ExecContext(ctx, `LOCK TABLE monthly_report IN ACCESS EXCLUSIVE MODE`); err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
				for _, q := range []string{`DROP TRIGGER ibrain_crash_hold ON ` + stage.table, `DROP FUNCTION ibrain_crash_hold()`} {
					if _, err := st.write.ExecContext(ctx, q); err != nil {
						t.Fatal(err)
					}
				}
				checkCrashRecovered(t, st, ids, before, beforeAgg)
			})
		}
	})
}

// runCrashChild starts the helper process on dsn, waits until it reports
// that it is stopped inside the write, kills it with SIGKILL and reaps it.
// afterKill runs once the child is dead.
func runCrashChild(t *testing.T, dsn, sqliteTrigger string, afterKill func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "IBRAIN_CRASH_HELPER=1", "IBRAIN_CRASH_DSN="+dsn, "IBRAIN_CRASH_TRIGGER="+sqliteTrigger)
	stdin, err := cmd.StdinPipe() // kept open: the child blocks reading it
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var out []string
	stopped := false
	for sc.Scan() {
		out = append(out, sc.Text())
		if sc.Text() == crashMidway {
			stopped = true
			break
		}
	}
	if !stopped {
		cmd.Wait()
		t.Fatalf("helper ended before reaching the stop row:\nstdout: %s\nstderr: %s", strings.Join(out, "\n"), stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
		t.Fatalf("helper exit: %v, want killed by a signal\nstderr: %s", err, stderr.String())
	}
	if afterKill != nil {
		afterKill()
	}
}

// checkCrashRecovered checks the reopened database is exactly as before,
// then that the store still takes the same batch whole.
func checkCrashRecovered(t *testing.T, st *Store, ids []int64, before string, beforeAgg []string) {
	t.Helper()
	if after := dbChecksum(t, st); after != before {
		t.Fatalf("database changed by the killed write:\nbefore %s\nafter  %s", before, after)
	}
	if after := aggSnapshot(t, st); !slices.Equal(after, beforeAgg) {
		t.Fatal("summaries changed by the killed write")
	}
	res, err := st.UpsertReports(t.Context(), crashBatch(ids))
	if err != nil {
		t.Fatalf("write after recovery: %v", err)
	}
	half := crashFirms / 2 * 11
	if want := (UpsertResult{Inserted: half, Updated: crashFirms*11 + half}); res != want {
		t.Fatalf("write after recovery: %+v, want %+v", res, want)
	}
}

// TestHelperProcess is not a test: it is the child of the crash tests.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("IBRAIN_CRASH_HELPER") != "1" {
		t.Skip("child process of TestCrashMidWriteLeavesDatabaseAsBefore")
	}
	ctx := context.Background()
	dsn := os.Getenv("IBRAIN_CRASH_DSN")
	var st *Store
	if strings.HasPrefix(dsn, "sqlite:") {
		var err error
		if st, err = Open(ctx, dsn, Options{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// The writer pool has one connection, so these reach the
		// connection UpsertReports will use. A tiny cache makes SQLite
		// spill uncommitted pages to the WAL long before the stop row.
		for _, q := range []string{`PRAGMA cache_size = 16`, os.Getenv("IBRAIN_CRASH_TRIGGER")} {
			if _, err := st.write.ExecContext(ctx, q); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	} else {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
			if n.Message == "ibrain-crash-midway" {
				fmt.Fprintln(os.Stdout, crashMidway)
			}
		}
		db := stdlib.OpenDB(*cfg)
		st = &Store{engine: Postgres, read: db, write: db, now: time.Now, bulkMin: bulkMinRows, deltaMax: deltaMaxRows, wholePeriod: wholePeriodRows, storedCheck: storedCheckRows, cellsAheadRows: cellsWholeYear}
	}
	idmap, err := st.EnterpriseIDs(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ids := make([]int64, crashFirms)
	for i := range ids {
		ids[i] = idmap[fmt.Sprintf("CRASH%08d", i)]
	}
	res, err := st.UpsertReports(ctx, crashBatch(ids))
	// Reaching this line means the stop row was never hit.
	fmt.Fprintf(os.Stderr, "helper finished the write: %+v, %v\n", res, err)
	os.Exit(1)
}
