package importsweb_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestImportValueAtInt64Limit is the regression test of a report value at
// the int64 limit in fen (9223372036854.775807 万元): it was stored, and
// the totals it fed overflowed into an HTTP 500. Now every such row gets a
// row error and the file writes nothing.
func TestImportValueAtInt64Limit(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		header, _ := importer.ReportTemplate("zh-CN")
		a, b := webtest.CreditCode(t, "500101", 1), webtest.CreditCode(t, "500101", 2)
		row := func(code, output string) []string {
			return []string{code, "2024-07", output, "1310.2", "5102.75", "-12.5", "160.3", "820", "210.45", "1234.567", "318"}
		}
		env.Run(t, []webtest.Scenario{
			importScenario(t, "two rows at the int64 limit", "reports", "admin", header,
				[][]string{row(a, "9223372036854.775807"), row(b, "9223372036854.775807")}, 422,
				[]string{`"row":2`, `"row":3`, importer.KeyNumberRange, "100000000"}, []string{`"inserted"`}),
			importScenario(t, "a value that overflows when scaled to fen", "reports", "admin", header,
				[][]string{row(a, "9223372036854775807")}, 422,
				[]string{`"row":2`, importer.KeyNumberRange}, nil),
			importScenario(t, "the hostile 9,000,000,000,000 万元", "reports", "admin", header,
				[][]string{row(a, "9,000,000,000,000")}, 422,
				[]string{`"row":2`, importer.KeyNumberRange}, nil),
			{Name: "the cockpit totals still answer", URL: "/api/v1/stats/kpis?year=2024&month=7", User: "admin", WantStatus: 200},
		})
	})
}

// fileUpload is a scenario uploading data as filename to url.
func fileUpload(t *testing.T, name, url, user, filename string, data []byte, status int, contains, notContains []string) webtest.Scenario {
	body, ct := uploadBody(t, "file", filename, data)
	return webtest.Scenario{Name: name, Method: "POST", URL: url, User: user, Body: body, ContentType: ct,
		WantStatus: status, WantContains: contains, WantNotContains: notContains}
}

// workbook writes sheets (name → rows, in order) as an XLSX; hidden names
// the sheets to hide and merge the ranges to merge on the first visible
// sheet.
func workbook(t *testing.T, order []string, sheets map[string][][]string, hidden []string, merge []string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			cells := make([]any, len(row))
			for j, c := range row {
				if c != "" {
					cells[j] = c
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &cells); err != nil {
				t.Fatal(err)
			}
		}
	}
	visible := ""
	for i, name := range order {
		if !slices.Contains(hidden, name) {
			if visible == "" {
				visible = name
				f.SetActiveSheet(i)
			}
		}
	}
	for _, h := range hidden {
		if err := f.SetSheetVisible(h, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range merge {
		a, b, _ := strings.Cut(m, ":")
		if err := f.MergeCell(visible, a, b); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImportFileShapes uploads the files people actually send: a CSV with
// semicolons and decimal commas, a stray quote, a workbook whose first sheet
// is hidden, a report form with a title row, merged cells. Each is read as
// the user sees it or refused with one clear reason, and a refused file
// writes nothing.
func TestImportFileShapes(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		entHeader, _ := importer.EnterpriseTemplate("zh-CN")
		repHeader, _ := importer.ReportTemplate("zh-CN")
		wz := webtest.CreditCode(t, "500101", 1)
		a, b, c := webtest.CreditCode(t, "500101", 81), webtest.CreditCode(t, "500101", 82), webtest.CreditCode(t, "500101", 83)
		entRow := func(code, name string) []string {
			return []string{code, name, "万州区", "3670", "2015-06-18", "35.5", "2024", "是", "320", "25800.5"}
		}
		semicolonCSV := strings.Join(repHeader, ";") + "\r\n" +
			wz + ";2024-07;1234,56;1310,2;5102,75;-12,5;160,3;820;210,45;1234,567;318\r\n"
		quoteCSV := strings.Join(entHeader, ",") + "\n" + strings.Join(entRow(a, "甲公司"), ",") + "\n" +
			strings.Join(entRow(b, `乙"某某"公司`), ",") + "\n"
		hiddenFirst := workbook(t, []string{"旧数据", "企业名录"}, map[string][][]string{
			"旧数据":  {entHeader, entRow(c, "隐藏表里的公司")},
			"企业名录": {entHeader, entRow(a, "可见表里的甲公司")},
		}, []string{"旧数据"}, nil)
		titled := workbook(t, []string{"Sheet"}, map[string][][]string{
			"Sheet": {{"2024年企业名录"}, entHeader, entRow(b, "标题下的乙公司")},
		}, nil, []string{"A1:J1"})
		mergedData := workbook(t, []string{"Sheet"}, map[string][][]string{
			"Sheet": {entHeader, entRow(c, "丙公司"), append(entRow(webtest.CreditCode(t, "500101", 84), "丁公司")[:2:2], "", "3670", "2015-06-18", "1", "", "", "", "")},
		}, nil, []string{"C2:C3", "G2:J3"})

		env.Run(t, []webtest.Scenario{
			fileUpload(t, "semicolons and decimal commas are refused, naming the cell", "/api/v1/imports/reports", "admin", "r.csv", []byte(semicolonCSV), 422,
				[]string{importer.KeyFileDecimalComma, `"row":2`, "1234,56", "分号"}, []string{`"inserted"`}),
			fileUpload(t, "a stray quote names its line", "/api/v1/imports/enterprises", "admin", "e.csv", []byte(quoteCSV), 422,
				[]string{importer.KeyFileQuote, `"row":3`, "第 3 行"}, nil),
			fileUpload(t, "a stray quote in English", "/api/v1/imports/enterprises?lang=en", "admin", "e.csv", []byte(quoteCSV), 422,
				[]string{"on line 3 does not pair up"}, nil),
			fileUpload(t, "the first visible sheet is read, and the page says which", "/api/v1/imports/enterprises", "admin", "e.xlsx", hiddenFirst, 200,
				[]string{`"inserted":1`, importer.KeySheetRead, "企业名录", importer.KeyHiddenSheets, "旧数据"}, nil),
			fileUpload(t, "a title row above the header is skipped and explained", "/api/v1/imports/enterprises", "admin", "e.xlsx", titled, 200,
				[]string{`"inserted":1`, importer.KeyTitleRow, "2024年企业名录", "表头在第 2 行"}, []string{importer.KeyMissingColumn}),
			fileUpload(t, "merged cells are explained, not reported as empty cells", "/api/v1/imports/enterprises", "admin", "e.xlsx", mergedData, 422,
				[]string{importer.KeyMergedCells, "C2:C3", "G2:J3", "合并单元格"}, []string{importer.KeyEmptyCell, "year_without"}),
		})
		// Only the visible sheet's and the titled sheet's firms were written.
		_, body := env.Do(webtest.Scenario{URL: "/api/v1/enterprises?year=2024&per_page=100&q=公司", User: "admin"})
		for _, want := range []string{"可见表里的甲公司", "标题下的乙公司"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s not written", want)
			}
		}
		for _, never := range []string{"隐藏表里的公司", "丙公司", "丁公司"} {
			if strings.Contains(body, never) {
				t.Errorf("%s written", never)
			}
		}
	})
}

// TestCreditCodeAsNumber: the template marks the code column as Text, and
// a workbook where Excel has turned a code into a number (a numeric cell
// holding 9.15001015344961E+17) is explained, not called a bad checksum.
func TestCreditCodeAsNumber(t *testing.T) {
	env := webtest.SQLite(t)
	res, body := env.Do(webtest.Scenario{URL: "/api/v1/imports/reports/template.xlsx?lang=en", User: "admin"})
	if res.StatusCode != 200 {
		t.Fatalf("template: %d", res.StatusCode)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := f.GetColStyle("reports", "A")
	st, err := f.GetStyle(id)
	if err != nil || st.NumFmt != 49 {
		t.Errorf("credit code column of the template is not Text: %+v %v", st, err)
	}
	_ = f.Close()

	header, _ := importer.ReportTemplate("en")
	wb := excelize.NewFile()
	defer wb.Close()
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	_ = wb.SetSheetRow("Sheet1", "A1", &hdr)
	row := []any{9.15001015344961e17, "2024-07", 100, 30, 90, 5, 2, 10, 4, 12.5, 50}
	_ = wb.SetSheetRow("Sheet1", "A2", &row)
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	env.Run(t, []webtest.Scenario{
		fileUpload(t, "a code Excel turned into a number is explained", "/api/v1/imports/reports?lang=en", "admin", "r.xlsx", buf.Bytes(), 422,
			[]string{importer.KeyCreditCodeNumber, `"value":"915001015344961000"`, "Excel has turned the credit code into a number"}, []string{importer.KeyCreditCodeChecksum}),
	})
}
