package mujun

import (
	"cmp"
	"slices"

	"github.com/industrybrain/ibrain/internal/unit"
)

// RunResult is one evaluation: the configuration it used, every firm's
// result and the aggregates. Enterprises is sorted by EnterpriseID.
type RunResult struct {
	ConfigID       string `json:"config_id"`
	ConfigVersion  int    `json:"config_version"`
	Year           int    `json:"year"`
	EvaluatingUnit string `json:"evaluating_unit"`
	// Config is a copy of the configuration used, so that a stored result
	// can be explained (Diff) after the configuration is edited.
	Config Config `json:"config"`

	Enterprises []EnterpriseResult `json:"enterprises"`
	Skipped     []Skipped          `json:"skipped,omitempty"`
	Groups      []GroupResult      `json:"groups"`

	Total          Aggregate   `json:"total"`            // every firm in scope
	Regions        []Aggregate `json:"regions"`          // per region, all groups, by region code
	RegionsByGroup []Aggregate `json:"regions_by_group"` // per region and group
	Parks          []Aggregate `json:"parks"`            // per region and park (firms without a park left out)
}

// ExemptReason says why a firm was not scored.
type ExemptReason string

// Exempt reasons.
const (
	ExemptNewFirm ExemptReason = "new_firm"
	ExemptSection ExemptReason = "section"
)

// ClassSource says which rule gave a firm its class.
type ClassSource string

// Class sources.
const (
	ByRankShare ClassSource = "rank_share"
	ByScore     ClassSource = "score"
	ByVeto      ClassSource = "veto"
	ByExemption ClassSource = "exempt"
)

// EnterpriseResult is one firm's evaluation.
type EnterpriseResult struct {
	EnterpriseID int64        `json:"enterprise_id"`
	RegionCode   string       `json:"region_code"`
	ParkCode     string       `json:"park_code,omitempty"`
	Group        Group        `json:"group"`
	Exempt       ExemptReason `json:"exempt,omitempty"` // "" for rated firms

	// Indicators follow the group's configuration order; nil for exempt firms.
	Indicators []IndicatorResult `json:"indicators,omitempty"`
	// ReweightFactor is total ÷ remaining weight when indicators were
	// excluded by ExcludeAndReweight; 0 when nothing was excluded.
	ReweightFactor float64 `json:"reweight_factor,omitzero"`
	Subtotal       float64 `json:"subtotal"` // Σ indicator scores
	Deducted       float64 `json:"deducted"` // Σ deduct vetoes
	Score          float64 `json:"score"`    // Subtotal − Deducted, rounded to 1e-6
	// Rank and RegionRank are competition ranks (1 + number of firms with a
	// strictly higher score) within the group, and within group and region;
	// 0 for exempt firms.
	Rank       int `json:"rank"`
	RegionRank int `json:"region_rank"`

	Class   string      `json:"class"`
	ClassBy ClassSource `json:"class_by"`
	Vetoes  []string    `json:"vetoes,omitempty"` // veto codes applied
	// ConsecutiveYears counts this year and the unbroken run of earlier
	// years in the same class (from the prior run); it drives escalation.
	ConsecutiveYears int             `json:"consecutive_years"`
	Policies         []AppliedPolicy `json:"policies,omitempty"`
}

// IndicatorResult is one indicator of one firm.
type IndicatorResult struct {
	Code    IndicatorCode `json:"code"`
	Weight  float64       `json:"weight"`
	Value   float64       `json:"value"` // in the indicator's unit; 0 when missing
	Missing bool          `json:"missing"`
	// Benchmark is the value that earns exactly the weight: the benchmark of
	// ratio methods, the group maximum (minimum when lower is better) of min_max.
	Benchmark   float64 `json:"benchmark"`
	RawScore    float64 `json:"raw_score"`    // before the cap
	CappedScore float64 `json:"capped_score"` // within [0, cap × weight]
	// Score counts in the total: the capped score times the reweight
	// factor, or the score the missing-data rule gave.
	Score  float64     `json:"score"`
	Filled MissingRule `json:"filled,omitempty"` // the rule applied when missing
}

// AppliedPolicy is a differentiated policy in force for a firm.
type AppliedPolicy struct {
	Kind      PolicyKind `json:"kind"`
	RateFen   int64      `json:"rate_fen,omitempty"` // surcharge per kWh or m³ this year, after escalation
	ReliefPct float64    `json:"relief_pct,omitempty"`
	// AmountFen is the electricity surcharge for the year's use (rate ×
	// kWh) when the firm's electricity is known.
	AmountFen Opt[unit.Fen] `json:"amount_fen,omitzero"`
	Text      Text          `json:"text"`
}

// SkipReason says why a firm in the input was not evaluated.
type SkipReason string

// Skip reasons.
const (
	SkipOutsideUnit   SkipReason = "outside_unit"         // region is not the evaluating unit
	SkipGroup         SkipReason = "group_not_evaluated"  // the configuration has no such group
	SkipBelowLand     SkipReason = "below_land_threshold" // land below the group's MinLand
	SkipLandUnknown   SkipReason = "land_unknown"         // group has a land threshold and the land is unknown
	SkipGroupInvalid  SkipReason = "group_invalid"        // neither above nor below scale
	SkipRegionMissing SkipReason = "region_missing"
)

// Skipped is a firm in the input that is not in scope.
type Skipped struct {
	EnterpriseID int64      `json:"enterprise_id"`
	RegionCode   string     `json:"region_code"`
	Reason       SkipReason `json:"reason"`
}

// GroupResult is the evaluation of one group.
type GroupResult struct {
	Group  Group `json:"group"`
	Name   Text  `json:"name"`
	Firms  int   `json:"firms"` // in scope: rated + exempt
	Rated  int   `json:"rated"`
	Exempt int   `json:"exempt"`
	// Indicators are the scored indicators with the benchmark used.
	Indicators []GroupIndicator `json:"indicators"`
	// Stats covers every indicator code over the rated firms, so that next
	// year's prior-mean benchmarks exist even for indicators added then.
	Stats   []IndicatorStats `json:"stats"`
	Classes []ClassCount     `json:"classes"` // in class definition order
}

// GroupIndicator is the benchmark and summary of one scored indicator.
type GroupIndicator struct {
	Code      IndicatorCode   `json:"code"`
	Weight    float64         `json:"weight"`
	Method    BenchmarkMethod `json:"method"`
	Benchmark float64         `json:"benchmark"`
	// BenchmarkFrom is "prior_run", "config", "current_year", or "none"
	// when no firm of the group had a value (nothing was scored against it).
	BenchmarkFrom string `json:"benchmark_from"`
	// The provenance of a benchmark taken from data: the stored run it
	// came from (prior_run, when known), the year of that data and the
	// number of firms with a value it rests on; MinFirms is the minimum
	// the configuration required. Zero for a fixed benchmark.
	BenchmarkRun   int64       `json:"benchmark_run,omitempty"`
	BenchmarkYear  int         `json:"benchmark_year,omitempty"`
	BenchmarkFirms int         `json:"benchmark_firms,omitempty"`
	MinFirms       int         `json:"min_firms,omitempty"`
	Min            float64     `json:"min"` // this year's group range (min_max uses it)
	Max            float64     `json:"max"`
	Cap            float64     `json:"cap"`
	MissingRule    MissingRule `json:"missing_rule"`
	MissingCount   int         `json:"missing_count"`
	// AverageScore is the mean capped score of firms with a value: what
	// GroupAverage gives a firm without one.
	AverageScore float64 `json:"average_score"`
}

// Benchmark sources.
const (
	FromPriorRun    = "prior_run"
	FromConfig      = "config"
	FromCurrentYear = "current_year"
	FromNone        = "none"
)

// IndicatorStats summarises an indicator over a set of firms that have a
// value. Num and Den are in stored units (fen, 0.01 mu, kgce, kg, kWh,
// persons), so RatioOfSums is exact up to the final division; int64 fen
// holds ¥92 quadrillion, far above any city's total.
type IndicatorStats struct {
	Code        IndicatorCode `json:"code"`
	N           int           `json:"n"`
	Num         int64         `json:"num"`
	Den         int64         `json:"den"`
	RatioOfSums float64       `json:"ratio_of_sums"`
	FirmMean    float64       `json:"firm_mean"`
	Min         float64       `json:"min"`
	Max         float64       `json:"max"`
}

// ClassCount is the size of a class.
type ClassCount struct {
	Class string `json:"class"`
	Count int    `json:"count"`
	// Quota is the slot count the rank-share rule gave the class (firms
	// forced by vetoes and ties can make Count differ); 0 otherwise.
	Quota    int     `json:"quota,omitempty"`
	MinScore float64 `json:"min_score,omitempty"` // over rated firms in the class
	MaxScore float64 `json:"max_score,omitempty"`
}

// Aggregate sums a set of firms (a region, a region's group, a park, all).
type Aggregate struct {
	RegionCode string `json:"region_code,omitempty"`
	ParkCode   string `json:"park_code,omitempty"`
	Group      Group  `json:"group,omitempty"` // "" for all groups

	Firms     int          `json:"firms"` // in scope: rated + exempt
	Rated     int          `json:"rated"`
	Classes   []ClassCount `json:"classes"` // counts only, in class definition order
	MeanScore float64      `json:"mean_score"`

	// Totals over firms with the value known.
	Land       unit.Mu100 `json:"land_mu100"`
	Tax        unit.Fen   `json:"tax_fen"`
	ValueAdded unit.Fen   `json:"value_added_fen"`
	// TaxPerMu and VAPerMu are Σ tax ÷ Σ land (万元/亩) over firms with both
	// known, so a firm without land does not inflate them.
	TaxPerMu float64          `json:"tax_per_mu"`
	VAPerMu  float64          `json:"va_per_mu"`
	Stats    []IndicatorStats `json:"stats"`

	// Ranks among the aggregates of the same list (1 = best; ties share).
	RankByScore    int `json:"rank_by_score"`
	RankByVAPerMu  int `json:"rank_by_va_per_mu"`
	RankByTaxPerMu int `json:"rank_by_tax_per_mu"`
}

// Enterprise returns a firm's result.
func (r *RunResult) Enterprise(id int64) (EnterpriseResult, bool) {
	i, ok := slices.BinarySearchFunc(r.Enterprises, id, func(e EnterpriseResult, id int64) int { return cmp.Compare(e.EnterpriseID, id) })
	if !ok {
		return EnterpriseResult{}, false
	}
	return r.Enterprises[i], true
}

// Ranked returns the rated firms of a group by rank (ties by enterprise ID),
// optionally only those of one region and park ("" for any).
func (r *RunResult) Ranked(g Group, regionCode, parkCode string) []EnterpriseResult {
	var out []EnterpriseResult
	for _, e := range r.Enterprises {
		if e.Group != g || e.Rank == 0 || (regionCode != "" && e.RegionCode != regionCode) || (parkCode != "" && e.ParkCode != parkCode) {
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b EnterpriseResult) int {
		if c := cmp.Compare(a.Rank, b.Rank); c != 0 {
			return c
		}
		return cmp.Compare(a.EnterpriseID, b.EnterpriseID)
	})
	return out
}

// Group returns the result of one group.
func (r *RunResult) Group(g Group) (GroupResult, bool) {
	for _, gr := range r.Groups {
		if gr.Group == g {
			return gr, true
		}
	}
	return GroupResult{}, false
}

func (gr *GroupResult) stats(c IndicatorCode) (IndicatorStats, bool) {
	for _, s := range gr.Stats {
		if s.Code == c {
			return s, true
		}
	}
	return IndicatorStats{}, false
}

func (gr *GroupResult) indicator(c IndicatorCode) (GroupIndicator, bool) {
	for _, s := range gr.Indicators {
		if s.Code == c {
			return s, true
		}
	}
	return GroupIndicator{}, false
}
