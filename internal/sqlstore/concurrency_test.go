package sqlstore

// Concurrency: writers doing read-modify-write transactions through the
// public API next to readers, and queries canceled in flight.

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
)

// The concurrent workload: `writers` goroutines, each doing `rounds`
// read-modify-write transactions over ten of `firms` firms (overlapping its
// neighbours'), every third round also changing a 专精特新 title.
const (
	firms   = 20
	writers = 8
	rounds  = 10
	readers = 2
)

// concurrencySetup gives every firm reports for every month of 2023 and
// 2024 and returns the firm ids.
func concurrencySetup(t *testing.T, st *Store) []int64 {
	t.Helper()
	seedRegions(t, st)
	ids := seedFirms(t, st, "CONC", firms, 2023, 2024)
	for _, y := range []int{2023, 2024} {
		if _, err := st.UpsertReports(t.Context(), monthRows(ids, y, int64(y))); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// runWriter is writer w's workload on st.
func runWriter(t *testing.T, st *Store, ids []int64, w int) {
	ctx := t.Context()
	for r := range rounds {
		var rows []report.Monthly
		for k := range 10 {
			id := ids[(3*w+k)%firms]
			years := []int{2024}
			if r%2 == 0 {
				years = append(years, 2023) // also moves 2024's base
			}
			for _, y := range years {
				for m := 2; m <= 12; m++ {
					rows = append(rows, report.Monthly{EnterpriseID: id, Period: report.Period{Year: y, Month: m}, Values: vals(int64(100_000*w+1000*r+m), k == 3)})
				}
			}
		}
		if _, err := st.UpsertReports(ctx, rows); err != nil {
			t.Errorf("writer %d round %d: UpsertReports: %v", w, r, err)
			return
		}
		if r%3 == 0 {
			ti := enterprise.Title{EnterpriseID: ids[(w+r)%firms], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: day("2024-01-01")}
			if (w+r)%2 == 1 {
				ti.ValidUntil = day("2024-06-30") // not valid at year end
			}
			if err := st.PutTitles(ctx, []enterprise.Title{ti}); err != nil {
				t.Errorf("writer %d round %d: PutTitles: %v", w, r, err)
				return
			}
		}
	}
}

func TestConcurrentWritersAndReaders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		ids := concurrencySetup(t, st)
		// Every firm reports every month of both years throughout, and the
		// writers only change values and titles, so at any moment each
		// month of 2024 has exactly `firms` firms and `firms` bases. A
		// reader seeing a summary half rebuilt, or missing, breaks that.
		done := make(chan struct{})
		var wg, rg sync.WaitGroup
		for w := range writers {
			wg.Go(func() { runWriter(t, st, ids, w) })
		}
		for rd := range readers {
			rg.Go(func() {
				for i := 0; ; i++ {
					month := 2 + (rd+i)%11
					rows, err := st.Aggregate(ctx, auth.All(), stats.Query{Year: 2024, Month: month, GroupBy: []stats.Dim{stats.BySpecialized}})
					if err != nil {
						t.Errorf("reader %d: Aggregate: %v", rd, err)
						return
					}
					var n, nb int64
					for _, r := range rows {
						n += r.Sums.N
						nb += r.Sums.NBase
					}
					if n != firms || nb != firms {
						t.Errorf("reader %d: 2024-%02d has n=%d n_base=%d, want %d and %d", rd, month, n, nb, firms, firms)
						return
					}
					page, err := st.ListEnterprises(ctx, auth.All(), EnterpriseFilter{Year: 2024, Limit: 5})
					if err != nil {
						t.Errorf("reader %d: ListEnterprises: %v", rd, err)
						return
					}
					if page.Total != firms || len(page.Items) != 5 {
						t.Errorf("reader %d: list total %d with %d items", rd, page.Total, len(page.Items))
						return
					}
					select {
					case <-done:
						return
					default:
					}
				}
			})
		}
		wg.Wait()
		close(done)
		rg.Wait()
		if t.Failed() {
			return
		}

		checkAfterWriters(t, st, ids)
	})
}

// checkAfterWriters checks the state the writers left.
func checkAfterWriters(t *testing.T, st *Store, ids []int64) {
	ctx := t.Context()
	t.Run("the summaries equal a rebuild from scratch", func(t *testing.T) {
		maintained := aggSnapshot(t, st)
		if err := st.RefreshAggregates(ctx, []int{2023, 2024, 2025}); err != nil {
			t.Fatal(err)
		}
		if rebuilt := aggSnapshot(t, st); !slices.Equal(rebuilt, maintained) {
			t.Fatalf("maintained summaries differ from a rebuild:\nmaintained %v\nrebuilt    %v", maintained, rebuilt)
		}
	})
	t.Run("the summaries equal sums of the stored reports", func(t *testing.T) {
		w := readBackWorld(t, st, ids)
		for _, year := range []int{2023, 2024} {
			for _, month := range []int{0, 2, 7, 12} {
				w.checkAggregate(t, st, auth.All(), stats.Query{Year: year, Month: month, GroupBy: []stats.Dim{stats.ByMonth, stats.BySpecialized}})
			}
		}
	})
	t.Run("each firm holds one writer's last transaction whole", func(t *testing.T) {
		// The last transaction touching a firm's 2024 rows is some
		// writer's last round (every round writes 2024), and for 2023 its
		// last even round. All eleven months of a year come from one
		// transaction, so from one writer.
		for j, id := range ids {
			rs, err := st.EnterpriseReports(ctx, auth.All(), id, 2023, 2024)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 22 {
				t.Fatalf("firm %d: %d reports, want 22", j, len(rs))
			}
			for _, y := range []struct {
				rows  []report.Monthly
				round int
			}{{rs[:11], (rounds - 1) &^ 1}, {rs[11:], rounds - 1}} {
				writer := -1
				for w := range writers {
					if (j-3*w+2*firms)%firms < 10 && y.rows[0].Values[report.Output] == int64(100_000*w+1000*y.round+2) {
						writer = w
					}
				}
				if writer < 0 {
					t.Fatalf("firm %d %d-02: output %d is no writer's last round", j, y.rows[0].Period.Year, y.rows[0].Values[report.Output])
				}
				for _, r := range y.rows {
					if want := int64(100_000*writer + 1000*y.round + r.Period.Month); r.Values[report.Output] != want {
						t.Fatalf("firm %d %v: output %d, want %d (writer %d's transaction torn)", j, r.Period, r.Values[report.Output], want, writer)
					}
				}
			}
		}
	})
}

// TestTwoSQLiteStoresShareOneFile runs the writers on two stores opened on
// the same file, as the server and a command-line import do: two writer
// connections. Their transactions read before they write, so they must
// take the write lock when they begin (_txlock=immediate) and wait for each
// other, instead of failing with SQLITE_BUSY when the lock upgrade finds
// the other's commit.
func TestTwoSQLiteStoresShareOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a := openSQLiteAt(t, path, Options{})
	mustMigrate(t, a)
	ids := concurrencySetup(t, a)
	b := openSQLiteAt(t, path, Options{})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() { runWriter(t, []*Store{a, b}[w%2], ids, w) })
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	checkAfterWriters(t, b, ids)
}

// readBackWorld rebuilds the oracle's inputs from what the store holds:
// enterprises, yearly status, titles and every report.
func readBackWorld(t *testing.T, st *Store, ids []int64) *world {
	t.Helper()
	ctx := t.Context()
	w := newWorld()
	for _, id := range ids {
		d, err := st.Enterprise(ctx, auth.All(), id)
		if err != nil {
			t.Fatal(err)
		}
		w.firms[id] = d.Enterprise
		for _, y := range d.Years {
			w.above[yearKey{id, y.Year}] = y.AboveScale
		}
		for _, ti := range d.Titles {
			w.titles[titleKey{id, ti.Kind, ti.GrantedOn.Format("2006-01-02")}] = ti
		}
		rs, err := st.EnterpriseReports(ctx, auth.All(), id, 2000, 2100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			w.reports[repKey{id, r.Period.Year, r.Period.Month}] = r.Values
		}
	}
	return w
}

// TestCanceledQueryLeavesStoreUsable cancels queries while they run and
// checks that the next query on the same store, and on the same pooled
// connection, succeeds. Go's SQLite drivers cancel with sqlite3_interrupt,
// which has left connections answering "interrupted" to every later query
// (gotosocial#2728).
func TestCanceledQueryLeavesStoreUsable(t *testing.T) {
	for _, e := range testEngines(t) {
		t.Run(e.name, func(t *testing.T) {
			// One reader connection: the query after a canceled one runs
			// on the very connection that was interrupted.
			st := e.open(t, Options{MaxReadConns: 1, Now: tickingClock()})
			mustMigrate(t, st)
			w := buildSmallWorld(t, st)
			want := w.expect(auth.All(), stats.Query{Year: 2024, Month: 3, GroupBy: []stats.Dim{stats.ByRegion}})
			checkUsable := func(t *testing.T) {
				t.Helper()
				page, err := st.ListEnterprises(t.Context(), auth.All(), EnterpriseFilter{})
				if err != nil {
					t.Fatalf("ListEnterprises after a cancel: %v", err)
				}
				if page.Total != 5 || len(page.Items) != 5 {
					t.Fatalf("ListEnterprises after a cancel: total %d, %d items", page.Total, len(page.Items))
				}
				got := aggregateMap(t, st, auth.All(), stats.Query{Year: 2024, Month: 3, GroupBy: []stats.Dim{stats.ByRegion}})
				if len(got) != len(want) || got[stats.Key{Region: regionA}] != want[stats.Key{Region: regionA}] || got[stats.Key{Region: regionB}] != want[stats.Key{Region: regionB}] {
					t.Fatalf("Aggregate after a cancel: %v", got)
				}
			}

			t.Run("a query canceled while it runs fails and the next ones succeed", func(t *testing.T) {
				for i := range 20 {
					cancelMidQuery(t, st, i)
					checkUsable(t)
				}
			})
			t.Run("reads canceled at any point leave the store usable", func(t *testing.T) {
				canceled := 0
				for i := range 300 {
					ctx, cancel := context.WithCancel(t.Context())
					go func() {
						for range i % 40 {
							runtime.Gosched()
						}
						cancel()
					}()
					var err error
					if i%2 == 0 {
						_, err = st.ListEnterprises(ctx, auth.All(), EnterpriseFilter{Query: "有限"})
					} else {
						_, err = st.Aggregate(ctx, auth.All(), stats.Query{Year: 2024, GroupBy: []stats.Dim{stats.ByMonth, stats.ByRegion}})
					}
					cancel()
					if err != nil {
						canceled++
					}
					checkUsable(t)
				}
				t.Logf("%d of 300 reads were canceled", canceled)
			})
			t.Run("a write canceled before it starts leaves nothing and the next write succeeds", func(t *testing.T) {
				before := dbChecksum(t, st)
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				_, err := st.UpsertReports(ctx, []report.Monthly{{EnterpriseID: w.byName["A"], Period: report.Period{Year: 2024, Month: 9}, Values: vals(5, false)}})
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("got %v, want context.Canceled", err)
				}
				if after := dbChecksum(t, st); after != before {
					t.Fatal("a canceled write changed the database")
				}
				w.putReports(t, st, []report.Monthly{{EnterpriseID: w.byName["A"], Period: report.Period{Year: 2024, Month: 9}, Values: vals(5, false)}})
				w.checkAggregate(t, st, auth.All(), stats.Query{Year: 2024, GroupBy: []stats.Dim{stats.ByMonth}})
			})
		})
	}
}

// cancelMidQuery runs a query that would take minutes, cancels it once it
// is known to be executing, and checks that it failed.
//
// SQLite: the query calls ibrain_test_signal() on each row; the first call
// tells the test the statement is running. PostgreSQL: the test holds an
// exclusive lock on agg_month in another transaction, so Aggregate blocks
// in the server; pg_locks shows when it waits.
func cancelMidQuery(t *testing.T, st *Store, i int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errc := make(chan error, 1)
	switch st.Engine() {
	case SQLite:
		running := make(chan struct{})
		signalHook.Store(onceFunc(func() { close(running) }))
		defer signalHook.Store(nil)
		go func() {
			var n int64
			errc <- st.read.QueryRowContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000)
				SELECT COUNT(*) FROM c WHERE ibrain_test_signal(x) = 1`).Scan(&n)
		}()
		select {
		case <-running:
		case err := <-errc:
			t.Fatalf("round %d: the long query ended before it ran: %v", i, err)
		}
	case Postgres:
		// Lock the summary table the query reads, so it waits until the
		// cancel arrives.
		q := stats.Query{Year: 2024, Month: 3}
		table := tableFor(q, false)
		lock, err := st.write.BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Rollback()
		if _, err := lock.ExecContext(t.Context(), `LOCK TABLE `+table+` IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		go func() {
			_, err := st.Aggregate(ctx, auth.All(), q)
			errc <- err
		}()
		for waiting := 0; waiting == 0; {
			if err := lock.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = $1 AND NOT l.granted`, table).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-errc:
				t.Fatalf("round %d: Aggregate did not wait for the lock on %s: %v", i, table, err)
			default:
			}
		}
	default:
		t.Fatalf("engine %s", st.Engine())
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatalf("round %d: the canceled query succeeded", i)
	} else if i == 0 {
		t.Logf("canceled query: %v", err)
	}
}
