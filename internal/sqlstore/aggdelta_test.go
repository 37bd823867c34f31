package sqlstore

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

// summarySnapshot returns every row of agg_month and of the rollups as
// text, in key order.
func summarySnapshot(tb testing.TB, st *Store) map[string][]string {
	tb.Helper()
	out := map[string][]string{"agg_month": aggSnapshot(tb, st)}
	for _, r := range rollups {
		rows, err := st.read.QueryContext(context.Background(), `SELECT * FROM `+r.table+` ORDER BY 1, 2, 3, 4, 5, 6`)
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				tb.Fatal(err)
			}
			out[r.table] = append(out[r.table], fmt.Sprint(vals...))
		}
		rows.Close()
		slices.Sort(out[r.table]) // rows are compared as sets
	}
	return out
}

// TestSummariesByDeltaMatchRebuild: after each step of a random sequence of
// report inserts and updates (small writes, maintained by delta, including
// a row and its year-later twin in one write), firms changing district,
// industry (cluster) or above-scale status, titles granted and catalogue
// changes (an industry code moved to another cluster in one year), the
// summaries equal a full rebuild of every year, on both engines. Without
// the delta step, or with a contribution in the wrong cell, it fails.
func TestSummariesByDeltaMatchRebuild(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "DELTA", 12, 2022, 2023, 2024)
		years := []int{2022, 2023, 2024}
		var imap []IndustryMapRow
		for _, y := range years {
			imap = append(imap, IndustryMapRow{y, "1311", "C", "", "", 0}, IndustryMapRow{y, "3011", "C", "C01", "支柱", 1}, IndustryMapRow{y, "3670", "C", "C02", "战略", 0})
		}
		if err := st.SyncIndustryMap(ctx, imap); err != nil {
			t.Fatal(err)
		}
		// Some firms are below scale some years, so units fall in no cell.
		var rows []EnterpriseWithYear
		for i := 0; i < 12; i += 4 {
			e := enterprise.Enterprise{CreditCode: fmt.Sprintf("DELTA%08d", i), Name: fmt.Sprintf("测试企业%05d有限公司", i), RegionCode: regionA, IndustryCode: "3011", Founded: day("2010-01-01")}
			rows = append(rows, EnterpriseWithYear{Enterprise: e, Year: &enterprise.Year{Year: 2023, AboveScale: false, Size: enterprise.SizeSmall, Employees: 20, Revenue: 1000 * unit.Wan}})
		}
		if _, err := st.UpsertEnterprises(ctx, rows); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, 11))
		value := func() report.Values {
			var v report.Values
			for i := range v {
				v[i] = rng.Int64N(1_000_000) * 100
			}
			return v
		}
		check := func(step string) {
			t.Helper()
			maintained := summarySnapshot(t, st)
			if err := st.RefreshAggregates(ctx, years); err != nil {
				t.Fatal(err)
			}
			rebuilt := summarySnapshot(t, st)
			for table, want := range rebuilt {
				if got := maintained[table]; !slices.Equal(got, want) {
					t.Fatalf("%s: %s maintained by delta differs from a rebuild:\n got %d rows %v\nwant %d rows %v", step, table, len(got), got, len(want), want)
				}
			}
		}
		check("seed")
		catalogueSteps := 0
		for step := range 40 {
			switch k := rng.IntN(10); {
			case k < 7: // a small report write: new rows and corrections
				seen := map[unitKey]bool{}
				var reps []report.Monthly
				for range 1 + rng.IntN(12) {
					r := report.Monthly{EnterpriseID: ids[rng.IntN(len(ids))], Period: report.Period{Year: years[rng.IntN(3)], Month: 2 + rng.IntN(11)}, Values: value()}
					k := mkUnit(r.EnterpriseID, r.Period.Year, r.Period.Month)
					if seen[k] {
						continue
					}
					seen[k] = true
					reps = append(reps, r)
					if rng.IntN(3) == 0 { // its twin a year later in the same write
						twin := r
						twin.Period.Year++
						twin.Values = value()
						if k2 := (mkUnit(twin.EnterpriseID, twin.Period.Year, twin.Period.Month)); twin.Period.Year <= 2024 && !seen[k2] {
							seen[k2] = true
							reps = append(reps, twin)
						}
					}
				}
				// Half the writes take the bulk path (COPY on
				// PostgreSQL) with the same delta.
				st.bulkMin = []int{1, math.MaxInt}[rng.IntN(2)]
				// Every other pair of steps reads the neighbouring rows
				// of a write of up to three months as whole periods, and
				// every other four first asks which periods hold rows.
				st.wholePeriod = []int{1, math.MaxInt}[step/2%2]
				st.storedCheck = []int{1, math.MaxInt}[step/4%2]
				// A stream reads its summary cells ahead (PostgreSQL)
				// every other step.
				st.cellsAheadRows = []int{0, math.MaxInt}[step%2]
				// A third go through a stream in batches of 1–3 rows,
				// so a row and its twin often fall in different
				// batches (the later batch's neighbour read finds the
				// earlier one's row, which is not "before the write").
				streamed := rng.IntN(3) == 0
				if streamed {
					rs := st.StreamReports(ctx, len(reps), WriteOptions{})
					for start := 0; start < len(reps); {
						end := min(start+1+rng.IntN(3), len(reps))
						rs.Send(reps[start:end])
						start = end
					}
					if _, err := rs.Commit(); err != nil {
						t.Fatal(err)
					}
				} else if _, err := st.UpsertReports(ctx, reps); err != nil {
					t.Fatal(err)
				}
				check(fmt.Sprintf("step %d: %d reports (bulk from %d, whole periods from %d, stored check from %d, streamed %v)", step, len(reps), st.bulkMin, st.wholePeriod, st.storedCheck, streamed))
			case k == 9 && rng.IntN(2) == 0: // a catalogue change: an industry code moves cluster in one year
				m := readIndustryMap(t, st)
				y, code := years[rng.IntN(3)], []string{"3011", "3670", "1311"}[rng.IntN(3)]
				moved := false
				for i, r := range m {
					if r.Year == y && r.IndustryCode == code {
						// Another cluster, or none.
						others := slices.DeleteFunc([]string{"C01", "C02", "C03", ""}, func(c string) bool { return c == r.ClusterCode })
						m[i].ClusterCode = others[rng.IntN(len(others))]
						m[i].Tier = map[string]string{"C01": "支柱", "C02": "战略", "C03": "新兴", "": ""}[m[i].ClusterCode]
						moved = true
					}
				}
				if !moved {
					t.Fatalf("step %d: industry %s has no mapping in %d", step, code, y)
				}
				if err := st.SyncIndustryMap(ctx, m); err != nil {
					t.Fatal(err)
				}
				catalogueSteps++
				check(fmt.Sprintf("step %d: catalogue: %s in %d", step, code, y))
			case k < 9: // a firm moves district, changes industry or scale status
				i := rng.IntN(len(ids))
				e := enterprise.Enterprise{CreditCode: fmt.Sprintf("DELTA%08d", i), Name: fmt.Sprintf("测试企业%05d有限公司", i), RegionCode: []string{regionA, regionB}[rng.IntN(2)],
					IndustryCode: []string{"3011", "3670", "1311"}[rng.IntN(3)], Founded: day("2010-01-01")}
				y := years[rng.IntN(3)]
				if _, err := st.UpsertEnterprises(ctx, []EnterpriseWithYear{{Enterprise: e, Year: &enterprise.Year{Year: y, AboveScale: rng.IntN(4) > 0, Size: enterprise.SizeSmall, Employees: 50, Revenue: 3000 * unit.Wan}}}); err != nil {
					t.Fatal(err)
				}
				check(fmt.Sprintf("step %d: reclassified", step))
			default: // a specialised title changes the cell of a firm's years
				granted := time.Date(years[rng.IntN(3)], time.March, 1, 0, 0, 0, 0, time.UTC)
				if err := st.PutTitles(ctx, []enterprise.Title{{EnterpriseID: ids[rng.IntN(len(ids))], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: granted}}); err != nil {
					t.Fatal(err)
				}
				check(fmt.Sprintf("step %d: title", step))
			}
		}
		if catalogueSteps == 0 {
			t.Fatal("the sequence changed no catalogue")
		}
	})
}

// readIndustryMap is the store's industry map.
func readIndustryMap(tb testing.TB, st *Store) []IndustryMapRow {
	tb.Helper()
	rows, err := st.read.QueryContext(context.Background(), `SELECT year, industry_code, section, cluster_code, tier, sei_domain FROM industry_map ORDER BY year, industry_code`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []IndustryMapRow
	for rows.Next() {
		var r IndustryMapRow
		if err := rows.Scan(&r.Year, &r.IndustryCode, &r.Section, &r.ClusterCode, &r.Tier, &r.SEIDomain); err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestUnitKeyPacking checks that a packed unit gives back its firm, year
// and month at the edges of what it holds, and that a write naming a firm
// beyond them is kept off the delta path.
func TestUnitKeyPacking(t *testing.T) {
	for _, c := range []struct {
		id          int64
		year, month int
	}{{1, 2000, 2}, {1<<46 - 1, 2101, 12}, {123456789, 1999, 7}} {
		u := mkUnit(c.id, c.year, c.month)
		if u.id() != c.id || u.year() != c.year || u.month() != c.month {
			t.Errorf("mkUnit(%d, %d, %d) reads back as (%d, %d, %d)", c.id, c.year, c.month, u.id(), u.year(), u.month())
		}
	}
	if mkUnit(5, 2024, 3) == mkUnit(5, 2023, 3) || mkUnit(5, 2024, 3) == mkUnit(6, 2024, 3) {
		t.Error("distinct units packed alike")
	}
	ok := []report.Monthly{{EnterpriseID: 1<<46 - 1}}
	big := []report.Monthly{{EnterpriseID: 1}, {EnterpriseID: 1 << 46}}
	if !packable(ok) || packable(big) {
		t.Errorf("packable: %v for the largest id, %v for one beyond", packable(ok), packable(big))
	}
}

// TestCheckAggregates: the operator's summary check finds no drift in
// summaries kept by delta, finds a cell with a changed figure (stale and
// missing both) and a rollup row deleted (missing) after they are
// tampered with, leaves them as they were (the rebuild is rolled back),
// and finds nothing once RefreshAggregates has repaired them; on both
// engines.
func TestCheckAggregates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		ids := seedFirms(t, st, "CHECK", 6, 2023, 2024)
		var reps []report.Monthly
		for i, id := range ids {
			for _, y := range []int{2023, 2024} {
				for m := 2; m <= 12; m++ {
					reps = append(reps, report.Monthly{EnterpriseID: id, Period: report.Period{Year: y, Month: m}, Values: vals(int64(100*i+10*(y-2020)+m), i == 2)})
				}
			}
		}
		if _, err := st.ImportReports(ctx, reps, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		years := []int{2023, 2024}
		drift := func() map[string]SummaryDrift {
			t.Helper()
			ds, err := st.CheckAggregates(ctx, years)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]SummaryDrift{}
			for _, d := range ds {
				out[d.Table] = d
			}
			if len(out) != 1+len(rollups) {
				t.Fatalf("checked %d tables, want %d: %+v", len(out), 1+len(rollups), ds)
			}
			return out
		}
		clean := func(step string) {
			t.Helper()
			for table, d := range drift() {
				if d.Stale != 0 || d.Missing != 0 || d.Rows == 0 || d.Rows != d.Rebuilt {
					t.Fatalf("%s: %s drift %+v, want none over some rows", step, table, d)
				}
			}
		}
		clean("kept by delta")

		before := summarySnapshot(t, st)
		if _, err := st.write.ExecContext(ctx, `UPDATE agg_month SET revenue = revenue + 1 WHERE year = 2024 AND month = 6`); err != nil {
			t.Fatal(err)
		}
		if _, err := st.write.ExecContext(ctx, `DELETE FROM agg_region WHERE year = 2023 AND month = 3`); err != nil {
			t.Fatal(err)
		}
		tampered := summarySnapshot(t, st)
		changedCells := 0
		for i, row := range before["agg_month"] {
			if tampered["agg_month"][i] != row {
				changedCells++
			}
		}
		lostRegions := len(before["agg_region"]) - len(tampered["agg_region"])
		if changedCells == 0 || lostRegions == 0 {
			t.Fatalf("tampering changed %d cells and deleted %d region rows", changedCells, lostRegions)
		}
		for range 2 { // the check repairs nothing: the second finds the same
			d := drift()
			if got := d["agg_month"]; got.Stale != changedCells || got.Missing != changedCells {
				t.Fatalf("agg_month drift %+v, want %d stale and missing", got, changedCells)
			}
			if got := d["agg_region"]; got.Stale != 0 || got.Missing != lostRegions || got.Rebuilt != got.Rows+lostRegions {
				t.Fatalf("agg_region drift %+v, want %d missing", got, lostRegions)
			}
			if got := d["agg_city"]; got.Stale != 0 || got.Missing != 0 {
				t.Fatalf("agg_city drift %+v, want none (it was not touched)", got)
			}
		}
		if fmt.Sprint(summarySnapshot(t, st)) != fmt.Sprint(tampered) {
			t.Fatal("the check changed the summaries")
		}
		if err := st.RefreshAggregates(ctx, years); err != nil {
			t.Fatal(err)
		}
		clean("rebuilt")
		if fmt.Sprint(summarySnapshot(t, st)) != fmt.Sprint(before) {
			t.Fatal("the rebuild did not restore the summaries kept by delta")
		}
	})
}
