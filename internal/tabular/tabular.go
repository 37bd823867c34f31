// Package tabular reads uploaded spreadsheets (XLSX, or CSV in UTF-8, UTF-8
// with BOM, GBK/GB18030 or UTF-16) into trimmed text cells under explicit
// size limits, and writes CSV and XLSX exports that cannot inject formulas.
//
// Cells come back as text; deciding what a cell means (a number, a date, a
// code) is the importer's job, so numbers are returned as the digits the user
// typed rather than as formatted floats.
package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Typed errors; callers match them with errors.Is to pick a user message.
var (
	ErrTooLarge    = errors.New("tabular: file too large")
	ErrTooManyRows = errors.New("tabular: too many rows")
	ErrEmpty       = errors.New("tabular: file has no non-empty row")
	ErrFormat      = errors.New("tabular: unreadable file")
)

// Options bounds the resources one read may use. A zero field means the
// corresponding DefaultOptions value, so a partially filled literal is safe.
type Options struct {
	MaxBytes          int64 // upload size cap, bytes as received
	MaxRows           int   // data rows, header excluded
	UnzipSizeLimit    int64 // XLSX: total unpacked size of all parts
	UnzipXMLSizeLimit int64 // XLSX: parts above this are unpacked to a temp file, not memory
	// MaxCells caps rows × width after padding. Without it a small file of
	// one-cell rows under a 16 384-column header would pad to gigabytes.
	MaxCells int
}

// DefaultOptions returns limits suited to a city-wide import: 50 MiB upload,
// 500k rows, 200 MiB unpacked XLSX, 16 MiB of XML held in memory.
func DefaultOptions() Options {
	return Options{
		MaxBytes:          50 << 20,
		MaxRows:           500_000,
		UnzipSizeLimit:    200 << 20,
		UnzipXMLSizeLimit: 16 << 20,
		MaxCells:          20_000_000,
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxBytes <= 0 {
		o.MaxBytes = d.MaxBytes
	}
	if o.MaxRows <= 0 {
		o.MaxRows = d.MaxRows
	}
	if o.UnzipSizeLimit <= 0 {
		o.UnzipSizeLimit = d.UnzipSizeLimit
	}
	if o.UnzipXMLSizeLimit <= 0 {
		o.UnzipXMLSizeLimit = d.UnzipXMLSizeLimit
	}
	// excelize rejects an XML limit above the total limit.
	o.UnzipXMLSizeLimit = min(o.UnzipXMLSizeLimit, o.UnzipSizeLimit)
	if o.MaxCells <= 0 {
		o.MaxCells = d.MaxCells
	}
	return o
}

// Sheet is the first worksheet of a file (or the whole CSV): the header row
// and the data rows after it, all padded to the same width.
type Sheet struct {
	Header     []string
	HeaderLine int // 1-based line of the header, for errors about columns
	Rows       []Row
}

// Row is one non-empty data row.
type Row struct {
	Line  int // 1-based line (CSV) or row number (XLSX) as the user sees it
	Cells []string
}

// Format names the detected file format.
type Format string

// Detected formats.
const (
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
)

var (
	zipMagic = []byte("PK\x03\x04")
	// An empty zip starts with the end-of-central-directory record.
	zipEmptyMagic = []byte("PK\x05\x06")
	// OLE2 compound file: legacy .xls or a password-protected .xlsx.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Read reads the file at most opts.MaxBytes long. The format is decided by
// the content (zip magic → XLSX), not the name, because users rename files;
// the name only turns a non-zip ".xlsx" into a clear format error instead of
// a CSV of binary noise.
func Read(r io.Reader, filename string, opts Options) (*Sheet, error) {
	opts = opts.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, opts.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("tabular: reading upload: %w", err)
	}
	if int64(len(data)) > opts.MaxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, opts.MaxBytes)
	}
	switch {
	case bytes.HasPrefix(data, zipMagic), bytes.HasPrefix(data, zipEmptyMagic):
		return readXLSX(data, opts)
	case bytes.HasPrefix(data, oleMagic):
		return nil, fmt.Errorf("%w: legacy .xls or encrypted workbook; save it as .xlsx or CSV", ErrFormat)
	}
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".xlsx", ".xlsm", ".xls":
		return nil, fmt.Errorf("%w: %s is not a valid XLSX file", ErrFormat, filepath.Base(filename))
	}
	return readCSV(data, opts)
}

// builder collects rows as they are read and enforces the row and cell
// limits early, so a hostile file is rejected before it is fully in memory.
type builder struct {
	opts   Options
	header []string
	hline  int
	rows   []Row
	width  int
	cells  int // unpadded cells kept so far
}

// add trims the cells of one row and keeps it unless it is empty. The slice
// is modified in place and retained.
func (b *builder) add(line int, cells []string) error {
	last := -1
	for i, c := range cells {
		c = trimCell(c)
		cells[i] = c
		if c != "" {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	cells = cells[:last+1]
	if b.header == nil {
		b.header, b.hline, b.width = cells, line, len(cells)
		return nil
	}
	if len(b.rows) >= b.opts.MaxRows {
		return fmt.Errorf("%w: more than %d data rows", ErrTooManyRows, b.opts.MaxRows)
	}
	b.width = max(b.width, len(cells))
	b.cells += len(cells)
	// Padding will cost width cells per row; check now rather than after
	// the whole file has been held.
	if (len(b.rows)+2)*b.width > b.opts.MaxCells || b.cells > b.opts.MaxCells {
		return fmt.Errorf("%w: more than %d cells", ErrTooLarge, b.opts.MaxCells)
	}
	b.rows = append(b.rows, Row{Line: line, Cells: cells})
	return nil
}

// sheet pads every row to the common width. Short rows are re-sliced from
// one backing array so padding costs one allocation, not one per row.
func (b *builder) sheet() (*Sheet, error) {
	if b.header == nil {
		return nil, ErrEmpty
	}
	w := b.width
	short := 0
	for _, r := range b.rows {
		if len(r.Cells) < w {
			short++
		}
	}
	if len(b.header) < w {
		short++
	}
	backing := make([]string, short*w)
	pad := func(c []string) []string {
		if len(c) == w {
			return c
		}
		p := backing[:w:w]
		backing = backing[w:]
		copy(p, c)
		return p
	}
	s := &Sheet{Header: pad(b.header), HeaderLine: b.hline, Rows: b.rows}
	for i := range s.Rows {
		s.Rows[i].Cells = pad(s.Rows[i].Cells)
	}
	return s, nil
}

// trimCell removes surrounding white space, including the ideographic space
// of Chinese input methods and stray BOMs from concatenated files.
func trimCell(s string) string {
	if s == "" {
		return s
	}
	// Fast path: most cells have nothing to trim.
	if first, last := s[0], s[len(s)-1]; first > ' ' && first < utf8.RuneSelf && last > ' ' && last < utf8.RuneSelf {
		return s
	}
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}
