package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// decodeText returns the file as UTF-8. Excel in China saves "CSV" in the
// system code page (GBK) and "CSV UTF-8" with a BOM; "Unicode text" is
// UTF-16 with a BOM. Text that is valid UTF-8 is taken as UTF-8: GBK Chinese
// is almost never valid UTF-8, while pure ASCII is the same in both.
func decodeText(data []byte) ([]byte, error) {
	var dec *encoding.Decoder
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return data[len(bomUTF8):], nil
	case bytes.HasPrefix(data, bomUTF16LE):
		dec = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(data, bomUTF16BE):
		dec = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
	case utf8.Valid(data):
		return data, nil
	default:
		// GB18030 is a superset of GBK and GB2312, so it decodes all three.
		dec = simplifiedchinese.GB18030.NewDecoder()
	}
	out, err := dec.Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("%w: text encoding: %v", ErrFormat, err)
	}
	return out, nil
}

// sniffLines is how many lines the delimiter is sniffed from.
const sniffLines = 50

// sniffDelimiter picks the separator that splits the first lines most
// consistently: for each candidate it counts, outside quotes, the fields of
// each line, and scores the lines that have the most common count (above
// one). The first line alone misleads: a title row has no separator, and a
// header may hold a comma ("产值（万元,现价）") in a file separated by
// semicolons. Ties go to the comma, then the semicolon, then the tab.
func sniffDelimiter(data []byte) rune {
	cands := [...]byte{',', ';', '\t'}
	var counts [len(cands)][]int
	var cur [len(cands)]int
	inQuote, lines, blank := false, 0, true
	endLine := func() {
		if !blank {
			for i := range cands {
				counts[i] = append(counts[i], cur[i]+1)
			}
			lines++
		}
		cur, blank = [len(cands)]int{}, true
	}
	for _, c := range data {
		if lines >= sniffLines {
			break
		}
		switch {
		case c == '"':
			inQuote = !inQuote
			blank = false
		case inQuote:
		case c == '\n':
			endLine()
		case c == '\r' || c == ' ':
		default:
			blank = false
			for i, d := range cands {
				if c == d {
					cur[i]++
				}
			}
		}
	}
	if lines < sniffLines {
		endLine()
	}
	best, bestScore := 0, 0
	for i := range cands {
		if sc := consistency(counts[i]); sc > bestScore {
			best, bestScore = i, sc
		}
	}
	return rune(cands[best])
}

// consistency is the number of lines whose field count is the most common
// one above 1; the larger count wins a tie.
func consistency(counts []int) int {
	freq := map[int]int{}
	for _, n := range counts {
		if n > 1 {
			freq[n]++
		}
	}
	best := 0
	for _, f := range freq {
		best = max(best, f)
	}
	return best
}

// MaxColumns is the widest row accepted, Excel's own limit (XFD).
const MaxColumns = 16384

// maxFieldsPerLine counts separators per physical line; quoted separators
// are counted too, which only overestimates.
func maxFieldsPerLine(data []byte, sep byte) int {
	// Line by line with the assembly-backed IndexByte and Count: a byte
	// loop over the file was a tenth of reading it.
	most := 0
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		most = max(most, bytes.Count(line, []byte{sep})+1)
	}
	return max(most, 1)
}

func readCSV(data []byte, opts Options) (*Sheet, error) {
	return parseCSV(data, opts, csvParse{})
}

// csvParse chooses how parseCSV splits records.
type csvParse struct {
	// standard: encoding/csv even for a file without quotes (the tests
	// compare both ways).
	standard bool
}

func parseCSV(data []byte, opts Options, how csvParse) (*Sheet, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	comma := sniffDelimiter(text)
	b := builder{opts: opts}
	if !how.standard && bytes.IndexByte(text, '"') < 0 {
		err = splitPlain(text, byte(comma), &b)
	} else {
		err = splitQuoted(text, comma, &b)
	}
	if err != nil {
		return nil, err
	}
	sh, err := b.sheet()
	if err != nil {
		return nil, err
	}
	sh.Delimiter = comma
	return sh, nil
}

// splitPlain reads a CSV file without a single quote character, as most
// report files are (a spreadsheet quotes only cells holding a separator,
// a quote or a line break): each line is a record and each separator ends
// a field, which is what encoding/csv makes of such a file, found with
// the assembly-backed IndexByte instead of its byte loop (half of reading
// a year's report file). Like encoding/csv it drops the carriage return
// of a CRLF line end and skips empty lines, counting them.
func splitPlain(text []byte, sep byte, b *builder) error {
	line := 0
	for len(text) > 0 {
		line++
		l := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			l, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		if len(l) == 0 {
			continue
		}
		// The width is bounded before the record is allocated, as for
		// encoding/csv below (maxFieldsPerLine).
		n := bytes.Count(l, []byte{sep}) + 1
		if n > MaxColumns {
			return fmt.Errorf("%w: more than %d columns", ErrTooLarge, MaxColumns)
		}
		// One string per record, its fields sliced from it, as
		// encoding/csv allocates.
		s := string(l)
		rec := make([]string, 0, n)
		for {
			i := strings.IndexByte(s, sep)
			if i < 0 {
				rec = append(rec, s)
				break
			}
			rec = append(rec, s[:i])
			s = s[i+1:]
		}
		if err := b.addCSV(line, rec, rune(sep)); err != nil {
			return err
		}
	}
	return nil
}

// splitQuoted reads a CSV file with encoding/csv, strict about quotes.
func splitQuoted(text []byte, comma rune, b *builder) error {
	// encoding/csv allocates a whole record at once, so bound the width
	// before parsing: 50 MiB of commas would otherwise become 800 MiB of
	// empty strings.
	if n := maxFieldsPerLine(text, byte(comma)); n > MaxColumns {
		return fmt.Errorf("%w: more than %d columns", ErrTooLarge, MaxColumns)
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // ragged rows are padded later
	// Strict quotes: a lazy parser lets one stray quote swallow the rest of
	// the file into a single cell, which then fails in confusing ways.
	cr.LazyQuotes = false
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
					// The line where the quoted field starts: an unclosed
					// quote is only noticed at the end of the file.
					return &LineError{Err: ErrQuote, Line: pe.StartLine, Value: lineAt(text, pe.StartLine)}
				}
				return fmt.Errorf("%w: CSV line %d: %v", ErrFormat, pe.StartLine, pe.Err)
			}
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		line, _ := cr.FieldPos(0)
		if err := b.addCSV(line, rec, comma); err != nil {
			return err
		}
	}
}

// addCSV adds a CSV record, refusing a decimal comma in a file not
// separated by commas.
func (b *builder) addCSV(line int, rec []string, comma rune) error {
	if comma != ',' {
		for _, c := range rec {
			if decimalComma(c) {
				return &LineError{Err: ErrDecimalComma, Line: line, Value: trimCell(c)}
			}
		}
	}
	return b.add(line, rec)
}

// decimalComma reports whether a cell is a number written with a comma
// ("1234,56", "1.234,5", "1,234"): only digits, points and commas, an
// optional sign, and at least one comma between digits.
func decimalComma(c string) bool {
	c = trimCell(c)
	c = strings.TrimLeft(c, "+-")
	if !strings.Contains(c, ",") || c == "" {
		return false
	}
	for i := 0; i < len(c); i++ {
		if ch := c[i]; (ch < '0' || ch > '9') && ch != ',' && ch != '.' {
			return false
		}
	}
	i := strings.IndexByte(c, ',')
	return i > 0 && i < len(c)-1 && !pointGrouped(c)
}

// pointGrouped reports "1,234,567.5": comma groups of three and then a
// decimal point, which no locale writes with a decimal comma, so the
// value is not ambiguous.
func pointGrouped(c string) bool {
	intPart, frac, ok := strings.Cut(c, ".")
	if !ok || frac == "" || strings.ContainsAny(frac, ".,") {
		return false
	}
	groups := strings.Split(intPart, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

// lineAt returns physical line n (1-based) of text, cut to 80 bytes on a
// rune boundary, to show where a quote is wrong.
func lineAt(text []byte, n int) string {
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(text, '\n')
		if j < 0 {
			return ""
		}
		text = text[j+1:]
	}
	if j := bytes.IndexByte(text, '\n'); j >= 0 {
		text = text[:j]
	}
	text = bytes.TrimRight(text, "\r")
	if len(text) > 80 {
		k := 80
		for k > 0 && !utf8.RuneStart(text[k]) {
			k--
		}
		text = text[:k]
	}
	return string(text)
}
