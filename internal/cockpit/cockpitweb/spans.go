package cockpitweb

import (
	"net/http"
	"time"

	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/web"
)

// Time controls (issue 12): the cockpit's figures over a quarter, a single
// month or the year to date, with year-on-year and month-on-month (环比)
// growth on the comparable basis, and two spans side by side. The engine
// derives them (stats.Engine.SpanFigures); this file serves them as an API
// and as a panel of the cockpit page.

// apiSpanValue is one indicator over one span.
type apiSpanValue struct {
	Period  string   `json:"period"`
	Value   *float64 `json:"value"`
	Derived bool     `json:"derived"`
	Unknown string   `json:"unknown,omitempty"`
	YoYPct  *float64 `json:"yoy_pct"`
	MoMPct  *float64 `json:"mom_pct"`
}

// apiSpanRow is one indicator over span a and, when asked, span b.
type apiSpanRow struct {
	Code   string        `json:"code"`
	NameZh string        `json:"name_zh"`
	NameEn string        `json:"name_en"`
	UnitZh string        `json:"unit_zh"`
	UnitEn string        `json:"unit_en"`
	A      apiSpanValue  `json:"a"`
	B      *apiSpanValue `json:"b,omitempty"`
}

type apiSpans struct {
	Span string       `json:"span"`
	Rows []apiSpanRow `json:"rows"`
}

func spanValue(f stats.SpanFigure) apiSpanValue {
	v := apiSpanValue{Period: f.Span.Period(), Derived: f.Derived, Unknown: f.Unknown, YoYPct: f.YoYPct, MoMPct: f.MoMPct}
	if f.Known {
		v.Value = web.Ptr(f.Value)
	}
	return v
}

// apiSpans is GET /api/v1/stats/spans?span=ytd|month|quarter&a=&b=: the
// level indicators over span a (and b) within the user's scope and the
// region/cluster filters.
func (m *module) apiSpans(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	basis := q.Get("span")
	if basis == "" {
		basis = string(stats.BasisYTD)
	}
	a, err := stats.ParseSpan(basis, q.Get("a"))
	if err != nil {
		return web.BadParam("a", "want span ytd|month|quarter and a period YYYY-MM (month 2–12) or YYYY-Qn")
	}
	var b *stats.Span
	if q.Get("b") != "" {
		s, err := stats.ParseSpan(basis, q.Get("b"))
		if err != nil {
			return web.BadParam("b", "want a period of the same span as a")
		}
		b = &s
	}
	f, err := statsFilter(q, c.Scope())
	if err != nil {
		return err
	}
	fa, err := m.svc.Stats().SpanFigures(r.Context(), c.Scope(), a, f)
	if err != nil {
		return err
	}
	var fb []stats.SpanFigure
	if b != nil {
		if fb, err = m.svc.Stats().SpanFigures(r.Context(), c.Scope(), *b, f); err != nil {
			return err
		}
	}
	out := apiSpans{Span: basis, Rows: []apiSpanRow{}}
	for i, fig := range fa {
		ind := fig.Indicator
		row := apiSpanRow{Code: ind.Code, NameZh: ind.NameZh, NameEn: ind.NameEn, UnitZh: ind.UnitZh, UnitEn: ind.UnitEn, A: spanValue(fig)}
		if b != nil && i < len(fb) {
			row.B = web.Ptr(spanValue(fb[i]))
		}
		out.Rows = append(out.Rows, row)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// spanPanel is the cockpit's time-control panel: two spans of one basis
// side by side.
type spanPanel struct {
	Basis        string
	Bases        []web.Option
	AOpts, BOpts []web.Option
	ALabel       string
	BLabel       string
	Rows         []spanRow
	Year, Month  int // the page's period, kept when the panel's form is sent
}

type spanRow struct {
	Name, Unit string
	A, B       spanCell
}

type spanCell struct {
	Value, YoY, MoM string
	YoYClass        string
	Derived         bool
	Unknown         string // why there is no value, in words
}

// spanLabel names a span: 2024年1–6月, 2024年6月, 2024年第2季度.
func (m *module) spanLabel(lang string, s stats.Span) string {
	switch s.Basis {
	case stats.BasisMonth:
		if s.Month == 2 { // reported together with January
			return periodLabel(lang, report.Period{Year: s.Year, Month: 2})
		}
		return m.core.T(lang, "span.month_label", s.Year, s.Month, time.Month(s.Month).String()[:3])
	case stats.BasisQuarter:
		return m.core.T(lang, "span.quarter_label", s.Quarter, s.Year)
	}
	return periodLabel(lang, report.Period{Year: s.Year, Month: s.Month})
}

// spanChoices lists the spans of a basis with data, latest first.
func spanChoices(basis stats.Basis, years []int, latest report.Period) []stats.Span {
	var out []stats.Span
	for i := len(years) - 1; i >= 0; i-- {
		y := years[i]
		last := 12
		if y == latest.Year {
			last = latest.Month
		}
		if y > latest.Year {
			continue
		}
		if basis == stats.BasisQuarter {
			for q := last / 3; q >= 1; q-- {
				out = append(out, stats.Span{Year: y, Basis: basis, Quarter: q})
			}
			continue
		}
		for mo := last; mo >= 2; mo-- {
			out = append(out, stats.Span{Year: y, Basis: basis, Month: mo})
		}
	}
	return out
}

// spanAt is the span of a basis that ends at (or, for a quarter, covers
// the last complete quarter up to) period p.
func spanAt(basis stats.Basis, p report.Period) stats.Span {
	if basis == stats.BasisQuarter {
		return stats.Span{Year: p.Year, Basis: basis, Quarter: max(1, p.Month/3)}
	}
	return stats.Span{Year: p.Year, Basis: basis, Month: p.Month}
}

// spanPanel builds the panel from ?span=&span_a=&span_b= (not "basis":
// that names the published/revised figures); by default span
// a ends at the page's period and span b is the same span a year earlier.
func (m *module) spanPanel(r *http.Request, c web.Ctx, p report.Period, latest report.Period, years []int, f stats.Filter) (*spanPanel, error) {
	lang := c.Lang
	q := r.URL.Query()
	basis := stats.Basis(q.Get("span"))
	if basis != stats.BasisMonth && basis != stats.BasisQuarter {
		basis = stats.BasisYTD
	}
	a, err := stats.ParseSpan(string(basis), q.Get("span_a"))
	if err != nil {
		a = spanAt(basis, p)
	}
	b, err := stats.ParseSpan(string(basis), q.Get("span_b"))
	if err != nil {
		b = a
		b.Year--
	}
	sp := &spanPanel{Basis: string(basis), Year: p.Year, Month: p.Month, ALabel: m.spanLabel(lang, a), BLabel: m.spanLabel(lang, b)}
	for _, bs := range []stats.Basis{stats.BasisYTD, stats.BasisMonth, stats.BasisQuarter} {
		sp.Bases = append(sp.Bases, web.Option{Value: string(bs), Label: m.core.T(lang, "span.basis."+string(bs)), Selected: bs == basis})
	}
	choices := spanChoices(basis, years, latest)
	opts := func(sel stats.Span) []web.Option {
		var out []web.Option
		found := false
		for _, s := range choices {
			out = append(out, web.Option{Value: s.Period(), Label: m.spanLabel(lang, s), Selected: s == sel})
			found = found || s == sel
		}
		if !found { // a span without data stays chosen; its figures say so
			out = append([]web.Option{{Value: sel.Period(), Label: m.spanLabel(lang, sel), Selected: true}}, out...)
		}
		return out
	}
	sp.AOpts, sp.BOpts = opts(a), opts(b)
	fa, err := m.svc.Stats().SpanFigures(r.Context(), c.Scope(), a, f)
	if err != nil {
		return nil, err
	}
	fb, err := m.svc.Stats().SpanFigures(r.Context(), c.Scope(), b, f)
	if err != nil {
		return nil, err
	}
	for i, fig := range fa {
		row := spanRow{Name: web.PickLang(lang, fig.Indicator.NameZh, fig.Indicator.NameEn), Unit: web.PickLang(lang, fig.Indicator.UnitZh, fig.Indicator.UnitEn),
			A: m.spanCell(lang, fig)}
		if i < len(fb) {
			row.B = m.spanCell(lang, fb[i])
		}
		sp.Rows = append(sp.Rows, row)
	}
	return sp, nil
}

func (m *module) spanCell(lang string, f stats.SpanFigure) spanCell {
	c := spanCell{Value: "–", YoY: "–", MoM: "–", Derived: f.Derived && f.Known}
	if !f.Known {
		c.Unknown = m.core.T(lang, "span.unknown."+f.Unknown)
		return c
	}
	c.Value = web.FormatNumber(f.Value, shownDigits(f.Value, 1))
	if f.YoYPct != nil {
		c.YoY = web.FormatSigned(*f.YoYPct, 1) + "%"
		switch {
		case *f.YoYPct > 0.05:
			c.YoYClass = "up"
		case *f.YoYPct < -0.05:
			c.YoYClass = "down"
		}
	}
	if f.MoMPct != nil {
		c.MoM = web.FormatSigned(*f.MoMPct, 1) + "%"
	}
	return c
}

// trendTarget is the target a trend chart draws, for the filter's scope.
func (m *module) trendTarget(r *http.Request, code string, year int, f stats.Filter) (*apiTrendTarget, error) {
	t, ok, err := m.svc.Stats().TargetFor(r.Context(), year, code, f)
	if err != nil || !ok {
		return nil, err
	}
	ind, ok := m.svc.Stats().Catalogue().ByCode(code)
	if !ok {
		return nil, nil
	}
	kind := "level"
	if stats.KindOf(ind) == target.Rate {
		kind = "rate"
	}
	return &apiTrendTarget{Comparator: string(t.Comparator), Value: t.Value, Kind: kind, Source: t.Source}, nil
}
