package mujun

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestAggregates(t *testing.T) {
	// Region 500101: F1 10 mu, tax 100 万, VA 1000 万 (park P1);
	//                F2 30 mu, tax 200 万, VA 1500 万 (park P1).
	// Region 500102: F3 20 mu, tax 300 万, VA 1000 万 (no park).
	// Scores (tax only, benchmark 10/mu): F1 10/mu → 100; F2 6.667/mu →
	// 66.667; F3 15/mu → 150. Three firms: A 1, B 1, C 1 → F3 A, F1 B, F2 C.
	facts := []Facts{taxFirm(1, 100), taxFirm(2, 200), taxFirm(3, 300)}
	facts[0].ParkCode, facts[1].ParkCode = "P1", "P1"
	facts[1].Land = Some(mu(30))
	facts[2].RegionCode, facts[2].Land = "500102", Some(mu(20))
	for i, va := range []int64{1000, 1500, 1000} {
		facts[i].ValueAdded = Some(wan(va))
	}
	r := mustRun(t, taxOnly(), facts, nil)
	if got := classes(t, r, 1, 2, 3); got != "BCA" {
		t.Fatalf("classes %s", got)
	}
	if len(r.Regions) != 2 {
		t.Fatalf("regions %+v", r.Regions)
	}
	a, b := r.Regions[0], r.Regions[1]
	// 500101: Σ tax 300 万 ÷ Σ land 40 mu = 7.5 万元/亩; Σ VA 2500 ÷ 40 = 62.5
	if a.RegionCode != "500101" || a.Firms != 2 || a.Land != mu(40) || a.Tax != wan(300) || a.ValueAdded != wan(2500) {
		t.Errorf("region 500101 %+v", a)
	}
	approx(t, "tax per mu", a.TaxPerMu, 7.5)
	approx(t, "VA per mu", a.VAPerMu, 62.5)
	approx(t, "mean score", a.MeanScore, (100+200.0/3)/2)
	// 500102: 15 and 50.
	approx(t, "B tax per mu", b.TaxPerMu, 15)
	approx(t, "B VA per mu", b.VAPerMu, 50)
	if a.RankByTaxPerMu != 2 || b.RankByTaxPerMu != 1 || a.RankByVAPerMu != 1 || b.RankByScore != 1 {
		t.Errorf("ranks A %d/%d/%d B %d/%d/%d", a.RankByScore, a.RankByVAPerMu, a.RankByTaxPerMu, b.RankByScore, b.RankByVAPerMu, b.RankByTaxPerMu)
	}
	counts := func(cs []ClassCount) string {
		s := ""
		for _, c := range cs {
			s += c.Class + string(rune('0'+c.Count))
		}
		return s
	}
	if got := counts(a.Classes); got != "A0B1C1D0T0" {
		t.Errorf("region class distribution %s", got)
	}
	if got := counts(r.Total.Classes); got != "A1B1C1D0T0" {
		t.Errorf("total class distribution %s", got)
	}
	if len(r.Parks) != 1 || r.Parks[0].ParkCode != "P1" || r.Parks[0].Firms != 2 || r.Parks[0].RegionCode != "500101" {
		t.Errorf("parks %+v", r.Parks)
	}
	if len(r.RegionsByGroup) != 2 || r.RegionsByGroup[0].Group != AboveScale {
		t.Errorf("regions by group %+v", r.RegionsByGroup)
	}
	// Region ranks within the group: F1 is first of 500101.
	if e := ent(t, r, 1); e.Rank != 2 || e.RegionRank != 1 {
		t.Errorf("F1 rank %d region rank %d", e.Rank, e.RegionRank)
	}
	ranked := r.Ranked(AboveScale, "500101", "")
	if len(ranked) != 2 || ranked[0].EnterpriseID != 1 || ranked[1].EnterpriseID != 2 {
		t.Errorf("ranked %+v", ranked)
	}
}

func TestScopeAndInputErrors(t *testing.T) {
	cfg, _ := Builtin("chongqing_2024")
	facts := []Facts{
		{EnterpriseID: 5, RegionCode: "500101", Group: BelowScale, Land: Some(mu(2)), Tax: Some(wan(10))}, // < 3 mu
		{EnterpriseID: 4, RegionCode: "500101", Group: BelowScale, Tax: Some(wan(10))},                    // land unknown
		{EnterpriseID: 3, RegionCode: "", Group: AboveScale},
		{EnterpriseID: 2, RegionCode: "500101", Group: "tenant"},
		taxFirm(1, 100),
	}
	r := mustRun(t, cfg, facts, nil)
	var reasons []string
	for _, s := range r.Skipped {
		reasons = append(reasons, string(s.Reason))
	}
	if want := []string{"group_invalid", "region_missing", "land_unknown", "below_land_threshold"}; !slices.Equal(reasons, want) {
		t.Errorf("skip reasons %v, want %v (in ID order)", reasons, want)
	}
	if len(r.Enterprises) != 1 {
		t.Errorf("%d evaluated, want 1", len(r.Enterprises))
	}

	// A district configuration skips other districts.
	cfg.EvaluatingUnit = "500102"
	r = mustRun(t, cfg, facts[4:], nil)
	if len(r.Skipped) != 1 || r.Skipped[0].Reason != SkipOutsideUnit {
		t.Errorf("outside unit: %+v", r.Skipped)
	}

	// Duplicate IDs are an input error.
	_, err := Run(taxOnly(), []Facts{taxFirm(1, 10), taxFirm(1, 20)}, nil)
	var re *RunError
	if !errors.Is(err, ErrDuplicateEnterprise) || !errors.As(err, &re) || re.EnterpriseID != 1 {
		t.Errorf("duplicate: %v", err)
	}
}

func TestResultKeepsConfigAndJSON(t *testing.T) {
	cfg := taxOnly()
	r := mustRun(t, cfg, firmsScoring(50, 40), nil)
	// Editing the caller's configuration afterwards does not change the record.
	cfg.Groups[0].Indicators[0].Weight = 1
	if r.Config.Groups[0].Indicators[0].Weight != 100 || r.ConfigID != "test" || r.ConfigVersion != 1 {
		t.Errorf("recorded config %+v", r.Config.Groups[0].Indicators[0])
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, key := range []string{`"config_version":1`, `"enterprise_id":1`, `"capped_score":`, `"rank_by_va_per_mu":`, `"benchmark_from":"config"`} {
		if !strings.Contains(s, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	var back RunResult
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	// A stored result works as a prior run.
	cfg = taxOnly()
	cfg.Year = 2025
	cfg.Groups[0].Indicators[0].Benchmark = Benchmark{Method: PriorMean}
	r2 := mustRun(t, cfg, firmsScoring(50, 40), &back)
	// prior ratio of sums: 90 万 ÷ 20 mu = 4.5 → 5/4.5 × 100
	approx(t, "score against stored prior", ent(t, r2, 1).Score, 500.0/4.5)
}

func TestFactsJSON(t *testing.T) {
	var f Facts
	in := `{"enterprise_id":7,"region_code":"500101","group":"above_scale","land_mu100":1000,"tax_fen":100,"emissions_kg":null,"founded":"2023-01-01T00:00:00Z"}`
	if err := json.Unmarshal([]byte(in), &f); err != nil {
		t.Fatal(err)
	}
	if !f.Land.Known || f.Land.Value != 1000 || f.Emissions.Known || f.ValueAdded.Known || f.Founded.Year() != 2023 {
		t.Errorf("facts %+v", f)
	}
	out, _ := json.Marshal(f)
	if !strings.Contains(string(out), `"value_added_fen":null`) {
		t.Errorf("marshalled %s", out)
	}
}
