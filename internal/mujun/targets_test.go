package mujun

import (
	"errors"
	"testing"
)

func dy(region string, year int, vals ...DistrictValue) DistrictYear {
	return DistrictYear{RegionCode: region, Year: year, Values: vals}
}

func dv(c IndicatorCode, v float64) DistrictValue { return DistrictValue{Indicator: c, Value: v} }

func TestTargetProgress(t *testing.T) {
	set := Chongqing2027() // base 2022, target 2027
	series := []DistrictYear{
		// District 1, as of 2024 (k = 2 of 5):
		//   VA per mu 100 → expected 100 × 1.04² = 108.16; actual 108.16: on track
		//   tax per mu 10 → expected 10.816; actual 10.8: behind
		//   R&D 0.015 < 2 %: level path 0.015 + 0.005 × 2/5 = 0.017 beats
		//     the pace 0.015 + 0.0014 = 0.0164; actual 0.0171: on track
		//   labour 40 → 50 by 2027: expected 40 + 10 × 2/5 = 44; actual 50: met
		//   energy 3.0 > 2.24: pace 3 × 1.03² = 3.1827; actual 3.1: behind
		//   emissions: no base → no data
		dy("500101", 2022, dv(VAPerMu, 100), dv(TaxPerMu, 10), dv(RDIntensity, 0.015), dv(LabourProductivity, 40), dv(VAPerEnergy, 3)),
		dy("500101", 2024, dv(VAPerMu, 108.16), dv(TaxPerMu, 10.8), dv(RDIntensity, 0.0171), dv(LabourProductivity, 50), dv(VAPerEnergy, 3.1), dv(VAPerEmission, 400)),
		// District 2: VA per mu already above 100 × 1.04⁵ = 121.665: met.
		dy("500102", 2022, dv(VAPerMu, 100)),
		dy("500102", 2024, dv(VAPerMu, 121.7)),
	}
	got, err := TargetProgress(series, set, 2024)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].RegionCode != "500101" {
		t.Fatalf("districts %+v", got)
	}
	want := map[string]TargetStatus{
		"va_per_mu_growth": TargetOnTrack, "tax_per_mu_growth": TargetBehind, "rd_intensity": TargetOnTrack,
		"labour_productivity": TargetMet, "va_per_energy": TargetBehind, "va_per_emission": TargetNoData,
	}
	for _, it := range got[0].Targets {
		if it.Status != want[it.Target] {
			t.Errorf("%s: %s (actual %v, expected %v, goal %v), want %s", it.Target, it.Status, it.Actual, it.Expected, it.Goal, want[it.Target])
		}
		switch it.Target {
		case "va_per_mu_growth":
			approx(t, "expected", it.Expected, 108.16)
			approx(t, "goal", it.Goal, 100*1.04*1.04*1.04*1.04*1.04)
			if len(it.Path) != 6 || it.Path[0].Year != 2022 || !it.Path[2].Actual.Known || it.Path[1].Actual.Known {
				t.Errorf("path %+v", it.Path)
			}
		case "rd_intensity":
			approx(t, "R&D expected", it.Expected, 0.017)
			approx(t, "R&D goal", it.Goal, 0.02)
		case "labour_productivity":
			approx(t, "labour expected", it.Expected, 44)
		case "va_per_energy":
			approx(t, "energy expected", it.Expected, 3*1.03*1.03)
		}
	}
	if s := got[1].Targets[0].Status; s != TargetMet {
		t.Errorf("district 2 VA per mu %s, want met", s)
	}
	if s := got[1].Targets[1].Status; s != TargetNoData {
		t.Errorf("district 2 tax per mu %s, want no_data", s)
	}

	if _, err := TargetProgress(series, set, 2020); !errors.Is(err, ErrTargets) {
		t.Errorf("as-of before base: %v", err)
	}
	bad := set
	bad.Targets = []Target{{Code: "x", Indicator: VAPerMu, AnnualGrowthPct: 4, AnnualStep: 1}}
	if _, err := TargetProgress(series, bad, 2024); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("growth and step: %v", err)
	}
}

func TestDistrictYearsFromRuns(t *testing.T) {
	// Two runs of the same district; VA per mu 100 → 104 is exactly on the
	// 4 % path in 2023.
	cfg := taxOnly()
	cfg.Year = 2022
	f := taxFirm(1, 100)
	f.ValueAdded = Some(wan(1000)) // 100 万元/亩
	r22 := mustRun(t, cfg, []Facts{f}, nil)
	cfg.Year = 2023
	f.ValueAdded = Some(wan(1040))
	r23 := mustRun(t, cfg, []Facts{f}, &r22)
	series := append(r22.DistrictYears(AboveScale), r23.DistrictYears(AboveScale)...)
	got, err := TargetProgress(series, Chongqing2027(), 2023)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].RegionCode != "500101" || got[1].RegionCode != "city" {
		t.Fatalf("regions %+v", got)
	}
	if s := got[0].Targets[0].Status; s != TargetOnTrack {
		t.Errorf("VA per mu %s, want on_track", s)
	}
}
