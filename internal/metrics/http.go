package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HTTP records request counts and latencies.
type HTTP struct {
	requests *CounterVec
	duration *HistogramVec
}

// NewHTTP registers the HTTP metrics on r.
func NewHTTP(r *Registry) *HTTP {
	return &HTTP{
		requests: r.Counter("ibrain_http_requests_total", "HTTP requests by method, route pattern and status class.", "method", "route", "code_class"),
		duration: r.Histogram("ibrain_http_request_duration_seconds", "HTTP request latency by method and route pattern.", DefBuckets, "method", "route"),
	}
}

// Observe records one finished request. route is the ServeMux pattern that
// matched (Request.Pattern), never the raw path: paths carry ids, so
// labelling by them would create a series per enterprise.
func (h *HTTP) Observe(method, pattern string, status int, d time.Duration) {
	route := RouteLabel(pattern)
	method = methodLabel(method)
	h.requests.With(method, route, CodeClass(status)).Inc()
	h.duration.With(method, route).Observe(d.Seconds())
}

// Middleware records every request passing through next. It must wrap the
// ServeMux directly or through handlers that pass the same *http.Request
// on, because the mux sets Pattern on the request it receives.
func (h *HTTP) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &StatusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		h.Observe(r.Method, r.Pattern, sw.Status(), time.Since(start))
	})
}

// RouteLabel turns a ServeMux pattern ("GET /api/v1/enterprises/{id}")
// into the route label ("/api/v1/enterprises/{id}"); requests no pattern
// matched share the label "unmatched".
func RouteLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return strings.TrimSpace(path)
	}
	return pattern
}

// methodLabel bounds the method label: a client can send any token as a
// method, and each would become a series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// CodeClass returns "2xx", "3xx", … for a status code.
func CodeClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// StatusWriter remembers the status code written through it.
type StatusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// WriteHeader records the status.
func (w *StatusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Status returns the status written, 200 when the handler wrote nothing.
func (w *StatusWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Bytes returns the body bytes written.
func (w *StatusWriter) Bytes() int64 { return w.bytes }

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
