package sqlstore

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/unit"
)

// TestListTotalsFollowWrites checks the enterprise list's totals, which
// come from the kept counts (enterprise_year_count) for district, size
// and above-scale filters, against a count of the firms the test wrote,
// after each of a random sequence of writes: new firms, moves between
// districts, changes of size and scale, new years; row by row and (on
// PostgreSQL) in bulk. It also recounts the table with the migration's
// backfill and expects the same rows.
func TestListTotalsFollowWrites(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedRegions(t, st)
		regions := []string{regionA, regionB, "500103", "500104"}
		sizes := []enterprise.Size{enterprise.SizeLarge, enterprise.SizeMedium, enterprise.SizeSmall, enterprise.SizeMicro}
		type yearRow struct {
			above bool
			size  enterprise.Size
		}
		type firm struct {
			region string
			years  map[int]yearRow
			titled bool // holds an innovative-SME title granted in 2024
		}
		firms := map[string]*firm{} // by credit code: what the test wrote
		rng := rand.New(rand.NewPCG(7, 43))
		row := func(code string, f *firm, year int) EnterpriseWithYear {
			y := f.years[year]
			return EnterpriseWithYear{
				Enterprise: enterprise.Enterprise{CreditCode: code, Name: "测试企业" + code, RegionCode: f.region, IndustryCode: "3011", Founded: day("2010-01-01")},
				Year:       &enterprise.Year{Year: year, AboveScale: y.above, Size: y.size, Employees: 10, Revenue: unit.Fen(rng.IntN(1000)+1) * unit.Wan},
			}
		}
		want := func(sc auth.Scope, year int, region string, size enterprise.Size, above *bool) int {
			n := 0
			for _, f := range firms {
				y, ok := f.years[year]
				if !ok || (sc.RegionCode != "" && f.region != sc.RegionCode) || (region != "" && f.region != region) ||
					(size != "" && y.size != size) || (above != nil && y.above != *above) {
					continue
				}
				n++
			}
			return n
		}
		tr, fa := true, false
		check := func(t *testing.T, step string) {
			t.Helper()
			// The yearly rows and the titles carry their firm's district.
			var stray int
			if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprise_year ey JOIN enterprise e ON e.id = ey.enterprise_id WHERE ey.region_code <> e.region_code`).Scan(&stray); err != nil || stray != 0 {
				t.Fatalf("%s: %d yearly rows in another district than their firm (%v)", step, stray, err)
			}
			if err := st.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM title t JOIN enterprise e ON e.id = t.enterprise_id WHERE t.region_code <> e.region_code`).Scan(&stray); err != nil || stray != 0 {
				t.Fatalf("%s: %d titles in another district than their firm (%v)", step, stray, err)
			}
			// The per-district title counts against the firms' districts
			// as the test moved them.
			for _, sc := range []auth.Scope{auth.All(), auth.Region(regionB)} {
				kinds := []enterprise.TitleKind{enterprise.TitleInnovativeSME}
				grantedByKind, err := st.TitlesGrantedByRegion(ctx, sc, kinds, "2024-01-01", "2024-12-31")
				if err != nil {
					t.Fatal(err)
				}
				heldByKind, err := st.TitlesHeldByRegion(ctx, sc, kinds, "2024-12-31")
				if err != nil {
					t.Fatal(err)
				}
				granted, held := grantedByKind[enterprise.TitleInnovativeSME], heldByKind[enterprise.TitleInnovativeSME]
				wantGranted, wantHeld := map[string]int{}, map[string]int{}
				for _, f := range firms {
					if f.titled && (sc.RegionCode == "" || f.region == sc.RegionCode) {
						wantGranted[f.region]++
						wantHeld[f.region]++
					}
				}
				if !maps.Equal(granted, wantGranted) || !maps.Equal(held, wantHeld) {
					t.Fatalf("%s: scope %v: titles granted by district %v, held %v; want %v", step, sc, granted, held, wantGranted)
				}
				n, err := st.CountTitlesGranted(ctx, sc, enterprise.TitleInnovativeSME, 2024)
				if err != nil {
					t.Fatal(err)
				}
				m, err := st.CountTitlesHeld(ctx, sc, enterprise.TitleInnovativeSME, "2024-12-31")
				if err != nil {
					t.Fatal(err)
				}
				total := 0
				for _, v := range wantGranted {
					total += v
				}
				if n != total || m != total {
					t.Fatalf("%s: scope %v: %d titles granted, %d held, want %d", step, sc, n, m, total)
				}
			}
			for _, region := range regions {
				page, err := st.ListEnterprises(ctx, auth.All(), EnterpriseFilter{Year: 2024, RegionCode: region, Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range page.Items {
					if f := firms[it.CreditCode]; f == nil || f.region != region {
						t.Fatalf("%s: %s listed in %s", step, it.CreditCode, region)
					}
				}
				if w := want(auth.All(), 2024, region, "", nil); len(page.Items) != w {
					t.Fatalf("%s: %d firms listed in %s, want %d", step, len(page.Items), region, w)
				}
			}
			for _, sc := range []auth.Scope{auth.All(), auth.Region(regionB)} {
				for _, year := range []int{2023, 2024} {
					for _, region := range append([]string{""}, regions...) {
						for _, size := range []enterprise.Size{"", enterprise.SizeSmall, enterprise.SizeMicro} {
							for _, above := range []*bool{nil, &tr, &fa} {
								page, err := st.ListEnterprises(ctx, sc, EnterpriseFilter{Year: year, RegionCode: region, Size: size, AboveScale: above, Limit: 1})
								if err != nil {
									t.Fatal(err)
								}
								if w := want(sc, year, region, size, above); page.Total != w {
									t.Fatalf("%s: scope %v, %d, district %q, size %q, above %v: total %d, want %d", step, sc, year, region, size, above, page.Total, w)
								}
							}
						}
					}
				}
			}
		}
		next := 0
		for step := range 12 {
			if st.engine == Postgres {
				st.bulkMin = []int{1, math.MaxInt}[step%2]
			}
			var rows []EnterpriseWithYear
			codes := make([]string, 0, len(firms))
			for c := range firms {
				codes = append(codes, c)
			}
			for range 3 + rng.IntN(6) {
				var code string
				switch k := rng.IntN(4); {
				case k == 0 || len(codes) == 0: // a new firm
					code = fmt.Sprintf("LISTCOUNT%05d", next)
					next++
					firms[code] = &firm{region: regions[rng.IntN(len(regions))], years: map[int]yearRow{}}
				default:
					code = codes[rng.IntN(len(codes))]
				}
				f := firms[code]
				if rng.IntN(3) == 0 {
					f.region = regions[rng.IntN(len(regions))] // a move (or the same district)
				}
				year := 2023 + rng.IntN(2)
				f.years[year] = yearRow{above: rng.IntN(2) == 0, size: sizes[rng.IntN(len(sizes))]}
				rows = append(rows, row(code, f, year))
			}
			if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
				t.Fatal(err)
			}
			// Titles for some firms, written before their next move.
			ids, err := st.EnterpriseIDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var titles []enterprise.Title
			for _, r := range rows[:1+rng.IntN(len(rows))] {
				f := firms[r.Enterprise.CreditCode]
				if !f.titled {
					f.titled = true
					titles = append(titles, enterprise.Title{EnterpriseID: ids[r.Enterprise.CreditCode], Kind: enterprise.TitleInnovativeSME, Level: enterprise.LevelNational,
						GrantedOn: day(fmt.Sprintf("2024-%02d-01", 1+rng.IntN(12)))})
				}
			}
			if err := st.PutTitles(ctx, titles); err != nil {
				t.Fatal(err)
			}
			check(t, fmt.Sprintf("step %d (%d rows, %d titles, bulk from %d)", step, len(rows), len(titles), st.bulkMin))
		}

		// The migration's backfill gives the rows the writes kept.
		kept := dumpRows(t, st, `SELECT year, region_code, above_scale, size, n FROM enterprise_year_count ORDER BY year, region_code, above_scale, size`)
		body, err := migrationFS.ReadFile("migrations/0043_list_counts.sql")
		if err != nil {
			t.Fatal(err)
		}
		var backfill string
		for _, stmt := range splitStatements(string(body)) {
			if strings.HasPrefix(strings.TrimSpace(stmt), "INSERT INTO enterprise_year_count") {
				backfill = stmt
			}
		}
		if backfill == "" {
			t.Fatal("no backfill of enterprise_year_count in the migration")
		}
		for _, q := range []string{`DELETE FROM enterprise_year_count`, backfill} {
			if _, err := st.write.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if got := dumpRows(t, st, `SELECT year, region_code, above_scale, size, n FROM enterprise_year_count ORDER BY year, region_code, above_scale, size`); got != kept {
			t.Fatalf("backfill:\n%s\nkept by the writes:\n%s", got, kept)
		}
	})
}

// dumpRows renders a query's rows as text, one line per row.
func dumpRows(t *testing.T, st *Store, q string) string {
	t.Helper()
	rows, err := st.read.QueryContext(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestMujunResultTotals checks the result list's totals in the city's
// scope, read from the counts kept with each run (mujun_result_count),
// against a count of the run's results for every combination of the
// list's filters, and the migration's backfill against the kept rows.
func TestMujunResultTotals(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		_, r1, r2 := mujunTwoRuns(t, st)
		for _, id := range []int64{r1, r2} {
			res, _, err := st.MujunRunResult(ctx, auth.All(), id)
			if err != nil {
				t.Fatal(err)
			}
			vals := map[string]map[string]bool{"region": {"": true, "none": true}, "park": {"": true}, "class": {"": true}, "grp": {"": true, "below_scale": true}}
			for _, e := range res.Enterprises {
				vals["region"][e.RegionCode], vals["park"][e.ParkCode], vals["class"][e.Class], vals["grp"][string(e.Group)] = true, true, true, true
			}
			combos := 0
			for region := range vals["region"] {
				for park := range vals["park"] {
					for class := range vals["class"] {
						for grp := range vals["grp"] {
							f := mujun.ResultFilter{RegionCode: region, ParkCode: park, Class: class, Group: mujun.Group(grp), Limit: 1}
							want := 0
							for _, e := range res.Enterprises {
								if (region == "" || e.RegionCode == region) && (park == "" || e.ParkCode == park) && (class == "" || e.Class == class) && (grp == "" || string(e.Group) == grp) {
									want++
								}
							}
							page, err := st.MujunResults(ctx, auth.All(), id, f)
							if err != nil {
								t.Fatal(err)
							}
							if page.Total != want {
								t.Fatalf("run %d, %+v: total %d, want %d", id, f, page.Total, want)
							}
							combos++
						}
					}
				}
			}
			if combos < 50 {
				t.Fatalf("only %d filter combinations: the fixture is too small to test anything", combos)
			}
		}

		kept := dumpRows(t, st, `SELECT run_id, region_code, park_code, grp, class, n FROM mujun_result_count ORDER BY run_id, region_code, park_code, grp, class`)
		if kept == "" {
			t.Fatal("no result counts kept")
		}
		body, err := migrationFS.ReadFile("migrations/0043_list_counts.sql")
		if err != nil {
			t.Fatal(err)
		}
		var backfill string
		for _, stmt := range splitStatements(string(body)) {
			if strings.HasPrefix(strings.TrimSpace(stmt), "INSERT INTO mujun_result_count") {
				backfill = stmt
			}
		}
		for _, q := range []string{`DELETE FROM mujun_result_count`, backfill} {
			if _, err := st.write.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if got := dumpRows(t, st, `SELECT run_id, region_code, park_code, grp, class, n FROM mujun_result_count ORDER BY run_id, region_code, park_code, grp, class`); got != kept {
			t.Fatalf("backfill:\n%s\nkept with the runs:\n%s", got, kept)
		}
	})
}

// TestMujunClassPartsIn checks that the class distribution read with the
// narrower parts of mujun.ClassPartsIn equals the one read with every
// part (mujun.ClassParts), in each kind of scope.
func TestMujunClassPartsIn(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		w, _, r2 := mujunTwoRuns(t, st)
		for _, sc := range []auth.Scope{auth.All(), auth.Region(regionA), auth.Region(regionB), auth.Enterprise(w.ids[1])} {
			full, _, err := st.MujunRunParts(ctx, sc, r2, mujun.ClassParts)
			if err != nil {
				t.Fatal(err)
			}
			narrow, _, err := st.MujunRunParts(ctx, sc, r2, mujun.ClassPartsIn(sc))
			if err != nil {
				t.Fatal(err)
			}
			want, got := mujun.ClassesIn(sc, &full), mujun.ClassesIn(sc, &narrow)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("scope %+v:\n got %+v\nwant %+v", sc, got, want)
			}
			if sc.IsAll() && len(want.Total) == 0 {
				t.Error("the city's distribution is empty: nothing compared")
			}
		}
	})
}

// TestMujunDiffMoveCounts checks the diff's move counts in the city's
// scope, summed from the counts kept with the changes (mujun_diff_move),
// against counting the changes themselves, for the whole city and each
// district, for a pair diffed at save time and one diffed on request; and
// the migration's backfill against the kept rows.
func TestMujunDiffMoveCounts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		_, r1, r2 := mujunTwoRuns(t, st)
		for _, pair := range [][2]int64{{r1, r2}, {r2, r1}} {
			changes, err := st.MujunDiff(ctx, auth.All(), pair[0], pair[1])
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) == 0 {
				t.Fatalf("%v: no changes, nothing to count", pair)
			}
			for _, region := range []string{"", regionA, regionB, "500103"} {
				want := map[string]int{}
				total := 0
				for _, c := range changes {
					if region == "" || c.RegionCode == region {
						want[c.OldClass+"→"+c.NewClass]++
						total++
					}
				}
				page, err := st.MujunDiffRows(ctx, auth.All(), pair[0], pair[1], mujun.DiffQuery{RegionCode: region, Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int{}
				for _, m := range page.Moves {
					got[m.OldClass+"→"+m.NewClass] += m.Firms
				}
				if !reflect.DeepEqual(got, want) || page.Total != total {
					t.Fatalf("%v, district %q: moves %v total %d, want %v total %d", pair, region, got, page.Total, want, total)
				}
			}
		}
		const q = `SELECT from_run, to_run, region_code, old_class, new_class, n FROM mujun_diff_move ORDER BY from_run, to_run, region_code, old_class, new_class`
		kept := dumpRows(t, st, q)
		body, err := migrationFS.ReadFile("migrations/0043_list_counts.sql")
		if err != nil {
			t.Fatal(err)
		}
		var backfill string
		for _, stmt := range splitStatements(string(body)) {
			if strings.HasPrefix(strings.TrimSpace(stmt), "INSERT INTO mujun_diff_move") {
				backfill = stmt
			}
		}
		for _, stmt := range []string{`DELETE FROM mujun_diff_move`, backfill} {
			if _, err := st.write.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		if got := dumpRows(t, st, q); got != kept {
			t.Fatalf("backfill:\n%s\nkept with the changes:\n%s", got, kept)
		}
	})
}
