package tabular

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// SafeCell neutralises spreadsheet formula injection (CSV injection): a cell
// an attacker controls, such as an enterprise name, must not run as a
// formula when an official opens the export. Cells starting with a formula
// trigger get a leading apostrophe, which Excel and WPS treat as "text";
// plain numbers such as "-12.5" stay as they are, so negative profits remain
// numbers.
func SafeCell(s string) string {
	if s == "" || !formulaTrigger(s) || IsPlainNumber(s) {
		return s
	}
	return "'" + s
}

func formulaTrigger(s string) bool {
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	// Full-width forms, which WPS and Excel accept as operators when a
	// Chinese input method is active.
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '＝', '＋', '－', '＠':
		return true
	}
	return false
}

// IsPlainNumber reports whether s is [+-]digits[.digits] (or [+-].digits):
// a number with no exponent, separator or space, which no spreadsheet reads
// as a formula.
func IsPlainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	intDigits, fracDigits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		intDigits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			fracDigits++
		}
		if fracDigits == 0 {
			return false
		}
	}
	return i == len(s) && intDigits+fracDigits > 0
}

// WriteCSV writes UTF-8 CSV with a BOM (without it Excel in a Chinese locale
// reads the file as GBK and shows mojibake) and CRLF line ends, with every
// cell passed through SafeCell.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := w.Write(bomUTF8); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rec := make([]string, 0, len(header))
	write := func(cells []string) error {
		rec = rec[:0]
		for _, c := range cells {
			rec = append(rec, SafeCell(c))
		}
		return cw.Write(rec)
	}
	if err := write(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// XLSXOptions tune WriteXLSXWith.
type XLSXOptions struct {
	// TextColumns are 0-based columns formatted as Text ("@"), so what a
	// user types there stays as typed: an 18-digit credit code typed into
	// a General cell becomes a number with 15 significant digits. Their
	// cells are written as text too.
	TextColumns []int
}

// WriteXLSX streams one worksheet named sheet with a bold, frozen header.
// Cells that are exact plain numbers are written as numbers (so sums work
// in Excel); everything else is written as text through SafeCell.
func WriteXLSX(w io.Writer, sheet string, header []string, rows [][]string) error {
	return WriteXLSXWith(w, sheet, header, rows, XLSXOptions{})
}

// WriteXLSXWith is WriteXLSX with options.
func WriteXLSXWith(w io.Writer, sheet string, header []string, rows [][]string, opts XLSXOptions) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if sheet == "" {
		sheet = "Sheet1"
	}
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return fmt.Errorf("tabular: sheet name %q: %w", sheet, err)
		}
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	width := len(header)
	for _, r := range rows {
		width = max(width, len(r))
	}
	// Column widths must precede the first row in a stream.
	if width > 0 {
		if err := sw.SetColWidth(1, min(width, MaxColumns), 16); err != nil {
			return err
		}
	}
	text := make(map[int]bool, len(opts.TextColumns))
	if len(opts.TextColumns) > 0 {
		// Number format 49 is Excel's built-in "@" (Text).
		textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49})
		if err != nil {
			return err
		}
		for _, c := range opts.TextColumns {
			if c < 0 || c >= MaxColumns {
				return fmt.Errorf("tabular: text column %d out of range", c)
			}
			text[c] = true
			if err := sw.SetColStyle(c+1, c+1, textStyle); err != nil {
				return err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	vals := make([]any, 0, width)
	hdr := make([]any, 0, len(header))
	for _, h := range header {
		hdr = append(hdr, excelize.Cell{StyleID: bold, Value: SafeCell(h)})
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return err
	}
	for i, r := range rows {
		vals = vals[:0]
		for j, c := range r {
			if text[j] {
				vals = append(vals, SafeCell(c))
			} else {
				vals = append(vals, xlsxValue(c))
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// xlsxValue returns a float64 for a number Excel can hold exactly as typed
// (at most 15 significant digits, no leading zero that a number would drop,
// like industry code "0610"), else the text made safe.
func xlsxValue(s string) any {
	if IsPlainNumber(s) && numberKeepsText(s) {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return v
		}
	}
	return SafeCell(s)
}

func numberKeepsText(s string) bool {
	if s[0] == '+' { // a number would drop the sign
		return false
	}
	s = strings.TrimPrefix(s, "-")
	if s[0] == '.' {
		return false
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if len(intPart) > 1 && intPart[0] == '0' {
		return false
	}
	if hasFrac && strings.HasSuffix(frac, "0") {
		return false // "1.50" would display as 1.5
	}
	sig := strings.TrimLeft(intPart+frac, "0")
	return len(sig) <= 15
}
