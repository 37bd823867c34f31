package stats

import (
	"context"
	"fmt"
	"slices"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
)

// FigureSet computes many figures for one scope and period, reading each
// filter's sums once. A task table with a row for every district and
// indicator would otherwise run one aggregate query per row (130 rows:
// 115–250 ms); with Prefetch the districts' sums come from one query.
// A FigureSet is for one request and not safe for concurrent use.
type FigureSet struct {
	e       *Engine
	sc      auth.Scope
	p       report.Period
	snaps   map[Filter]snapshot
	regions bool // PrefetchRegions ran: count titles by region too
	// regionSums: the sums of every region are to be read in one query
	// when a region's figure first needs them.
	regionSums bool
	granted    map[string]map[string]int // kind@year → region → count
	held       map[string]map[string]int // kind@day → region → count
	// grantedKinds and heldKinds are the title kinds the expected figures
	// count (ExpectIndicators): counted by region together.
	grantedKinds, heldKinds []enterprise.TitleKind
	digital                 map[string]digitalCounts   // measure@year → region → count
	values                  map[int]map[ValueKey]int64 // year → the year's entered values
}

// ValueKey names one entered indicator value of a year (Month 0 = annual).
type ValueKey struct {
	Code, ScopeKind, ScopeCode string
	Month                      int
}

// YearValues is a Source that reads every entered indicator value of a
// year at once; FigureSet answers IndicatorValue from it, so a task table
// with many entered indicators costs one query instead of one per row.
type YearValues interface {
	IndicatorValuesOfYear(ctx context.Context, year int) (map[ValueKey]int64, error)
}

type digitalCounts struct {
	byRegion map[string]int
	known    bool
}

// RegionTitleCounter is a Source that counts titles for every region in one
// query; FigureSet uses it after PrefetchRegions.
type RegionTitleCounter interface {
	// Each counts every kind of kinds in one query; every kind asked for
	// has a map.
	TitlesGrantedByRegion(ctx context.Context, sc auth.Scope, kinds []enterprise.TitleKind, from, to string) (map[enterprise.TitleKind]map[string]int, error)
	TitlesHeldByRegion(ctx context.Context, sc auth.Scope, kinds []enterprise.TitleKind, day string) (map[enterprise.TitleKind]map[string]int, error)
}

// NewFigureSet starts a set of figures for scope sc and period p.
func (e *Engine) NewFigureSet(sc auth.Scope, p report.Period) *FigureSet {
	return &FigureSet{e: e, sc: sc, p: p, snaps: map[Filter]snapshot{},
		granted: map[string]map[string]int{}, held: map[string]map[string]int{}, digital: map[string]digitalCounts{},
		values: map[int]map[ValueKey]int64{}}
}

// PrefetchRegions says figures for many single regions follow: the sums of
// every region are read in one query, when the first of them needs sums
// (a table whose district rows all count titles reads none), and titles
// are counted for every region at once.
func (fs *FigureSet) PrefetchRegions(ctx context.Context) error {
	fs.regions, fs.regionSums = true, true
	return nil
}

// ExpectIndicators says which indicators' figures follow: the title kinds
// they count are then counted by region together, one statement per
// period for every kind instead of one per kind (a task table counts
// several kinds, each for the city and every district).
func (fs *FigureSet) ExpectIndicators(codes []string) {
	for _, c := range codes {
		ind, ok := fs.e.cat.ByCode(c)
		if !ok {
			continue
		}
		kind, held, ok := TitleMeasure(ind.Measure)
		list := &fs.grantedKinds
		if held {
			list = &fs.heldKinds
		}
		if ok && !slices.Contains(*list, kind) {
			*list = append(*list, kind)
		}
	}
}

// withKind is kinds with kind, which it may lack.
func withKind(kinds []enterprise.TitleKind, kind enterprise.TitleKind) []enterprise.TitleKind {
	if slices.Contains(kinds, kind) {
		return kinds
	}
	return append([]enterprise.TitleKind{kind}, kinds...)
}

// readRegions reads the sums of every region in one query.
func (fs *FigureSet) readRegions(ctx context.Context) error {
	fs.regionSums = false
	rows, err := fs.e.src.Aggregate(ctx, fs.sc, Query{Year: fs.p.Year, Month: fs.p.Month,
		GroupBy: []Dim{ByRegion, BySection, BySEI, BySpecialized}})
	if err != nil {
		return err
	}
	byRegion := map[string][]Row{}
	for _, r := range rows {
		region := r.Key.Region
		r.Key.Region = "" // as the per-region query returns it
		byRegion[region] = append(byRegion[region], r)
	}
	for region, rs := range byRegion {
		fs.snaps[Filter{Region: region}] = snapshot{period: fs.p, rows: rs}
	}
	return nil
}

// needsSums says whether a measure is computed from the period's sums; the
// counts of titles and digital records and the entered values are not, so
// their figures need no aggregate query.
func needsSums(measure string) bool {
	if _, _, ok := TitleMeasure(measure); ok {
		return false
	}
	switch measure {
	case "", "digital_new_smart_factories", "digital_new_digital_workshops", "digital_new_future_factories", "digital_renovation_projects":
		return false
	}
	return true
}

// Figure computes one indicator for filter f, like Engine.Figure.
func (fs *FigureSet) Figure(ctx context.Context, code string, f Filter) (Figure, error) {
	ind, ok := fs.e.cat.ByCode(code)
	if !ok {
		return Figure{}, apperr.New(apperr.NotFound, "err.indicator_not_found", code)
	}
	// A scope the source refuses sums to still gets its refusal from the
	// aggregate query, as Engine.Figure would give it.
	refused := fs.sc.Empty() || !fs.sc.IsAll() && fs.sc.EnterpriseID != 0
	if !needsSums(ind.Measure) && !refused {
		return fs.e.computeWith(ctx, setSource{fs.e.src, fs}, fs.sc, ind, snapshot{period: fs.p}, f)
	}
	snap, ok := fs.snaps[f]
	if !ok && fs.regionSums && f.Region != "" && f == (Filter{Region: f.Region}) {
		if err := fs.readRegions(ctx); err != nil {
			return Figure{}, err
		}
		snap, ok = fs.snaps[f]
	}
	if !ok {
		var err error
		if snap, err = fs.e.snapshot(ctx, fs.sc, fs.p, f); err != nil {
			return Figure{}, err
		}
		fs.snaps[f] = snap
	}
	return fs.e.computeWith(ctx, setSource{fs.e.src, fs}, fs.sc, ind, snap, f)
}

// setSource answers title counts from one grouped query per period (for
// the expected kinds together), after PrefetchRegions, when the source can
// group: a district's count from its row, the city's as the districts'
// sum. A title carries its firm's district, so that sum is the city's
// count (TestTitleCountsByRegion), held titles included: a firm is in one
// district.
type setSource struct {
	Source
	fs *FigureSet
}

func (s setSource) byRegion(sc auth.Scope) (RegionTitleCounter, bool) {
	rc, ok := s.Source.(RegionTitleCounter)
	if !ok || !s.fs.regions || sc.EnterpriseID != 0 {
		return nil, false
	}
	return rc, sc.RegionCode != "" || sc.IsAll() && s.fs.sc.IsAll()
}

// regionCount is sc's count in m: its district's, or every district's for
// the whole city.
func regionCount(m map[string]int, sc auth.Scope) int {
	if sc.RegionCode != "" {
		return m[sc.RegionCode]
	}
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func (s setSource) CountTitlesGranted(ctx context.Context, sc auth.Scope, kind enterprise.TitleKind, year int) (int, error) {
	rc, ok := s.byRegion(sc)
	if !ok {
		return s.Source.CountTitlesGranted(ctx, sc, kind, year)
	}
	m, ok := s.fs.granted[fmt.Sprintf("%s@%d", kind, year)]
	if !ok {
		byKind, err := rc.TitlesGrantedByRegion(ctx, s.fs.sc, withKind(s.fs.grantedKinds, kind), fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year))
		if err != nil {
			return 0, err
		}
		for k, km := range byKind {
			s.fs.granted[fmt.Sprintf("%s@%d", k, year)] = km
		}
		m = byKind[kind]
	}
	return regionCount(m, sc), nil
}

func (s setSource) CountTitlesHeld(ctx context.Context, sc auth.Scope, kind enterprise.TitleKind, day string) (int, error) {
	rc, ok := s.byRegion(sc)
	if !ok {
		return s.Source.CountTitlesHeld(ctx, sc, kind, day)
	}
	m, ok := s.fs.held[string(kind)+"@"+day]
	if !ok {
		byKind, err := rc.TitlesHeldByRegion(ctx, s.fs.sc, withKind(s.fs.heldKinds, kind), day)
		if err != nil {
			return 0, err
		}
		for k, km := range byKind {
			s.fs.held[string(k)+"@"+day] = km
		}
		m = byKind[kind]
	}
	return regionCount(m, sc), nil
}

// CountDigitalMeasure counts a district's measure from one read for
// every district when the source can (reading the records costs the same
// for one district as for all), and otherwise asks the source once
// per scope, measure and year (a task table's rows repeat the city-wide
// measures); a source that keeps no digital records leaves the measure
// unknown.
func (s setSource) CountDigitalMeasure(ctx context.Context, sc auth.Scope, measure string, year int) (int, bool, error) {
	if rdc, ok := s.Source.(RegionDigitalCounter); ok && sc.RegionCode != "" && sc.EnterpriseID == 0 {
		key := fmt.Sprintf("%s@%d", measure, year)
		c, ok := s.fs.digital[key]
		if !ok {
			var err error
			if c.byRegion, c.known, err = rdc.CountDigitalMeasureByRegion(ctx, s.fs.sc, measure, year); err != nil {
				return 0, false, err
			}
			s.fs.digital[key] = c
		}
		return c.byRegion[sc.RegionCode], c.known, nil
	}
	dc, ok := s.Source.(DigitalCounter)
	if !ok {
		return 0, false, nil
	}
	key := fmt.Sprintf("%s@%d@%+v", measure, year, sc) // every field of the scope
	c, ok := s.fs.digital[key]
	if !ok {
		n, known, err := dc.CountDigitalMeasure(ctx, sc, measure, year)
		if err != nil {
			return 0, false, err
		}
		c = digitalCounts{byRegion: map[string]int{"": n}, known: known}
		s.fs.digital[key] = c
	}
	return c.byRegion[""], c.known, nil
}

// IndicatorValue answers from the year's values read once when the source
// can, with Source.IndicatorValue's fallback to the annual value.
func (s setSource) IndicatorValue(ctx context.Context, code, scopeKind, scopeCode string, year, month int) (int64, bool, error) {
	yv, ok := s.Source.(YearValues)
	if !ok {
		return s.Source.IndicatorValue(ctx, code, scopeKind, scopeCode, year, month)
	}
	vs, ok := s.fs.values[year]
	if !ok {
		var err error
		if vs, err = yv.IndicatorValuesOfYear(ctx, year); err != nil {
			return 0, false, err
		}
		s.fs.values[year] = vs
	}
	k := ValueKey{Code: code, ScopeKind: scopeKind, ScopeCode: scopeCode, Month: month}
	if v, ok := vs[k]; ok {
		return v, true, nil
	}
	k.Month = 0
	v, ok := vs[k]
	return v, ok, nil
}
