// Package reporting is online reporting with review (企业直报): an
// enterprise's monthly report as a submission that passes the validation
// rules (审核规则, versioned data in rules.json), is reviewed by its
// district and, once accepted, becomes the data every figure reads. This
// file is the rule engine: pure, no storage.
package reporting

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Severity says whether a finding blocks a report.
type Severity string

// Severities.
const (
	Error   Severity = "error"   // blocks: the report cannot be submitted or accepted
	Warning Severity = "warning" // must be explained by the submitter
)

// The rule kinds: what a rule checks. Which rules apply, to which fields
// and with which bounds is data (rules.json); a kind is the code that
// reads those parameters.
const (
	KindNonNegative      = "non_negative"
	KindNotBelowPrevious = "not_below_previous"
	KindMaxValue         = "max_value"
	KindHistoryMultiple  = "max_multiple_of_last_year"
	KindSizeCap          = "size_cap"
	KindNotGreaterThan   = "not_greater_than"
	KindYoYBand          = "yoy_band"
	KindMonthJump        = "month_jump"
	KindRatioRange       = "ratio_range"
	KindAboveScale       = "above_scale"
)

var kinds = map[string]bool{KindNonNegative: true, KindNotBelowPrevious: true, KindMaxValue: true, KindHistoryMultiple: true,
	KindSizeCap: true, KindNotGreaterThan: true, KindYoYBand: true, KindMonthJump: true, KindRatioRange: true, KindAboveScale: true}

// Rule is one validation rule with its parameters. Decimal parameters are
// held as integers: Max and Caps in stored units (fen, kgce, persons) per
// field, multiples and percentages × 10⁴.
type Rule struct {
	ID       string
	Kind     string
	Severity Severity
	Fields   []report.Field
	Than     report.Field // the other field of a comparison or ratio
	Max      [report.NumFields]int64
	Caps     map[enterprise.Size][report.NumFields]int64
	Multiple int64 // × 10⁴
	MinPct   int64 // × 10⁴
	MaxPct   int64 // × 10⁴
}

// RuleSet is one version of the rules.
type RuleSet struct {
	Version       string
	EffectiveFrom time.Time
	EffectiveTo   time.Time // zero: open
	Rules         []Rule
}

//go:embed rules.json
var rulesJSON []byte

// RuleSets returns the compiled-in rule sets.
func RuleSets() ([]RuleSet, error) { return ParseRuleSets(rulesJSON) }

// ParseRuleSets reads rule sets from JSON, checking every kind, field and
// parameter, so a typo in the data fails at start-up rather than passing
// every report.
func ParseRuleSets(data []byte) ([]RuleSet, error) {
	var f struct {
		RuleSets []struct {
			Version       string `json:"version"`
			EffectiveFrom string `json:"effective_from"`
			EffectiveTo   string `json:"effective_to"`
			Rules         []struct {
				ID       string            `json:"id"`
				Kind     string            `json:"kind"`
				Severity Severity          `json:"severity"`
				Fields   []string          `json:"fields"`
				Than     string            `json:"than"`
				Max      string            `json:"max"`
				Caps     map[string]string `json:"caps"`
				Multiple string            `json:"multiple"`
				MinPct   string            `json:"min_pct"`
				MaxPct   string            `json:"max_pct"`
			} `json:"rules"`
		} `json:"rule_sets"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("reporting: rules: %w", err)
	}
	var out []RuleSet
	for _, fs := range f.RuleSets {
		rs := RuleSet{Version: fs.Version}
		var err error
		if rs.EffectiveFrom, err = time.Parse(time.DateOnly, fs.EffectiveFrom); err != nil {
			return nil, fmt.Errorf("reporting: rules %s: effective_from %q", fs.Version, fs.EffectiveFrom)
		}
		if fs.EffectiveTo != "" {
			if rs.EffectiveTo, err = time.Parse(time.DateOnly, fs.EffectiveTo); err != nil {
				return nil, fmt.Errorf("reporting: rules %s: effective_to %q", fs.Version, fs.EffectiveTo)
			}
		}
		seen := map[string]bool{}
		for _, fr := range fs.Rules {
			bad := func(what string) error {
				return fmt.Errorf("reporting: rules %s: rule %q: %s", fs.Version, fr.ID, what)
			}
			if fr.ID == "" || seen[fr.ID] {
				return nil, bad("missing or repeated id")
			}
			seen[fr.ID] = true
			if !kinds[fr.Kind] {
				return nil, bad("unknown kind " + fr.Kind)
			}
			if fr.Severity != Error && fr.Severity != Warning {
				return nil, bad("severity must be error or warning")
			}
			r := Rule{ID: fr.ID, Kind: fr.Kind, Severity: fr.Severity}
			for _, c := range fr.Fields {
				fld, ok := FieldByCode(c)
				if !ok {
					return nil, bad("unknown field " + c)
				}
				r.Fields = append(r.Fields, fld)
			}
			if fr.Kind != KindAboveScale && len(r.Fields) == 0 {
				return nil, bad("no fields")
			}
			if fr.Than != "" {
				fld, ok := FieldByCode(fr.Than)
				if !ok {
					return nil, bad("unknown field " + fr.Than)
				}
				r.Than = fld
			} else if fr.Kind == KindNotGreaterThan || fr.Kind == KindRatioRange {
				return nil, bad("needs than")
			}
			scaled := func(s string, scale int64, name string) (int64, error) {
				if s == "" {
					return 0, bad("needs " + name)
				}
				v, err := unit.ParseScaled(s, scale)
				if err != nil {
					return 0, bad(name + ": " + err.Error())
				}
				return v, nil
			}
			switch fr.Kind {
			case KindMaxValue:
				for _, fld := range r.Fields {
					if r.Max[fld], err = scaled(fr.Max, report.Fields[fld].FileScale, "max"); err != nil {
						return nil, err
					}
				}
			case KindSizeCap:
				r.Caps = map[enterprise.Size][report.NumFields]int64{}
				for size, s := range fr.Caps {
					var caps [report.NumFields]int64
					for _, fld := range r.Fields {
						if caps[fld], err = scaled(s, report.Fields[fld].FileScale, "caps"); err != nil {
							return nil, err
						}
					}
					r.Caps[enterprise.Size(size)] = caps
				}
			case KindHistoryMultiple, KindMonthJump:
				if r.Multiple, err = scaled(fr.Multiple, 10000, "multiple"); err != nil {
					return nil, err
				}
			case KindYoYBand, KindRatioRange:
				if r.MinPct, err = scaled(fr.MinPct, 10000, "min_pct"); err != nil {
					return nil, err
				}
				if r.MaxPct, err = scaled(fr.MaxPct, 10000, "max_pct"); err != nil {
					return nil, err
				}
			}
			rs.Rules = append(rs.Rules, r)
		}
		out = append(out, rs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].EffectiveFrom.Before(out[j].EffectiveFrom) })
	return out, nil
}

// RuleSetFor returns the rule set in force for a period's first day.
func RuleSetFor(sets []RuleSet, p report.Period) (RuleSet, error) {
	day := time.Date(p.Year, time.Month(p.Month), 1, 0, 0, 0, 0, time.UTC)
	var found *RuleSet
	for i, s := range sets {
		if !day.Before(s.EffectiveFrom) && (s.EffectiveTo.IsZero() || day.Before(s.EffectiveTo)) {
			found = &sets[i] // the latest effective_from wins
		}
	}
	if found == nil {
		return RuleSet{}, apperr.New(apperr.Invalid, "reporting.err.no_rules", p.String())
	}
	return *found, nil
}

// FieldByCode finds a report field by its code.
func FieldByCode(code string) (report.Field, bool) {
	for _, f := range report.Fields {
		if f.Code == code {
			return f.Field, true
		}
	}
	return 0, false
}

// History is what the rules compare a report with: the firm's accepted
// reports around it and its yearly status.
type History struct {
	Prev        *report.Values // the accepted previous month of the same year; nil for 1–2月 or none
	LastYear    *report.Values // the accepted same month a year earlier
	Size        enterprise.Size
	StatusKnown bool // the firm has a yearly record for the report's year
	AboveScale  bool
}

// Finding is one rule's verdict on one field, with the values it used, so
// it can explain itself.
type Finding struct {
	Key      string   `json:"key"` // rule id + field code: what an explanation answers
	Rule     string   `json:"rule"`
	Kind     string   `json:"kind"`
	Severity Severity `json:"severity"`
	Field    string   `json:"field"`
	Args     []string `json:"args"`                  // the values used, formatted in file units
	Explain  string   `json:"explanation,omitempty"` // the submitter's explanation of a warning
}

// Evaluate runs every rule of the set on a report. Findings come in rule
// order, then field order.
func (rs RuleSet) Evaluate(p report.Period, v report.Values, h History) []Finding {
	var out []Finding
	for _, r := range rs.Rules {
		add := func(f report.Field, args ...string) {
			out = append(out, Finding{Key: r.ID + "." + report.Fields[f].Code, Rule: r.ID, Kind: r.Kind, Severity: r.Severity,
				Field: report.Fields[f].Code, Args: args})
		}
		if r.Kind == KindAboveScale {
			if !h.StatusKnown || !h.AboveScale {
				out = append(out, Finding{Key: r.ID, Rule: r.ID, Kind: r.Kind, Severity: r.Severity, Args: []string{fmt.Sprint(p.Year)}})
			}
			continue
		}
		for _, f := range r.Fields {
			x := v[f]
			switch r.Kind {
			case KindNonNegative:
				if x < 0 {
					add(f, fv(f, x))
				}
			case KindNotBelowPrevious:
				if h.Prev != nil && x < h.Prev[f] {
					add(f, fv(f, x), fv(f, h.Prev[f]), fmt.Sprint(p.Month-1))
				}
			case KindMaxValue:
				if x > r.Max[f] || x < -r.Max[f] {
					add(f, fv(f, x), fv(f, r.Max[f]))
				}
			case KindHistoryMultiple:
				// x > multiple × last year, exactly: x × 10⁴ > multiple × ly.
				if h.LastYear != nil && h.LastYear[f] > 0 && cmpMul(x, 10000, h.LastYear[f], r.Multiple) > 0 {
					add(f, fv(f, x), fv(f, h.LastYear[f]), pct(r.Multiple))
				}
			case KindSizeCap:
				caps, ok := r.Caps[h.Size]
				if !ok {
					caps = r.Caps[""]
				}
				if x > caps[f] {
					add(f, fv(f, x), fv(f, caps[f]), string(h.Size))
				}
			case KindNotGreaterThan:
				if x > v[r.Than] {
					add(f, fv(f, x), fv(r.Than, v[r.Than]), report.Fields[r.Than].Code)
				}
			case KindYoYBand:
				ly := int64(0)
				if h.LastYear != nil {
					ly = h.LastYear[f]
				}
				// growth% = (x − ly)/ly × 100, outside [min, max] when
				// (x − ly) × 100 × 10⁴ < min × ly (or > max × ly).
				if ly > 0 {
					d := new(big.Int).Sub(big.NewInt(x), big.NewInt(ly))
					if cmpBig(d, 100*10000, ly, r.MinPct) < 0 || cmpBig(d, 100*10000, ly, r.MaxPct) > 0 {
						add(f, fv(f, x), fv(f, ly), growth(d, ly), pct(r.MinPct), pct(r.MaxPct))
					}
				}
			case KindMonthJump:
				// This month's single value against the average month so
				// far: prev covers months 1..m−1.
				if h.Prev != nil && p.Month > 2 && h.Prev[f] > 0 {
					single := x - h.Prev[f]
					months := int64(p.Month - 1)
					// single > multiple × prev/months ⇔ single × months × 10⁴ > multiple × prev
					if cmpBig(big.NewInt(single), months*10000, h.Prev[f], r.Multiple) > 0 {
						add(f, fv(f, single), fv(f, h.Prev[f]/months), pct(r.Multiple))
					}
				}
			case KindRatioRange:
				den := v[r.Than]
				if den > 0 {
					n := big.NewInt(x)
					if cmpBig(n, 100*10000, den, r.MinPct) < 0 || cmpBig(n, 100*10000, den, r.MaxPct) > 0 {
						add(f, fv(f, x), fv(r.Than, den), growth(new(big.Int).Add(n, big.NewInt(-den)), den, 100), pct(r.MinPct), pct(r.MaxPct), report.Fields[r.Than].Code)
					}
				}
			}
		}
	}
	return out
}

// cmpMul compares a × sa with b × sb exactly.
func cmpMul(a, sa, b, sb int64) int {
	return cmpBig(big.NewInt(a), sa, b, sb)
}

// cmpBig compares a × sa with b × sb exactly.
func cmpBig(a *big.Int, sa, b, sb int64) int {
	l := new(big.Int).Mul(a, big.NewInt(sa))
	r := new(big.Int).Mul(big.NewInt(b), big.NewInt(sb))
	return l.Cmp(r)
}

// fv formats a stored value in its file unit.
func fv(f report.Field, v int64) string { return unit.FormatScaled(v, report.Fields[f].FileScale) }

// pct formats a × 10⁴ decimal.
func pct(v int64) string { return unit.FormatScaled(v, 10000) }

// growth formats d/base × 100 (a percentage) to one decimal; add shifts
// the result (a ratio is (x−den)/den + 100).
func growth(d *big.Int, base int64, add ...int64) string {
	r := new(big.Rat).SetFrac(new(big.Int).Mul(d, big.NewInt(100)), big.NewInt(base))
	for _, a := range add {
		r.Add(r, new(big.Rat).SetInt64(a))
	}
	return r.FloatString(1)
}

// Blocking reports whether findings hold a hard error.
func Blocking(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Unexplained lists the keys of warnings without an explanation.
func Unexplained(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == Warning && f.Explain == "" {
			out = append(out, f.Key)
		}
	}
	return out
}

// Explain attaches explanations (by finding key) to the warnings.
func Explain(fs []Finding, explanations map[string]string) {
	for i := range fs {
		if fs[i].Severity == Warning {
			fs[i].Explain = explanations[fs[i].Key]
		}
	}
}

// Text renders the finding in a language ("zh-CN" or "en") with the
// values it used; the texts are data in internal/i18n/reporting.*.json.
func (f Finding) Text(lang string) string {
	pairs := rulePairs()
	i := 1
	if lang == "zh-CN" || lang == "zh" {
		i = 0
	}
	args := make([]any, 0, len(f.Args)+2)
	name := ""
	if fld, ok := FieldByCode(f.Field); ok {
		name = report.Fields[fld].NameEn
		if i == 0 {
			name = report.Fields[fld].NameZh
		}
		args = append(args, name, fileUnit(fld, i == 0))
	} else {
		args = append(args, "", "")
	}
	for _, a := range f.Args {
		if fld, ok := FieldByCode(a); ok { // a field named as a value: its name
			a = report.Fields[fld].NameEn
			if i == 0 {
				a = report.Fields[fld].NameZh
			}
		}
		args = append(args, a)
	}
	text, ok := pairs["reporting.rule."+f.Kind]
	if !ok {
		return f.Key
	}
	return fmt.Sprintf(text[i], args...)
}

func fileUnit(f report.Field, zh bool) string {
	if zh {
		return report.Fields[f].FileUnitZh
	}
	return report.Fields[f].FileUnitEn
}

// rulePairs is {zh-CN, en} of every rule text, read once from the
// compiled-in catalogue.
var rulePairs = sync.OnceValue(func() map[string][2]string { return i18n.Pairs("reporting") })
