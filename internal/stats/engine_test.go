package stats

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/unit"
)

// fakeSource serves fixed rows for one year and month; it ignores grouping
// other than by month, which is enough for the engine's own sums.
type fakeSource struct {
	rows     map[report.Period][]Row
	deflator map[int]int64
	targets  []target.Target
	titles   map[enterprise.TitleKind]int
	held     map[string]int // kind@day → stock (stock_test.go)
	manual   map[string]int64
	latest   report.Period
}

func (f *fakeSource) Aggregate(_ context.Context, sc auth.Scope, q Query) ([]Row, error) {
	if sc.EnterpriseID != 0 {
		return nil, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	var out []Row
	for p, rows := range f.rows {
		if p.Year != q.Year || (q.Month != 0 && p.Month != q.Month) {
			continue
		}
		for _, r := range rows {
			if q.Filter.Section != "" && r.Key.Section != q.Filter.Section {
				continue
			}
			r.Key.Month = p.Month
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeSource) Deflator(_ context.Context, _ string, year, _ int) (int64, bool, error) {
	v, ok := f.deflator[year]
	return v, ok, nil
}

func (f *fakeSource) CountTitlesGranted(_ context.Context, _ auth.Scope, kind enterprise.TitleKind, _ int) (int, error) {
	return f.titles[kind], nil
}

func (f *fakeSource) IndicatorValue(_ context.Context, code, _, _ string, _, _ int) (int64, bool, error) {
	v, ok := f.manual[code]
	return v, ok, nil
}

func (f *fakeSource) Targets(_ context.Context, year int) ([]target.Target, error) {
	var out []target.Target
	for _, t := range f.targets {
		if t.Year == year {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *fakeSource) LatestPeriod(context.Context) (report.Period, error) { return f.latest, nil }

func row(section string, sei, specialized bool, cur, base map[report.Field]int64) Row {
	r := Row{Key: Key{Section: section, SEI: sei, Specialized: specialized}, Sums: Sums{N: 1, NBase: 1}}
	for f, v := range cur {
		r.Sums.Cur[f] = v
	}
	for f, v := range base {
		r.Sums.Base[f] = v
	}
	return r
}

func testCatalogue(t *testing.T) *indicator.Catalogue {
	t.Helper()
	five, eight := 5.0, 8.0
	c, err := indicator.Parse(mustJSON(t, indicator.Catalogue{Indicators: []indicator.Indicator{
		{Code: "IND_OUTPUT", Measure: "output", Aggregation: "sum", HigherIsBetter: true},
		{Code: "IND_VA_GROWTH", Measure: "va_real_growth", Aggregation: "growth", Alert: &five, Excellent: &eight, HigherIsBetter: true},
		{Code: "MFG_INVEST_GROWTH", Measure: "mfg_investment_growth", Aggregation: "growth", HigherIsBetter: true},
		{Code: "SEI_VA_SHARE", Measure: "sei_va_share", Aggregation: "share", HigherIsBetter: true},
		{Code: "ZJTX_RD_INTENSITY", Measure: "specialized_rd_intensity", Aggregation: "ratio", HigherIsBetter: true},
		{Code: "RD_INTENSITY", Measure: "rd_intensity", Aggregation: "ratio", HigherIsBetter: true},
		{Code: "NEW_SPECIALIZED", Measure: "new_titles_specialized", Aggregation: "count", HigherIsBetter: true},
		{Code: "MFG_VA_GDP_SHARE", Aggregation: "manual", HigherIsBetter: true},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func approx(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func TestEngineScoreboard(t *testing.T) {
	y := unit.Yi
	dec := report.Period{Year: 2023, Month: 12}
	// Three cells: a manufacturing SEI specialized firm, a manufacturing
	// ordinary firm, a utility. Values in fen.
	src := &fakeSource{
		rows: map[report.Period][]Row{dec: {
			row("C", true, true,
				map[report.Field]int64{report.Output: int64(300 * y), report.ValueAdded: int64(80 * y), report.Revenue: 1000, report.RDExpense: 60, report.Investment: 227},
				map[report.Field]int64{report.Output: int64(250 * y), report.ValueAdded: int64(70 * y), report.Investment: 200}),
			row("C", false, false,
				map[report.Field]int64{report.Output: int64(500 * y), report.ValueAdded: int64(120 * y), report.Revenue: 3000, report.RDExpense: 30},
				map[report.Field]int64{report.Output: int64(480 * y), report.ValueAdded: int64(110 * y)}),
			row("D", false, false,
				map[report.Field]int64{report.Output: int64(200 * y), report.ValueAdded: int64(50 * y), report.Revenue: 1000, report.RDExpense: 10, report.Investment: 999},
				map[report.Field]int64{report.Output: int64(190 * y), report.ValueAdded: int64(50 * y), report.Investment: 1}),
		}},
		deflator: map[int]int64{2023: 980000, 2024: 1000000},
		targets: []target.Target{
			{IndicatorCode: "IND_VA_GROWTH", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 8},
			{IndicatorCode: "NEW_SPECIALIZED", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 400},
			{IndicatorCode: "MFG_VA_GDP_SHARE", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 26},
		},
		titles: map[enterprise.TitleKind]int{enterprise.TitleSpecialized: 380},
		latest: report.Period{Year: 2024, Month: 12},
	}
	src.rows[report.Period{Year: 2024, Month: 12}] = []Row{row("C", false, false,
		map[report.Field]int64{report.ValueAdded: 1073}, map[report.Field]int64{report.ValueAdded: 1000})}
	eng := NewEngine(src, testCatalogue(t))
	sb, err := eng.Scoreboard(context.Background(), 2023)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Figure{}
	for _, f := range sb.Results {
		got[f.Indicator.Code] = f
	}
	approx(t, "output 亿元", got["IND_OUTPUT"].Value, 1000)
	approx(t, "output yoy", *got["IND_OUTPUT"].YoYPct, (1000.0/920-1)*100)
	// VA: 250 current-price against 230 base, deflated by 0.98.
	approx(t, "va real growth", got["IND_VA_GROWTH"].Value, (250/0.98/230-1)*100)
	// Manufacturing investment only: 227 vs 200; the utility's 999 is excluded.
	approx(t, "mfg investment growth", got["MFG_INVEST_GROWTH"].Value, 13.5)
	approx(t, "sei share", got["SEI_VA_SHARE"].Value, 80.0/250*100)
	approx(t, "specialized rd", got["ZJTX_RD_INTENSITY"].Value, 6)
	approx(t, "city rd", got["RD_INTENSITY"].Value, 100.0/5000*100)
	if got["IND_VA_GROWTH"].Mark != target.MarkExcellent {
		t.Errorf("va growth %.2f mark %q, want excellent", got["IND_VA_GROWTH"].Value, got["IND_VA_GROWTH"].Mark)
	}

	if sb.TargetYear != 2024 || len(sb.TargetTable) != 3 {
		t.Fatalf("task table %d rows for %d", len(sb.TargetTable), sb.TargetYear)
	}
	status := map[string]target.Status{}
	for _, f := range sb.TargetTable {
		status[f.Indicator.Code] = f.Progress.Status
	}
	want := map[string]target.Status{"IND_VA_GROWTH": target.StatusMissed, "NEW_SPECIALIZED": target.StatusMissed, "MFG_VA_GDP_SHARE": target.StatusNoData}
	for code, w := range want {
		if status[code] != w {
			t.Errorf("%s status %s, want %s", code, status[code], w)
		}
	}
}

func TestEngineNominalWithoutDeflator(t *testing.T) {
	p := report.Period{Year: 2023, Month: 6}
	src := &fakeSource{rows: map[report.Period][]Row{p: {row("C", false, false,
		map[report.Field]int64{report.ValueAdded: 110}, map[report.Field]int64{report.ValueAdded: 100})}}, latest: p}
	f, err := NewEngine(src, testCatalogue(t)).Figure(context.Background(), auth.All(), "IND_VA_GROWTH", p, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Nominal || !f.Known {
		t.Fatalf("want a known nominal figure, got %+v", f)
	}
	approx(t, "nominal growth", f.Value, 10)
}

func TestEngineUnknownWithoutData(t *testing.T) {
	src := &fakeSource{rows: map[report.Period][]Row{}, latest: report.Period{Year: 2023, Month: 12}}
	f, err := NewEngine(src, testCatalogue(t)).Figure(context.Background(), auth.All(), "IND_OUTPUT", report.Period{Year: 2019, Month: 12}, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Known || f.YoYPct != nil {
		t.Fatalf("no data must be unknown: %+v", f)
	}
	if _, err := NewEngine(src, testCatalogue(t)).Figure(context.Background(), auth.All(), "NOPE", report.Period{Year: 2023, Month: 12}, Filter{}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown indicator: %v", err)
	}
}

func TestEngineTrendPerMonth(t *testing.T) {
	src := &fakeSource{rows: map[report.Period][]Row{
		{Year: 2023, Month: 2}: {row("C", false, false, map[report.Field]int64{report.Output: int64(10 * unit.Yi)}, nil)},
		{Year: 2023, Month: 3}: {row("C", false, false, map[report.Field]int64{report.Output: int64(25 * unit.Yi)}, nil)},
	}}
	figs, err := NewEngine(src, testCatalogue(t)).Trend(context.Background(), auth.All(), "IND_OUTPUT", 2023, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(figs) != 2 {
		t.Fatalf("%d months", len(figs))
	}
	byMonth := map[int]float64{}
	for _, f := range figs {
		byMonth[f.Period.Month] = f.Value
	}
	if byMonth[2] != 10 || byMonth[3] != 25 {
		t.Fatalf("trend %v", byMonth)
	}
}

// TestEngineMarksByThresholdScope judges with the shipped catalogue: a
// growth rate is judged in every view (a district's 3 % value-added growth
// is under the 5 % alert line the page prints), a structural share only
// city-wide (a district's low SEI share is no alert), and growth on a
// small base carries the caveat (issue 12).
func TestEngineMarksByThresholdScope(t *testing.T) {
	cat, err := indicator.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p := report.Period{Year: 2023, Month: 12}
	src := &fakeSource{rows: map[report.Period][]Row{p: {
		row("C", false, false, map[report.Field]int64{report.ValueAdded: 103, report.Investment: 9258}, map[report.Field]int64{report.ValueAdded: 100, report.Investment: 1000}),
		row("C", true, false, map[report.Field]int64{report.ValueAdded: 1}, nil),
	}}, deflator: map[int]int64{2023: 1000000}, latest: p}
	eng := NewEngine(src, cat)
	fig := func(code string, f Filter) Figure {
		t.Helper()
		x, err := eng.Figure(context.Background(), auth.All(), code, p, f)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	district := Filter{Region: "500101"}
	for _, f := range []Filter{{}, district, {Cluster: "L1-nev"}} {
		if va := fig("IND_VA_GROWTH", f); va.Mark != target.MarkAlert || !va.Judged {
			t.Errorf("3 %% value-added growth in view %+v: mark %q judged %v, want alert", f, va.Mark, va.Judged)
		}
	}
	sei := fig("SEI_VA_SHARE", district)
	if sei.Value > 2 || sei.Mark != target.MarkNone || sei.Judged {
		t.Errorf("a district's SEI share %.1f %%: mark %q judged %v, want none (a city-level line)", sei.Value, sei.Mark, sei.Judged)
	}
	if city := fig("SEI_VA_SHARE", Filter{}); city.Mark != target.MarkAlert {
		t.Errorf("city-wide SEI share %.1f %%: mark %q, want alert", city.Value, city.Mark)
	}
	inv := fig("IND_INVEST_GROWTH", district)
	if math.Abs(inv.Value-825.8) > 0.05 || !inv.SmallBase || inv.Mark != target.MarkExcellent {
		t.Errorf("investment growth %.1f %%: small base %v mark %q, want the caveat", inv.Value, inv.SmallBase, inv.Mark)
	}
	if va := fig("IND_VA_GROWTH", district); va.SmallBase {
		t.Errorf("3 %% growth flagged as on a small base")
	}
}

// monthlyPPI is a source with monthly price index points; withYear adds
// the one-read-per-year method the store has.
type monthlyPPI struct {
	*fakeSource
	points map[[2]int]int64 // {year, month} → index; month 0 the annual value
	calls  int
}

func (m *monthlyPPI) Deflator(_ context.Context, _ string, year, month int) (int64, bool, error) {
	m.calls++
	if v, ok := m.points[[2]int{year, month}]; ok {
		return v, true, nil
	}
	v, ok := m.points[[2]int{year, 0}]
	return v, ok, nil
}

type monthlyPPIWithYear struct{ *monthlyPPI }

func (m monthlyPPIWithYear) DeflatorsOfYear(_ context.Context, _ string, year int) (map[int]int64, error) {
	out := map[int]int64{}
	for k, v := range m.points {
		if k[0] == year {
			out[k[1]] = v
		}
	}
	return out, nil
}

// TestEngineTrendReadsTheYearsDeflatorsOnce: a real-growth trend over a
// source that can list a year's price index gives the same figures as one
// asked month by month (a monthly point where there is one, else the
// annual value), without a per-month read.
func TestEngineTrendReadsTheYearsDeflatorsOnce(t *testing.T) {
	rows := map[report.Period][]Row{}
	for m := 2; m <= 5; m++ {
		rows[report.Period{Year: 2023, Month: m}] = []Row{row("C", false, false,
			map[report.Field]int64{report.ValueAdded: int64(m*11) * int64(unit.Yi)}, map[report.Field]int64{report.ValueAdded: int64(m*10) * int64(unit.Yi)})}
	}
	points := map[[2]int]int64{{2023, 0}: 1_020_000, {2023, 3}: 990_000}
	plain := &monthlyPPI{fakeSource: &fakeSource{rows: rows}, points: points}
	want, err := NewEngine(plain, testCatalogue(t)).Trend(context.Background(), auth.All(), "IND_VA_GROWTH", 2023, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	prefetch := monthlyPPIWithYear{&monthlyPPI{fakeSource: &fakeSource{rows: rows}, points: points}}
	got, err := NewEngine(prefetch, testCatalogue(t)).Trend(context.Background(), auth.All(), "IND_VA_GROWTH", 2023, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	brief := func(fs []Figure) string {
		var b strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&b, "%s %v %v %v; ", f.Period, f.Value, f.Known, f.Nominal)
		}
		return b.String()
	}
	if len(want) != 4 || brief(got) != brief(want) {
		t.Fatalf("got %s\nwant %s", brief(got), brief(want))
	}
	if want[0].Value == want[1].Value || plain.calls != 4 || prefetch.calls != 0 {
		t.Fatalf("month 3's own index unused or per-month reads: values %v, %v; calls %d, %d", want[0].Value, want[1].Value, plain.calls, prefetch.calls)
	}
}
