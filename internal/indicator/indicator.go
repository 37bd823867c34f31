// Package indicator holds the indicator catalogue (指标目录): every figure
// the platform shows or sets targets on, with its unit, frequency, how it
// aggregates, which statistics-engine measure computes it, the owning
// department, where its data comes from, and its alert and excellence
// thresholds. It is embedded JSON, validated when loaded.
//
// Computed indicators name a measure the statistics engine implements;
// manual ones (Measure "") are values a department enters or uploads, such
// as the yearly task-table figures that no enterprise record can produce.
package indicator

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

//go:embed indicators.json
var indicatorsJSON []byte

// Indicator is one catalogue entry.
type Indicator struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	// Unit is a machine code: "yi_yuan" (亿元), "percent", "count",
	// "persons", "wan_yuan_per_mu" (万元/亩). UnitZh and UnitEn are the
	// labels shown, which for counts name the thing counted (家, 个).
	Unit   string `json:"unit"`
	UnitZh string `json:"unit_zh"`
	UnitEn string `json:"unit_en"`
	// Frequency is "monthly" or "yearly".
	Frequency string `json:"frequency"`
	// Kind is "cumulative" (a year-to-date flow or a rate over one) or
	// "point" (a level at the period's end, e.g. a head count).
	Kind string `json:"kind"`
	// Aggregation says how the value combines across enterprises and
	// periods: "sum", "growth", "share", "ratio", "count" or "manual"
	// (entered, not aggregated).
	Aggregation string `json:"aggregation"`
	// Measure names the statistics-engine measure computing the value; ""
	// for manual indicators.
	Measure    string `json:"measure"`
	Department string `json:"department"` // owning department, in Chinese
	// Source is "manual", "file", "interface" or "computed".
	Source string `json:"source"`
	// Alert and Excellent are thresholds in the indicator's unit; nil when
	// a threshold makes no sense (e.g. levels that scale with the scope).
	Alert          *float64 `json:"alert,omitempty"`
	Excellent      *float64 `json:"excellent,omitempty"`
	HigherIsBetter bool     `json:"higher_is_better"`
	// ThresholdScope says where the thresholds judge: "city" (the default)
	// only the city-wide figure, because the line is set for the city's
	// structure (a car cluster's SEI share is no alert); "any" every
	// district and cluster too, for scale-free rates such as growth.
	ThresholdScope string `json:"threshold_scope,omitempty"`
	// BaseCaveatPct is the growth (%) from which a figure carries a
	// caveat that it rests on a small base a year earlier (+825 % on a
	// tiny investment); 0 = no caveat.
	BaseCaveatPct float64 `json:"base_caveat_pct,omitempty"`
	DefinitionZh  string  `json:"definition_zh"`
	DefinitionEn  string  `json:"definition_en"`
}

// Catalogue is a version of the indicator catalogue.
type Catalogue struct {
	Version       string      `json:"version"`
	EffectiveFrom string      `json:"effective_from"` // YYYY-MM-DD
	Indicators    []Indicator `json:"indicators"`
}

// Allowed values of the enumerated fields.
var (
	Units        = []string{"yi_yuan", "percent", "count", "persons", "wan_yuan_per_mu"}
	Frequencies  = []string{"monthly", "yearly"}
	Kinds        = []string{"cumulative", "point"}
	Aggregations = []string{"sum", "growth", "share", "ratio", "count", "manual"}
	Sources      = []string{"manual", "file", "interface", "computed"}
)

// Builtin returns the embedded catalogue, checked as Parse does and also
// for completeness: every name, unit label, department and definition
// present, every enumerated field set. The result is shared: do not modify
// it.
func Builtin() (*Catalogue, error) { return builtin() }

var builtin = sync.OnceValues(func() (*Catalogue, error) {
	c, err := Parse(indicatorsJSON)
	if err != nil {
		return nil, err
	}
	if err := c.check(true); err != nil {
		return nil, err
	}
	return c, nil
})

// Parse reads a catalogue and checks what any catalogue must satisfy:
// unique codes, known values in every enumerated field that is set, and
// consistent thresholds. It allows fields to be left empty, so tests and
// tools can build small catalogues.
func Parse(data []byte) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("indicator: catalogue: %w", err)
	}
	if err := c.check(false); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Catalogue) check(complete bool) error {
	if complete {
		if c.Version == "" {
			return fmt.Errorf("indicator: catalogue has no version")
		}
		if _, err := time.Parse(time.DateOnly, c.EffectiveFrom); err != nil {
			return fmt.Errorf("indicator: catalogue %s: effective_from %q is not YYYY-MM-DD", c.Version, c.EffectiveFrom)
		}
	}
	seen := map[string]bool{}
	for _, d := range c.Indicators {
		if err := d.check(complete); err != nil {
			return err
		}
		if seen[d.Code] {
			return fmt.Errorf("indicator: code %s is repeated", d.Code)
		}
		seen[d.Code] = true
	}
	return nil
}

func (d Indicator) check(complete bool) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("indicator %s: "+format, append([]any{d.Code}, a...)...)
	}
	if d.Code == "" {
		return fmt.Errorf("indicator: entry %q has no code", d.NameZh)
	}
	if complete {
		for _, f := range []struct{ name, v string }{
			{"name_zh", d.NameZh}, {"name_en", d.NameEn}, {"unit_zh", d.UnitZh}, {"unit_en", d.UnitEn},
			{"department", d.Department}, {"definition_zh", d.DefinitionZh}, {"definition_en", d.DefinitionEn},
		} {
			if f.v == "" {
				return bad("%s is empty", f.name)
			}
		}
	}
	for _, f := range []struct {
		name, v string
		allowed []string
	}{
		{"unit", d.Unit, Units}, {"frequency", d.Frequency, Frequencies}, {"kind", d.Kind, Kinds},
		{"aggregation", d.Aggregation, Aggregations}, {"source", d.Source, Sources},
	} {
		if (complete || f.v != "") && !contains(f.allowed, f.v) {
			return bad("%s %q is not one of %v", f.name, f.v, f.allowed)
		}
	}
	// The engine computes exactly the indicators that name a measure; any
	// other pairing would show a blank or silently ignore entered values.
	if (complete || d.Source != "") && (d.Source == "computed") != (d.Measure != "") {
		return bad("source %q does not fit measure %q: computed indicators, and only they, name a measure", d.Source, d.Measure)
	}
	if d.Aggregation == "manual" && d.Measure != "" {
		return bad("manual aggregation with measure %q", d.Measure)
	}
	if d.Unit == "percent" && (d.Aggregation == "sum" || d.Aggregation == "count") {
		return bad("a percentage cannot aggregate by %s", d.Aggregation)
	}
	if d.ThresholdScope != "" && d.ThresholdScope != "city" && d.ThresholdScope != "any" {
		return bad("threshold_scope %q is not one of [city any]", d.ThresholdScope)
	}
	if d.BaseCaveatPct < 0 || d.BaseCaveatPct > 0 && d.Aggregation != "growth" {
		return bad("base_caveat_pct %v applies to growth indicators only, and is positive", d.BaseCaveatPct)
	}
	if d.Alert != nil && d.Excellent != nil {
		// Excellence must lie on the better side of the alert line, or a
		// value could be marked both.
		if d.HigherIsBetter && *d.Excellent <= *d.Alert || !d.HigherIsBetter && *d.Excellent >= *d.Alert {
			return bad("excellent %v is not better than alert %v", *d.Excellent, *d.Alert)
		}
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// ByCode returns an indicator by its code.
func (c *Catalogue) ByCode(code string) (Indicator, bool) {
	for _, d := range c.Indicators {
		if d.Code == code {
			return d, true
		}
	}
	return Indicator{}, false
}
