package stats

import (
	"context"
	"slices"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
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
	// scope), one title count for the city and one grouped count for the
	// regions.
	for _, c := range []struct {
		sc   auth.Scope
		want int
	}{{auth.All(), 5}, {auth.Region("500102"), 5}} {
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
		// The city's count and the first region's grouped count; the
		// other regions read what the grouped count returned.
		wantQueries := 0
		if f.Region == "" || f.Region == "500101" {
			wantQueries = 1
		}
		if setQueries != wantQueries {
			t.Errorf("filter %+v: the set ran %d queries, want %d", f, setQueries, wantQueries)
		}
	}
}
