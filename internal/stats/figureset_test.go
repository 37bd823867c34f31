package stats

import (
	"context"
	"slices"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
)

// regionSource embeds fakeSource and serves rows per region, honouring the
// region filter, the region scope and grouping by region; it counts its
// aggregate queries.
type regionSource struct {
	fakeSource
	period  report.Period
	regions map[string][]Row
	granted map[string]int // region → specialized titles granted in the period's year
	held    map[string]int // region → gazelles held
	queries int
}

func (s *regionSource) inScope(sc auth.Scope, region string) bool {
	return sc.IsAll() || sc.RegionCode == region
}

func (s *regionSource) CountTitlesGranted(_ context.Context, sc auth.Scope, kind enterprise.TitleKind, year int) (int, error) {
	s.queries++
	n := 0
	for region, k := range s.granted {
		if kind == enterprise.TitleSpecialized && year == s.period.Year && s.inScope(sc, region) {
			n += k
		}
	}
	return n, nil
}

func (s *regionSource) CountTitlesHeld(_ context.Context, sc auth.Scope, kind enterprise.TitleKind, _ string) (int, error) {
	s.queries++
	n := 0
	for region, k := range s.held {
		if kind == enterprise.TitleGazelle && s.inScope(sc, region) {
			n += k
		}
	}
	return n, nil
}

func (s *regionSource) TitlesGrantedByRegion(_ context.Context, sc auth.Scope, kinds []enterprise.TitleKind, from, to string) (map[enterprise.TitleKind]map[string]int, error) {
	s.queries++
	out := map[enterprise.TitleKind]map[string]int{}
	for _, kind := range kinds {
		out[kind] = map[string]int{}
		for region, k := range s.granted {
			if kind == enterprise.TitleSpecialized && from == "2024-01-01" && to == "2024-12-31" && s.inScope(sc, region) {
				out[kind][region] = k
			}
		}
	}
	return out, nil
}

func (s *regionSource) TitlesHeldByRegion(_ context.Context, sc auth.Scope, kinds []enterprise.TitleKind, _ string) (map[enterprise.TitleKind]map[string]int, error) {
	s.queries++
	out := map[enterprise.TitleKind]map[string]int{}
	for _, kind := range kinds {
		out[kind] = map[string]int{}
		for region, k := range s.held {
			if kind == enterprise.TitleGazelle && s.inScope(sc, region) {
				out[kind][region] = k
			}
		}
	}
	return out, nil
}

func (s *regionSource) Aggregate(_ context.Context, sc auth.Scope, q Query) ([]Row, error) {
	s.queries++
	if q.Year != s.period.Year || q.Month != s.period.Month {
		return nil, nil
	}
	byRegion := slices.Contains(q.GroupBy, ByRegion)
	var out []Row
	for region, rows := range s.regions {
		if (q.Filter.Region != "" && region != q.Filter.Region) || (sc.RegionCode != "" && region != sc.RegionCode) {
			continue
		}
		for _, r := range rows {
			if byRegion {
				r.Key.Region = region
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func TestFigureSetMatchesFigure(t *testing.T) {
	p := report.Period{Year: 2024, Month: 6}
	cur := func(out, va, rd, rev, inv int64) map[report.Field]int64 {
		return map[report.Field]int64{report.Output: out, report.ValueAdded: va, report.RDExpense: rd, report.Revenue: rev, report.Investment: inv}
	}
	src := &regionSource{period: p, regions: map[string][]Row{
		"500101": {
			row("C", true, false, cur(1000, 300, 20, 900, 50), cur(900, 280, 15, 850, 40)),
			row("C", false, true, cur(500, 100, 30, 480, 10), cur(450, 90, 25, 430, 12)),
			row("D", false, false, cur(200, 60, 1, 190, 5), cur(210, 62, 1, 200, 6)),
		},
		"500102": {
			row("C", false, false, cur(700, 210, 7, 650, 30), cur(600, 200, 6, 600, 20)),
			row("B", true, true, cur(90, 30, 4, 88, 3), cur(80, 25, 3, 75, 2)),
		},
	}}
	src.fakeSource.deflator = map[int]int64{2024: 1_010_000}
	src.granted = map[string]int{"500101": 7, "500102": 3}
	src.held = map[string]int{"500101": 2, "500102": 5}
	e := NewEngine(src, testCatalogue(t))
	ctx := context.Background()
	codes := []string{"IND_OUTPUT", "IND_VA_GROWTH", "MFG_INVEST_GROWTH", "SEI_VA_SHARE", "ZJTX_RD_INTENSITY", "RD_INTENSITY", "NEW_SPECIALIZED"}
	filters := []Filter{{}, {Region: "500101"}, {Region: "500102"}, {Region: "500199"}}

	// want is the number of queries the set runs after PrefetchRegions:
	// the regions' sums in one grouped read (when the first region figure
	// needs sums), one snapshot for each filter whose region that read did
	// not return (the city, a region without reports, regions outside the
	// scope), and the title counts: for a city-wide set one grouped count
	// (the city's is the districts' sum); for a district's set the city
	// row's count in its scope and one grouped count.
	for _, c := range []struct {
		sc   auth.Scope
		want int
	}{{auth.All(), 4}, {auth.Region("500102"), 5}} {
		sc := c.sc
		fs := e.NewFigureSet(sc, p)
		if err := fs.PrefetchRegions(ctx); err != nil {
			t.Fatal(err)
		}
		before := src.queries
		for _, f := range filters {
			for _, code := range codes {
				got, err := fs.Figure(ctx, code, f)
				if err != nil {
					t.Fatal(err)
				}
				want, err := e.Figure(ctx, sc, code, p, f)
				if err != nil {
					t.Fatal(err)
				}
				if got.Known != want.Known || got.Value != want.Value || (got.YoYPct == nil) != (want.YoYPct == nil) ||
					(got.YoYPct != nil && *got.YoYPct != *want.YoYPct) {
					t.Errorf("scope %v, filter %+v, %s: set gives %v (known %v), Figure gives %v (known %v)", sc, f, code, got.Value, got.Known, want.Value, want.Known)
				}
			}
		}
		// Engine.Figure runs one query per call, two for title counts.
		perFigure := len(filters) * (len(codes) + 1)
		if setQueries := src.queries - before - perFigure; setQueries != c.want {
			t.Errorf("scope %v: the figure set ran %d queries after prefetching, want %d", sc, setQueries, c.want)
		}
		// Stocks held, by region, through the set's source.
		ss := setSource{src, fs}
		for _, region := range []string{"500101", "500102", "500199"} {
			rsc := scopeWithRegion(sc, Filter{Region: region})
			got, err := ss.CountTitlesHeld(ctx, rsc, enterprise.TitleGazelle, "2024-06-30")
			if err != nil {
				t.Fatal(err)
			}
			want, _ := src.CountTitlesHeld(ctx, rsc, enterprise.TitleGazelle, "2024-06-30")
			if got != want {
				t.Errorf("scope %v, region %s: %d gazelles held through the set, %d directly", sc, region, got, want)
			}
		}
	}
}

// A table whose figures all count titles reads no sums: the set runs the
// city's count and one grouped count for the regions, and the figures
// equal Engine.Figure's.
func TestFigureSetCountsWithoutSums(t *testing.T) {
	p := report.Period{Year: 2024, Month: 6}
	src := &regionSource{period: p, regions: map[string][]Row{"500101": {row("C", false, true, nil, nil)}}}
	src.granted = map[string]int{"500101": 7, "500102": 3}
	e := NewEngine(src, testCatalogue(t))
	ctx := context.Background()
	fs := e.NewFigureSet(auth.All(), p)
	if err := fs.PrefetchRegions(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Filter{{}, {Region: "500101"}, {Region: "500102"}, {Region: "500199"}} {
		before := src.queries
		got, err := fs.Figure(ctx, "NEW_SPECIALIZED", f)
		if err != nil {
			t.Fatal(err)
		}
		setQueries := src.queries - before
		want, err := e.Figure(ctx, auth.All(), "NEW_SPECIALIZED", p, f)
		if err != nil {
			t.Fatal(err)
		}
		if got.Value != want.Value || got.Known != want.Known || got.Period != want.Period {
			t.Errorf("filter %+v: set gives %v (known %v), Figure gives %v (known %v)", f, got.Value, got.Known, want.Value, want.Known)
		}
		// The city's figure runs the grouped count (the city's count is
		// the districts' sum); the regions read what it returned.
		wantQueries := 0
		if f.Region == "" {
			wantQueries = 1
		}
		if setQueries != wantQueries {
			t.Errorf("filter %+v: the set ran %d queries, want %d", f, setQueries, wantQueries)
		}
	}
}

// TestFigureSetExpectedKindsCountedTogether: after ExpectIndicators the
// title kinds of the expected figures are counted by region in one query
// for the kinds granted and one for the kinds held,
// the city's and every district's figures read from it, and each equals
// Engine.Figure's.
func TestFigureSetExpectedKindsCountedTogether(t *testing.T) {
	p := report.Period{Year: 2024, Month: 6}
	src := &regionSource{period: p, regions: map[string][]Row{"500101": {row("C", false, true, nil, nil)}}}
	src.granted = map[string]int{"500101": 7, "500102": 3}
	src.held = map[string]int{"500101": 2, "500102": 5}
	c, err := indicator.Parse(mustJSON(t, indicator.Catalogue{Indicators: []indicator.Indicator{
		{Code: "NEW_SPECIALIZED", Measure: "new_titles_specialized", Aggregation: "count", HigherIsBetter: true},
		{Code: "NEW_LITTLE_GIANT", Measure: "new_titles_little_giant", Aggregation: "count", HigherIsBetter: true},
		{Code: "GAZELLES", Measure: "titles_held_gazelle", Aggregation: "count", HigherIsBetter: true},
		{Code: "UNICORNS", Measure: "titles_held_unicorn", Aggregation: "count", HigherIsBetter: true},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(src, c)
	ctx := context.Background()
	codes := []string{"NEW_SPECIALIZED", "NEW_LITTLE_GIANT", "GAZELLES", "UNICORNS"}
	for _, expect := range []bool{false, true} {
		fs := e.NewFigureSet(auth.All(), p)
		if err := fs.PrefetchRegions(ctx); err != nil {
			t.Fatal(err)
		}
		if expect {
			fs.ExpectIndicators(codes)
		}
		before := src.queries
		var got []Figure
		for _, f := range []Filter{{}, {Region: "500101"}, {Region: "500102"}, {Region: "500199"}} {
			for _, code := range codes {
				fig, err := fs.Figure(ctx, code, f)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, fig)
			}
		}
		queries := src.queries - before
		i := 0
		for _, f := range []Filter{{}, {Region: "500101"}, {Region: "500102"}, {Region: "500199"}} {
			for _, code := range codes {
				want, err := e.Figure(ctx, auth.All(), code, p, f)
				if err != nil {
					t.Fatal(err)
				}
				if got[i].Value != want.Value || got[i].Known != want.Known {
					t.Errorf("expect %v, filter %+v, %s: set gives %v, Figure gives %v", expect, f, code, got[i].Value, want.Value)
				}
				i++
			}
		}
		// One grouped count per kind without the hint; with it one for the
		// kinds granted and one for the kinds held.
		if wantQueries := map[bool]int{false: 4, true: 2}[expect]; queries != wantQueries {
			t.Errorf("expect %v: the set ran %d queries, want %d", expect, queries, wantQueries)
		}
	}
}
