package importer

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// known enterprises: code(n) has ID n.
func repOpts() ReportOptions {
	ids := map[string]int64{}
	for n := 1; n <= 20; n++ {
		ids[code(n, false)] = int64(n)
	}
	return ReportOptions{
		EnterpriseID: func(c string) (int64, bool) { id, ok := ids[c]; return id, ok },
		Today:        today,
	}
}

// Column positions in the report template: code, period, then the fields.
const (
	pCode   = 0
	pPeriod = 1
	pField  = 2 // + report.Field
)

func repRow(n int, period string, vals ...string) []string {
	row := []string{code(n, false), period, "100", "30", "90", "5", "2", "10", "4", "12.5", "50"}
	for i, v := range vals {
		row[pField+i] = v
	}
	return row
}

func TestReportsValid(t *testing.T) {
	header, _ := ReportTemplate("zh-CN")
	rows, rep := Reports(sheet(header,
		repRow(1, "2024-02", "1234.56", "300", "1000", "-12.5", "0.000001", "0", "1,000", "1234.567", "320"),
		repRow(1, "2024年3月", "2000", "400", "1500", "-20", "1", "0", "1500", "2000", "310"), // profit and employees may fall
		repRow(2, "45352"), // Excel serial of 2024-03-01
		repRow(3, "２０２４－０３", "１２３４．５６"), // full-width input mode
	), repOpts())
	render(t, rep)
	if !rep.OK() || len(rep.Warnings) != 0 || rep.Rows != 4 {
		t.Fatalf("errors %v warnings %v", keysOf(rep.Errors), keysOf(rep.Warnings))
	}
	want0 := report.Values{1_234_560_000, 300 * 1_000_000, 1000 * 1_000_000, -12_500_000, 1, 0, 1000 * 1_000_000, 1_234_567, 320}
	if rows[0].EnterpriseID != 1 || rows[0].Period != (report.Period{Year: 2024, Month: 2}) || rows[0].Values != want0 {
		t.Fatalf("row 0 %+v", rows[0])
	}
	if rows[2].EnterpriseID != 2 || rows[2].Period != (report.Period{Year: 2024, Month: 3}) {
		t.Fatalf("row 2 %+v", rows[2])
	}
	if rows[3].Period != (report.Period{Year: 2024, Month: 3}) || rows[3].Values[report.Output] != 1_234_560_000 {
		t.Fatalf("row 3 %+v", rows[3])
	}
}

// TestReportsAtTheBound accepts the largest value and thousands
// separators; the rejections just past them are in TestReportsRejections.
func TestReportsAtTheBound(t *testing.T) {
	header, _ := ReportTemplate("zh-CN")
	rows, rep := Reports(sheet(header,
		repRow(1, "2024-03", "100000000", "1,234,567.5", "100,000,000", "-100000000"),
	), repOpts())
	render(t, rep)
	if !rep.OK() || len(rows) != 1 {
		t.Fatalf("errors %v", keysOf(rep.Errors))
	}
	v := rows[0].Values
	if v[report.Output] != 100_000_000*1_000_000 || v[report.ValueAdded] != 1_234_567_500_000 || v[report.Revenue] != 100_000_000*1_000_000 || v[report.Profit] != -100_000_000*1_000_000 {
		t.Fatalf("values %v", v)
	}
}

func TestReportsHeaderForms(t *testing.T) {
	for _, header := range [][]string{
		{"credit_code", "period", "output", "value_added", "revenue", "profit", "rd_expense", "investment", "tax", "energy", "employees"},
		{"统一社会信用代码", "报告期", "工业总产值", "工业增加值", "营业收入", "利润总额", "研发费用", "制造业投资完成额", "税金总额", "综合能耗", "期末从业人员"},
		{"统一社会信用代码", "报告期", "工业总产值(万元)", "工业增加值 （万元）", "营业收入【单位：万元】", "利润总额（万元）", "研发费用（万元）", "制造业投资完成额（万元）", "税金总额（万元）", "综合能耗（吨标准煤）", "期末从业人员（人）"},
		{"Credit Code", "PERIOD", "Gross industrial output (¥10k)", "Industrial value added", "Operating revenue", "Total profit", "R&D expense", "Manufacturing investment", "Taxes paid", "Energy use (tce)", "Employees at period end (persons)"},
	} {
		// Reverse the columns: order must not matter.
		h := append([]string{"企业名称"}, header...)
		r := append([]string{"某公司"}, repRow(1, "2024-03")...)
		for i, j := 1, len(h)-1; i < j; i, j = i+1, j-1 {
			h[i], h[j] = h[j], h[i]
			r[i], r[j] = r[j], r[i]
		}
		rows, rep := Reports(sheet(h, r), repOpts())
		if !rep.OK() || len(rep.Warnings) != 0 || len(rows) != 1 || rows[0].Values[report.Output] != 100*1_000_000 {
			t.Errorf("%q: errors %v warnings %v", header, keysOf(rep.Errors), keysOf(rep.Warnings))
		}
	}
}

func TestReportsRejections(t *testing.T) {
	header, _ := ReportTemplate("zh-CN")
	h := func(i int) string { return header[i] }
	f := func(fld report.Field) int { return pField + int(fld) }
	tests := []struct {
		name   string
		header []string
		rows   [][]string
		line   int
		column string
		key    string
		args   []any
	}{
		{"missing column", without(header, f(report.Tax)), [][]string{without(repRow(1, "2024-03"), f(report.Tax))}, 1, "", KeyMissingColumn, []any{"税金总额（万元）", "Taxes paid (¥10k)"}},
		{"wrong unit", replace(header, f(report.Output), "工业总产值（亿元）"), [][]string{repRow(1, "2024-03")}, 1, "工业总产值（亿元）", KeyColumnUnit, []any{"万元", "¥10k"}},
		{"duplicate column", append(append([]string(nil), header...), "output"), [][]string{append(repRow(1, "2024-03"), "1")}, 1, "output", KeyDuplicateColumn, []any{h(f(report.Output))}},
		{"no data", header, nil, 1, "", KeyNoData, nil},
		{"empty code", header, [][]string{replace(repRow(1, "2024-03"), pCode, "")}, 2, h(pCode), KeyEmptyCell, nil},
		{"credit code checksum", header, [][]string{replace(repRow(1, "2024-03"), pCode, code(1, false)[:17]+"0")}, 2, h(pCode), KeyCreditCodeChecksum, nil},
		{"unknown enterprise", header, [][]string{repRow(99, "2024-03")}, 2, h(pCode), KeyUnknownEnterprise, nil},
		{"bad period", header, [][]string{repRow(1, "2024-13")}, 2, h(pPeriod), KeyBadPeriod, nil},
		{"january", header, [][]string{repRow(1, "2024-01")}, 2, h(pPeriod), KeyJanuary, nil},
		{"january serial", header, [][]string{repRow(1, "45292")}, 2, h(pPeriod), KeyJanuary, nil},
		{"future period", header, [][]string{repRow(1, "2025-05")}, 2, h(pPeriod), KeyPeriodFuture, nil},
		{"duplicate report", header, [][]string{repRow(1, "2024-03"), repRow(2, "2024-03"), repRow(1, "2024/3")}, 4, h(pCode), KeyDuplicateReport, []any{2}},
		{"empty value", header, [][]string{replace(repRow(1, "2024-03"), f(report.Energy), "")}, 2, h(f(report.Energy)), KeyEmptyCell, nil},
		{"bad number", header, [][]string{replace(repRow(1, "2024-03"), f(report.Revenue), "1e5")}, 2, h(f(report.Revenue)), KeyBadNumber, nil},
		{"negative", header, [][]string{replace(repRow(1, "2024-03"), f(report.Output), "-1")}, 2, h(f(report.Output)), KeyNegative, nil},
		{"too many decimals 万元", header, [][]string{replace(repRow(1, "2024-03"), f(report.Output), "1.0000001")}, 2, h(f(report.Output)), KeyTooManyDecimals, []any{6}},
		{"too many decimals tce", header, [][]string{replace(repRow(1, "2024-03"), f(report.Energy), "1.2345")}, 2, h(f(report.Energy)), KeyTooManyDecimals, []any{3}},
		{"fractional persons", header, [][]string{replace(repRow(1, "2024-03"), f(report.Employees), "10.5")}, 2, h(f(report.Employees)), KeyTooManyDecimals, []any{0}},
		{"out of range", header, [][]string{replace(repRow(1, "2024-03"), f(report.Tax), "99999999999999")}, 2, h(f(report.Tax)), KeyNumberRange, []any{int64(100_000_000)}},
		// Regression: 9223372036854.775807 万元 is exactly the int64 limit in
		// fen; it was stored and overflowed the totals (HTTP 500).
		{"int64 limit in fen", header, [][]string{replace(repRow(1, "2024-03"), f(report.Output), "9223372036854.775807")}, 2, h(f(report.Output)), KeyNumberRange, []any{int64(100_000_000)}},
		{"overflows when scaled to fen", header, [][]string{replace(repRow(1, "2024-03"), f(report.Output), "9223372036854775807")}, 2, h(f(report.Output)), KeyNumberRange, []any{int64(100_000_000)}},
		{"just above the bound", header, [][]string{replace(repRow(1, "2024-03"), f(report.Output), "100000000.000001")}, 2, h(f(report.Output)), KeyNumberRange, []any{int64(100_000_000)}},
		{"negative beyond the bound", header, [][]string{replace(repRow(1, "2024-03"), f(report.Profit), "-100000001")}, 2, h(f(report.Profit)), KeyNumberRange, []any{int64(100_000_000)}},
		{"persons beyond the bound", header, [][]string{replace(repRow(1, "2024-03"), f(report.Employees), "9223372036854775807")}, 2, h(f(report.Employees)), KeyNumberRange, []any{int64(100_000_000_000_000)}},
		// A European decimal comma was read 100 times too large.
		{"decimal comma", header, [][]string{replace(repRow(1, "2024-03"), f(report.Output), "1234,56")}, 2, h(f(report.Output)), KeyDecimalComma, []any{"1234,56"}},
		{"ambiguous grouping", header, [][]string{replace(repRow(1, "2024-03"), f(report.Output), "1,23,456")}, 2, h(f(report.Output)), KeyDecimalComma, []any{"1,23,456"}},
		{"cumulative decreasing", header, [][]string{repRow(1, "2024-03", "100"), repRow(1, "2024-02", "120")}, 2, h(f(report.Output)), KeyCumulativeDecreasing, []any{"2024-02", "120", 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rep := Reports(sheet(tt.header, tt.rows...), repOpts())
			render(t, rep)
			if len(rep.Errors) != 1 {
				t.Fatalf("errors %v, want exactly one %s", keysOf(rep.Errors), tt.key)
			}
			e := rep.Errors[0]
			if e.Line != tt.line || e.Column != tt.column || e.Key != tt.key || !reflect.DeepEqual(e.Args, tt.args) {
				t.Fatalf("got %+v\nwant line %d column %q key %s args %v", e, tt.line, tt.column, tt.key, tt.args)
			}
			if len(rows) != len(tt.rows)-1 && tt.line > 1 {
				t.Fatalf("%d rows returned from %d with one rejected", len(rows), len(tt.rows))
			}
		})
	}
}

func TestReportsCumulativeRules(t *testing.T) {
	header, _ := ReportTemplate("en")
	rows, rep := Reports(sheet(header,
		repRow(1, "2023-12", "900"), // another year: no comparison with 2024
		repRow(1, "2024-02", "100"),
		repRow(1, "2024-04", "150"),
		repRow(1, "2024-03", "160"), // April falls below March
		repRow(2, "2024-03", "50"),  // another enterprise
	), repOpts())
	want := []string{"4/Gross industrial output (¥10k)/" + KeyCumulativeDecreasing}
	if got := keysOf(rep.Errors); !reflect.DeepEqual(got, want) {
		t.Fatalf("errors %v, want %v", got, want)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.Period.Month == 4 {
			t.Fatal("decreasing row returned")
		}
	}
}

func TestReportsCollectsEveryError(t *testing.T) {
	header, _ := ReportTemplate("zh-CN")
	out := func(i int) string { return header[pField+i] }
	_, rep := Reports(sheet(header,
		repRow(1, "2024-03"),
		repRow(99, "2024-01", "-5", "x"), // unknown enterprise, January, negative, bad number
		repRow(2, "2024-03", "", "", "", "", "", "", "", "", ""),
		repRow(3, "2024-03", "1.1234567"),
		repRow(1, "2024-03"),
	), repOpts())
	render(t, rep)
	want := []string{
		"3/统一社会信用代码/" + KeyUnknownEnterprise,
		"3/报告期/" + KeyJanuary,
		"3/" + out(0) + "/" + KeyNegative,
		"3/" + out(1) + "/" + KeyBadNumber,
	}
	for i := range report.NumFields {
		want = append(want, "4/"+out(int(i))+"/"+KeyEmptyCell)
	}
	want = append(want, "5/"+out(0)+"/"+KeyTooManyDecimals, "6/统一社会信用代码/"+KeyDuplicateReport)
	if got := keysOf(rep.Errors); !reflect.DeepEqual(got, want) {
		t.Fatalf("errors\n got %v\nwant %v", got, want)
	}
}

// TestReportsGBKCSV runs the whole pipeline on a file as Excel in a Chinese
// locale saves it: GBK, CRLF, Chinese headers with full-width brackets.
func TestReportsGBKCSV(t *testing.T) {
	header, ex := ReportTemplate("zh-CN")
	ex[0][pCode], ex[1][pCode] = code(5, false), strings.ToLower(code(5, false))
	var sb strings.Builder
	sb.WriteString(strings.Join(append([]string{"企业名称"}, header...), ",") + "\r\n")
	for _, r := range ex {
		sb.WriteString(strings.Join(append([]string{"重庆示例汽车零部件有限公司"}, r...), ",") + "\r\n")
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(sb.String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := tabular.Read(strings.NewReader(gbk), "1-3月.csv", tabular.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	rows, rep := Reports(s, repOpts())
	if !rep.OK() || len(rep.Warnings) != 0 || len(rows) != 2 {
		t.Fatalf("errors %v warnings %v", keysOf(rep.Errors), keysOf(rep.Warnings))
	}
	if rows[1].EnterpriseID != 5 || rows[1].Period.Month != 3 || rows[1].Values[report.Output] != 8_120_300_000 || rows[1].Values[report.Energy] != 1_902_500 {
		t.Fatalf("row %+v", rows[1])
	}
}

// TestReportsXLSXRoundTrip exports the template with tabular.WriteXLSX and
// imports it back.
func TestReportsXLSXRoundTrip(t *testing.T) {
	header, ex := ReportTemplate("en")
	ex[0][pCode], ex[1][pCode] = code(6, false), code(6, false)
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, "reports", header, ex); err != nil {
		t.Fatal(err)
	}
	s, err := tabular.Read(&buf, "r.xlsx", tabular.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, rep := Reports(s, repOpts())
	if !rep.OK() || len(rows) != 2 || rows[0].Values[report.Profit] != -12_500_000 {
		t.Fatalf("errors %v rows %+v", keysOf(rep.Errors), rows)
	}
}

func TestReportTemplatesPass(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		header, ex := ReportTemplate(lang)
		rows, rep := Reports(sheet(header, ex...), ReportOptions{EnterpriseID: func(string) (int64, bool) { return 1, true }})
		render(t, rep)
		if !rep.OK() || len(rep.Warnings) != 0 || len(rows) != len(ex) {
			t.Errorf("%s: errors %v warnings %v", lang, keysOf(rep.Errors), keysOf(rep.Warnings))
		}
	}
}

// benchSheet builds n rows: n/2 enterprises reporting 1–2月 and 1–3月, so
// the cumulative check runs too.
func benchSheet(n int) (*tabular.Sheet, ReportOptions) {
	header, _ := ReportTemplate("zh-CN")
	ids := make(map[string]int64, n/2)
	s := &tabular.Sheet{Header: header, HeaderLine: 1, Rows: make([]tabular.Row, 0, n)}
	for i := 0; i < n; i++ {
		e := i / 2
		c := code(e, false)
		ids[c] = int64(e + 1)
		period, scale := "2024-02", 1
		if i%2 == 1 {
			period, scale = "2024-03", 2
		}
		v := func(base int) string { return unit.FormatScaled(int64(base*scale+e%97), 100) }
		s.Rows = append(s.Rows, tabular.Row{Line: i + 2, Cells: []string{
			c, period, v(523050), v(131020), v(510275), v(-1250), v(16030), v(82000), v(21045), fmt.Sprint(1234 * scale), fmt.Sprint(300 + e%50),
		}})
	}
	return s, ReportOptions{EnterpriseID: func(c string) (int64, bool) { id, ok := ids[c]; return id, ok }, Today: today}
}

func BenchmarkReports(b *testing.B) {
	const n = 100_000
	s, opts := benchSheet(n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rows, rep := Reports(s, opts)
		if !rep.OK() || len(rows) != n {
			b.Fatalf("errors %v", keysOf(rep.Errors[:min(5, len(rep.Errors))]))
		}
	}
	b.ReportMetric(float64(n)*float64(report.NumFields)*float64(b.N)/b.Elapsed().Seconds(), "values/s")
}

// BenchmarkPipelineCSV measures upload to domain values: read and decode a
// 100k-row CSV, then validate it.
func BenchmarkPipelineCSV(b *testing.B) {
	const n = 100_000
	s, opts := benchSheet(n)
	var buf bytes.Buffer
	rows := make([][]string, len(s.Rows))
	for i, r := range s.Rows {
		rows[i] = r.Cells
	}
	if err := tabular.WriteCSV(&buf, s.Header, rows); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sh, err := tabular.Read(bytes.NewReader(data), "r.csv", tabular.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if out, rep := Reports(sh, opts); !rep.OK() || len(out) != n {
			b.Fatalf("errors %v", keysOf(rep.Errors[:min(5, len(rep.Errors))]))
		}
	}
	b.ReportMetric(float64(n)*float64(report.NumFields)*float64(b.N)/b.Elapsed().Seconds(), "values/s")
}

// TestReportCodesAreWhatReportsLooksUp: the codes a caller resolves ahead
// are exactly the codes Reports asks for, so a firm looked up by key is
// found as it would be in the whole registry: full-width and lower-case
// forms fold to one code, bad codes and empty cells are left out.
func TestReportCodesAreWhatReportsLooksUp(t *testing.T) {
	header, _ := ReportTemplate("zh-CN")
	full := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			return r - '0' + '０'
		}
		return r
	}, code(4, false))
	s := sheet(header,
		repRow(1, "2024-02"), repRow(1, "2024-03"),
		repRow(2, "2024-03"),
		replace(repRow(3, "2024-03"), pCode, strings.ToLower(code(3, false))),
		replace(repRow(3, "2024-02"), pCode, code(3, false)),
		replace(repRow(4, "2024-03"), pCode, full),
		repRow(99, "2024-03"), // valid but not stored
		replace(repRow(5, "2024-03"), pCode, code(5, false)[:17]+"0"), // bad checksum
		replace(repRow(6, "2024-03"), pCode, ""),
		repRow(2, "2024-04"),
	)
	asked := map[string]bool{}
	opts := repOpts()
	lookup := opts.EnterpriseID
	opts.EnterpriseID = func(c string) (int64, bool) {
		asked[c] = true
		return lookup(c)
	}
	Reports(s, opts)
	got := ReportCodes(s)
	seen := map[string]bool{}
	for _, c := range got {
		if seen[c] {
			t.Errorf("code %s given twice", c)
		}
		seen[c] = true
	}
	if !reflect.DeepEqual(seen, asked) {
		t.Errorf("ReportCodes = %v, Reports looked up %v", got, asked)
	}
	if len(asked) != 5 {
		t.Errorf("Reports looked up %d codes, want 5 (firms 1–4 and 99): %v", len(asked), asked)
	}
	if ReportCodes(sheet(without(header, pCode), without(repRow(1, "2024-03"), pCode))) != nil {
		t.Error("a file without the code column gave codes")
	}
}
