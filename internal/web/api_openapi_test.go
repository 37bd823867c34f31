package web

import (
	"encoding/json"
	"github.com/industrybrain/ibrain/internal/auth"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

type openAPIDocument struct {
	OpenAPI    string                                 `json:"openapi"`
	Paths      map[string]map[string]openAPIOperation `json:"paths"`
	Components struct {
		Schemas map[string]openAPISchema `json:"schemas"`
	} `json:"components"`
}

type openAPIOperation struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name string `json:"name"`
		In   string `json:"in"`
		Ref  string `json:"$ref"`
	} `json:"parameters"`
	Responses map[string]any `json:"responses"`
	Security  *[]any         `json:"security"`
}

type openAPISchema struct {
	Properties           map[string]json.RawMessage `json:"properties"`
	Required             []string                   `json:"required"`
	AdditionalProperties json.RawMessage            `json:"additionalProperties"`
}

func loadOpenAPI(t *testing.T) openAPIDocument {
	t.Helper()
	var doc openAPIDocument
	merged, err := buildOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(merged, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	return doc
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// TestOpenAPICoversRoutes fails when a route of the table is missing from
// the document, or the document lists an operation that is not registered.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	routes := env.srv.api
	registered := map[string]apiRoute{}
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
		_, pattern := env.srv.mux.Handler(httptest.NewRequest(rt.Method, path, nil))
		if pattern != rt.Pattern() {
			t.Errorf("%s %s is served by %q, want %q", rt.Method, path, pattern, rt.Pattern())
		}
	}
}

// TestOpenAPISchemasMatchWireTypes keeps the documented schemas and the
// JSON wire structs in step, field by field (checkWireSchemas); every
// response is also validated against them (apischema_hook_test.go).
func TestOpenAPISchemasMatchWireTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	checkWireSchemas(t, doc, map[string]any{
		"User": apiUser{}, "LoginResponse": loginResponse{}, "Region": apiRegion{}, "Cluster": apiCluster{},
		"ClusterCatalogue": apiClusterCatalogue{}, "Indicator": apiIndicator{}, "EnterpriseItem": apiEnterpriseItem{},
		"EnterprisePage": apiEnterprisePage{}, "EnterpriseYear": apiEnterpriseYear{}, "Title": apiTitle{}, "Enterprise": apiEnterprise{},
		"Field": apiField{}, "SingleValue": apiSingleValue{}, "ReportMonth": apiReportMonth{}, "Reports": apiReports{},
		"Progress": apiProgress{}, "Figure": apiFigure{}, "Figures": apiFigures{}, "Trend": apiTrend{}, "Slice": apiSlice{},
		"Breakdown": apiBreakdown{}, "Targets": apiTargets{}, "Scoreboard": apiScoreboard{}, "ImportResult": apiImportResult{},
		"ImportRejected": apiImportRejected{}, "RowError": apiRowError{}, "Health": apiHealth{}, "Error": apiErrorEnvelope{},
	}, nil)
	// Every $ref resolves.
	merged, err := buildOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"\$ref": "#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(merged), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("dangling $ref to %s", m[1])
		}
	}
}

// checkWireSchemas compares named schemas with the Go types sent as their
// JSON: the properties are exactly the struct's JSON fields (embedded
// structs flattened, as encoding/json does). For the response types, the
// schema also requires every field sent always (no omitempty/omitzero)
// and allows no other property, so a renamed, dropped or added field fails
// here even when no scenario's response shows it. requests are request
// bodies: their properties are compared only.
func checkWireSchemas(t *testing.T, doc openAPIDocument, responses, requests map[string]any) {
	t.Helper()
	check := func(name string, v any, response bool) {
		sch, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("schema %s missing", name)
			return
		}
		fields, always := wireFields(reflect.TypeOf(v))
		var props []string
		for p := range sch.Properties {
			props = append(props, p)
		}
		sort.Strings(fields)
		sort.Strings(props)
		if !slices.Equal(fields, props) {
			t.Errorf("schema %s has %v, struct %T has %v", name, props, v, fields)
		}
		if !response {
			return
		}
		required := slices.Sorted(slices.Values(sch.Required))
		sort.Strings(always)
		if !slices.Equal(required, always) {
			t.Errorf("schema %s requires %v, struct %T always sends %v", name, required, v, always)
		}
		if string(sch.AdditionalProperties) != "false" {
			t.Errorf("schema %s: additionalProperties is %s, want false", name, sch.AdditionalProperties)
		}
	}
	for name, v := range responses {
		check(name, v, true)
	}
	for name, v := range requests {
		check(name, v, false)
	}
}

// wireFields lists the JSON names of a struct's fields, flattening
// embedded structs as encoding/json does, and those sent always (without
// omitempty or omitzero).
func wireFields(rt reflect.Type) (fields, always []string) {
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && tag == "" {
			ff, fa := wireFields(f.Type)
			fields, always = append(fields, ff...), append(always, fa...)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		fields = append(fields, tag)
		optional := false
		for _, o := range strings.Split(opts, ",") {
			optional = optional || o == "omitempty" || o == "omitzero"
		}
		if !optional {
			always = append(always, tag)
		}
	}
	return fields, always
}
