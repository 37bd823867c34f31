// Package importer validates the rows of an uploaded enterprise list or
// monthly report file into domain values. Every row is checked and every
// problem collected, each with its line, column and a message key, so a
// bureau can fix a whole file in one round. It holds no database code:
// lookups arrive as function fields.
package importer

import (
	"cmp"
	"errors"
	"slices"

	"github.com/industrybrain/ibrain/internal/tabular"
)

// Import kinds, as used in Report.Kind and by the CLI's --kind.
const (
	KindEnterprises = "enterprises"
	KindReports     = "reports"
)

// RowError is one problem found in a file. Key names a message in
// Messages(); Args fill its verbs in both languages.
type RowError struct {
	Line   int    // 1-based line/row in the file; the header line for column problems
	Column string // header text as written in the file; empty for file-level problems
	Key    string // e.g. "import.err.credit_code_checksum"
	Args   []any
	Value  string // the offending cell, as read
}

// Report summarises one validation run. Only a report without Errors may be
// written; Warnings are shown but do not block.
type Report struct {
	Kind     string
	Rows     int // data rows read
	Errors   []RowError
	Warnings []RowError
}

// OK reports whether the file may be written.
func (r *Report) OK() bool { return len(r.Errors) == 0 }

func (r *Report) errorf(line int, column, key, value string, args ...any) {
	r.Errors = append(r.Errors, RowError{Line: line, Column: column, Key: key, Args: args, Value: value})
}

func (r *Report) warnf(line int, column, key, value string, args ...any) {
	r.Warnings = append(r.Warnings, RowError{Line: line, Column: column, Key: key, Args: args, Value: value})
}

// sort orders problems by line; problems of one line keep the column order
// in which they were found.
func (r *Report) sort() {
	byLine := func(a, b RowError) int { return cmp.Compare(a.Line, b.Line) }
	slices.SortStableFunc(r.Errors, byLine)
	slices.SortStableFunc(r.Warnings, byLine)
}

// FileError turns a tabular.Read error into a message key and args, so a
// file that cannot be read is reported like any other import problem. The
// second result is false for errors that are not about the file (I/O).
func FileError(err error, opts tabular.Options) (RowError, bool) {
	d := tabular.DefaultOptions()
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = d.MaxBytes
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = d.MaxRows
	}
	var le *tabular.LineError
	errors.As(err, &le)
	switch {
	case errors.Is(err, tabular.ErrQuote) && le != nil:
		return RowError{Line: le.Line, Key: KeyFileQuote, Args: []any{le.Line}, Value: le.Value}, true
	case errors.Is(err, tabular.ErrDecimalComma) && le != nil:
		return RowError{Line: le.Line, Key: KeyFileDecimalComma, Args: []any{le.Line, le.Value}, Value: le.Value}, true
	case errors.Is(err, tabular.ErrUnpacked):
		limit := opts.UnzipSizeLimit
		if limit <= 0 {
			limit = d.UnzipSizeLimit
		}
		return RowError{Key: KeyFileUnpacked, Args: []any{limit >> 20}}, true
	case errors.Is(err, tabular.ErrNoVisibleSheet):
		return RowError{Key: KeyFileNoVisibleSheet}, true
	case errors.Is(err, tabular.ErrTooLarge):
		return RowError{Key: KeyFileTooLarge, Args: []any{opts.MaxBytes >> 20}}, true
	case errors.Is(err, tabular.ErrTooManyRows):
		return RowError{Key: KeyFileTooManyRows, Args: []any{opts.MaxRows}}, true
	case errors.Is(err, tabular.ErrEmpty):
		return RowError{Key: KeyFileEmpty}, true
	case errors.Is(err, tabular.ErrFormat):
		return RowError{Key: KeyFileFormat}, true
	}
	return RowError{}, false
}

// padded returns s with every row at least as wide as the header. Sheets
// from tabular.Read already are; one built by hand may not be, and must not
// make the validators index out of range.
func padded(s *tabular.Sheet) *tabular.Sheet {
	w := len(s.Header)
	ragged := false
	for _, r := range s.Rows {
		if len(r.Cells) < w {
			ragged = true
			break
		}
	}
	if !ragged {
		return s
	}
	c := *s
	c.Rows = make([]tabular.Row, len(s.Rows))
	for i, r := range s.Rows {
		if len(r.Cells) < w {
			cells := make([]string, w)
			copy(cells, r.Cells)
			r.Cells = cells
		}
		c.Rows[i] = r
	}
	return &c
}
