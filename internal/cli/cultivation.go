package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// maxProfileBytes bounds a profile file: a real profile is a few kB.
const maxProfileBytes = 1 << 20

var evaluateSynopsis = msg(i18n.ZH, "cli.usage.evaluate")

func runEvaluate(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("evaluate", evaluateSynopsis, std)
	list := fs.Bool("list", false, "list the rule sets")
	ruleID := fs.String("rules", "", "rule-set id (see --list)")
	input := fs.String("input", "", "profile JSON file, - for standard input")
	code := fs.String("enterprise", "", "credit code of a stored enterprise")
	dateFlag := fs.String("date", "", "assessment date YYYY-MM-DD (default: today; for a stored enterprise, today unless the prior year's December reports are missing, then 30 June after the latest complete year)")
	kindFlag := fs.String("kind", "", "application kind: new or review (default new; a stored enterprise holding the title is re-reviewed)")
	format := fs.String("format", "json", "json or text")
	lang := fs.String("lang", "zh-CN", "language of text output: zh-CN or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("%w: --format must be json or text", errUsage)
	}
	if *lang != "zh-CN" && *lang != "en" {
		return fmt.Errorf("%w: --lang must be zh-CN or en", errUsage)
	}
	var kind rules.Kind
	switch *kindFlag {
	case "":
	case "new", "review":
		kind = rules.Kind(*kindFlag)
	default:
		return fmt.Errorf("%w: --kind must be new or review", errUsage)
	}
	var date time.Time
	if *dateFlag != "" {
		d, err := rules.ParseDate(*dateFlag)
		if err != nil {
			return fmt.Errorf("%w: --date %q is not YYYY-MM-DD", errUsage, *dateFlag)
		}
		date = d.Time()
	}
	modes := 0
	for _, set := range []bool{*list, *input != "", *code != ""} {
		if set {
			modes++
		}
	}
	if modes != 1 {
		return fmt.Errorf("%w: give exactly one of --list, --input (with --rules) or --enterprise", errUsage)
	}
	reg, err := rules.Builtin()
	if err != nil {
		return err
	}
	switch {
	case *list:
		return listRuleSets(std.Stdout, reg, *format, *lang)
	case *input != "":
		if *ruleID == "" {
			return fmt.Errorf("%w: --input needs --rules ID (see --list)", errUsage)
		}
		return evaluateFile(std, reg, *ruleID, *input, date, kind, *format, *lang)
	}
	st, err := sqlstore.Open(ctx, *db, sqlstore.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	return evaluateStored(ctx, std, st, reg, *code, *ruleID, date, kind, *format, *lang)
}

func listRuleSets(w io.Writer, reg *rules.Registry, format, lang string) error {
	sets := reg.List()
	if format == "json" {
		return writeJSONOut(w, sets)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tVERSION\tIN FORCE\tKINDS\tJURISDICTION")
	for _, s := range sets {
		to := "…"
		if !s.EffectiveTo.IsZero() {
			to = s.EffectiveTo.String()
		}
		kinds := make([]string, len(s.Kinds))
		for i, k := range s.Kinds {
			kinds[i] = string(k)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s – %s\t%s\t%s\n", s.ID, s.Title.Lang(lang), s.Version, s.EffectiveFrom, to, strings.Join(kinds, ","), s.Jurisdiction)
	}
	return tw.Flush()
}

func evaluateFile(std IO, reg *rules.Registry, id, path string, date time.Time, kind rules.Kind, format, lang string) error {
	rs, err := reg.Get(id)
	if err != nil {
		return fmt.Errorf("no rule set %q (see ibrain evaluate --list)", id)
	}
	var r io.Reader = std.Stdin
	name := "standard input"
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		r, name = f, path
	}
	data, err := io.ReadAll(io.LimitReader(r, maxProfileBytes+1))
	if err != nil {
		return err
	}
	if len(data) > maxProfileBytes {
		return fmt.Errorf("%s: profile larger than %d bytes", name, maxProfileBytes)
	}
	p, err := rules.DecodeProfile(strings.NewReader(string(data)))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if date.IsZero() {
		date = rules.NewDate(time.Now()).Time()
	}
	if kind == "" {
		kind = rules.KindNew
		if !rs.Supports(kind) {
			kind = rules.KindReview
		}
	}
	res, err := rs.Evaluate(p, rules.Context{AssessmentDate: date, Kind: kind})
	if err != nil {
		if !rs.Supports(kind) {
			return fmt.Errorf("rule set %s does not judge %s applications", id, kind)
		}
		return err
	}
	if format == "text" {
		return cultivation.WriteText(std.Stdout, &res, lang)
	}
	return writeJSONOut(std.Stdout, res)
}

func evaluateStored(ctx context.Context, std IO, st *sqlstore.Store, reg *rules.Registry, code, id string, date time.Time, kind rules.Kind, format, lang string) error {
	ids, err := st.EnterpriseIDs(ctx)
	if err != nil {
		return err
	}
	eid, ok := ids[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return fmt.Errorf("no enterprise with credit code %s in the database", code)
	}
	if date.IsZero() {
		y, err := st.LatestCompleteYear(ctx)
		if err != nil {
			return err
		}
		date = cultivation.DefaultAsOf(time.Now(), y)
	}
	from, to := cultivation.ProfileYears(date)
	raw, err := st.ProfileRaw(ctx, auth.All(), eid, sqlstore.ProfileQuery{FromYear: from, ToYear: to})
	if err != nil {
		return err
	}
	p := cultivation.BuildProfile(&raw, date)
	if id != "" {
		rs, err := reg.Get(id)
		if err != nil {
			return fmt.Errorf("no rule set %q (see ibrain evaluate --list)", id)
		}
		if kind == "" {
			kind = rules.KindNew
			if cultivation.Holds(raw.Enterprise.Titles, rs.Info().TitleKind, date) && rs.Supports(rules.KindReview) {
				kind = rules.KindReview
			}
		}
		if !rs.Supports(kind) {
			return fmt.Errorf("rule set %s does not judge %s applications", id, kind)
		}
		res, err := rs.Evaluate(p, rules.Context{AssessmentDate: date, Kind: kind})
		if err != nil {
			return err
		}
		if format == "text" {
			return cultivation.WriteText(std.Stdout, &res, lang)
		}
		return writeJSONOut(std.Stdout, res)
	}
	el, err := cultivation.Evaluate(reg, p, raw.Enterprise.Titles, date)
	if err != nil {
		return err
	}
	if format == "text" {
		return cultivation.WriteEligibilityText(std.Stdout, &el, lang)
	}
	return writeJSONOut(std.Stdout, cultivation.EligibilityJSON(&el, raw.Enterprise.ID))
}

func writeJSONOut(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
