package stats

import (
	"context"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/target"
)

func (f *fakeSource) CountTitlesHeld(_ context.Context, _ auth.Scope, kind enterprise.TitleKind, day string) (int, error) {
	return f.held[string(kind)+"@"+day], nil
}

func TestPeriodEnd(t *testing.T) {
	for p, want := range map[report.Period]string{{Year: 2024, Month: 2}: "2024-02-29", {Year: 2023, Month: 2}: "2023-02-28", {Year: 2024, Month: 12}: "2024-12-31", {Year: 2024, Month: 6}: "2024-06-30"} {
		if got := PeriodEnd(p); got != want {
			t.Errorf("PeriodEnd(%v) = %s, want %s", p, got, want)
		}
	}
}

// A stock of titles is counted on the last day of the period's month, and
// judged against a target as a level that is its own year-end estimate.
func TestTitleStock(t *testing.T) {
	c, err := indicator.Parse(mustJSON(t, indicator.Catalogue{Indicators: []indicator.Indicator{
		{Code: "UNICORN_COUNT", Measure: "titles_held_unicorn", Aggregation: "count", Kind: "point", HigherIsBetter: true},
		{Code: "GAZELLE_COUNT", Measure: "titles_held_gazelle", Aggregation: "count", Kind: "point", HigherIsBetter: true},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	p := report.Period{Year: 2024, Month: 6}
	src := &fakeSource{rows: map[report.Period][]Row{p: {row("C", false, false, nil, nil)}}, latest: p,
		held:    map[string]int{"unicorn@2024-06-30": 9, "gazelle@2024-06-30": 210, "unicorn@2024-12-31": 99},
		targets: []target.Target{{IndicatorCode: "UNICORN_COUNT", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 10}}}
	e := NewEngine(src, c)
	figs, err := e.figures(context.Background(), auth.All(), []string{"UNICORN_COUNT", "GAZELLE_COUNT"}, p, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	approx(t, "unicorns", figs[0].Value, 9)
	approx(t, "gazelles", figs[1].Value, 210)
	// 9 of 10 in June: a level scaled by 12/6 would claim 18 and "on track";
	// a stock stays at 9 and is behind.
	if pr := figs[0].Progress; pr == nil || pr.Projection != 9 || pr.Status != target.StatusBehind {
		t.Fatalf("progress %+v", pr)
	}
}
