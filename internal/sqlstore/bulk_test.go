package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/unit"
)

// tableRows returns a table's rows as sorted text, for comparing stores.
func tableRows(tb testing.TB, st *Store, q string) []string {
	tb.Helper()
	rows, err := st.read.QueryContext(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
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
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, fmt.Sprint(vals...))
	}
	slices.Sort(out)
	return out
}

// TestBulkWritesMatchRowByRow: the same sequence of enterprise, title and
// report writes goes into one store through the bulk path (COPY into
// staging tables on PostgreSQL, from the first row) and into another row
// by row. Counts, stored rows, ids, the name index and the summaries must
// agree, and the summaries must equal a full rebuild. The sequence repeats
// firms within a write (a later row renames a firm, a later year row
// replaces an earlier one), re-imports unchanged rows, moves firms between
// districts and fails a write midway. Without the sequential replay of
// repeated rows, or with a merge that drops the change filter, the counts
// or the rows differ.
func TestBulkWritesMatchRowByRow(t *testing.T) {
	for _, e := range testEngines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			bulk := e.open(t, Options{Now: tickingClock()})
			bulk.bulkMin = 1
			rowwise := e.open(t, Options{Now: tickingClock()})
			rowwise.bulkMin = math.MaxInt
			// The bulk store keeps the summaries by delta, the row-by-row
			// one rebuilds the years: both must agree.
			rowwise.deltaMax = 0
			stores := []*Store{bulk, rowwise}
			for _, st := range stores {
				mustMigrate(t, st)
				seedRegions(t, st)
			}
			const firms = 80
			years := []int{2022, 2023, 2024}
			firm := func(i int, region, name string) enterprise.Enterprise {
				return enterprise.Enterprise{CreditCode: fmt.Sprintf("BULK%08d", i), Name: name, RegionCode: region, IndustryCode: "3011", Founded: day("2012-03-04"), LandArea: unit.Mu100(100 + i)}
			}
			var rows []EnterpriseWithYear
			for i := range firms {
				for _, y := range years {
					rows = append(rows, EnterpriseWithYear{Enterprise: firm(i, regionA, fmt.Sprintf("重庆测试%03d制造有限公司", i)),
						Year: &enterprise.Year{Year: y, AboveScale: (i+y)%5 != 0, Size: enterprise.SizeSmall, Employees: 40 + i, Revenue: unit.Fen(3000+i) * unit.Wan}})
				}
			}
			// A later row renames firm 3; firm 4's 2023 status comes twice,
			// the second wins.
			rows = append(rows, EnterpriseWithYear{Enterprise: firm(3, regionA, "重庆改名三号机械有限公司")})
			rows = append(rows, EnterpriseWithYear{Enterprise: firm(4, regionA, "重庆测试004制造有限公司"),
				Year: &enterprise.Year{Year: 2023, AboveScale: false, Size: enterprise.SizeMicro, Employees: 5, Revenue: 100 * unit.Wan}})

			compare := func(step string, res []UpsertResult) {
				t.Helper()
				if len(res) == 2 && res[0] != res[1] {
					t.Fatalf("%s: bulk counted %+v, row by row %+v", step, res[0], res[1])
				}
				for _, q := range []string{
					`SELECT id, credit_code, name, region_code, industry_code, founded, land_mu100 FROM enterprise`,
					`SELECT * FROM enterprise_year`, `SELECT * FROM enterprise_gram`, `SELECT * FROM title`, `SELECT * FROM monthly_report`,
				} {
					a, b := tableRows(t, bulk, q), tableRows(t, rowwise, q)
					if !slices.Equal(a, b) {
						t.Fatalf("%s: %s differs: bulk %d rows, row by row %d rows", step, q, len(a), len(b))
					}
				}
				if a, b := summarySnapshot(t, bulk), summarySnapshot(t, rowwise); fmt.Sprint(a) != fmt.Sprint(b) {
					t.Fatalf("%s: summaries differ", step)
				}
				if len(summarySnapshot(t, bulk)["agg_month"]) == 0 && step != "enterprises" && step != "titles" {
					t.Fatalf("%s: no summaries", step)
				}
			}
			each := func(step string, fn func(st *Store) (UpsertResult, error)) {
				t.Helper()
				var res []UpsertResult
				for _, st := range stores {
					r, err := fn(st)
					if err != nil {
						t.Fatalf("%s: %v", step, err)
					}
					res = append(res, r)
				}
				compare(step, res)
			}
			each("enterprises", func(st *Store) (UpsertResult, error) { return st.UpsertEnterprises(ctx, rows) })
			if r, _ := bulk.UpsertEnterprises(ctx, rows[:3]); r.Unchanged != 3 {
				t.Fatalf("re-import: %+v, want 3 unchanged", r)
			}
			ids, err := bulk.EnterpriseIDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			idOf := func(i int) int64 { return ids[fmt.Sprintf("BULK%08d", i)] }

			var titles []enterprise.Title
			for i := 0; i < firms; i += 3 {
				kind := enterprise.TitleSpecialized
				if i%2 == 0 {
					kind = enterprise.TitleHighTech
				}
				titles = append(titles, enterprise.Title{EnterpriseID: idOf(i), Kind: kind, Level: enterprise.LevelProvincial, GrantedOn: day("2023-05-01")})
			}
			titles = append(titles, enterprise.Title{EnterpriseID: idOf(0), Kind: enterprise.TitleHighTech, Level: enterprise.LevelNational, GrantedOn: day("2023-05-01"), ValidUntil: day("2026-05-01")})
			each("titles", func(st *Store) (UpsertResult, error) { return UpsertResult{}, st.PutTitles(ctx, titles) })

			var reps []report.Monthly
			for i := range firms {
				for _, y := range years {
					for m := 2; m <= 12; m++ {
						reps = append(reps, report.Monthly{EnterpriseID: idOf(i), Period: report.Period{Year: y, Month: m}, Values: vals(int64(1000*i+100*(y-2020)+m), i%7 == 3)})
					}
				}
			}
			each("reports", func(st *Store) (UpsertResult, error) { return st.ImportReports(ctx, reps, WriteOptions{}) })
			// Re-import with every fifth row changed.
			again := slices.Clone(reps)
			for i := range again {
				if i%5 == 0 {
					again[i].Values[0] += 7
				}
			}
			each("reports again", func(st *Store) (UpsertResult, error) { return st.ImportReports(ctx, again, WriteOptions{}) })

			// Moves and status changes of existing firms.
			var moves []EnterpriseWithYear
			for i := 0; i < firms; i += 2 {
				region, name := regionA, fmt.Sprintf("重庆测试%03d制造有限公司", i)
				if i%4 == 0 {
					region = regionB
				}
				if i%6 == 0 {
					name = fmt.Sprintf("涪陵新名%03d科技有限公司", i)
				}
				moves = append(moves, EnterpriseWithYear{Enterprise: firm(i, region, name),
					Year: &enterprise.Year{Year: 2024, AboveScale: i%3 != 0, Size: enterprise.SizeMedium, Employees: 300, Revenue: 9000 * unit.Wan}})
			}
			each("moves", func(st *Store) (UpsertResult, error) { return st.UpsertEnterprises(ctx, moves) })

			// Profile facts: a key repeated within the write, then a second
			// write with one row in three changed.
			var facts []cultivation.YearFacts
			for i := range firms {
				for _, y := range []int{2023, 2024} {
					facts = append(facts, cultivation.YearFacts{EnterpriseID: idOf(i), Year: y, Facts: cultivation.Facts{DebtRatio: rules.Ptr(int64(1000 + i))}, Source: "test"})
				}
			}
			facts = append(facts, cultivation.YearFacts{EnterpriseID: idOf(5), Year: 2024, Facts: cultivation.Facts{DebtRatio: rules.Ptr(int64(4321))}, Source: "later"})
			each("profile facts", func(st *Store) (UpsertResult, error) { return st.PutProfileFacts(ctx, facts) })
			for i := range facts {
				if i%3 == 0 {
					facts[i].Facts.DebtRatio = rules.Ptr(*facts[i].Facts.DebtRatio + 1)
				}
			}
			each("profile facts again", func(st *Store) (UpsertResult, error) { return st.PutProfileFacts(ctx, facts) })
			if a, b := tableRows(t, bulk, `SELECT enterprise_id, year, facts, source FROM enterprise_profile`),
				tableRows(t, rowwise, `SELECT enterprise_id, year, facts, source FROM enterprise_profile`); !slices.Equal(a, b) || len(a) != 2*firms {
				t.Fatalf("profile facts differ: bulk %d rows, row by row %d", len(a), len(b))
			}
			if _, err := bulk.PutProfileFacts(ctx, append(slices.Clone(facts), cultivation.YearFacts{EnterpriseID: 999_999, Year: 2024})); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("unknown enterprise: %v, want not found", err)
			}

			// A write that fails on its last row leaves nothing behind.
			before := dbChecksum(t, bulk)
			bad := append(slices.Clone(moves), EnterpriseWithYear{Enterprise: firm(999, "999999", "不存在区县的企业有限公司")})
			if _, err := bulk.UpsertEnterprises(ctx, bad); err == nil {
				t.Fatal("a firm in an unknown district was accepted")
			}
			if after := dbChecksum(t, bulk); after != before {
				t.Fatalf("failed write changed the database:\n%s\n%s", before, after)
			}

			maintained := summarySnapshot(t, bulk)
			if err := bulk.RefreshAggregates(ctx, years); err != nil {
				t.Fatal(err)
			}
			if rebuilt := summarySnapshot(t, bulk); fmt.Sprint(maintained) != fmt.Sprint(rebuilt) {
				t.Fatal("summaries after bulk writes differ from a rebuild")
			}
		})
	}
}

// TestDeferredSummaries: report batches written with DeferSummaries leave
// the summaries alone (a large batch would rebuild, a small one add
// deltas), and one RefreshAggregates afterwards gives the summaries of the
// same rows written without deferral.
func TestDeferredSummaries(t *testing.T) {
	for _, e := range testEngines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			deferred, direct := e.open(t, Options{Now: tickingClock()}), e.open(t, Options{Now: tickingClock()})
			var ids []int64
			for _, st := range []*Store{deferred, direct} {
				mustMigrate(t, st)
				seedRegions(t, st)
				ids = seedFirms(t, st, "DEFER", 250, 2023, 2024)
			}
			big := monthRows(ids, 2023, 5)       // 2,750 rows: the rebuild (and COPY) path
			small := monthRows(ids[:9], 2024, 9) // 99 rows: the delta path
			for _, batch := range [][]report.Monthly{big, small} {
				if _, err := deferred.ImportReports(ctx, batch, WriteOptions{DeferSummaries: true}); err != nil {
					t.Fatal(err)
				}
				if _, err := direct.ImportReports(ctx, batch, WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if n := countRows(t, deferred, "agg_month"); n != 0 {
				t.Fatalf("deferred writes left %d summary rows", n)
			}
			if err := deferred.RefreshAggregates(ctx, []int{2023, 2024}); err != nil {
				t.Fatal(err)
			}
			a, b := summarySnapshot(t, deferred), summarySnapshot(t, direct)
			if len(a["agg_month"]) == 0 || fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("summaries after the deferred rebuild differ (%d and %d rows)", len(a["agg_month"]), len(b["agg_month"]))
			}
		})
	}
}

// TestReportCopyKeepsEveryBit: report values with every byte of the 64-bit
// word set, negative values, -1 and 0 come back as written, through the
// COPY straight into monthly_report (new keys) and through its staging
// table (stored keys), on PostgreSQL; SQLite writes the same rows by its
// insert path. A byte order, width or sign slip in the binary COPY
// encoding (pgcopy.go) changes a value; a field count or length slip fails
// the COPY.
func TestReportCopyKeepsEveryBit(t *testing.T) {
	for _, e := range testEngines(t) {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			st := e.open(t, Options{Now: tickingClock()})
			st.bulkMin = 1
			mustMigrate(t, st)
			seedRegions(t, st)
			var ents []EnterpriseWithYear
			for i := range 3 {
				ents = append(ents, EnterpriseWithYear{Enterprise: enterprise.Enterprise{CreditCode: fmt.Sprintf("COPY%08d", i), Name: fmt.Sprintf("重庆编码%03d有限公司", i),
					RegionCode: regionA, IndustryCode: "3011", Founded: day("2015-01-01")}})
			}
			if _, err := st.UpsertEnterprises(ctx, ents); err != nil {
				t.Fatal(err)
			}
			ids, err := st.EnterpriseIDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			word := int64(0x0102030405060708) // a different byte in each place
			pattern := func(seed int64) report.Values {
				var v report.Values
				for f := range v {
					switch f % 4 {
					case 0:
						v[f] = word + seed*int64(f+1)
					case 1:
						v[f] = -word - seed*int64(f+1)
					case 2:
						v[f] = -1 - seed
					default:
						v[f] = seed * 255
					}
				}
				return v
			}
			var reps []report.Monthly
			for i, ent := range ents {
				for _, p := range []report.Period{{Year: 2023, Month: 12}, {Year: 2024, Month: 2}, {Year: 2024, Month: 11}} {
					reps = append(reps, report.Monthly{EnterpriseID: ids[ent.Enterprise.CreditCode], Period: p, Values: pattern(int64(i*100 + p.Month))})
				}
			}
			want := func(reps []report.Monthly) []string {
				var out []string
				for _, r := range reps {
					args := []any{r.EnterpriseID, r.Period.Year, r.Period.Month}
					for _, v := range r.Values {
						args = append(args, v)
					}
					out = append(out, fmt.Sprint(args...))
				}
				slices.Sort(out)
				return out
			}
			read := func() []string {
				return tableRows(t, st, `SELECT enterprise_id, year, month, `+strings.Join(reportColumns, ", ")+` FROM monthly_report`)
			}
			if res, err := st.ImportReports(ctx, reps, WriteOptions{}); err != nil || res.Inserted != len(reps) {
				t.Fatalf("new keys: %+v %v", res, err)
			}
			if got := read(); !slices.Equal(got, want(reps)) {
				t.Fatalf("new keys read back:\n%v\nwant\n%v", got, want(reps))
			}
			// Stored keys, every value changed, and one new key: the stage.
			again := slices.Clone(reps)
			for i := range again {
				again[i].Values = pattern(int64(7000 + i))
			}
			again = append(again, report.Monthly{EnterpriseID: ids[ents[0].Enterprise.CreditCode], Period: report.Period{Year: 2024, Month: 3}, Values: pattern(-3)})
			if res, err := st.ImportReports(ctx, again, WriteOptions{DeferSummaries: true}); err != nil || res.Updated != len(reps) || res.Inserted != 1 {
				t.Fatalf("stored keys: %+v %v", res, err)
			}
			if got := read(); !slices.Equal(got, want(again)) {
				t.Fatalf("stored keys read back:\n%v\nwant\n%v", got, want(again))
			}
		})
	}
}

// TestReportCopyReaderChunks: the binary COPY stream is the same bytes
// whatever size the connection reads it in, across the encoder's 32 kB
// refills, and its length is the format's: a 19-byte header, 2 + field count and
// each field's length and bytes per row, and a 2-byte trailer.
func TestReportCopyReaderChunks(t *testing.T) {
	var reps []report.Monthly
	for i := range 1000 { // about 140 kB: several refills
		reps = append(reps, report.Monthly{EnterpriseID: int64(i + 1), Period: report.Period{Year: 2024, Month: 2 + i%11}, Values: vals(int64(i), i%2 == 0)})
	}
	whole, err := io.ReadAll(&reportCopyReader{reports: reps})
	if err != nil {
		t.Fatal(err)
	}
	perRow := 2 + (4 + 8) + 2*(4+4) + int(report.NumFields)*(4+8)
	if want := 19 + len(reps)*perRow + 2; len(whole) != want {
		t.Fatalf("stream is %d bytes, want %d", len(whole), want)
	}
	readIn := func(r io.Reader, size int) []byte {
		var got []byte
		buf := make([]byte, size)
		for {
			n, err := r.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				return got
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, size := range []int{1, 7, 4096, 1 << 20} {
		got := readIn(&reportCopyReader{reports: reps}, size)
		if !bytes.Equal(got, whole) {
			t.Fatalf("reads of %d bytes give a different stream (%d bytes, want %d)", size, len(got), len(whole))
		}
	}
	// An open COPY's reader (reportCopy) takes the same rows as batches
	// of any size, an empty one included, and ends when its source is
	// closed: the same bytes.
	for _, size := range []int{7, 4096, 1 << 20} {
		src := make(chan []report.Monthly)
		go func() {
			for start, n := 0, 1; start < len(reps); start, n = start+n, n*3 {
				src <- reps[start:min(start+n, len(reps))]
				if n == 9 {
					src <- nil
				}
			}
			close(src)
		}()
		got := readIn(&reportCopyReader{src: src, ctx: context.Background()}, size)
		if !bytes.Equal(got, whole) {
			t.Fatalf("batched reads of %d bytes give a different stream (%d bytes, want %d)", size, len(got), len(whole))
		}
	}
	// Aborted, it fails the read (and with it the COPY) instead of ending
	// the stream as if complete.
	abort := make(chan struct{})
	r := &reportCopyReader{src: make(chan []report.Monthly), abort: abort, ctx: context.Background()}
	close(abort)
	if _, err := io.ReadAll(r); !errors.Is(err, errCopyAborted) {
		t.Fatalf("aborted read: %v, want errCopyAborted", err)
	}
}
