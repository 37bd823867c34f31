package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

func runExport(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("export", "--kind enterprises|reports --year YEAR [--format xlsx|csv] [--region CODE] [--lang zh-CN|en] -o FILE", std)
	kind := fs.String("kind", "", "enterprises or reports (required)")
	year := fs.Int("year", 0, "statistical year (enterprises: latest when 0; reports: required)")
	regionCode := fs.String("region", "", "only this district or zone")
	format := fs.String("format", "xlsx", "xlsx or csv (UTF-8 with BOM, opens in Excel)")
	lang := fs.String("lang", "zh-CN", "header language: zh-CN or en")
	out := fs.String("o", "", "output file (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kind != "enterprises" && *kind != "reports" {
		return fmt.Errorf("%w: --kind must be enterprises or reports", errUsage)
	}
	if *format != "xlsx" && *format != "csv" {
		return fmt.Errorf("%w: --format must be xlsx or csv", errUsage)
	}
	if *out == "" {
		return fmt.Errorf("%w: -o FILE is required", errUsage)
	}
	if *kind == "reports" && *year == 0 {
		return fmt.Errorf("%w: reports need --year", errUsage)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	var header []string
	var rows [][]string
	if *kind == "enterprises" {
		header, rows, err = enterpriseTable(ctx, a.Registry, *lang, registry.Filter{Year: *year, RegionCode: *regionCode})
	} else {
		header, rows, err = reportTable(ctx, a.Store, *lang, sqlstore.ReportFilter{Year: *year, RegionCode: *regionCode})
	}
	if err != nil {
		return err
	}
	err = writeTo(*out, std.Stdout, func(w io.Writer) error {
		if *format == "csv" {
			return tabular.WriteCSV(w, header, rows)
		}
		// The code columns stay Text, so an edited export keeps its codes.
		return tabular.WriteXLSXWith(w, *kind, header, rows, tabular.XLSXOptions{TextColumns: imports.TemplateTextColumns(*kind)})
	})
	if err == nil {
		fmt.Fprintf(std.Stdout, "%s: %d rows\n", *out, len(rows))
	}
	return err
}

// enterpriseTable exports enterprises in the import template's columns, so
// an export can be edited and imported back.
func enterpriseTable(ctx context.Context, svc *registry.Service, lang string, f registry.Filter) ([]string, [][]string, error) {
	header, _ := importer.EnterpriseTemplate(lang)
	items, _, err := svc.Export(ctx, auth.All(), f, 0)
	if err != nil {
		return nil, nil, err
	}
	rows := make([][]string, 0, len(items))
	for _, e := range items {
		above := msg(lang, "cli.export.no")
		if e.AboveScale {
			above = msg(lang, "cli.export.yes")
		}
		rows = append(rows, []string{e.CreditCode, e.Name, e.RegionCode, e.IndustryCode, e.Founded.Format("2006-01-02"),
			unit.FormatScaled(int64(e.LandArea), 100), strconv.Itoa(e.Year), above, strconv.Itoa(e.Employees),
			unit.FormatScaled(int64(e.Revenue), int64(unit.Wan))})
	}
	return header, rows, nil
}

// reportTable exports reports in the import template's columns and units.
func reportTable(ctx context.Context, st *sqlstore.Store, lang string, f sqlstore.ReportFilter) ([]string, [][]string, error) {
	header, _ := importer.ReportTemplate(lang)
	var rows [][]string
	err := st.EachReport(ctx, auth.All(), f, func(r sqlstore.ReportRow) error {
		row := make([]string, 0, 2+int(report.NumFields))
		row = append(row, r.CreditCode, r.Period.String())
		for i, fi := range report.Fields {
			row = append(row, unit.FormatScaled(r.Values[i], fi.FileScale))
		}
		rows = append(rows, row)
		return nil
	})
	return header, rows, err
}
