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
	switch {
	case *list, *input != "":
		// Rule sets and a given profile need no database: the service
		// without a store.
		svc := cultivation.NewService(nil, cultivation.Options{})
		if *list {
			return listRuleSets(std.Stdout, svc, *format, *lang)
		}
		if *ruleID == "" {
			return fmt.Errorf("%w: --input needs --rules ID (see --list)", errUsage)
		}
		return evaluateFile(std, svc, *ruleID, *input, date, kind, *format, *lang)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	return evaluateStored(ctx, std, a.Cultivation, *code, *ruleID, date, kind, *format, *lang)
}

func listRuleSets(w io.Writer, svc *cultivation.Service, format, lang string) error {
	sets, err := svc.RuleSets()
	if err != nil {
		return err
	}
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

func evaluateFile(std IO, svc *cultivation.Service, id, path string, date time.Time, kind rules.Kind, format, lang string) error {
	rs, err := svc.RuleSet(id)
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
		date = svc.Today()
	}
	res, err := cultivation.EvaluateProfile(rs, p, date, kind)
	if err != nil {
		return err
	}
	if format == "text" {
		return cultivation.WriteText(std.Stdout, &res, lang)
	}
	return writeJSONOut(std.Stdout, res)
}

func evaluateStored(ctx context.Context, std IO, svc *cultivation.Service, code, id string, date time.Time, kind rules.Kind, format, lang string) error {
	eid, ok, err := svc.EnterpriseByCode(ctx, code)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no enterprise with credit code %s in the database", code)
	}
	if date, err = svc.AsOf(ctx, date); err != nil {
		return err
	}
	if id != "" {
		rs, err := svc.RuleSet(id)
		if err != nil {
			return fmt.Errorf("no rule set %q (see ibrain evaluate --list)", id)
		}
		res, err := svc.EvaluateEnterprise(ctx, auth.All(), eid, rs, date, kind)
		if err != nil {
			return err
		}
		if format == "text" {
			return cultivation.WriteText(std.Stdout, &res, lang)
		}
		return writeJSONOut(std.Stdout, res)
	}
	el, _, err := svc.Eligibility(ctx, auth.All(), eid, date)
	if err != nil {
		return err
	}
	if format == "text" {
		return cultivation.WriteEligibilityText(std.Stdout, &el, lang)
	}
	return writeJSONOut(std.Stdout, cultivation.EligibilityJSON(&el, eid))
}

func writeJSONOut(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
