package stats

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/unit"
)

// DeflatorSeries is the price index used for value added at comparable
// prices: the industrial producer price index (PPI), previous year = 100.
const DeflatorSeries = "ppi_industry"

// Engine computes indicator figures from a Source.
type Engine struct {
	src Source
	cat *indicator.Catalogue
}

// NewEngine returns an engine over src using the indicator catalogue.
func NewEngine(src Source, cat *indicator.Catalogue) *Engine {
	return &Engine{src: src, cat: cat}
}

// Catalogue returns the indicator catalogue the engine uses.
func (e *Engine) Catalogue() *indicator.Catalogue { return e.cat }

// Figure is one computed indicator value.
type Figure struct {
	Indicator indicator.Indicator
	Period    report.Period
	Value     float64
	Known     bool
	YoYPct    *float64 // comparable-basis growth of the value, where it applies
	Nominal   bool     // a real-growth figure computed without a deflator
	Mark      target.Mark
	// Judged says the indicator's thresholds apply to this view (and so
	// are shown beside it); Mark is their verdict.
	Judged bool
	// SmallBase says the growth is so high that it rests on a small base
	// a year earlier (indicator.BaseCaveatPct).
	SmallBase bool
	Progress  *target.Progress // set when the indicator has a target for the scope and year
}

// snapshot holds the sums of one period split by the dimensions measures
// need, so a set of KPIs costs one aggregate query.
type snapshot struct {
	period report.Period
	rows   []Row
}

func (s snapshot) sum(pred func(Key) bool) Sums {
	var out Sums
	for _, r := range s.rows {
		if pred == nil || pred(r.Key) {
			out.Add(r.Sums)
		}
	}
	return out
}

func (e *Engine) snapshot(ctx context.Context, sc auth.Scope, p report.Period, f Filter) (snapshot, error) {
	rows, err := e.src.Aggregate(ctx, sc, Query{Year: p.Year, Month: p.Month, GroupBy: []Dim{BySection, BySEI, BySpecialized}, Filter: f})
	return snapshot{period: p, rows: rows}, err
}

// Figure computes one indicator for scope, period and filter.
func (e *Engine) Figure(ctx context.Context, sc auth.Scope, code string, p report.Period, f Filter) (Figure, error) {
	ind, ok := e.cat.ByCode(code)
	if !ok {
		return Figure{}, apperr.New(apperr.NotFound, "err.indicator_not_found", code)
	}
	snap, err := e.snapshot(ctx, sc, p, f)
	if err != nil {
		return Figure{}, err
	}
	return e.compute(ctx, sc, ind, snap, f)
}

// compute evaluates an indicator's measure on a snapshot.
func (e *Engine) compute(ctx context.Context, sc auth.Scope, ind indicator.Indicator, snap snapshot, f Filter) (Figure, error) {
	return e.computeWith(ctx, e.src, sc, ind, snap, f)
}

// computeWith is compute reading counts, indices and manual values from
// src, so a FigureSet can answer them from what it prefetched.
func (e *Engine) computeWith(ctx context.Context, src Source, sc auth.Scope, ind indicator.Indicator, snap snapshot, f Filter) (Figure, error) {
	fig := Figure{Indicator: ind, Period: snap.period}
	all := snap.sum(nil)
	has := all.N > 0
	setLevel := func(cur, base int64, scale unit.Fen) {
		fig.Value, fig.Known = float64(cur)/float64(scale), has
		if g, ok := GrowthPct(cur, base); ok && has {
			fig.YoYPct = &g
		}
	}
	setPct := func(v float64, ok bool) { fig.Value, fig.Known = v, ok && has }
	switch ind.Measure {
	case "output":
		setLevel(all.Cur[report.Output], all.Base[report.Output], unit.Yi)
	case "revenue":
		setLevel(all.Cur[report.Revenue], all.Base[report.Revenue], unit.Yi)
	case "profit":
		setLevel(all.Cur[report.Profit], all.Base[report.Profit], unit.Yi)
	case "value_added":
		setLevel(all.Cur[report.ValueAdded], all.Base[report.ValueAdded], unit.Yi)
	case "output_growth":
		setPct(GrowthPct(all.Cur[report.Output], all.Base[report.Output]))
	case "va_real_growth":
		idx, ok, err := src.Deflator(ctx, DeflatorSeries, snap.period.Year, snap.period.Month)
		if err != nil {
			return fig, err
		}
		if !ok {
			// Without a price index the growth can only be nominal; say so
			// rather than pass it off as real growth.
			idx, fig.Nominal = 1_000_000, true
		}
		setPct(RealGrowthPct(all.Cur[report.ValueAdded], all.Base[report.ValueAdded], idx))
	case "investment_growth":
		setPct(GrowthPct(all.Cur[report.Investment], all.Base[report.Investment]))
	case "mfg_investment_growth":
		mfg := snap.sum(func(k Key) bool { return k.Section == "C" })
		setPct(GrowthPct(mfg.Cur[report.Investment], mfg.Base[report.Investment]))
	case "sei_va_share":
		sei := snap.sum(func(k Key) bool { return k.SEI })
		setPct(SharePct(sei.Cur[report.ValueAdded], all.Cur[report.ValueAdded]))
	case "rd_intensity":
		setPct(SharePct(all.Cur[report.RDExpense], all.Cur[report.Revenue]))
	case "specialized_rd_intensity":
		sp := snap.sum(func(k Key) bool { return k.Specialized })
		setPct(SharePct(sp.Cur[report.RDExpense], sp.Cur[report.Revenue]))
	case "enterprise_count":
		fig.Value, fig.Known = float64(all.N), has
	case "new_titles_specialized", "new_titles_little_giant", "new_titles_single_champion":
		kind, _, _ := TitleMeasure(ind.Measure)
		n, err := src.CountTitlesGranted(ctx, scopeWithRegion(sc, f), kind, snap.period.Year)
		if err != nil {
			return fig, err
		}
		fig.Value, fig.Known = float64(n), true
	case "titles_held_unicorn", "titles_held_potential_unicorn", "titles_held_gazelle":
		kind, _, _ := TitleMeasure(ind.Measure)
		n, err := src.CountTitlesHeld(ctx, scopeWithRegion(sc, f), kind, PeriodEnd(snap.period))
		if err != nil {
			return fig, err
		}
		fig.Value, fig.Known = float64(n), true
	case "digital_new_smart_factories", "digital_new_digital_workshops", "digital_new_future_factories", "digital_renovation_projects":
		// Counted from the digital-transformation records (internal/digital)
		// by a source that holds them; another source leaves them unknown.
		if dc, ok := src.(DigitalCounter); ok {
			n, known, err := dc.CountDigitalMeasure(ctx, scopeWithRegion(sc, f), ind.Measure, snap.period.Year)
			if err != nil {
				return fig, err
			}
			fig.Value, fig.Known = float64(n), known
		}
	case "":
		scopeKind, scopeCode := target.ScopeCity, ""
		if f.Region != "" {
			scopeKind, scopeCode = target.ScopeRegion, f.Region
		}
		v, ok, err := src.IndicatorValue(ctx, ind.Code, scopeKind, scopeCode, snap.period.Year, snap.period.Month)
		if err != nil {
			return fig, err
		}
		fig.Value, fig.Known = float64(v)/1e4, ok
	default:
		return fig, fmt.Errorf("stats: indicator %s names unknown measure %q", ind.Code, ind.Measure)
	}
	// Most of the catalogue's alert and excellence thresholds are set for
	// the city; judging a district or a cluster by them would flag, say, a
	// car cluster's near-zero SEI share. Those judge the city-wide figure
	// only; scale-free rates (threshold_scope "any") judge every view.
	fig.Judged = (ind.Alert != nil || ind.Excellent != nil) && (ind.ThresholdScope == "any" || sc.IsAll() && f == (Filter{}))
	if fig.Known && fig.Judged {
		fig.Mark = target.Thresholds(fig.Value, ind.Alert, ind.Excellent, ind.HigherIsBetter)
	}
	fig.SmallBase = fig.Known && ind.BaseCaveatPct > 0 && fig.Value >= ind.BaseCaveatPct
	return fig, nil
}

// DigitalCounter is a Source that counts the digital-transformation
// records of a year for a measure (recognitions, renovation projects);
// known is false for a measure it does not compute.
type DigitalCounter interface {
	CountDigitalMeasure(ctx context.Context, sc auth.Scope, measure string, year int) (n int, known bool, err error)
}

// RegionDigitalCounter is a DigitalCounter that counts a measure for
// every region in one read; FigureSet uses it for a district's count, so a
// task table with digital targets for many districts reads the records
// once rather than once per district.
type RegionDigitalCounter interface {
	CountDigitalMeasureByRegion(ctx context.Context, sc auth.Scope, measure string, year int) (byRegion map[string]int, known bool, err error)
}

// TitleMeasure resolves a title-counting measure to the title kind it
// counts and whether it counts a stock held at a date (held) or the titles
// granted during a year; ok is false for other measures.
func TitleMeasure(measure string) (kind enterprise.TitleKind, held, ok bool) {
	switch measure {
	case "new_titles_specialized":
		return enterprise.TitleSpecialized, false, true
	case "new_titles_little_giant":
		return enterprise.TitleLittleGiant, false, true
	case "new_titles_single_champion":
		return enterprise.TitleChampion, false, true
	case "titles_held_unicorn":
		return enterprise.TitleUnicorn, true, true
	case "titles_held_potential_unicorn":
		return enterprise.TitlePotentialUni, true, true
	case "titles_held_gazelle":
		return enterprise.TitleGazelle, true, true
	}
	return "", false, false
}

// PeriodEnd is the last day of a period's month, YYYY-MM-DD: the date a
// point-in-time count such as a stock of titles is taken on.
func PeriodEnd(p report.Period) string {
	return time.Date(p.Year, time.Month(p.Month)+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// scopeWithRegion narrows a city-wide scope to a filtered region, so counts
// follow the page's drill-down.
func scopeWithRegion(sc auth.Scope, f Filter) auth.Scope {
	if sc.IsAll() && f.Region != "" {
		return auth.Region(f.Region)
	}
	return sc
}

// KPICodes are the cockpit's headline indicators, in display order.
var KPICodes = []string{"IND_OUTPUT", "IND_VA_GROWTH", "IND_REVENUE", "IND_PROFIT", "MFG_INVEST_GROWTH", "SEI_VA_SHARE", "RD_INTENSITY", "ABOVE_SCALE_COUNT"}

// KPIs computes the headline figures for a scope, period and filter, each
// with its target progress when a target exists for the city (or the
// filtered region) that year.
func (e *Engine) KPIs(ctx context.Context, sc auth.Scope, p report.Period, f Filter) ([]Figure, error) {
	return e.figures(ctx, sc, KPICodes, p, f)
}

func (e *Engine) figures(ctx context.Context, sc auth.Scope, codes []string, p report.Period, f Filter) ([]Figure, error) {
	snap, err := e.snapshot(ctx, sc, p, f)
	if err != nil {
		return nil, err
	}
	targets, err := e.targetsFor(ctx, p.Year, f)
	if err != nil {
		return nil, err
	}
	out := make([]Figure, 0, len(codes))
	for _, code := range codes {
		ind, ok := e.cat.ByCode(code)
		if !ok {
			return nil, fmt.Errorf("stats: unknown indicator %s", code)
		}
		fig, err := e.compute(ctx, sc, ind, snap, f)
		if err != nil {
			return nil, err
		}
		if t, ok := targets[code]; ok {
			pr := target.Evaluate(t, KindOf(ind), fig.Value, fig.Known, p.Month)
			fig.Progress = &pr
		}
		out = append(out, fig)
	}
	return out, nil
}

// ScopedTargets is an optional Source method: the targets of one year and
// scope only. The KPI view needs a scope's 18 targets of the year's 141
// (most are district goals); reading them all was half of its time.
type ScopedTargets interface {
	TargetsInScope(ctx context.Context, year int, scopeKind, scopeCode string) ([]target.Target, error)
}

func (e *Engine) targetsFor(ctx context.Context, year int, f Filter) (map[string]target.Target, error) {
	var ts []target.Target
	var err error
	scoped, ok := e.src.(ScopedTargets)
	switch {
	case ok && f.Region == "" && f.Cluster == "":
		ts, err = scoped.TargetsInScope(ctx, year, target.ScopeCity, "")
	case ok && f.Cluster == "":
		ts, err = scoped.TargetsInScope(ctx, year, target.ScopeRegion, f.Region)
	case ok && f.Region == "":
		ts, err = scoped.TargetsInScope(ctx, year, target.ScopeCluster, f.Cluster)
	default:
		ts, err = e.src.Targets(ctx, year)
	}
	if err != nil {
		return nil, err
	}
	out := map[string]target.Target{}
	for _, t := range ts {
		switch {
		case f.Region == "" && f.Cluster == "" && t.ScopeKind == target.ScopeCity:
			out[t.IndicatorCode] = t
		case f.Region != "" && t.ScopeKind == target.ScopeRegion && t.ScopeCode == f.Region:
			out[t.IndicatorCode] = t
		case f.Cluster != "" && t.ScopeKind == target.ScopeCluster && t.ScopeCode == f.Cluster:
			out[t.IndicatorCode] = t
		}
	}
	return out, nil
}

// KindOf says how an indicator's year-to-date value relates to its year-end
// value, for target projection.
func KindOf(ind indicator.Indicator) target.Kind {
	// A point-in-time level (a head count, a stock of titles) is already
	// its own best year-end estimate; scaling it by 12/month would inflate it.
	if ind.Kind == "point" {
		return target.Rate
	}
	switch ind.Aggregation {
	case "growth", "share", "ratio":
		return target.Rate
	}
	return target.Level
}

// Trend computes one indicator for every reported month of a year.
func (e *Engine) Trend(ctx context.Context, sc auth.Scope, code string, year int, f Filter) ([]Figure, error) {
	ind, ok := e.cat.ByCode(code)
	if !ok {
		return nil, apperr.New(apperr.NotFound, "err.indicator_not_found", code)
	}
	rows, err := e.src.Aggregate(ctx, sc, Query{Year: year, GroupBy: []Dim{ByMonth, BySection, BySEI, BySpecialized}, Filter: f})
	if err != nil {
		return nil, err
	}
	byMonth := map[int][]Row{}
	var months []int
	for _, r := range rows {
		if _, seen := byMonth[r.Key.Month]; !seen {
			months = append(months, r.Key.Month)
		}
		byMonth[r.Key.Month] = append(byMonth[r.Key.Month], r)
	}
	sort.Ints(months)
	src := e.src
	if yd, ok := e.src.(YearDeflators); ok && ind.Measure == "va_real_growth" {
		// One read of the year's price index instead of one per month
		// (a quarter of the trend's time under load).
		idx, err := yd.DeflatorsOfYear(ctx, DeflatorSeries, year)
		if err != nil {
			return nil, err
		}
		src = yearDeflatorSource{Source: e.src, year: year, idx: idx}
	}
	out := make([]Figure, 0, len(months))
	for _, m := range months {
		fig, err := e.computeWith(ctx, src, sc, ind, snapshot{period: report.Period{Year: year, Month: m}, rows: byMonth[m]}, f)
		if err != nil {
			return nil, err
		}
		out = append(out, fig)
	}
	return out, nil
}

// YearDeflators is an optional Source method: a price index series' points
// of one year, month → index × 10^4 (month 0 the annual value).
type YearDeflators interface {
	DeflatorsOfYear(ctx context.Context, series string, year int) (map[int]int64, error)
}

// yearDeflatorSource answers Deflator for one year of DeflatorSeries from
// prefetched points, with Source.Deflator's fallback to the annual value.
type yearDeflatorSource struct {
	Source
	year int
	idx  map[int]int64
}

func (s yearDeflatorSource) Deflator(ctx context.Context, series string, year, month int) (int64, bool, error) {
	if series != DeflatorSeries || year != s.year {
		return s.Source.Deflator(ctx, series, year, month)
	}
	if v, ok := s.idx[month]; ok {
		return v, true, nil
	}
	v, ok := s.idx[0]
	return v, ok, nil
}

// Slice is one part of a breakdown.
type Slice struct {
	Key         Key
	N           int64
	Output      float64 // 亿元
	OutputYoY   *float64
	ValueAdded  float64  // 亿元
	VAGrowth    *float64 // real, comparable basis
	SharePct    float64  // of the total output of the breakdown
	RDIntensity *float64
}

// Breakdown splits a period's totals by one dimension (region, cluster or
// tier), largest output first.
func (e *Engine) Breakdown(ctx context.Context, sc auth.Scope, p report.Period, by Dim, f Filter) ([]Slice, error) {
	switch by {
	case ByRegion, ByCluster, ByTier:
	default:
		return nil, apperr.New(apperr.Invalid, "err.bad_dimension", string(by))
	}
	rows, err := e.src.Aggregate(ctx, sc, Query{Year: p.Year, Month: p.Month, GroupBy: []Dim{by}, Filter: f})
	if err != nil {
		return nil, err
	}
	idx, ok, err := e.src.Deflator(ctx, DeflatorSeries, p.Year, p.Month)
	if err != nil {
		return nil, err
	}
	if !ok {
		idx = 1_000_000
	}
	var total int64
	for _, r := range rows {
		total += r.Sums.Cur[report.Output]
	}
	out := make([]Slice, 0, len(rows))
	for _, r := range rows {
		s := Slice{Key: r.Key, N: r.Sums.N,
			Output:     float64(r.Sums.Cur[report.Output]) / float64(unit.Yi),
			ValueAdded: float64(r.Sums.Cur[report.ValueAdded]) / float64(unit.Yi)}
		if g, ok := GrowthPct(r.Sums.Cur[report.Output], r.Sums.Base[report.Output]); ok {
			s.OutputYoY = &g
		}
		if g, ok := RealGrowthPct(r.Sums.Cur[report.ValueAdded], r.Sums.Base[report.ValueAdded], idx); ok {
			s.VAGrowth = &g
		}
		if v, ok := SharePct(r.Sums.Cur[report.Output], total); ok {
			s.SharePct = v
		}
		if v, ok := SharePct(r.Sums.Cur[report.RDExpense], r.Sums.Cur[report.Revenue]); ok {
			s.RDIntensity = &v
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Output > out[j].Output })
	return out, nil
}

// ScoreboardCodes are the figures of the document's "成绩单".
var ScoreboardCodes = []string{"IND_OUTPUT", "IND_VA_GROWTH", "MFG_INVEST_GROWTH", "SEI_VA_SHARE", "ZJTX_RD_INTENSITY", "RD_INTENSITY"}

// Scoreboard is the "数读" panel: a year's results (成绩单) and the next
// year's task table (任务表) with progress so far.
type Scoreboard struct {
	Year        int
	Period      report.Period // the period the results cover (December when complete)
	Results     []Figure
	TargetYear  int
	TargetAsOf  report.Period // latest period of the target year, zero if none
	TargetTable []Figure      // one figure per target, with Progress set
}

// Scoreboard computes the panel for year, city-wide.
func (e *Engine) Scoreboard(ctx context.Context, year int) (Scoreboard, error) {
	sb := Scoreboard{Year: year, TargetYear: year + 1}
	p, err := e.lastPeriodOf(ctx, year)
	if err != nil {
		return sb, err
	}
	sb.Period = p
	if sb.Results, err = e.figures(ctx, auth.All(), ScoreboardCodes, p, Filter{}); err != nil {
		return sb, err
	}
	tp, err := e.lastPeriodOf(ctx, year+1)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return sb, err
	}
	sb.TargetAsOf = tp
	// The panel shows the city's targets only: read those (39 of the demo
	// year's 162) when the source can select them.
	var targets []target.Target
	if scoped, ok := e.src.(ScopedTargets); ok {
		targets, err = scoped.TargetsInScope(ctx, year+1, target.ScopeCity, "")
	} else {
		targets, err = e.src.Targets(ctx, year+1)
	}
	if err != nil {
		return sb, err
	}
	// One set for the table: the period's sums are read once, and a
	// measure several targets share (a count of titles or of digital
	// projects) is counted once.
	figs := e.NewFigureSet(auth.All(), tp)
	for _, t := range targets {
		if t.ScopeKind != target.ScopeCity {
			continue
		}
		ind, ok := e.cat.ByCode(t.IndicatorCode)
		if !ok {
			continue
		}
		fig := Figure{Indicator: ind, Period: tp}
		month := tp.Month
		if tp.Year != 0 {
			if fig, err = figs.Figure(ctx, t.IndicatorCode, Filter{}); err != nil {
				return sb, err
			}
			if ind.Measure == "" && fig.Known {
				month = 12 // manual values are annual
			}
		}
		pr := target.Evaluate(t, KindOf(ind), fig.Value, fig.Known, month)
		fig.Progress = &pr
		sb.TargetTable = append(sb.TargetTable, fig)
	}
	return sb, nil
}

// lastPeriodOf returns December of year when reported, else the latest
// reported month of that year.
func (e *Engine) lastPeriodOf(ctx context.Context, year int) (report.Period, error) {
	latest, err := e.src.LatestPeriod(ctx)
	if err != nil {
		return report.Period{}, err
	}
	switch {
	case latest.Year > year:
		return report.Period{Year: year, Month: 12}, nil
	case latest.Year == year:
		return latest, nil
	}
	return report.Period{}, apperr.New(apperr.NotFound, "err.no_data")
}

// DefaultScoreboardYear is the year the panel shows when none is asked
// for: the latest complete year (one with a December) whose following year
// has a task table, as the newspaper panel pairs 2023 results with the 2024
// targets; failing that, the latest complete year.
func (e *Engine) DefaultScoreboardYear(ctx context.Context) (int, error) {
	latest, err := e.src.LatestPeriod(ctx)
	if err != nil {
		return 0, err
	}
	year := latest.Year
	if latest.Month < 12 {
		year--
	}
	for y := year; y >= year-2; y-- {
		ts, err := e.src.Targets(ctx, y+1)
		if err != nil {
			return 0, err
		}
		if len(ts) > 0 {
			return y, nil
		}
	}
	return year, nil
}
