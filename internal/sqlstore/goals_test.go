package sqlstore

import (
	"context"
	"maps"
	"testing"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/target"
)

// seedIndicators loads the built-in indicator catalogue (targets and goal
// values refer to it).
func seedIndicators(tb testing.TB, st *Store) {
	tb.Helper()
	cat, err := indicator.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	var rows []IndicatorRow
	for _, d := range cat.Indicators {
		rows = append(rows, IndicatorRow{Code: d.Code, NameZh: d.NameZh, NameEn: d.NameEn, Unit: d.Unit, Frequency: d.Frequency, Kind: d.Kind,
			Aggregation: d.Aggregation, Measure: d.Measure, Department: d.Department, Source: d.Source, Alert: d.Alert, Excellent: d.Excellent, HigherIsBetter: d.HigherIsBetter})
	}
	if err := st.SyncIndicators(context.Background(), rows); err != nil {
		tb.Fatal(err)
	}
}

func flowPlan(version int, eff string, a, b int) goals.Plan {
	return goals.Plan{ID: "cq-2024", Version: version, EffectiveFrom: day(eff), NameZh: "计划", NameEn: "Plan", Source: "任务表", Measure: goals.New,
		BaseYear: 2023, GoalYear: 2024, AlertPct: 80, ExcellentPct: 120,
		Goals: []goals.Goal{{IndicatorCode: "NEW_SPECIALIZED", City: a + b, Districts: map[string]int{regionA: a, regionB: b}}}}
}

func targetMap(t *testing.T, st *Store, year int) map[string]float64 {
	t.Helper()
	ts, err := st.Targets(context.Background(), year)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, x := range ts {
		out[x.IndicatorCode+"/"+x.ScopeKind+"/"+x.ScopeCode] = x.Value
	}
	return out
}

func TestGoalPlans(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedRegions(t, st)
		seedIndicators(t, st)
		// The task table already holds the city goal.
		if err := st.PutTargets(ctx, []target.Target{{IndicatorCode: "NEW_SPECIALIZED", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 400, Source: "任务表"}}); err != nil {
			t.Fatal(err)
		}
		v1 := flowPlan(1, "2024-01-01", 250, 150)
		if err := st.PutGoalPlan(ctx, v1, 1); err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{"NEW_SPECIALIZED/city/": 400, "NEW_SPECIALIZED/region/" + regionA: 250, "NEW_SPECIALIZED/region/" + regionB: 150}
		if got := targetMap(t, st, 2024); len(got) != 3 || got["NEW_SPECIALIZED/city/"] != 400 || got["NEW_SPECIALIZED/region/"+regionA] != 250 || got["NEW_SPECIALIZED/region/"+regionB] != 150 {
			t.Fatalf("targets %v, want %v", got, want)
		}
		// The plans as read now are kept (genMemo); a caller changing its
		// copy changes nothing, and the writes below are seen (the
		// final read's five plans and v1's allocation).
		if ps, err := st.GoalPlans(ctx); err != nil || len(ps) != 1 || len(ps[0].Goals) != 1 {
			t.Fatalf("plans after v1: %+v %v", ps, err)
		} else {
			ps[0].Goals[0].Districts[regionA], ps[0].Goals[0].City = -1, -1
		}
		if ps, err := st.GoalPlans(ctx); err != nil || len(ps) != 1 || !samePlan(ps[0], v1) {
			t.Fatalf("plans after a caller changed its copy: %+v %v", ps, err)
		}
		// The same version again changes nothing; other content under it is refused.
		sum := dbChecksum(t, st)
		if err := st.PutGoalPlan(ctx, v1, 1); err != nil {
			t.Fatal(err)
		}
		if dbChecksum(t, st) != sum {
			t.Fatal("storing the same version again changed the database")
		}
		if err := st.PutGoalPlan(ctx, flowPlan(1, "2024-01-01", 200, 200), 1); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("rewriting v1: %v", err)
		}
		// A city goal that disagrees with the task table writes nothing.
		if err := st.PutGoalPlan(ctx, flowPlan(2, "2024-03-01", 250, 151), 1); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("city mismatch: %v", err)
		}
		// A sum that misses the city goal writes nothing.
		bad := flowPlan(2, "2024-03-01", 250, 150)
		bad.Goals[0].City = 401
		if err := st.PutGoalPlan(ctx, bad, 1); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad sum: %v", err)
		}
		if dbChecksum(t, st) != sum || countRows(t, st, "goal_plan") != 1 {
			t.Fatal("a refused plan wrote something")
		}
		// v2 in force (the test clock is in 2025) replaces the district rows.
		if err := st.PutGoalPlan(ctx, flowPlan(2, "2024-06-01", 100, 300), 1); err != nil {
			t.Fatal(err)
		}
		got := targetMap(t, st, 2024)
		if got["NEW_SPECIALIZED/region/"+regionA] != 100 || got["NEW_SPECIALIZED/region/"+regionB] != 300 || got["NEW_SPECIALIZED/city/"] != 400 {
			t.Fatalf("after v2: %v", got)
		}
		// v3 takes effect after the clock: stored, not yet in the task table.
		if err := st.PutGoalPlan(ctx, flowPlan(3, "2030-01-01", 0, 400), 1); err != nil {
			t.Fatal(err)
		}
		if got := targetMap(t, st, 2024); got["NEW_SPECIALIZED/region/"+regionA] != 100 {
			t.Fatalf("a future version reached the task table: %v", got)
		}
		// A stock plan with no city target yet writes the city goal.
		stock := goals.Plan{ID: "cq-2027", Version: 1, EffectiveFrom: day("2023-01-01"), NameZh: "独角兽", NameEn: "Unicorns", Source: "目标", Measure: goals.Stock,
			BaseYear: 2022, GoalYear: 2027, AlertPct: 90, ExcellentPct: 110,
			Goals: []goals.Goal{{IndicatorCode: "UNICORN_COUNT", City: 15, Districts: map[string]int{regionA: 10, regionB: 5}}}}
		if err := st.PutGoalPlan(ctx, stock, 1); err != nil {
			t.Fatal(err)
		}
		if got := targetMap(t, st, 2027); got["UNICORN_COUNT/city/"] != 15 || got["UNICORN_COUNT/region/"+regionB] != 5 {
			t.Fatalf("2027 targets %v", got)
		}
		// A second version of the stock plan may change the city goal it wrote.
		stock2 := stock
		stock2.Version, stock2.Goals = 2, []goals.Goal{{IndicatorCode: "UNICORN_COUNT", City: 16, Districts: map[string]int{regionA: 10, regionB: 6}}}
		if err := st.PutGoalPlan(ctx, stock2, 1); err != nil {
			t.Fatal(err)
		}
		if got := targetMap(t, st, 2027); got["UNICORN_COUNT/city/"] != 16 {
			t.Fatalf("2027 targets after v2 %v", got)
		}
		ps, err := st.GoalPlans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) != 5 || ps[0].ID != "cq-2024" || ps[0].Version != 1 || ps[0].Goals[0].Districts[regionA] != 250 || ps[4].Goals[0].City != 16 || ps[4].Measure != goals.Stock {
			t.Fatalf("plans %+v", ps)
		}
		if !samePlan(ps[0], v1) {
			t.Fatalf("read back %+v, wrote %+v", ps[0], v1)
		}
	})
}

func TestTitleCountsByRegion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		w := buildSmallWorld(t, st)
		a, b, c, e := w.byName["A"], w.byName["B"], w.byName["C"], w.byName["E"]
		w.putTitles(t, st, []enterprise.Title{
			{EnterpriseID: a, Kind: enterprise.TitleGazelle, GrantedOn: day("2022-05-01"), ValidUntil: day("2025-05-01")},
			{EnterpriseID: b, Kind: enterprise.TitleGazelle, GrantedOn: day("2023-05-01"), ValidUntil: day("2024-05-01")},
			// Regranted on expiry: held once, not twice.
			{EnterpriseID: b, Kind: enterprise.TitleGazelle, GrantedOn: day("2024-04-01"), ValidUntil: day("2027-04-01")},
			{EnterpriseID: c, Kind: enterprise.TitleGazelle, GrantedOn: day("2024-07-01")},
			{EnterpriseID: e, Kind: enterprise.TitleUnicorn, GrantedOn: day("2023-01-01")},
		})
		// held counts three kinds in one statement and returns the
		// gazelles; the other kinds are checked here: E's unicorn (涪陵,
		// from 2023) counted apart, and a kind nobody holds an empty map.
		held := func(sc auth.Scope, d string) map[string]int {
			kinds := []enterprise.TitleKind{enterprise.TitleGazelle, enterprise.TitleUnicorn, enterprise.TitleChampion}
			m, err := st.TitlesHeldByRegion(ctx, sc, kinds, d)
			if err != nil {
				t.Fatal(err)
			}
			unicorns := map[string]int{}
			if d >= "2023-01-01" && (sc.IsAll() || sc.RegionCode == regionB) {
				unicorns[regionB] = 1
			}
			if len(m) != 3 || m[enterprise.TitleChampion] == nil || len(m[enterprise.TitleChampion]) != 0 || !maps.Equal(m[enterprise.TitleUnicorn], unicorns) {
				t.Fatalf("held on %s in %+v: %v, want %v unicorns and no champions", d, sc, m, unicorns)
			}
			return m[enterprise.TitleGazelle]
		}
		// 2023-12-31: A and B in 万州 (A, B), none in 涪陵.
		if m := held(auth.All(), "2023-12-31"); m[regionA] != 2 || m[regionB] != 0 || len(m) != 1 {
			t.Fatalf("2023: %v", m)
		}
		// 2024-04-15: B holds both its titles that day; still two firms in 万州.
		if m := held(auth.All(), "2024-04-15"); m[regionA] != 2 {
			t.Fatalf("overlap: %v", m)
		}
		// 2024-12-31: A, B in 万州, C in 涪陵; a 涪陵 officer sees only 涪陵.
		if m := held(auth.All(), "2024-12-31"); m[regionA] != 2 || m[regionB] != 1 {
			t.Fatalf("2024: %v", m)
		}
		if m := held(auth.Region(regionB), "2024-12-31"); m[regionA] != 0 || m[regionB] != 1 {
			t.Fatalf("scoped: %v", m)
		}
		// The valid-until day itself is outside the title.
		if m := held(auth.All(), "2025-05-01"); m[regionA] != 1 {
			t.Fatalf("expiry: %v", m)
		}
		// The city-wide count reads the title index alone (no join); on
		// every day it equals the districts' counts added up.
		for _, d := range []string{"2022-04-30", "2022-05-01", "2023-12-31", "2024-04-15", "2024-12-31", "2025-05-01", "2027-04-01"} {
			city, err := st.CountTitlesHeld(ctx, auth.All(), enterprise.TitleGazelle, d)
			if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, v := range held(auth.All(), d) {
				sum += v
			}
			if city != sum {
				t.Errorf("%s: %d held city-wide, %d in the districts", d, city, sum)
			}
		}
		n, err := st.CountTitlesHeld(ctx, auth.All(), enterprise.TitleGazelle, "2024-12-31")
		if err != nil || n != 3 {
			t.Fatalf("CountTitlesHeld = %d, %v", n, err)
		}
		n, err = st.CountTitlesHeld(ctx, auth.Region(regionA), enterprise.TitleUnicorn, "2024-12-31")
		if err != nil || n != 0 {
			t.Fatalf("unicorns in 万州 = %d, %v", n, err)
		}
		g, err := st.TitlesGrantedByRegion(ctx, auth.All(), []enterprise.TitleKind{enterprise.TitleGazelle, enterprise.TitleUnicorn}, "2024-01-01", "2024-12-31")
		if err != nil || g[enterprise.TitleGazelle][regionA] != 1 || g[enterprise.TitleGazelle][regionB] != 1 || g[enterprise.TitleUnicorn] == nil || len(g[enterprise.TitleUnicorn]) != 0 {
			t.Fatalf("granted 2024 %v %v", g, err)
		}
		g, err = st.TitlesGrantedByRegion(ctx, auth.Region(regionA), []enterprise.TitleKind{enterprise.TitleSpecialized}, "2024-01-01", "2024-12-31")
		if err != nil || g[enterprise.TitleSpecialized][regionA] != 1 || len(g) != 1 || len(g[enterprise.TitleSpecialized]) != 1 {
			t.Fatalf("specialized granted 2024 in 万州 %v %v", g, err)
		}
	})
}
