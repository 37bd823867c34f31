package imports

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// TestReportFileLateErrorWritesNothing: a monthly report file is written
// while it is validated (sqlstore.StreamReports), so by the time a bad row
// near its end is found, thousands of rows are already in the write
// transaction. The file must still write nothing: a row error at the last
// line, and a year-to-date value that decreases (found only after the last
// row, when every row has been sent). A clean file of the same size is
// written in full. Each runs with the firms looked up by code and in the
// whole registry (Limits.KeyedFirmRows), and a district officer's file
// naming only another district's firms is refused with both.
func TestReportFileLateErrorWritesNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		const firms = 400 // × 11 months: more than one batch of rows
		codes := make([]string, firms)
		var ents []sqlstore.EnterpriseWithYear
		for i := range codes {
			codes[i] = testCode(t, "500101", 1000+i)
			ents = append(ents, sqlstore.EnterpriseWithYear{
				Enterprise: enterprise.Enterprise{CreditCode: codes[i], Name: fmt.Sprintf("重庆流式导入%04d有限公司", i), RegionCode: "500101", IndustryCode: "3670", Founded: time.Date(2012, 3, 1, 0, 0, 0, 0, time.UTC)},
				Year:       &enterprise.Year{Year: 2024, AboveScale: true, Size: enterprise.SizeSmall, Employees: 50, Revenue: 3000_0000_00},
			})
		}
		if _, err := e.st.UpsertEnterprises(ctx, ents); err != nil {
			t.Fatal(err)
		}
		header, _ := importer.ReportTemplate("zh-CN")
		rowsOf := func(k int) [][]string {
			var rows [][]string
			for i, code := range codes {
				for m := 2; m <= 12; m++ {
					row := []string{code, fmt.Sprintf("2024-%02d", m)}
					for range len(header) - 2 {
						row = append(row, fmt.Sprint((i%50+1)*(m-1)*10+k))
					}
					rows = append(rows, row)
				}
			}
			if len(rows) <= importer.RowBatch {
				t.Fatalf("%d rows: not more than one batch", len(rows))
			}
			return rows
		}
		count := func() (n int, sum int64) {
			t.Helper()
			var stored int64
			if err := e.raw.QueryRow(`SELECT COUNT(*), COALESCE(SUM(output), 0) FROM monthly_report`).Scan(&n, &stored); err != nil {
				t.Fatal(err)
			}
			if err := e.raw.QueryRow(`SELECT COALESCE(SUM(output), 0) FROM agg_month`).Scan(&sum); err != nil {
				t.Fatal(err)
			}
			return n, sum + stored
		}
		n0, sum0 := count()

		unknown := rowsOf(0)
		unknown[len(unknown)-1][0] = testCode(t, "500101", 9999) // not registered
		decreasing := rowsOf(0)
		// Firm 0's December output below its November output: found
		// only once the whole file has been read.
		decreasing[10][2] = "1"
		// The file's firms are found by their codes (a file up to
		// KeyedFirmRows rows) or in the whole registry's codes.
		keyed, whole := Limits{KeyedFirmRows: len(unknown)}, Limits{KeyedFirmRows: 1}
		for name, rows := range map[string][][]string{"unknown firm on the last row": unknown, "decreasing value": decreasing} {
			for _, l := range []Limits{keyed, whole} {
				sh, _ := file(t, "csv", header, rows)
				rep, res := e.runWith(t, l, importer.KindReports, auth.All(), sh)
				if rep.OK() || res != (sqlstore.UpsertResult{}) {
					t.Fatalf("%s, %+v: accepted (%d errors, %+v)", name, l, len(rep.Errors), res)
				}
				if got := keys(rep.Errors); name == "unknown firm on the last row" && (len(got) != 1 || got[0] != fmt.Sprintf("%d/%s", len(rows)+1, importer.KeyUnknownEnterprise)) {
					t.Errorf("%s, %+v: errors %v", name, l, got)
				}
				if n, sum := count(); n != n0 || sum != sum0 {
					t.Fatalf("%s: the refused file wrote reports: %d rows, output %d (was %d, %d)", name, n, sum, n0, sum0)
				}
			}
		}

		// Another district's officer: every firm is outside the scope,
		// so unknown, whichever lookup resolves them.
		for _, l := range []Limits{keyed, whole} {
			sh, _ := file(t, "csv", header, rowsOf(0))
			rep, res := e.runWith(t, l, importer.KindReports, auth.Scope{RegionCode: "500103"}, sh)
			if got := keys(rep.Errors); rep.OK() || res != (sqlstore.UpsertResult{}) || len(got) == 0 || got[0] != "2/"+importer.KeyUnknownEnterprise {
				t.Fatalf("another district's firms, %+v: %d errors (%.3v), %+v", l, len(got), got, res)
			}
			if n, sum := count(); n != n0 || sum != sum0 {
				t.Fatalf("another district's firms, %+v: written: %d rows, output %d", l, n, sum)
			}
		}

		good := rowsOf(0)
		sh, _ := file(t, "csv", header, good)
		rep, res := e.runWith(t, keyed, importer.KindReports, auth.All(), sh)
		if !rep.OK() || res.Inserted != len(good) {
			t.Fatalf("clean file: %v %+v", keys(rep.Errors), res)
		}
		n1, sum1 := count()
		if n1 != n0+len(good) || sum1 == sum0 {
			t.Fatalf("clean file: %d rows, output sum %d", n1, sum1)
		}
		again := rowsOf(1)
		sh, _ = file(t, "csv", header, again)
		rep, res = e.runWith(t, whole, importer.KindReports, auth.All(), sh)
		if !rep.OK() || res.Updated != len(again) {
			t.Fatalf("clean file, whole registry: %v %+v", keys(rep.Errors), res)
		}
		if n, sum := count(); n != n1 || sum == sum1 {
			t.Fatalf("clean file, whole registry: %d rows, output sum %d", n, sum)
		}
	})
}
