package mujun

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/unit"
)

// TestHuangyanWorkedExample scores a firm with the published Huangyan 2022
// benchmarks (domain.md §4.1): score = Σ value ÷ benchmark × weight.
func TestHuangyanWorkedExample(t *testing.T) {
	cfg, err := Builtin("huangyan_2022")
	if err != nil {
		t.Fatal(err)
	}
	// Firm 1, 10 mu:
	//   tax 481.94 万元 → 48.194 万元/亩 = 2 × 24.097 → 30 × 2 = 60
	//   VA 1361.6 万元 → 136.16 万元/亩 = 1 × 136.16 → 20
	//   energy 680.8 tce → 1361.6/680.8 = 2 万元/tce → 20 × 2/2.694 = 14.84781
	//   emissions unknown → average 规上 score on it (firm 2 only): 13.80986
	//   100 employees → 13.616 万元/人 → 10 × 13.616/18.14 = 7.50606
	//   R&D 302 万元 of revenue 10,000 万元 = 0.0302 → 10
	// Firm 2 has the same VA on 10 mu and 200 kg of emissions:
	//   1361.6 万元 ÷ 0.2 t = 6808 万元/t → 10 × 6808/4929.81 = 13.80986
	f1 := Facts{EnterpriseID: 1, RegionCode: "331003", Group: AboveScale,
		Land: Some(mu(10)), Tax: Some(unit.Fen(481_940_000)), ValueAdded: Some(unit.Fen(1_361_600_000)),
		Energy: Some(unit.KgCE(680_800)), Employees: Some(int64(100)),
		Revenue: Some(wan(10_000)), RD: Some(wan(302))}
	f2 := Facts{EnterpriseID: 2, RegionCode: "331003", Group: AboveScale,
		Land: Some(mu(10)), Tax: Some(wan(100)), ValueAdded: Some(unit.Fen(1_361_600_000)), Emissions: Some(int64(200))}
	r := mustRun(t, cfg, []Facts{f1, f2}, nil)
	e := ent(t, r, 1)
	emission := 10 * 6808 / 4929.81
	want := []struct {
		code  IndicatorCode
		value float64
		score float64
	}{
		{TaxPerMu, 48.194, 60},
		{VAPerMu, 136.16, 20},
		{VAPerEnergy, 2, 20 * 2 / 2.694},
		{VAPerEmission, 0, emission},
		{LabourProductivity, 13.616, 10 * 13.616 / 18.14},
		{RDIntensity, 0.0302, 10},
	}
	total := 0.0
	for i, w := range want {
		x := e.Indicators[i]
		if x.Code != w.code {
			t.Fatalf("indicator %d is %s, want %s", i, x.Code, w.code)
		}
		approx(t, string(w.code)+" value", x.Value, w.value)
		approx(t, string(w.code)+" score", x.Score, w.score)
		total += w.score
	}
	approx(t, "tax raw score (no cap)", e.Indicators[0].RawScore, 60)
	if x := e.Indicators[3]; !x.Missing || x.Filled != GroupAverage {
		t.Errorf("emissions %+v, want missing and filled by group average", x)
	}
	// 60 + 20 + 14.847810 + 13.809863 + 7.506064 + 10 = 126.163737
	approx(t, "total", e.Score, total)
	approx(t, "total (printed)", e.Score, 126.163737)
	approx(t, "firm 2 emissions", ent(t, r, 2).Indicators[3].Score, emission)
}

func TestHuangyanBelowScale(t *testing.T) {
	cfg, _ := Builtin("huangyan_2022")
	// 5 mu, tax 57.966 万元 → 11.5932/mu = benchmark → 50; 1,000,000 kWh →
	// 579,660 元 / 1e6 kWh = 0.57966 元/kWh → 50 × 0.57966/0.2352 = 123.22704.
	// A 2.5-mu firm is below the 3-mu threshold and skipped.
	f := Facts{EnterpriseID: 1, RegionCode: "331003", Group: BelowScale, Land: Some(mu(5)),
		Tax: Some(unit.Fen(57_966_000)), Electricity: Some(int64(1_000_000))}
	small := Facts{EnterpriseID: 2, RegionCode: "331003", Group: BelowScale, Land: Some(unit.Mu100(250)), Tax: Some(wan(10))}
	r := mustRun(t, cfg, []Facts{f, small}, nil)
	e := ent(t, r, 1)
	approx(t, "tax per mu", e.Indicators[0].Score, 50)
	approx(t, "tax per kWh", e.Indicators[1].Score, 50*0.57966/0.2352)
	if len(r.Skipped) != 1 || r.Skipped[0].Reason != SkipBelowLand {
		t.Errorf("skipped %+v", r.Skipped)
	}
}
