package imports

import (
	"time"

	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// The instrument import's file format (internal/importer) as the
// marketplace's HTTP side sees it. The rows are written by the
// instruments service, which judges them against the stored instruments.

// KindInstruments is a unit's instrument list.
const KindInstruments = importer.KindInstruments

// InstrumentFile validates a unit's instrument file: every cell, each
// row with the catalogue's rules. It returns the rows as the instruments
// service takes them and the report; with any error in the report the
// rows must not be written.
func InstrumentFile(sheet *tabular.Sheet, regions *region.Catalogue, today time.Time) ([]instruments.ImportRow, Report) {
	errs, warns := importer.SheetProblems(sheet)
	if len(errs) > 0 {
		return nil, Report{Kind: KindInstruments, Rows: len(sheet.Rows), Errors: errs, Warnings: warns}
	}
	rows, rep := importer.Instruments(sheet, importer.InstrumentOptions{Regions: regions, Today: today})
	rep.Warnings = append(warns, rep.Warnings...)
	out := make([]instruments.ImportRow, len(rows))
	for i, r := range rows {
		out[i] = instruments.ImportRow{Line: r.Line, Instrument: r.Instrument, Item: r.Item, Column: r.Column}
	}
	return out, rep
}

// InstrumentTemplate is the header and example rows of an instrument
// file in lang.
func InstrumentTemplate(lang string) (header []string, example [][]string) {
	return importer.InstrumentTemplate(lang)
}

// InstrumentExport is a unit's instruments in the import's layout, with
// the prices in force on day (YYYY-MM-DD).
func InstrumentExport(lang string, ds []instruments.Detail, day string) (header []string, rows [][]string) {
	return importer.InstrumentExport(lang, ds, day)
}

// InstrumentTextColumns are the columns of the instrument layout a
// workbook keeps as text (asset numbers, class codes such as "01").
func InstrumentTextColumns() []int { return []int{0, 2} }
