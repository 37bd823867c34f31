package sqlstore

// Test helpers shared by the store's tests and benchmarks: engine set-up
// (SQLite always, PostgreSQL when IBRAIN_TEST_POSTGRES names a server), a
// small hand-made universe, and an oracle that computes expected summaries
// from the raw rows a test wrote, without calling the code under test.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/unit"
)

// pgEnv names the environment variable holding a postgres:// URL. When it
// is set every engine test also runs on PostgreSQL, in a fresh database.
const pgEnv = "IBRAIN_TEST_POSTGRES"

// testEngine opens stores of one engine.
type testEngine struct {
	name string
	open func(tb testing.TB, opts Options) *Store
}

// testEngines returns SQLite and, when configured, PostgreSQL.
func testEngines(tb testing.TB) []testEngine {
	tb.Helper()
	es := []testEngine{{name: "sqlite", open: func(tb testing.TB, opts Options) *Store {
		return openSQLiteAt(tb, filepath.Join(tb.TempDir(), "ibrain.db"), opts)
	}}}
	if u := os.Getenv(pgEnv); u != "" {
		if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
			tb.Fatalf("%s=%q: want a postgres:// URL", pgEnv, u)
		}
		es = append(es, testEngine{name: "postgres", open: func(tb testing.TB, opts Options) *Store {
			return openPostgresTest(tb, u, opts)
		}})
	}
	return es
}

// forEachEngine runs fn on a migrated, empty store of every engine.
func forEachEngine(t *testing.T, fn func(t *testing.T, st *Store)) {
	t.Helper()
	for _, e := range testEngines(t) {
		t.Run(e.name, func(t *testing.T) {
			st := e.open(t, Options{Now: tickingClock()})
			mustMigrate(t, st)
			fn(t, st)
		})
	}
}

// forEachUnmigratedEngine runs fn on a store of every engine whose
// database has never been migrated.
func forEachUnmigratedEngine(t *testing.T, fn func(t *testing.T, st *Store)) {
	t.Helper()
	for _, e := range testEngines(t) {
		t.Run(e.name, func(t *testing.T) {
			fn(t, e.open(t, Options{Now: tickingClock()}))
		})
	}
}

// forEachEngineB is the benchmark variant: newStore returns a migrated,
// empty store in a fresh database each time it is called (callers keep it
// out of the timed region).
func forEachEngineB(b *testing.B, fn func(b *testing.B, newStore func() *Store)) {
	b.Helper()
	for _, e := range testEngines(b) {
		b.Run(e.name, func(b *testing.B) {
			fn(b, func() *Store {
				st := e.open(b, Options{})
				mustMigrate(b, st)
				return st
			})
		})
	}
}

// openSQLiteAt opens (creating) a SQLite store in the file at path. A file,
// not :memory:, because each pooled connection to :memory: is its own
// database.
func openSQLiteAt(tb testing.TB, path string, opts Options) *Store {
	tb.Helper()
	st, err := Open(context.Background(), "sqlite:"+path, opts)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// openPostgresTest creates a database with a random name on the server of
// base, opens a store on it, and drops the database (WITH (FORCE), so
// leftover connections do not keep it alive) when the test ends.
func openPostgresTest(tb testing.TB, base string, opts Options) *Store {
	tb.Helper()
	name := createPostgresDB(tb, base)
	st, err := Open(context.Background(), postgresURL(tb, base, name), opts)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// createPostgresDB creates ibrain_test_<random> and registers its removal.
func createPostgresDB(tb testing.TB, base string) string {
	tb.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("postgres admin: %v", err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	name := "ibrain_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		admin.Close()
		tb.Fatalf("create database %s: %v", name, err)
	}
	// Registered before the store's Close, so it runs after it.
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	return name
}

// postgresURL is base with its database replaced by name.
func postgresURL(tb testing.TB, base, name string) string {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", pgEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// tickingClock is a store clock that moves one second per reading, so a
// row rewritten without need shows a new updated_at.
func tickingClock() func() time.Time {
	var n atomic.Int64
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Second) }
}

func mustMigrate(tb testing.TB, st *Store) {
	tb.Helper()
	if _, err := st.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
}

// seedRegions loads the built-in region catalogue (enterprise.region_code
// is a foreign key to it).
func seedRegions(tb testing.TB, st *Store) {
	tb.Helper()
	cat, err := region.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.SyncRegions(context.Background(), cat.Regions); err != nil {
		tb.Fatalf("SyncRegions: %v", err)
	}
}

// countRows counts a table's rows through the read pool.
func countRows(tb testing.TB, st *Store, table string) int {
	tb.Helper()
	var n int
	if err := st.read.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

// dbChecksum summarises the data tables: row counts and a few exact sums,
// rendered as text so both engines compare the same way.
func dbChecksum(tb testing.TB, st *Store) string {
	tb.Helper()
	queries := []string{
		`SELECT COUNT(*), CAST(COALESCE(SUM(output), 0) AS TEXT), CAST(COALESCE(SUM(value_added), 0) AS TEXT), CAST(COALESCE(SUM(profit), 0) AS TEXT), CAST(COALESCE(SUM(employees), 0) AS TEXT), CAST(COALESCE(SUM(year * 100 + month), 0) AS TEXT) FROM monthly_report`,
		`SELECT COUNT(*), CAST(COALESCE(SUM(n), 0) AS TEXT), CAST(COALESCE(SUM(n_base), 0) AS TEXT), CAST(COALESCE(SUM(output), 0) AS TEXT), CAST(COALESCE(SUM(b_output), 0) AS TEXT), CAST(COALESCE(SUM(b_profit), 0) AS TEXT) FROM agg_month`,
		`SELECT COUNT(*), CAST(COALESCE(SUM(land_mu100), 0) AS TEXT), CAST(COALESCE(SUM(updated_at), 0) AS TEXT), '', '', '' FROM enterprise`,
		`SELECT COUNT(*), CAST(COALESCE(SUM(above_scale), 0) AS TEXT), CAST(COALESCE(SUM(revenue), 0) AS TEXT), '', '', '' FROM enterprise_year`,
		`SELECT COUNT(*), '', '', '', '', '' FROM title`,
	}
	var b strings.Builder
	for _, q := range queries {
		var n int64
		var s [5]string
		if err := st.read.QueryRowContext(context.Background(), q).Scan(&n, &s[0], &s[1], &s[2], &s[3], &s[4]); err != nil {
			tb.Fatalf("checksum: %v\n%s", err, q)
		}
		fmt.Fprintf(&b, "%d %s|", n, strings.Join(s[:], " "))
	}
	return b.String()
}

// aggSnapshot returns every agg_month row as text, in key order.
func aggSnapshot(tb testing.TB, st *Store) []string {
	tb.Helper()
	rows, err := st.read.QueryContext(context.Background(), `SELECT * FROM agg_month ORDER BY year, month, region_code, cluster_code, section, sei, specialized`)
	if err != nil {
		tb.Fatalf("agg snapshot: %v", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// --- SQLite test functions ------------------------------------------------

// Two SQL functions are registered with the SQLite driver for every
// connection the test binary opens. They let tests observe a statement from
// inside it, so they can act at a known point instead of guessing with
// sleeps:
//
//   - ibrain_test_signal(x) returns 1 and calls signalHook, if set.
//   - ibrain_test_hold() writes "midway" to stdout and then blocks until
//     stdin closes; only the crash helper process calls it (from a
//     temporary trigger), and its parent kills it while it waits.
var signalHook atomic.Pointer[func()]

func init() {
	sqlite.MustRegisterScalarFunction("ibrain_test_signal", 1, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		if f := signalHook.Load(); f != nil {
			(*f)()
		}
		return int64(1), nil
	})
	sqlite.MustRegisterScalarFunction("ibrain_test_hold", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		fmt.Fprintln(os.Stdout, crashMidway)
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(3) // the parent went away without killing us
		return nil, nil
	})
}

// crashMidway is the line a crash helper prints when the write it runs
// has reached the chosen row.
const crashMidway = "ibrain-crash-helper: midway"

// --- A small hand-made universe and its oracle ------------------------------

// Two regions.
const (
	regionA = "500101" // 万州区
	regionB = "500102" // 涪陵区
)

// world is what a test wrote, kept in Go so that expected summaries come
// from plain loops over the raw numbers rather than from the store.
type world struct {
	firms   map[int64]enterprise.Enterprise
	byName  map[string]int64 // short label ("A") → id
	above   map[yearKey]bool
	reports map[repKey]report.Values
	imap    map[mapKey]IndustryMapRow
	titles  map[titleKey]enterprise.Title
}

type yearKey struct {
	id   int64
	year int
}

type repKey struct {
	id          int64
	year, month int
}

type mapKey struct {
	year int
	code string
}

type titleKey struct {
	id      int64
	kind    enterprise.TitleKind
	granted string
}

func newWorld() *world {
	return &world{
		firms:   map[int64]enterprise.Enterprise{},
		byName:  map[string]int64{},
		above:   map[yearKey]bool{},
		reports: map[repKey]report.Values{},
		imap:    map[mapKey]IndustryMapRow{},
		titles:  map[titleKey]enterprise.Title{},
	}
}

func day(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// vals spreads one number over the nine fields so that each field has its
// own value (a mix-up of columns shows): field f gets x×(f+1), and profit
// is negative when neg is set.
func vals(x int64, neg bool) report.Values {
	var v report.Values
	for f := range v {
		v[f] = x * int64(f+1)
	}
	if neg {
		v[report.Profit] = -v[report.Profit]
	}
	return v
}

// putEnterprises upserts rows and records them (with their ids) in w.
func (w *world) putEnterprises(tb testing.TB, st *Store, labels []string, rows []EnterpriseWithYear) UpsertResult {
	tb.Helper()
	ctx := context.Background()
	res, err := st.UpsertEnterprises(ctx, rows)
	if err != nil {
		tb.Fatalf("UpsertEnterprises: %v", err)
	}
	ids, err := st.EnterpriseIDs(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for i, r := range rows {
		id, ok := ids[r.Enterprise.CreditCode]
		if !ok {
			tb.Fatalf("enterprise %s has no id", r.Enterprise.CreditCode)
		}
		e := r.Enterprise
		e.ID = id
		w.firms[id] = e
		if labels != nil {
			w.byName[labels[i]] = id
		}
		if r.Year != nil {
			w.above[yearKey{id, r.Year.Year}] = r.Year.AboveScale
		}
	}
	return res
}

func (w *world) putReports(tb testing.TB, st *Store, reps []report.Monthly) UpsertResult {
	tb.Helper()
	res, err := st.UpsertReports(context.Background(), reps)
	if err != nil {
		tb.Fatalf("UpsertReports: %v", err)
	}
	for _, r := range reps {
		w.reports[repKey{r.EnterpriseID, r.Period.Year, r.Period.Month}] = r.Values
	}
	return res
}

func (w *world) putTitles(tb testing.TB, st *Store, ts []enterprise.Title) {
	tb.Helper()
	if err := st.PutTitles(context.Background(), ts); err != nil {
		tb.Fatalf("PutTitles: %v", err)
	}
	for _, t := range ts {
		w.titles[titleKey{t.EnterpriseID, t.Kind, t.GrantedOn.Format("2006-01-02")}] = t
	}
}

// syncMap replaces the industry map with rows.
func (w *world) syncMap(tb testing.TB, st *Store, rows []IndustryMapRow) {
	tb.Helper()
	if err := st.SyncIndustryMap(context.Background(), rows); err != nil {
		tb.Fatalf("SyncIndustryMap: %v", err)
	}
	w.imap = map[mapKey]IndustryMapRow{}
	for _, r := range rows {
		w.imap[mapKey{r.Year, r.IndustryCode}] = r
	}
}

// specialized reports whether id holds a 专精特新 or 小巨人 title on
// December 31 of year: granted on or before, and valid_until (exclusive)
// empty or after it. Dates compare as ISO text.
func (w *world) specialized(id int64, year int) bool {
	end := fmt.Sprintf("%d-12-31", year)
	for _, t := range w.titles {
		if t.EnterpriseID != id || (t.Kind != enterprise.TitleSpecialized && t.Kind != enterprise.TitleLittleGiant) {
			continue
		}
		g := t.GrantedOn.Format("2006-01-02")
		v := ""
		if !t.ValidUntil.IsZero() {
			v = t.ValidUntil.Format("2006-01-02")
		}
		if g <= end && (v == "" || v > end) {
			return true
		}
	}
	return false
}

// expect computes what Aggregate should return for q within scope: the
// year's above-scale firms that reported in a month, their cells, and the
// same firms' reports a year earlier as base.
func (w *world) expect(sc auth.Scope, q stats.Query) map[stats.Key]stats.Sums {
	out := map[stats.Key]stats.Sums{}
	for k, v := range w.reports {
		if k.year != q.Year || (q.Month > 0 && k.month != q.Month) || !w.above[yearKey{k.id, k.year}] {
			continue
		}
		e := w.firms[k.id]
		m := w.imap[mapKey{k.year, e.IndustryCode}]
		cell := stats.Key{Month: k.month, Region: e.RegionCode, Cluster: m.ClusterCode, Tier: m.Tier, Section: m.Section,
			SEI: m.SEIDomain > 0, Specialized: w.specialized(k.id, k.year)}
		if !sc.IsAll() && cell.Region != sc.RegionCode {
			continue
		}
		f := q.Filter
		if (f.Region != "" && cell.Region != f.Region) || (f.Cluster != "" && cell.Cluster != f.Cluster) ||
			(f.Tier != "" && cell.Tier != f.Tier) || (f.Section != "" && cell.Section != f.Section) ||
			(f.SEI != nil && cell.SEI != *f.SEI) || (f.Specialized != nil && cell.Specialized != *f.Specialized) {
			continue
		}
		var key stats.Key
		for _, d := range q.GroupBy {
			switch d {
			case stats.ByMonth:
				key.Month = cell.Month
			case stats.ByRegion:
				key.Region = cell.Region
			case stats.ByCluster:
				key.Cluster = cell.Cluster
			case stats.ByTier:
				key.Tier = cell.Tier
			case stats.BySection:
				key.Section = cell.Section
			case stats.BySEI:
				key.SEI = cell.SEI
			case stats.BySpecialized:
				key.Specialized = cell.Specialized
			}
		}
		s := out[key]
		s.N++
		for i := range v {
			s.Cur[i] += v[i]
		}
		if b, ok := w.reports[repKey{k.id, k.year - 1, k.month}]; ok {
			s.NBase++
			for i := range b {
				s.Base[i] += b[i]
			}
		}
		out[key] = s
	}
	return out
}

// aggregateMap runs Aggregate and indexes its rows by key, failing on a
// repeated key.
func aggregateMap(tb testing.TB, st *Store, sc auth.Scope, q stats.Query) map[stats.Key]stats.Sums {
	tb.Helper()
	rows, err := st.Aggregate(context.Background(), sc, q)
	if err != nil {
		tb.Fatalf("Aggregate(%+v): %v", q, err)
	}
	out := map[stats.Key]stats.Sums{}
	for _, r := range rows {
		if _, dup := out[r.Key]; dup {
			tb.Fatalf("Aggregate(%+v): key %+v twice", q, r.Key)
		}
		out[r.Key] = r.Sums
	}
	return out
}

// checkAggregate compares Aggregate with the oracle for q.
func (w *world) checkAggregate(tb testing.TB, st *Store, sc auth.Scope, q stats.Query) {
	tb.Helper()
	got, want := aggregateMap(tb, st, sc, q), w.expect(sc, q)
	if len(got) != len(want) {
		tb.Fatalf("Aggregate(%+v): %d groups, want %d\ngot  %v\nwant %v", q, len(got), len(want), sortedKeys(got), sortedKeys(want))
	}
	for k, ws := range want {
		gs, ok := got[k]
		if !ok {
			tb.Fatalf("Aggregate(%+v): no group %+v; got %v", q, k, sortedKeys(got))
		}
		if gs != ws {
			tb.Fatalf("Aggregate(%+v) group %+v:\ngot  %+v\nwant %+v", q, k, gs, ws)
		}
	}
}

func sortedKeys(m map[stats.Key]stats.Sums) []string {
	var out []string
	for k := range m {
		out = append(out, fmt.Sprintf("%+v", k))
	}
	sort.Strings(out)
	return out
}

// The small universe: five enterprises in two regions, two years.
//
//	A 重庆长安汽车股份有限公司   regionA 3011  above 2023, 2024  high_tech title (not 专精特新)
//	B 重庆小康汽车零部件有限公司 regionA 3911  above 2023, 2024  专精特新 granted 2024-06-01, no expiry
//	C 涪陵榨菜食品有限公司       regionB 3011  above 2023, 2024  专精特新 2021-01-01 until 2024-12-31 (exclusive):
//	                                                            specialized at the end of 2023, not of 2024
//	D 涪陵电力实业股份有限公司   regionB 4411  above 2023 only   leaves the above-scale set in 2024
//	E 重庆新材料科技有限公司     regionB 3911  above 2024 only   enters in 2024, no 2023 reports
//
// Industry map: 3011 → C / C01 / 支柱 / SEI 1 in both years; 3911 → C /
// C02 / 战略 / SEI 0 in 2023 and C / C03 / 战略 / SEI 2 in 2024 (a new
// catalogue version); 4411 → D with no cluster.
//
// Output (field 0) of the reports, months 2 and 3:
//
//	      2023-02 2023-03 2024-02 2024-03
//	A       100     210     110     230
//	B        50     105      60     125
//	C        30      65      33      70
//	D        40      85      45      90
//	E         -       -      20      42
//
// Every other field f holds output×(f+1); D's profit is negative. A also
// carries a very large 2024-03 addition (bigOutput) so sums pass 2^53 and
// any float conversion on the way shows.
const bigOutput = int64(987_654_321_098_765)

var smallOutputs = map[string]map[[2]int]int64{
	"A": {{2023, 2}: 100, {2023, 3}: 210, {2024, 2}: 110, {2024, 3}: 230 + bigOutput},
	"B": {{2023, 2}: 50, {2023, 3}: 105, {2024, 2}: 60, {2024, 3}: 125},
	"C": {{2023, 2}: 30, {2023, 3}: 65, {2024, 2}: 33, {2024, 3}: 70},
	"D": {{2023, 2}: 40, {2023, 3}: 85, {2024, 2}: 45, {2024, 3}: 90},
	"E": {{2024, 2}: 20, {2024, 3}: 42},
}

type smallFirm struct {
	label, code, name, region, industry string
	founded                             string
	land                                unit.Mu100
	years                               map[int]enterprise.Year // above-scale, size, revenue
}

func smallFirms() []smallFirm {
	y := func(year int, above bool, size enterprise.Size, revWan int64, emp int) enterprise.Year {
		return enterprise.Year{Year: year, AboveScale: above, Size: size, Revenue: unit.Fen(revWan) * unit.Wan, Employees: emp}
	}
	return []smallFirm{
		{"A", "91500101MA5U000001", "重庆长安汽车股份有限公司", regionA, "3011", "1996-10-31", 123456, map[int]enterprise.Year{
			2023: y(2023, true, enterprise.SizeLarge, 850, 3000), 2024: y(2024, true, enterprise.SizeLarge, 900, 3100)}},
		{"B", "91500101MA5U000002", "重庆小康汽车零部件有限公司", regionA, "3911", "2003-05-20", 5000, map[int]enterprise.Year{
			2023: y(2023, true, enterprise.SizeMedium, 450, 400), 2024: y(2024, true, enterprise.SizeMedium, 500, 420)}},
		{"C", "91500102MA5U000003", "涪陵榨菜食品有限公司", regionB, "3011", "1988-01-01", 2500, map[int]enterprise.Year{
			2023: y(2023, true, enterprise.SizeSmall, 280, 150), 2024: y(2024, true, enterprise.SizeSmall, 300, 160)}},
		{"D", "91500102MA5U000004", "涪陵电力实业股份有限公司", regionB, "4411", "1999-09-09", 800, map[int]enterprise.Year{
			2023: y(2023, true, enterprise.SizeSmall, 250, 90), 2024: y(2024, false, enterprise.SizeSmall, 200, 80)}},
		{"E", "91500102MA5U000005", "重庆新材料科技有限公司", regionB, "3911", "2021-03-15", 300, map[int]enterprise.Year{
			2023: y(2023, false, enterprise.SizeMicro, 90, 15), 2024: y(2024, true, enterprise.SizeMicro, 100, 18)}},
	}
}

func smallMap() []IndustryMapRow {
	return []IndustryMapRow{
		{2023, "3011", "C", "C01", "支柱", 1},
		{2023, "3911", "C", "C02", "战略", 0},
		{2023, "4411", "D", "", "", 0},
		{2024, "3011", "C", "C01", "支柱", 1},
		{2024, "3911", "C", "C03", "战略", 2},
		{2024, "4411", "D", "", "", 0},
	}
}

// buildSmallWorld writes the small universe into st.
func buildSmallWorld(tb testing.TB, st *Store) *world {
	tb.Helper()
	seedRegions(tb, st)
	w := newWorld()
	w.syncMap(tb, st, smallMap())
	var labels []string
	var rows []EnterpriseWithYear
	for _, year := range []int{2023, 2024} {
		for _, f := range smallFirms() {
			y := f.years[year]
			labels = append(labels, f.label)
			rows = append(rows, EnterpriseWithYear{
				Enterprise: enterprise.Enterprise{CreditCode: f.code, Name: f.name, RegionCode: f.region, IndustryCode: f.industry, Founded: day(f.founded), LandArea: f.land},
				Year:       &y,
			})
		}
	}
	w.putEnterprises(tb, st, labels, rows)
	var reps []report.Monthly
	for _, f := range smallFirms() {
		for ym, out := range smallOutputs[f.label] {
			reps = append(reps, report.Monthly{EnterpriseID: w.byName[f.label], Period: report.Period{Year: ym[0], Month: ym[1]}, Values: vals(out, f.label == "D")})
		}
	}
	w.putReports(tb, st, reps)
	w.putTitles(tb, st, []enterprise.Title{
		{EnterpriseID: w.byName["A"], Kind: enterprise.TitleHighTech, Level: enterprise.LevelNational, GrantedOn: day("2022-11-01")},
		{EnterpriseID: w.byName["B"], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: day("2024-06-01")},
		{EnterpriseID: w.byName["C"], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: day("2021-01-01"), ValidUntil: day("2024-12-31")},
	})
	return w
}

// seedFirms inserts n enterprises in regionA with above-scale status for
// the given years and returns their ids in order.
func seedFirms(tb testing.TB, st *Store, prefix string, n int, years ...int) []int64 {
	tb.Helper()
	var rows []EnterpriseWithYear
	for i := range n {
		e := enterprise.Enterprise{CreditCode: fmt.Sprintf("%s%08d", prefix, i), Name: fmt.Sprintf("测试企业%05d有限公司", i), RegionCode: regionA, IndustryCode: "3011", Founded: day("2010-01-01"), LandArea: unit.Mu100(i)}
		if len(years) == 0 {
			rows = append(rows, EnterpriseWithYear{Enterprise: e})
		}
		for _, y := range years {
			rows = append(rows, EnterpriseWithYear{Enterprise: e, Year: &enterprise.Year{Year: y, AboveScale: true, Size: enterprise.SizeSmall, Employees: 50, Revenue: 3000 * unit.Wan}})
		}
	}
	if _, err := st.UpsertEnterprises(context.Background(), rows); err != nil {
		tb.Fatalf("seed firms: %v", err)
	}
	ids, err := st.EnterpriseIDs(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]int64, n)
	for i := range n {
		out[i] = ids[fmt.Sprintf("%s%08d", prefix, i)]
	}
	return out
}

// monthRows returns one report per (firm, month 2..12) for year, firm-major,
// with output = base + 1000×firm index + month.
func monthRows(ids []int64, year int, base int64) []report.Monthly {
	var out []report.Monthly
	for i, id := range ids {
		for m := 2; m <= 12; m++ {
			out = append(out, report.Monthly{EnterpriseID: id, Period: report.Period{Year: year, Month: m}, Values: vals(base+int64(1000*i+m), i%7 == 3)})
		}
	}
	return out
}

// onceFunc adapts sync.Once for signalHook.
func onceFunc(f func()) *func() {
	var once sync.Once
	g := func() { once.Do(f) }
	return &g
}
