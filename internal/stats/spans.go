package stats

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Time controls (issue 12): besides the year-to-date view the reports are
// collected in (1–N月累计), a single month and a quarter. Both are derived
// from cumulative sums the way report.SingleMonth derives one firm's
// month: cum(to) − cum(from), and only over a stable set of reporting
// firms (domain.md §7: growth rates are never subtracted, and a
// difference of two sums over different firms is not a month's value).

// Basis says which span of a year a figure covers.
type Basis string

// Bases.
const (
	BasisYTD     Basis = "ytd"     // 1–N月, as reported
	BasisMonth   Basis = "month"   // one month (1–2月 together, as reported)
	BasisQuarter Basis = "quarter" // a calendar quarter, the sum of its months
)

// Span is a span of a reporting year: year to date through Month, the
// single Month, or Quarter 1–4.
type Span struct {
	Year    int
	Basis   Basis
	Month   int // BasisYTD, BasisMonth: 2..12
	Quarter int // BasisQuarter: 1..4
}

// ParseSpan reads a basis and a period: "2024-06" for year to date and a
// single month, "2024-Q2" for a quarter.
func ParseSpan(basis, period string) (Span, error) {
	s := Span{Basis: Basis(basis)}
	bad := apperr.New(apperr.Invalid, "err.bad_span", basis, period)
	switch s.Basis {
	case BasisYTD, BasisMonth:
		p, err := report.ParsePeriod(period)
		if err != nil {
			return Span{}, bad
		}
		s.Year, s.Month = p.Year, p.Month
	case BasisQuarter:
		y, q, ok := strings.Cut(strings.ToUpper(period), "-Q")
		year, err1 := strconv.Atoi(y)
		n, err2 := strconv.Atoi(q)
		if !ok || err1 != nil || err2 != nil {
			return Span{}, bad
		}
		s.Year, s.Quarter = year, n
	default:
		return Span{}, bad
	}
	if err := s.Validate(); err != nil {
		return Span{}, bad
	}
	return s, nil
}

// Validate checks the span's fields for its basis.
func (s Span) Validate() error {
	if s.Year < 2000 || s.Year > 2100 {
		return fmt.Errorf("stats: span year %d", s.Year)
	}
	switch s.Basis {
	case BasisYTD, BasisMonth:
		if s.Month < 2 || s.Month > 12 {
			return fmt.Errorf("stats: span month %d (January is reported with February, month 2)", s.Month)
		}
	case BasisQuarter:
		if s.Quarter < 1 || s.Quarter > 4 {
			return fmt.Errorf("stats: quarter %d", s.Quarter)
		}
	default:
		return fmt.Errorf("stats: basis %q", s.Basis)
	}
	return nil
}

// Period is the span's code: "2024-06" or "2024-Q2".
func (s Span) Period() string {
	if s.Basis == BasisQuarter {
		return fmt.Sprintf("%04d-Q%d", s.Year, s.Quarter)
	}
	return report.Period{Year: s.Year, Month: s.Month}.String()
}

// bounds are the cumulative months the span is the difference of:
// cum(to) − cum(from), where from 0 means cum(to) as reported.
func (s Span) bounds() (from, to int) {
	switch s.Basis {
	case BasisMonth:
		if s.Month == 2 {
			return 0, 2 // 1–2月 are reported together
		}
		return s.Month - 1, s.Month
	case BasisQuarter:
		return 3 * (s.Quarter - 1), 3 * s.Quarter
	}
	return 0, s.Month
}

// Prev is the span a month-on-month (环比) change compares with: the
// previous month or quarter of the same year, on the same year's set of
// firms. There is none for year-to-date figures, for the first quarter
// (the fourth quarter before it belongs to another year's set), for 1–2月
// and for March (its predecessor, 1–2月, covers two months).
func (s Span) Prev() (Span, bool) {
	switch {
	case s.Basis == BasisMonth && s.Month >= 4:
		return Span{Year: s.Year, Basis: BasisMonth, Month: s.Month - 1}, true
	case s.Basis == BasisQuarter && s.Quarter >= 2:
		return Span{Year: s.Year, Basis: BasisQuarter, Quarter: s.Quarter - 1}, true
	}
	return Span{}, false
}

// SpanCodes are the level indicators the time controls cover: values that
// add up over months. Rates and shares are not derived for a month.
var SpanCodes = []string{"IND_OUTPUT", "IND_REVENUE", "IND_PROFIT"}

// spanFields maps the level measures to the reported field they sum.
var spanFields = map[string]report.Field{
	"output": report.Output, "revenue": report.Revenue, "profit": report.Profit, "value_added": report.ValueAdded,
}

// Why a span value is unknown.
const (
	SpanMissing  = "missing"  // no reports for a month the span needs
	SpanUnstable = "unstable" // the firms reporting differ between the two months
)

// SpanFigure is one level indicator over a span.
type SpanFigure struct {
	Indicator indicator.Indicator
	Span      Span
	Value     float64 // 亿元
	Known     bool
	// Derived says the value is a difference of two cumulative sums, not
	// a reported figure.
	Derived bool
	// Unknown says why the value is not known (SpanMissing, SpanUnstable).
	Unknown string
	// YoYPct is growth over the same span a year earlier for the same
	// firms (comparable basis); MoMPct over Span.Prev for the same firms
	// (环比). Nil where there is no comparable base.
	YoYPct *float64
	MoMPct *float64
}

// spanSums is a level over a span with its comparable base a year earlier.
type spanSums struct {
	cur, base     report.Values
	known, baseOK bool
	derived       bool
	unknown       string
}

// monthSums reads a year's sums month by month.
func (e *Engine) monthSums(ctx context.Context, sc auth.Scope, year int, f Filter) (map[int]Sums, error) {
	rows, err := e.src.Aggregate(ctx, sc, Query{Year: year, GroupBy: []Dim{ByMonth}, Filter: f})
	if err != nil {
		return nil, err
	}
	out := map[int]Sums{}
	for _, r := range rows {
		s := out[r.Key.Month]
		s.Add(r.Sums)
		out[r.Key.Month] = s
	}
	return out, nil
}

// spanOf derives a span's sums from a year's monthly cumulative sums.
func spanOf(months map[int]Sums, s Span) spanSums {
	from, to := s.bounds()
	hi, ok := months[to]
	if !ok || hi.N == 0 {
		return spanSums{unknown: SpanMissing}
	}
	if from == 0 {
		return spanSums{cur: hi.Cur, base: hi.Base, known: true, baseOK: hi.NBase > 0}
	}
	lo, ok := months[from]
	if !ok || lo.N == 0 {
		return spanSums{unknown: SpanMissing, derived: true}
	}
	if lo.N != hi.N {
		// A firm that reported one month and not the other would put its
		// whole year to date into (or out of) the difference.
		return spanSums{unknown: SpanUnstable, derived: true}
	}
	out := spanSums{known: true, derived: true, baseOK: hi.NBase > 0 && hi.NBase == lo.NBase}
	for i := range out.cur {
		out.cur[i] = hi.Cur[i] - lo.Cur[i]
		out.base[i] = hi.Base[i] - lo.Base[i]
	}
	return out
}

// SpanFigures computes SpanCodes over a span for a scope and filter.
func (e *Engine) SpanFigures(ctx context.Context, sc auth.Scope, s Span, f Filter) ([]SpanFigure, error) {
	if err := s.Validate(); err != nil {
		return nil, apperr.New(apperr.Invalid, "err.bad_span", string(s.Basis), s.Period())
	}
	months, err := e.monthSums(ctx, sc, s.Year, f)
	if err != nil {
		return nil, err
	}
	cur := spanOf(months, s)
	var prev spanSums
	ps, hasPrev := s.Prev()
	if hasPrev {
		prev = spanOf(months, ps)
	}
	out := make([]SpanFigure, 0, len(SpanCodes))
	for _, code := range SpanCodes {
		ind, ok := e.cat.ByCode(code)
		if !ok {
			continue
		}
		field, ok := spanFields[ind.Measure]
		if !ok {
			return nil, fmt.Errorf("stats: span indicator %s has measure %q, not a level", code, ind.Measure)
		}
		fig := SpanFigure{Indicator: ind, Span: s, Known: cur.known, Derived: cur.derived, Unknown: cur.unknown}
		if cur.known {
			fig.Value = float64(cur.cur[field]) / float64(unit.Yi)
			if cur.baseOK {
				if g, ok := GrowthPct(cur.cur[field], cur.base[field]); ok {
					fig.YoYPct = &g
				}
			}
			if hasPrev && prev.known {
				if g, ok := GrowthPct(cur.cur[field], prev.cur[field]); ok {
					fig.MoMPct = &g
				}
			}
		}
		out = append(out, fig)
	}
	return out, nil
}

// TargetFor is the target set for an indicator in year for the filter's
// scope (the city, a district or a cluster), as the KPI cards judge it;
// ok is false without one. Trend charts draw it as a line.
func (e *Engine) TargetFor(ctx context.Context, year int, code string, f Filter) (target.Target, bool, error) {
	ts, err := e.targetsFor(ctx, year, f)
	if err != nil {
		return target.Target{}, false, err
	}
	t, ok := ts[code]
	return t, ok, nil
}
