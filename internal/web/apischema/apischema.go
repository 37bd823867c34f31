// Package apischema checks HTTP responses against an OpenAPI 3.1 document:
// the status must be documented for the operation, the content type must be
// one the response lists, and a JSON body must validate against the
// response's schema (JSON Schema draft 2020-12, OAS 3.1's dialect, with
// $ref resolved inside the document). Other media types (XLSX, CSV, the
// metrics text) are checked for their content type only.
//
// It is meant for tests: any package's tests build a Validator from the
// document the server serves (web.Server.OpenAPIDocument) and hand it
// every response they receive.
// It imports no feature code.
package apischema

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docURL names the document inside the schema compiler.
const docURL = "urn:ibrain:openapi.json"

// ErrNoOperation reports a method and path the document has no operation
// for.
var ErrNoOperation = errors.New("apischema: no operation")

// Validator validates responses against one OpenAPI document. It is safe
// for concurrent use; response schemas are compiled on first use.
type Validator struct {
	ops      map[string]*operation // "GET /api/v1/x/{id}" → operation
	patterns []pattern             // for matching concrete paths
	compiler *jsonschema.Compiler
	root     map[string]any

	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema // JSON pointer → schema
}

type operation struct {
	method, path string
	responses    map[string]map[string]string // status ("200", "4XX", "default") → media type → schema pointer ("" when the media type has no schema)
}

type pattern struct {
	path     string
	segments []string
	literals int
}

// New parses an OpenAPI 3.1 document (JSON).
func New(doc []byte) (*Validator, error) {
	root, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("apischema: parse document: %w", err)
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, errors.New("apischema: the document is not an object")
	}
	if v, _ := obj["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		return nil, fmt.Errorf("apischema: openapi %q, want 3.1.x", v)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(docURL, root); err != nil {
		return nil, fmt.Errorf("apischema: %w", err)
	}
	v := &Validator{ops: map[string]*operation{}, compiler: c, root: obj, compiled: map[string]*jsonschema.Schema{}}
	paths, _ := obj["paths"].(map[string]any)
	for path, item := range paths {
		methods, _ := item.(map[string]any)
		seen := false
		for method, o := range methods {
			op, _ := o.(map[string]any)
			if op == nil || !isMethod(method) {
				continue
			}
			seen = true
			res, err := v.responses(path, method, op)
			if err != nil {
				return nil, err
			}
			v.ops[strings.ToUpper(method)+" "+path] = &operation{method: strings.ToUpper(method), path: path, responses: res}
		}
		if seen {
			p := pattern{path: path, segments: strings.Split(path, "/")}
			for _, s := range p.segments {
				if !strings.Contains(s, "{") {
					p.literals++
				}
			}
			v.patterns = append(v.patterns, p)
		}
	}
	// More literal segments first, so /x/export.xlsx wins over /x/{id}.
	sort.Slice(v.patterns, func(i, j int) bool {
		if v.patterns[i].literals != v.patterns[j].literals {
			return v.patterns[i].literals > v.patterns[j].literals
		}
		return v.patterns[i].path < v.patterns[j].path
	})
	return v, nil
}

func isMethod(m string) bool {
	switch strings.ToUpper(m) {
	case "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE":
		return true
	}
	return false
}

// responses collects an operation's documented statuses and media types,
// following a $ref to components/responses.
func (v *Validator) responses(path, method string, op map[string]any) (map[string]map[string]string, error) {
	base := "/paths/" + escape(path) + "/" + method + "/responses/"
	rs, _ := op["responses"].(map[string]any)
	out := map[string]map[string]string{}
	for status, r := range rs {
		ptr := base + escape(status)
		resp, _ := r.(map[string]any)
		if ref, ok := resp["$ref"].(string); ok {
			target, err := v.lookup(ref)
			if err != nil {
				return nil, fmt.Errorf("apischema: %s %s %s: %w", method, path, status, err)
			}
			resp, _ = target.(map[string]any)
			ptr = strings.TrimPrefix(ref, "#")
		}
		media := map[string]string{}
		content, _ := resp["content"].(map[string]any)
		for mt, m := range content {
			mo, _ := m.(map[string]any)
			if _, ok := mo["schema"]; ok {
				media[mt] = ptr + "/content/" + escape(mt) + "/schema"
			} else {
				media[mt] = ""
			}
		}
		out[status] = media
	}
	return out, nil
}

// lookup resolves a local reference ("#/components/...").
func (v *Validator) lookup(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("reference %q is not local", ref)
	}
	var cur any = v.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reference %q does not resolve", ref)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("reference %q does not resolve", ref)
		}
	}
	return cur, nil
}

// escape encodes a JSON pointer token.
func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// Operations returns every documented operation as "METHOD /path/{param}",
// sorted.
func (v *Validator) Operations() []string {
	out := make([]string, 0, len(v.ops))
	for k := range v.ops {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Match finds the documented path template a request path belongs to:
// path itself when it is a template of the document, else the template
// whose segments match (a {param} segment matches any non-empty text; the
// template with the most literal segments wins). ok is false when no path
// of the document matches.
func (v *Validator) Match(path string) (template string, ok bool) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	for _, p := range v.patterns {
		if p.path == path {
			return path, true
		}
	}
	segs := strings.Split(path, "/")
	for _, p := range v.patterns {
		if len(p.segments) != len(segs) {
			continue
		}
		match := true
		for i, s := range p.segments {
			if !segmentMatches(s, segs[i]) {
				match = false
				break
			}
		}
		if match {
			return p.path, true
		}
	}
	return "", false
}

// segmentMatches matches one template segment ("{id}", "{kind}.xlsx",
// "rules") against a concrete one.
func segmentMatches(tmpl, seg string) bool {
	for tmpl != "" {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			return tmpl == seg
		}
		if !strings.HasPrefix(seg, tmpl[:open]) {
			return false
		}
		seg = seg[open:]
		closing := strings.IndexByte(tmpl, '}')
		if closing < 0 {
			return false
		}
		tmpl = tmpl[closing+1:]
		// The parameter takes at least one character, up to the next literal.
		next := tmpl
		if i := strings.IndexByte(next, '{'); i >= 0 {
			next = next[:i]
		}
		if next == "" {
			if tmpl == "" {
				return seg != ""
			}
			return false // two adjacent parameters: not used here
		}
		i := strings.LastIndex(seg, next)
		if i < 1 {
			return false
		}
		seg = seg[i:]
	}
	return seg == ""
}

// Response is what Validate checks.
type Response struct {
	Method      string // GET when empty
	Path        string // a template of the document or a concrete path (query ignored)
	Status      int
	ContentType string // the Content-Type header
	Body        []byte
}

// Result says which operation and response a validated response was
// checked against.
type Result struct {
	Operation string // "GET /api/v1/enterprises/{id}"
	Status    string // the documented key used: "200", "4XX" or "default"
}

// Validate checks r against its operation: a status the operation does
// not document, a content type it does not list or a body its schema
// rejects is an error. A method and path without an operation return an
// error wrapping ErrNoOperation.
func (v *Validator) Validate(r Response) (Result, error) {
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = http.MethodGet
	}
	tmpl, ok := v.Match(r.Path)
	if !ok {
		return Result{}, fmt.Errorf("%w for %s %s", ErrNoOperation, method, r.Path)
	}
	op, ok := v.ops[method+" "+tmpl]
	if !ok {
		return Result{}, fmt.Errorf("%w for %s %s", ErrNoOperation, method, tmpl)
	}
	res := Result{Operation: method + " " + tmpl}
	code := strconv.Itoa(r.Status)
	media, ok := op.responses[code]
	res.Status = code
	if !ok {
		class := code[:1] + "XX"
		if media, ok = op.responses[class]; ok {
			res.Status = class
		} else if media, ok = op.responses["default"]; ok {
			res.Status = "default"
		}
	}
	if !ok {
		return res, fmt.Errorf("%s: status %d is not documented (documented: %s)", res.Operation, r.Status, strings.Join(keys(op.responses), ", "))
	}
	if len(media) == 0 {
		if len(bytes.TrimSpace(r.Body)) > 0 {
			return res, fmt.Errorf("%s %d: the response documents no content but has a %d-byte body (%s)", res.Operation, r.Status, len(r.Body), r.ContentType)
		}
		return res, nil
	}
	mt, _, err := mime.ParseMediaType(r.ContentType)
	if err != nil {
		return res, fmt.Errorf("%s %d: content type %q: %v", res.Operation, r.Status, r.ContentType, err)
	}
	ptr, ok := media[mt]
	if !ok {
		return res, fmt.Errorf("%s %d: content type %s is not documented (documented: %s)", res.Operation, r.Status, mt, strings.Join(keys(media), ", "))
	}
	if ptr == "" || !isJSON(mt) {
		return res, nil
	}
	sch, err := v.schema(ptr)
	if err != nil {
		return res, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Body))
	if err != nil {
		return res, fmt.Errorf("%s %d: body is not JSON: %v", res.Operation, r.Status, err)
	}
	if err := sch.Validate(inst); err != nil {
		return res, fmt.Errorf("%s %d: body does not match the schema: %w", res.Operation, r.Status, err)
	}
	return res, nil
}

// ValidateSchema checks a JSON body against a schema of the document
// given by its reference ("#/components/schemas/Error").
func (v *Validator) ValidateSchema(ref string, body []byte) error {
	if !strings.HasPrefix(ref, "#/") {
		return fmt.Errorf("apischema: reference %q is not local", ref)
	}
	if _, err := v.lookup(ref); err != nil {
		return fmt.Errorf("apischema: %w", err)
	}
	sch, err := v.schema(ref[1:])
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: body is not JSON: %v", ref, err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	return nil
}

// schema compiles the schema at a JSON pointer of the document once.
func (v *Validator) schema(ptr string) (*jsonschema.Schema, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.compiled[ptr]; ok {
		return s, nil
	}
	s, err := v.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		return nil, fmt.Errorf("apischema: compile %s: %w", ptr, err)
	}
	v.compiled[ptr] = s
	return s, nil
}

// CompileAll compiles every response schema of the document, so a broken
// schema or a dangling $ref is found even if no test reaches it.
func (v *Validator) CompileAll() error {
	var errs []error
	for _, k := range v.Operations() {
		for _, media := range v.ops[k].responses {
			for _, ptr := range media {
				if ptr == "" {
					continue
				}
				if _, err := v.schema(ptr); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", k, err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func isJSON(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
