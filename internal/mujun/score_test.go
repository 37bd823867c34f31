package mujun

import (
	"testing"
)

func TestFixedBenchmark(t *testing.T) {
	// tax per mu weight 60 against 10 万元/亩; VA per mu weight 40 against 100.
	cfg := cfgWith(ind(TaxPerMu, 60, fixed(10), 0, Zero), ind(VAPerMu, 40, fixed(100), 0, Zero))
	facts := []Facts{
		{EnterpriseID: 1, RegionCode: "500101", Group: AboveScale, Land: Some(mu(10)), Tax: Some(wan(50)), ValueAdded: Some(wan(1000))},
		{EnterpriseID: 2, RegionCode: "500101", Group: AboveScale, Land: Some(mu(10)), Tax: Some(wan(200)), ValueAdded: Some(wan(500))},
		{EnterpriseID: 3, RegionCode: "500101", Group: AboveScale, Land: Some(mu(10)), Tax: Some(wan(100)), ValueAdded: Some(wan(1500))},
	}
	r := mustRun(t, cfg, facts, nil)
	// F1: 5/10 × 60 = 30;  100/100 × 40 = 40 → 70
	// F2: 20/10 × 60 = 120; 50/100 × 40 = 20 → 140
	// F3: 10/10 × 60 = 60;  150/100 × 40 = 60 → 120
	want := map[int64][3]float64{1: {30, 40, 70}, 2: {120, 20, 140}, 3: {60, 60, 120}}
	wantRank := map[int64]int{1: 3, 2: 1, 3: 2}
	for id, w := range want {
		e := ent(t, r, id)
		approx(t, "tax score", e.Indicators[0].Score, w[0])
		approx(t, "va score", e.Indicators[1].Score, w[1])
		approx(t, "total", e.Score, w[2])
		if e.Rank != wantRank[id] {
			t.Errorf("firm %d rank %d, want %d", id, e.Rank, wantRank[id])
		}
	}
	e := ent(t, r, 2)
	approx(t, "value", e.Indicators[0].Value, 20)
	approx(t, "benchmark", e.Indicators[0].Benchmark, 10)
	if gi := r.Groups[0].Indicators[0]; gi.BenchmarkFrom != FromConfig || gi.Benchmark != 10 {
		t.Errorf("group benchmark %+v", gi)
	}
}

// priorRun is a 2023 run with two firms: 10 mu paying 100 万元 (10/mu) and
// 30 mu paying 900 万元 (30/mu). Ratio of sums = 1000/40 = 25 万元/亩;
// firm mean = (10 + 30)/2 = 20.
func priorRun(t *testing.T) RunResult {
	cfg := taxOnly()
	cfg.Year = 2023
	return mustRun(t, cfg, []Facts{
		taxFirm(101, 100),
		{EnterpriseID: 102, RegionCode: "500101", Group: AboveScale, Land: Some(mu(30)), Tax: Some(wan(900))},
	}, nil)
}

// currentFacts are three firms on 10 mu at 25, 50 and 15 万元/亩; this
// year's ratio of sums is 900/30 = 30.
func currentFacts() []Facts { return []Facts{taxFirm(1, 250), taxFirm(2, 500), taxFirm(3, 150)} }

func TestPriorMeanBenchmark(t *testing.T) {
	prior := priorRun(t)
	cases := []struct {
		name  string
		b     Benchmark
		prior *RunResult
		from  string
		want  [3]float64
	}{
		// benchmark 25: 25/25×100 = 100, 50/25×100 = 200, 15/25×100 = 60
		{"ratio of sums from prior run", Benchmark{Method: PriorMean}, &prior, FromPriorRun, [3]float64{100, 200, 60}},
		// benchmark 20: 125, 250, 75
		{"firm mean from prior run", Benchmark{Method: PriorMean, Mean: FirmMean}, &prior, FromPriorRun, [3]float64{125, 250, 75}},
		// no prior, bootstrap from this year: 30 → 83.333, 166.667, 50
		{"current mean bootstrap", Benchmark{Method: PriorMean, NoPrior: UseCurrentMean}, nil, FromCurrentYear, [3]float64{250.0 / 3, 500.0 / 3, 50}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := mustRun(t, cfgWith(ind(TaxPerMu, 100, c.b, 0, Zero)), currentFacts(), c.prior)
			if got := r.Groups[0].Indicators[0].BenchmarkFrom; got != c.from {
				t.Errorf("benchmark from %q, want %q", got, c.from)
			}
			for i, w := range c.want {
				approx(t, "score", ent(t, r, int64(i+1)).Score, w)
			}
		})
	}
}

func TestMeanMultipleBenchmark(t *testing.T) {
	prior := priorRun(t)
	// Huai'an: 2 × prior mean = 2 × 25 = 50 → 25/50×100 = 50, 100, 30.
	b := Benchmark{Method: MeanMultiple, Multiple: 2}
	r := mustRun(t, cfgWith(ind(TaxPerMu, 100, b, 0, Zero)), currentFacts(), &prior)
	for i, w := range []float64{50, 100, 30} {
		approx(t, "score", ent(t, r, int64(i+1)).Score, w)
	}
	approx(t, "benchmark", r.Groups[0].Indicators[0].Benchmark, 50)
}

func TestMinMaxBenchmark(t *testing.T) {
	// Jingde: weight × [20 + 80 × (v − min)/(max − min)] / 100 on tax per mu
	// (weight 30); VA per mu (weight 70) is 100/mu = its benchmark for all.
	cfg := cfgWith(
		ind(TaxPerMu, 30, Benchmark{Method: MinMax, Floor: 20, Range: 80}, 0, Zero),
		ind(VAPerMu, 70, fixed(100), 0, Zero))
	var facts []Facts
	for i, tax := range []int64{100, 200, 300, 500} { // 10, 20, 30, 50 万元/亩
		f := taxFirm(int64(i+1), tax)
		f.ValueAdded = Some(wan(1000))
		facts = append(facts, f)
	}
	r := mustRun(t, cfg, facts, nil)
	// min 10, max 50: t = 0, 0.25, 0.5, 1
	// 30 × (20 + 0)/100 = 6; 30 × (20 + 20)/100 = 12; 30 × 60/100 = 18; 30
	for i, w := range []float64{6, 12, 18, 30} {
		e := ent(t, r, int64(i+1))
		approx(t, "min-max score", e.Indicators[0].Score, w)
		approx(t, "total", e.Score, w+70)
	}
	approx(t, "benchmark is the max", ent(t, r, 1).Indicators[0].Benchmark, 50)
	gi := r.Groups[0].Indicators[0]
	approx(t, "min", gi.Min, 10)
	approx(t, "max", gi.Max, 50)

	// Lower is better mirrors it: t = (max − v)/(max − min) = 1, .75, .5, 0
	// → 30, 24, 18, 6.
	f := false
	cfg.Groups[0].Indicators[0].HigherIsBetter = &f
	r = mustRun(t, cfg, facts, nil)
	for i, w := range []float64{30, 24, 18, 6} {
		approx(t, "lower-is-better min-max", ent(t, r, int64(i+1)).Indicators[0].Score, w)
	}

	// All firms equal: max = min, everyone is at the top: 30 × (20+80)/100.
	for i := range facts {
		facts[i].Tax = Some(wan(100))
	}
	cfg.Groups[0].Indicators[0].HigherIsBetter = nil
	r = mustRun(t, cfg, facts, nil)
	approx(t, "degenerate range", ent(t, r, 3).Indicators[0].Score, 30)
}

func TestCaps(t *testing.T) {
	// Weight 100 against 10 万元/亩 with cap 1.5 → at most 150 points.
	cfg := cfgWith(ind(TaxPerMu, 100, fixed(10), 1.5, Zero))
	facts := []Facts{taxFirm(1, 50), taxFirm(2, 100), taxFirm(3, 150), taxFirm(4, 300), taxFirm(5, -20)}
	r := mustRun(t, cfg, facts, nil)
	// raw 50, 100, 150, 300, −20; capped 50, 100, 150, 150, 0
	raw := []float64{50, 100, 150, 300, -20}
	capped := []float64{50, 100, 150, 150, 0}
	for i := range raw {
		x := ent(t, r, int64(i+1)).Indicators[0]
		approx(t, "raw", x.RawScore, raw[i])
		approx(t, "capped", x.CappedScore, capped[i])
		approx(t, "score", x.Score, capped[i])
	}
	// Firms 3 and 4 tie on 150 and share rank 1.
	if a, b := ent(t, r, 3).Rank, ent(t, r, 4).Rank; a != 1 || b != 1 {
		t.Errorf("capped tie ranks %d, %d; want 1, 1", a, b)
	}
	// Cap 2 lets firm 4 reach 200.
	cfg.Groups[0].Indicators[0].Cap = 2
	r = mustRun(t, cfg, facts, nil)
	approx(t, "cap 2", ent(t, r, 4).Score, 200)
}

// missingFacts: tax weight 60 against 10/mu, VA per tonne of emissions
// weight 40 against 100 万元/t.
//
//	F1: tax 100 万 → 10/mu → 60; VA 1000 万 ÷ 5 t = 200 → 80
//	F2: tax 150 万 → 15/mu → 90; emissions unknown
//	F3: tax  50 万 →  5/mu → 30; VA 500 万 ÷ 10 t = 50 → 20
//	F4: tax 100 万 → 60; emissions known as 0 → no ratio, missing too
func missingFacts() []Facts {
	f := []Facts{taxFirm(1, 100), taxFirm(2, 150), taxFirm(3, 50), taxFirm(4, 100)}
	f[0].ValueAdded, f[0].Emissions = Some(wan(1000)), Some(int64(5000))
	f[1].ValueAdded = Some(wan(1000))
	f[2].ValueAdded, f[2].Emissions = Some(wan(500)), Some(int64(10000))
	f[3].ValueAdded, f[3].Emissions = Some(wan(800)), Some(int64(0))
	return f
}

func TestMissingRules(t *testing.T) {
	cases := []struct {
		rule MissingRule
		// totals of F1..F4
		want [4]float64
	}{
		// F2 = 90 + 0; F4 = 60 + 0
		{Zero, [4]float64{140, 90, 50, 60}},
		// Huangyan: a firm without emissions gets the group's average score
		// on it: (80 + 20)/2 = 50 → F2 = 140, F4 = 110
		{GroupAverage, [4]float64{140, 140, 50, 110}},
		// Drop the indicator and scale: F2 = 90 × 100/60 = 150, F4 = 60 × 100/60 = 100
		{ExcludeAndReweight, [4]float64{140, 150, 50, 100}},
	}
	for _, c := range cases {
		t.Run(string(c.rule), func(t *testing.T) {
			cfg := cfgWith(ind(TaxPerMu, 60, fixed(10), 0, Zero), ind(VAPerEmission, 40, fixed(100), 0, c.rule))
			r := mustRun(t, cfg, missingFacts(), nil)
			for i, w := range c.want {
				approx(t, "total", ent(t, r, int64(i+1)).Score, w)
			}
			x := ent(t, r, 2).Indicators[1]
			if !x.Missing || x.Filled != c.rule || x.RawScore != 0 || x.CappedScore != 0 {
				t.Errorf("missing indicator %+v", x)
			}
			gi := r.Groups[0].Indicators[1]
			if gi.MissingCount != 2 {
				t.Errorf("missing count %d, want 2", gi.MissingCount)
			}
			approx(t, "average score", gi.AverageScore, 50)
			if c.rule == ExcludeAndReweight {
				approx(t, "reweight factor", ent(t, r, 2).ReweightFactor, 100.0/60)
				approx(t, "reweighted tax score", ent(t, r, 2).Indicators[0].Score, 150)
				if f := ent(t, r, 1).ReweightFactor; f != 0 {
					t.Errorf("complete firm reweight factor %v, want 0", f)
				}
			}
		})
	}
}

func TestGroupAverageAllMissing(t *testing.T) {
	// Nobody reports emissions: the average is 0 and nothing fails.
	cfg := cfgWith(ind(TaxPerMu, 60, fixed(10), 0, Zero), ind(VAPerEmission, 40, fixed(100), 0, GroupAverage))
	r := mustRun(t, cfg, []Facts{taxFirm(1, 100), taxFirm(2, 50)}, nil)
	approx(t, "F1", ent(t, r, 1).Score, 60)
	approx(t, "F2", ent(t, r, 2).Score, 30)
}
