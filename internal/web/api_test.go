package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/tabular"
)

// Names that scope tests look for.
var (
	nameWZAuto = fixtureNames[entWanzhouAuto]
	nameWZFood = fixtureNames[entWanzhouFood]
	nameYZElec = fixtureNames[entYuzhongElec]
)

func TestAPIScenarios(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		env.run(t, []scenario{
			// Sign-in required.
			{name: "anonymous list is 401 JSON", url: "/api/v1/enterprises", wantStatus: 401,
				wantContains: []string{`"code":"unauthorized"`, `"error"`}, wantNotContains: []string{nameWZAuto}},
			{name: "anonymous profile is 401", url: "/api/v1/enterprises/{wz-auto}", wantStatus: 401},
			{name: "anonymous stats is 401", url: "/api/v1/stats/kpis", wantStatus: 401},
			{name: "anonymous export is 401", url: "/api/v1/enterprises.csv", wantStatus: 401, wantNotContains: []string{nameWZAuto}},
			{name: "garbage cookie is 401", url: "/api/v1/me", headers: map[string]string{"Cookie": SessionCookie + "=not-a-token"}, wantStatus: 401},
			{name: "unknown API path is JSON 404", url: "/api/v1/nothing-here", user: "admin", wantStatus: 404, wantContains: []string{`"code":"not_found"`}},

			// Reference data.
			{name: "me", url: "/api/v1/me", user: "wanzhou", wantStatus: 200, wantContains: []string{`"role":"district"`, `"region_code":"500101"`}},
			{name: "regions", url: "/api/v1/regions", user: "firm", wantStatus: 200, wantContains: []string{`"code":"500101"`, `"name_zh":"万州区"`}},
			{name: "clusters at a date", url: "/api/v1/clusters?date=2024-06-30", user: "wanzhou", wantStatus: 200, wantContains: []string{`"clusters"`, `"tier"`}},
			{name: "clusters bad date", url: "/api/v1/clusters?date=June", user: "wanzhou", wantStatus: 400, wantContains: []string{`"code":"invalid"`}},
			{name: "indicators", url: "/api/v1/indicators", user: "analyst", wantStatus: 200, wantContains: []string{`"code":"IND_OUTPUT"`, `"unit"`}},

			// Enterprise list: scope decides the rows.
			{name: "admin sees all firms", url: "/api/v1/enterprises", user: "admin", wantStatus: 200,
				wantContains: []string{nameWZAuto, nameWZFood, nameYZElec, `"total":3`}},
			{name: "district sees own district", url: "/api/v1/enterprises", user: "wanzhou", wantStatus: 200,
				wantContains: []string{nameWZAuto, nameWZFood, `"total":2`}, wantNotContains: []string{nameYZElec}},
			{name: "district filter cannot widen scope", url: "/api/v1/enterprises?region=500103", user: "wanzhou", wantStatus: 200,
				wantContains: []string{`"total":0`}, wantNotContains: []string{nameYZElec}},
			{name: "enterprise user lists only itself", url: "/api/v1/enterprises", user: "firm", wantStatus: 200,
				wantContains: []string{nameWZAuto, `"total":1`}, wantNotContains: []string{nameWZFood, nameYZElec}},
			{name: "search and paging", url: "/api/v1/enterprises?q=" + "食品" + "&per_page=1&page=1", user: "admin", wantStatus: 200,
				wantContains: []string{nameWZFood, `"total":1`, `"per_page":1`}, wantNotContains: []string{nameWZAuto}},
			{name: "bad size", url: "/api/v1/enterprises?size=huge", user: "admin", wantStatus: 400, wantContains: []string{"size"}},
			{name: "bad per_page", url: "/api/v1/enterprises?per_page=100000", user: "admin", wantStatus: 400},
			{name: "bearer token works", url: "/api/v1/enterprises", user: "wanzhou", bearer: true, wantStatus: 200, wantContains: []string{nameWZAuto}},

			// Profile and reports: out of scope is 404, like a missing id.
			{name: "admin profile", url: "/api/v1/enterprises/{yz-elec}", user: "admin", wantStatus: 200,
				wantContains: []string{nameYZElec, `"years"`, `"year":2024`, `"titles":[]`}},
			{name: "district other district profile 404", url: "/api/v1/enterprises/{yz-elec}", user: "wanzhou", wantStatus: 404,
				wantNotContains: []string{nameYZElec}},
			{name: "district other district reports 404", url: "/api/v1/enterprises/{yz-elec}/reports?from=2023&to=2024", user: "wanzhou", wantStatus: 404,
				wantNotContains: []string{`"months"`}},
			{name: "district own profile", url: "/api/v1/enterprises/{wz-food}", user: "wanzhou", wantStatus: 200, wantContains: []string{nameWZFood}},
			{name: "enterprise user other firm 404", url: "/api/v1/enterprises/{wz-food}", user: "firm", wantStatus: 404},
			{name: "enterprise user other firm reports 404", url: "/api/v1/enterprises/{wz-food}/reports", user: "firm", wantStatus: 404},
			{name: "enterprise user own reports", url: "/api/v1/enterprises/{wz-auto}/reports?from=2024&to=2024", user: "firm", wantStatus: 200,
				wantContains: []string{`"period":"2024-02"`, `"derived":true`, `"single_month"`}},
			{name: "malformed id 404", url: "/api/v1/enterprises/abc", user: "admin", wantStatus: 404},
			{name: "reports bad range", url: "/api/v1/enterprises/{wz-auto}/reports?from=2024&to=2020", user: "admin", wantStatus: 400},

			// Statistics.
			{name: "kpis city", url: "/api/v1/stats/kpis?year=2024&month=6", user: "analyst", wantStatus: 200,
				wantContains: []string{`"period":"2024-06"`, `"code":"IND_OUTPUT"`, `"name_zh"`, `"name_en"`, `"unit"`, `"yoy_pct"`, `"progress"`}},
			{name: "kpis district", url: "/api/v1/stats/kpis", user: "wanzhou", wantStatus: 200, wantContains: []string{`"period":"2024-06"`}},
			{name: "kpis forbidden to enterprise users", url: "/api/v1/stats/kpis", user: "firm", wantStatus: 403, wantContains: []string{`"code":"forbidden"`}},
			{name: "trend", url: "/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024", user: "admin", wantStatus: 200,
				wantContains: []string{`"points"`, `"period":"2024-02"`, `"period":"2024-06"`}},
			{name: "trend needs indicator", url: "/api/v1/stats/trend?year=2024", user: "admin", wantStatus: 400},
			{name: "trend unknown indicator", url: "/api/v1/stats/trend?indicator=NOPE&year=2024", user: "admin", wantStatus: 404},
			{name: "breakdown by region", url: "/api/v1/stats/breakdown?by=region&year=2024&month=6", user: "admin", wantStatus: 200,
				wantContains: []string{`"key":"500101"`, `"key":"500103"`, `"name_zh":"万州区"`, `"share_pct"`}},
			{name: "breakdown district sees own region only", url: "/api/v1/stats/breakdown?by=region", user: "wanzhou", wantStatus: 200,
				wantContains: []string{`"key":"500101"`}, wantNotContains: []string{`"key":"500103"`}},
			{name: "district cannot filter stats to another district", url: "/api/v1/stats/kpis?region=500103", user: "wanzhou", wantStatus: 403,
				wantNotContains: []string{"test yuzhong"}},
			{name: "district may filter stats to its own district", url: "/api/v1/stats/kpis?region=500101", user: "wanzhou", wantStatus: 200,
				wantContains: []string{"test wanzhou"}},
			{name: "district trend of another district refused", url: "/api/v1/stats/trend?indicator=IND_OUTPUT&region=500103", user: "wanzhou", wantStatus: 403},
			{name: "city filter by district", url: "/api/v1/stats/breakdown?by=cluster&region=500103", user: "admin", wantStatus: 200,
				wantContains: []string{`"key":"L2-electronics"`}, wantNotContains: []string{`"key":"L1-nev"`}},
			{name: "breakdown by cluster", url: "/api/v1/stats/breakdown?by=cluster", user: "admin", wantStatus: 200, wantContains: []string{`"by":"cluster"`}},
			{name: "breakdown bad dimension", url: "/api/v1/stats/breakdown?by=section", user: "admin", wantStatus: 400},
			{name: "bad month", url: "/api/v1/stats/kpis?year=2024&month=1", user: "admin", wantStatus: 400},

			// Targets and the scoreboard.
			{name: "targets city", url: "/api/v1/targets?year=2024", user: "admin", wantStatus: 200,
				wantContains: []string{"test city", "test wanzhou", "test yuzhong", `"status"`}},
			{name: "targets district sees own", url: "/api/v1/targets?year=2024", user: "wanzhou", wantStatus: 200,
				wantContains: []string{"test wanzhou"}, wantNotContains: []string{"test city", "test yuzhong"}},
			{name: "targets forbidden to enterprise users", url: "/api/v1/targets?year=2024", user: "firm", wantStatus: 403},
			{name: "scoreboard", url: "/api/v1/scoreboard?year=2023", user: "analyst", wantStatus: 200,
				wantContains: []string{`"year":2023`, `"target_year":2024`, `"results"`, `"target_table"`, "test city"}},
			{name: "scoreboard is city-wide, not for districts", url: "/api/v1/scoreboard?year=2023", user: "wanzhou", wantStatus: 403},

			// Platform.
			{name: "healthz", url: "/healthz", wantStatus: 200, wantContains: []string{`{"status":"ok"}`}},
			{name: "openapi is public", url: "/api/v1/openapi.json", wantStatus: 200, wantContains: []string{`"openapi": "3.1.0"`}},
		})
	})
}

func TestExportScope(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	env.run(t, []scenario{
		{name: "csv district", url: "/api/v1/enterprises.csv", user: "wanzhou", wantStatus: 200,
			wantContains: []string{nameWZAuto, nameWZFood, "统一社会信用代码"}, wantNotContains: []string{nameYZElec},
			wantHeader: map[string]string{"Content-Type": "text/csv", "Content-Disposition": "attachment"}},
		{name: "csv district asking for other district", url: "/api/v1/enterprises.csv?region=500103", user: "wanzhou", wantStatus: 200,
			wantNotContains: []string{nameYZElec}},
		{name: "csv enterprise user", url: "/api/v1/enterprises.csv", user: "firm", wantStatus: 200,
			wantContains: []string{nameWZAuto}, wantNotContains: []string{nameWZFood, nameYZElec}},
		{name: "csv english headers", url: "/api/v1/enterprises.csv?lang=en", user: "admin", wantStatus: 200,
			wantContains: []string{"Credit code", nameYZElec}},
		{name: "csv filter", url: "/api/v1/enterprises.csv?cluster=P2-food", user: "admin", wantStatus: 200,
			wantContains: []string{nameWZFood}, wantNotContains: []string{nameWZAuto, nameYZElec}},
	})

	// The XLSX is a zip, so read it back rather than grep it.
	for _, c := range []struct {
		user       string
		want, deny []string
	}{
		{"wanzhou", []string{nameWZAuto, nameWZFood}, []string{nameYZElec}},
		{"admin", []string{nameWZAuto, nameWZFood, nameYZElec}, nil},
		{"firm", []string{nameWZAuto}, []string{nameWZFood, nameYZElec}},
	} {
		t.Run("xlsx "+c.user, func(t *testing.T) {
			res, body := env.do(scenario{url: "/api/v1/enterprises.xlsx", user: c.user})
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %.300s", res.StatusCode, body)
			}
			sh, err := tabular.Read(bytes.NewReader([]byte(body)), "x.xlsx", tabular.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range sh.Rows {
				names = append(names, r.Cells[1])
			}
			all := strings.Join(names, "|")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("xlsx lacks %s: %v", w, names)
				}
			}
			for _, d := range c.deny {
				if strings.Contains(all, d) {
					t.Errorf("xlsx contains %s: %v", d, names)
				}
			}
		})
	}
}

// TestReportsDerived checks the single-month derivation through the API:
// a missing previous month makes the derived value unknown (null), never a
// cumulative value passed off as a single month.
func TestReportsDerived(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	res, body := env.do(scenario{url: "/api/v1/enterprises/{wz-food}/reports?from=2024&to=2024", user: "admin"})
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	var out apiReports
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	byPeriod := map[string]apiReportMonth{}
	for _, m := range out.Months {
		byPeriod[m.Period] = m
	}
	if _, ok := byPeriod["2024-03"]; ok {
		t.Fatal("2024-03 should be missing from the fixture")
	}
	feb, apr, may := byPeriod["2024-02"], byPeriod["2024-04"], byPeriod["2024-05"]
	if v := feb.Single["output"]; v.Derived || v.Value == nil || *v.Value != feb.Reported["output"] {
		t.Errorf("1–2月 single = %+v, want the reported value %v, not derived", v, feb.Reported["output"])
	}
	if v := apr.Single["output"]; !v.Derived || v.Value != nil {
		t.Errorf("April after a missing March = %+v, want derived and null", v)
	}
	if v := may.Single["output"]; !v.Derived || v.Value == nil || *v.Value != may.Reported["output"]-apr.Reported["output"] {
		t.Errorf("May single = %+v, want %v", v, may.Reported["output"]-apr.Reported["output"])
	}
	if v := may.Single["employees"]; v.Derived || v.Value == nil || *v.Value != 300 {
		t.Errorf("point field single = %+v, want 300 as reported", v)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	env.do(scenario{url: "/api/v1/enterprises/{wz-auto}", user: "admin"})
	env.do(scenario{url: "/api/v1/enterprises/{yz-elec}", user: "wanzhou"})
	res, body := env.do(scenario{url: "/metrics"})
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
	for _, id := range env.ids {
		if strings.Contains(body, "/api/v1/enterprises/"+strconv.FormatInt(id, 10)) {
			t.Errorf("metrics contain a raw path with id %d", id)
		}
	}
	// The request log names the route and the user.
	if log := env.log.String(); !strings.Contains(log, `route=/api/v1/enterprises/{id}`) || !strings.Contains(log, "user_id=") {
		t.Errorf("request log lacks route or user: %s", log)
	}
}

func TestHealthzUnavailable(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	env.store.Close()
	res, body := env.do(scenario{url: "/healthz"})
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"status":"unavailable"`) {
		t.Errorf("healthz on a closed store: %d %s", res.StatusCode, body)
	}
}
