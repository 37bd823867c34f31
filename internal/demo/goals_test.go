package demo

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/hardtech"
	"github.com/industrybrain/ibrain/internal/target"
)

// TestGoalsDemo loads the demo and checks the goals module's data: district
// allocations summing exactly to the city goals (and to the task table's
// 400 / 30 / 4), growth-title stocks on a plausible way to the 2027 goals,
// and hard-tech pools of at least 50 active firms in 2022, 2023 and 2024.
func TestGoalsDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo")
	}
	t.Parallel()
	ctx := context.Background()
	st := openLoadedSQLite(t)
	plans, err := st.GoalPlans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	city := map[string]int{"NEW_SPECIALIZED": 400, "NEW_LITTLE_GIANTS": 30, "NEW_CHAMPIONS": 4, "UNICORN_COUNT": 15, "POTENTIAL_UNICORN_COUNT": 30, "GAZELLE_COUNT": 300}
	seen := 0
	for _, p := range plans {
		for _, g := range p.Goals {
			sum, nonzero := 0, 0
			for _, v := range g.Districts {
				sum += v
				if v > 0 {
					nonzero++
				}
			}
			t.Logf("%s v%d %s: city %d, %d districts with a share", p.ID, p.Version, g.IndicatorCode, g.City, nonzero)
			if g.City != city[g.IndicatorCode] || sum != g.City {
				t.Errorf("%s: city %d, districts sum %d, want %d", g.IndicatorCode, g.City, sum, city[g.IndicatorCode])
			}
			if g.City >= 30 && nonzero < 10 {
				t.Errorf("%s: only %d districts share a goal of %d", g.IndicatorCode, nonzero, g.City)
			}
			seen++
		}
	}
	if seen != len(city) {
		t.Fatalf("%d goals stored, want %d", seen, len(city))
	}
	// The task table's 2024 city rows are untouched and the districts' rows sum to them.
	ts, err := st.Targets(ctx, 2024)
	if err != nil {
		t.Fatal(err)
	}
	sums, cityT := map[string]float64{}, map[string]float64{}
	for _, x := range ts {
		if x.ScopeKind == target.ScopeRegion {
			sums[x.IndicatorCode] += x.Value
		} else if x.ScopeKind == target.ScopeCity {
			cityT[x.IndicatorCode] = x.Value
		}
	}
	for _, code := range []string{"NEW_SPECIALIZED", "NEW_LITTLE_GIANTS", "NEW_CHAMPIONS"} {
		if sums[code] != cityT[code] || cityT[code] != float64(city[code]) {
			t.Errorf("2024 %s: districts %v, city %v", code, sums[code], cityT[code])
		}
	}
	// Stocks grow each year and stay short of the 2027 goals by 2024.
	for kind, goal := range map[enterprise.TitleKind]int{enterprise.TitleUnicorn: 15, enterprise.TitlePotentialUni: 30, enterprise.TitleGazelle: 300} {
		prev := 0
		for _, y := range []string{"2022-12-31", "2023-12-31", "2024-12-31"} {
			n, err := st.CountTitlesHeld(ctx, auth.All(), kind, y)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s held on %s: %d (2027 goal %d)", kind, y, n, goal)
			if n <= prev || n >= goal || n < goal/4 {
				t.Errorf("%s on %s: %d (previous %d), want growing and between %d and %d", kind, y, n, prev, goal/4, goal)
			}
			prev = n
		}
	}
	ps, err := hardtech.Policies()
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range []int{2022, 2023, 2024} {
		pol, err := hardtech.PolicyFor(ps, y)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := st.HardtechMembers(ctx, auth.All(), y, pol.HorizonYears)
		if err != nil {
			t.Fatal(err)
		}
		var prs []hardtech.Progress
		for _, r := range rows {
			if r.BaseRevenue <= 0 || r.Reasons == "" || (r.Size != enterprise.SizeSmall && r.Size != enterprise.SizeMedium) {
				t.Errorf("%d member %s: base %d, reasons %q, size %s", y, r.Name, r.BaseRevenue, r.Reasons, r.Size)
			}
			prs = append(prs, hardtech.Evaluate(r.Member, pol, r.Revenue, 2024))
		}
		s := hardtech.Stats(y, pol, prs)
		t.Logf("%d pool: %d admitted, %d active, statuses %v", y, s.Admitted, s.Active, s.ByStatus)
		if s.Active < 50 || !s.MeetsMinimum {
			t.Errorf("%d pool has %d active firms, want at least 50", y, s.Active)
		}
	}
	// Loading again changes nothing in the module's tables.
	before, _ := st.GoalPlans(ctx)
	after, err := openReloadedSQLite(t).GoalPlans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("reload: %d plans, before %d", len(after), len(before))
	}
}
