package web

// Every response a web test receives from an API route is checked against
// the OpenAPI document: newTestEnv wraps the server's handler in
// schemaChecked, so scenario tables, env.do, direct env.h calls and the
// browser harness are all covered without a call in each test. TestMain
// then checks that every route of the route table got at least one
// validated success (2xx/3xx) response over the run.

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/industrybrain/ibrain/internal/web/apischema"
)

// apiValidators caches a validator per served document (servers with the
// same modules serve the same one), so schemas compile once per binary.
var apiValidators = struct {
	sync.Mutex
	byDoc map[string]*apischema.Validator
}{byDoc: map[string]*apischema.Validator{}}

// apiValidator returns the validator for the document srv serves: the
// base document, the fragments and the modules' own.
func apiValidator(srv *Server) (*apischema.Validator, error) {
	doc := srv.OpenAPIDocument()
	apiValidators.Lock()
	defer apiValidators.Unlock()
	if v, ok := apiValidators.byDoc[string(doc)]; ok {
		return v, nil
	}
	v, err := apischema.New(doc)
	if err != nil {
		return nil, err
	}
	apiValidators.byDoc[string(doc)] = v
	return v, nil
}

// schemaCoverage records, over the whole test binary, the routes of the
// table and the operations that had a success response validated (an
// error response alone would leave the success schema unchecked).
var schemaCoverage = struct {
	sync.Mutex
	routes    map[string]bool // "GET /api/v1/x/{id}"
	succeeded map[string]bool // operations with a validated 2xx/3xx response
	responses int             // responses validated
}{routes: map[string]bool{}, succeeded: map[string]bool{}}

func noteRoutes(routes []apiRoute) {
	schemaCoverage.Lock()
	defer schemaCoverage.Unlock()
	for _, rt := range routes {
		schemaCoverage.routes[rt.Pattern()] = true
	}
}

func noteValidated(op string, status int) {
	schemaCoverage.Lock()
	defer schemaCoverage.Unlock()
	schemaCoverage.responses++
	if status < 400 {
		schemaCoverage.succeeded[op] = true
	}
}

// schemaChecked wraps h: each response to a documented operation is
// validated against the document and a mismatch goes to fail. A response
// under /api/ that no operation covers (the JSON 404 of the catch-all)
// must be an Error. Pages and the ServeMux's own 405s are not API
// responses of the document and pass unchecked.
func schemaChecked(h http.Handler, v *apischema.Validator, fail func(format string, args ...any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &teeWriter{ResponseWriter: w}
		h.ServeHTTP(tw, r)
		if r.Method == http.MethodHead {
			return
		}
		status := tw.status
		if status == 0 {
			status = http.StatusOK
		}
		ct := w.Header().Get("Content-Type")
		if ct == "" && tw.body.Len() > 0 {
			ct = http.DetectContentType(tw.body.Bytes()) // what net/http sends
		}
		res, err := v.Validate(apischema.Response{Method: r.Method, Path: r.URL.Path, Status: status, ContentType: ct, Body: tw.body.Bytes()})
		switch {
		case errors.Is(err, apischema.ErrNoOperation):
			if strings.HasPrefix(r.URL.Path, "/api/") && status == http.StatusNotFound {
				if err := v.ValidateSchema("#/components/schemas/Error", tw.body.Bytes()); err != nil {
					fail("%s %s: the /api/ catch-all 404: %v", r.Method, r.URL.Path, err)
				}
			}
		case err != nil:
			fail("OpenAPI: %s %s → %d: %v\nbody: %.600s", r.Method, r.URL.RequestURI(), status, err, tw.body.String())
		default:
			noteValidated(res.Operation, status)
		}
	})
}

// teeWriter passes a response through while keeping its status and body.
type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *teeWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// unvalidatedRoutes are the routes of the table that may go through a
// whole run without a validated success response, each with the reason.
// Keep it empty: a new route gets a scenario instead.
var unvalidatedRoutes = map[string]string{}

// uncoveredRoutes returns the routes without a validated success response
// (validated) and not exempted, and the exemptions that are stale (not a
// route, or validated after all).
func uncoveredRoutes(routes, validated map[string]bool, exempt map[string]string) (missing, stale []string) {
	for rt := range routes {
		if !validated[rt] && exempt[rt] == "" {
			missing = append(missing, rt)
		}
	}
	for rt := range exempt {
		if !routes[rt] || validated[rt] {
			stale = append(stale, rt)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	return missing, stale
}

// TestMain runs the suite, then, when every test ran and passed, fails if
// a route of the table never had a success response validated against the
// document.
func TestMain(m *testing.M) {
	code := m.Run()
	if code != 0 || !fullRun() {
		os.Exit(code)
	}
	schemaCoverage.Lock()
	missing, stale := uncoveredRoutes(schemaCoverage.routes, schemaCoverage.succeeded, unvalidatedRoutes)
	n, responses := len(schemaCoverage.routes), schemaCoverage.responses
	schemaCoverage.Unlock()
	if n == 0 {
		fmt.Fprintln(os.Stderr, "FAIL: response-schema coverage: no test booted a server")
		os.Exit(1)
	}
	if len(missing)+len(stale) > 0 {
		for _, rt := range missing {
			fmt.Fprintf(os.Stderr, "FAIL: response-schema coverage: no test got a validated 2xx/3xx response from %s; add a scenario (or list it in unvalidatedRoutes with the reason)\n", rt)
		}
		for _, rt := range stale {
			fmt.Fprintf(os.Stderr, "FAIL: response-schema coverage: unvalidatedRoutes lists %s, which is not a route or was validated after all\n", rt)
		}
		os.Exit(1)
	}
	if testing.Verbose() {
		fmt.Printf("response-schema coverage: %d responses validated; every one of the %d routes had a validated success response\n", responses, n)
	}
	os.Exit(code)
}

// fullRun reports whether the run selected every test (no -run, -skip
// or -short), so route coverage is meaningful.
func fullRun() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return !testing.Short()
}

// TestSchemaCheckCatchesWrongBodies: the hook fails a response the
// document does not allow — a renamed field, a wrong type, an undocumented
// status or content type — and passes the right one.
func TestSchemaCheckCatchesWrongBodies(t *testing.T) {
	v, err := apiValidator(newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db").srv)
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
			checked := schemaChecked(h, v, func(format string, args ...any) { failures = append(failures, fmt.Sprintf(format, args...)) })
			env := &testEnv{t: t, h: checked}
			env.do(scenario{url: c.path})
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
	missing, stale := uncoveredRoutes(routes, validated, nil)
	if !slices.Equal(missing, []string{"GET /b"}) || len(stale) != 0 {
		t.Errorf("missing %v, stale %v", missing, stale)
	}
	missing, stale = uncoveredRoutes(routes, validated, map[string]string{"GET /b": "streams", "POST /c": "x", "GET /gone": "x"})
	if len(missing) != 0 || !slices.Equal(stale, []string{"GET /gone", "POST /c"}) {
		t.Errorf("missing %v, stale %v", missing, stale)
	}
}

// TestOpenAPIResponseSchemasCompile compiles every response schema of the
// document, so a broken one fails even before a test reaches it.
func TestOpenAPIResponseSchemasCompile(t *testing.T) {
	v, err := apiValidator(newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db").srv)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CompileAll(); err != nil {
		t.Error(err)
	}
}
