package webtest

// Every response a test receives from an API route is checked against the
// OpenAPI document: New wraps the server's handler in SchemaChecked, so
// scenario tables, env.Do, direct env.H calls and the browser harness are
// all covered without a call in each test. Main then checks that every
// route of the modules a test binary owns got at least one validated
// success (2xx/3xx) response over the run.

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/industrybrain/ibrain/internal/testkit"
	"github.com/industrybrain/ibrain/internal/web"
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
func apiValidator(srv *web.Server) (*apischema.Validator, error) {
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
	routes    map[string]string // "GET /api/v1/x/{id}" → its module ("" for the core)
	succeeded map[string]bool   // operations with a validated 2xx/3xx response
	responses int               // responses validated
}{routes: map[string]string{}, succeeded: map[string]bool{}}

func noteRoutes(routes []web.RouteInfo) {
	schemaCoverage.Lock()
	defer schemaCoverage.Unlock()
	for _, rt := range routes {
		schemaCoverage.routes[rt.Method+" "+rt.Path] = rt.Module
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

// SchemaChecked wraps h: each response to a documented operation is
// validated against the document and a mismatch goes to fail. A response
// under /api/ that no operation covers (the JSON 404 of the catch-all)
// must be an Error. Pages and the ServeMux's own 405s are not API
// responses of the document and pass unchecked.
func SchemaChecked(h http.Handler, v *apischema.Validator, fail func(format string, args ...any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &teeWriter{ResponseWriter: w}
		h.ServeHTTP(tw, r)
		if r.Method == http.MethodHead || r.Context().Err() != nil {
			// A request the client gave up on (a browser navigating away
			// mid-fetch) gets an answer nobody reads; it is not a response
			// of the API's contract.
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

// UncoveredRoutes returns the routes without a validated success response
// (validated) and not exempted, and the exemptions that are stale (not a
// route, or validated after all).
func UncoveredRoutes(routes, validated map[string]bool, exempt map[string]string) (missing, stale []string) {
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

// Main runs a test binary's tests, then, when every test ran and passed,
// fails if a route of module (the core's routes when "") never had a
// success response validated against the document. exempt names routes
// that may go without one, each with the reason; keep it empty. It also
// removes the databases testkit built once for the tests. A feature
// package calls it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(webtest.Main(m, "listing", nil)) }
func Main(m *testing.M, module string, exempt map[string]string) int {
	defer testkit.Cleanup() // the databases New copies from
	code := m.Run()
	if code != 0 || !fullRun() {
		return code
	}
	schemaCoverage.Lock()
	routes := map[string]bool{}
	for rt, mod := range schemaCoverage.routes {
		if mod == module {
			routes[rt] = true
		}
	}
	missing, stale := UncoveredRoutes(routes, schemaCoverage.succeeded, exempt)
	n, responses := len(routes), schemaCoverage.responses
	schemaCoverage.Unlock()
	if n == 0 {
		fmt.Fprintf(os.Stderr, "FAIL: response-schema coverage: no test booted a server with the routes of module %q\n", module)
		return 1
	}
	if len(missing)+len(stale) > 0 {
		for _, rt := range missing {
			fmt.Fprintf(os.Stderr, "FAIL: response-schema coverage: no test got a validated 2xx/3xx response from %s; add a scenario (or exempt it with the reason)\n", rt)
		}
		for _, rt := range stale {
			fmt.Fprintf(os.Stderr, "FAIL: response-schema coverage: the exemption of %s is stale (not a route, or validated after all)\n", rt)
		}
		return 1
	}
	if testing.Verbose() {
		fmt.Printf("response-schema coverage: %d responses validated; every one of the %d routes of %q had a validated success response\n", responses, n, module)
	}
	return code
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
