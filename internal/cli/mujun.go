package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/region"
)

var mujunUsage = msg(i18n.ZH, "cli.usage.mujun")

func runMujun(ctx context.Context, args []string, std IO) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(std.Stderr, mujunUsage)
		if len(args) == 0 {
			return fmt.Errorf("%w: a subcommand is required", errUsage)
		}
		return nil
	}
	switch args[0] {
	case "configs":
		return mujunConfigs(ctx, args[1:], std)
	case "run":
		return mujunRun(ctx, args[1:], std)
	case "runs":
		return mujunRuns(ctx, args[1:], std)
	case "diff":
		return mujunDiff(ctx, args[1:], std)
	}
	return fmt.Errorf("%w: unknown subcommand %q (configs, run, runs, diff)", errUsage, args[0])
}

func mujunConfigs(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("mujun configs", "[flags]", std)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.Mujun.Configs(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(std.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tYEAR\tUNIT\tEFFECTIVE\tBUILT-IN\tCREATED BY")
	for _, c := range list {
		eff := c.EffectiveFrom + " –"
		if c.EffectiveTo != "" {
			eff += " " + c.EffectiveTo
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%v\t%s\n", c.ID, c.Version, c.Year, c.EvaluatingUnit, eff, c.Builtin, c.CreatedBy)
	}
	return tw.Flush()
}

func mujunRun(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("mujun run", "--year YEAR [--config ID|ID@VERSION|FILE.json] [flags]", std)
	year := fs.Int("year", 0, "evaluation year: the year whose facts are evaluated (required)")
	config := fs.String("config", "", "configuration: a stored id (latest version), id@version, or a JSON file stored as a new version first;\n"+
		"default: the city configuration in force today for the year")
	prior := fs.Int64("prior", 0, "run id of the previous year's run for prior-mean benchmarks (default: the newest run of year−1)")
	noPrior := fs.Bool("no-prior", false, "run without a prior-year run")
	note := fs.String("note", "", "note kept with the run")
	by := fs.String("by", "cli", "who started the run, kept with it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *year < 2000 || *year > 2100 {
		return fmt.Errorf("%w: --year YEAR (2000–2100) is required", errUsage)
	}
	if *prior != 0 && *noPrior {
		return fmt.Errorf("%w: --prior and --no-prior exclude each other", errUsage)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	cfg, err := resolveMujunConfig(ctx, a, *config, *year, *by)
	if err != nil {
		return err
	}
	ev, err := a.Mujun.Evaluate(ctx, cfg, *year, mujun.EvaluateOptions{PriorRunID: *prior, NoPrior: *noPrior, By: *by, Note: *note})
	if err != nil {
		return mujunError(err)
	}
	regions, err := region.Builtin()
	if err != nil {
		return err
	}
	printRunSummary(std.Stdout, ev, regions)
	return nil
}

// resolveMujunConfig finds the configuration of a run: a JSON file (stored
// as a new version first), id or id@version, or the one in force today.
func resolveMujunConfig(ctx context.Context, a *app.App, ref string, year int, by string) (mujun.Config, error) {
	st := a.Mujun
	switch {
	case strings.HasSuffix(strings.ToLower(ref), ".json"):
		data, err := os.ReadFile(ref)
		if err != nil {
			return mujun.Config{}, err
		}
		cfg, err := mujun.Parse(data)
		if err != nil {
			return cfg, mujunError(err)
		}
		saved, err := st.PutConfig(ctx, cfg, mujun.ConfigOptions{By: by})
		if err != nil {
			return saved, mujunError(err)
		}
		return saved, nil
	case ref != "":
		id, ver, _ := strings.Cut(ref, "@")
		v := 0
		if ver != "" {
			n, err := strconv.Atoi(ver)
			if err != nil || n < 1 {
				return mujun.Config{}, fmt.Errorf("%w: --config %q: version must be a positive integer", errUsage, ref)
			}
			v = n
		}
		cfg, _, err := st.Config(ctx, id, v)
		if err != nil {
			return cfg, fmt.Errorf("configuration %s: %w", ref, err)
		}
		return cfg, nil
	}
	list, err := st.Configs(ctx)
	if err != nil {
		return mujun.Config{}, err
	}
	var cands []mujun.Config
	for _, c := range list {
		if c.Year == year && c.EvaluatingUnit == "city" {
			cfg, _, err := st.Config(ctx, c.ID, c.Version)
			if err != nil {
				return cfg, err
			}
			cands = append(cands, cfg)
		}
	}
	cfg, ok := mujun.Select(cands, "city", year, time.Now())
	if !ok {
		return cfg, fmt.Errorf("no city configuration for %d is in force today; pass --config ID or FILE.json (see 'ibrain mujun configs')", year)
	}
	return cfg, nil
}

// mujunError lists every problem of an invalid configuration or run.
func mujunError(err error) error {
	var ve *mujun.ValidationError
	if errors.As(err, &ve) {
		var b strings.Builder
		fmt.Fprintf(&b, "configuration %q is invalid (%d problems):", ve.ConfigID, len(ve.Problems))
		for _, p := range ve.Problems {
			fmt.Fprintf(&b, "\n  %s: %s / %s", p.Path, p.Zh, p.En)
		}
		return &exitError{code: 2, msg: b.String()}
	}
	var re *mujun.RunError
	if errors.As(err, &re) {
		return &exitError{code: 2, msg: "run rejected: " + re.Zh + " / " + re.En}
	}
	var be *mujun.BenchmarkError
	if errors.As(err, &be) {
		return &exitError{code: 2, msg: "run refused, nothing was written:\n  " + benchmarkMessage(be, i18n.ZH) + "\n  " + benchmarkMessage(be, i18n.EN)}
	}
	return err
}

// benchmarkMessage renders a benchmark refusal from the catalogue in lang,
// naming the evaluating unit by its region name.
func benchmarkMessage(be *mujun.BenchmarkError, lang string) string {
	cat, err := i18n.Load()
	if err != nil {
		return be.Error()
	}
	unitName := ""
	if be.Unit != "city" {
		unitName = be.Unit
		if regions, err := region.Builtin(); err == nil {
			if r, ok := regions.ByCode(be.Unit); ok {
				unitName = r.NameZh
				if lang == i18n.EN {
					unitName = r.NameEn
				}
			}
		}
	}
	return be.Message(lang, cat.T, unitName)
}

func printRunSummary(w io.Writer, ev mujun.Evaluation, regions *region.Catalogue) {
	res := ev.Result
	prior := "none"
	if ev.Prior != 0 {
		prior = "run " + strconv.FormatInt(ev.Prior, 10)
	}
	fmt.Fprintf(w, "run %d: %d, configuration %s v%d, unit %s, prior %s\n", ev.RunID, res.Year, res.ConfigID, res.ConfigVersion, res.EvaluatingUnit, prior)
	fmt.Fprintf(w, "assembled: %d above scale, %d below scale; left out: %d above scale without a December report, %d below scale without supplied facts; %d skipped by the method\n",
		ev.Counts.AboveScale, ev.Counts.BelowScale, ev.Counts.NoDecember, ev.Counts.NoFacts, len(res.Skipped))
	codes := make([]string, len(res.Config.Classes.Defs))
	for i, d := range res.Config.Classes.Defs {
		codes[i] = d.Code
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\nby class\tfirms\t%s\t\n", strings.Join(codes, "\t"))
	for _, g := range res.Groups {
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", g.Group, g.Firms, classCounts(g.Classes))
	}
	fmt.Fprintf(tw, "total\t%d\t%s\t\n", res.Total.Firms, classCounts(res.Total.Classes))
	fmt.Fprintf(tw, "\nby district\tfirms\t%s\tmean score\trank\t\n", strings.Join(codes, "\t"))
	for _, a := range res.Regions {
		name := a.RegionCode
		if r, ok := regions.ByCode(a.RegionCode); ok {
			name = r.NameZh + " " + a.RegionCode
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.2f\t%d\t\n", name, a.Firms, classCounts(a.Classes), a.MeanScore, a.RankByScore)
	}
	_ = tw.Flush()
	printBenchmarks(w, res.Groups)
}

// printBenchmarks lists what every score was divided by and where it came
// from, and the cap that lets an indicator's points pass its weight.
func printBenchmarks(w io.Writer, groups []mujun.GroupResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nGROUP\tINDICATOR\tWEIGHT\tCAP\tMETHOD\tBENCHMARK\tSOURCE")
	for _, g := range groups {
		for _, gi := range g.Indicators {
			limit := "none: no limit"
			if gi.Cap > 0 {
				limit = fmt.Sprintf("%g× = %g points", gi.Cap, gi.Cap*gi.Weight)
			}
			src := gi.BenchmarkFrom
			switch gi.BenchmarkFrom {
			case mujun.FromPriorRun:
				src = fmt.Sprintf("run %d (%d), %d firms", gi.BenchmarkRun, gi.BenchmarkYear, gi.BenchmarkFirms)
			case mujun.FromCurrentYear:
				src = fmt.Sprintf("this year's firms (%d), %d firms", gi.BenchmarkYear, gi.BenchmarkFirms)
			case mujun.FromNone:
				src = "none: no firm had a value"
			}
			fmt.Fprintf(tw, "%s\t%s\t%g\t%s\t%s\t%.6g\t%s\n", g.Group, gi.Code, gi.Weight, limit, gi.Method, gi.Benchmark, src)
		}
	}
	_ = tw.Flush()
}

func classCounts(cs []mujun.ClassCount) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.Itoa(c.Count)
	}
	return strings.Join(parts, "\t")
}

func mujunRuns(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("mujun runs", "[flags]", std)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	runs, err := a.Mujun.Runs(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(std.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tYEAR\tCONFIG\tUNIT\tENTERPRISES\tPRIOR\tCREATED\tBY\tNOTE")
	for _, r := range runs {
		fmt.Fprintf(tw, "%d\t%d\t%s v%d\t%s\t%d\t%d\t%s\t%s\t%s\n", r.ID, r.Year, r.ConfigID, r.ConfigVersion, r.EvaluatingUnit, r.Enterprises, r.PriorRunID,
			r.CreatedAt.Format(time.DateTime), r.CreatedBy, r.Note)
	}
	return tw.Flush()
}

func mujunDiff(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("mujun diff", "--from RUN --to RUN [flags]", std)
	from := fs.Int64("from", 0, "the earlier run id (required)")
	to := fs.Int64("to", 0, "the later run id (required)")
	lang := fs.String("lang", "zh-CN", "language of the explanations: zh-CN or en")
	limit := fs.Int("limit", 50, "list at most this many changes (0: all); the counts cover every change")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from <= 0 || *to <= 0 {
		return fmt.Errorf("%w: --from and --to are required", errUsage)
	}
	if *lang != "zh-CN" && *lang != "en" {
		return fmt.Errorf("%w: --lang must be zh-CN or en", errUsage)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	changes, err := a.Mujun.Changes(ctx, auth.All(), *from, *to)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, c := range changes {
		counts[c.OldClass+"→"+c.NewClass]++
	}
	fmt.Fprintf(std.Stdout, "run %d → run %d: %d enterprises changed class\n", *from, *to, len(changes))
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(std.Stdout, "  %s %d\n", k, counts[k])
	}
	for i, c := range changes {
		if *limit > 0 && i >= *limit {
			fmt.Fprintf(std.Stdout, "… %d more (use --limit 0)\n", len(changes)-i)
			break
		}
		text := c.Explanation.Zh
		if *lang == "en" {
			text = c.Explanation.En
		}
		fmt.Fprintf(std.Stdout, "%d %s %s→%s %.2f→%.2f: %s\n", c.EnterpriseID, c.RegionCode, orDash(c.OldClass), orDash(c.NewClass), c.OldScore, c.NewScore, text)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
