package apischema

import (
	"errors"
	"strings"
	"testing"
)

const testDoc = `{
  "openapi": "3.1.0",
  "paths": {
    "/api/things/{id}": {
      "get": {
        "responses": {
          "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/api/things/export.xlsx": {
      "get": {"responses": {"200": {"description": "file", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string"}}}}}}
    },
    "/api/imports/{kind}/template.csv": {
      "get": {"responses": {"200": {"description": "file", "content": {"text/csv": {}}}}}
    },
    "/logout": {
      "post": {"responses": {"204": {"description": "signed out"}, "4XX": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
    }
  },
  "components": {
    "responses": {
      "NotFound": {"description": "not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Thing": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}},
        "required": ["id", "name"], "additionalProperties": false},
      "Tag": {"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"], "additionalProperties": false},
      "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"], "additionalProperties": false}
    }
  }
}`

func newTest(t *testing.T) *Validator {
	t.Helper()
	v, err := New([]byte(testDoc))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CompileAll(); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidate(t *testing.T) {
	v := newTest(t)
	const jsonCT = "application/json; charset=utf-8"
	for _, c := range []struct {
		name    string
		r       Response
		op      string
		wantErr string // substring; "" for valid
	}{
		{"valid", Response{Path: "/api/things/7?x=1", Status: 200, ContentType: jsonCT, Body: []byte(`{"id":7,"name":"a","tags":[{"code":"x"}]}`)}, "GET /api/things/{id}", ""},
		{"template path", Response{Method: "get", Path: "/api/things/{id}", Status: 200, ContentType: jsonCT, Body: []byte(`{"id":7,"name":"a"}`)}, "GET /api/things/{id}", ""},
		{"renamed field", Response{Path: "/api/things/7", Status: 200, ContentType: jsonCT, Body: []byte(`{"id":7,"title":"a"}`)}, "GET /api/things/{id}", "does not match the schema"},
		{"wrong type in a $ref'd item", Response{Path: "/api/things/7", Status: 200, ContentType: jsonCT, Body: []byte(`{"id":7,"name":"a","tags":[{"code":1}]}`)}, "GET /api/things/{id}", "does not match the schema"},
		{"not JSON", Response{Path: "/api/things/7", Status: 200, ContentType: jsonCT, Body: []byte(`<html>`)}, "GET /api/things/{id}", "not JSON"},
		{"undocumented status", Response{Path: "/api/things/7", Status: 500, ContentType: jsonCT, Body: []byte(`{"error":"x"}`)}, "GET /api/things/{id}", "status 500 is not documented"},
		{"response $ref", Response{Path: "/api/things/7", Status: 404, ContentType: jsonCT, Body: []byte(`{"error":"x"}`)}, "GET /api/things/{id}", ""},
		{"response $ref, bad body", Response{Path: "/api/things/7", Status: 404, ContentType: jsonCT, Body: []byte(`{"message":"x"}`)}, "GET /api/things/{id}", "does not match"},
		{"wrong content type", Response{Path: "/api/things/7", Status: 200, ContentType: "text/html", Body: []byte(`{"id":7,"name":"a"}`)}, "GET /api/things/{id}", "content type text/html is not documented"},
		{"literal beats parameter", Response{Path: "/api/things/export.xlsx", Status: 200, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Body: []byte("PK\x03\x04")}, "GET /api/things/export.xlsx", ""},
		{"parameter inside a path", Response{Path: "/api/imports/reports/template.csv", Status: 200, ContentType: "text/csv; charset=utf-8", Body: []byte("a,b\n")}, "GET /api/imports/{kind}/template.csv", ""},
		{"no content documented", Response{Method: "POST", Path: "/logout", Status: 204}, "POST /logout", ""},
		{"no content documented, body sent", Response{Method: "POST", Path: "/logout", Status: 204, ContentType: "text/plain", Body: []byte("bye")}, "POST /logout", "documents no content"},
		{"status class", Response{Method: "POST", Path: "/logout", Status: 403, ContentType: jsonCT, Body: []byte(`{"error":"x"}`)}, "POST /logout", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := v.Validate(c.r)
			if res.Operation != c.op {
				t.Errorf("operation %q, want %q", res.Operation, c.op)
			}
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.wantErr != "" && err == nil:
				t.Errorf("no error, want %q", c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Errorf("error %q, want %q", err, c.wantErr)
			}
		})
	}
}

func TestNoOperation(t *testing.T) {
	v := newTest(t)
	for _, r := range []Response{
		{Path: "/api/nothing", Status: 404},
		{Method: "DELETE", Path: "/api/things/1", Status: 405},
		{Path: "/api/things/", Status: 404},
	} {
		if _, err := v.Validate(r); !errors.Is(err, ErrNoOperation) {
			t.Errorf("%s %s: %v, want ErrNoOperation", r.Method, r.Path, err)
		}
	}
}

func TestValidateSchema(t *testing.T) {
	v := newTest(t)
	if err := v.ValidateSchema("#/components/schemas/Error", []byte(`{"error":"x"}`)); err != nil {
		t.Error(err)
	}
	if err := v.ValidateSchema("#/components/schemas/Error", []byte(`{"err":"x"}`)); err == nil {
		t.Error("a wrong body passed")
	}
	if err := v.ValidateSchema("#/components/schemas/Nope", []byte(`{}`)); err == nil {
		t.Error("a missing schema passed")
	}
}

func TestNewRejects(t *testing.T) {
	for _, doc := range []string{`[]`, `{"openapi":"3.0.3","paths":{}}`, `{`} {
		if _, err := New([]byte(doc)); err == nil {
			t.Errorf("New(%s) accepted", doc)
		}
	}
	// A dangling $ref is found by CompileAll.
	v, err := New([]byte(`{"openapi":"3.1.0","paths":{"/x":{"get":{"responses":{"200":{"description":"x","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Gone"}}}}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CompileAll(); err == nil {
		t.Error("CompileAll accepted a dangling $ref")
	}
}
