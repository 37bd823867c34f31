package sqlstore

// Contract tests: what the store promises its callers, run on every engine
// (forEachEngine). Expected values are written by hand or computed by the
// oracle in testing_test.go from the raw rows the test wrote.

import (
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/unit"
)

func TestMigrate(t *testing.T) {
	forEachUnmigratedEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		t.Run("a fresh database gets every migration", func(t *testing.T) {
			got, err := st.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			// Every embedded migration file, by its number.
			files, err := fs.Glob(migrationFS, "migrations/*.sql")
			if err != nil {
				t.Fatal(err)
			}
			var want []int
			for _, f := range files {
				n, _ := strconv.Atoi(strings.SplitN(path.Base(f), "_", 2)[0])
				want = append(want, n)
			}
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Fatalf("applied %v, want %v", got, want)
			}
			for _, table := range []string{"region", "enterprise", "enterprise_year", "title", "monthly_report", "agg_month", "deflator", "target", "indicator_value", "app_user", "session", "meta", "mujun_park", "mujun_facts", "mujun_config", "mujun_run", "mujun_result", "mujun_run_aggregate", "mujun_run_benchmark", "mujun_diff", "mujun_diff_entry", "goal_plan", "goal_value", "hardtech_member", "listing_event", "enterprise_profile"} {
				if n := countRows(t, st, table); n != 0 {
					t.Fatalf("%s has %d rows, want 0", table, n)
				}
			}
		})
		t.Run("a second run applies nothing", func(t *testing.T) {
			got, err := st.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if len(got) != 0 {
				t.Fatalf("second Migrate applied %v, want nothing", got)
			}
			files, _ := fs.Glob(migrationFS, "migrations/*.sql")
			if n := countRows(t, st, "schema_migrations"); n != len(files) {
				t.Fatalf("schema_migrations has %d rows, want %d", n, len(files))
			}
		})
	})
}

func TestUpsertEnterprises(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedRegions(t, st)
		rows := func() []EnterpriseWithYear {
			var out []EnterpriseWithYear
			for _, f := range smallFirms()[:3] {
				y := f.years[2024]
				out = append(out, EnterpriseWithYear{
					Enterprise: enterprise.Enterprise{CreditCode: f.code, Name: f.name, RegionCode: f.region, IndustryCode: f.industry, Founded: day(f.founded), LandArea: f.land},
					Year:       &y,
				})
			}
			return out
		}
		details := func(t *testing.T) []EnterpriseDetail {
			t.Helper()
			ids, err := st.EnterpriseIDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []EnterpriseDetail
			for _, r := range rows() {
				d, err := st.Enterprise(ctx, auth.All(), ids[r.Enterprise.CreditCode])
				if err != nil {
					t.Fatalf("Enterprise: %v", err)
				}
				out = append(out, d)
			}
			return out
		}

		t.Run("new enterprises are counted as inserted", func(t *testing.T) {
			res, err := st.UpsertEnterprises(ctx, rows())
			if err != nil {
				t.Fatal(err)
			}
			if want := (UpsertResult{Inserted: 3}); res != want {
				t.Fatalf("got %+v, want %+v", res, want)
			}
			if n := countRows(t, st, "enterprise"); n != 3 {
				t.Fatalf("%d enterprises stored, want 3", n)
			}
		})
		t.Run("stored values read back as written", func(t *testing.T) {
			for i, d := range details(t) {
				f := smallFirms()[i]
				if d.CreditCode != f.code || d.Name != f.name || d.RegionCode != f.region || d.IndustryCode != f.industry || !d.Founded.Equal(day(f.founded)) || d.LandArea != f.land {
					t.Fatalf("enterprise %d read back as %+v, want %+v", i, d.Enterprise, f)
				}
				wantYear := f.years[2024]
				wantYear.EnterpriseID = d.ID
				if len(d.Years) != 1 || d.Years[0] != wantYear {
					t.Fatalf("years of %s = %+v, want [%+v]", f.label, d.Years, wantYear)
				}
			}
		})
		t.Run("importing the same rows again changes nothing", func(t *testing.T) {
			before, beforeSum := details(t), dbChecksum(t, st)
			res, err := st.UpsertEnterprises(ctx, rows())
			if err != nil {
				t.Fatal(err)
			}
			if want := (UpsertResult{Unchanged: 3}); res != want {
				t.Fatalf("got %+v, want %+v", res, want)
			}
			// The store clock ticks on every reading, so a needless
			// rewrite would change updated_at and the checksum.
			if after := dbChecksum(t, st); after != beforeSum {
				t.Fatalf("checksum changed:\nbefore %s\nafter  %s", beforeSum, after)
			}
			if after := details(t); !reflect.DeepEqual(after, before) {
				t.Fatalf("stored values changed:\nbefore %+v\nafter  %+v", before, after)
			}
		})
		t.Run("a changed record is counted as updated and stored", func(t *testing.T) {
			rs := rows()
			rs[1].Enterprise.Name = "重庆小康汽车零部件集团有限公司"
			rs[1].Enterprise.LandArea = 6000
			res, err := st.UpsertEnterprises(ctx, rs)
			if err != nil {
				t.Fatal(err)
			}
			if want := (UpsertResult{Updated: 1, Unchanged: 2}); res != want {
				t.Fatalf("got %+v, want %+v", res, want)
			}
			d := details(t)[1]
			if d.Name != "重庆小康汽车零部件集团有限公司" || d.LandArea != 6000 {
				t.Fatalf("read back %q %d", d.Name, d.LandArea)
			}
			if n := countRows(t, st, "enterprise"); n != 3 {
				t.Fatalf("%d enterprises stored, want 3", n)
			}
		})
		t.Run("yearly status is kept per year and updated in place", func(t *testing.T) {
			rs := rows()[:1]
			y23 := smallFirms()[0].years[2023]
			rs[0].Year = &y23
			changed := smallFirms()[0].years[2024]
			changed.AboveScale, changed.Size, changed.Employees, changed.Revenue = false, enterprise.SizeMedium, 999, 123*unit.Wan
			rs = append(rs, EnterpriseWithYear{Enterprise: rs[0].Enterprise, Year: &changed})
			if _, err := st.UpsertEnterprises(ctx, rs); err != nil {
				t.Fatal(err)
			}
			d := details(t)[0]
			y23.EnterpriseID, changed.EnterpriseID = d.ID, d.ID
			if want := []enterprise.Year{y23, changed}; !reflect.DeepEqual(d.Years, want) {
				t.Fatalf("years %+v, want %+v", d.Years, want)
			}
			if n := countRows(t, st, "enterprise_year"); n != 4 {
				t.Fatalf("%d yearly rows, want 4", n)
			}
		})
		t.Run("an enterprise without yearly status is stored alone", func(t *testing.T) {
			res, err := st.UpsertEnterprises(ctx, []EnterpriseWithYear{{Enterprise: enterprise.Enterprise{CreditCode: "91500101MA5U0000X9", Name: "无年报企业", RegionCode: regionA, IndustryCode: "3011"}}})
			if err != nil {
				t.Fatal(err)
			}
			if res != (UpsertResult{Inserted: 1}) {
				t.Fatalf("got %+v", res)
			}
			if n := countRows(t, st, "enterprise_year"); n != 4 {
				t.Fatalf("%d yearly rows, want 4", n)
			}
		})
	})
}

func TestTitles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedRegions(t, st)
		ids := seedFirms(t, st, "TITLE", 2, 2024)
		t.Run("titles read back in grant order", func(t *testing.T) {
			ts := []enterprise.Title{
				{EnterpriseID: ids[0], Kind: enterprise.TitleLittleGiant, Level: enterprise.LevelNational, GrantedOn: day("2023-07-01"), ValidUntil: day("2026-07-01")},
				{EnterpriseID: ids[0], Kind: enterprise.TitleHighTech, Level: enterprise.LevelNational, GrantedOn: day("2022-12-01")},
				{EnterpriseID: ids[0], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: day("2022-12-01"), ValidUntil: day("2025-12-01")},
			}
			if err := st.PutTitles(ctx, ts); err != nil {
				t.Fatal(err)
			}
			d, err := st.Enterprise(ctx, auth.All(), ids[0])
			if err != nil {
				t.Fatal(err)
			}
			// Ordered by granted date, then kind.
			want := []enterprise.Title{ts[1], ts[2], ts[0]}
			if !reflect.DeepEqual(d.Titles, want) {
				t.Fatalf("titles\n%+v\nwant\n%+v", d.Titles, want)
			}
		})
		t.Run("the same key updates level and expiry instead of adding a row", func(t *testing.T) {
			upd := enterprise.Title{EnterpriseID: ids[0], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelNational, GrantedOn: day("2022-12-01"), ValidUntil: day("2024-03-01")}
			if err := st.PutTitles(ctx, []enterprise.Title{upd}); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, st, "title"); n != 3 {
				t.Fatalf("%d titles, want 3", n)
			}
			d, err := st.Enterprise(ctx, auth.All(), ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(d.Titles, upd) {
				t.Fatalf("updated title not read back: %+v", d.Titles)
			}
		})
		t.Run("an unknown kind is invalid and nothing of the batch is written", func(t *testing.T) {
			err := st.PutTitles(ctx, []enterprise.Title{
				{EnterpriseID: ids[1], Kind: enterprise.TitleGazelle, Level: enterprise.LevelDistrict, GrantedOn: day("2024-01-01")},
				{EnterpriseID: ids[1], Kind: "golden_goose", Level: enterprise.LevelDistrict, GrantedOn: day("2024-01-01")},
			})
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got %v, want Invalid", err)
			}
			if n := countRows(t, st, "title"); n != 3 {
				t.Fatalf("%d titles, want 3", n)
			}
		})
		t.Run("titles granted in a year are counted", func(t *testing.T) {
			for _, c := range []struct {
				kind enterprise.TitleKind
				year int
				want int
			}{
				{enterprise.TitleHighTech, 2022, 1},
				{enterprise.TitleSpecialized, 2022, 1},
				{enterprise.TitleSpecialized, 2023, 0},
				{enterprise.TitleLittleGiant, 2023, 1},
				{enterprise.TitleLittleGiant, 2024, 0},
			} {
				n, err := st.CountTitlesGranted(ctx, auth.All(), c.kind, c.year)
				if err != nil {
					t.Fatal(err)
				}
				if n != c.want {
					t.Fatalf("CountTitlesGranted(%s, %d) = %d, want %d", c.kind, c.year, n, c.want)
				}
			}
		})
	})
}

func TestUpsertReports(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedRegions(t, st)
		ids := seedFirms(t, st, "REP", 5, 2023, 2024)
		rows := monthRows(ids, 2024, 1_000_000)
		t.Run("new rows are counted as inserted", func(t *testing.T) {
			res, err := st.UpsertReports(ctx, rows)
			if err != nil {
				t.Fatal(err)
			}
			if want := (UpsertResult{Inserted: 55}); res != want {
				t.Fatalf("got %+v, want %+v", res, want)
			}
		})
		t.Run("values read back exactly", func(t *testing.T) {
			for i, id := range ids {
				got, err := st.EnterpriseReports(ctx, auth.All(), id, 2024, 2024)
				if err != nil {
					t.Fatal(err)
				}
				if want := rows[11*i : 11*i+11]; !reflect.DeepEqual(got, want) {
					t.Fatalf("reports of firm %d:\n%+v\nwant\n%+v", i, got, want)
				}
			}
		})
		t.Run("a repeated import is unchanged and changes nothing", func(t *testing.T) {
			before, beforeAgg := dbChecksum(t, st), aggSnapshot(t, st)
			res, err := st.UpsertReports(ctx, rows)
			if err != nil {
				t.Fatal(err)
			}
			if want := (UpsertResult{Unchanged: 55}); res != want {
				t.Fatalf("got %+v, want %+v", res, want)
			}
			if after := dbChecksum(t, st); after != before {
				t.Fatalf("checksum changed:\n%s\n%s", before, after)
			}
			if after := aggSnapshot(t, st); !slices.Equal(after, beforeAgg) {
				t.Fatal("summaries changed")
			}
		})
		t.Run("changed and new rows are counted apart", func(t *testing.T) {
			mixed := slices.Clone(rows)
			for i := 0; i < len(mixed); i += 5 { // 11 rows changed
				mixed[i].Values[report.Tax]++
			}
			mixed = append(mixed, monthRows(ids[:1], 2023, 7)...) // 11 new
			res, err := st.UpsertReports(ctx, mixed)
			if err != nil {
				t.Fatal(err)
			}
			if want := (UpsertResult{Inserted: 11, Updated: 11, Unchanged: 44}); res != want {
				t.Fatalf("got %+v, want %+v", res, want)
			}
			got, err := st.EnterpriseReports(ctx, auth.All(), ids[0], 2023, 2024)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 22 || got[11] != mixed[0] || got[0] != mixed[55] {
				t.Fatalf("read back %d rows; first 2024 row %+v want %+v", len(got), got[11], mixed[0])
			}
		})
		t.Run("an import reports progress after each chunk, ending at the total", func(t *testing.T) {
			var got [][2]int
			rows := monthRows(seedFirms(t, st, "PROG", 37, 2024), 2024, 3)[:401]
			res, err := st.ImportReports(ctx, rows, WriteOptions{Progress: func(done, total int) { got = append(got, [2]int{done, total}) }})
			if err != nil {
				t.Fatal(err)
			}
			if res.Inserted != 401 {
				t.Fatalf("got %+v", res)
			}
			// Chunks are 200 rows on PostgreSQL, up to 2,730 on SQLite:
			// the calls rise to the total, which every call names.
			if len(got) == 0 || got[len(got)-1] != [2]int{401, 401} {
				t.Fatalf("progress %v, want it to end at [401 401]", got)
			}
			for i, p := range got {
				if p[1] != 401 || (i > 0 && p[0] <= got[i-1][0]) {
					t.Fatalf("progress %v: not rising to the total", got)
				}
			}
		})
		t.Run("an invalid period is rejected and nothing is written", func(t *testing.T) {
			before := dbChecksum(t, st)
			bad := monthRows(ids, 2025, 1)
			bad[250%len(bad)].Period.Month = 1 // January is reported with February
			_, err := st.UpsertReports(ctx, bad)
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got %v, want Invalid", err)
			}
			if after := dbChecksum(t, st); after != before {
				t.Fatalf("checksum changed:\n%s\n%s", before, after)
			}
		})
	})
}

// TestUpsertReportsChunks writes batches around the multi-row statement's
// size (reportChunk = 200 rows), where an off-by-one would drop or repeat
// rows.
func TestUpsertReportsChunks(t *testing.T) {
	if reportChunk != 200 {
		t.Fatalf("reportChunk = %d; update the sizes below to straddle it", reportChunk)
	}
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedRegions(t, st)
		ids := seedFirms(t, st, "CHUNK", 40)
		for i, n := range []int{1, 199, 200, 201, 399, 400, 401} {
			year := 2001 + i // each size in its own year
			t.Run(strconv.Itoa(n)+" rows are all written once", func(t *testing.T) {
				rows := monthRows(ids, year, int64(n))[:n]
				res, err := st.UpsertReports(ctx, rows)
				if err != nil {
					t.Fatal(err)
				}
				if want := (UpsertResult{Inserted: n}); res != want {
					t.Fatalf("first write %+v, want %+v", res, want)
				}
				var count int
				var sum, sumProfit int64
				if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*), SUM(output), SUM(profit) FROM monthly_report WHERE year = $1`, year).Scan(&count, &sum, &sumProfit); err != nil {
					t.Fatal(err)
				}
				var wantSum, wantProfit int64
				for _, r := range rows {
					wantSum += r.Values[report.Output]
					wantProfit += r.Values[report.Profit]
				}
				if count != n || sum != wantSum || sumProfit != wantProfit {
					t.Fatalf("stored %d rows, output %d, profit %d; want %d, %d, %d", count, sum, sumProfit, n, wantSum, wantProfit)
				}
				res, err = st.UpsertReports(ctx, rows)
				if err != nil {
					t.Fatal(err)
				}
				if want := (UpsertResult{Unchanged: n}); res != want {
					t.Fatalf("second write %+v, want %+v", res, want)
				}
				// Change the last row only: it sits in the last chunk.
				rows[n-1].Values[report.Energy] += 5
				res, err = st.UpsertReports(ctx, rows)
				if err != nil {
					t.Fatal(err)
				}
				if want := (UpsertResult{Updated: 1, Unchanged: n - 1}); res != want {
					t.Fatalf("third write %+v, want %+v", res, want)
				}
			})
		}
	})
}

func TestSummaries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		w := buildSmallWorld(t, st)
		all := auth.All()
		dims := []stats.Dim{stats.ByMonth, stats.ByRegion, stats.ByCluster, stats.ByTier, stats.BySection, stats.BySEI, stats.BySpecialized}
		// checkEverything compares a battery of queries with the oracle.
		checkEverything := func(t *testing.T) {
			t.Helper()
			tr, fa := true, false
			for _, year := range []int{2022, 2023, 2024, 2025} {
				for _, month := range []int{0, 2, 3, 4} {
					w.checkAggregate(t, st, all, stats.Query{Year: year, Month: month})
					for _, d := range dims {
						w.checkAggregate(t, st, all, stats.Query{Year: year, Month: month, GroupBy: []stats.Dim{d}})
					}
					w.checkAggregate(t, st, all, stats.Query{Year: year, Month: month, GroupBy: dims})
					w.checkAggregate(t, st, all, stats.Query{Year: year, Month: month, GroupBy: []stats.Dim{stats.BySection, stats.BySEI, stats.BySpecialized}})
					for _, f := range []stats.Filter{
						{Region: regionB}, {Cluster: "C01"}, {Cluster: "C03"}, {Tier: "战略"}, {Section: "D"},
						{SEI: &tr}, {SEI: &fa}, {Specialized: &tr}, {Specialized: &fa}, {Region: regionA, Section: "C", SEI: &tr},
					} {
						w.checkAggregate(t, st, all, stats.Query{Year: year, Month: month, Filter: f, GroupBy: []stats.Dim{stats.ByMonth}})
					}
					w.checkAggregate(t, st, auth.Region(regionA), stats.Query{Year: year, Month: month, GroupBy: []stats.Dim{stats.ByRegion, stats.ByCluster}})
					w.checkAggregate(t, st, auth.Region(regionB), stats.Query{Year: year, Month: month, GroupBy: []stats.Dim{stats.BySpecialized}})
				}
			}
		}
		one := func(t *testing.T, sc auth.Scope, q stats.Query) stats.Sums {
			t.Helper()
			rows, err := st.Aggregate(t.Context(), sc, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 {
				t.Fatalf("Aggregate(%+v) returned %d rows, want 1: %+v", q, len(rows), rows)
			}
			return rows[0].Sums
		}

		t.Run("2024 totals are this year's set against the same firms a year earlier", func(t *testing.T) {
			s := one(t, all, stats.Query{Year: 2024, Month: 3})
			// Set: A, B, C, E (D left). Base: A, B, C in 2023; E is new.
			if s.N != 4 || s.NBase != 3 {
				t.Fatalf("n=%d n_base=%d, want 4 and 3", s.N, s.NBase)
			}
			if want := int64(230+125+70+42) + bigOutput; s.Cur[report.Output] != want {
				t.Fatalf("output %d, want %d", s.Cur[report.Output], want)
			}
			if want := int64(210 + 105 + 65); s.Base[report.Output] != want {
				t.Fatalf("base output %d, want %d (the leaver's 85 must not count)", s.Base[report.Output], want)
			}
			if want := 4 * (int64(230+125+70+42) + bigOutput); s.Cur[report.Profit] != want {
				t.Fatalf("profit %d, want %d", s.Cur[report.Profit], want)
			}
			if want := int64(9 * (210 + 105 + 65)); s.Base[report.Employees] != want {
				t.Fatalf("base employees %d, want %d", s.Base[report.Employees], want)
			}
		})
		t.Run("2023 totals include the leaver and have no base", func(t *testing.T) {
			s := one(t, all, stats.Query{Year: 2023, Month: 3})
			if s.N != 4 || s.NBase != 0 {
				t.Fatalf("n=%d n_base=%d, want 4 and 0", s.N, s.NBase)
			}
			if want := int64(210 + 105 + 65 + 85); s.Cur[report.Output] != want {
				t.Fatalf("output %d, want %d", s.Cur[report.Output], want)
			}
			// D's profit is negative.
			if want := int64(4*(210+105+65) - 4*85); s.Cur[report.Profit] != want {
				t.Fatalf("profit %d, want %d", s.Cur[report.Profit], want)
			}
			if s.Base != (report.Values{}) {
				t.Fatalf("base %v, want zero", s.Base)
			}
		})
		t.Run("clusters come from each year's catalogue", func(t *testing.T) {
			got := aggregateMap(t, st, all, stats.Query{Year: 2024, Month: 2, GroupBy: []stats.Dim{stats.ByCluster}})
			want := map[string][2]int64{"C01": {2, 110 + 33}, "C03": {2, 60 + 20}}
			if len(got) != len(want) {
				t.Fatalf("2024 clusters %v", sortedKeys(got))
			}
			for k, s := range got {
				if w := want[k.Cluster]; s.N != w[0] || s.Cur[report.Output] != w[1] {
					t.Fatalf("2024 cluster %q: n=%d output=%d, want %v", k.Cluster, s.N, s.Cur[report.Output], w)
				}
			}
			got = aggregateMap(t, st, all, stats.Query{Year: 2023, Month: 2, GroupBy: []stats.Dim{stats.ByCluster}})
			want = map[string][2]int64{"C01": {2, 100 + 30}, "C02": {1, 50}, "": {1, 40}}
			if len(got) != len(want) {
				t.Fatalf("2023 clusters %v", sortedKeys(got))
			}
			for k, s := range got {
				if w := want[k.Cluster]; s.N != w[0] || s.Cur[report.Output] != w[1] {
					t.Fatalf("2023 cluster %q: n=%d output=%d, want %v", k.Cluster, s.N, s.Cur[report.Output], w)
				}
			}
		})
		t.Run("specialized status is taken at year end", func(t *testing.T) {
			tr := true
			// 2024: B (granted mid-2024); C's title ran out on 2024-12-31.
			s := one(t, all, stats.Query{Year: 2024, Month: 3, Filter: stats.Filter{Specialized: &tr}})
			if s.N != 1 || s.Cur[report.Output] != 125 || s.Base[report.Output] != 105 {
				t.Fatalf("2024 specialized: n=%d output=%d base=%d, want B only (1, 125, 105)", s.N, s.Cur[report.Output], s.Base[report.Output])
			}
			// 2023: C only.
			s = one(t, all, stats.Query{Year: 2023, Month: 3, Filter: stats.Filter{Specialized: &tr}})
			if s.N != 1 || s.Cur[report.Output] != 65 {
				t.Fatalf("2023 specialized: n=%d output=%d, want C only (1, 65)", s.N, s.Cur[report.Output])
			}
		})
		t.Run("months are grouped in order", func(t *testing.T) {
			rows, err := st.Aggregate(t.Context(), all, stats.Query{Year: 2024, GroupBy: []stats.Dim{stats.ByMonth}})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].Key.Month != 2 || rows[1].Key.Month != 3 {
				t.Fatalf("months %+v", rows)
			}
			if rows[0].Sums.N != 4 || rows[0].Sums.Cur[report.Output] != 110+60+33+20 {
				t.Fatalf("2024-02 %+v", rows[0].Sums)
			}
		})
		t.Run("every grouping and filter matches the oracle", checkEverything)
		t.Run("a year without data has no rows", func(t *testing.T) {
			rows, err := st.Aggregate(t.Context(), all, stats.Query{Year: 2030, Month: 3})
			if err != nil || len(rows) != 0 {
				t.Fatalf("got %v, %v; want no rows", rows, err)
			}
		})
		t.Run("an unknown dimension is invalid", func(t *testing.T) {
			_, err := st.Aggregate(t.Context(), all, stats.Query{Year: 2024, GroupBy: []stats.Dim{"colour"}})
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got %v, want Invalid", err)
			}
		})

		// The rest change the universe and check that the summaries follow.
		t.Run("a changed 2023 report refreshes 2023 and the 2024 base", func(t *testing.T) {
			w.putReports(t, st, []report.Monthly{{EnterpriseID: w.byName["A"], Period: report.Period{Year: 2023, Month: 3}, Values: vals(300, false)}})
			if s := one(t, all, stats.Query{Year: 2023, Month: 3}); s.Cur[report.Output] != 300+105+65+85 {
				t.Fatalf("2023 output %d, want %d", s.Cur[report.Output], 300+105+65+85)
			}
			if s := one(t, all, stats.Query{Year: 2024, Month: 3}); s.Base[report.Output] != 300+105+65 {
				t.Fatalf("2024 base output %d, want %d", s.Base[report.Output], 300+105+65)
			}
			checkEverything(t)
		})
		t.Run("a report in a new month appears", func(t *testing.T) {
			w.putReports(t, st, []report.Monthly{{EnterpriseID: w.byName["E"], Period: report.Period{Year: 2024, Month: 4}, Values: vals(61, false)}})
			s := one(t, all, stats.Query{Year: 2024, Month: 4})
			if s.N != 1 || s.NBase != 0 || s.Cur[report.Output] != 61 {
				t.Fatalf("2024-04 %+v", s)
			}
			checkEverything(t)
		})
		t.Run("a new title refreshes the firm's years", func(t *testing.T) {
			w.putTitles(t, st, []enterprise.Title{{EnterpriseID: w.byName["A"], Kind: enterprise.TitleLittleGiant, Level: enterprise.LevelNational, GrantedOn: day("2024-12-31")}})
			tr := true
			if s := one(t, all, stats.Query{Year: 2024, Month: 3, Filter: stats.Filter{Specialized: &tr}}); s.N != 2 {
				t.Fatalf("2024 specialized n=%d, want 2 (A and B)", s.N)
			}
			if s := one(t, all, stats.Query{Year: 2023, Month: 3, Filter: stats.Filter{Specialized: &tr}}); s.N != 1 {
				t.Fatalf("2023 specialized n=%d, want 1 (C; A's title is from 2024)", s.N)
			}
			checkEverything(t)
		})
		t.Run("a changed title expiry refreshes the firm's years", func(t *testing.T) {
			w.putTitles(t, st, []enterprise.Title{{EnterpriseID: w.byName["C"], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: day("2021-01-01"), ValidUntil: day("2025-01-01")}})
			tr := true
			if s := one(t, all, stats.Query{Year: 2024, Month: 3, Filter: stats.Filter{Specialized: &tr}}); s.N != 3 {
				t.Fatalf("2024 specialized n=%d, want 3 (A, B and C)", s.N)
			}
			checkEverything(t)
		})
		t.Run("a changed industry map refreshes that year", func(t *testing.T) {
			m := smallMap()
			m[3] = IndustryMapRow{2024, "3011", "C", "C09", "新兴", 0}
			w.syncMap(t, st, m)
			got := aggregateMap(t, st, all, stats.Query{Year: 2024, Month: 2, GroupBy: []stats.Dim{stats.ByCluster}})
			if s, ok := got[stats.Key{Cluster: "C09"}]; !ok || s.N != 2 {
				t.Fatalf("2024 clusters %v, want C09 with A and C", sortedKeys(got))
			}
			if _, ok := aggregateMap(t, st, all, stats.Query{Year: 2023, Month: 2, GroupBy: []stats.Dim{stats.ByCluster}})[stats.Key{Cluster: "C01"}]; !ok {
				t.Fatal("2023 lost cluster C01")
			}
			checkEverything(t)
		})
		t.Run("a dropped industry map row leaves firms unclassified", func(t *testing.T) {
			m := smallMap()
			m = slices.Delete(m, 4, 5) // 2024 3911
			w.syncMap(t, st, m)
			got := aggregateMap(t, st, all, stats.Query{Year: 2024, Month: 2, GroupBy: []stats.Dim{stats.ByCluster}})
			if s, ok := got[stats.Key{Cluster: ""}]; !ok || s.N != 2 {
				t.Fatalf("2024 clusters %v, want B and E unclassified", sortedKeys(got))
			}
			checkEverything(t)
		})
		t.Run("a firm moving region moves its rows in every year", func(t *testing.T) {
			f := smallFirms()[0]
			w.putEnterprises(t, st, []string{"A"}, []EnterpriseWithYear{{Enterprise: enterprise.Enterprise{CreditCode: f.code, Name: f.name, RegionCode: regionB, IndustryCode: f.industry, Founded: day(f.founded), LandArea: f.land}}})
			for _, year := range []int{2023, 2024} {
				got := aggregateMap(t, st, all, stats.Query{Year: year, Month: 2, GroupBy: []stats.Dim{stats.ByRegion}})
				if s := got[stats.Key{Region: regionA}]; s.N != 1 {
					t.Fatalf("%d region A n=%d, want 1 (B only)", year, s.N)
				}
			}
			checkEverything(t)
		})
		t.Run("a firm joining the above-scale set is summed", func(t *testing.T) {
			f := smallFirms()[3]
			y := f.years[2024]
			y.AboveScale = true
			w.putEnterprises(t, st, []string{"D"}, []EnterpriseWithYear{{Enterprise: enterprise.Enterprise{CreditCode: f.code, Name: f.name, RegionCode: f.region, IndustryCode: f.industry, Founded: day(f.founded), LandArea: f.land}, Year: &y}})
			s := one(t, all, stats.Query{Year: 2024, Month: 3})
			if s.N != 5 || s.NBase != 4 {
				t.Fatalf("n=%d n_base=%d, want 5 and 4", s.N, s.NBase)
			}
			checkEverything(t)
		})
		t.Run("a full rebuild reproduces the maintained summaries", func(t *testing.T) {
			before := aggSnapshot(t, st)
			if err := st.RefreshAggregates(t.Context(), []int{2022, 2023, 2024, 2025}); err != nil {
				t.Fatal(err)
			}
			if after := aggSnapshot(t, st); !slices.Equal(after, before) {
				t.Fatalf("rebuild differs:\nmaintained %v\nrebuilt    %v", before, after)
			}
		})
	})
}

func TestLatestPeriod(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		t.Run("an empty store has no period", func(t *testing.T) {
			if _, err := st.LatestPeriod(ctx); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("got %v, want NotFound", err)
			}
		})
		w := buildSmallWorld(t, st)
		t.Run("the latest summarised month is reported", func(t *testing.T) {
			p, err := st.LatestPeriod(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := (report.Period{Year: 2024, Month: 3}); p != want {
				t.Fatalf("got %v, want %v", p, want)
			}
		})
		t.Run("a report of a firm outside the above-scale set does not move it", func(t *testing.T) {
			w.putReports(t, st, []report.Monthly{{EnterpriseID: w.byName["D"], Period: report.Period{Year: 2024, Month: 11}, Values: vals(1, false)}})
			p, err := st.LatestPeriod(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := (report.Period{Year: 2024, Month: 3}); p != want {
				t.Fatalf("got %v, want %v", p, want)
			}
		})
		t.Run("a later month of the set moves it", func(t *testing.T) {
			w.putReports(t, st, []report.Monthly{{EnterpriseID: w.byName["B"], Period: report.Period{Year: 2024, Month: 10}, Values: vals(1, false)}})
			p, err := st.LatestPeriod(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := (report.Period{Year: 2024, Month: 10}); p != want {
				t.Fatalf("got %v, want %v", p, want)
			}
		})
	})
}

func TestDeflators(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		if err := st.PutDeflators(ctx, []Deflator{
			{Series: "ppi", Year: 2024, Month: 0, IndexE4: 985_000},
			{Series: "ppi", Year: 2024, Month: 3, IndexE4: 990_123},
			{Series: "cpi", Year: 2024, Month: 3, IndexE4: 1_002_000},
		}); err != nil {
			t.Fatal(err)
		}
		get := func(t *testing.T, series string, year, month int) (int64, bool) {
			t.Helper()
			v, ok, err := st.Deflator(ctx, series, year, month)
			if err != nil {
				t.Fatal(err)
			}
			return v, ok
		}
		t.Run("a year's points in one read", func(t *testing.T) {
			got, err := st.DeflatorsOfYear(ctx, "ppi", 2024)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0] != 985_000 || got[3] != 990_123 {
				t.Fatalf("got %v", got)
			}
			if got, err := st.DeflatorsOfYear(ctx, "ppi", 2023); err != nil || len(got) != 0 {
				t.Fatalf("2023: %v %v", got, err)
			}
		})
		t.Run("a monthly point is preferred", func(t *testing.T) {
			if v, ok := get(t, "ppi", 2024, 3); !ok || v != 990_123 {
				t.Fatalf("got %d, %v", v, ok)
			}
		})
		t.Run("a month without a point falls back to the annual value", func(t *testing.T) {
			if v, ok := get(t, "ppi", 2024, 5); !ok || v != 985_000 {
				t.Fatalf("got %d, %v", v, ok)
			}
		})
		t.Run("no annual value means no deflator", func(t *testing.T) {
			if v, ok := get(t, "cpi", 2024, 5); ok {
				t.Fatalf("got %d, want none", v)
			}
			if v, ok := get(t, "ppi", 2023, 3); ok {
				t.Fatalf("got %d, want none", v)
			}
		})
		t.Run("a point is replaced in place", func(t *testing.T) {
			if err := st.PutDeflators(ctx, []Deflator{{Series: "ppi", Year: 2024, Month: 3, IndexE4: 991_000}}); err != nil {
				t.Fatal(err)
			}
			ds, err := st.Deflators(ctx, "ppi")
			if err != nil {
				t.Fatal(err)
			}
			want := []Deflator{{"ppi", 2024, 0, 985_000}, {"ppi", 2024, 3, 991_000}}
			if !slices.Equal(ds, want) {
				t.Fatalf("got %+v, want %+v", ds, want)
			}
		})
		t.Run("a non-positive index is invalid and the batch is not written", func(t *testing.T) {
			err := st.PutDeflators(ctx, []Deflator{{Series: "ppi", Year: 2025, Month: 0, IndexE4: 1_010_000}, {Series: "ppi", Year: 2025, Month: 2, IndexE4: 0}})
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got %v, want Invalid", err)
			}
			if _, ok := get(t, "ppi", 2025, 0); ok {
				t.Fatal("first point of the failed batch was kept")
			}
		})
	})
}

func TestTargetsAndIndicatorValues(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		alert, excellent := 5.25, 8.0001
		if err := st.SyncIndicators(ctx, []IndicatorRow{
			{Code: "va_growth", NameZh: "规上工业增加值增速", NameEn: "Value-added growth", Unit: "%", Frequency: "monthly", Kind: "rate", Aggregation: "growth", Measure: "value_added", Department: "经信委", Source: "test", Alert: &alert, Excellent: &excellent, HigherIsBetter: true},
			{Code: "mfg_share", NameZh: "制造业占GDP比重", NameEn: "Manufacturing share of GDP", Unit: "%", Frequency: "annual", Kind: "rate", Aggregation: "manual", Measure: "", Department: "统计局", Source: "test", HigherIsBetter: true},
		}); err != nil {
			t.Fatal(err)
		}
		ts := []target.Target{
			{IndicatorCode: "va_growth", ScopeKind: target.ScopeCity, ScopeCode: "", Year: 2024, Comparator: target.AtLeast, Value: 8.1234, Source: "2024重庆制造业任务表"},
			{IndicatorCode: "va_growth", ScopeKind: target.ScopeRegion, ScopeCode: regionA, Year: 2024, Comparator: target.About, Value: 2.01, Source: "任务表"},
			{IndicatorCode: "mfg_share", ScopeKind: target.ScopeCity, ScopeCode: "", Year: 2024, Comparator: target.AtMost, Value: -0.0003, Source: "任务表"},
			{IndicatorCode: "mfg_share", ScopeKind: target.ScopeCity, ScopeCode: "", Year: 2025, Comparator: target.AtLeast, Value: 123456.7891, Source: "任务表"},
		}
		// 0.0003 and 2.01 are just below their value in binary floating
		// point (×10^4 gives 2.99… and 20099.99…): they must round, not
		// truncate.
		t.Run("targets round-trip with four decimals exact, in indicator order", func(t *testing.T) {
			if err := st.PutTargets(ctx, ts); err != nil {
				t.Fatal(err)
			}
			got, err := st.Targets(ctx, 2024)
			if err != nil {
				t.Fatal(err)
			}
			if want := ts[:3]; !slices.Equal(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
			got, err = st.Targets(ctx, 2025)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, ts[3:]) {
				t.Fatalf("got %+v", got)
			}
		})
		t.Run("targets of one scope", func(t *testing.T) {
			for _, c := range []struct {
				kind, code string
				want       []target.Target
			}{
				{target.ScopeCity, "", []target.Target{ts[0], ts[2]}},
				{target.ScopeRegion, regionA, ts[1:2]},
				{target.ScopeRegion, regionB, nil},
			} {
				got, err := st.TargetsInScope(ctx, 2024, c.kind, c.code)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, c.want) {
					t.Fatalf("%s %s: got %+v\nwant %+v", c.kind, c.code, got, c.want)
				}
			}
		})
		t.Run("a target is replaced in place", func(t *testing.T) {
			upd := ts[0]
			upd.Value, upd.Comparator = 7.9999, target.About
			if err := st.PutTargets(ctx, []target.Target{upd}); err != nil {
				t.Fatal(err)
			}
			got, err := st.Targets(ctx, 2024)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0] != upd {
				t.Fatalf("got %+v", got)
			}
		})
		t.Run("a bad comparator is invalid and the batch is not written", func(t *testing.T) {
			err := st.PutTargets(ctx, []target.Target{
				{IndicatorCode: "va_growth", ScopeKind: target.ScopeCity, Year: 2026, Comparator: target.AtLeast, Value: 1},
				{IndicatorCode: "va_growth", ScopeKind: target.ScopeCity, Year: 2027, Comparator: "=>", Value: 1},
			})
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("got %v, want Invalid", err)
			}
			if got, _ := st.Targets(ctx, 2026); len(got) != 0 {
				t.Fatalf("kept %+v", got)
			}
		})
		t.Run("a target of an unknown indicator fails", func(t *testing.T) {
			if err := st.PutTargets(ctx, []target.Target{{IndicatorCode: "nope", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 1}}); err == nil {
				t.Fatal("accepted a target of an unknown indicator")
			}
		})
		t.Run("indicator values round-trip and fall back to the annual value", func(t *testing.T) {
			if err := st.PutIndicatorValues(ctx, []IndicatorValue{
				{IndicatorCode: "mfg_share", ScopeKind: target.ScopeCity, Year: 2024, Month: 0, Value: 27.3456, Source: "统计局"},
				{IndicatorCode: "mfg_share", ScopeKind: target.ScopeCity, Year: 2024, Month: 6, Value: 0.0003, Source: "统计局"},
				{IndicatorCode: "mfg_share", ScopeKind: target.ScopeRegion, ScopeCode: regionA, Year: 2024, Month: 0, Value: -2.01, Source: "区"},
			}); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				kind, code  string
				year, month int
				want        int64
				ok          bool
			}{
				{target.ScopeCity, "", 2024, 6, 3, true},
				{target.ScopeCity, "", 2024, 9, 273_456, true},
				{target.ScopeCity, "", 2024, 0, 273_456, true},
				{target.ScopeRegion, regionA, 2024, 3, -20_100, true},
				{target.ScopeRegion, regionB, 2024, 3, 0, false},
				{target.ScopeCity, "", 2023, 6, 0, false},
			} {
				v, ok, err := st.IndicatorValue(ctx, "mfg_share", c.kind, c.code, c.year, c.month)
				if err != nil {
					t.Fatal(err)
				}
				if v != c.want || ok != c.ok {
					t.Fatalf("IndicatorValue(%s %s %d-%d) = %d, %v; want %d, %v", c.kind, c.code, c.year, c.month, v, ok, c.want, c.ok)
				}
			}
		})
		t.Run("a task table's values read for the year at once equal the value read alone", func(t *testing.T) {
			cat, err := indicator.Parse([]byte(`{"indicators": [{"code": "mfg_share", "kind": "point", "aggregation": "manual", "measure": ""}]}`))
			if err != nil {
				t.Fatal(err)
			}
			eng := stats.NewEngine(st, cat)
			n := 0
			for _, y := range []int{2023, 2024} {
				for _, m := range []int{0, 3, 6, 9, 12} {
					for _, f := range []stats.Filter{{}, {Region: regionA}, {Region: regionB}} {
						p := report.Period{Year: y, Month: m}
						alone, err := eng.Figure(ctx, auth.All(), "mfg_share", p, f) // one query for the value
						if err != nil {
							t.Fatal(err)
						}
						inSet, err := eng.NewFigureSet(auth.All(), p).Figure(ctx, "mfg_share", f) // the year's values
						if err != nil {
							t.Fatal(err)
						}
						if alone.Value != inSet.Value || alone.Known != inSet.Known {
							t.Errorf("%v %+v: %v, %v alone, %v, %v in a set", p, f, alone.Value, alone.Known, inSet.Value, inSet.Known)
						}
						if alone.Known {
							n++
						}
					}
				}
			}
			if n != 10 { // the five months of 2024, for the city and for 万州
				t.Errorf("%d known values, want 10", n)
			}
		})
	})
}

func TestScope(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		w := buildSmallWorld(t, st)
		names := func(t *testing.T, sc auth.Scope, f EnterpriseFilter) []string {
			t.Helper()
			page, err := st.ListEnterprises(ctx, sc, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range page.Items {
				out = append(out, labelOf(w, it.ID))
			}
			if page.Total != len(out) {
				t.Fatalf("total %d for %d items", page.Total, len(out))
			}
			return out
		}
		titleCount := func(t *testing.T, sc auth.Scope, year int) int {
			t.Helper()
			n, err := st.CountTitlesGranted(ctx, sc, enterprise.TitleSpecialized, year)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		reportCount := func(t *testing.T, sc auth.Scope, label string) int {
			t.Helper()
			rs, err := st.EnterpriseReports(ctx, sc, w.byName[label], 2000, 2100)
			if err != nil {
				t.Fatal(err)
			}
			return len(rs)
		}

		exported := func(t *testing.T, sc auth.Scope, f ReportFilter) []string {
			t.Helper()
			var out []string
			err := st.EachReport(ctx, sc, f, func(r ReportRow) error {
				if r.RegionCode != w.firms[r.EnterpriseID].RegionCode || r.CreditCode != w.firms[r.EnterpriseID].CreditCode {
					t.Fatalf("export row %+v does not match its enterprise", r)
				}
				out = append(out, labelOf(w, r.EnterpriseID)+r.Period.String())
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		t.Run("exports stream only the reports in scope", func(t *testing.T) {
			for _, c := range []struct {
				sc   auth.Scope
				f    ReportFilter
				want []string
			}{
				{auth.All(), ReportFilter{Year: 2024, Month: 3}, []string{"A2024-03", "B2024-03", "C2024-03", "D2024-03", "E2024-03"}},
				{auth.All(), ReportFilter{Year: 2023, RegionCode: regionB}, []string{"C2023-02", "C2023-03", "D2023-02", "D2023-03"}},
				{auth.Region(regionA), ReportFilter{Year: 2024}, []string{"A2024-02", "A2024-03", "B2024-02", "B2024-03"}},
				{auth.Region(regionA), ReportFilter{Year: 2024, RegionCode: regionB}, nil},
				{auth.Enterprise(w.byName["C"]), ReportFilter{Year: 2024}, []string{"C2024-02", "C2024-03"}},
				{auth.Scope{}, ReportFilter{Year: 2024}, nil},
			} {
				if got := exported(t, c.sc, c.f); !slices.Equal(got, c.want) {
					t.Fatalf("EachReport(%+v, %+v) = %v, want %v", c.sc, c.f, got, c.want)
				}
			}
		})
		t.Run("a district sees only its own firms", func(t *testing.T) {
			sc := auth.Region(regionA)
			if got, want := names(t, sc, EnterpriseFilter{}), []string{"A", "B"}; !slices.Equal(got, want) {
				t.Fatalf("list %v, want %v", got, want)
			}
			if got := names(t, sc, EnterpriseFilter{RegionCode: regionB}); len(got) != 0 {
				t.Fatalf("asking for region B gave %v", got)
			}
			if _, err := st.Enterprise(ctx, sc, w.byName["C"]); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("Enterprise(C) got %v, want NotFound", err)
			}
			if d, err := st.Enterprise(ctx, sc, w.byName["A"]); err != nil || d.ID != w.byName["A"] {
				t.Fatalf("Enterprise(A) = %v, %v", d.ID, err)
			}
			if n := reportCount(t, sc, "C"); n != 0 {
				t.Fatalf("C's reports leaked: %d", n)
			}
			if n := reportCount(t, sc, "A"); n != 4 {
				t.Fatalf("A's reports: %d, want 4", n)
			}
			if n := titleCount(t, sc, 2021); n != 0 {
				t.Fatalf("C's 2021 title counted in region A: %d", n)
			}
			if n := titleCount(t, sc, 2024); n != 1 {
				t.Fatalf("B's 2024 title: %d, want 1", n)
			}
			if n := titleCount(t, auth.Region(regionB), 2021); n != 1 {
				t.Fatalf("C's 2021 title in region B: %d, want 1", n)
			}
			got := aggregateMap(t, st, sc, stats.Query{Year: 2024, Month: 3, GroupBy: []stats.Dim{stats.ByRegion}})
			if len(got) != 1 || got[stats.Key{Region: regionA}].N != 2 {
				t.Fatalf("aggregate by region %v", got)
			}
			rows, err := st.Aggregate(ctx, sc, stats.Query{Year: 2024, Month: 3, Filter: stats.Filter{Region: regionB}})
			if err != nil || len(rows) != 0 {
				t.Fatalf("region B through region A's scope: %v, %v", rows, err)
			}
		})
		t.Run("an enterprise sees only itself and no aggregates", func(t *testing.T) {
			sc := auth.Enterprise(w.byName["C"])
			if got := names(t, sc, EnterpriseFilter{}); !slices.Equal(got, []string{"C"}) {
				t.Fatalf("list %v, want [C]", got)
			}
			if _, err := st.Enterprise(ctx, sc, w.byName["A"]); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("Enterprise(A) got %v, want NotFound", err)
			}
			if _, err := st.Enterprise(ctx, sc, w.byName["C"]); err != nil {
				t.Fatalf("Enterprise(C): %v", err)
			}
			if n := reportCount(t, sc, "A"); n != 0 {
				t.Fatalf("A's reports leaked: %d", n)
			}
			if n := reportCount(t, sc, "C"); n != 4 {
				t.Fatalf("own reports: %d, want 4", n)
			}
			if n := titleCount(t, sc, 2024); n != 0 {
				t.Fatalf("B's title counted: %d", n)
			}
			if n := titleCount(t, sc, 2021); n != 1 {
				t.Fatalf("own title: %d, want 1", n)
			}
			if _, err := st.Aggregate(ctx, sc, stats.Query{Year: 2024, Month: 3}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("Aggregate got %v, want Forbidden", err)
			}
		})
		t.Run("the zero scope sees nothing", func(t *testing.T) {
			var sc auth.Scope
			if got := names(t, sc, EnterpriseFilter{}); len(got) != 0 {
				t.Fatalf("list %v", got)
			}
			for _, l := range []string{"A", "C"} {
				if _, err := st.Enterprise(ctx, sc, w.byName[l]); !apperr.Is(err, apperr.NotFound) {
					t.Fatalf("Enterprise(%s) got %v, want NotFound", l, err)
				}
				if n := reportCount(t, sc, l); n != 0 {
					t.Fatalf("%s's reports leaked: %d", l, n)
				}
			}
			if n := titleCount(t, sc, 2024) + titleCount(t, sc, 2021); n != 0 {
				t.Fatalf("titles counted: %d", n)
			}
			rows, err := st.Aggregate(ctx, sc, stats.Query{Year: 2024, Month: 3})
			if !apperr.Is(err, apperr.Forbidden) || len(rows) != 0 {
				t.Fatalf("Aggregate got %v, %v; want Forbidden", rows, err)
			}
		})
	})
}

// labelOf maps an id of the small universe back to its letter.
func labelOf(w *world, id int64) string {
	for l, x := range w.byName {
		if x == id {
			return l
		}
	}
	return "?"
}

func TestListEnterprises(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		w := buildSmallWorld(t, st)
		all := auth.All()
		list := func(t *testing.T, f EnterpriseFilter) (EnterprisePage, []string) {
			t.Helper()
			page, err := st.ListEnterprises(ctx, all, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range page.Items {
				out = append(out, labelOf(w, it.ID))
			}
			return page, out
		}
		tr, fa := true, false
		for _, c := range []struct {
			name string
			f    EnterpriseFilter
			want []string
		}{
			{"no filter lists every firm of the latest year by revenue", EnterpriseFilter{}, []string{"A", "B", "C", "D", "E"}},
			{"a two-character Chinese query matches inside names", EnterpriseFilter{Query: "汽车"}, []string{"A", "B"}},
			{"a query matches a place name", EnterpriseFilter{Query: "涪陵"}, []string{"C", "D"}},
			{"a lower-case credit code fragment matches", EnterpriseFilter{Query: "ma5u000003"}, []string{"C"}},
			// "%" and "_" are characters, not wildcards: no name holds them
			// (issue 8; they used to be dropped, matching every firm).
			{"LIKE wildcards typed by users are literal", EnterpriseFilter{Query: "%_"}, nil},
			{"an underscore is not any one character", EnterpriseFilter{Query: "汽_"}, nil},
			{"region", EnterpriseFilter{RegionCode: regionB}, []string{"C", "D", "E"}},
			{"cluster of the latest year", EnterpriseFilter{ClusterCode: "C03"}, []string{"B", "E"}},
			{"cluster of an earlier year", EnterpriseFilter{ClusterCode: "C02", Year: 2023}, []string{"B", "E"}},
			{"a cluster not in force that year", EnterpriseFilter{ClusterCode: "C02", Year: 2024}, nil},
			{"tier", EnterpriseFilter{Tier: "支柱"}, []string{"A", "C"}},
			{"size", EnterpriseFilter{Size: enterprise.SizeSmall}, []string{"C", "D"}},
			{"above scale", EnterpriseFilter{AboveScale: &tr}, []string{"A", "B", "C", "E"}},
			{"below scale", EnterpriseFilter{AboveScale: &fa}, []string{"D"}},
			{"below scale in 2023", EnterpriseFilter{AboveScale: &fa, Year: 2023}, []string{"E"}},
			{"title valid at the end of 2024", EnterpriseFilter{Title: enterprise.TitleSpecialized}, []string{"B"}},
			{"title valid at the end of 2023", EnterpriseFilter{Title: enterprise.TitleSpecialized, Year: 2023}, []string{"C"}},
			{"combined filters", EnterpriseFilter{Query: "有限", RegionCode: regionB, AboveScale: &tr}, []string{"C", "E"}},
			{"a year without status lists nothing", EnterpriseFilter{Year: 2019}, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				page, got := list(t, c.f)
				if !slices.Equal(got, c.want) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
				if page.Total != len(c.want) {
					t.Fatalf("total %d, want %d", page.Total, len(c.want))
				}
			})
		}
		t.Run("pages cover the list once, each with the full total", func(t *testing.T) {
			var seen []string
			for off := 0; off <= 6; off += 2 {
				page, got := list(t, EnterpriseFilter{Limit: 2, Offset: off})
				if page.Total != 5 {
					t.Fatalf("offset %d: total %d, want 5", off, page.Total)
				}
				if want := min(2, max(0, 5-off)); len(got) != want {
					t.Fatalf("offset %d: %d items, want %d", off, len(got), want)
				}
				seen = append(seen, got...)
			}
			if want := []string{"A", "B", "C", "D", "E"}; !slices.Equal(seen, want) {
				t.Fatalf("pages gave %v, want %v", seen, want)
			}
		})
		t.Run("items carry the year's status, classification and titles", func(t *testing.T) {
			page, got := list(t, EnterpriseFilter{Year: 2023})
			if len(got) != 5 {
				t.Fatalf("got %v", got)
			}
			byLabel := map[string]EnterpriseItem{}
			for i, l := range got {
				byLabel[l] = page.Items[i]
			}
			c := byLabel["C"]
			f := smallFirms()[2]
			if c.Year != 2023 || !c.AboveScale || c.Size != enterprise.SizeSmall || c.Revenue != f.years[2023].Revenue || c.Employees != f.years[2023].Employees ||
				c.ClusterCode != "C01" || c.Tier != "支柱" || c.Name != f.name || c.CreditCode != f.code || !c.Founded.Equal(day(f.founded)) || c.LandArea != f.land {
				t.Fatalf("C in 2023: %+v", c)
			}
			if !slices.Equal(c.TitleKinds, []enterprise.TitleKind{enterprise.TitleSpecialized}) {
				t.Fatalf("C's 2023 titles %v", c.TitleKinds)
			}
			if d := byLabel["D"]; d.ClusterCode != "" || d.Tier != "" || len(d.TitleKinds) != 0 {
				t.Fatalf("D in 2023: %+v", d)
			}
			if a := byLabel["A"]; !slices.Equal(a.TitleKinds, []enterprise.TitleKind{enterprise.TitleHighTech}) {
				t.Fatalf("A's titles %v", a.TitleKinds)
			}
			page, got = list(t, EnterpriseFilter{Query: "涪陵榨菜"})
			if len(got) != 1 || page.Items[0].Year != 2024 || len(page.Items[0].TitleKinds) != 0 {
				t.Fatalf("C in 2024 (its title ran out on 2024-12-31): %+v", page.Items)
			}
		})
	})
}

func TestClustersAt(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		cats := []ClusterCatalogueRow{
			{ID: "cq-2021", Version: "2021", EffectiveFrom: "2021-01-01", EffectiveTo: "2023-12-31", Source: "渝府发〔2021〕", Clusters: []ClusterRow{
				{Code: "C02", Tier: "支柱", Group: "g1", NameZh: "电子信息", NameEn: "Electronics"},
				{Code: "C01", Tier: "支柱", Group: "g1", NameZh: "汽车", NameEn: "Automotive"},
			}},
			{ID: "cq-2024", Version: "2024", EffectiveFrom: "2024-01-01", EffectiveTo: "", Source: "33618", Clusters: []ClusterRow{
				{Code: "K1", Tier: "万亿级", Group: "智能网联新能源汽车", NameZh: "智能网联新能源汽车", NameEn: "Intelligent connected NEVs"},
				{Code: "K3", Tier: "五千亿级", Group: "先进材料", NameZh: "先进材料", NameEn: "Advanced materials"},
				{Code: "K2", Tier: "万亿级", Group: "新一代电子信息制造业", NameZh: "新一代电子信息制造业", NameEn: "Electronics"},
			}},
		}
		if err := st.SyncClusters(ctx, cats); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, day, want string
		}{
			{"a day inside the first version", "2023-06-30", "cq-2021"},
			{"the first day of a version", "2024-01-01", "cq-2024"},
			{"the last day before a version", "2023-12-31", "cq-2021"},
			{"a later day keeps the latest version", "2030-01-01", "cq-2024"},
			{"a day before every version falls back to the earliest", "2019-05-01", "cq-2021"},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := st.ClustersAt(ctx, c.day)
				if err != nil {
					t.Fatal(err)
				}
				if got.ID != c.want {
					t.Fatalf("ClustersAt(%s) = %s, want %s", c.day, got.ID, c.want)
				}
				for _, want := range cats {
					if want.ID == c.want && !reflect.DeepEqual(got, want) {
						t.Fatalf("got %+v\nwant %+v (clusters in catalogue order)", got, want)
					}
				}
			})
		}
		t.Run("a new sync replaces the catalogues", func(t *testing.T) {
			if err := st.SyncClusters(ctx, cats[1:]); err != nil {
				t.Fatal(err)
			}
			got, err := st.ClustersAt(ctx, "2022-01-01")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != "cq-2024" || len(got.Clusters) != 3 {
				t.Fatalf("got %+v", got)
			}
			if n := countRows(t, st, "cluster"); n != 3 {
				t.Fatalf("%d clusters stored, want 3", n)
			}
		})
	})
}
