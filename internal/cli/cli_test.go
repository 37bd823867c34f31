package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/testkit"
)

// TestMain removes the databases testkit built once for the tests.
func TestMain(m *testing.M) { testkit.Main(m) }

// run executes the command line in-process and returns its exit code and
// output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, IO{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

func validCode(t *testing.T, body string) string {
	t.Helper()
	org, ok := creditcode.OrgCheckChar(body[8:16])
	if !ok {
		t.Fatalf("bad org body %s", body)
	}
	c, err := creditcode.CheckChar(body + string(org))
	if err != nil {
		t.Fatal(err)
	}
	return body + string(org) + string(c)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelpAndUsage(t *testing.T) {
	if code, out, _ := run(t, "help"); code != 0 || !strings.Contains(out, "serve") || !strings.Contains(out, "IBRAIN_DB") {
		t.Fatalf("help: %d %q", code, out)
	}
	for _, c := range commands() {
		if c.name == "user" || c.name == "report" {
			continue // these take a subcommand first
		}
		if code, _, errOut := run(t, c.name, "-h"); code != 0 || !strings.Contains(errOut, "Usage: ibrain "+c.name) {
			t.Errorf("%s -h: exit %d, %q", c.name, code, errOut)
		}
	}
	if code, _, _ := run(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
	if code, _, _ := run(t, "import", "--kind", "nonsense", "x.csv"); code != 2 {
		t.Errorf("bad flag value exit %d, want 2", code)
	}
}

// importTwoFirms imports two above-scale firms (渝北区 and 万州区) for
// 2022 and 2023 into db through the command, and returns their codes.
func importTwoFirms(t *testing.T, dir, db string) (a, b string) {
	t.Helper()
	a, b = validCode(t, "91500112MA5U7K0X"), validCode(t, "91500101MA60W2K1")
	header := "统一社会信用代码,企业名称,所属区县,行业代码,成立日期,用地面积（亩）,年度,是否规上,从业人员,上年营业收入（万元）\n"
	for _, y := range []int{2022, 2023} {
		p := writeFile(t, dir, fmt.Sprintf("e%d.csv", y), header+
			fmt.Sprintf("%s,重庆测试汽车有限公司,渝北区,3612,2010-05-01,120,%d,是,800,90000\n", a, y)+
			fmt.Sprintf("%s,重庆测试电子有限公司,万州区,3982,2012-03-01,40.5,%d,是,150,6000\n", b, y))
		if code, out, errOut := run(t, "import", "--db", db, "--kind", "enterprises", p); code != 0 {
			t.Fatalf("import enterprises %d: exit %d\n%s%s", y, code, out, errOut)
		}
	}
	return a, b
}

func TestImportReportExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "cli.db")
	a, b := importTwoFirms(t, dir, db)
	reports := "统一社会信用代码,报告期,工业总产值（万元）,工业增加值（万元）,营业收入（万元）,利润总额（万元）,研发费用（万元）,制造业投资完成额（万元）,税金总额（万元）,综合能耗（吨标准煤）,期末从业人员（人）\n" +
		fmt.Sprintf("%s,2022-12,100000,25000,98000,5000,2000,3000,4000,1000,800\n", a) +
		fmt.Sprintf("%s,2022-12,5000,1200,4900,100,50,0,200,300,150\n", b) +
		fmt.Sprintf("%s,2023-12,110000,27000,105000,5200,2500,3500,4200,1100,820\n", a) +
		fmt.Sprintf("%s,2023-12,6000,1500,5800,150,60,10,220,310,155\n", b)
	rp := writeFile(t, dir, "r.csv", reports)
	code, out, errOut := run(t, "import", "--db", db, "--kind", "reports", rp)
	if code != 0 || !strings.Contains(out, "4 inserted") {
		t.Fatalf("import reports: exit %d\n%s%s", code, out, errOut)
	}
	// The same file again changes nothing.
	if code, out, _ = run(t, "import", "--db", db, "--kind", "reports", rp); code != 0 || !strings.Contains(out, "0 inserted, 0 updated, 4 unchanged") {
		t.Fatalf("second import: exit %d %q", code, out)
	}

	code, out, errOut = run(t, "report", "scoreboard", "--db", db, "--year", "2023", "--format", "json")
	if code != 0 {
		t.Fatalf("report: exit %d %s", code, errOut)
	}
	var doc struct {
		Results []struct {
			Code   string   `json:"code"`
			Value  *float64 `json:"value"`
			YoYPct *float64 `json:"yoy_pct"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, out)
	}
	got := map[string]float64{}
	for _, r := range doc.Results {
		if r.Value != nil {
			got[r.Code] = *r.Value
		}
		if r.Code == "IND_OUTPUT" && (r.YoYPct == nil || math.Abs(*r.YoYPct-(116000.0/105000-1)*100) > 1e-9) {
			t.Errorf("output yoy %v", r.YoYPct)
		}
	}
	// 110000 + 6000 万元 = 11.6 亿元.
	if math.Abs(got["IND_OUTPUT"]-11.6) > 1e-9 {
		t.Errorf("IND_OUTPUT %v, want 11.6", got["IND_OUTPUT"])
	}
	// R&D intensity: (2500+60) / (105000+5800).
	if math.Abs(got["RD_INTENSITY"]-2560.0/110800*100) > 1e-9 {
		t.Errorf("RD_INTENSITY %v", got["RD_INTENSITY"])
	}

	// Export, then import the export: nothing changes.
	xp := filepath.Join(dir, "out.xlsx")
	if code, _, errOut := run(t, "export", "--db", db, "--kind", "reports", "--year", "2023", "-o", xp); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	if code, out, errOut := run(t, "import", "--db", db, "--kind", "reports", xp); code != 0 || !strings.Contains(out, "2 unchanged") {
		t.Fatalf("re-import of export: exit %d %s %s", code, out, errOut)
	}
	ep := filepath.Join(dir, "ent.csv")
	if code, _, errOut := run(t, "export", "--db", db, "--kind", "enterprises", "--year", "2023", "--format", "csv", "-o", ep); code != 0 {
		t.Fatalf("export enterprises: %s", errOut)
	}
	if code, out, errOut := run(t, "import", "--db", db, "--kind", "enterprises", ep); code != 0 || !strings.Contains(out, "2 unchanged") {
		t.Fatalf("re-import of enterprise export: exit %d %s %s", code, out, errOut)
	}
}

func TestImportInvalidWritesNothing(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "cli.db")
	good := validCode(t, "91500112MA5U7K0X")
	bad := good[:17] + "0"
	if bad == good {
		bad = good[:17] + "1"
	}
	p := writeFile(t, dir, "e.csv", "统一社会信用代码,企业名称,所属区县,行业代码,成立日期,用地面积（亩）\n"+
		good+",重庆好企业有限公司,渝北区,3612,2010-05-01,10\n"+
		bad+",重庆坏企业有限公司,成都市,9999,2010-13-01,-1\n")
	code, _, errOut := run(t, "import", "--db", db, "--kind", "enterprises", "--lang", "en", p)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, errOut)
	}
	for _, want := range []string{"nothing was written", "row 3"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error report lacks %q:\n%s", want, errOut)
		}
	}
	// Several problems on row 3, each reported.
	if n := strings.Count(errOut, "row 3"); n < 4 {
		t.Errorf("%d errors on row 3, want every problem (credit code, region, industry, date, area):\n%s", n, errOut)
	}
	// The valid first row was not written either.
	ep := filepath.Join(dir, "out.csv")
	if code, out, errOut := run(t, "export", "--db", db, "--kind", "enterprises", "--format", "csv", "-o", ep); code != 0 || !strings.Contains(out, ": 0 rows") {
		t.Fatalf("after a rejected import: exit %d %q %s", code, out, errOut)
	}
}
