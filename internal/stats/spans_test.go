package stats

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

// recordSource sums per-firm cumulative reports the way the SQL summaries
// do: the year's reporting firms, each with its own report of the same
// month a year earlier as the base.
type recordSource struct {
	fakeSource
	reports []report.Monthly
}

func (s *recordSource) Aggregate(_ context.Context, _ auth.Scope, q Query) ([]Row, error) {
	base := map[[3]int64]report.Values{}
	for _, r := range s.reports {
		base[[3]int64{r.EnterpriseID, int64(r.Period.Year), int64(r.Period.Month)}] = r.Values
	}
	byMonth := map[int]*Sums{}
	for _, r := range s.reports {
		if r.Period.Year != q.Year || (q.Month != 0 && r.Period.Month != q.Month) {
			continue
		}
		sm := byMonth[r.Period.Month]
		if sm == nil {
			sm = &Sums{}
			byMonth[r.Period.Month] = sm
		}
		sm.N++
		b, ok := base[[3]int64{r.EnterpriseID, int64(q.Year - 1), int64(r.Period.Month)}]
		if ok {
			sm.NBase++
		}
		for i := range sm.Cur {
			sm.Cur[i] += r.Values[i]
			sm.Base[i] += b[i]
		}
	}
	var out []Row
	for m, sm := range byMonth {
		out = append(out, Row{Key: Key{Month: m}, Sums: *sm})
	}
	return out, nil
}

// spanRecords are three firms' output reports for 2023 and 2024 with
// irregular monthly values; firm 3 has no report for 2024-08.
func spanRecords() []report.Monthly {
	r := rand.New(rand.NewPCG(12, 2024))
	var out []report.Monthly
	for id := int64(1); id <= 3; id++ {
		for _, y := range []int{2023, 2024} {
			var cum int64
			for m := 2; m <= 12; m++ {
				cum += int64(r.IntN(900)+100) * int64(unit.Wan) * 100 // a month's output, 1–10 亿元
				if id == 3 && y == 2024 && m == 8 {
					continue
				}
				var v report.Values
				v[report.Output] = cum
				v[report.Revenue] = cum / 10 * 11
				out = append(out, report.Monthly{EnterpriseID: id, Period: report.Period{Year: y, Month: m}, Values: v})
			}
		}
	}
	return out
}

// singles sums the firms' single months (report.SingleMonth, the
// platform's derived-month rule) by year and month, with the number of
// firms whose single month is known.
func singles(reps []report.Monthly, f report.Field) (sum map[[2]int]int64, known map[[2]int]int) {
	byFirm := map[[2]int64][]report.Monthly{}
	for _, r := range reps {
		k := [2]int64{r.EnterpriseID, int64(r.Period.Year)}
		byFirm[k] = append(byFirm[k], r)
	}
	sum, known = map[[2]int]int64{}, map[[2]int]int{}
	for _, rs := range byFirm {
		for _, s := range report.SingleMonth(rs, f) {
			if s.Known {
				k := [2]int{s.Period.Year, s.Period.Month}
				sum[k] += s.Value
				known[k]++
			}
		}
	}
	return sum, known
}

func TestSpanFiguresFromRecords(t *testing.T) {
	reps := spanRecords()
	cat, err := indicator.Parse(mustJSON(t, indicator.Catalogue{Indicators: []indicator.Indicator{
		{Code: "IND_OUTPUT", Measure: "output", Aggregation: "sum", HigherIsBetter: true},
		{Code: "IND_REVENUE", Measure: "revenue", Aggregation: "sum", HigherIsBetter: true},
		{Code: "IND_PROFIT", Measure: "profit", Aggregation: "sum", HigherIsBetter: true},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(&recordSource{reports: reps}, cat)
	ctx := context.Background()
	single, known := singles(reps, report.Output)
	yi := float64(unit.Yi)
	get := func(s Span) SpanFigure {
		t.Helper()
		figs, err := e.SpanFigures(ctx, auth.All(), s, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(figs) != 3 || figs[0].Indicator.Code != "IND_OUTPUT" {
			t.Fatalf("%+v: figures %+v", s, figs)
		}
		return figs[0]
	}
	near := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	pct := func(a, b int64) float64 { return (float64(a)/float64(b) - 1) * 100 }

	// A single month: the sum of the firms' derived months, growth on the
	// same firms a year earlier and over the month before.
	june := get(Span{Year: 2024, Basis: BasisMonth, Month: 6})
	if !june.Known || !june.Derived || known[[2]int{2024, 6}] != 3 {
		t.Fatalf("June 2024: %+v", june)
	}
	near("June value", &june.Value, float64(single[[2]int{2024, 6}])/yi)
	near("June YoY", june.YoYPct, pct(single[[2]int{2024, 6}], single[[2]int{2023, 6}]))
	near("June MoM", june.MoMPct, pct(single[[2]int{2024, 6}], single[[2]int{2024, 5}]))

	// 1–2月 is reported, not derived, and has no month-on-month change.
	feb := get(Span{Year: 2024, Basis: BasisMonth, Month: 2})
	near("Jan–Feb value", &feb.Value, float64(single[[2]int{2024, 2}])/yi)
	if feb.Derived || feb.MoMPct != nil {
		t.Errorf("Jan–Feb: %+v", feb)
	}
	// March against 1–2月 would compare one month with two.
	if mar := get(Span{Year: 2024, Basis: BasisMonth, Month: 3}); mar.MoMPct != nil {
		t.Errorf("March MoM = %v, want none", *mar.MoMPct)
	}

	// A quarter is the sum of its months.
	q2 := get(Span{Year: 2024, Basis: BasisQuarter, Quarter: 2})
	var q2sum, q2base, q1sum int64
	for m := 4; m <= 6; m++ {
		q2sum += single[[2]int{2024, m}]
		q2base += single[[2]int{2023, m}]
	}
	for m := 2; m <= 3; m++ {
		q1sum += single[[2]int{2024, m}]
	}
	near("Q2 value", &q2.Value, float64(q2sum)/yi)
	near("Q2 YoY", q2.YoYPct, pct(q2sum, q2base))
	near("Q2 QoQ", q2.MoMPct, pct(q2sum, q1sum))
	q1 := get(Span{Year: 2024, Basis: BasisQuarter, Quarter: 1})
	near("Q1 value", &q1.Value, float64(q1sum)/yi)
	if q1.MoMPct != nil {
		t.Errorf("Q1 QoQ = %v: the quarter before belongs to another year's set", *q1.MoMPct)
	}

	// Year to date is the reported cumulative sum.
	ytd := get(Span{Year: 2024, Basis: BasisYTD, Month: 6})
	var ytdSum int64
	for m := 2; m <= 6; m++ {
		ytdSum += single[[2]int{2024, m}]
	}
	near("Jan–Jun value", &ytd.Value, float64(ytdSum)/yi)

	// Firm 3 did not report August: August and September cannot be derived
	// for the set, nor the third quarter; neither can a month without data.
	for _, s := range []Span{{Year: 2024, Basis: BasisMonth, Month: 8}, {Year: 2024, Basis: BasisMonth, Month: 9}} {
		if f := get(s); f.Known || f.Unknown != SpanUnstable {
			t.Errorf("%+v with a firm's report missing: %+v", s, f)
		}
	}
	if known[[2]int{2024, 9}] != 2 {
		t.Fatalf("the record rule itself: %d firms with a known September", known[[2]int{2024, 9}])
	}
	// The third quarter still is: every firm reported June and September,
	// and the quarter is what each added between them.
	var q3 int64
	for _, r := range reps {
		if r.Period.Year == 2024 && r.Period.Month == 9 {
			q3 += r.Values[report.Output]
		}
		if r.Period.Year == 2024 && r.Period.Month == 6 {
			q3 -= r.Values[report.Output]
		}
	}
	if f := get(Span{Year: 2024, Basis: BasisQuarter, Quarter: 3}); !f.Known {
		t.Errorf("Q3 2024: %+v", f)
	} else {
		near("Q3 value", &f.Value, float64(q3)/yi)
	}
	if f := get(Span{Year: 2025, Basis: BasisMonth, Month: 4}); f.Known || f.Unknown != SpanMissing {
		t.Errorf("a month without reports: %+v", f)
	}

	// Revenue follows the same rule.
	rsingle, _ := singles(reps, report.Revenue)
	figs, err := e.SpanFigures(ctx, auth.All(), Span{Year: 2024, Basis: BasisMonth, Month: 11}, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	near("November revenue", &figs[1].Value, float64(rsingle[[2]int{2024, 11}])/yi)
}

func TestParseSpan(t *testing.T) {
	for _, c := range []struct {
		basis, period string
		want          Span
		ok            bool
	}{
		{"ytd", "2024-06", Span{Year: 2024, Basis: BasisYTD, Month: 6}, true},
		{"month", "2024-02", Span{Year: 2024, Basis: BasisMonth, Month: 2}, true},
		{"quarter", "2024-Q3", Span{Year: 2024, Basis: BasisQuarter, Quarter: 3}, true},
		{"quarter", "2024-q1", Span{Year: 2024, Basis: BasisQuarter, Quarter: 1}, true},
		{"quarter", "2024-Q5", Span{}, false},
		{"quarter", "2024-06", Span{}, false},
		{"month", "2024-01", Span{}, false},
		{"week", "2024-06", Span{}, false},
		{"ytd", "", Span{}, false},
	} {
		got, err := ParseSpan(c.basis, c.period)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSpan(%q, %q) = %+v, %v", c.basis, c.period, got, err)
		}
		if c.ok && got.Period() != map[bool]string{true: "2024-Q" + c.period[6:], false: c.period}[c.basis == "quarter"] {
			t.Errorf("%+v.Period() = %q", got, got.Period())
		}
	}
}
