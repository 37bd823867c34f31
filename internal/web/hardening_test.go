package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestNULByteIs400: a NUL byte in a query parameter is a client error on
// every engine (PostgreSQL would refuse the text with a 500).
func TestNULByteIs400(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			{Name: "search", URL: "/api/v1/enterprises?q=ab%00cd", User: "admin", WantStatus: 400, WantContains: []string{"NUL"}},
			{Name: "region", URL: "/api/v1/enterprises?region=500101%00", User: "admin", WantStatus: 400},
		})
	})
}

// TestSearchWildcardsAreLiteral: "%" and "_" typed in a search match
// those characters, not any text, on both engines.
func TestSearchWildcardsAreLiteral(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			{Name: "percent", URL: "/api/v1/enterprises?q=%25", User: "admin", WantStatus: 200, WantNotContains: []string{`"credit_code"`}},
			{Name: "underscore", URL: "/api/v1/enterprises?q=_", User: "admin", WantStatus: 200, WantNotContains: []string{`"credit_code"`}},
			{Name: "percent inside a name", URL: "/api/v1/enterprises?q=" + "万%25汽", User: "admin", WantStatus: 200, WantNotContains: []string{`"credit_code"`}},
		})
	})
}

// TestMetricsToken: with a token configured /metrics refuses requests
// without it.
func TestMetricsToken(t *testing.T) {
	env := webtest.SQLite(t, func(d *web.Deps) { d.MetricsToken = "s3cret-scrape" })
	env.Run(t, []webtest.Scenario{
		{Name: "no token", URL: "/metrics", WantStatus: 401},
		{Name: "wrong token", URL: "/metrics", Headers: map[string]string{"Authorization": "Bearer nope"}, WantStatus: 401},
		{Name: "token", URL: "/metrics", Headers: map[string]string{"Authorization": "Bearer s3cret-scrape"}, WantStatus: 200, WantContains: []string{"ibrain_"}},
	})
}

// TestHealthzDamagedDatabase: with the SQLite file's header overwritten
// /healthz reports failure instead of ok.
func TestHealthzDamagedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ib.db")
	env := webtest.New(t, "sqlite:"+path)
	if res, _ := env.Do(webtest.Scenario{URL: "/healthz"}); res.StatusCode != 200 {
		t.Fatalf("healthy: %d", res.StatusCode)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("damaged!", 16)), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, body := env.Do(webtest.Scenario{URL: "/healthz"})
	if res.StatusCode != 503 || !strings.Contains(body, "unavailable") {
		t.Errorf("damaged database: %d %s", res.StatusCode, body)
	}
}
