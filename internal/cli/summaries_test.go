package cli

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestSummariesCheckAndRebuild: on a database written by imports, the
// check finds the summaries equal to a rebuild (exit 0); after a summary
// cell and a district rollup row are tampered with it names both tables
// and exits 1, without repairing them; rebuild repairs them, for the
// years asked, and the check is clean again. Bad --year values are usage
// errors.
func TestSummariesCheckAndRebuild(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sum.db")
	db := "sqlite:" + path
	a, b := importTwoFirms(t, dir, db)
	reports := "统一社会信用代码,报告期,工业总产值（万元）,工业增加值（万元）,营业收入（万元）,利润总额（万元）,研发费用（万元）,制造业投资完成额（万元）,税金总额（万元）,综合能耗（吨标准煤）,期末从业人员（人）\n"
	for _, y := range []int{2022, 2023} {
		for m := 2; m <= 12; m++ {
			reports += fmt.Sprintf("%s,%d-%02d,%d,%d,%d,100,50,0,200,300,800\n", a, y, m, 9000*m+y, 2000*m, 8800*m) +
				fmt.Sprintf("%s,%d-%02d,%d,%d,%d,10,5,0,20,30,150\n", b, y, m, 500*m+y, 120*m, 490*m)
		}
	}
	if code, out, errOut := run(t, "import", "--db", db, "--kind", "reports", writeFile(t, dir, "r.csv", reports)); code != 0 || !strings.Contains(out, "44 inserted") {
		t.Fatalf("import reports: exit %d\n%s%s", code, out, errOut)
	}

	code, out, errOut := run(t, "summaries", "check", "--db", db)
	if code != 0 || !strings.Contains(out, "2022, 2023") || !strings.Contains(out, "summaries equal a rebuild") {
		t.Fatalf("check of imported data: exit %d\n%s%s", code, out, errOut)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE agg_month SET output = output + 1 WHERE year = 2023 AND month = 5 AND region_code = '500112'`,
		`DELETE FROM agg_region WHERE year = 2022 AND month = 7 AND region_code = '500101'`,
	} {
		if res, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s touched no row", q)
		}
	}
	row := func(out, table string) []string {
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) == 5 && f[0] == table {
				return f[1:]
			}
		}
		t.Fatalf("no %s line in %q", table, out)
		return nil
	}
	for range 2 { // the check repairs nothing
		code, out, errOut = run(t, "summaries", "check", "--db", db)
		if code != 1 || !strings.Contains(errOut, "2 table(s)") {
			t.Fatalf("check of tampered summaries: exit %d\n%s%s", code, out, errOut)
		}
		if f := row(out, "agg_month"); f[2] != "1" || f[3] != "1" {
			t.Fatalf("agg_month line %v, want 1 stale and 1 missing", f)
		}
		if f := row(out, "agg_region"); f[2] != "0" || f[3] != "1" {
			t.Fatalf("agg_region line %v, want 0 stale and 1 missing", f)
		}
		if f := row(out, "agg_city"); f[2] != "0" || f[3] != "0" {
			t.Fatalf("agg_city line %v, want no drift", f)
		}
	}
	// Rebuilding 2023 alone leaves 2022's deleted row missing.
	if code, out, errOut = run(t, "summaries", "rebuild", "--db", db, "--year", "2023"); code != 0 || !strings.Contains(out, "rebuilt the summaries of 2023 ") {
		t.Fatalf("rebuild 2023: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ = run(t, "summaries", "check", "--db", db); code != 1 || row(out, "agg_month")[2] != "0" || row(out, "agg_region")[3] != "1" {
		t.Fatalf("after rebuilding 2023: exit %d\n%s", code, out)
	}
	if code, out, errOut = run(t, "summaries", "rebuild", "--db", db); code != 0 || !strings.Contains(out, "2022, 2023") {
		t.Fatalf("rebuild: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut = run(t, "summaries", "check", "--db", db, "--year", "2022,2023"); code != 0 || !strings.Contains(out, "summaries equal a rebuild") {
		t.Fatalf("check after rebuild: exit %d\n%s%s", code, out, errOut)
	}

	for _, args := range [][]string{{"summaries"}, {"summaries", "fix"}, {"summaries", "check", "--db", db, "--year", "twenty"}, {"summaries", "rebuild", "--db", db, "--year", "1900"}} {
		if code, _, errOut := run(t, args...); code != 2 || !strings.Contains(errOut, "usage") {
			t.Errorf("%v: exit %d %q, want a usage error", args, code, errOut)
		}
	}
}
