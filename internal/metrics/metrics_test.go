package metrics

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sample is one parsed sample line.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// exposition is a parsed text exposition: HELP and TYPE per family and the
// samples in order.
type exposition struct {
	help    map[string]string
	typ     map[string]string
	samples []sample
}

// parseExposition is a strict reader of the 0.0.4 text format, written from
// the format description rather than from this package's writer, so the
// tests check the format and not the writer against itself.
func parseExposition(t *testing.T, text string) exposition {
	t.Helper()
	ex := exposition{help: map[string]string{}, typ: map[string]string{}}
	if !strings.HasSuffix(text, "\n") {
		t.Fatalf("output does not end in a newline")
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# HELP "):
			name, help, _ := strings.Cut(strings.TrimPrefix(line, "# HELP "), " ")
			ex.help[name] = unescape(t, help, false)
		case strings.HasPrefix(line, "# TYPE "):
			name, typ, _ := strings.Cut(strings.TrimPrefix(line, "# TYPE "), " ")
			if _, dup := ex.typ[name]; dup {
				t.Fatalf("line %d: second TYPE for %s", n, name)
			}
			switch typ {
			case "counter", "gauge", "histogram", "summary", "untyped":
			default:
				t.Fatalf("line %d: bad type %q", n, typ)
			}
			ex.typ[name] = typ
		case strings.HasPrefix(line, "#"), line == "":
			t.Fatalf("line %d: unexpected %q", n, line)
		default:
			ex.samples = append(ex.samples, parseSample(t, n, line))
		}
	}
	return ex
}

func parseSample(t *testing.T, n int, line string) sample {
	t.Helper()
	s := sample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		t.Fatalf("line %d: no metric name in %q", n, line)
	}
	s.name = line[:i]
	rest := line[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			eq := strings.Index(rest, `="`)
			if eq <= 0 {
				t.Fatalf("line %d: bad label in %q", n, line)
			}
			name := rest[:eq]
			rest = rest[eq+2:]
			// Find the closing quote, skipping escaped characters.
			var val strings.Builder
			j := 0
			for ; j < len(rest) && rest[j] != '"'; j++ {
				if rest[j] == '\\' {
					j++
					switch rest[j] {
					case 'n':
						val.WriteByte('\n')
					case '\\', '"':
						val.WriteByte(rest[j])
					default:
						t.Fatalf("line %d: bad escape \\%c", n, rest[j])
					}
					continue
				}
				if rest[j] == '\n' {
					t.Fatalf("line %d: raw newline in label", n)
				}
				val.WriteByte(rest[j])
			}
			if j == len(rest) {
				t.Fatalf("line %d: unterminated label value", n)
			}
			s.labels[name] = val.String()
			rest = strings.TrimPrefix(rest[j+1:], ",")
		}
	}
	if !strings.HasPrefix(rest, " ") {
		t.Fatalf("line %d: no space before the value in %q", n, line)
	}
	v, err := strconv.ParseFloat(strings.TrimPrefix(rest, " "), 64)
	if err != nil {
		t.Fatalf("line %d: value: %v", n, err)
	}
	s.value = v
	return s
}

func unescape(t *testing.T, s string, quote bool) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch {
		case s[i] == 'n':
			b.WriteByte('\n')
		case s[i] == '\\', quote && s[i] == '"':
			b.WriteByte(s[i])
		default:
			t.Fatalf("bad escape \\%c in %q", s[i], s)
		}
	}
	return b.String()
}

func (ex exposition) find(name string, labels map[string]string) (float64, bool) {
	for _, s := range ex.samples {
		if s.name != name || len(s.labels) != len(labels) {
			continue
		}
		match := true
		for k, v := range labels {
			if s.labels[k] != v {
				match = false
			}
		}
		if match {
			return s.value, true
		}
	}
	return 0, false
}

func render(t *testing.T, r *Registry) string {
	t.Helper()
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCounterGaugeAndEscaping(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("app_events_total", "Events.\nSecond line with a \\ backslash.", "kind")
	c.With(`quote " back \ nl` + "\n").Add(2.5)
	c.With("plain").Inc()
	c.With("plain").Inc()
	g := r.Gauge("app_temperature", "Temperature.")
	g.With().Set(-3.25)
	r.GaugeFunc("app_pool_open", "Open connections.", func() float64 { return 7 })
	r.CounterFunc("app_waits_total", "Waits.", func() float64 { return 11 })

	ex := parseExposition(t, render(t, r))
	if got := ex.help["app_events_total"]; got != "Events.\nSecond line with a \\ backslash." {
		t.Errorf("HELP round trip = %q", got)
	}
	for name, want := range map[string]string{"app_events_total": "counter", "app_temperature": "gauge", "app_pool_open": "gauge", "app_waits_total": "counter"} {
		if ex.typ[name] != want {
			t.Errorf("TYPE %s = %q, want %q", name, ex.typ[name], want)
		}
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"app_events_total", map[string]string{"kind": `quote " back \ nl` + "\n"}, 2.5},
		{"app_events_total", map[string]string{"kind": "plain"}, 2},
		{"app_temperature", nil, -3.25},
		{"app_pool_open", nil, 7},
		{"app_waits_total", nil, 11},
	}
	for _, c := range checks {
		got, ok := ex.find(c.name, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
}

func TestHistogramBuckets(t *testing.T) {
	r := NewRegistry()
	h := r.Histogram("app_latency_seconds", "Latency.", []float64{0.1, 0.5, 1}, "route")
	for _, v := range []float64{0.05, 0.1, 0.2, 0.7, 3, 0.5} {
		h.With("/x").Observe(v)
	}
	text := render(t, r)
	ex := parseExposition(t, text)
	if ex.typ["app_latency_seconds"] != "histogram" {
		t.Fatalf("TYPE = %q", ex.typ["app_latency_seconds"])
	}
	// Upper bounds are inclusive: 0.1 falls in le="0.1", 0.5 in le="0.5".
	want := map[string]float64{"0.1": 2, "0.5": 4, "1": 5, "+Inf": 6}
	var last float64
	var order []string
	for _, s := range ex.samples {
		if s.name != "app_latency_seconds_bucket" {
			continue
		}
		if s.labels["route"] != "/x" {
			t.Errorf("bucket without its series labels: %v", s.labels)
		}
		le := s.labels["le"]
		order = append(order, le)
		if s.value < last {
			t.Errorf("buckets not cumulative at le=%s: %v after %v", le, s.value, last)
		}
		last = s.value
		if s.value != want[le] {
			t.Errorf("bucket le=%s = %v, want %v", le, s.value, want[le])
		}
	}
	if strings.Join(order, ",") != "0.1,0.5,1,+Inf" {
		t.Errorf("bucket order %v, want ascending ending in +Inf", order)
	}
	if v, _ := ex.find("app_latency_seconds_count", map[string]string{"route": "/x"}); v != 6 {
		t.Errorf("_count = %v, want 6", v)
	}
	if v, _ := ex.find("app_latency_seconds_sum", map[string]string{"route": "/x"}); v < 4.549 || v > 4.551 {
		t.Errorf("_sum = %v, want 4.55", v)
	}
	if !strings.Contains(text, `app_latency_seconds_bucket{route="/x",le="+Inf"} 6`) {
		t.Errorf("missing literal +Inf bucket line:\n%s", text)
	}
}

func TestFamiliesSortedAndDeterministic(t *testing.T) {
	r := NewRegistry()
	r.Counter("b_total", "B.", "x").With("2").Inc()
	r.Counter("a_total", "A.", "x").With("1").Inc()
	r.Counter("b2_total", "B2.", "x").With("1").Inc()
	first := render(t, r)
	if first != render(t, r) {
		t.Fatal("two renders differ")
	}
	a, b2, b := strings.Index(first, "# HELP a_total"), strings.Index(first, "# HELP b2_total"), strings.Index(first, "# HELP b_total")
	if !(a < b2 && b2 < b) {
		t.Errorf("families not sorted by name:\n%s", first)
	}
}

func TestRegistrationErrorsPanic(t *testing.T) {
	cases := []struct {
		name string
		fn   func(r *Registry)
	}{
		{"duplicate", func(r *Registry) { r.Counter("x_total", "X."); r.Gauge("x_total", "X.") }},
		{"bad metric name", func(r *Registry) { r.Counter("1x", "X.") }},
		{"bad label name", func(r *Registry) { r.Counter("x_total", "X.", "a-b") }},
		{"reserved label", func(r *Registry) { r.Counter("x_total", "X.", "__x") }},
		{"le on histogram", func(r *Registry) { r.Histogram("x", "X.", nil, "le") }},
		{"unsorted buckets", func(r *Registry) { r.Histogram("x", "X.", []float64{2, 1}) }},
		{"label count", func(r *Registry) { r.Counter("x_total", "X.", "a").With("1", "2") }},
		{"negative counter", func(r *Registry) { r.Counter("x_total", "X.").With().Add(-1) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			c.fn(NewRegistry())
		})
	}
}

func TestRegistriesAreIndependent(t *testing.T) {
	// Two servers in one test process must not share or collide.
	a, b := NewRegistry(), NewRegistry()
	NewHTTP(a)
	NewHTTP(b)
	a.Counter("only_a_total", "A.").With().Inc()
	if strings.Contains(render(t, b), "only_a_total") {
		t.Error("registry b shows a's metric")
	}
}

func TestConcurrentUpdates(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c_total", "C.", "k")
	h := r.Histogram("h", "H.", []float64{1})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 1000; j++ {
				c.With(fmt.Sprint(j % 3)).Inc()
				h.With().Observe(0.5)
				if j%100 == 0 {
					_ = r.WriteText(new(strings.Builder))
				}
			}
		}()
	}
	wg.Wait()
	ex := parseExposition(t, render(t, r))
	var total float64
	for _, s := range ex.samples {
		if s.name == "c_total" {
			total += s.value
		}
	}
	if total != 8000 {
		t.Errorf("counter total = %v, want 8000", total)
	}
	if v, _ := ex.find("h_count", nil); v != 8000 {
		t.Errorf("histogram count = %v, want 8000", v)
	}
}

func TestHTTPMiddlewareLabelsByPattern(t *testing.T) {
	reg := NewRegistry()
	m := NewHTTP(reg)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "0" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	h := m.Middleware(mux)
	for _, path := range []string{"/items/1", "/items/2", "/items/0", "/nowhere/secret-id"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/items/1", nil))

	ex := parseExposition(t, render(t, reg))
	checks := []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"method": "GET", "route": "/items/{id}", "code_class": "2xx"}, 2},
		{map[string]string{"method": "GET", "route": "/items/{id}", "code_class": "4xx"}, 1},
		{map[string]string{"method": "GET", "route": "unmatched", "code_class": "4xx"}, 1},
		{map[string]string{"method": "other", "route": "unmatched", "code_class": "4xx"}, 1},
	}
	for _, c := range checks {
		if got, _ := ex.find("ibrain_http_requests_total", c.labels); got != c.want {
			t.Errorf("requests%v = %v, want %v", c.labels, got, c.want)
		}
	}
	for _, s := range ex.samples {
		for _, v := range s.labels {
			if strings.Contains(v, "secret-id") || strings.Contains(v, "/items/1") {
				t.Errorf("raw path leaked into a label: %v", s.labels)
			}
		}
	}
	if v, _ := ex.find("ibrain_http_request_duration_seconds_count", map[string]string{"method": "GET", "route": "/items/{id}"}); v != 3 {
		t.Errorf("duration count = %v, want 3", v)
	}
}

func TestServeHTTPContentType(t *testing.T) {
	r := NewRegistry()
	NewHTTP(r).Observe("GET", "GET /x", 200, time.Millisecond)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	parseExposition(t, rec.Body.String())
}

func TestCodeClass(t *testing.T) {
	for in, want := range map[int]string{200: "2xx", 204: "2xx", 303: "3xx", 404: "4xx", 503: "5xx", 42: "other", 600: "other"} {
		if got := CodeClass(in); got != want {
			t.Errorf("CodeClass(%d) = %q, want %q", in, got, want)
		}
	}
}
