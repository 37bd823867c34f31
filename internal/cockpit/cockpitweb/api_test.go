package cockpitweb_test

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// The statistics, targets and scoreboard API: scope decides the figures,
// enterprise users get no aggregates, and the scoreboard is city-wide.
func TestCockpitAPIScenarios(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			{Name: "anonymous stats is 401", URL: "/api/v1/stats/kpis", WantStatus: 401},
			// Statistics.
			{Name: "kpis city", URL: "/api/v1/stats/kpis?year=2024&month=6", User: "analyst", WantStatus: 200,
				WantContains: []string{`"period":"2024-06"`, `"code":"IND_OUTPUT"`, `"name_zh"`, `"name_en"`, `"unit"`, `"yoy_pct"`, `"progress"`}},
			{Name: "kpis district", URL: "/api/v1/stats/kpis", User: "wanzhou", WantStatus: 200, WantContains: []string{`"period":"2024-06"`}},
			{Name: "kpis forbidden to enterprise users", URL: "/api/v1/stats/kpis", User: "firm", WantStatus: 403, WantContains: []string{`"code":"forbidden"`}},
			{Name: "trend", URL: "/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024", User: "admin", WantStatus: 200,
				WantContains: []string{`"points"`, `"period":"2024-02"`, `"period":"2024-06"`}},
			{Name: "trend stops at the chosen month", URL: "/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024&month=3", User: "admin", WantStatus: 200,
				WantContains: []string{`"period":"2024-02"`, `"period":"2024-03"`}, WantNotContains: []string{`"period":"2024-04"`, `"period":"2024-06"`}},
			{Name: "trend needs indicator", URL: "/api/v1/stats/trend?year=2024", User: "admin", WantStatus: 400},
			{Name: "trend unknown indicator", URL: "/api/v1/stats/trend?indicator=NOPE&year=2024", User: "admin", WantStatus: 404},
			{Name: "breakdown by region", URL: "/api/v1/stats/breakdown?by=region&year=2024&month=6", User: "admin", WantStatus: 200,
				WantContains: []string{`"key":"500101"`, `"key":"500103"`, `"name_zh":"万州区"`, `"share_pct"`}},
			{Name: "breakdown district sees own region only", URL: "/api/v1/stats/breakdown?by=region", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"key":"500101"`}, WantNotContains: []string{`"key":"500103"`}},
			{Name: "district cannot filter stats to another district", URL: "/api/v1/stats/kpis?region=500103", User: "wanzhou", WantStatus: 403,
				WantNotContains: []string{"test yuzhong"}},
			{Name: "district may filter stats to its own district", URL: "/api/v1/stats/kpis?region=500101", User: "wanzhou", WantStatus: 200,
				WantContains: []string{"test wanzhou"}},
			{Name: "district trend of another district refused", URL: "/api/v1/stats/trend?indicator=IND_OUTPUT&region=500103", User: "wanzhou", WantStatus: 403},
			{Name: "city filter by district", URL: "/api/v1/stats/breakdown?by=cluster&region=500103", User: "admin", WantStatus: 200,
				WantContains: []string{`"key":"L2-electronics"`}, WantNotContains: []string{`"key":"L1-nev"`}},
			{Name: "breakdown by cluster", URL: "/api/v1/stats/breakdown?by=cluster", User: "admin", WantStatus: 200, WantContains: []string{`"by":"cluster"`}},
			{Name: "breakdown bad dimension", URL: "/api/v1/stats/breakdown?by=section", User: "admin", WantStatus: 400},
			{Name: "bad month", URL: "/api/v1/stats/kpis?year=2024&month=1", User: "admin", WantStatus: 400},

			// Targets and the scoreboard.
			{Name: "targets city", URL: "/api/v1/targets?year=2024", User: "admin", WantStatus: 200,
				WantContains: []string{"test city", "test wanzhou", "test yuzhong", `"status"`}},
			{Name: "targets district sees own", URL: "/api/v1/targets?year=2024", User: "wanzhou", WantStatus: 200,
				WantContains: []string{"test wanzhou"}, WantNotContains: []string{"test city", "test yuzhong"}},
			{Name: "targets forbidden to enterprise users", URL: "/api/v1/targets?year=2024", User: "firm", WantStatus: 403},
			{Name: "scoreboard", URL: "/api/v1/scoreboard?year=2023", User: "analyst", WantStatus: 200,
				WantContains: []string{`"year":2023`, `"target_year":2024`, `"results"`, `"target_table"`, "test city"}},
			{Name: "scoreboard is city-wide, not for districts", URL: "/api/v1/scoreboard?year=2023", User: "wanzhou", WantStatus: 403},
		})
	})
}
