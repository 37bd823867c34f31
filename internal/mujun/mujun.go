// Package mujun implements the "亩均论英雄" per-mu efficiency evaluation:
// a versioned configuration (indicators, weights, benchmark method, caps,
// missing-data rule, vetoes, class cut-offs, differentiated policies), a run
// that scores and classes every enterprise in scope, aggregates by district
// and park, the difference between two runs, and progress of districts
// against Chongqing's 2027 targets.
//
// There is no national formula and Chongqing's enterprise-level method is
// not public (domain.md §4), so everything a jurisdiction decides is data in
// Config; the code only fixes the arithmetic. Inputs are exact integers (fen,
// 0.01 mu, kgce, kg, kWh); float64 appears only in ratios and scores.
package mujun

import (
	"encoding/json"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// Text is a user-facing string in both platform languages.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Group is an evaluation group; each is scored, ranked and classed apart.
type Group string

// Groups.
const (
	AboveScale Group = "above_scale" // 规上: in the year's above-scale survey set
	BelowScale Group = "below_scale" // 规下: usually only firms with land ≥ a threshold
)

func (g Group) valid() bool { return g == AboveScale || g == BelowScale }

// IndicatorCode names a per-mu efficiency indicator.
type IndicatorCode string

// Indicator codes. The unit of each value is the one published benchmarks
// use (Huangyan 2022), so benchmark numbers can be copied into a config as
// printed.
const (
	TaxPerMu           IndicatorCode = "tax_per_mu"          // 亩均税收, 万元/亩
	VAPerMu            IndicatorCode = "va_per_mu"           // 亩均增加值, 万元/亩
	VAPerEnergy        IndicatorCode = "va_per_energy"       // 单位能耗增加值, 万元/吨标煤
	VAPerEmission      IndicatorCode = "va_per_emission"     // 单位排放增加值, 万元/吨
	LabourProductivity IndicatorCode = "labour_productivity" // 全员劳动生产率, 万元/人
	RDIntensity        IndicatorCode = "rd_intensity"        // R&D 经费支出 ÷ 营业收入, ratio (0.0302 = 3.02 %)
	TaxPerKWh          IndicatorCode = "tax_per_kwh"         // 单位电耗税收, 元/千瓦时
	RevenuePerMu       IndicatorCode = "revenue_per_mu"      // 亩均营业收入, 万元/亩
)

// numCodes is the number of indicator codes; internal arrays are indexed by
// codeIndex, which is also the display order.
const numCodes = 8

// codeAt is the inverse of codeIndex. A switch rather than a package-level
// array keeps the package free of mutable state.
func codeAt(i int) IndicatorCode {
	switch i {
	case 0:
		return TaxPerMu
	case 1:
		return VAPerMu
	case 2:
		return VAPerEnergy
	case 3:
		return VAPerEmission
	case 4:
		return LabourProductivity
	case 5:
		return RDIntensity
	case 6:
		return TaxPerKWh
	case 7:
		return RevenuePerMu
	}
	return ""
}

// IndicatorDef describes an indicator for display.
type IndicatorDef struct {
	Code IndicatorCode `json:"code"`
	Name Text          `json:"name"`
	Unit Text          `json:"unit"`
	// Formula is numerator ÷ denominator in words.
	Formula Text `json:"formula"`
}

// IndicatorCodes returns every known code in display order.
func IndicatorCodes() []IndicatorCode {
	out := make([]IndicatorCode, numCodes)
	for i := range out {
		out[i] = codeAt(i)
	}
	return out
}

// Definition returns the description of a code.
func Definition(c IndicatorCode) (IndicatorDef, bool) {
	i := codeIndex(c)
	if i < 0 {
		return IndicatorDef{}, false
	}
	return definition(i), true
}

// definition takes an indicator's name, unit and formula from the
// catalogue (mujun.indicator.<code>, .unit, .formula).
func definition(i int) IndicatorDef {
	c := codeAt(i)
	k := IndicatorKey(c)
	return IndicatorDef{Code: c, Name: msg(k), Unit: msg(k + ".unit"), Formula: msg(k + ".formula")}
}

func codeIndex(c IndicatorCode) int {
	for i := range numCodes {
		if codeAt(i) == c {
			return i
		}
	}
	return -1
}

// divisor converts numerator/denominator in stored units into the display
// unit: value = num ÷ (den × divisor). Dividing by an exact power of ten
// loses less than multiplying by an inexact 1e-4.
func divisor(i int) float64 {
	switch codeAt(i) {
	case TaxPerMu, VAPerMu, RevenuePerMu:
		return 1e4 // fen→万元 is ÷1e6, Mu100→mu is ÷100
	case VAPerEnergy, VAPerEmission:
		return 1e3 // fen→万元 ÷1e6, kg→t ÷1e3
	case LabourProductivity:
		return 1e6 // fen→万元
	case TaxPerKWh:
		return 1e2 // fen→元
	}
	return 1 // R&D intensity: fen ÷ fen
}

func ratio(i int, num, den int64) float64 {
	return float64(num) / (float64(den) * divisor(i))
}

// Opt is a value that may be missing. Missing data is explicit because the
// configured missing-data rule, not a zero, decides its score.
type Opt[T any] struct {
	Value T
	Known bool
}

// Some returns a known value.
func Some[T any](v T) Opt[T] { return Opt[T]{Value: v, Known: true} }

// MarshalJSON writes the value, or null when unknown.
func (o Opt[T]) MarshalJSON() ([]byte, error) {
	if !o.Known {
		return []byte("null"), nil
	}
	return json.Marshal(o.Value)
}

// UnmarshalJSON reads a value; null leaves it unknown.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = Opt[T]{}
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = Some(v)
	return nil
}

// Facts are one enterprise's data for the evaluation year.
type Facts struct {
	EnterpriseID int64  `json:"enterprise_id"`
	RegionCode   string `json:"region_code"`         // district, county or zone (region package)
	ParkCode     string `json:"park_code,omitempty"` // "" when not in a park
	Group        Group  `json:"group"`

	Land        Opt[unit.Mu100] `json:"land_mu100"`
	Tax         Opt[unit.Fen]   `json:"tax_fen"`
	ValueAdded  Opt[unit.Fen]   `json:"value_added_fen"`
	Revenue     Opt[unit.Fen]   `json:"revenue_fen"`
	Energy      Opt[unit.KgCE]  `json:"energy_kgce"`
	Emissions   Opt[int64]      `json:"emissions_kg"`
	Electricity Opt[int64]      `json:"electricity_kwh"`
	Employees   Opt[int64]      `json:"employees"` // annual average
	RD          Opt[unit.Fen]   `json:"rd_fen"`

	Founded time.Time `json:"founded,omitzero"`  // zero when unknown: never exempt as new
	Section string    `json:"section,omitempty"` // GB/T 4754 section letter, e.g. "C", "D"
	Vetoes  []string  `json:"vetoes,omitempty"`  // veto item codes that apply this year
}

// parts returns the numerator and denominator of indicator i in stored
// units; ok is false when either is unknown or the denominator is not
// positive (a ratio over zero land or zero energy has no meaning and falls
// to the missing-data rule).
func (f *Facts) parts(i int) (num, den int64, ok bool) {
	var n, d Opt[int64]
	switch codeAt(i) {
	case TaxPerMu:
		n, d = fen(f.Tax), landOpt(f.Land)
	case VAPerMu:
		n, d = fen(f.ValueAdded), landOpt(f.Land)
	case VAPerEnergy:
		n, d = fen(f.ValueAdded), Opt[int64]{int64(f.Energy.Value), f.Energy.Known}
	case VAPerEmission:
		n, d = fen(f.ValueAdded), f.Emissions
	case LabourProductivity:
		n, d = fen(f.ValueAdded), f.Employees
	case RDIntensity:
		n, d = fen(f.RD), fen(f.Revenue)
	case TaxPerKWh:
		n, d = fen(f.Tax), f.Electricity
	case RevenuePerMu:
		n, d = fen(f.Revenue), landOpt(f.Land)
	}
	if !n.Known || !d.Known || d.Value <= 0 {
		return 0, 0, false
	}
	return n.Value, d.Value, true
}

func fen(o Opt[unit.Fen]) Opt[int64]       { return Opt[int64]{int64(o.Value), o.Known} }
func landOpt(o Opt[unit.Mu100]) Opt[int64] { return Opt[int64]{int64(o.Value), o.Known} }
