// Package stats is the statistics engine: it turns summed enterprise reports
// into the figures officials read — levels, growth on a comparable basis,
// real growth through a deflator, shares and ratios — following NBS
// conventions (domain.md §7). It reads sums through Source and never touches
// a database itself.
package stats

import (
	"context"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/target"
)

// Dim is a dimension to group sums by.
type Dim string

// Dimensions.
const (
	ByMonth       Dim = "month"
	ByRegion      Dim = "region"
	ByCluster     Dim = "cluster"
	ByTier        Dim = "tier"
	BySection     Dim = "section"
	BySEI         Dim = "sei"
	BySpecialized Dim = "specialized"
)

// Filter restricts the summed set. Empty strings and nil pointers mean any.
type Filter struct {
	Region      string
	Cluster     string
	Tier        string
	Section     string // "B", "C" (manufacturing) or "D"
	SEI         *bool  // strategic emerging industries
	Specialized *bool  // holds a 专精特新 or 小巨人 title at year end
}

// Query asks for sums of one year's above-scale set.
type Query struct {
	Year    int
	Month   int // cumulative through this month; 0 = every month (group by month)
	GroupBy []Dim
	Filter  Filter
}

// Key identifies a group; only the grouped dimensions are set.
type Key struct {
	Month       int
	Region      string
	Cluster     string
	Tier        string
	Section     string
	SEI         bool
	Specialized bool
}

// Sums are cumulative sums for one group: Cur for the year's above-scale
// set, Base for the same enterprises a year earlier.
type Sums struct {
	N, NBase int64
	Cur      report.Values
	Base     report.Values
}

// Add accumulates o into s.
func (s *Sums) Add(o Sums) {
	s.N += o.N
	s.NBase += o.NBase
	for i := range s.Cur {
		s.Cur[i] += o.Cur[i]
		s.Base[i] += o.Base[i]
	}
}

// Row is one group of sums.
type Row struct {
	Key  Key
	Sums Sums
}

// Source supplies sums and the other inputs of the measures. The SQL store
// implements it; scope is enforced there.
type Source interface {
	Aggregate(ctx context.Context, sc auth.Scope, q Query) ([]Row, error)
	// Deflator returns a price index (same period a year earlier = 100) ×
	// 10^4 for the series at year and month, falling back to the annual
	// value (month 0).
	Deflator(ctx context.Context, series string, year, month int) (int64, bool, error)
	CountTitlesGranted(ctx context.Context, sc auth.Scope, kind enterprise.TitleKind, year int) (int, error)
	// CountTitlesHeld counts enterprises in scope holding a valid title of
	// kind on day (YYYY-MM-DD): the stock behind "number of unicorns".
	CountTitlesHeld(ctx context.Context, sc auth.Scope, kind enterprise.TitleKind, day string) (int, error)
	IndicatorValue(ctx context.Context, code, scopeKind, scopeCode string, year, month int) (int64, bool, error)
	Targets(ctx context.Context, year int) ([]target.Target, error)
	LatestPeriod(ctx context.Context) (report.Period, error)
}

// GrowthPct returns (cur/base − 1) × 100, or ok=false when base is zero.
// Callers pass comparable-basis sums: this year's set, and the same set a
// year earlier. Growth is never recomputed from two published totals.
func GrowthPct(cur, base int64) (float64, bool) {
	if base == 0 {
		return 0, false
	}
	return (float64(cur)/float64(base) - 1) * 100, true
}

// RealGrowthPct returns growth at comparable prices: the current-price value
// is deflated by a price index (previous year = 100, given × 10^4) before
// comparing with the base.
func RealGrowthPct(cur, base, indexE4 int64) (float64, bool) {
	if base == 0 || indexE4 <= 0 {
		return 0, false
	}
	real := float64(cur) / (float64(indexE4) / 1e6)
	return (real/float64(base) - 1) * 100, true
}

// SharePct returns part/whole × 100, or ok=false when whole is zero.
func SharePct(part, whole int64) (float64, bool) {
	if whole == 0 {
		return 0, false
	}
	return float64(part) / float64(whole) * 100, true
}
