package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/digital/digitalweb"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// runDigital is `ibrain digital stats|ladder|import`: the digital-
// transformation cockpit's figures, the districts' ladder with the firms
// close to their next rung, and the project import, through the same
// service (app.App.Digital) the pages and the API call.
func runDigital(ctx context.Context, args []string, std IO) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(std.Stderr, msg(i18n.ZH, "cli.digital.usage"))
		if len(args) == 0 {
			return fmt.Errorf("%w: need stats, ladder or import", errUsage)
		}
		return nil
	}
	switch args[0] {
	case "stats":
		return runDigitalStats(ctx, args[1:], std)
	case "ladder":
		return runDigitalLadder(ctx, args[1:], std)
	case "import":
		return runDigitalImport(ctx, args[1:], std)
	}
	return fmt.Errorf("%w: unknown digital command %q (stats, ladder or import)", errUsage, args[0])
}

// digitalRegion checks --region against the catalogue; "" is the city.
func digitalRegion(a *app.App, code string) (string, error) {
	if code == "" {
		return msg(i18n.ZH, "cli.digital.city"), nil
	}
	rg, ok := a.Ref.Regions.ByCode(code)
	if !ok {
		return "", fmt.Errorf("%w: unknown region %q", errUsage, code)
	}
	return rg.NameZh + " " + rg.NameEn, nil
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// digitalStatsJSON is `digital stats --format json`.
type digitalStatsJSON struct {
	From    int                   `json:"from"`
	To      int                   `json:"to"`
	Region  string                `json:"region,omitempty"`
	Years   []digitalYearJSON     `json:"years"`
	Targets []digitalTargetJSON   `json:"targets"`
	Goals   []digitalGoalJSON     `json:"goals"`
	Regions []digitalDistrictJSON `json:"districts"`
}

type digitalYearJSON struct {
	Year          int            `json:"year"`
	Approved      map[string]int `json:"approved"`
	ApprovedTotal int            `json:"approved_total"`
	CumApproved   map[string]int `json:"cum_approved"`
	Accepted      int            `json:"accepted"`
	ActualYi      string         `json:"actual_yi"`
	SubsidyYi     string         `json:"subsidy_yi"`
	Recognised    map[string]int `json:"recognised"`
	CumRecognised map[string]int `json:"cum_recognised"`
}

type digitalTargetJSON struct {
	Indicator string  `json:"indicator"`
	Year      int     `json:"year"`
	Target    float64 `json:"target"`
	Actual    int     `json:"actual"`
}

type digitalGoalJSON struct {
	Code   string `json:"code"`
	From   string `json:"from"`
	To     string `json:"to"`
	Value  int64  `json:"value"`
	Actual int64  `json:"actual"`
}

type digitalDistrictJSON struct {
	RegionCode string         `json:"region_code"`
	Approved   int            `json:"approved"`
	Accepted   int            `json:"accepted"`
	ActualYi   string         `json:"actual_yi"`
	Held       map[string]int `json:"held"`
}

func kindCounts(m map[digital.Kind]int) map[string]int {
	out := map[string]int{}
	for _, k := range digital.Kinds {
		out[string(k)] = m[k]
	}
	return out
}

func rungCounts(m map[digital.Rung]int) map[string]int {
	out := map[string]int{}
	for _, r := range digital.Rungs {
		out[string(r)] = m[r]
	}
	return out
}

func buildDigitalStats(o digital.Overview) digitalStatsJSON {
	out := digitalStatsJSON{From: o.From, To: o.To, Region: o.Region, Years: []digitalYearJSON{}, Targets: []digitalTargetJSON{}, Goals: []digitalGoalJSON{},
		Regions: []digitalDistrictJSON{}}
	for _, y := range o.Stats.Years {
		out.Years = append(out.Years, digitalYearJSON{Year: y.Year, Approved: kindCounts(y.Approved), ApprovedTotal: y.ApprovedAll, CumApproved: kindCounts(y.CumApproved),
			Accepted: y.Accepted, ActualYi: yiString(int64(y.Actual)), SubsidyYi: yiString(int64(y.Subsidy)), Recognised: rungCounts(y.Recognised),
			CumRecognised: rungCounts(y.CumRecognised)})
	}
	for _, t := range o.Targets {
		out.Targets = append(out.Targets, digitalTargetJSON{Indicator: t.Indicator, Year: t.Year, Target: t.Target, Actual: t.Actual})
	}
	for _, g := range o.Goals {
		out.Goals = append(out.Goals, digitalGoalJSON{Code: g.Code, From: g.From, To: g.To, Value: g.Value, Actual: g.Actual})
	}
	for _, r := range o.Regions {
		out.Regions = append(out.Regions, digitalDistrictJSON{RegionCode: r.RegionCode, Approved: r.Approved, Accepted: r.Accepted, ActualYi: yiString(int64(r.Actual)),
			Held: rungCounts(r.Held)})
	}
	return out
}

// runDigitalStats prints the cockpit's figures: the years' projects and
// recognitions, the task-table rows of the last year, the 2027 goals and
// the districts at the end of the last year.
func runDigitalStats(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("digital stats", "[--from YEAR] [--to YEAR] [--region CODE] [--format text|json] [-o FILE]", std)
	from := fs.Int("from", 0, "first year (default --to minus 6)")
	to := fs.Int("to", 0, "last year (default the latest year with a record, up to last year)")
	region := fs.String("region", "", "one district or zone code (default the whole city)")
	format := fs.String("format", "text", "text or json")
	out := fs.String("o", "", "output file (default standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	if *to != 0 && (*to < 2000 || *to > 2100 || (*from != 0 && (*from > *to || *to-*from > 30))) {
		return fmt.Errorf("%w: want 2000 ≤ --from ≤ --to ≤ 2100 within 30 years", errUsage)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	name, err := digitalRegion(a, *region)
	if err != nil {
		return err
	}
	t := *to
	if t == 0 {
		t = -(time.Now().UTC().Year() - 1) // the latest year with a record
	}
	o, err := a.Digital.Overview(ctx, auth.All(), *region, *from, t)
	if err != nil {
		return err
	}
	rep := buildDigitalStats(o)
	return writeTo(*out, std.Stdout, func(w io.Writer) error {
		if *format == "json" {
			return encodeJSON(w, rep)
		}
		return rep.writeText(w, name)
	})
}

func (rep digitalStatsJSON) writeText(w io.Writer, regionName string) error {
	const lang = i18n.ZH
	fmt.Fprint(w, msg(lang, "cli.digital.stats_title", rep.From, rep.To, regionName))
	fmt.Fprint(w, msg(lang, "cli.digital.years_head"))
	for _, y := range rep.Years {
		fmt.Fprintf(w, "%-6d %6d %6d %6d %6d %8d %6d %10s %10s %6d %6d %6d\n", y.Year, y.Approved["intelligent"], y.Approved["digital"], y.Approved["green"],
			y.ApprovedTotal, y.CumApproved["intelligent"], y.Accepted, y.ActualYi, y.SubsidyYi,
			y.Recognised[string(digital.RungWorkshop)], y.Recognised[string(digital.RungSmart)], y.Recognised[string(digital.RungFuture)])
	}
	if len(rep.Targets) > 0 {
		fmt.Fprint(w, msg(lang, "cli.digital.targets_head", rep.To))
		for _, tr := range rep.Targets {
			fmt.Fprintf(w, "  %-28s %8d / %-8.0f\n", tr.Indicator, tr.Actual, tr.Target)
		}
	}
	fmt.Fprint(w, msg(lang, "cli.digital.goals_head"))
	for _, g := range rep.Goals {
		fmt.Fprintf(w, "  %-20s %s–%s %10d / %-10d\n", g.Code, g.From, g.To, g.Actual, g.Value)
	}
	if rep.Region == "" {
		fmt.Fprint(w, msg(lang, "cli.digital.districts_head", rep.To))
		for _, r := range rep.Regions {
			fmt.Fprintf(w, "  %-8s %6d %6d %10s %6d %6d %6d\n", r.RegionCode, r.Approved, r.Accepted, r.ActualYi,
				r.Held[string(digital.RungWorkshop)], r.Held[string(digital.RungSmart)], r.Held[string(digital.RungFuture)])
		}
	}
	return nil
}

// digitalLadderJSON is `digital ladder --format json`.
type digitalLadderJSON struct {
	Date       string                 `json:"date"`
	Region     string                 `json:"region,omitempty"`
	Candidates []digitalCandidateJSON `json:"candidates"`
}

type digitalCandidateJSON struct {
	EnterpriseID int64  `json:"enterprise_id"`
	CreditCode   string `json:"credit_code"`
	Name         string `json:"name"`
	RegionCode   string `json:"region_code"`
	Rung         string `json:"rung"`
	Status       string `json:"status"`
	Unmet        int    `json:"unmet"`
}

// runDigitalLadder prints the firms close to their next rung at --date:
// met on the data, or one condition short (the page's candidate list).
func runDigitalLadder(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("digital ladder", "[--date YYYY-MM-DD] [--region CODE] [--limit N] [--format text|json] [-o FILE]", std)
	date := fs.String("date", "", "judge on this day (default today)")
	region := fs.String("region", "", "one district or zone code (default the whole city)")
	limit := fs.Int("limit", 50, "print at most this many firms (at most 200)")
	format := fs.String("format", "text", "text or json")
	out := fs.String("o", "", "output file (default standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	at := time.Now().UTC().Truncate(24 * time.Hour)
	if *date != "" {
		d, err := time.Parse(time.DateOnly, *date)
		if err != nil {
			return fmt.Errorf("%w: --date must be YYYY-MM-DD", errUsage)
		}
		at = d
	}
	if *limit < 1 || *limit > digital.MaxCandidates {
		return fmt.Errorf("%w: --limit must be 1–%d", errUsage, digital.MaxCandidates)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format must be text or json", errUsage)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	name, err := digitalRegion(a, *region)
	if err != nil {
		return err
	}
	cands, refs, err := a.Digital.Candidates(ctx, auth.All(), *region, at)
	if err != nil {
		return err
	}
	rep := digitalLadderJSON{Date: at.Format(time.DateOnly), Region: *region, Candidates: []digitalCandidateJSON{}}
	for i, c := range cands {
		if i == *limit {
			break
		}
		ref := refs[c.EnterpriseID]
		rep.Candidates = append(rep.Candidates, digitalCandidateJSON{EnterpriseID: c.EnterpriseID, CreditCode: ref.CreditCode, Name: ref.Name,
			RegionCode: ref.RegionCode, Rung: string(c.Verdict.Rung), Status: string(c.Verdict.Status), Unmet: c.Verdict.Unmet})
	}
	return writeTo(*out, std.Stdout, func(w io.Writer) error {
		if *format == "json" {
			return encodeJSON(w, rep)
		}
		fmt.Fprint(w, msg(i18n.ZH, "cli.digital.ladder_title", rep.Date, name, len(rep.Candidates)))
		for _, c := range rep.Candidates {
			fmt.Fprintf(w, "  %-18s %-8s %-26s %-8s %s\n", c.CreditCode, c.RegionCode, c.Rung, c.Status, c.Name)
		}
		return nil
	})
}

// digitalMessages is the catalogue with the digital module's messages,
// for the import's row problems.
var digitalMessages = sync.OnceValue(func() *i18n.Catalog {
	sub, err := fs.Sub(digitalweb.Messages, "i18n")
	if err == nil {
		var c *i18n.Catalog
		if c, err = i18n.LoadWith([]fs.FS{sub}); err == nil {
			return c
		}
	}
	// The catalogues are compiled in and checked by internal/app's tests.
	panic(err)
})

// runDigitalImport loads a project sheet (XLSX/CSV, one project per row,
// the module's columns) all or nothing; --check only checks it. A refused
// file prints every row problem and exits 2, as `ibrain import` does.
func runDigitalImport(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("digital import", "[--check] [--lang zh-CN|en] FILE", std)
	check := fs.Bool("check", false, "check every row, write nothing")
	lang := fs.String("lang", i18n.ZH, "language of the row problems")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: need one FILE", errUsage)
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sheet, err := tabular.Read(f, filepath.Base(path), tabular.Options{MaxBytes: 10 << 20, MaxRows: 50_000, Sheets: digital.ImportSheets()})
	if err != nil {
		return &exitError{code: 2, msg: msg(*lang, "cli.digital.unreadable", path, err)}
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	rows := make([]digital.ImportRow, 0, len(sheet.Rows))
	for _, r := range sheet.Rows {
		rows = append(rows, digital.ImportRow{Line: r.Line, Cells: r.Cells})
	}
	res, err := a.Digital.ImportSheet(ctx, auth.All(), sheet.Header, rows, digital.ImportSheetOptions{By: "cli", DryRun: *check})
	if err != nil {
		return err
	}
	if len(res.Problems) > 0 {
		for _, p := range res.Problems {
			text := p.Err.Error()
			var ae *apperr.Error
			if errors.As(p.Err, &ae) {
				text = digitalMessages().T(*lang, ae.Key, ae.Args...)
			}
			col := ""
			if p.Column != "" {
				col = " / " + p.Column
			}
			fmt.Fprintf(std.Stderr, "%s:%d%s: %s\n", path, p.Line, col, text)
		}
		return &exitError{code: 2, msg: msg(*lang, "cli.digital.rejected", len(res.Problems))}
	}
	if *check {
		fmt.Fprint(std.Stdout, msg(*lang, "cli.digital.checked", res.Rows))
		return nil
	}
	fmt.Fprint(std.Stdout, msg(*lang, "cli.digital.imported", res.Rows, res.Result.Inserted, res.Result.Updated, res.Result.Unchanged))
	return nil
}
