package importer

import (
	"strings"

	"github.com/industrybrain/ibrain/internal/tabular"
)

// SheetProblems reports what reading s decided that the user must know,
// before any row is validated: which worksheet of a workbook was read and
// which hidden ones were not (warnings), the title rows skipped above the
// header (warnings), and merged cells over the header or the data
// (errors). A merged range holds its value in its first cell only, so
// every other cell of it reads as empty; validating the rows would bury
// the cause under one empty-cell error per cell, so a caller with errors
// here should report them alone.
func SheetProblems(s *tabular.Sheet) (errs, warns []RowError) {
	if s == nil {
		return nil, nil
	}
	if s.SheetCount > 1 {
		warns = append(warns, RowError{Key: KeySheetRead, Args: []any{s.SheetName, s.SheetCount}, Value: s.SheetName})
	}
	if len(s.Hidden) > 0 {
		names := strings.Join(s.Hidden, ", ")
		warns = append(warns, RowError{Key: KeyHiddenSheets, Args: []any{names}, Value: names})
	}
	for _, t := range s.Titles {
		warns = append(warns, RowError{Line: t.Line, Key: KeyTitleRow, Args: []any{s.HeaderLine}, Value: firstFilled(t.Cells)})
	}
	for _, m := range s.Merged {
		if m.LastLine < s.HeaderLine {
			continue // a title merged across the table
		}
		errs = append(errs, RowError{Line: m.FirstLine, Key: KeyMergedCells, Args: []any{m.Ref}, Value: m.Ref})
	}
	return errs, warns
}

func firstFilled(cells []string) string {
	for _, c := range cells {
		if c != "" {
			return c
		}
	}
	return ""
}
