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
			{Name: "garbage cookie is 401", URL: "/api/v1/me", Headers: map[string]string{"Cookie": web.SessionCookie + "=not-a-token"}, WantStatus: 401},
			{Name: "unknown API path is JSON 404", URL: "/api/v1/nothing-here", User: "admin", WantStatus: 404, WantContains: []string{`"code":"not_found"`}},

			// The signed-in user.
			{Name: "me", URL: "/api/v1/me", User: "wanzhou", WantStatus: 200, WantContains: []string{`"role":"district"`, `"region_code":"500101"`}},

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
