package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// TestExportImportRoundTripKeepsNames exports every import kind that has
// an export (enterprises, reports) in both formats and both languages and
// imports each file back: every row is unchanged. The names are the ones
// an export must protect against formula injection (=, +, -, @, their
// full-width forms) and the ones CSV must quote (commas, quotes,
// semicolons); the apostrophe SafeCell writes used to be imported as part
// of the name.
func TestExportImportRoundTripKeepsNames(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "rt.db")
	names := []string{
		"=重庆某某科技有限公司", "+86重庆某某电子有限公司", "-重庆某某机械有限公司", "@重庆某某材料有限公司",
		"＝重庆全角等号有限公司", `重庆"引号"有限公司`, "重庆,逗号;分号有限公司", "'重庆撇号有限公司",
	}
	var ent strings.Builder
	ent.WriteString("\ufeff统一社会信用代码,企业名称,所属区县,行业代码,成立日期,用地面积（亩）,年度,是否规上,从业人员,上年营业收入（万元）\n")
	var rep strings.Builder
	rep.WriteString("统一社会信用代码,报告期,工业总产值（万元）,工业增加值（万元）,营业收入（万元）,利润总额（万元）,研发费用（万元）,制造业投资完成额（万元）,税金总额（万元）,综合能耗（吨标准煤）,期末从业人员（人）\n")
	for i, n := range names {
		code := validCode(t, fmt.Sprintf("91500112MA%06d", 600000+i))
		fmt.Fprintf(&ent, "%s,%s,渝北区,3670,2015-06-18,12.5,2023,是,%d,%d.5\n", code, csvQuote(n), 100+i, 20000+i)
		fmt.Fprintf(&rep, "%s,2023-12,%d.123456,25000,1234.5,-12.5,0.000001,3000,4000,1000.123,%d\n", code, 100000+i, 800+i)
	}
	if code, out, errOut := run(t, "import", "--db", db, "--kind", "enterprises", writeFile(t, dir, "e.csv", ent.String())); code != 0 || !strings.Contains(out, fmt.Sprintf("%d inserted", len(names))) {
		t.Fatalf("import enterprises: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "import", "--db", db, "--kind", "reports", writeFile(t, dir, "r.csv", rep.String())); code != 0 {
		t.Fatalf("import reports: exit %d\n%s%s", code, out, errOut)
	}
	for _, kind := range []string{"enterprises", "reports"} {
		for _, format := range []string{"xlsx", "csv"} {
			for _, lang := range []string{"zh-CN", "en"} {
				p := filepath.Join(dir, kind+"-"+lang+"."+format)
				if code, _, errOut := run(t, "export", "--db", db, "--kind", kind, "--year", "2023", "--format", format, "--lang", lang, "-o", p); code != 0 {
					t.Fatalf("export %s: %s", p, errOut)
				}
				if kind == "enterprises" {
					checkNamesInFile(t, p, names)
				}
				code, out, errOut := run(t, "import", "--db", db, "--kind", kind, p)
				if want := fmt.Sprintf("0 inserted, 0 updated, %d unchanged", len(names)); code != 0 || !strings.Contains(out, want) {
					t.Errorf("re-import of %s: exit %d, want %q\n%s%s", filepath.Base(p), code, want, out, errOut)
				}
			}
		}
	}
}

// checkNamesInFile reads an export as an import would and finds every
// name exactly, in the name column.
func checkNamesInFile(t *testing.T, path string, names []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := tabular.Read(f, path, imports.ReadOptions("enterprises"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range s.Rows {
		got[r.Cells[1]] = true
	}
	for _, n := range names {
		if !got[n] {
			t.Errorf("%s: name %q not read back as written (%d rows)", filepath.Base(path), n, len(s.Rows))
		}
	}
}

func csvQuote(s string) string {
	if strings.ContainsAny(s, `",;`) {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
