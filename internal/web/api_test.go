package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestAPIScenarios(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			// Sign-in required.
			{Name: "anonymous stats is 401", URL: "/api/v1/stats/kpis", WantStatus: 401},
			{Name: "garbage cookie is 401", URL: "/api/v1/me", Headers: map[string]string{"Cookie": web.SessionCookie + "=not-a-token"}, WantStatus: 401},
			{Name: "unknown API path is JSON 404", URL: "/api/v1/nothing-here", User: "admin", WantStatus: 404, WantContains: []string{`"code":"not_found"`}},

			// The signed-in user.
			{Name: "me", URL: "/api/v1/me", User: "wanzhou", WantStatus: 200, WantContains: []string{`"role":"district"`, `"region_code":"500101"`}},

			// Statistics.
			{Name: "kpis city", URL: "/api/v1/stats/kpis?year=2024&month=6", User: "analyst", WantStatus: 200,
				WantContains: []string{`"period":"2024-06"`, `"code":"IND_OUTPUT"`, `"name_zh"`, `"name_en"`, `"unit"`, `"yoy_pct"`, `"progress"`}},
			{Name: "kpis district", URL: "/api/v1/stats/kpis", User: "wanzhou", WantStatus: 200, WantContains: []string{`"period":"2024-06"`}},
			{Name: "kpis forbidden to enterprise users", URL: "/api/v1/stats/kpis", User: "firm", WantStatus: 403, WantContains: []string{`"code":"forbidden"`}},
			{Name: "trend", URL: "/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024", User: "admin", WantStatus: 200,
				WantContains: []string{`"points"`, `"period":"2024-02"`, `"period":"2024-06"`}},
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

			// Platform.
			{Name: "healthz", URL: "/healthz", WantStatus: 200, WantContains: []string{`{"status":"ok"}`}},
			{Name: "openapi is public", URL: "/api/v1/openapi.json", WantStatus: 200, WantContains: []string{`"openapi": "3.1.0"`}},
		})
	})
}

func TestMetricsEndpoint(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	env.Do(webtest.Scenario{URL: "/api/v1/enterprises/{wz-auto}", User: "admin"})
	env.Do(webtest.Scenario{URL: "/api/v1/enterprises/{yz-elec}", User: "wanzhou"})
	res, body := env.Do(webtest.Scenario{URL: "/metrics"})
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("status %d, content type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`ibrain_http_requests_total{method="GET",route="/api/v1/enterprises/{id}",code_class="2xx"} 1`,
		`ibrain_http_requests_total{method="GET",route="/api/v1/enterprises/{id}",code_class="4xx"} 1`,
		`ibrain_http_request_duration_seconds_bucket{method="GET",route="/api/v1/enterprises/{id}",le="+Inf"} 2`,
		"# TYPE ibrain_db_open_connections gauge",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Raw paths carry ids; they must never become label values.
	for _, id := range env.IDs {
		if strings.Contains(body, "/api/v1/enterprises/"+strconv.FormatInt(id, 10)) {
			t.Errorf("metrics contain a raw path with id %d", id)
		}
	}
	// The request log names the route and the user.
	if log := env.Log.String(); !strings.Contains(log, `route=/api/v1/enterprises/{id}`) || !strings.Contains(log, "user_id=") {
		t.Errorf("request log lacks route or User: %s", log)
	}
}

func TestHealthzUnavailable(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	env.Store.Close()
	res, body := env.Do(webtest.Scenario{URL: "/healthz"})
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"status":"unavailable"`) {
		t.Errorf("healthz on a closed store: %d %s", res.StatusCode, body)
	}
}
