package web_test

import (
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// TestOpenAPICoversRoutes fails when a route of the table is missing from
// the document, or the document lists an operation that is not registered.
func TestOpenAPICoversRoutes(t *testing.T) {
	env := webtest.SQLite(t)
	doc := webtest.LoadOpenAPI(t, env)
	routes := web.APIRoutes(env.Srv)
	registered := map[string]web.ApiRoute{}
	for _, rt := range routes {
		registered[strings.ToLower(rt.Method)+" "+rt.Path] = rt
	}
	for _, rt := range routes {
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("route %s is not in openapi.json", rt.Pattern())
			continue
		}
		// Path parameters in the document are exactly the wildcards.
		var want, got []string
		for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path, -1) {
			want = append(want, m[1])
		}
		for _, p := range op.Parameters {
			if p.In == "path" {
				got = append(got, p.Name)
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: path parameters %v, wildcards %v", rt.Pattern(), got, want)
		}
		// Public routes say so; the rest inherit the global security.
		public := rt.Access == auth.Public
		if public != (op.Security != nil && len(*op.Security) == 0) {
			t.Errorf("%s: public=%v but the document's security is %v", rt.Pattern(), public, op.Security)
		}
		if !public && op.Responses["401"] == nil {
			t.Errorf("%s: signed-in route documents no 401", rt.Pattern())
		}
		if !public && rt.Access != auth.SignedIn && op.Responses["403"] == nil {
			t.Errorf("%s: permission-restricted route documents no 403", rt.Pattern())
		}
	}
	opIDs := map[string]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			key := method + " " + path
			if _, ok := registered[key]; !ok {
				t.Errorf("openapi.json lists %s, which is not a registered route", key)
			}
			if prev, dup := opIDs[op.OperationID]; dup || op.OperationID == "" {
				t.Errorf("%s: operationId %q missing or also used by %s", key, op.OperationID, prev)
			}
			opIDs[op.OperationID] = key
		}
	}

	// Every table route is really on the mux under its own pattern (not
	// shadowed by a UI route or the /api/ catch-all).
	for _, rt := range routes {
		path := pathParamRE.ReplaceAllString(rt.Path, "1")
		if strings.Contains(rt.Path, "{kind}") {
			path = strings.ReplaceAll(rt.Path, "{kind}", "reports")
		}
		pattern := web.MuxPattern(env.Srv, httptest.NewRequest(rt.Method, path, nil))
		if pattern != rt.Pattern() {
			t.Errorf("%s %s is served by %q, want %q", rt.Method, path, pattern, rt.Pattern())
		}
	}
}

// TestOpenAPISchemasMatchWireTypes keeps the documented schemas and the
// JSON wire structs in step, field by field (checkWireSchemas); every
// response is also validated against them (apischema_hook_test.go).
func TestOpenAPISchemasMatchWireTypes(t *testing.T) {
	env := webtest.SQLite(t)
	doc := webtest.LoadOpenAPI(t, env)
	webtest.CheckWireSchemas(t, doc, map[string]any{
		"User": web.ApiUser{}, "LoginResponse": web.LoginResponse{}, "Health": web.ApiHealth{}, "Error": web.ApiErrorEnvelope{},
	}, nil)
	// Every $ref resolves.
	merged := env.Srv.OpenAPIDocument()
	for _, m := range regexp.MustCompile(`"\$ref": "#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(merged), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("dangling $ref to %s", m[1])
		}
	}
}
