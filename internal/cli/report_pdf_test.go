package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/pdfprint"
)

// The scoreboard printed as a PDF for a briefing (issue 12): a real PDF
// titled like the HTML report, and without chromium a clear message and
// no file.
func TestReportScoreboardPDF(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "cli.db")
	a := validCode(t, "91500112MA5U7K0X")
	header := "统一社会信用代码,企业名称,所属区县,行业代码,成立日期,用地面积（亩）,年度,是否规上,从业人员,上年营业收入（万元）\n"
	for _, y := range []int{2022, 2023} {
		p := writeFile(t, dir, fmt.Sprintf("e%d.csv", y), header+fmt.Sprintf("%s,重庆测试汽车有限公司,渝北区,3612,2010-05-01,120,%d,是,800,90000\n", a, y))
		if code, out, errOut := run(t, "import", "--db", db, "--kind", "enterprises", p); code != 0 {
			t.Fatalf("import enterprises: exit %d\n%s%s", code, out, errOut)
		}
	}
	rp := writeFile(t, dir, "r.csv", "统一社会信用代码,报告期,工业总产值（万元）,工业增加值（万元）,营业收入（万元）,利润总额（万元）,研发费用（万元）,制造业投资完成额（万元）,税金总额（万元）,综合能耗（吨标准煤）,期末从业人员（人）\n"+
		fmt.Sprintf("%s,2022-12,100000,25000,98000,5000,2000,3000,4000,1000,800\n", a)+
		fmt.Sprintf("%s,2023-12,110000,27000,105000,5200,2500,3500,4200,1100,820\n", a))
	if code, out, errOut := run(t, "import", "--db", db, "--kind", "reports", rp); code != 0 {
		t.Fatalf("import reports: exit %d\n%s%s", code, out, errOut)
	}

	// Without chromium: the reason and the way out, and no file.
	missing := filepath.Join(dir, "no-chromium")
	t.Setenv("IBRAIN_CHROMIUM", missing)
	out := filepath.Join(dir, "briefing.pdf")
	code, _, errOut := run(t, "report", "scoreboard", "--db", db, "--year", "2023", "--format", "pdf", "-o", out)
	if code == 0 || !strings.Contains(errOut, "chromium is not available") || !strings.Contains(errOut, missing) || !strings.Contains(errOut, "--format html") {
		t.Errorf("without chromium: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a PDF was written without chromium")
	}
	if code, _, _ := run(t, "report", "scoreboard", "--db", db, "--year", "2023", "--format", "pdf"); code != 2 {
		t.Errorf("pdf to standard output: exit %d, want a usage error", code)
	}

	t.Setenv("IBRAIN_CHROMIUM", "")
	if err := pdfprint.FromEnv().Available(); err != nil {
		if os.Getenv("IBRAIN_REQUIRE_BROWSER") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	if code, _, errOut := run(t, "report", "scoreboard", "--db", db, "--year", "2023", "--format", "pdf", "-o", out); code != 0 {
		t.Fatalf("report pdf: exit %d %s", code, errOut)
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	info := pdfprint.Inspect(pdf)
	if !strings.HasPrefix(string(pdf), "%PDF-") || info.Pages < 1 || info.Title != "2023重庆制造业“成绩单” · 2024“任务表”" {
		t.Errorf("PDF of %d bytes: %+v", len(pdf), info)
	}
}
