package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"time"
)

// healthz answers 200 when the database answers, 503 otherwise, for load
// balancers and process supervisors.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Check(ctx); err != nil {
		s.log.WarnContext(r.Context(), "health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, apiHealth{Status: "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, apiHealth{Status: "ok"})
}

//go:embed openapi.json openapi
var openAPIFiles embed.FS

// buildOpenAPI merges the base document with the module fragments in
// openapi/*.json (their paths and component schemas), so modules document
// their routes in their own files. A path or schema defined twice is an
// error.
func buildOpenAPI(extra ...namedFragment) ([]byte, error) {
	base, err := openAPIFiles.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	paths, _ := doc["paths"].(map[string]any)
	comps, _ := doc["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	if paths == nil || schemas == nil {
		return nil, errors.New("openapi.json: paths and components.schemas are required")
	}
	names, err := fs.Glob(openAPIFiles, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	frags := make([]namedFragment, 0, len(names)+len(extra))
	for _, name := range names {
		data, err := openAPIFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		frags = append(frags, namedFragment{name, data})
	}
	for _, f := range append(frags, extra...) {
		name, data := f.name, f.data
		var frag struct {
			Paths      map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(data, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k, v := range frag.Paths {
			if _, dup := paths[k]; dup {
				return nil, fmt.Errorf("%s: path %s is already documented", name, k)
			}
			paths[k] = v
		}
		for k, v := range frag.Components.Schemas {
			if _, dup := schemas[k]; dup {
				return nil, fmt.Errorf("%s: schema %s is already defined", name, k)
			}
			schemas[k] = v
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// namedFragment is an OpenAPI fragment and where it comes from, for errors.
type namedFragment struct {
	name string
	data []byte
}

// openAPIFragments are the modules' OpenAPI fragments.
func (s *Server) openAPIFragments() []namedFragment {
	var out []namedFragment
	for _, m := range s.modules {
		if len(m.OpenAPI) > 0 {
			out = append(out, namedFragment{"module " + m.Name, m.OpenAPI})
		}
	}
	return out
}

// OpenAPIDocument returns the merged OpenAPI 3.1 document the server
// serves at /api/v1/openapi.json (the base, the fragments in openapi/ and
// the modules' own), for tests that validate responses against it
// (internal/web/apischema). The caller must not modify it.
func (s *Server) OpenAPIDocument() []byte { return s.openAPIDoc }

// openAPI serves the merged OpenAPI 3.1 document.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(s.openAPIDoc)
}

// apiMe returns the signed-in account.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, c Ctx) error {
	writeJSON(w, http.StatusOK, toAPIUser(c.User))
	return nil
}
