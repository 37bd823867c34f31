package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/imports"
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
	sheet, err := imports.Read(f, filepath.Base(path), imports.ReadOptions(*kind))
	var rej *imports.Rejected
	if errors.As(err, &rej) {
		return invalidFile(std.Stderr, *lang, path, rej.Report)
	}
	if err != nil {
		return err
	}
	bar := newProgress(std.Stderr, msg(*lang, "cli.import.writing"))
	rep, res, err := a.Imports.Run(ctx, sheet, imports.Options{Kind: *kind, Scope: auth.All(), By: "cli", DryRun: *dryRun, Progress: bar.Set})
	bar.Done()
	if err != nil {
		return err
	}
	if !rep.OK() {
		return invalidFile(std.Stderr, *lang, path, rep)
	}
	printWarnings(std.Stderr, *lang, rep)
	switch {
	case *dryRun && imports.Merging(*kind):
		// The merging kinds count in a rolled-back transaction what an
		// import would change.
		fmt.Fprintf(std.Stdout, "%s: %d rows valid; nothing written (--check) — would insert %d, update %d, leave %d unchanged\n",
			path, rep.Rows, res.Inserted, res.Updated, res.Unchanged)
	case *dryRun:
		fmt.Fprintf(std.Stdout, "%s: %d rows valid; nothing written (--check)\n", path, rep.Rows)
	default:
		fmt.Fprintf(std.Stdout, "%s: %d rows in %s — %d inserted, %d updated, %d unchanged\n",
			path, rep.Rows, time.Since(start).Round(time.Millisecond), res.Inserted, res.Updated, res.Unchanged)
	}
	return nil
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
