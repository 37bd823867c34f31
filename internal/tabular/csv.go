package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
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

// sniffDelimiter picks the separator from the first line: comma unless tabs
// (Excel "Unicode text") or semicolons (European locales) clearly dominate.
func sniffDelimiter(data []byte) rune {
	line := data
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	comma, tab, semi := bytes.Count(line, []byte{','}), bytes.Count(line, []byte{'\t'}), bytes.Count(line, []byte{';'})
	switch {
	case tab > comma && tab >= semi:
		return '\t'
	case semi > comma && semi > tab:
		return ';'
	}
	return ','
}

// MaxColumns is the widest row accepted, Excel's own limit (XFD).
const MaxColumns = 16384

// maxFieldsPerLine counts separators per physical line; quoted separators
// are counted too, which only overestimates.
func maxFieldsPerLine(data []byte, sep byte) int {
	most, n := 0, 1
	for _, c := range data {
		switch c {
		case sep:
			n++
		case '\n':
			most, n = max(most, n), 1
		}
	}
	return max(most, n)
}

func readCSV(data []byte, opts Options) (*Sheet, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	comma := sniffDelimiter(text)
	// encoding/csv allocates a whole record at once, so bound the width
	// before parsing: 50 MiB of commas would otherwise become 800 MiB of
	// empty strings.
	if n := maxFieldsPerLine(text, byte(comma)); n > MaxColumns {
		return nil, fmt.Errorf("%w: more than %d columns", ErrTooLarge, MaxColumns)
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // ragged rows are padded later
	// Strict quotes: a lazy parser lets one stray quote swallow the rest of
	// the file into a single cell, which then fails in confusing ways.
	cr.LazyQuotes = false
	b := builder{opts: opts}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%w: CSV line %d: %v", ErrFormat, pe.StartLine, pe.Err)
			}
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		line, _ := cr.FieldPos(0)
		if err := b.add(line, rec); err != nil {
			return nil, err
		}
	}
	return b.sheet()
}
