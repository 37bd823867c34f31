package digital

import (
	"context"
	"slices"
	"strings"

	"github.com/industrybrain/ibrain/internal/auth"
)

// SheetImport is what ImportSheet did: the projects parsed, the rows
// refused (then nothing is written) and the write's counts.
type SheetImport struct {
	Rows     int
	Problems []RowError
	Result   ImportResult
}

// ImportSheetOptions tune ImportSheet.
type ImportSheetOptions struct {
	By     string // who imports
	DryRun bool   // check every row, write nothing
}

// ImportSheet checks a project sheet (header and rows, as read by
// internal/tabular) against the rules, resolving credit codes in scope,
// and writes it all or nothing unless opts.DryRun. Row problems are in the
// answer, not the error; the error is the store's.
func (s *Service) ImportSheet(ctx context.Context, sc auth.Scope, header []string, rows []ImportRow, opts ImportSheetOptions) (SheetImport, error) {
	var out SheetImport
	ci := -1
	for i, h := range header {
		for _, col := range ImportColumns() {
			if col.Code == "credit_code" && (strings.EqualFold(strings.TrimSpace(h), col.Code) || strings.TrimSpace(h) == col.Zh) {
				ci = i
			}
		}
	}
	var codes []string
	for _, row := range rows {
		if ci >= 0 && ci < len(row.Cells) {
			codes = append(codes, strings.ToUpper(strings.TrimSpace(row.Cells[ci])))
		}
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)
	ids, err := s.FirmIDs(ctx, sc, codes)
	if err != nil {
		return out, err
	}
	ps, problems := ParseProjectRows(s.rules, header, rows, ids)
	out.Rows, out.Problems = len(ps), problems
	if len(problems) > 0 || opts.DryRun {
		return out, nil
	}
	out.Result, err = s.Import(ctx, sc, ps, opts.By)
	return out, err
}
