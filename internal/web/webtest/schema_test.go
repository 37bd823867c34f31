package webtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestSchemaCheckCatchesWrongBodies: the hook fails a response the
// document does not allow — a renamed field, a wrong type, an undocumented
// status or content type — and passes the right one.
func TestSchemaCheckCatchesWrongBodies(t *testing.T) {
	v, err := apiValidator(SQLite(t).Srv)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path, ct, body string
		status               int
		wantErr              string
	}{
		{"right", "/api/v1/me", "application/json; charset=utf-8",
			`{"id":1,"username":"a","display_name":"A","role":"city_admin"}`, 200, ""},
		{"renamed field", "/api/v1/me", "application/json; charset=utf-8",
			`{"id":1,"user_name":"a","display_name":"A","role":"city_admin"}`, 200, "does not match the schema"},
		{"wrong type", "/api/v1/me", "application/json; charset=utf-8",
			`{"id":"1","username":"a","display_name":"A","role":"city_admin"}`, 200, "does not match the schema"},
		{"undocumented status", "/api/v1/me", "application/json; charset=utf-8", `{"error":"x","code":"x"}`, 418, "status 418 is not documented"},
		{"wrong content type", "/api/v1/me", "text/html; charset=utf-8", `<p>me</p>`, 200, "content type text/html is not documented"},
		{"catch-all 404 not an Error", "/api/v1/nothing", "application/json", `{"message":"gone"}`, 404, "catch-all 404"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", c.ct)
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			})
			var failures []string
			checked := SchemaChecked(h, v, func(format string, args ...any) { failures = append(failures, fmt.Sprintf(format, args...)) })
			env := &Env{T: t, H: checked}
			env.Do(Scenario{URL: c.path})
			switch {
			case c.wantErr == "" && len(failures) > 0:
				t.Errorf("unexpected failure: %s", failures)
			case c.wantErr != "" && len(failures) == 0:
				t.Errorf("no failure, want one with %q", c.wantErr)
			case c.wantErr != "" && !strings.Contains(failures[0], c.wantErr):
				t.Errorf("failure %q, want %q", failures[0], c.wantErr)
			}
		})
	}
}

// TestSchemaCoverageCheck: a route without a validated response is
// reported unless exempted, and an exemption that no longer applies is
// reported too.
func TestSchemaCoverageCheck(t *testing.T) {
	routes := map[string]bool{"GET /a": true, "GET /b": true, "POST /c": true}
	validated := map[string]bool{"GET /a": true, "POST /c": true}
	missing, stale := UncoveredRoutes(routes, validated, nil)
	if !slices.Equal(missing, []string{"GET /b"}) || len(stale) != 0 {
		t.Errorf("missing %v, stale %v", missing, stale)
	}
	missing, stale = UncoveredRoutes(routes, validated, map[string]string{"GET /b": "streams", "POST /c": "x", "GET /gone": "x"})
	if len(missing) != 0 || !slices.Equal(stale, []string{"GET /gone", "POST /c"}) {
		t.Errorf("missing %v, stale %v", missing, stale)
	}
}

// TestOpenAPIResponseSchemasCompile compiles every response schema of the
// document, so a broken one fails even before a test reaches it.
func TestOpenAPIResponseSchemasCompile(t *testing.T) {
	v, err := apiValidator(SQLite(t).Srv)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CompileAll(); err != nil {
		t.Error(err)
	}
}
