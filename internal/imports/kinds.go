package imports

import (
	"io"

	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// What callers of the imports see of the file formats (internal/importer),
// so an HTTP or CLI adapter needs no other adapter.

// The import kinds.
const (
	KindEnterprises = importer.KindEnterprises
	KindReports     = importer.KindReports
	KindProfiles    = importer.KindProfiles
	KindMujunFacts  = importer.KindMujunFacts
	KindListing     = importer.KindListing
)

// Kinds lists every import kind in the order pages and help show them.
var Kinds = importer.Kinds

type (
	// Report is an import's outcome: rows read, errors (any error means
	// nothing was written) and warnings.
	Report = importer.Report
	// RowError is one problem of a file, as a message key with arguments.
	RowError = importer.RowError
	// Rejected is the error of a file refused as a whole.
	Rejected = importer.Rejected
)

// Template returns the header and example rows of kind in lang; ok is
// false for an unknown kind.
func Template(kind, lang string) (header []string, example [][]string, ok bool) {
	return importer.Template(kind, lang)
}

// TemplateTextColumns are the code columns of kind's template, to be
// formatted as Text in a workbook.
func TemplateTextColumns(kind string) []int { return importer.TemplateTextColumns(kind) }

// FileProblem turns a tabular.Read error about the file itself (too
// large, too many rows, empty, not XLSX or CSV) into a report with that
// one error; ok is false for errors that are not the file's (I/O).
func FileProblem(err error, opts tabular.Options) (rep Report, ok bool) {
	re, ok := importer.FileError(err, opts)
	if !ok {
		return Report{}, false
	}
	return Report{Errors: []RowError{re}}, true
}

// ReadOptions returns the reading limits for a file of kind: the default
// limits, preferring the worksheet the kind's template names.
func ReadOptions(kind string) tabular.Options {
	o := tabular.DefaultOptions()
	o.Sheets = []string{kind}
	return o
}

// Read reads an import file. A file that cannot be used is refused like
// any other import problem: the error is a *Rejected whose report says
// why. Other errors are returned as they are.
func Read(r io.Reader, filename string, opts tabular.Options) (*tabular.Sheet, error) {
	sheet, err := tabular.Read(r, filename, opts)
	if err != nil {
		if rep, ok := FileProblem(err, opts); ok {
			return nil, &Rejected{Report: rep}
		}
		return nil, err
	}
	return sheet, nil
}
