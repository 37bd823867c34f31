package mujun

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Target is a district-level goal for one indicator, measured as the
// district's ratio of sums (e.g. Σ value added ÷ Σ land).
type Target struct {
	Code      string        `json:"code"`
	Indicator IndicatorCode `json:"indicator"`
	Name      Text          `json:"name"`
	// Level is the value to reach by the target year, in the indicator's
	// unit (0 = none). A district below it must close the gap by then.
	Level float64 `json:"level,omitempty"`
	// AnnualGrowthPct is the compound growth to keep each year from the
	// base (4 = 4 %/yr); AnnualStep an absolute increase per year (R&D
	// intensity +0.0007 = +0.07 pp). At most one of them.
	AnnualGrowthPct float64 `json:"annual_growth_pct,omitempty"`
	AnnualStep      float64 `json:"annual_step,omitempty"`
}

// TargetSet is a dated set of targets with the base year paths start from.
type TargetSet struct {
	ID         string   `json:"id"`
	BaseYear   int      `json:"base_year"`
	TargetYear int      `json:"target_year"`
	Source     string   `json:"source"`
	Note       Text     `json:"note"`
	Targets    []Target `json:"targets"`
}

// Chongqing2027 returns the 2027 targets of 渝府办发〔2023〕72号 (domain.md
// §4.5), kept as data in configs/targets_chongqing_2027.json. The base year
// 2022 (the last full year before the October 2023 document) is an
// assumption; override BaseYear if the office uses another.
func Chongqing2027() TargetSet {
	var set TargetSet
	data, err := builtinFS.ReadFile("configs/targets_chongqing_2027.json")
	if err == nil {
		err = json.Unmarshal(data, &set)
	}
	if err != nil {
		// The file is embedded and parsed by the tests; this cannot happen
		// in a built binary.
		panic("mujun: configs/targets_chongqing_2027.json: " + err.Error())
	}
	return set
}

// DistrictValue is one indicator's value for a district and year.
type DistrictValue struct {
	Indicator IndicatorCode `json:"indicator"`
	Value     float64       `json:"value"`
}

// DistrictYear holds a district's indicator values for one year, from a run
// (RunResult.DistrictYears) or from published statistics.
type DistrictYear struct {
	RegionCode string          `json:"region_code"`
	Year       int             `json:"year"`
	Values     []DistrictValue `json:"values"`
}

// DistrictYears returns the run's district values (ratios of sums) for one
// group, or for all groups when g is "", plus a "city" row for the total.
// Note that two runs cover different firm sets (firms enter and leave the
// above-scale list), so growth between them is not on the comparable basis
// of domain.md §7; per-mu ratios are less affected than totals.
func (r *RunResult) DistrictYears(g Group) []DistrictYear {
	vals := func(stats []IndicatorStats) []DistrictValue {
		var out []DistrictValue
		for _, s := range stats {
			if s.N > 0 && s.Den > 0 {
				out = append(out, DistrictValue{Indicator: s.Code, Value: s.RatioOfSums})
			}
		}
		return out
	}
	var out []DistrictYear
	src := r.Regions
	if g != "" {
		src = nil
		for _, a := range r.RegionsByGroup {
			if a.Group == g {
				src = append(src, a)
			}
		}
	}
	for _, a := range src {
		out = append(out, DistrictYear{RegionCode: a.RegionCode, Year: r.Year, Values: vals(a.Stats)})
	}
	total := r.Total.Stats
	if g != "" {
		// Sum the group's district rows so the city row covers the same
		// firms (rated and exempt) as the districts.
		total = make([]IndicatorStats, numCodes)
		for i := range total {
			total[i].Code = codeAt(i)
		}
		for _, a := range src {
			for i, s := range a.Stats {
				total[i].N += s.N
				total[i].Num += s.Num
				total[i].Den += s.Den
			}
		}
		for i := range total {
			if total[i].Den > 0 {
				total[i].RatioOfSums = ratio(i, total[i].Num, total[i].Den)
			}
		}
	}
	out = append(out, DistrictYear{RegionCode: "city", Year: r.Year, Values: vals(total)})
	return out
}

// TargetStatus is the state of a district against a target.
type TargetStatus string

// Target statuses.
const (
	TargetMet     TargetStatus = "met"      // the target-year value is already reached
	TargetOnTrack TargetStatus = "on_track" // at or above the path for the as-of year
	TargetBehind  TargetStatus = "behind"   // below the path
	TargetNoData  TargetStatus = "no_data"  // no base-year or as-of value (or a growth path from a base ≤ 0)
)

// PathPoint is one year of a target path.
type PathPoint struct {
	Year     int          `json:"year"`
	Expected float64      `json:"expected"`
	Actual   Opt[float64] `json:"actual"`
}

// TargetProgressItem is a district's progress on one target.
type TargetProgressItem struct {
	Target    string        `json:"target"`
	Indicator IndicatorCode `json:"indicator"`
	Status    TargetStatus  `json:"status"`
	BaseYear  int           `json:"base_year"`
	Base      Opt[float64]  `json:"base"`
	AsOf      int           `json:"as_of"`
	Actual    Opt[float64]  `json:"actual"`
	Expected  float64       `json:"expected"` // the path at AsOf (at the target year after it)
	Goal      float64       `json:"goal"`     // the path at the target year
	Path      []PathPoint   `json:"path"`     // base year to target year
}

// DistrictProgress is one district's progress on every target.
type DistrictProgress struct {
	RegionCode string               `json:"region_code"`
	Targets    []TargetProgressItem `json:"targets"`
}

// TargetProgress judges every district in series against the set as of a
// year. The path of a target from the district's base-year value b over
// k = year − base years is
//
//	pace(k)   = b × (1 + g)^k   or   b + step × k
//	level(k)  = b + (Level − b) × k ÷ (target − base), when b < Level
//	expected  = the larger of the two that apply
//
// so a district keeps the city's pace and, below a level, closes the gap by
// the target year. Met: the value at AsOf reaches the target-year path;
// on track: it reaches the path at AsOf; otherwise behind.
func TargetProgress(series []DistrictYear, set TargetSet, asOf int) ([]DistrictProgress, error) {
	if err := set.validate(); err != nil {
		return nil, err
	}
	if asOf < set.BaseYear {
		t := msg("err.mujun_run.as_of_before_base_year", asOf, set.BaseYear)
		return nil, &RunError{Err: ErrTargets, Zh: t.Zh, En: t.En}
	}
	// Each district-year's values by indicator, the first of a repeated
	// one kept: the lookups below are regions × targets × years, and a
	// scan of the series for each was a third of the targets page's CPU.
	type regionYear struct {
		region string
		year   int
	}
	values := map[regionYear]map[IndicatorCode]float64{}
	var regions []string
	for _, dy := range series {
		k := regionYear{dy.RegionCode, dy.Year}
		vs, ok := values[k]
		if !ok {
			if !slices.Contains(regions, dy.RegionCode) {
				regions = append(regions, dy.RegionCode)
			}
			vs = map[IndicatorCode]float64{}
			values[k] = vs
		}
		for _, v := range dy.Values {
			if _, seen := vs[v.Indicator]; !seen {
				vs[v.Indicator] = v.Value
			}
		}
	}
	slices.SortFunc(regions, cmp.Compare)
	value := func(region string, year int, c IndicatorCode) Opt[float64] {
		if v, ok := values[regionYear{region, year}][c]; ok {
			return Some(v)
		}
		return Opt[float64]{}
	}
	out := make([]DistrictProgress, 0, len(regions))
	for _, region := range regions {
		dp := DistrictProgress{RegionCode: region}
		for _, t := range set.Targets {
			it := TargetProgressItem{Target: t.Code, Indicator: t.Indicator, BaseYear: set.BaseYear, AsOf: asOf,
				Base: value(region, set.BaseYear, t.Indicator), Actual: value(region, asOf, t.Indicator)}
			if !it.Base.Known || (t.AnnualGrowthPct > 0 && it.Base.Value <= 0) {
				it.Status = TargetNoData
				dp.Targets = append(dp.Targets, it)
				continue
			}
			b := it.Base.Value
			for y := set.BaseYear; y <= set.TargetYear; y++ {
				it.Path = append(it.Path, PathPoint{Year: y, Expected: t.expected(b, y-set.BaseYear, set.TargetYear-set.BaseYear), Actual: value(region, y, t.Indicator)})
			}
			it.Goal = it.Path[len(it.Path)-1].Expected
			it.Expected = it.Path[min(asOf, set.TargetYear)-set.BaseYear].Expected
			a := it.Actual
			switch {
			case !a.Known:
				it.Status = TargetNoData
			case a.Value >= it.Goal-pathTolerance(it.Goal):
				it.Status = TargetMet
			case a.Value >= it.Expected-pathTolerance(it.Expected):
				it.Status = TargetOnTrack
			default:
				it.Status = TargetBehind
			}
			dp.Targets = append(dp.Targets, it)
		}
		out = append(out, dp)
	}
	return out, nil
}

// pathTolerance keeps a value equal to the path in decimal (4 % growth on
// 100 is 104) from failing through binary rounding of the compounding.
func pathTolerance(x float64) float64 { return 1e-9 * math.Max(1, math.Abs(x)) }

func (t Target) expected(base float64, k, span int) float64 {
	e := math.Inf(-1)
	switch {
	case t.AnnualGrowthPct > 0:
		e = base * math.Pow(1+t.AnnualGrowthPct/100, float64(k))
	case t.AnnualStep > 0:
		e = base + t.AnnualStep*float64(k)
	}
	if t.Level > 0 {
		lv := t.Level
		if base < t.Level {
			lv = base + (t.Level-base)*float64(k)/float64(span)
		}
		e = math.Max(e, lv)
	}
	return e
}

func (s *TargetSet) validate() error {
	v := &validator{}
	if s.TargetYear <= s.BaseYear {
		v.add("target_year", ErrTargets, "err.mujun_cfg.target_year_must_be_after_base")
	}
	for i, t := range s.Targets {
		p := fmt.Sprintf("targets[%d]", i)
		if codeIndex(t.Indicator) < 0 {
			v.add(p+".indicator", ErrUnknownCode, "err.mujun_cfg.unknown_indicator", string(t.Indicator))
		}
		if t.Level < 0 || t.AnnualGrowthPct < 0 || t.AnnualStep < 0 {
			v.add(p, ErrInvalidValue, "err.mujun_cfg.target_values_must_be_0")
		}
		if t.AnnualGrowthPct > 0 && t.AnnualStep > 0 {
			v.add(p, ErrInvalidValue, "err.mujun_cfg.set_annual_growth_pct_or_annual")
		}
		if t.Level == 0 && t.AnnualGrowthPct == 0 && t.AnnualStep == 0 {
			v.add(p, ErrMissing, "err.mujun_cfg.a_target_needs_a_level_a")
		}
	}
	if len(v.problems) > 0 {
		return &ValidationError{ConfigID: s.ID, Problems: v.problems}
	}
	return nil
}
