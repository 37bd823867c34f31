package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/goals"
)

// seedGoals adds titles and two goal plans to the fixture. 2024: four new
// 专精特新 (万州 3, 渝中 1); 2027: ten gazelles (万州 6, 渝中 4) from the
// end-2022 stock.
func (env *testEnv) seedGoals() {
	t := env.t
	ctx := context.Background()
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	if err := env.store.PutTitles(ctx, []enterprise.Title{
		{EnterpriseID: env.ids[entWanzhouAuto], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: d("2024-03-01"), ValidUntil: d("2027-03-01")},
		{EnterpriseID: env.ids[entYuzhongElec], Kind: enterprise.TitleSpecialized, Level: enterprise.LevelProvincial, GrantedOn: d("2024-05-01"), ValidUntil: d("2027-05-01")},
		{EnterpriseID: env.ids[entWanzhouFood], Kind: enterprise.TitleGazelle, Level: enterprise.LevelProvincial, GrantedOn: d("2022-06-01"), ValidUntil: d("2025-06-01")},
		{EnterpriseID: env.ids[entWanzhouAuto], Kind: enterprise.TitleGazelle, Level: enterprise.LevelProvincial, GrantedOn: d("2023-06-01"), ValidUntil: d("2026-06-01")},
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []goals.Plan{
		{ID: "t-2024", Version: 1, EffectiveFrom: d("2024-01-01"), NameZh: "2024", NameEn: "2024", Source: "测试任务表", Measure: goals.New, BaseYear: 2023, GoalYear: 2024,
			AlertPct: 80, ExcellentPct: 120, Goals: []goals.Goal{{IndicatorCode: "NEW_SPECIALIZED", City: 4, Districts: map[string]int{"500101": 3, "500103": 1}}}},
		{ID: "t-2027", Version: 1, EffectiveFrom: d("2023-01-01"), NameZh: "2027", NameEn: "2027", Source: "测试目标", Measure: goals.Stock, BaseYear: 2022, GoalYear: 2027,
			AlertPct: 90, ExcellentPct: 110, Goals: []goals.Goal{{IndicatorCode: "GAZELLE_COUNT", City: 10, Districts: map[string]int{"500101": 6, "500103": 4}}}},
	} {
		if err := env.store.PutGoalPlan(ctx, p, env.users["admin"]); err != nil {
			t.Fatal(err)
		}
	}
}

func (env *testEnv) getGoals(user, url string) apiGoals {
	env.t.Helper()
	res, body := env.do(scenario{url: url, user: user})
	if res.StatusCode != http.StatusOK {
		env.t.Fatalf("GET %s as %s: %d %s", url, user, res.StatusCode, body)
	}
	var out apiGoals
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		env.t.Fatal(err)
	}
	return out
}

func TestGoalsAPI(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		env.seedGoals()
		g := env.getGoals("admin", "/api/v1/goals?year=2024")
		// Data run to June 2024: half the year.
		if g.Year != 2024 || g.AsOf != "2024-06" || g.YearElapsedPct != 50 || !slices.Equal(g.Years, []int{2023, 2024, 2025, 2026, 2027}) || len(g.Goals) != 2 {
			t.Fatalf("goals %+v", g)
		}
		byCode := map[string]apiGoal{}
		for _, x := range g.Goals {
			byCode[x.Indicator] = x
		}
		spec := byCode["NEW_SPECIALIZED"]
		dist := map[string]apiGoalProgress{}
		for _, x := range spec.Districts {
			dist[x.Region] = x
		}
		// City: 2 of 4 by June → 4 projected, on track, pace 2/2 = 100 %.
		if c := spec.City; c == nil || c.Actual != 2 || c.Goal != 4 || c.Projection != 4 || c.Status != "on_track" || c.PacePct != 100 || c.Mark != "" {
			t.Fatalf("city %+v", spec.City)
		}
		// 万州: 1 of 3 → 2 projected, behind; expected 1.5, pace 66.67 % → alert.
		if w := dist["500101"]; w.Actual != 1 || w.Goal != 3 || w.Status != "behind" || w.Expected != 1.5 || w.PacePct != 66.67 || w.Mark != "alert" {
			t.Fatalf("万州 %+v", w)
		}
		// 渝中: 1 of 1, met; pace 200 % → excellent.
		if y := dist["500103"]; y.Actual != 1 || y.Status != "met" || y.Mark != "excellent" {
			t.Fatalf("渝中 %+v", y)
		}
		gaz := byCode["GAZELLE_COUNT"]
		// City baseline end-2022: 1 (the food firm); June 2024: 2. Milestone
		// 2024: 1 + 9 × 2/5 = 4.6 → 5. 1.5 of 5 years gone: the year ends at
		// 1 + 1 × 2/1.5 = 2.33 < 5 → behind. Projection to 2027: 1 + 1 × 5/1.5.
		if c := gaz.City; c == nil || c.Baseline != 1 || c.Actual != 2 || c.YearGoal != 5 || c.Status != "behind" || c.ElapsedPct != 30 ||
			c.Projection != goalRound2(1+5/1.5) || gaz.Measure != "stock" || gaz.GoalYear != 2027 {
			t.Fatalf("gazelle city %+v", gaz.City)
		}
		// 2025 (a later year): stock goals only, actuals at the latest month, no status yet.
		later := env.getGoals("admin", "/api/v1/goals?year=2025")
		if later.AsOf != "" || len(later.Goals) != 1 || later.Goals[0].City.Actual != 2 || later.Goals[0].City.Status != "no_data" || later.Goals[0].City.YearGoal != 7 {
			t.Fatalf("2025 %+v %+v", later, later.Goals[0].City)
		}
		// A district officer sees their district only, and no city row.
		w := env.getGoals("wanzhou", "/api/v1/goals?year=2024")
		for _, x := range w.Goals {
			if x.City != nil || len(x.Districts) != 1 || x.Districts[0].Region != "500101" {
				t.Fatalf("万州 officer sees %+v", x)
			}
		}
		env.run(t, []scenario{
			{name: "EnterpriseForbidden", url: "/api/v1/goals", user: "firm", wantStatus: http.StatusForbidden},
			{name: "Anonymous", url: "/api/v1/goals", wantStatus: http.StatusUnauthorized},
			{name: "BadYear", url: "/api/v1/goals?year=abc", user: "admin", wantStatus: http.StatusBadRequest},
			{name: "DefaultYear", url: "/api/v1/goals", user: "analyst", wantStatus: http.StatusOK, wantContains: []string{`"year":2024`, `"as_of":"2024-06"`}},
			{name: "DistrictNoOtherDistrict", url: "/api/v1/goals?year=2024", user: "wanzhou", wantStatus: http.StatusOK, wantNotContains: []string{"500103", "渝中区"}},
			{name: "Page", url: "/goals?year=2024", user: "admin", wantStatus: http.StatusOK,
				wantContains: []string{"新培育专精特新中小企业", "瞪羚企业数", "万州区", "渝中区", "全市", `data-pct="50"`, "status-behind"}},
			{name: "PageEnglish", url: "/goals?year=2024&lang=en", user: "admin", wantStatus: http.StatusOK, wantContains: []string{"Cultivation goals", "City", "Gazelle enterprises"}},
			{name: "PageDistrict", url: "/goals?year=2024", user: "wanzhou", wantStatus: http.StatusOK, wantContains: []string{"万州区"}, wantNotContains: []string{"渝中区", "全市</td>"}},
			{name: "PageEnterpriseForbidden", url: "/goals", user: "firm", wantStatus: http.StatusForbidden},
			// The in-force allocation is also in the task table, so the targets page shows the district rows.
			{name: "TargetsPageHasAllocation", url: "/targets?year=2024", user: "wanzhou", wantStatus: http.StatusOK, wantContains: []string{"新培育专精特新中小企业"}},
		})
	})
}

// TestGoalsNoPlans: a store without plans answers with no goals.
func TestGoalsNoPlans(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		env.run(t, []scenario{
			{name: "API", url: "/api/v1/goals", user: "admin", wantStatus: http.StatusOK, wantContains: []string{`"goals":[]`}},
			{name: "Page", url: "/goals", user: "admin", wantStatus: http.StatusOK, wantContains: []string{`id="goals-none"`}},
		})
	})
}

// The goals and hard-tech schemas match their wire structs field by field.
func TestGoalsOpenAPISchemas(t *testing.T) {
	checkWireSchemas(t, loadOpenAPI(t), map[string]any{"Goals": apiGoals{}, "Goal": apiGoal{}, "GoalProgress": apiGoalProgress{},
		"HardtechPool": apiHardtechPool{}, "HardtechMember": apiHardtechMember{}},
		map[string]any{"HardtechAdmit": hardtechAdmitBody{}, "HardtechRemove": hardtechRemoveBody{}})
}
