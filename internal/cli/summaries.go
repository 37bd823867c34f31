package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// runSummaries checks or rebuilds the statistical summaries (agg_month and
// its rollups). Every report write keeps them by delta in its own
// transaction; these are the operator's tools around that: check that
// they still equal what the reports say, and rebuild them (after a restore
// of the reports alone, an edit of the catalogues outside the platform, or
// a check that found drift).
func runSummaries(ctx context.Context, args []string, std IO) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want 'summaries check' or 'summaries rebuild'", errUsage)
	}
	switch args[0] {
	case "check", "rebuild":
	case "-h", "--help":
		fmt.Fprintln(std.Stderr, "Usage: ibrain summaries check|rebuild [--year YEAR[,YEAR…]] [flags]   (each takes -h)")
		return nil
	default:
		return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
	}
	verb := args[0]
	fs, db := newFlags("summaries "+verb, "[--year YEAR[,YEAR…]] [flags]", std)
	yearList := fs.String("year", "", "comma-separated years (default every year that has reports)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	var years []int
	if *yearList != "" {
		for _, f := range strings.Split(*yearList, ",") {
			y, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || y < 1990 || y > 2100 {
				return fmt.Errorf("%w: --year wants years from 1990 to 2100, have %q", errUsage, f)
			}
			years = append(years, y)
		}
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	if years == nil {
		if years, err = a.Store.ReportYears(ctx); err != nil {
			return err
		}
		if len(years) == 0 {
			fmt.Fprintln(std.Stdout, "no reports: nothing to summarise")
			return nil
		}
	}
	start := time.Now()
	if verb == "rebuild" {
		if err := a.Store.RefreshAggregates(ctx, years); err != nil {
			return err
		}
		fmt.Fprintf(std.Stdout, "rebuilt the summaries of %s in %s\n", joinYears(years), time.Since(start).Round(time.Millisecond))
		return nil
	}
	drift, err := a.Store.CheckAggregates(ctx, years)
	if err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "checked the summaries of %s against a rebuild in %s\n", joinYears(years), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(std.Stdout, "%-12s %9s %9s %9s %9s\n", "table", "rows", "rebuilt", "stale", "missing")
	bad := 0
	for _, d := range drift {
		fmt.Fprintf(std.Stdout, "%-12s %9d %9d %9d %9d\n", d.Table, d.Rows, d.Rebuilt, d.Stale, d.Missing)
		if d.Stale > 0 || d.Missing > 0 {
			bad++
		}
	}
	if bad > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("summaries differ from a rebuild in %d table(s); 'ibrain summaries rebuild' repairs them", bad)}
	}
	fmt.Fprintln(std.Stdout, "summaries equal a rebuild")
	return nil
}

func joinYears(years []int) string {
	s := make([]string, len(years))
	for i, y := range years {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, ", ")
}
