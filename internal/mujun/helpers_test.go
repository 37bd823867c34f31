package mujun

import (
	"math"
	"testing"

	"github.com/industrybrain/ibrain/internal/unit"
)

// Test conventions: land is 10 mu unless stated, so a tax of T 万元 is T/10
// 万元/亩; wan(x) is x 万元 in fen.

func wan(x int64) unit.Fen { return unit.Fen(x) * unit.Wan }

func mu(x int64) unit.Mu100 { return unit.Mu100(x * 100) }

func ind(code IndicatorCode, weight float64, b Benchmark, cap float64, missing MissingRule) IndicatorConfig {
	return IndicatorConfig{Code: code, Weight: weight, Benchmark: b, Cap: cap, Missing: missing}
}

func fixed(v float64) Benchmark { return Benchmark{Method: Fixed, Value: v} }

func abcd() []ClassDef {
	return []ClassDef{
		{Code: "A", Name: Text{"优先发展", "Priority development"}},
		{Code: "B", Name: Text{"鼓励提升", "Encouraged to improve"}},
		{Code: "C", Name: Text{"监管调控", "Regulated"}},
		{Code: "D", Name: Text{"落后整治", "Lagging"}},
		{Code: "T", Name: Text{"暂不分类", "Not classified"}},
	}
}

func huaian() Cutoff {
	return Cutoff{Method: RankShare, Remainder: "C", Shares: []ClassShare{{"A", 20}, {"B", 40}, {"C", 35}, {"D", 5}}}
}

// cfgWith is a one-group (above-scale) configuration for 2024 with the
// Huai'an 20/40/35/5 shares.
func cfgWith(inds ...IndicatorConfig) Config {
	return Config{
		ID: "test", Version: 1, Year: 2024, EvaluatingUnit: "city", EffectiveFrom: "2025-01-01", Source: "test",
		Groups:  []GroupConfig{{Group: AboveScale, Name: Text{"规上", "Above scale"}, Indicators: inds}},
		Classes: Classes{Defs: abcd(), Cutoff: huaian()},
	}
}

// taxFirm is an above-scale firm on 10 mu paying taxWan 万元 in region 500101.
func taxFirm(id int64, taxWan int64) Facts {
	return Facts{EnterpriseID: id, RegionCode: "500101", Group: AboveScale, Land: Some(mu(10)), Tax: Some(wan(taxWan))}
}

// taxOnly scores tax per mu alone against a fixed benchmark of 10 万元/亩,
// so a firm's score is 10 × its tax per mu (tax in 万元 on 10 mu).
func taxOnly() Config {
	return cfgWith(ind(TaxPerMu, 100, fixed(10), 0, Zero))
}

func mustRun(t *testing.T, cfg Config, facts []Facts, prior *RunResult) RunResult {
	t.Helper()
	res, err := Run(cfg, facts, prior)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func ent(t *testing.T, r RunResult, id int64) EnterpriseResult {
	t.Helper()
	e, ok := r.Enterprise(id)
	if !ok {
		t.Fatalf("enterprise %d not in result", id)
	}
	return e
}

func approx(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.9g, want %.9g", what, got, want)
	}
}

func classes(t *testing.T, r RunResult, ids ...int64) string {
	t.Helper()
	s := ""
	for _, id := range ids {
		s += ent(t, r, id).Class
	}
	return s
}
