// Package cli implements the ibrain command line: one flag.FlagSet per
// subcommand, each in its own file.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/i18n"
)

// IO carries the process streams, so tests can run commands in-process.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, std IO) error
}

func commands() []command {
	return []command{
		{"serve", "run the web platform (creates and seeds an embedded database on first start)", runServe},
		{"migrate", "apply database migrations and sync reference data", runMigrate},
		{"demo", "generate the deterministic synthetic Chongqing dataset (--instance sc: Sichuan's) and demo accounts; 'demo federation' starts both side by side", runDemo},
		{"import", msg(i18n.ZH, "cli.cmd.import"), runImport},
		{"export", "export enterprises or monthly reports to XLSX/CSV", runExport},
		{"report", msg(i18n.ZH, "cli.cmd.report"), runReport},
		{"mujun", msg(i18n.ZH, "cli.cmd.mujun"), runMujun},
		{"listing", msg(i18n.ZH, "cli.cmd.listing"), runListing},
		{"evaluate", msg(i18n.ZH, "cli.cmd.evaluate"), runEvaluate},
		{"digital", msg(i18n.ZH, "cli.cmd.digital"), runDigital},
		{"user", "create, list, reset, disable and enable accounts", runUser},
		{"audit", "verify, export and archive the audit trail", runAudit},
		{"summaries", "check the statistical summaries against a rebuild from the reports, or rebuild them", runSummaries},
		{"peer", "federation: make a key, add, list and check peers", runPeer},
		{"version", "print the version", runVersion},
	}
}

// errUsage marks errors that should print the command's usage.
var errUsage = errors.New("usage")

// exitError carries a specific exit code (e.g. 2 for invalid import files).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, std IO) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Main(ctx, []string{args[1], "-h"}, std)
		}
		usage(std.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], std)
		var ee *exitError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(std.Stderr, "ibrain %s: %v\nRun 'ibrain %s -h' for usage.\n", c.name, err, c.name)
			return 2
		case errors.As(err, &ee):
			if ee.msg != "" {
				fmt.Fprintln(std.Stderr, ee.msg)
			}
			return ee.code
		default:
			fmt.Fprintf(std.Stderr, "ibrain %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(std.Stderr, "ibrain: unknown command %q\n\n", args[0])
	usage(std.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, msg(i18n.ZH, "cli.usage.title"))
	fmt.Fprintln(w, "\nUsage: ibrain <command> [flags]\n\nCommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  help      show help for a command: ibrain help <command>")
	fmt.Fprintln(w, "\nEnvironment:")
	fmt.Fprintln(w, "  IBRAIN_DB         database: sqlite:PATH (default "+app.DefaultDB+") or postgres://…")
	fmt.Fprintln(w, "  IBRAIN_ADDR       listen address for serve (default "+app.DefaultAddr+")")
	fmt.Fprintln(w, "  IBRAIN_LOG_LEVEL  debug, info (default), warn or error")
}

// newFlags returns a FlagSet with the shared --db flag and a usage text.
func newFlags(name, synopsis string, std IO) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(std.Stderr)
	db := fs.String("db", app.FromEnv("IBRAIN_DB", app.DefaultDB), "database: sqlite:PATH or postgres://user@host/db (env IBRAIN_DB)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: ibrain %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs, db
}

// newPlainFlags returns a FlagSet without the --db flag.
func newPlainFlags(name, synopsis string, std IO) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(std.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: ibrain %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func logger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(os.Getenv("IBRAIN_LOG_LEVEL")) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

func openApp(ctx context.Context, db string, std IO) (*app.App, error) {
	return app.Open(ctx, app.Config{DB: db, Logger: logger(std.Stderr), AuditKeyFile: app.FromEnv("IBRAIN_AUDIT_KEY_FILE", "")})
}

func runMigrate(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("migrate", "[flags]", std)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(std.Stdout, "database is up to date (%s)\n", a.Store.Engine())
	return nil
}
