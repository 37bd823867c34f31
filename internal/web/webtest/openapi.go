package webtest

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// LoadOpenAPI reads the document env's server serves (the core's merged
// with every module's fragment).
func LoadOpenAPI(t *testing.T, env *Env) OpenAPIDoc {
	t.Helper()
	var doc OpenAPIDoc
	if err := json.Unmarshal(env.Srv.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	return doc
}

// OpenAPIDoc is the part of the OpenAPI document the tests read.
type OpenAPIDoc struct {
	OpenAPI    string                                 `json:"openapi"`
	Paths      map[string]map[string]OpenAPIOperation `json:"paths"`
	Components struct {
		Schemas map[string]OpenAPISchema `json:"schemas"`
	} `json:"components"`
}

// OpenAPIOperation is one operation of the document.
type OpenAPIOperation struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name string `json:"name"`
		In   string `json:"in"`
		Ref  string `json:"$ref"`
	} `json:"parameters"`
	Responses map[string]any `json:"responses"`
	Security  *[]any         `json:"security"`
}

// OpenAPISchema is one component schema.
type OpenAPISchema struct {
	Properties           map[string]json.RawMessage `json:"properties"`
	Required             []string                   `json:"required"`
	AdditionalProperties json.RawMessage            `json:"additionalProperties"`
}

// CheckWireSchemas compares named schemas with the Go types sent as their
// JSON: the properties are exactly the struct's JSON fields (embedded
// structs flattened, as encoding/json does). For the response types, the
// schema also requires every field sent always (no omitempty/omitzero)
// and allows no other property, so a renamed, dropped or added field fails
// here even when no scenario's response shows it. requests are request
// bodies: their properties are compared only.
func CheckWireSchemas(t *testing.T, doc OpenAPIDoc, responses, requests map[string]any) {
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
