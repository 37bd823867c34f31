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
	"io/fs"
	"path/filepath"
	"slices"
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
	// ErrUnpacked is a workbook whose parts add up to more than
	// Options.UnzipSizeLimit (a zip bomb, or a sheet far beyond any import).
	ErrUnpacked = fmt.Errorf("%w: workbook unpacks too large", ErrFormat)
	// ErrQuote is a CSV quote that does not pair up; it comes as a
	// *LineError naming the line where the quoted field starts.
	ErrQuote = fmt.Errorf("%w: unbalanced quote", ErrFormat)
	// ErrDecimalComma is a number with a comma in a CSV separated by
	// semicolons or tabs, the European layout where the comma is the
	// decimal mark: "1234,56" cannot be told from 123456. It comes as a
	// *LineError with the cell.
	ErrDecimalComma = errors.New("tabular: decimal comma")
	// ErrNoVisibleSheet is a workbook whose worksheets are all hidden.
	ErrNoVisibleSheet = fmt.Errorf("%w: no visible worksheet", ErrFormat)
)

// LineError locates a problem of the file: the 1-based line (CSV) or row
// (XLSX) and the offending text.
type LineError struct {
	Err   error
	Line  int
	Value string
}

func (e *LineError) Error() string {
	return fmt.Sprintf("%v: line %d: %q", e.Err, e.Line, e.Value)
}

func (e *LineError) Unwrap() error { return e.Err }

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
	// Sheets names the worksheets to prefer, as the import templates name
	// them; matched case-insensitively. Without a visible match the first
	// visible worksheet is read.
	Sheets []string
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

// Sheet is the worksheet read (or the whole CSV): the header row and the
// data rows after it, all padded to the same width, and what the reading
// decided that the user should be told.
type Sheet struct {
	Header     []string
	HeaderLine int // 1-based line of the header, for errors about columns
	Rows       []Row
	// Titles are the rows above the header that hold one cell each, such
	// as "2024年3月规上工业企业月报": a title, not the header.
	Titles []Row

	Delimiter rune // CSV: the separator sniffed
	// XLSX: the worksheet read, how many the workbook has, and the hidden
	// ones (never read).
	SheetName  string
	SheetCount int
	Hidden     []string
	// Merged lists the merged cell ranges of the worksheet read. Only the
	// first cell of a range holds its value; the others read as empty.
	Merged []Merged
}

// Merged is a merged cell range, such as "C3:C10".
type Merged struct {
	Ref                 string
	FirstLine, LastLine int
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
	data, err := readAll(r, opts.MaxBytes+1)
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

// readAll reads r to its end or to limit bytes. io.ReadAll grows its
// buffer from 512 bytes by doubling, copying and clearing every size on
// the way: a quarter of reading a 9 MB CSV. A reader that knows its
// length (a file, an in-memory upload) is read into one buffer of that
// size; another in chunks of growing size, joined once.
func readAll(r io.Reader, limit int64) ([]byte, error) {
	size := int64(-1)
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	r = io.LimitReader(r, limit)
	if size >= 0 {
		// One byte more than expected, so the end is seen without
		// growing; a reader longer than it said grows as usual.
		buf := make([]byte, 0, min(size, limit)+1)
		for {
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return nil, err
			}
			if len(buf) == cap(buf) {
				buf = slices.Grow(buf, len(buf))
			}
		}
	}
	var chunks [][]byte
	total, next := 0, 64<<10
	for {
		c := make([]byte, next)
		n, err := io.ReadFull(r, c)
		chunks = append(chunks, c[:n])
		total += n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		next = min(2*next, 4<<20)
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

// maxTitleRows bounds the one-cell rows taken as titles above a header.
const maxTitleRows = 5

// builder collects rows as they are read and enforces the row and cell
// limits early, so a hostile file is rejected before it is fully in memory.
type builder struct {
	opts   Options
	header []string
	hline  int
	rows   []Row
	titles []Row // one-cell rows before the header, while it is not known
	width  int
	cells  int // unpadded cells kept so far
}

// add trims the cells of one row and keeps it unless it is empty. The slice
// is modified in place and retained.
func (b *builder) add(line int, cells []string) error {
	last, filled := -1, 0
	for i, c := range cells {
		c = unescapeCell(trimCell(c))
		cells[i] = c
		if c != "" {
			last = i
			filled++
		}
	}
	if last < 0 {
		return nil
	}
	cells = cells[:last+1]
	if b.header == nil {
		// A report form often starts with a title row, merged across the
		// table; taken as the header it would make every column
		// "missing". A row of one cell is held back until a wider row
		// shows the real header. No import has a one-column header.
		if filled == 1 && len(b.titles) < maxTitleRows {
			b.titles = append(b.titles, Row{Line: line, Cells: cells})
			return nil
		}
		if filled == 1 {
			// Too many one-cell rows to be titles: the first was the
			// header after all.
			if err := b.untitle(); err != nil {
				return err
			}
			return b.add(line, cells)
		}
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
	if b.header == nil && len(b.titles) > 0 {
		if err := b.untitle(); err != nil {
			return nil, err
		}
	}
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
	s := &Sheet{Header: pad(b.header), HeaderLine: b.hline, Rows: b.rows, Titles: b.titles}
	for i := range s.Rows {
		s.Rows[i].Cells = pad(s.Rows[i].Cells)
	}
	return s, nil
}

// untitle makes the held one-cell rows the header and data rows they were.
func (b *builder) untitle() error {
	held := b.titles
	b.titles = nil
	first := held[0]
	b.header, b.hline, b.width = first.Cells, first.Line, len(first.Cells)
	for _, r := range held[1:] {
		if err := b.add(r.Line, r.Cells); err != nil {
			return err
		}
	}
	return nil
}

// unescapeCell undoes SafeCell: the apostrophe an export put before "=公司"
// is not part of the name, so an export imported back changes nothing.
// Only the exact form SafeCell writes is undone.
func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && SafeCell(s[1:]) == s {
		return s[1:]
	}
	return s
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
