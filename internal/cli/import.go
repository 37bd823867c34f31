package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
)

func runImport(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("import", "--kind enterprises|reports|profiles|mujun-facts|listing [--check] [--lang zh-CN|en] FILE", std)
	kind := fs.String("kind", "", msg(i18n.ZH, "cli.flag.import_kind"))
	lang := fs.String("lang", "zh-CN", "language of the error report: zh-CN or en")
	dryRun := fs.Bool("check", false, "validate only; write nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !slices.Contains(importer.Kinds, *kind) || fs.NArg() != 1 {
		return fmt.Errorf("%w: need --kind enterprises|reports|profiles|mujun-facts|listing and one FILE", errUsage)
	}
	if *lang != "zh-CN" && *lang != "en" {
		return fmt.Errorf("%w: --lang must be zh-CN or en", errUsage)
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()

	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()

	start := time.Now()
	opts := tabular.DefaultOptions()
	sheet, err := tabular.Read(f, filepath.Base(path), opts)
	if err != nil {
		if re, ok := importer.FileError(err, opts); ok {
			return invalidFile(std.Stderr, *lang, path, importer.Report{Kind: *kind, Errors: []importer.RowError{re}})
		}
		return err
	}
	bar := newProgress(std.Stderr, msg(*lang, "cli.import.writing"))
	if imports.Merging(*kind) {
		return runMergeImport(ctx, a, sheet, std, bar, mergeImport{kind: *kind, lang: *lang, path: path, dryRun: *dryRun, start: start})
	}
	var res sqlstore.UpsertResult
	var rep importer.Report
	switch *kind {
	case "enterprises":
		var rows []importer.EnterpriseRow
		rows, rep = importer.Enterprises(sheet, importer.EnterpriseOptions{Regions: a.Ref.Regions, ValidIndustry: validIndustry(a)})
		if !rep.OK() {
			return invalidFile(std.Stderr, *lang, path, rep)
		}
		if *dryRun {
			break
		}
		in := make([]sqlstore.EnterpriseWithYear, len(rows))
		for i, r := range rows {
			in[i] = sqlstore.EnterpriseWithYear{Enterprise: r.Enterprise, Year: r.Year}
		}
		bar.Set(0, len(in))
		res, err = a.Store.UpsertEnterprises(ctx, in)
		bar.Set(len(in), len(in))
	case "reports":
		ids, err := a.Store.EnterpriseIDs(ctx)
		if err != nil {
			return err
		}
		rows, r := importer.Reports(sheet, importer.ReportOptions{EnterpriseID: func(code string) (int64, bool) { id, ok := ids[code]; return id, ok }})
		rep = r
		if !rep.OK() {
			return invalidFile(std.Stderr, *lang, path, rep)
		}
		if *dryRun {
			break
		}
		res, err = a.Store.ImportReports(ctx, rows, sqlstore.WriteOptions{Progress: bar.Set})
		if err != nil {
			bar.Done()
			return err
		}
	}
	bar.Done()
	if err != nil {
		return err
	}
	printWarnings(std.Stderr, *lang, rep)
	if *dryRun {
		fmt.Fprintf(std.Stdout, "%s: %d rows valid; nothing written (--check)\n", path, rep.Rows)
		return nil
	}
	fmt.Fprintf(std.Stdout, "%s: %d rows in %s — %d inserted, %d updated, %d unchanged\n",
		path, rep.Rows, time.Since(start).Round(time.Millisecond), res.Inserted, res.Updated, res.Unchanged)
	return nil
}

// mergeImport is what runMergeImport needs from the command line.
type mergeImport struct {
	kind, lang, path string
	dryRun           bool
	start            time.Time
}

// runMergeImport imports a yearly facts or listing events file: every row
// is validated, merged with what is stored and checked again in one
// transaction; --check rolls that transaction back and says what an import
// would do.
func runMergeImport(ctx context.Context, a *app.App, sheet *tabular.Sheet, std IO, bar *progress, m mergeImport) error {
	rep, res, err := imports.Run(ctx, a.Store, sheet, imports.Options{Kind: m.kind, Scope: auth.All(), By: "cli", DryRun: m.dryRun, Progress: bar.Set})
	bar.Done()
	if err != nil {
		return err
	}
	if !rep.OK() {
		return invalidFile(std.Stderr, m.lang, m.path, rep)
	}
	printWarnings(std.Stderr, m.lang, rep)
	if m.dryRun {
		fmt.Fprintf(std.Stdout, "%s: %d rows valid; nothing written (--check) — would insert %d, update %d, leave %d unchanged\n",
			m.path, rep.Rows, res.Inserted, res.Updated, res.Unchanged)
		return nil
	}
	fmt.Fprintf(std.Stdout, "%s: %d rows in %s — %d inserted, %d updated, %d unchanged\n",
		m.path, rep.Rows, time.Since(m.start).Round(time.Millisecond), res.Inserted, res.Updated, res.Unchanged)
	return nil
}

// validIndustry accepts the 4-digit industrial classes of GB/T 4754-2017.
func validIndustry(a *app.App) func(string) bool {
	return func(code string) bool {
		c, ok := a.Ref.Industries.Lookup(code)
		return ok && len(c.Code) == 4
	}
}

// invalidFile prints every error of the report and returns exit code 1:
// nothing was written.
func invalidFile(w io.Writer, lang, path string, rep importer.Report) error {
	fmt.Fprintf(w, "%s: %d errors; nothing was written.\n", path, len(rep.Errors))
	for _, e := range rep.Errors {
		fmt.Fprintln(w, "  "+formatRowError(lang, e))
	}
	printWarnings(w, lang, rep)
	return &exitError{code: 1}
}

func printWarnings(w io.Writer, lang string, rep importer.Report) {
	for _, e := range rep.Warnings {
		fmt.Fprintln(w, "  warning: "+formatRowError(lang, e))
	}
}

// formatRowError renders "row 12, column 报告期: reason (value)".
func formatRowError(lang string, e importer.RowError) string {
	msgs := importer.Messages()
	text := e.Key
	if m, ok := msgs[e.Key]; ok {
		if lang == "en" {
			text = fmt.Sprintf(m[1], e.Args...)
		} else {
			text = fmt.Sprintf(m[0], e.Args...)
		}
	}
	where := ""
	switch {
	case e.Line > 0 && e.Column != "":
		where = msg(lang, "cli.import.where_cell", e.Line, e.Column)
	case e.Line > 0:
		where = msg(lang, "cli.import.where_row", e.Line)
	}
	if e.Value != "" {
		text += msg(lang, "cli.import.value", e.Value)
	}
	return where + text
}
