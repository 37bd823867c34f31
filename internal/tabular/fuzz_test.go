package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// fuzzOpts keeps a hostile input cheap while still exercising every limit.
var fuzzOpts = Options{MaxBytes: 1 << 20, MaxRows: 1000, UnzipSizeLimit: 4 << 20, UnzipXMLSizeLimit: 1 << 20, MaxCells: 100_000}

// checkSheet holds for every successful read: one width, increasing
// positive lines, no empty rows, trimmed cells.
func checkSheet(t *testing.T, s *Sheet, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrTooManyRows) {
			t.Fatalf("untyped error: %v", err)
		}
		return
	}
	w := len(s.Header)
	if w == 0 || s.HeaderLine < 1 {
		t.Fatalf("empty header %q at %d", s.Header, s.HeaderLine)
	}
	prev := s.HeaderLine
	for _, r := range s.Rows {
		if len(r.Cells) != w {
			t.Fatalf("line %d has %d cells, header %d", r.Line, len(r.Cells), w)
		}
		if r.Line <= prev {
			t.Fatalf("line %d after %d", r.Line, prev)
		}
		prev = r.Line
		empty := true
		for _, c := range r.Cells {
			if c != trimCell(c) {
				t.Fatalf("untrimmed cell %q", c)
			}
			empty = empty && c == ""
		}
		if empty {
			t.Fatalf("empty row at line %d", r.Line)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	var buf bytes.Buffer
	_ = WriteCSV(&buf, []string{"统一社会信用代码", "企业名称", "值"}, [][]string{{"915001127842347071", "=1+1", "-12.5"}, {"", "重庆,某某", "x\ny"}})
	f.Add(buf.Bytes())
	f.Add([]byte(sampleCSV))
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(sampleCSV))
	f.Add(gbk)
	f.Add([]byte("a\tb\n1\t2\t3\n"))
	f.Add([]byte("\xFF\xFEa\x00,\x00b\x00"))
	f.Add([]byte("\"a\"\"b\",c\r\n\"unterminated"))
	f.Add([]byte("\n\n ,\u3000,\n x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Read(bytes.NewReader(data), "fuzz.csv", fuzzOpts)
		checkSheet(t, s, err)
	})
}

func FuzzReadXLSX(f *testing.F) {
	var buf bytes.Buffer
	_ = WriteXLSX(&buf, "Sheet1", []string{"统一社会信用代码", "企业名称", "值"}, [][]string{{"915001127842347071", "=1+1", "-12.5"}, {"", "重庆", "0.1"}})
	f.Add(buf.Bytes())
	buf.Reset()
	_ = WriteXLSX(&buf, "数据", []string{"a"}, nil)
	f.Add(buf.Bytes())
	// Stored entries with CRC 0 (archive/zip then skips the check) let the
	// fuzzer mutate the XML itself rather than only break checksums.
	f.Add(storedZip(f, buf.Bytes()))
	buf.Reset()
	_ = WriteXLSX(&buf, "Sheet1", []string{"h1", "h2"}, [][]string{{"1234.56", "x"}, {"", "0610"}, {"-0.1", "=A1"}})
	f.Add(storedZip(f, buf.Bytes()))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Read(bytes.NewReader(data), "fuzz.xlsx", fuzzOpts)
		checkSheet(t, s, err)
	})
}

// storedZip repacks a workbook uncompressed and without checksums.
func storedZip(tb testing.TB, data []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: zf.Name, Method: zip.Store, CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body))})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// FuzzPlainCSV: a CSV file without quotes reads the same through
// splitPlain as through encoding/csv: the same sheet, or the same error.
func FuzzPlainCSV(f *testing.F) {
	for _, s := range plainCSVSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.IndexByte(data, '"') >= 0 {
			return
		}
		comparePlainCSV(t, data)
	})
}
