package goalsweb_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/goals/goalsweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func getGoals(env *webtest.Env, user, url string) goalsweb.APIGoals {
	env.T.Helper()
	res, body := env.Do(webtest.Scenario{URL: url, User: user})
	if res.StatusCode != http.StatusOK {
		env.T.Fatalf("GET %s as %s: %d %s", url, user, res.StatusCode, body)
	}
	var out goalsweb.APIGoals
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		env.T.Fatal(err)
	}
	return out
}

func TestGoalsAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		webtest.SeedGoals(t, env)
		g := getGoals(env, "admin", "/api/v1/goals?year=2024")
		// Data run to June 2024: half the year.
		if g.Year != 2024 || g.AsOf != "2024-06" || g.YearElapsedPct != 50 || !slices.Equal(g.Years, []int{2023, 2024, 2025, 2026, 2027}) || len(g.Goals) != 2 {
			t.Fatalf("goals %+v", g)
		}
		byCode := map[string]goalsweb.APIGoal{}
		for _, x := range g.Goals {
			byCode[x.Indicator] = x
		}
		spec := byCode["NEW_SPECIALIZED"]
		dist := map[string]goalsweb.APIGoalProgress{}
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
			c.Projection != goals.Round2(1+5/1.5) || gaz.Measure != "stock" || gaz.GoalYear != 2027 {
			t.Fatalf("gazelle city %+v", gaz.City)
		}
		// 2025 (a later year): stock goals only, actuals at the latest month, no status yet.
		later := getGoals(env, "admin", "/api/v1/goals?year=2025")
		if later.AsOf != "" || len(later.Goals) != 1 || later.Goals[0].City.Actual != 2 || later.Goals[0].City.Status != "no_data" || later.Goals[0].City.YearGoal != 7 {
			t.Fatalf("2025 %+v %+v", later, later.Goals[0].City)
		}
		// A district officer sees their district only, and no city row.
		w := getGoals(env, "wanzhou", "/api/v1/goals?year=2024")
		for _, x := range w.Goals {
			if x.City != nil || len(x.Districts) != 1 || x.Districts[0].Region != "500101" {
				t.Fatalf("万州 officer sees %+v", x)
			}
		}
		env.Run(t, []webtest.Scenario{
			{Name: "EnterpriseForbidden", URL: "/api/v1/goals", User: "firm", WantStatus: http.StatusForbidden},
			{Name: "Anonymous", URL: "/api/v1/goals", WantStatus: http.StatusUnauthorized},
			{Name: "BadYear", URL: "/api/v1/goals?year=abc", User: "admin", WantStatus: http.StatusBadRequest},
			{Name: "DefaultYear", URL: "/api/v1/goals", User: "analyst", WantStatus: http.StatusOK, WantContains: []string{`"year":2024`, `"as_of":"2024-06"`}},
			{Name: "DistrictNoOtherDistrict", URL: "/api/v1/goals?year=2024", User: "wanzhou", WantStatus: http.StatusOK, WantNotContains: []string{"500103", "渝中区"}},
			{Name: "Page", URL: "/goals?year=2024", User: "admin", WantStatus: http.StatusOK,
				WantContains: []string{"新培育专精特新中小企业", "瞪羚企业数", "万州区", "渝中区", "全市", `data-pct="50"`, "status-behind"}},
			{Name: "PageEnglish", URL: "/goals?year=2024&lang=en", User: "admin", WantStatus: http.StatusOK, WantContains: []string{"Cultivation goals", "City", "Gazelle enterprises"}},
			{Name: "PageDistrict", URL: "/goals?year=2024", User: "wanzhou", WantStatus: http.StatusOK, WantContains: []string{"万州区"}, WantNotContains: []string{"渝中区", "全市</td>"}},
			{Name: "PageEnterpriseForbidden", URL: "/goals", User: "firm", WantStatus: http.StatusForbidden},
			// The in-force allocation is also in the task table, so the targets page shows the district rows.
			{Name: "TargetsPageHasAllocation", URL: "/targets?year=2024", User: "wanzhou", WantStatus: http.StatusOK, WantContains: []string{"新培育专精特新中小企业"}},
		})
	})
}

// TestGoalsNoPlans: a store without plans answers with no goals.
func TestGoalsNoPlans(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			{Name: "API", URL: "/api/v1/goals", User: "admin", WantStatus: http.StatusOK, WantContains: []string{`"goals":[]`}},
			{Name: "Page", URL: "/goals", User: "admin", WantStatus: http.StatusOK, WantContains: []string{`id="goals-none"`}},
		})
	})
}

// The goals schemas match their wire structs field by field.
func TestGoalsOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"Goals": goalsweb.APIGoals{}, "Goal": goalsweb.APIGoal{}, "GoalProgress": goalsweb.APIGoalProgress{}}, nil)
}
