package tabular

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		name, data string
		want       rune
		header     []string
	}{
		{"comma", "a,b,c\n1,2,3\n", ',', []string{"a", "b", "c"}},
		{"semicolon", "a;b;c\n1;2;3\n", ';', []string{"a", "b", "c"}},
		{"tab", "a\tb\tc\n1\t2\t3\n", '\t', []string{"a", "b", "c"}},
		// The first line alone would say comma: the quoted header cell
		// has two commas and the file one semicolon per line.
		{"quoted commas in a semicolon file", "\"产值（万元,现价,当月）\";b\n1;2\n3;4\n", ';', []string{"产值（万元,现价,当月）", "b"}},
		// The first line alone would say comma (no separator at all).
		{"title line above semicolons", "月报\na;b;c\n1;2;3\n4;5;6\n", ';', []string{"a", "b", "c"}},
		{"commas inside quotes do not count", "a;b\n\"x,y,z\";1\n\"p,q,r\";2\n", ';', []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Read(strings.NewReader(tt.data), "a.csv", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s.Delimiter != tt.want || !reflect.DeepEqual(s.Header, tt.header) {
				t.Fatalf("delimiter %q header %q, want %q %q", s.Delimiter, s.Header, tt.want, tt.header)
			}
		})
	}
}

// TestDecimalCommaRefused is the regression test of a CSV with ";"
// separators and decimal commas, which was stored 10–100 times too large.
func TestDecimalCommaRefused(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		line       int
		value      string
	}{
		{"decimal comma", "统一社会信用代码;工业总产值（万元）\n91500000MA5U7K0X3Q;1234,56\n", 2, "1234,56"},
		{"grouped with points", "a;b\nx;12\ny;1.234,5\n", 3, "1.234,5"},
		{"ambiguous thousands comma", "a\tb\nx\t1,234\n", 2, "1,234"},
		{"negative", "a;b\nx;-0,5\n", 2, "-0,5"},
		{"groups of two before a point", "a;b\nx;1,23.5\n", 2, "1,23.5"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.data), "a.csv", Options{})
			var le *LineError
			if !errors.Is(err, ErrDecimalComma) || !errors.As(err, &le) || le.Line != tt.line || le.Value != tt.value {
				t.Fatalf("err = %v, want ErrDecimalComma at line %d with %q", err, tt.line, tt.value)
			}
		})
	}
	// A comma file may quote a thousands separator (the importer checks
	// its grouping), and a text cell with a comma in a semicolon file is
	// not a number.
	// A comma grouping followed by a decimal point is not ambiguous either.
	for _, data := range []string{"a,b\nx,\"1,234.5\"\n", "a;b\nx;重庆,万州\ny;A1,B2\n", "a\tb\nx\t1,234,567.25\n"} {
		if _, err := Read(strings.NewReader(data), "a.csv", Options{}); err != nil {
			t.Errorf("%q: %v", data, err)
		}
	}
}

func TestStrayQuoteNamesItsLine(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		line       int
		value      string
	}{
		{"bare quote", "a,b\n1,2\n3,重庆\"某某\"公司\n4,5\n", 3, `3,重庆"某某"公司`},
		{"text after a closing quote", "a,b\n1,2\n3,4\n5,\"x\"y\n", 4, `5,"x"y`},
		{"quote never closed", "a,b\n1,2\n3,\"open\n4,5\n6,7\n", 3, `3,"open`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.data), "a.csv", Options{})
			var le *LineError
			if !errors.Is(err, ErrQuote) || !errors.Is(err, ErrFormat) || !errors.As(err, &le) || le.Line != tt.line || le.Value != tt.value {
				t.Fatalf("err = %v, want ErrQuote at line %d", err, tt.line)
			}
		})
	}
}

// workbook writes f to bytes.
func workbook(t *testing.T, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func setRows(t *testing.T, f *excelize.File, sheet string, rows ...[]any) {
	t.Helper()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestXLSXHiddenFirstSheet is the regression test of a workbook whose first
// sheet is hidden: it was read from the hidden sheet.
func TestXLSXHiddenFirstSheet(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	setRows(t, f, "Sheet1", []any{"h", "v"}, []any{"hidden", 1})
	if _, err := f.NewSheet("数据"); err != nil {
		t.Fatal(err)
	}
	setRows(t, f, "数据", []any{"h", "v"}, []any{"visible", 2}, []any{"visible", 3})
	f.SetActiveSheet(1)
	if err := f.SetSheetVisible("Sheet1", false); err != nil {
		t.Fatal(err)
	}
	s, err := Read(bytes.NewReader(workbook(t, f)), "a.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.SheetName != "数据" || s.SheetCount != 2 || !reflect.DeepEqual(s.Hidden, []string{"Sheet1"}) || len(s.Rows) != 2 || s.Rows[0].Cells[0] != "visible" {
		t.Fatalf("read %q of %d (hidden %q): %+v", s.SheetName, s.SheetCount, s.Hidden, s.Rows)
	}

	// Naming the hidden sheet does not make it read either.
	s, err = Read(bytes.NewReader(workbook(t, f)), "a.xlsx", Options{Sheets: []string{"Sheet1"}})
	if err != nil || s.SheetName != "数据" {
		t.Fatalf("hidden sheet named: %v %+v", err, s)
	}
}

func TestXLSXSheetNamedInTemplate(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetName("Sheet1", "填表说明")
	setRows(t, f, "填表说明", []any{"第一步", "下载模板"}, []any{"第二步", "填写"})
	if _, err := f.NewSheet("Reports"); err != nil {
		t.Fatal(err)
	}
	setRows(t, f, "Reports", []any{"code", "value"}, []any{"x", 1})
	data := workbook(t, f)
	s, err := Read(bytes.NewReader(data), "a.xlsx", Options{Sheets: []string{"reports"}})
	if err != nil || s.SheetName != "Reports" || s.Header[0] != "code" {
		t.Fatalf("preferred sheet: %v %+v", err, s)
	}
	s, err = Read(bytes.NewReader(data), "a.xlsx", Options{Sheets: []string{"enterprises"}})
	if err != nil || s.SheetName != "填表说明" {
		t.Fatalf("no match reads the first visible: %v %+v", err, s)
	}
}

// TestTitleRowsAndMergedCells: a report form with a title merged across
// the table and a unit line above the header, and a district merged down
// three data rows.
func TestTitleRowsAndMergedCells(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	setRows(t, f, "Sheet1",
		[]any{"2024年3月规上工业企业月报"},
		[]any{"单位：万元"},
		[]any{"企业名称", "所属区县", "工业总产值"},
		[]any{"甲公司", "万州区", 1},
		[]any{"乙公司", nil, 2},
		[]any{"丙公司", nil, 3},
	)
	for _, r := range []string{"A1:C1", "B4:B6"} {
		a, b, _ := strings.Cut(r, ":")
		if err := f.MergeCell("Sheet1", a, b); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Read(bytes.NewReader(workbook(t, f)), "a.xlsx", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.HeaderLine != 3 || s.Header[0] != "企业名称" || len(s.Rows) != 3 {
		t.Fatalf("header %q at %d, %d rows", s.Header, s.HeaderLine, len(s.Rows))
	}
	wantTitles := []Row{{1, []string{"2024年3月规上工业企业月报"}}, {2, []string{"单位：万元"}}}
	if !reflect.DeepEqual(s.Titles, wantTitles) {
		t.Fatalf("titles %+v", s.Titles)
	}
	wantMerged := []Merged{{"A1:C1", 1, 1}, {"B4:B6", 4, 6}}
	if !reflect.DeepEqual(s.Merged, wantMerged) {
		t.Fatalf("merged %+v", s.Merged)
	}

	// One-cell rows that never meet a wider one are header and data.
	s, err = Read(strings.NewReader("h\n1\n2\n"), "a.csv", Options{})
	if err != nil || s.HeaderLine != 1 || len(s.Rows) != 2 || len(s.Titles) != 0 {
		t.Fatalf("one column: %v %+v", err, s)
	}
	// More one-cell rows than titles can be: the first is the header.
	s, err = Read(strings.NewReader("h\n1\n2\n3\n4\n5\n6\na,b\n"), "a.csv", Options{})
	if err != nil || s.HeaderLine != 1 || len(s.Rows) != 7 || len(s.Titles) != 0 {
		t.Fatalf("many one-cell rows: %v %+v", err, s)
	}
}

// bombXLSX returns a real workbook whose worksheet is padded with size
// bytes of spaces inside <sheetData>: a few hundred KiB that unpack to
// size. The deflate stream is one compressed MiB of spaces repeated, so
// building a 300 MB bomb costs little.
func bombXLSX(t testing.TB, size int64) []byte {
	t.Helper()
	src := writeXLSX(t, []string{"企业名称", "区县"}, [][]string{{"重庆某某科技有限公司", "500112"}})
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	const chunk = 1 << 20
	var block bytes.Buffer
	fw, _ := flate.NewWriter(&block, flate.BestCompression)
	_, _ = fw.Write(bytes.Repeat([]byte{' '}, chunk))
	_ = fw.Flush() // byte-aligned, non-final: copies concatenate
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		_ = rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(body, []byte("<sheetData>"))
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") || i < 0 {
			w, _ := zw.Create(zf.Name)
			_, _ = w.Write(body)
			continue
		}
		head, tail := body[:i+len("<sheetData>")], body[i+len("<sheetData>"):]
		n := size / chunk
		var comp bytes.Buffer
		hw, _ := flate.NewWriter(&comp, flate.BestSpeed)
		_, _ = hw.Write(head)
		_ = hw.Flush()
		for range n {
			comp.Write(block.Bytes())
		}
		tw, _ := flate.NewWriter(&comp, flate.BestSpeed)
		_, _ = tw.Write(tail)
		_ = tw.Close() // the final block
		crc := crc32.Update(crc32.ChecksumIEEE(head), crc32.IEEETable, bytes.Repeat([]byte{' '}, 0))
		pad := bytes.Repeat([]byte{' '}, chunk)
		for range n {
			crc = crc32.Update(crc, crc32.IEEETable, pad)
		}
		crc = crc32.Update(crc, crc32.IEEETable, tail)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate, CRC32: crc,
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(len(head)) + uint64(n)*chunk + uint64(len(tail))})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(comp.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestXLSXBombRefusedByTheLimit: a workbook that unpacks to 300 MB is
// refused with ErrUnpacked, from the zip directory, before anything is
// inflated; the same construction at 2 MB reads, and is refused once the
// limit is set below it, so the refusal is the limit's doing.
func TestXLSXBombRefusedByTheLimit(t *testing.T) {
	small := bombXLSX(t, 2<<20)
	s, err := Read(bytes.NewReader(small), "a.xlsx", DefaultOptions())
	if err != nil || len(s.Rows) != 1 || s.Rows[0].Cells[0] != "重庆某某科技有限公司" {
		t.Fatalf("2 MB workbook under the default limit: %v %+v", err, s)
	}
	if _, err := Read(bytes.NewReader(small), "a.xlsx", Options{UnzipSizeLimit: 1 << 20}); !errors.Is(err, ErrUnpacked) {
		t.Fatalf("2 MB workbook under a 1 MB limit: err = %v", err)
	}

	big := bombXLSX(t, 300<<20)
	if len(big) > 2<<20 {
		t.Fatalf("the bomb is %d bytes, not small", len(big))
	}
	if _, err := Read(bytes.NewReader(big), "a.xlsx", DefaultOptions()); !errors.Is(err, ErrUnpacked) {
		t.Fatalf("300 MB workbook: err = %v, want ErrUnpacked", err)
	}
	if !errors.Is(ErrUnpacked, ErrFormat) {
		t.Fatal("ErrUnpacked is a format problem")
	}
}

func TestXLSXTextColumns(t *testing.T) {
	var buf bytes.Buffer
	header := []string{"统一社会信用代码", "行业代码", "值"}
	if err := WriteXLSXWith(&buf, "数据", header, [][]string{{"915001127842347071", "0610", "12"}}, XLSXOptions{TextColumns: []int{0, 1}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for col, wantText := range map[string]bool{"A": true, "B": true, "C": false} {
		id, err := f.GetColStyle("数据", col)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if (st.NumFmt == 49) != wantText {
			t.Errorf("column %s number format %d, text %v", col, st.NumFmt, wantText)
		}
		if w, _ := f.GetColWidth("数据", col); w != 16 {
			t.Errorf("column %s width %v", col, w)
		}
	}
	if typ, _ := f.GetCellType("数据", "B2"); typ != excelize.CellTypeInlineString {
		t.Errorf("B2 type %v, want text", typ)
	}
	if typ, _ := f.GetCellType("数据", "C2"); typ != excelize.CellTypeUnset {
		t.Errorf("C2 type %v, want number", typ)
	}
}

// BenchmarkRefuseBomb measures how long Read takes to refuse a workbook
// that unpacks to 300 MB (docs/PERFORMANCE.md).
func BenchmarkRefuseBomb(b *testing.B) {
	big := bombXLSX(b, 300<<20)
	b.SetBytes(int64(len(big)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(big), "a.xlsx", DefaultOptions()); !errors.Is(err, ErrUnpacked) {
			b.Fatal(err)
		}
	}
}
