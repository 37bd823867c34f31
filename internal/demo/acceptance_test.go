package demo

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/testkit"
	"github.com/industrybrain/ibrain/internal/unit"
)

// openPostgres opens a fresh, migrated PostgreSQL store with the reference
// data on the server of IBRAIN_TEST_POSTGRES, dropped after the test; it
// skips when the variable is unset.
func openPostgres(t *testing.T) *sqlstore.Store {
	return testkit.OpenPostgres(t, "ibrain_demo_test_")
}

// TestAcceptanceSQLite checks the demo database the package's tests share:
// the Load that built it (progress), every figure of the document computed
// from it and, unless -short, that loading again changes nothing.
func TestAcceptanceSQLite(t *testing.T) {
	t.Parallel()
	st := openLoadedSQLite(t)
	imageLoad.progress.check(t)
	t.Logf("Load on sqlite: %v (%d progress calls)\n%s", imageLoad.elapsed.Round(time.Millisecond), imageLoad.progress.calls, imageLoad.sum)
	var reloaded func() *sqlstore.Store
	if !testing.Short() {
		reloaded = func() *sqlstore.Store { return openReloadedSQLite(t) }
	}
	runAcceptance(t, st, reloaded)
}

func TestAcceptancePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	st := openPostgres(t)
	loadChecked(t, st)
	runAcceptance(t, st, nil)
	t.Run("listing figures", func(t *testing.T) { runListingAcceptance(t, st) })
	t.Run("instrument figures", func(t *testing.T) { runInstrumentAcceptance(t, st) })
	t.Run("digital figures", func(t *testing.T) { runDigitalAcceptance(t, st) })
}

// loadChecked loads the demo into st and checks Load's progress calls.
func loadChecked(t *testing.T, st *sqlstore.Store) {
	t.Helper()
	start := time.Now()
	p := newProgressCheck()
	sum, err := Load(context.Background(), st, Options{Seed: 1, Scale: 1, Progress: p.progress})
	if err != nil {
		t.Fatal(err)
	}
	p.check(t)
	t.Logf("Load on %s: %v (%d progress calls)\n%s", st.Engine(), time.Since(start).Round(time.Millisecond), p.calls, sum)
}

// runAcceptance takes a store with the demo loaded and computes every
// figure of the document from it, the way the cockpit does, then checks
// the ranges. With reloaded, which returns the same database loaded a
// second time, it checks that the reload changed nothing.
func runAcceptance(t *testing.T, st *sqlstore.Store, reloaded func() *sqlstore.Store) {
	ctx := context.Background()
	agg := func(year, month int, f stats.Filter, by ...stats.Dim) []stats.Row {
		t.Helper()
		rows, err := st.Aggregate(ctx, auth.All(), stats.Query{Year: year, Month: month, GroupBy: by, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	total := func(year, month int, f stats.Filter) stats.Sums {
		var s stats.Sums
		for _, r := range agg(year, month, f) {
			s.Add(r.Sums)
		}
		return s
	}
	deflator := func(year int) int64 {
		idx, ok, err := st.Deflator(ctx, stats.DeflatorSeries, year, 12)
		if err != nil || !ok {
			t.Fatalf("deflator %d: %v %v", year, ok, err)
		}
		return idx
	}
	check := func(name string, v float64, ok bool, iv interval) {
		t.Helper()
		switch {
		case !ok:
			t.Errorf("%s: not computable", name)
		case !iv.contains(v):
			t.Errorf("%s = %.4f, want in [%g, %g)", name, v, iv.lo, iv.hi)
		default:
			t.Logf("%s = %.4f", name, v)
		}
	}
	seiShare := func(year int) (float64, bool) {
		var sei, all int64
		for _, r := range agg(year, 12, stats.Filter{}, stats.BySEI) {
			all += r.Sums.Cur[report.ValueAdded]
			if r.Key.SEI {
				sei += r.Sums.Cur[report.ValueAdded]
			}
		}
		return stats.SharePct(sei, all)
	}

	// 2023: the scoreboard.
	s23 := total(2023, 12, stats.Filter{})
	check("2023 gross output (trillion yuan)", float64(s23.Cur[report.Output])/float64(unit.Trillion), s23.N > 0, acceptance.output2023)
	g, ok := stats.RealGrowthPct(s23.Cur[report.ValueAdded], s23.Base[report.ValueAdded], deflator(2023))
	check("2023 real VA growth, comparable basis (%)", g, ok, acceptance.vaReal2023)
	mfg := total(2023, 12, stats.Filter{Section: "C"})
	g, ok = stats.GrowthPct(mfg.Cur[report.Investment], mfg.Base[report.Investment])
	check("2023 manufacturing investment growth (%)", g, ok, acceptance.mfgInvest2023)
	v, ok := seiShare(2023)
	check("2023 SEI share of VA (%)", v, ok, acceptance.sei2023)
	var spec, all stats.Sums
	for _, r := range agg(2023, 12, stats.Filter{}, stats.BySpecialized) {
		all.Add(r.Sums)
		if r.Key.Specialized {
			spec.Add(r.Sums)
		}
	}
	rdSpec, ok := stats.SharePct(spec.Cur[report.RDExpense], spec.Cur[report.Revenue])
	check("2023 专精特新 R&D intensity (%)", rdSpec, ok, acceptance.rdSpec2023)
	rdAll, ok := stats.SharePct(all.Cur[report.RDExpense], all.Cur[report.Revenue])
	check("2023 above-scale R&D intensity (%)", rdAll, ok, acceptance.rdAll2023)
	if d := rdSpec - rdAll; d < 2.5 || d > 3.5 {
		t.Errorf("专精特新 R&D intensity is %.2f points above the average, want about 3", d)
	}
	t.Logf("2023 above-scale firms %d, of which 专精特新 %d", all.N, spec.N)
	if spec.N < 1500 || spec.N > 2000 {
		t.Errorf("2023 above-scale firms with a valid 专精特新/小巨人 title: %d, want 1,500–2,000", spec.N)
	}

	// 2024: the actuals the task table is tracked against.
	s24 := total(2024, 12, stats.Filter{})
	g, ok = stats.RealGrowthPct(s24.Cur[report.ValueAdded], s24.Base[report.ValueAdded], deflator(2024))
	check("2024 real VA growth, comparable basis (%)", g, ok, acceptance.vaReal2024)
	v, ok = seiShare(2024)
	check("2024 SEI share of VA (%)", v, ok, acceptance.sei2024)

	// Comparable-basis growth is not the growth of the published totals.
	s22 := total(2022, 12, stats.Filter{})
	naive, _ := stats.RealGrowthPct(s23.Cur[report.ValueAdded], s22.Cur[report.ValueAdded], deflator(2023))
	comparable, _ := stats.RealGrowthPct(s23.Cur[report.ValueAdded], s23.Base[report.ValueAdded], deflator(2023))
	t.Logf("2023 real VA growth: comparable %.2f %%, from published totals %.2f %%; above-scale firms 2022 %d, 2023 %d", comparable, naive, s22.N, s23.N)
	if math.Abs(naive-comparable) < 0.1 || s22.N == s23.N {
		t.Errorf("comparable-basis growth %.2f should differ from the naive %.2f (entry and exit)", comparable, naive)
	}
	// Earlier months: growth near the annual value, 1–2月 included.
	for _, y := range []int{2023, 2024} {
		annual, _ := stats.RealGrowthPct(total(y, 12, stats.Filter{}).Cur[report.ValueAdded], total(y, 12, stats.Filter{}).Base[report.ValueAdded], deflator(y))
		for _, r := range agg(y, 0, stats.Filter{}, stats.ByMonth) {
			g, _ := stats.RealGrowthPct(r.Sums.Cur[report.ValueAdded], r.Sums.Base[report.ValueAdded], deflator(y))
			if math.Abs(g-annual) > 2 {
				t.Errorf("%d-%02d real VA growth %.2f is far from the annual %.2f", y, r.Key.Month, g, annual)
			}
		}
	}

	// 2024 grants: around, not on, the task-table targets.
	for kind, want := range map[enterprise.TitleKind]int{enterprise.TitleSpecialized: 400, enterprise.TitleLittleGiant: 30, enterprise.TitleChampion: 4} {
		n, err := st.CountTitlesGranted(ctx, auth.All(), kind, 2024)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("2024 %s granted: %d (target %d)", kind, n, want)
		if n == want || math.Abs(float64(n-want)) > 0.25*float64(want)+1 {
			t.Errorf("2024 %s granted %d, want near but not equal to %d", kind, n, want)
		}
	}

	// The platform's own scoreboard over the same store.
	cat, err := indicator.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	sb, err := stats.NewEngine(st, cat).Scoreboard(ctx, 2023)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sb.Results {
		t.Logf("scoreboard %s = %.2f", f.Indicator.Code, f.Value)
	}
	byCode := map[string]float64{}
	for _, f := range sb.Results {
		byCode[f.Indicator.Code] = f.Value
	}
	for code, iv := range map[string]interval{"IND_VA_GROWTH": acceptance.vaReal2023, "MFG_INVEST_GROWTH": acceptance.mfgInvest2023,
		"SEI_VA_SHARE": acceptance.sei2023, "ZJTX_RD_INTENSITY": acceptance.rdSpec2023, "RD_INTENSITY": acceptance.rdAll2023} {
		if v, ok := byCode[code]; !ok || !iv.contains(v) {
			t.Errorf("scoreboard %s = %.4f (%v), want in [%g, %g)", code, v, ok, iv.lo, iv.hi)
		}
	}
	if v := byCode["IND_OUTPUT"]; !(v > 26000 && v < 26000*1.02) {
		t.Errorf("scoreboard IND_OUTPUT = %.1f 亿元, want above 26,000 and below 26,520", v)
	}
	for _, f := range sb.TargetTable {
		if f.Progress != nil {
			t.Logf("target %s: actual %.2f (known %v) target %g → %s", f.Indicator.Code, f.Progress.Actual, f.Progress.Known, f.Progress.Target.Value, f.Progress.Status)
		}
	}
	tables, err := taskTables()
	if err != nil {
		t.Fatal(err)
	}
	if len(sb.TargetTable) != len(tables.Targets()) {
		t.Errorf("task tables have %d city rows in the store, want %d", len(sb.TargetTable), len(tables.Targets()))
	}

	if reloaded == nil {
		return
	}
	// Loading again changes nothing.
	var again stats.Sums
	rows, err := reloaded().Aggregate(ctx, auth.All(), stats.Query{Year: 2023, Month: 12})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		again.Add(r.Sums)
	}
	if again != s23 {
		t.Errorf("reloading changed the 2023 sums: %+v → %+v", s23, again)
	}
}
