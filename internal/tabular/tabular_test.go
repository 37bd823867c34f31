package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

const sampleCSV = "统一社会信用代码,企业名称,报告期,工业总产值（万元）\r\n" +
	"91500000MA5U7K0X3Q, 重庆长安汽车股份有限公司 ,2024-03,1234.56\r\n" +
	"\r\n" +
	",,,\r\n" +
	"915001127842347071,\"重庆\"\"某某\"\"科技有限公司\",2024年3月,-12.5\r\n"

func wantSample(t *testing.T, s *Sheet) {
	t.Helper()
	wantHeader := []string{"统一社会信用代码", "企业名称", "报告期", "工业总产值（万元）"}
	if !reflect.DeepEqual(s.Header, wantHeader) || s.HeaderLine != 1 {
		t.Fatalf("header %q line %d", s.Header, s.HeaderLine)
	}
	want := []Row{
		{2, []string{"91500000MA5U7K0X3Q", "重庆长安汽车股份有限公司", "2024-03", "1234.56"}},
		{5, []string{"915001127842347071", `重庆"某某"科技有限公司`, "2024年3月", "-12.5"}},
	}
	if !reflect.DeepEqual(s.Rows, want) {
		t.Fatalf("rows\n got %+v\nwant %+v", s.Rows, want)
	}
}

func TestReadCSVEncodings(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(sampleCSV, ",", "\t"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"utf8":       sampleCSV,
		"utf8-bom":   "\xEF\xBB\xBF" + sampleCSV,
		"gbk":        gbk,
		"utf16-tab":  utf16,
		"semicolons": strings.ReplaceAll(sampleCSV, ",", ";"),
		"lf-only":    strings.ReplaceAll(sampleCSV, "\r\n", "\n"),
	} {
		t.Run(name, func(t *testing.T) {
			if name == "gbk" && bytes.Equal([]byte(data), []byte(sampleCSV)) {
				t.Fatal("GBK encoding changed nothing")
			}
			s, err := Read(strings.NewReader(data), "upload.csv", DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			wantSample(t, s)
		})
	}
}

func TestReadCSVShape(t *testing.T) {
	in := "\n\n 　a ,b\n1\n\n2,3,4\n\"multi\nline\",x\n5,,\n"
	s, err := Read(strings.NewReader(in), "x.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.HeaderLine != 3 || !reflect.DeepEqual(s.Header, []string{"a", "b", ""}) {
		t.Fatalf("header %q at %d", s.Header, s.HeaderLine)
	}
	want := []Row{
		{4, []string{"1", "", ""}},
		{6, []string{"2", "3", "4"}},
		{7, []string{"multi\nline", "x", ""}},
		{9, []string{"5", "", ""}},
	}
	if !reflect.DeepEqual(s.Rows, want) {
		t.Fatalf("got %+v", s.Rows)
	}
}

func TestReadErrors(t *testing.T) {
	small := Options{MaxBytes: 100, MaxRows: 2, MaxCells: 50}
	tests := []struct {
		name, file, data string
		opts             Options
		want             error
	}{
		{"empty", "a.csv", "", Options{}, ErrEmpty},
		{"only blanks", "a.csv", "\n , ,\n\t\n", Options{}, ErrEmpty},
		{"too many rows", "a.csv", "h\n1\n2\n3\n", small, ErrTooManyRows},
		{"too large", "a.csv", strings.Repeat("x", 101), small, ErrTooLarge},
		{"too many cells", "a.csv", "h\n" + strings.Repeat(",", 60) + "x\n", small, ErrTooLarge},
		{"too wide", "a.csv", "h" + strings.Repeat(",", MaxColumns) + "\n", Options{}, ErrTooLarge},
		{"bad quote", "a.csv", "h\n\"open,x\nab\"c,\"", Options{}, ErrFormat},
		{"xlsx name, not zip", "a.xlsx", "h\n1\n", Options{}, ErrFormat},
		{"legacy xls", "a.csv", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", Options{}, ErrFormat},
		{"broken zip", "a.csv", "PK\x03\x04garbage", Options{}, ErrFormat},
		{"empty zip", "a.xlsx", "PK\x05\x06" + strings.Repeat("\x00", 18), Options{}, ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.data), tt.file, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// countingReader yields an endless stream and records how much was taken,
// proving the cap stops reading instead of buffering the whole upload.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestMaxBytesStopsReading(t *testing.T) {
	cr := &countingReader{}
	_, err := Read(cr, "big.csv", Options{MaxBytes: 1 << 20})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if cr.n > 2<<20 {
		t.Fatalf("read %d bytes for a 1 MiB cap", cr.n)
	}
}

func writeXLSX(t testing.TB, header []string, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "数据", header, rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXRoundTrip(t *testing.T) {
	header := []string{"统一社会信用代码", "企业名称", "行业代码", "值", "小数", "负数", "公式"}
	rows := [][]string{
		{"915001127842347071", "重庆某某科技有限公司", "0610", "1234.56", "0.1", "-12.5", "=HYPERLINK(\"http://x\")"},
		{"91500000MA5U7K0X3Q", "＝1+1", "3670", "100", "1.50", "-0.001", "@SUM(A1)"},
		{"", "", "", "", "", "", "+86 23 1234"},
	}
	data := writeXLSX(t, header, rows)
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		t.Fatal("not a zip")
	}
	// The name says CSV: detection must go by content.
	s, err := Read(bytes.NewReader(data), "renamed.csv", DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Header, header) || s.HeaderLine != 1 {
		t.Fatalf("header %q", s.Header)
	}
	// Read gives back what was written: the apostrophes SafeCell put in
	// the file (checked below) are not part of the values.
	want := []Row{
		{2, rows[0]},
		{3, rows[1]},
		{4, rows[2]},
	}
	if !reflect.DeepEqual(s.Rows, want) {
		t.Fatalf("rows\n got %+v\nwant %+v", s.Rows, want)
	}

	// Numbers were stored as numbers, leading-zero codes and 18 digits as text.
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, want := range map[string]string{"G2": `'=HYPERLINK("http://x")`, "B3": "'＝1+1", "G4": "'+86 23 1234"} {
		if got, _ := f.GetCellValue("数据", cell); got != want {
			t.Errorf("%s holds %q, want %q", cell, got, want)
		}
	}
	for cell, want := range map[string]excelize.CellType{
		"D2": excelize.CellTypeUnset, "E2": excelize.CellTypeUnset, "F2": excelize.CellTypeUnset, // numbers carry no t attribute
		"C2": excelize.CellTypeInlineString, "A2": excelize.CellTypeInlineString, "E3": excelize.CellTypeInlineString,
	} {
		got, err := f.GetCellType("数据", cell)
		if err != nil || got != want {
			t.Errorf("%s type %v, want %v (%v)", cell, got, want, err)
		}
	}
	panes, err := f.GetPanes("数据")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	style, _ := f.GetCellStyle("数据", "A1")
	st, err := f.GetStyle(style)
	if err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header not bold: %+v", st)
	}
}

// TestXLSXNumbersAsTyped writes cells the way other software does (binary
// floats, dates) and checks Read returns the text a user typed.
func TestXLSXNumbersAsTyped(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	set := func(cell string, v any) {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "h1")
	set("B1", "h2")
	set("A2", 1234.56)
	set("B2", 0.1)
	set("A3", 0.1+0.2)            // 0.30000000000000004
	set("B3", 1.2000000000000002) // stored with 17 digits
	set("A4", 1e-7)
	set("B4", int64(123456789012))
	set("A5", true)
	set("B5", time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC))
	set("A6", 1234.5599999999999) // same float as 1234.56
	set("B6", 1e21)
	fmtID := 4 // "#,##0.00": formatted reading would say "1,234.57"
	st, _ := f.NewStyle(&excelize.Style{NumFmt: fmtID})
	set("A7", 1234.567)
	_ = f.SetCellStyle("Sheet1", "A7", "A7", st)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	s, err := Read(&buf, "x.xlsx", DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"1234.56", "0.1"},
		{"0.3", "1.2"},
		{"0.0000001", "123456789012"},
		{"1", "44986"},
		{"1234.56", "1000000000000000000000"},
		{"1234.567", ""},
	}
	for i, w := range want {
		if !reflect.DeepEqual(s.Rows[i].Cells, w) {
			t.Errorf("row %d: %q want %q", s.Rows[i].Line, s.Rows[i].Cells, w)
		}
	}
}

func TestPlainNumber(t *testing.T) {
	for in, want := range map[string]string{
		"1234.5599999999999":     "1234.56",
		"1.2000000000000002":     "1.2",
		"0.30000000000000004":    "0.3",
		"-0.30000000000000004":   "-0.3",
		"1E-3":                   "0.001",
		"1E+21":                  "1000000000000000000000",
		"9150000012345678E9":     "9150000012345678E9", // a credit code, not a number
		"1E5":                    "1E5",
		"9.1500112784234701E+17": "915001127842347000",
		"915001127842347071":     "915001127842347071", // text digits keep every digit
		"12345678901234567890":   "12345678901234567890",
		"1234.56":                "1234.56",
		"abc.defghijklmnopq":     "abc.defghijklmnopq",
		"1E400":                  "1E400",
		"1E-400":                 "1E-400",
		"0.10000000000000000":    "0.1",
	} {
		if got := plainNumber(in); got != want {
			t.Errorf("plainNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestXLSXUnzipLimits(t *testing.T) {
	rows := make([][]string, 2000)
	for i := range rows {
		rows[i] = []string{"重庆某某科技有限公司", "500112", strings.Repeat("x", 40)}
	}
	data := writeXLSX(t, []string{"企业名称", "区县", "备注"}, rows)

	// A real workbook that unpacks past a tiny limit is refused.
	_, err := Read(bytes.NewReader(data), "a.xlsx", Options{UnzipSizeLimit: 4096, UnzipXMLSizeLimit: 1024})
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("tiny unzip limit: err = %v", err)
	}

	// A small XML limit only moves the sheet to a temp file.
	s, err := Read(bytes.NewReader(data), "a.xlsx", Options{UnzipXMLSizeLimit: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 2000 || s.Rows[1999].Line != 2001 {
		t.Fatalf("%d rows, last line %d", len(s.Rows), s.Rows[len(s.Rows)-1].Line)
	}

	if _, err := Read(bytes.NewReader(data), "a.xlsx", Options{MaxRows: 1999}); !errors.Is(err, ErrTooManyRows) {
		t.Fatalf("MaxRows: err = %v", err)
	}
	if _, err := Read(bytes.NewReader(data), "a.xlsx", Options{MaxBytes: int64(len(data) - 1)}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("MaxBytes: err = %v", err)
	}
}

func TestXLSXGapsAndRaggedRows(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetCellValue("Sheet1", "B3", "a")
	_ = f.SetCellValue("Sheet1", "C3", "b")
	_ = f.SetCellValue("Sheet1", "B5", " 1 ")
	_ = f.SetCellValue("Sheet1", "E7", "wide")
	_, _ = f.NewSheet("Second")
	_ = f.SetCellValue("Second", "A1", "ignored")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	s, err := Read(&buf, "x.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.HeaderLine != 3 || !reflect.DeepEqual(s.Header, []string{"", "a", "b", "", ""}) {
		t.Fatalf("header %q at %d", s.Header, s.HeaderLine)
	}
	want := []Row{{5, []string{"", "1", "", "", ""}}, {7, []string{"", "", "", "", "wide"}}}
	if !reflect.DeepEqual(s.Rows, want) {
		t.Fatalf("rows %+v", s.Rows)
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"重庆长安":               "重庆长安",
		"=1+1":               "'=1+1",
		"+1+1":               "'+1+1",
		"-1+1":               "'-1+1",
		"@SUM(A1:A9)":        "'@SUM(A1:A9)",
		"\t=1":               "'\t=1",
		"\r=1":               "'\r=1",
		"＝1+1":               "'＝1+1",
		"＋1":                 "'＋1",
		"－1":                 "'－1",
		"＠x":                 "'＠x",
		"-12.5":              "-12.5",
		"+3":                 "+3",
		"-.5":                "-.5",
		"-0":                 "-0",
		"-":                  "'-",
		"-1e5":               "'-1e5",
		"-1,234":             "'-1,234",
		"-12.":               "'-12.",
		"=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
		"1=1":                "1=1",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	err := WriteCSV(&buf, []string{"企业名称", "利润总额（万元）"}, [][]string{
		{"=HYPERLINK(\"http://evil\",\"点击\")", "-12.5"},
		{"重庆,某某", "100"},
	})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\xEF\xBB\xBF企业名称,利润总额（万元）\r\n") {
		t.Fatalf("no BOM/CRLF header: %q", out)
	}
	s, err := Read(strings.NewReader(out), "out.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The file carries the apostrophe; reading it back gives the value
	// exported, so an export imported back changes no name.
	if !strings.Contains(out, `'=HYPERLINK`) {
		t.Fatalf("formula not neutralised: %q", out)
	}
	want := []Row{
		{2, []string{`=HYPERLINK("http://evil","点击")`, "-12.5"}},
		{3, []string{"重庆,某某", "100"}},
	}
	if !reflect.DeepEqual(s.Rows, want) {
		t.Fatalf("rows %+v", s.Rows)
	}
}

func BenchmarkReadCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("统一社会信用代码,报告期,工业总产值,工业增加值,营业收入,利润总额,研发费用,投资,税金,能耗,从业人员\n")
	const n = 100_000
	for i := 0; i < n; i++ {
		sb.WriteString("915001127842347071,2024-03,12345.67,2345.6,12000.5,-35.2,120.33,800,450.1,1234.567,321\n")
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data), "b.csv", Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*11)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}

func BenchmarkReadXLSX(b *testing.B) {
	const n = 20_000
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{"915001127842347071", "2024-03", "12345.67", "2345.6", "12000.5", "-35.2", "120.33", "800", "450.1", "1234.567", "321"}
	}
	data := writeXLSX(b, []string{"统一社会信用代码", "报告期", "工业总产值", "工业增加值", "营业收入", "利润总额", "研发费用", "投资", "税金", "能耗", "从业人员"}, rows)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data), "b.xlsx", Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*11)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}

// plainCSVSeeds are quote-free files at the edges of splitPlain: CRLF and
// bare CR, empty and blank lines, no final line end, separators other
// than the comma (with a decimal comma), ragged rows, title rows, and
// text in GBK.
var plainCSVSeeds = []string{
	"a,b,c\r\n1,2,3\r\n",
	"a,b\n1,2",
	"a,b\r\n1,2\r",
	"a,b\r\r\n1\r,2\r\n",
	"\n\r\n标题\n\n代码,值\n\n 1 ,\u3000x\u3000\n,,\n2,3,4,5\n6\n",
	"a;b;c\n1;2,5;3\n",
	"a\tb\n1\t2\t3\n",
	"a,b\n,\n,\n",
	"only\n",
	"\r\n\r\n",
	"x,'=1+1,y\n1,2,3\n",
	"\xb4\xfa\xc2\xeb,\xd6\xb5\n1,2\n",
}

// comparePlainCSV fails when splitPlain and encoding/csv read data
// differently.
func comparePlainCSV(t *testing.T, data []byte) {
	t.Helper()
	opts := Options{MaxBytes: 1 << 20, MaxRows: 1000, MaxCells: 100_000}.withDefaults()
	plain, perr := parseCSV(data, opts, csvParse{})
	std, serr := parseCSV(data, opts, csvParse{standard: true})
	if fmt.Sprint(perr) != fmt.Sprint(serr) {
		t.Fatalf("%q: plain read fails with %v, encoding/csv with %v", data, perr, serr)
	}
	if !reflect.DeepEqual(plain, std) {
		t.Fatalf("%q: plain read\n%+v\nencoding/csv\n%+v", data, plain, std)
	}
}

// TestPlainCSVMatchesEncodingCSV: the seeds above and 3,000 random
// quote-free files of separators, line ends, spaces and text read the
// same through splitPlain as through encoding/csv.
func TestPlainCSVMatchesEncodingCSV(t *testing.T) {
	for _, s := range plainCSVSeeds {
		comparePlainCSV(t, []byte(s))
	}
	rng := rand.New(rand.NewPCG(7, 13))
	pieces := []string{",", ",", ";", "\t", "\n", "\n", "\r\n", "\r", " ", "\u3000", "1", "2.5", "-3", "1,5", "企业", "x", "'=A1", "\xef\xbb\xbf"}
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(60) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		comparePlainCSV(t, []byte(b.String()))
	}
}

// TestReadAllKeepsEveryByte: readAll returns what io.ReadAll would, up to
// its limit, whether the reader tells its length (an in-memory upload, a
// file) or not (a multipart part, read in growing chunks joined once),
// for sizes around the chunks' edges and above the limit.
func TestReadAllKeepsEveryByte(t *testing.T) {
	const limit = 300 << 10
	dir := t.TempDir()
	for _, n := range []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 192 << 10, limit - 1, limit, limit + 1, 2 * limit} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i*7 + i>>8)
		}
		want := data[:min(n, limit)]
		path := fmt.Sprintf("%s/f%d.csv", dir, n)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for name, r := range map[string]io.Reader{
			"known length": bytes.NewReader(data),
			"file":         f,
			"no length":    struct{ io.Reader }{bytes.NewReader(data)},
		} {
			got, err := readAll(r, limit)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s, %d bytes: got %d bytes (%v), want %d", name, n, len(got), err, len(want))
			}
		}
		f.Close()
	}
}
