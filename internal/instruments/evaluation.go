package instruments

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// The open-sharing evaluation (考核) of a unit against the national
// indicator structure: first-level groups (organisation, operation,
// sharing) with second-level indicators, each a weight and the measures
// computed from the records that score it. Indicators without measures
// (coordination, the technical team, results, self-support) are judged
// by documents, not records: they stay unassessed and the grade is taken
// on the assessed weight. Weights, benchmarks and grade bounds are
// versioned configuration (evaluation.json), not code.

// EvalConfig is one version of the evaluation rules.
type EvalConfig struct {
	Version                   string          `json:"version"`
	EffectiveFrom             string          `json:"effective_from"`
	Source                    string          `json:"source"`
	UtilisationReferenceHours float64         `json:"utilisation_reference_hours"`
	Indicators                []EvalIndicator `json:"indicators"`
	Grades                    []EvalGrade     `json:"grades"` // highest first
}

// EvalIndicator is a second-level indicator.
type EvalIndicator struct {
	Key    string     `json:"key"`
	Group  string     `json:"group"` // organisation, operation, sharing
	Weight float64    `json:"weight"`
	Parts  []EvalPart `json:"parts"` // none: judged outside the platform
}

// EvalPart is a measure scoring a share of its indicator's weight: the
// value against the benchmark, capped at the full share.
type EvalPart struct {
	Measure   string  `json:"measure"`
	Benchmark float64 `json:"benchmark"`
	Share     float64 `json:"share"`
}

// EvalGrade is the lowest percentage of the assessed weight a grade
// needs.
type EvalGrade struct {
	Grade  string  `json:"grade"`
	MinPct float64 `json:"min_pct"`
}

// EvalGroups are the first-level groups, in order; SharingGroup breaks
// ties.
var EvalGroups = []string{"organisation", "operation", "sharing"}

// SharingGroup is the group whose score breaks ties between units.
const SharingGroup = "sharing"

// Measures computes each measure an evaluation part may name from a
// unit's figures.
var Measures = map[string]func(f UsageFigures) float64{
	"openness_rate":                  UsageFigures.OpennessRate,
	"registration_completeness":      UsageFigures.Completeness,
	"effective_hours_per_instrument": func(f UsageFigures) float64 { return f.perInstrument(f.EffectiveHours()) },
	"external_hours_per_instrument":  func(f UsageFigures) float64 { return f.perInstrument(f.ExternalHours()) },
	"average_rating":                 UsageFigures.AverageRating,
	"client_units_per_instrument":    func(f UsageFigures) float64 { return f.perInstrument(float64(f.Clients)) },
	"share_rate":                     UsageFigures.ShareRate,
}

//go:embed evaluation.json
var evaluationJSON []byte

// EvaluationConfigs returns the shipped versions, oldest first, each
// validated.
func EvaluationConfigs() ([]EvalConfig, error) {
	return ParseEvaluationConfigs(evaluationJSON)
}

// ParseEvaluationConfigs reads and validates versions of the rules.
func ParseEvaluationConfigs(raw []byte) ([]EvalConfig, error) {
	var cs []EvalConfig
	if err := json.Unmarshal(raw, &cs); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "instruments.err.evaluation_config", err.Error())
	}
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].EffectiveFrom < cs[j].EffectiveFrom })
	return cs, nil
}

// Validate checks a version: a date, a positive reference, known groups
// and measures, positive benchmarks, shares of 1 per assessed indicator,
// weights of 100 in total and grades from high to low ending at 0.
func (c EvalConfig) Validate() error {
	bad := func(format string, a ...any) error {
		return apperr.New(apperr.Invalid, "instruments.err.evaluation_config", c.Version+": "+fmt.Sprintf(format, a...))
	}
	if len(c.EffectiveFrom) != 10 {
		return bad("effective_from %q is not YYYY-MM-DD", c.EffectiveFrom)
	}
	if c.UtilisationReferenceHours <= 0 {
		return bad("utilisation_reference_hours must be positive")
	}
	var total float64
	seen := map[string]bool{}
	for _, in := range c.Indicators {
		if seen[in.Key] || in.Key == "" {
			return bad("indicator %q is empty or repeated", in.Key)
		}
		seen[in.Key] = true
		known := false
		for _, g := range EvalGroups {
			known = known || g == in.Group
		}
		if !known || in.Weight <= 0 {
			return bad("indicator %s: group %q or weight %v", in.Key, in.Group, in.Weight)
		}
		total += in.Weight
		var shares float64
		for _, p := range in.Parts {
			if _, ok := Measures[p.Measure]; !ok || p.Benchmark <= 0 || p.Share <= 0 {
				return bad("indicator %s: measure %q, benchmark %v, share %v", in.Key, p.Measure, p.Benchmark, p.Share)
			}
			shares += p.Share
		}
		if len(in.Parts) > 0 && math.Abs(shares-1) > 1e-9 {
			return bad("indicator %s: shares sum to %v, not 1", in.Key, shares)
		}
	}
	if math.Abs(total-100) > 1e-9 {
		return bad("weights sum to %v, not 100", total)
	}
	if len(c.Grades) == 0 || c.Grades[len(c.Grades)-1].MinPct != 0 {
		return bad("the last grade must start at 0")
	}
	for i := 1; i < len(c.Grades); i++ {
		if c.Grades[i].MinPct >= c.Grades[i-1].MinPct {
			return bad("grades must go from high to low")
		}
	}
	return nil
}

// EvaluationConfigOn returns the version in force on a day (YYYY-MM-DD),
// or the oldest one before any took effect.
func EvaluationConfigOn(cs []EvalConfig, day string) (EvalConfig, error) {
	if len(cs) == 0 {
		return EvalConfig{}, apperr.New(apperr.Invalid, "instruments.err.evaluation_config", "none")
	}
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].EffectiveFrom <= day {
			return cs[i], nil
		}
	}
	return cs[0], nil
}

// IndicatorScore is one indicator's result.
type IndicatorScore struct {
	Key, Group string
	Weight     float64
	Assessed   bool
	Score      float64 // points of Weight; 0 when not assessed
	Values     []float64
	Source     string // SourceComputed, SourceEntered, or "" when not assessed
	Note       string // an entered score's note
}

// Evaluation is a unit's result.
type Evaluation struct {
	UnitKey, UnitName string
	Version           string
	Indicators        []IndicatorScore
	Score             float64            // points over the assessed indicators
	Assessed          float64            // the assessed weight
	Pct               float64            // Score ÷ Assessed × 100
	Grade             string             // by Pct
	Groups            map[string]float64 // points per first-level group
	Figures           UsageFigures
}

// Evaluate scores a unit's figures: each part earns its share of the
// indicator's weight times value ÷ benchmark, capped at the share.
func Evaluate(c EvalConfig, f UsageFigures) Evaluation {
	return EvaluateEntered(c, f, nil)
}

// EvaluateEntered scores a unit's figures and, for the indicators judged
// from documents, the operator's entered scores (by indicator key; at
// most the weight): an entered indicator counts as assessed, one without
// a score stays out of the assessed weight.
func EvaluateEntered(c EvalConfig, f UsageFigures, entered map[string]EvalScore) Evaluation {
	ev := Evaluation{UnitKey: f.Key, UnitName: f.Label, Version: c.Version, Groups: map[string]float64{}, Figures: f}
	for _, in := range c.Indicators {
		is := IndicatorScore{Key: in.Key, Group: in.Group, Weight: in.Weight, Assessed: len(in.Parts) > 0}
		if is.Assessed {
			is.Source = SourceComputed
		} else if e, ok := entered[in.Key]; ok {
			is.Assessed, is.Source, is.Score, is.Note = true, SourceEntered, math.Min(math.Max(e.Points, 0), in.Weight), e.Note
		}
		for _, p := range in.Parts {
			v := Measures[p.Measure](f)
			is.Values = append(is.Values, v)
			is.Score += in.Weight * p.Share * math.Min(1, v/p.Benchmark)
		}
		if is.Assessed {
			ev.Assessed += in.Weight
			ev.Score += is.Score
			ev.Groups[in.Group] += is.Score
		}
		ev.Indicators = append(ev.Indicators, is)
	}
	if ev.Assessed > 0 {
		ev.Pct = ev.Score / ev.Assessed * 100
	}
	for _, g := range c.Grades {
		if ev.Pct >= g.MinPct {
			ev.Grade = g.Grade
			break
		}
	}
	return ev
}

// RankEvaluations orders results by percentage, ties by the sharing
// group's points, then by name.
func RankEvaluations(es []Evaluation) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Pct != b.Pct {
			return a.Pct > b.Pct
		}
		if a.Groups[SharingGroup] != b.Groups[SharingGroup] {
			return a.Groups[SharingGroup] > b.Groups[SharingGroup]
		}
		return a.UnitName < b.UnitName
	})
}
