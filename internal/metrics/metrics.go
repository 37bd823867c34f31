// Package metrics is a small Prometheus registry: counters, gauges
// (settable or read from a function at scrape time) and fixed-bucket
// histograms, with labels, written in the text exposition format 0.0.4.
//
// It replaces prometheus/client_golang, which would add seven modules
// (protobuf among them) for what is here a couple of hundred lines. There is
// no default registry: whoever needs metrics gets a *Registry passed in, so
// tests can build as many servers as they like without duplicate
// registration.
package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// DefBuckets are latency buckets in seconds, the same as client_golang's
// defaults so dashboards written for them keep working.
var DefBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

type kind string

const (
	kindCounter   kind = "counter"
	kindGauge     kind = "gauge"
	kindHistogram kind = "histogram"
)

// Registry holds metric families and writes them out. Its zero value is not
// usable; call NewRegistry.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{families: map[string]*family{}} }

// family is one metric name with its HELP, TYPE and labelled series.
type family struct {
	name    string
	help    string
	kind    kind
	labels  []string
	buckets []float64      // histograms only
	fn      func() float64 // func-backed counters and gauges

	mu     sync.RWMutex
	series map[string]*series // key: label values joined by \xff
}

// series is one labelled time series. Counters and gauges use bits (a
// float64 updated atomically); histograms use the mutex-guarded fields so
// that a scrape sees counts, sum and count that agree.
type series struct {
	values []string
	bits   atomic.Uint64

	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

func (r *Registry) register(f *family) *family {
	if !validMetricName(f.name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", f.name))
	}
	for _, l := range f.labels {
		if !validLabelName(l) || (f.kind == kindHistogram && l == "le") {
			panic(fmt.Sprintf("metrics: invalid label name %q for %s", l, f.name))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// A second registration of a name is a wiring bug; failing loudly at
	// start-up beats silently exporting one of the two.
	if _, dup := r.families[f.name]; dup {
		panic(fmt.Sprintf("metrics: %s registered twice", f.name))
	}
	f.series = map[string]*series{}
	r.families[f.name] = f
	return f
}

func (f *family) with(values []string) *series {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s wants %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	f.mu.RLock()
	s, ok := f.series[key]
	f.mu.RUnlock()
	if ok {
		return s
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.series[key]; ok {
		return s
	}
	s = &series{values: slices.Clone(values)}
	if f.kind == kindHistogram {
		s.counts = make([]uint64, len(f.buckets)+1)
	}
	f.series[key] = s
	return s
}

func (s *series) add(v float64) {
	for {
		old := s.bits.Load()
		if s.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// CounterVec is a counter family with labels.
type CounterVec struct{ f *family }

// Counter is one counter series. Counters only go up.
type Counter struct{ s *series }

// Counter registers a counter. By convention its name ends in _total.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	return &CounterVec{r.register(&family{name: name, help: help, kind: kindCounter, labels: labels})}
}

// With returns the series for the label values, in registration order.
func (v *CounterVec) With(values ...string) Counter { return Counter{v.f.with(values)} }

// Inc adds one.
func (c Counter) Inc() { c.s.add(1) }

// Add adds d, which must not be negative.
func (c Counter) Add(d float64) {
	if d < 0 {
		panic("metrics: counter cannot decrease")
	}
	c.s.add(d)
}

// CounterFunc registers an unlabelled counter read from fn at scrape time,
// for totals another component already keeps (database pool wait counts).
func (r *Registry) CounterFunc(name, help string, fn func() float64) {
	r.register(&family{name: name, help: help, kind: kindCounter, fn: fn})
}

// GaugeVec is a gauge family with labels.
type GaugeVec struct{ f *family }

// Gauge is one gauge series.
type Gauge struct{ s *series }

// Gauge registers a gauge.
func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	return &GaugeVec{r.register(&family{name: name, help: help, kind: kindGauge, labels: labels})}
}

// With returns the series for the label values, in registration order.
func (v *GaugeVec) With(values ...string) Gauge { return Gauge{v.f.with(values)} }

// Set sets the gauge.
func (g Gauge) Set(v float64) { g.s.bits.Store(math.Float64bits(v)) }

// Add adds d (which may be negative).
func (g Gauge) Add(d float64) { g.s.add(d) }

// GaugeFunc registers an unlabelled gauge read from fn at scrape time, so
// values such as open connections are current without a polling goroutine.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	r.register(&family{name: name, help: help, kind: kindGauge, fn: fn})
}

// HistogramVec is a histogram family with labels.
type HistogramVec struct{ f *family }

// Histogram is one histogram series.
type Histogram struct {
	s       *series
	buckets []float64
}

// Histogram registers a histogram with fixed upper bounds (sorted, without
// +Inf, which is implicit). Nil buckets mean DefBuckets.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	if buckets == nil {
		buckets = DefBuckets
	}
	if !slices.IsSorted(buckets) || len(buckets) == 0 {
		panic(fmt.Sprintf("metrics: %s buckets must be sorted and non-empty", name))
	}
	return &HistogramVec{r.register(&family{name: name, help: help, kind: kindHistogram, labels: labels, buckets: slices.Clone(buckets)})}
}

// With returns the series for the label values, in registration order.
func (v *HistogramVec) With(values ...string) Histogram {
	return Histogram{v.f.with(values), v.f.buckets}
}

// Observe records one value.
func (h Histogram) Observe(v float64) {
	i, _ := slices.BinarySearch(h.buckets, v) // first bucket with bound >= v
	h.s.mu.Lock()
	h.s.counts[i]++
	h.s.sum += v
	h.s.count++
	h.s.mu.Unlock()
}

// WriteText writes every family in the text exposition format, families
// sorted by name and series by label values so output is deterministic.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })

	var b strings.Builder
	for _, f := range fams {
		f.write(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ServeHTTP serves the registry, for GET /metrics.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", ContentType)
	_ = r.WriteText(w)
}

func (f *family) write(b *strings.Builder) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.kind)
	if f.fn != nil {
		fmt.Fprintf(b, "%s %s\n", f.name, formatFloat(f.fn()))
		return
	}
	f.mu.RLock()
	all := make([]*series, 0, len(f.series))
	for _, s := range f.series {
		all = append(all, s)
	}
	f.mu.RUnlock()
	slices.SortFunc(all, func(a, b *series) int { return slices.Compare(a.values, b.values) })
	for _, s := range all {
		if f.kind != kindHistogram {
			fmt.Fprintf(b, "%s%s %s\n", f.name, labelString(f.labels, s.values, "", ""), formatFloat(math.Float64frombits(s.bits.Load())))
			continue
		}
		s.mu.Lock()
		counts, sum, count := slices.Clone(s.counts), s.sum, s.count
		s.mu.Unlock()
		var cum uint64
		for i, bound := range f.buckets {
			cum += counts[i]
			fmt.Fprintf(b, "%s_bucket%s %d\n", f.name, labelString(f.labels, s.values, "le", formatFloat(bound)), cum)
		}
		fmt.Fprintf(b, "%s_bucket%s %d\n", f.name, labelString(f.labels, s.values, "le", "+Inf"), count)
		fmt.Fprintf(b, "%s_sum%s %s\n", f.name, labelString(f.labels, s.values, "", ""), formatFloat(sum))
		fmt.Fprintf(b, "%s_count%s %d\n", f.name, labelString(f.labels, s.values, "", ""), count)
	}
}

// labelString renders {a="x",b="y"}, plus an extra pair (le for buckets)
// when extraName is set; "" when there are no labels.
func labelString(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `%s="%s"`, n, escapeLabel(values[i]))
	}
	if extraName != "" {
		if len(names) > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `%s="%s"`, extraName, escapeLabel(extraValue))
	}
	b.WriteByte('}')
	return b.String()
}

// The format escapes backslash and newline in HELP text, and additionally
// the double quote in label values.
var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func validLabelName(s string) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
