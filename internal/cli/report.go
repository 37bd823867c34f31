package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/industrybrain/ibrain/internal/pdfprint"
	"github.com/industrybrain/ibrain/internal/scoreboard"
)

func runReport(ctx context.Context, args []string, std IO) error {
	if len(args) == 0 || args[0] != "scoreboard" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(std.Stderr, "Usage: ibrain report scoreboard --year YEAR [--format json|xlsx|html|pdf] [-o FILE]")
			return nil
		}
		return fmt.Errorf("%w: want 'report scoreboard'", errUsage)
	}
	fs, db := newFlags("report scoreboard", "--year YEAR [--format json|xlsx|html|pdf] [-o FILE]", std)
	year := fs.Int("year", 0, "results year; the task table is the following year's (required)")
	format := fs.String("format", "json", "json, xlsx, html or pdf (pdf prints the html with chromium)")
	out := fs.String("o", "", "output file (default standard output; required for xlsx)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *year == 0 {
		return fmt.Errorf("%w: --year is required", errUsage)
	}
	if *format != "json" && *format != "xlsx" && *format != "html" && *format != "pdf" {
		return fmt.Errorf("%w: --format must be json, xlsx, html or pdf", errUsage)
	}
	if (*format == "xlsx" || *format == "pdf") && *out == "" {
		return fmt.Errorf("%w: %s needs -o FILE", errUsage, *format)
	}
	printer := pdfprint.FromEnv()
	if *format == "pdf" {
		// Say so before any work: the PDF is the HTML printed by chromium.
		if err := printer.Available(); err != nil {
			return fmt.Errorf("%v; install it (apt-get install chromium fonts-noto-cjk) or set IBRAIN_CHROMIUM to a Chromium binary, or use --format html and print that", err)
		}
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	sb, err := a.Cockpit.Scoreboard(ctx, *year)
	if err != nil {
		return err
	}
	doc := scoreboard.FromStats(sb)
	return writeTo(*out, std.Stdout, func(w io.Writer) error {
		switch *format {
		case "xlsx":
			return doc.WriteXLSX(w)
		case "html":
			return doc.WriteHTML(w)
		case "pdf":
			var html bytes.Buffer
			if err := doc.WriteHTML(&html); err != nil {
				return err
			}
			pdf, err := printer.Print(ctx, html.Bytes())
			if err != nil {
				return err
			}
			_, err = w.Write(pdf)
			return err
		}
		return doc.WriteJSON(w)
	})
}

// writeTo writes to path (atomically, through a temporary file) or to
// stdout when path is empty.
func writeTo(path string, stdout io.Writer, fn func(w io.Writer) error) error {
	if path == "" {
		return fn(stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ibrain-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
