package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/unit"
)

func TestNameGrams(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"渝", nil},
		{"科技", []string{"科技"}},
		{"天地天地", []string{"天地", "地天"}},
		{"A科技", []string{"A科", "科技"}},
	} {
		if got := nameGrams(c.in); !slices.Equal(got, c.want) {
			t.Errorf("nameGrams(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for q, want := range map[string]bool{"科技": true, "涪陵榨菜": true, "2024": false, "科": false, "ma5u": false, "科技A": false, "": false} {
		if got := gramSearchable(q); got != want {
			t.Errorf("gramSearchable(%q) = %v, want %v", q, got, want)
		}
	}
}

// TestNameSearch checks that search through the bigram index finds exactly
// the names that contain the query, follows renames, and that the
// migration's SQL backfill writes the same bigrams as the Go code.
func TestNameSearch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedRegions(t, st)
		names := []string{"天地人地天有限公司", "重庆天地科技有限公司", "地天实业", "人和制造有限公司"}
		put := func(t *testing.T, names []string) {
			t.Helper()
			var rows []EnterpriseWithYear
			for i, n := range names {
				rows = append(rows, EnterpriseWithYear{
					Enterprise: enterprise.Enterprise{CreditCode: "TESTNAME" + string(rune('A'+i)), Name: n, RegionCode: regionA, IndustryCode: "3011", Founded: day("2010-01-01")},
					Year:       &enterprise.Year{Year: 2024, AboveScale: true, Size: enterprise.SizeSmall, Employees: 50, Revenue: unit.Fen(i+1) * unit.Wan},
				})
			}
			if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
				t.Fatal(err)
			}
		}
		search := func(t *testing.T, q string) []string {
			t.Helper()
			page, err := st.ListEnterprises(ctx, auth.All(), EnterpriseFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range page.Items {
				got = append(got, it.Name)
			}
			if page.Total != len(got) {
				t.Fatalf("%q: total %d, %d items", q, page.Total, len(got))
			}
			slices.Sort(got)
			return got
		}
		// The oracle: every stored name that contains q.
		oracle := func(names []string, q string) []string {
			var out []string
			for _, n := range names {
				if strings.Contains(n, q) {
					out = append(out, n)
				}
			}
			slices.Sort(out)
			return out
		}
		put(t, names)
		queries := []string{"天地", "地天", "天地天", "有限公司", "科技", "人地天有", "天", "不存在", "天地人地天有限公司"}
		for _, q := range queries {
			if got, want := search(t, q), oracle(names, q); !slices.Equal(got, want) {
				t.Errorf("search %q = %q, want %q", q, got, want)
			}
		}

		t.Run("a renamed firm is found by its new name only", func(t *testing.T) {
			renamed := slices.Clone(names)
			renamed[1] = "重庆星辰智造有限公司"
			put(t, renamed)
			for _, q := range []string{"天地", "星辰", "科技", "智造"} {
				if got, want := search(t, q), oracle(renamed, q); !slices.Equal(got, want) {
					t.Errorf("after rename, search %q = %q, want %q", q, got, want)
				}
			}
			names = renamed
		})

		t.Run("the migration backfill writes the same bigrams", func(t *testing.T) {
			want := gramRows(t, st)
			body, err := migrationFS.ReadFile("migrations/0007_name_search.sql")
			if err != nil {
				t.Fatal(err)
			}
			var backfill string
			for _, stmt := range splitStatements(string(body)) {
				if strings.Contains(stmt, "INSERT INTO enterprise_gram") {
					backfill = stmt
				}
			}
			if backfill == "" {
				t.Fatal("no backfill statement in the migration")
			}
			if _, err := st.write.ExecContext(ctx, `DELETE FROM enterprise_gram`); err != nil {
				t.Fatal(err)
			}
			if _, err := st.write.ExecContext(ctx, backfill); err != nil {
				t.Fatal(err)
			}
			if got := gramRows(t, st); !slices.Equal(got, want) {
				t.Fatalf("backfill wrote %q\nGo wrote %q", got, want)
			}
		})
	})
}

func gramRows(t *testing.T, st *Store) []string {
	t.Helper()
	rows, err := st.read.QueryContext(context.Background(), `SELECT gram, enterprise_id FROM enterprise_gram`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var g string
		var id int64
		if err := rows.Scan(&g, &id); err != nil {
			t.Fatal(err)
		}
		out = append(out, g+"#"+strings.Repeat("i", int(id)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestReportYears checks the loose index scan against the years the test
// wrote: none on an empty store, then every year with a report.
func TestReportYears(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		got, err := st.ReportYears(ctx)
		if err != nil || len(got) != 0 {
			t.Fatalf("empty store: %v, %v", got, err)
		}
		seedRegions(t, st)
		ids := seedFirms(t, st, "YEARS", 3, 2019, 2021, 2024)
		var reps = monthRows(ids[:1], 2019, 10)
		reps = append(reps, monthRows(ids[1:], 2021, 20)...)
		reps = append(reps, monthRows(ids[2:], 2024, 30)...)
		if _, err := st.UpsertReports(ctx, reps); err != nil {
			t.Fatal(err)
		}
		if got, err = st.ReportYears(ctx); err != nil || !slices.Equal(got, []int{2019, 2021, 2024}) {
			t.Fatalf("ReportYears = %v, %v; want [2019 2021 2024]", got, err)
		}
	})
}

// TestSearchByCreditCodePrefix: typing the start of a credit code finds
// the firm (a digits-only query matched names only, through the bigram
// index, and found nothing: issue 12).
func TestSearchByCreditCodePrefix(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		rows := []EnterpriseWithYear{
			{Enterprise: enterprise.Enterprise{CreditCode: "915001154000000017", Name: "重庆臻宝精密有限公司", RegionCode: regionA, IndustryCode: "3011", Founded: day("2010-01-01")},
				Year: &enterprise.Year{Year: 2024, AboveScale: true, Size: enterprise.SizeSmall, Employees: 50, Revenue: 3000 * unit.Wan}},
			{Enterprise: enterprise.Enterprise{CreditCode: "915002224000000021", Name: "重庆二零二四制造有限公司", RegionCode: regionA, IndustryCode: "3011", Founded: day("2010-01-01")},
				Year: &enterprise.Year{Year: 2024, AboveScale: true, Size: enterprise.SizeSmall, Employees: 50, Revenue: 3000 * unit.Wan}},
		}
		if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]string{"915001154": "重庆臻宝精密有限公司", "9150022": "重庆二零二四制造有限公司", "臻宝": "重庆臻宝精密有限公司"} {
			page, err := st.ListEnterprises(ctx, auth.All(), EnterpriseFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 1 || len(page.Items) != 1 || page.Items[0].Name != want {
				t.Errorf("search %q: %d found %+v, want %s", q, page.Total, page.Items, want)
			}
		}
	})
}

// TestSearchFindsFirmsWithoutStatistics: a registry firm without a
// statistics row for the year (重庆臻宝科技 in the listing pipeline) is found
// by name and by credit code, reported as having no year; a list without a
// query, or with a filter on the year's row, stays the year's population.
func TestSearchFindsFirmsWithoutStatistics(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		if _, err := st.UpsertEnterprises(ctx, []EnterpriseWithYear{
			{Enterprise: enterprise.Enterprise{CreditCode: "915001011000000011", Name: "重庆统计在册有限公司", RegionCode: regionA, IndustryCode: "3011", Founded: day("2010-01-01")},
				Year: &enterprise.Year{Year: 2024, AboveScale: true, Size: enterprise.SizeSmall, Employees: 50, Revenue: 3000 * unit.Wan}},
			{Enterprise: enterprise.Enterprise{CreditCode: "915001018000000022", Name: "重庆臻宝科技有限公司", RegionCode: regionA, IndustryCode: "3011", Founded: day("2012-01-01")}},
		}); err != nil {
			t.Fatal(err)
		}
		list := func(f EnterpriseFilter) EnterprisePage {
			t.Helper()
			f.Year = 2024
			page, err := st.ListEnterprises(ctx, auth.All(), f)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != len(page.Items) {
				t.Fatalf("%+v: total %d, %d items", f, page.Total, len(page.Items))
			}
			return page
		}
		for _, q := range []string{"臻宝", "915001018"} {
			if p := list(EnterpriseFilter{Query: q}); p.Total != 1 || p.Items[0].Name != "重庆臻宝科技有限公司" || p.Items[0].Year != 0 {
				t.Errorf("search %q: %+v", q, p.Items)
			}
		}
		if p := list(EnterpriseFilter{Query: "重庆"}); p.Total != 2 || p.Items[0].Name != "重庆统计在册有限公司" {
			t.Errorf("search 重庆: the firm with statistics first, then the other: %+v", p.Items)
		}
		if p := list(EnterpriseFilter{}); p.Total != 1 {
			t.Errorf("the list without a query is the year's population: %+v", p.Items)
		}
		above := true
		if p := list(EnterpriseFilter{Query: "重庆", AboveScale: &above}); p.Total != 1 {
			t.Errorf("a filter on the year's row keeps to the population: %+v", p.Items)
		}
	})
}

// TestSearchPagesAndCappedCount pages through name searches and compares
// every page with the list's order worked out here: the firms with a
// statistics row for the year by revenue then name, then the registry
// firms without one by name. Counting stops at the filter's CountLimit
// (the whole page still comes, and TotalCapped says more may match), both
// when the matches are sorted and when the year is walked by revenue.
func TestSearchPagesAndCappedCount(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := t.Context()
		seedRegions(t, st)
		type firm struct {
			name     string
			revenue  int64
			reported bool
			small    bool
			region   string
		}
		var firms []firm
		var rows []EnterpriseWithYear
		words := []string{"星辰", "天地", "科技"}
		for i := range 60 {
			f := firm{name: fmt.Sprintf("重庆%s%02d有限公司", words[i%3], 59-i), revenue: int64(i*7%10) * int64(unit.Wan), reported: i%5 != 0, small: i%2 == 0, region: []string{regionA, regionB}[i%4/3]}
			firms = append(firms, f)
			r := EnterpriseWithYear{Enterprise: enterprise.Enterprise{CreditCode: fmt.Sprintf("PAGES%04d", i), Name: f.name, RegionCode: f.region, IndustryCode: "3011", Founded: day("2010-01-01")}}
			if f.reported {
				size := enterprise.SizeMedium
				if f.small {
					size = enterprise.SizeSmall
				}
				r.Year = &enterprise.Year{Year: 2024, AboveScale: true, Size: size, Employees: 50, Revenue: unit.Fen(f.revenue)}
			}
			rows = append(rows, r)
		}
		if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
			t.Fatal(err)
		}
		// want is every match in the list's order.
		want := func(q string, smallOnly bool, region string) []string {
			var rep, unrep []firm
			for _, f := range firms {
				switch {
				case !strings.Contains(f.name, q), region != "" && f.region != region:
				case f.reported && (!smallOnly || f.small):
					rep = append(rep, f)
				case !f.reported && !smallOnly:
					unrep = append(unrep, f)
				}
			}
			slices.SortFunc(rep, func(a, b firm) int {
				if a.revenue != b.revenue {
					return int(b.revenue - a.revenue)
				}
				return strings.Compare(a.name, b.name)
			})
			slices.SortFunc(unrep, func(a, b firm) int { return strings.Compare(a.name, b.name) })
			var out []string
			for _, f := range append(rep, unrep...) {
				out = append(out, f.name)
			}
			return out
		}
		// The city, a district's scope and the city with a district filter:
		// a two-character query in the city is counted from the index
		// alone, the others read each firm's district.
		scopes := []struct {
			sc     auth.Scope
			filter string
		}{{auth.All(), ""}, {auth.Region(regionB), ""}, {auth.All(), regionB}}
		for _, walk := range []int{districtWalkEntries, 0} { // a district's search from the bigram, then from the district's names
			st.districtWalk = walk
			for _, q := range []string{"重庆", "星辰", "重庆星", "庆科技0", "有限公司", "司"} {
				for i, smallOnly := range []bool{false, true, false, false} {
					sc := scopes[max(0, i-1)]
					region := sc.filter
					if !sc.sc.IsAll() {
						region = regionB
					}
					all := want(q, smallOnly, region)
					for _, countLimit := range []int{0, 5, 30} {
						for _, limit := range []int{7, 25} {
							for offset := 0; offset <= len(all)+limit; offset += limit {
								f := EnterpriseFilter{Query: q, Year: 2024, Limit: limit, Offset: offset, CountLimit: countLimit, RegionCode: sc.filter}
								if smallOnly {
									f.Size = enterprise.SizeSmall
								}
								page, err := st.ListEnterprises(ctx, sc.sc, f)
								if err != nil {
									t.Fatal(err)
								}
								var got []string
								for _, it := range page.Items {
									got = append(got, it.Name)
									if wantYear := slices.IndexFunc(firms, func(f firm) bool { return f.name == it.Name && f.reported }) >= 0; (it.Year == 2024) != wantYear {
										t.Errorf("%q: %s has year %d", q, it.Name, it.Year)
									}
								}
								wantPage := all[min(offset, len(all)):min(offset+limit, len(all))]
								if !slices.Equal(got, wantPage) {
									t.Errorf("%q small=%v region=%q count≤%d page %d+%d:\n got %q\nwant %q", q, smallOnly, region, countLimit, offset, limit, got, wantPage)
								}
								stop := max(countLimit, offset+limit+1)
								wantTotal, wantCapped := len(all), false
								if countLimit > 0 && len(all) >= stop {
									wantTotal, wantCapped = stop, true
								}
								if page.Total != wantTotal || page.TotalCapped != wantCapped {
									t.Errorf("%q small=%v region=%q count≤%d page %d+%d: total %d capped %v, want %d %v", q, smallOnly, region, countLimit, offset, limit, page.Total, page.TotalCapped, wantTotal, wantCapped)
								}
							}
						}
					}
				}
			}
		}
		// The walk starts from the rarest bigram: 庆星 (20 firms), not 重庆 (60).
		if g, n, err := st.rarestGram(ctx, nameGrams("重庆星"), selectiveList); err != nil || g != "庆星" || n != 20 {
			t.Errorf("rarestGram(重庆星) = %q %d, %v; want 庆星 20", g, n, err)
		}
	})
}
