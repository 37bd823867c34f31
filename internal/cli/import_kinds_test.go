package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/tabular"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// writeTable writes header and rows as XLSX, or as a GBK CSV for a .csv
// name (the encoding Excel on a Chinese Windows uses).
func writeTable(t *testing.T, dir, name string, header []string, rows [][]string) string {
	t.Helper()
	var b bytes.Buffer
	if strings.HasSuffix(name, ".xlsx") {
		if err := tabular.WriteXLSX(&b, "data", header, rows); err != nil {
			t.Fatal(err)
		}
	} else {
		if err := tabular.WriteCSV(&b, header, rows); err != nil {
			t.Fatal(err)
		}
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(bytes.TrimPrefix(b.Bytes(), []byte("\xef\xbb\xbf")))
		if err != nil {
			t.Fatal(err)
		}
		b.Reset()
		b.Write(gbk)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportYearlyKinds imports the templates of the three yearly kinds
// with --check, for real, and again (nothing changes), and rejected files
// with exit code 1 and every error in the chosen language.
func TestImportYearlyKinds(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "cli.db")
	eh, ee := importer.EnterpriseTemplate("zh-CN")
	if code, out, errOut := run(t, "import", "--db", db, "--kind", "enterprises", writeTable(t, dir, "e.csv", eh, ee)); code != 0 {
		t.Fatalf("enterprises: exit %d\n%s%s", code, out, errOut)
	}
	for _, tc := range []struct {
		kind, file string
		records    string // inserted on the first import
	}{
		{importer.KindProfiles, "p.csv", "2"},
		{importer.KindMujunFacts, "m.xlsx", "2"},
		{importer.KindListing, "l.csv", "1"},
	} {
		h, rows, _ := importer.Template(tc.kind, "zh-CN")
		p := writeTable(t, dir, tc.file, h, rows)
		code, out, errOut := run(t, "import", "--db", db, "--kind", tc.kind, "--check", p)
		if code != 0 || !strings.Contains(out, "nothing written") || !strings.Contains(out, "would insert "+tc.records) {
			t.Fatalf("%s --check: exit %d\n%s%s", tc.kind, code, out, errOut)
		}
		code, out, errOut = run(t, "import", "--db", db, "--kind", tc.kind, p)
		if code != 0 || !strings.Contains(out, tc.records+" inserted, 0 updated, 0 unchanged") {
			t.Fatalf("%s: exit %d\n%s%s", tc.kind, code, out, errOut)
		}
		code, out, errOut = run(t, "import", "--db", db, "--kind", tc.kind, p)
		if code != 0 || !strings.Contains(out, "0 inserted, 0 updated, "+tc.records+" unchanged") {
			t.Fatalf("%s again: exit %d\n%s%s", tc.kind, code, out, errOut)
		}
	}

	// A listing file whose second event skips the pipeline, and a profile
	// file with two bad cells on one row.
	lh, lrows, _ := importer.Template(importer.KindListing, "zh-CN")
	other := ee[1][0]
	badListing := writeTable(t, dir, "bad-l.csv", lh, [][]string{
		{other, "上市后备库", "2023-01-05", "", "", "", "", "", ""},
		{other, "上市", "2023-09-01", "", "", "创业板", "IPO", "30000", ""},
	})
	code, out, errOut := run(t, "import", "--db", db, "--kind", "listing", badListing)
	if code != 1 || out != "" || !strings.Contains(errOut, "第3行") || !strings.Contains(errOut, "不能从“上市后备库”直接进入“上市”") ||
		!strings.Contains(errOut, "nothing was written") {
		t.Errorf("bad listing: exit %d\n%s%s", code, out, errOut)
	}
	ph, _, _ := importer.Template(importer.KindProfiles, "en")
	row := make([]string, len(ph))
	row[0], row[1], row[8] = lrows[0][0], "2024", "120" // debt ratio 120 %
	row[22] = "7"                                       // digital level
	code, _, errOut = run(t, "import", "--db", db, "--kind", "profiles", "--lang", "en", writeTable(t, dir, "bad-p.xlsx", ph, [][]string{row}))
	if code != 1 || strings.Count(errOut, "row 2") != 2 || !strings.Contains(errOut, "a percentage must be between 0 and 100") ||
		!strings.Contains(errOut, "the digital level must be 1 to 4") {
		t.Errorf("bad profile: exit %d\n%s", code, errOut)
	}
	// Not a spreadsheet: a file problem, exit 1.
	junk := filepath.Join(dir, "junk.xlsx")
	if err := os.WriteFile(junk, []byte("PK\x03\x04 not really a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, "import", "--db", db, "--kind", "mujun-facts", junk); code != 1 || !strings.Contains(errOut, "无法读取文件") {
		t.Errorf("junk file: exit %d\n%s", code, errOut)
	}
	// After the rejections the stored data is what the templates wrote.
	for _, kind := range []string{importer.KindProfiles, importer.KindListing} {
		h, rows, _ := importer.Template(kind, "zh-CN")
		code, out, errOut := run(t, "import", "--db", db, "--kind", kind, "--check", writeTable(t, dir, kind+"-again.csv", h, rows))
		if code != 0 || !strings.Contains(out, "would insert 0, update 0") {
			t.Errorf("%s after rejections: exit %d\n%s%s", kind, code, out, errOut)
		}
	}
	if code, _, _ := run(t, "import", "--db", db, "--kind", "awards", badListing); code != 2 {
		t.Errorf("unknown kind: exit %d, want 2", code)
	}
}
