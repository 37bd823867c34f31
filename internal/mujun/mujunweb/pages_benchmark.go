package mujunweb

import (
	"math"
	"strconv"

	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/web"
)

// How a 亩均 score explains itself (issue 14): every indicator's benchmark,
// where it came from, and the cap that lets its points pass its weight, so
// a total above 100 reads as the rule it follows.

type mujunBenchmarkRow struct {
	Group, Indicator, Weight, Cap, Method, Benchmark, Source, SourceURL string
	Code                                                                mujun.IndicatorCode
}

type mujunGroupRule struct {
	Group string
	Rule  string
}

// mujunBenchmarkRows renders a run's stored benchmarks; group "" keeps all.
func (m *module) mujunBenchmarkRows(lang string, cfg *mujun.Config, bs []mujun.RunBenchmark, group mujun.Group) []mujunBenchmarkRow {
	var out []mujunBenchmarkRow
	for _, b := range bs {
		if group != "" && b.Group != group {
			continue
		}
		row := mujunBenchmarkRow{Group: mujunGroupName(lang, cfg, b.Group), Indicator: m.core.T(lang, mujun.IndicatorKey(b.Code)), Code: b.Code,
			Weight: web.FormatNumber(b.Weight, 0), Method: m.core.T(lang, "mujun.method."+string(b.Method)), Benchmark: shownValue(b.Code, b.Benchmark),
			Cap: m.mujunCapText(lang, cfg, b)}
		if b.Code == mujun.RDIntensity {
			row.Benchmark += "%" // the table has no unit column
		}
		switch b.Source {
		case mujun.FromPriorRun, mujun.FromCurrentYear:
			row.Source = m.core.T(lang, "mujun.source."+b.Source, b.SourceRun, b.SourceYear, b.Firms)
		case mujun.FromConfig:
			row.Source = m.core.T(lang, "mujun.source.config")
		default:
			row.Source, row.Benchmark = m.core.T(lang, "mujun.source.none"), "–"
		}
		if b.Source == mujun.FromPriorRun && b.SourceRun != 0 {
			row.SourceURL = "/mujun?run=" + strconv.FormatInt(b.SourceRun, 10)
		}
		out = append(out, row)
	}
	return out
}

// indicatorMax is the most points an indicator can give: cap × weight,
// the top of a min_max range, or +Inf without a cap.
func indicatorMax(cfg *mujun.Config, b mujun.RunBenchmark) float64 {
	if b.Method == mujun.MinMax {
		if ic, ok := mujunIndicatorConfig(cfg, b.Group, b.Code); ok {
			return b.Weight * (ic.Benchmark.Floor + ic.Benchmark.Range) / 100
		}
	}
	if b.Cap > 0 {
		return b.Cap * b.Weight
	}
	return math.Inf(1)
}

func (m *module) mujunCapText(lang string, cfg *mujun.Config, b mujun.RunBenchmark) string {
	top := indicatorMax(cfg, b)
	switch {
	case math.IsInf(top, 1):
		return m.core.T(lang, "mujun.cap.none")
	case b.Method == mujun.MinMax:
		return m.core.T(lang, "mujun.cap.min_max", shortNumber(top))
	}
	return m.core.T(lang, "mujun.cap.limit", shortNumber(b.Cap), shortNumber(top))
}

// mujunGroupRules states, per group, how far a total can go.
func (m *module) mujunGroupRules(lang string, cfg *mujun.Config, bs []mujun.RunBenchmark, group mujun.Group) []mujunGroupRule {
	var out []mujunGroupRule
	for _, g := range cfg.Groups {
		if group != "" && g.Group != group {
			continue
		}
		top, weights, any := 0.0, 0.0, false
		for _, b := range bs {
			if b.Group == g.Group {
				top += indicatorMax(cfg, b)
				weights += b.Weight
				any = true
			}
		}
		if !any {
			continue
		}
		rule := m.core.T(lang, "mujun.score_rule_uncapped", web.FormatNumber(weights, 0))
		switch {
		case math.IsInf(top, 1):
		case top > weights+1e-9:
			rule = m.core.T(lang, "mujun.score_rule", web.FormatNumber(weights, 0), shortNumber(top))
		default:
			rule = m.core.T(lang, "mujun.score_rule_within", web.FormatNumber(weights, 0))
		}
		out = append(out, mujunGroupRule{Group: pickLangText(lang, g.Name), Rule: rule})
	}
	return out
}

func mujunGroupName(lang string, cfg *mujun.Config, g mujun.Group) string {
	for _, gc := range cfg.Groups {
		if gc.Group == g {
			return pickLangText(lang, gc.Name)
		}
	}
	return string(g)
}

func mujunIndicatorConfig(cfg *mujun.Config, g mujun.Group, c mujun.IndicatorCode) (mujun.IndicatorConfig, bool) {
	for _, gc := range cfg.Groups {
		if gc.Group != g {
			continue
		}
		for _, ic := range gc.Indicators {
			if ic.Code == c {
				return ic, true
			}
		}
	}
	return mujun.IndicatorConfig{}, false
}

// shortNumber renders points and multiples without trailing zeros (2, 50,
// 1.5, 119.76).
func shortNumber(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// shownValue prints an indicator value or benchmark on a page. R&D
// intensity is kept as a ratio (0.0302) in the data, the API and the
// exports, under the unit "ratio"; pages print it in percent (3.02), the
// way every policy text and the 2027 target ("≥ 2 %") state it.
func shownValue(code mujun.IndicatorCode, v float64) string {
	if code == mujun.RDIntensity {
		return web.FormatNumber(v*100, 2)
	}
	return web.FormatNumber(v, 4)
}

// shownUnit is the unit shownValue prints in.
func (m *module) shownUnit(lang string, code mujun.IndicatorCode, d mujun.IndicatorDef) string {
	if code == mujun.RDIntensity {
		return "%"
	}
	return web.PickLang(lang, d.Unit.Zh, d.Unit.En)
}
