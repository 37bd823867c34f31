package tabular

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

func readXLSX(data []byte, opts Options) (s *Sheet, err error) {
	// A parser bug on hostile input must end this upload, not the process
	// (the CLI has no net/http recover around it).
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("%w: malformed workbook (%v)", ErrFormat, p)
		}
	}()
	if err := checkUnzippedSize(data, opts.UnzipSizeLimit); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    opts.UnzipSizeLimit,
		UnzipXMLSizeLimit: opts.UnzipXMLSizeLimit,
		// Raw values: a cell formatted "#,##0" would otherwise come back
		// rounded, and dates in a locale-dependent layout.
		RawCellValue: true,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	defer f.Close() // removes the temp files of large parts
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("%w: workbook has no worksheet", ErrFormat)
	}
	name, hidden := pickSheet(f, sheets, opts.Sheets)
	if name == "" {
		return nil, ErrNoVisibleSheet
	}
	merged, err := mergedRanges(f, name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	rows, err := f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	defer rows.Close()
	b := builder{opts: opts}
	// Next steps through missing rows one by one, so the count is the row
	// number the user sees.
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("%w: row %d: %v", ErrFormat, line, err)
		}
		if len(cells) == 0 {
			continue
		}
		for i, c := range cells {
			cells[i] = plainNumber(c)
		}
		if err := b.add(line, cells); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	sh, err := b.sheet()
	if err != nil {
		return nil, err
	}
	sh.SheetName, sh.SheetCount, sh.Hidden, sh.Merged = name, len(sheets), hidden, merged
	return sh, nil
}

// pickSheet returns the worksheet to read: the first visible one named in
// prefer, else the first visible one, and the names of the hidden ones.
// Reading a hidden sheet imported what the user could not see.
func pickSheet(f *excelize.File, sheets, prefer []string) (name string, hidden []string) {
	visible := make([]bool, len(sheets))
	for i, s := range sheets {
		v, err := f.GetSheetVisible(s)
		visible[i] = err == nil && v
		if !visible[i] {
			hidden = append(hidden, s)
		}
	}
	for _, p := range prefer {
		for i, s := range sheets {
			if visible[i] && strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(p)) {
				return s, hidden
			}
		}
	}
	for i, s := range sheets {
		if visible[i] {
			return s, hidden
		}
	}
	return "", hidden
}

// mergedRanges lists the merged cells of a worksheet with their rows.
func mergedRanges(f *excelize.File, sheet string) ([]Merged, error) {
	mcs, err := f.GetMergeCells(sheet)
	if err != nil {
		return nil, err
	}
	out := make([]Merged, 0, len(mcs))
	for _, mc := range mcs {
		_, r1, err := excelize.CellNameToCoordinates(mc.GetStartAxis())
		if err != nil {
			return nil, err
		}
		_, r2, err := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err != nil {
			return nil, err
		}
		out = append(out, Merged{Ref: mc.GetStartAxis() + ":" + mc.GetEndAxis(), FirstLine: r1, LastLine: r2})
	}
	return out, nil
}

// checkUnzippedSize rejects a zip bomb from the central directory before
// anything is inflated. Declared sizes cannot lie past this check:
// archive/zip fails a part that inflates beyond its declared size.
func checkUnzippedSize(data []byte, limit int64) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(limit) {
			return fmt.Errorf("%w: more than %d bytes", ErrUnpacked, limit)
		}
	}
	return nil
}

// plainNumber undoes the binary-float artefacts of numbers stored by Excel
// and other writers ("1234.5599999999999", "1.20000000000000" from
// excelize, "1E-3"): Excel keeps 15 significant digits, so what the user
// typed is the value rounded to 15 digits, written without an exponent. Only
// fractions with at least 15 significant digits and exponent forms are
// touched, so text such as "1.50" or an 18-digit credit code stays as is.
func plainNumber(s string) string {
	// Fewer than 16 bytes without an exponent cannot hold a point and 15
	// digits: the common case returns here.
	if len(s) < 16 && strings.IndexAny(s, "eE") < 0 {
		return s
	}
	point := strings.Contains(s, ".")
	if e := strings.IndexAny(s, "eE"); e >= 0 {
		// Writers put a sign after the E ("1E-3", "1E+21") or a point
		// before it; a code such as "9150000012345678E9" has neither and
		// must survive.
		if !point && (e+1 >= len(s) || s[e+1] != '+' && s[e+1] != '-') {
			return s
		}
	} else if !point || significantDigits(s) < 15 {
		return s
	}
	if !isFloatSyntax(s) {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v == 0 && strings.ContainsAny(s, "123456789") {
		return s // out of range or underflow: keep the text
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	out := strconv.FormatFloat(r, 'f', -1, 64)
	if len(out) > 40 { // 1E+300 written out would help nobody
		return s
	}
	return out
}

// significantDigits counts digits from the first non-zero one, trailing
// zeros included.
func significantDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' && (n > 0 || c != '0') {
			n++
		}
	}
	return n
}

// isFloatSyntax accepts [-]digits[.digits][(e|E)[+-]digits], the forms
// spreadsheet XML uses for numbers.
func isFloatSyntax(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
