package mujun

import (
	"slices"
	"strings"
	"testing"
)

// diffCfg scores tax per mu (against 10) and VA per mu (against 100) with
// weights wTax/wVA and score cut-offs A ≥ 120, B ≥ 80, C ≥ 40, else D.
func diffCfg(version int, wTax, wVA float64) Config {
	cfg := cfgWith(ind(TaxPerMu, wTax, fixed(10), 0, Zero), ind(VAPerMu, wVA, fixed(100), 0, Zero))
	cfg.Version = version
	cfg.Classes.Cutoff = Cutoff{Method: Score, Thresholds: []ClassThreshold{{"A", 120}, {"B", 80}, {"C", 40}, {"D", 0}}}
	return cfg
}

// diffFacts on 10 mu (tax/mu, VA/mu):
//
//	F1: 20, 50   F2: 5, 200   F3: 10, 100
func diffFacts() []Facts {
	f := []Facts{taxFirm(1, 200), taxFirm(2, 50), taxFirm(3, 100)}
	f[0].ValueAdded = Some(wan(500))
	f[1].ValueAdded = Some(wan(2000))
	f[2].ValueAdded = Some(wan(1000))
	return f
}

func TestDiffWeights(t *testing.T) {
	// v1 weights 50/50:
	//   F1 = 50×2 + 50×0.5 = 125 A;  F2 = 50×0.5 + 50×2 = 125 A;  F3 = 100 B
	// v2 weights 80/20:
	//   F1 = 160 + 10 = 170 A;       F2 = 40 + 40 = 80 B;         F3 = 100 B
	old := mustRun(t, diffCfg(1, 50, 50), diffFacts(), nil)
	new := mustRun(t, diffCfg(2, 80, 20), diffFacts(), nil)
	approx(t, "F2 old", ent(t, old, 2).Score, 125)
	approx(t, "F2 new", ent(t, new, 2).Score, 80)

	changes := Diff(old, new)
	if len(changes) != 1 || changes[0].EnterpriseID != 2 {
		t.Fatalf("changes %+v, want only firm 2", changes)
	}
	c := changes[0]
	if c.Kind != Changed || c.OldClass != "A" || c.NewClass != "B" || c.Direction != "down" {
		t.Errorf("change %+v", c)
	}
	// Only the weights changed: the reason says so, not "own score"
	// (issue 12).
	if !slices.Equal(c.Reasons, []Reason{ReasonWeights}) {
		t.Errorf("reasons %v, want only %q", c.Reasons, ReasonWeights)
	}
	// VA per mu: 100 → 40 (−60); tax per mu: 25 → 40 (+15). Largest first.
	if len(c.Drivers) != 2 || c.Drivers[0].Code != VAPerMu || c.Drivers[1].Code != TaxPerMu {
		t.Fatalf("drivers %+v", c.Drivers)
	}
	approx(t, "VA delta", c.Drivers[0].Delta, -60)
	approx(t, "tax delta", c.Drivers[1].Delta, 15)
	if !slices.Equal(c.Drivers[0].Causes, []string{"weight"}) {
		t.Errorf("causes %v", c.Drivers[0].Causes)
	}
	var kinds []string
	for _, cc := range c.ConfigChanges {
		kinds = append(kinds, cc.Kind+":"+string(cc.Indicator))
	}
	if !slices.Equal(kinds, []string{"weight:tax_per_mu", "weight:va_per_mu"}) {
		t.Errorf("config changes %v", kinds)
	}
	for _, want := range []string{"A类（优先发展）→ B类（鼓励提升）", "总分 125 → 80", "亩均增加值 -60（权重 50→20）", "亩均税收权重 50 → 80"} {
		if !strings.Contains(c.Explanation.Zh, want) {
			t.Errorf("zh explanation lacks %q:\n%s", want, c.Explanation.Zh)
		}
	}
	for _, want := range []string{"Class A (Priority development) → B (Encouraged to improve)", "Value added per mu -60 (weight 50→20)", "weight of Tax per mu 50 → 80"} {
		if !strings.Contains(c.Explanation.En, want) {
			t.Errorf("en explanation lacks %q:\n%s", want, c.Explanation.En)
		}
	}
}

func TestDiffBenchmarkAndCutoff(t *testing.T) {
	old := mustRun(t, diffCfg(1, 50, 50), diffFacts(), nil)
	// v2: tax benchmark 10 → 20 halves the tax scores:
	//   F1 = 50 + 25 = 75 C;  F2 = 12.5 + 100 = 112.5 B;  F3 = 25 + 50 = 75 C
	cfg := diffCfg(2, 50, 50)
	cfg.Groups[0].Indicators[0].Benchmark.Value = 20
	new := mustRun(t, cfg, diffFacts(), nil)
	got := map[int64]string{}
	for _, c := range Diff(old, new) {
		got[c.EnterpriseID] = c.OldClass + c.NewClass
		if c.EnterpriseID == 1 {
			if c.Drivers[0].Code != TaxPerMu || !slices.Equal(c.Drivers[0].Causes, []string{"benchmark"}) {
				t.Errorf("F1 drivers %+v", c.Drivers)
			}
			if !strings.Contains(c.Explanation.En, "benchmark of Tax per mu 10 → 20") || !strings.Contains(c.Explanation.Zh, "基准 10→20") {
				t.Errorf("F1 explanation %+v", c.Explanation)
			}
		}
	}
	if want := map[int64]string{1: "AC", 2: "AB", 3: "BC"}; !mapsEqual(got, want) {
		t.Errorf("changes %v, want %v", got, want)
	}

	// Same facts and weights, new cut-offs (A ≥ 130): F1 and F2 (125)
	// drop to B with unchanged scores; the reason is the cut-off.
	cfg = diffCfg(3, 50, 50)
	cfg.Classes.Cutoff.Thresholds[0].MinScore = 130
	new = mustRun(t, cfg, diffFacts(), nil)
	changes := Diff(old, new)
	if len(changes) != 2 {
		t.Fatalf("changes %+v", changes)
	}
	c := changes[0]
	if !slices.Equal(c.Reasons, []Reason{ReasonCutoff}) || len(c.Drivers) != 0 {
		t.Errorf("reasons %v drivers %v", c.Reasons, c.Drivers)
	}
	if !strings.Contains(c.Explanation.En, "class cut-off score lines A ≥120/B ≥80/C ≥40/D < → score lines A ≥130/B ≥80/C ≥40/D <") {
		t.Errorf("explanation %s", c.Explanation.En)
	}
	// The Chinese explanation names the rule, not its code (issue 12).
	if !strings.Contains(c.Explanation.Zh, "分类规则 按分数线 A ≥120") || strings.Contains(c.Explanation.Zh, "score") {
		t.Errorf("zh explanation %s", c.Explanation.Zh)
	}
	if cc := c.ConfigChanges[len(c.ConfigChanges)-1]; cc.Kind != "cutoff" || cc.New != "score A ≥130/B ≥80/C ≥40/D <" {
		t.Errorf("the API keeps the codes: %+v", cc)
	}
}

func mapsEqual(a, b map[int64]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestDiffOthersMovedVetoAndScope(t *testing.T) {
	// Rank shares on 3 firms: A 1, B 1, C 1. Old: 90 A, 60 B, 30 C. New:
	// firm 1 has a forcing veto, firm 3 rises to 70 and firm 4 (10) enters.
	cfg := vetoCfg()
	old := mustRun(t, cfg, firmsScoring(90, 60, 30), nil)
	newFacts := append(firmsScoring(90, 60, 70), taxFirm(4, 10))
	newFacts[0].Vetoes = []string{"safety"}
	new := mustRun(t, cfg, newFacts, nil)
	changes := map[int64]ClassChange{}
	for _, c := range Diff(old, new) {
		changes[c.EnterpriseID] = c
	}
	// New pool (firms 2, 3, 4 without veto): A 3 (70), B 2 (60), C 4 (10).
	if c := changes[1]; c.NewClass != "D" || !slices.Contains(c.Reasons, ReasonVetoAdded) ||
		!strings.Contains(c.Explanation.Zh, "新增否决项：重大安全事故") {
		t.Errorf("firm 1: %+v", c)
	}
	if _, ok := changes[2]; ok {
		t.Errorf("firm 2 stayed B but is listed: %+v", changes[2])
	}
	if c := changes[3]; c.OldClass != "C" || c.NewClass != "A" || c.Direction != "up" || !slices.Equal(c.Reasons, []Reason{ReasonScore}) {
		t.Errorf("firm 3: %+v", c)
	}
	if c := changes[4]; c.Kind != Added || c.NewClass != "C" || !strings.Contains(c.Explanation.En, "Newly in scope") {
		t.Errorf("firm 4: %+v", c)
	}

	// Others moved: firm 2 keeps 60 but firm 3 overtakes it.
	old = mustRun(t, taxOnly(), firmsScoring(90, 60, 30), nil)
	new = mustRun(t, taxOnly(), firmsScoring(90, 60, 70), nil)
	for _, c := range Diff(old, new) {
		if c.EnterpriseID == 2 {
			if !slices.Equal(c.Reasons, []Reason{ReasonOthersMoved}) || !strings.Contains(c.Explanation.Zh, "本企业得分未变") {
				t.Errorf("firm 2: %+v", c)
			}
			return
		}
	}
	t.Error("firm 2 (B → C) not reported")
}

func TestDiffExemption(t *testing.T) {
	// v2 exempts utilities: firm 3 (section D) leaves the ranking for T;
	// with two rated firms left (A 0, B 1, C 1) firm 1 moves A → B.
	facts := firmsScoring(90, 60, 30)
	facts[2].Section = "D"
	old := mustRun(t, taxOnly(), facts, nil)
	cfg := taxOnly()
	cfg.Version = 2
	cfg.Exempt = Exempt{Class: "T", Sections: []string{"D"}}
	new := mustRun(t, cfg, facts, nil)
	got := map[int64]ClassChange{}
	for _, c := range Diff(old, new) {
		got[c.EnterpriseID] = c
	}
	c3 := got[3]
	if c3.OldClass != "C" || c3.NewClass != "T" || c3.Direction != "" || !slices.Contains(c3.Reasons, ReasonNowExempt) {
		t.Errorf("firm 3: %+v", c3)
	}
	if len(c3.ConfigChanges) == 0 || c3.ConfigChanges[0].Kind != "exempt" || !strings.Contains(c3.Explanation.Zh, "本次列为免评企业（免评行业）") {
		t.Errorf("firm 3 explanation: %+v", c3.ConfigChanges)
	}
	if c1 := got[1]; c1.OldClass != "A" || c1.NewClass != "B" || !slices.Equal(c1.Reasons, []Reason{ReasonOthersMoved}) {
		t.Errorf("firm 1: %+v", c1)
	}
}
