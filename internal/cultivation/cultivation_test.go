package cultivation

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/unit"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var asOf = day(2025, 6, 30) // prior year 2024

func registry(t *testing.T) *rules.Registry {
	t.Helper()
	reg, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// gazelleSubject builds a firm whose only data are its 2021 and 2024
// revenues (fen): the Chongqing gazelle rule asks for prior-year revenue ≥
// ¥10 m and a 3-year CAGR ≥ 15 %, plus a reviewer's item.
func gazelleSubject(id int64, name, region string, rev2021, rev2024 int64, titles ...enterprise.Title) Subject {
	p := rules.Profile{Name: name, Titles: []rules.HeldTitle{}}
	if rev2021 > 0 {
		p.OperatingRevenue = p.OperatingRevenue.Set(2021, rev2021).Set(2024, rev2024)
	}
	return Subject{ID: id, Name: name, RegionCode: region, ClusterCode: "C1", Titles: titles, Profile: p}
}

// The hand-made gazelle population. 1000万 × 1.15³ = 1520.875万 exactly, so
// A sits exactly on the 15 % bound (inclusive: met) and B one fen below.
func gazelleSubjects() []Subject {
	const base = 1_000 * int64(unit.Wan)
	const exact = 15_208_750 * 100
	held := enterprise.Title{Kind: enterprise.TitleGazelle, GrantedOn: day(2025, 1, 10), ValidUntil: day(2026, 1, 10)}
	return []Subject{
		gazelleSubject(1, "甲", "500101", base, exact),
		gazelleSubject(2, "乙", "500101", base, exact-1),
		gazelleSubject(3, "丙", "500101", base, 2*base, held),
		gazelleSubject(4, "丁", "500101", base, 900*int64(unit.Wan)),
		gazelleSubject(5, "戊", "500101", 0, 0),
		gazelleSubject(6, "己", "500103", base, 2*base),
	}
}

func TestFunnelAndCandidatesOnHandMadeGazelles(t *testing.T) {
	sc, err := Screen(registry(t), gazelleSubjects(), asOf)
	if err != nil {
		t.Fatal(err)
	}
	ti := -1
	for i, tier := range sc.Tiers {
		if tier.Title == enterprise.TitleGazelle {
			ti = i
		}
	}
	steps := sc.Funnel(Filter{})
	got := steps[ti]
	want := Step{Tier: got.Tier, Holders: 1, PassReview: 1, Qualifying: 2, NearMiss: 1, Unknown: 1, Screened: 6}
	if got != want {
		t.Errorf("gazelle step = %+v, want %+v", got, want)
	}
	// 乙 misses by exactly one condition (the growth), 丁 by two.
	if v := sc.Verdict(1, ti); v.Outcome != rules.StatusNotMet || v.NotMet != 1 || v.Met != 1 {
		t.Errorf("乙 = %+v, want not met by one condition", v)
	}
	if v := sc.Verdict(1, ti); v.Short != 1 || !v.NearMiss() {
		t.Errorf("乙 short by %d, want 1", v.Short)
	}
	if v := sc.Verdict(3, ti); v.NotMet != 2 || v.Short != 2 || v.NearMiss() {
		t.Errorf("丁 = %+v, want two conditions not met", v)
	}
	// Held titles are re-reviewed.
	if v := sc.Verdict(2, ti); !v.Held || v.Kind != rules.KindReview {
		t.Errorf("丙 = %+v, want held and judged as a review", v)
	}

	names := func(cs []Candidate) string {
		var b strings.Builder
		for _, c := range cs {
			b.WriteString(c.Subject.Name)
		}
		return b.String()
	}
	// 己 and 甲 qualify (subject to the reviewer's item); 己 has the larger
	// revenue. 乙 is a near miss. 丙 holds the title, 丁 and 戊 are out.
	all := sc.Candidates(enterprise.TitleGazelle, Filter{}, CandidatesAll)
	if got := names(all); got != "己甲乙" {
		t.Errorf("candidates = %s, want 己甲乙", got)
	}
	if all[0].Rank != 1 || all[2].Rank != 3 || all[0].Verdict.Outcome != rules.StatusManual {
		t.Errorf("ranks %d %d, outcome %v", all[0].Rank, all[2].Rank, all[0].Verdict.Outcome)
	}
	if got := names(sc.Candidates(enterprise.TitleGazelle, Filter{RegionCode: "500101"}, CandidatesAll)); got != "甲乙" {
		t.Errorf("万州 candidates = %s, want 甲乙", got)
	}
	if got := names(sc.Candidates(enterprise.TitleGazelle, Filter{}, CandidatesNear)); got != "乙" {
		t.Errorf("near misses = %s, want 乙", got)
	}
	if got := names(sc.Candidates(enterprise.TitleGazelle, Filter{}, CandidatesQualifying)); got != "己甲" {
		t.Errorf("qualifying = %s, want 己甲", got)
	}
	if got := sc.Funnel(Filter{RegionCode: "500103"})[ti]; got.Qualifying != 1 || got.Screened != 1 || got.Holders != 0 {
		t.Errorf("渝中 step = %+v", got)
	}
}

func TestChooseByDateAndKind(t *testing.T) {
	reg := registry(t)
	lg, _ := TierOf(enterprise.TitleLittleGiant)
	inn, _ := TierOf(enterprise.TitleInnovativeSME)
	cases := []struct {
		tier     Tier
		held     bool
		date     time.Time
		wantID   string
		wantKind rules.Kind
	}{
		{lg, false, asOf, "miit2022_little_giant", rules.KindNew},
		{lg, true, asOf, "miit2022_little_giant", rules.KindReview},
		{lg, true, day(2026, 6, 30), "miit2022_little_giant_review_2026", rules.KindReview},
		{lg, false, day(2026, 6, 30), "miit2026_little_giant", rules.KindNew},
		{lg, true, day(2027, 3, 1), "miit2026_little_giant_review", rules.KindReview},
		{inn, false, asOf, "miit2022_innovative_sme", rules.KindNew},
		// From 2026-04-01 new applications go to the merged tier-1 title.
		{inn, false, day(2026, 6, 30), "miit2026_tech_innovative_sme", rules.KindNew},
		{inn, true, day(2026, 6, 30), "miit2026_innovative_sme_review", rules.KindReview},
	}
	for _, c := range cases {
		rs, k, err := Choose(reg, c.tier, c.held, c.date)
		if err != nil {
			t.Errorf("%s held=%v %s: %v", c.tier.Title, c.held, c.date.Format(time.DateOnly), err)
			continue
		}
		if rs.ID() != c.wantID || k != c.wantKind {
			t.Errorf("%s held=%v %s: %s/%s, want %s/%s", c.tier.Title, c.held, c.date.Format(time.DateOnly), rs.ID(), k, c.wantID, c.wantKind)
		}
	}
}

func TestBuildProfileSources(t *testing.T) {
	fen := func(v int64) *unit.Fen { f := unit.Fen(v); return &f }
	raw := Raw{
		Enterprise: enterprise.Enterprise{ID: 7, Name: "测试精密", CreditCode: "X", Founded: day(2015, 3, 1), Titles: []enterprise.Title{
			{Kind: enterprise.TitleSpecialized, GrantedOn: day(2023, 7, 1), ValidUntil: day(2026, 7, 1)},
			{Kind: enterprise.TitleLittleGiant, GrantedOn: day(2025, 8, 1)}, // after asOf: not yet held
		}},
		Years: []enterprise.Year{{Year: 2023, Employees: 180}, {Year: 2024, Employees: 200}, {Year: 2025, Employees: 999}},
		Annual: []Annual{
			{Year: 2023, Revenue: 100, RDExpense: 5, Employees: 170},
			{Year: 2024, Revenue: 120, RDExpense: 6, Employees: 210},
			{Year: 2025, Revenue: 999, RDExpense: 999},
		},
		Facts: []YearFacts{
			// 2021 has no report: its revenue comes from the facts; 2023's
			// facts revenue loses to the report.
			{Year: 2021, Facts: Facts{OperatingRevenue: fen(80), MainBusinessRevenue: fen(70)}},
			{Year: 2023, Facts: Facts{OperatingRevenue: fen(1), MainBusinessRevenue: fen(90), DebtRatio: rules.Ptr[int64](4000)}},
			{Year: 2024, Facts: Facts{MainBusinessRevenue: fen(110), NetProfit: fen(9), DebtRatio: rules.Ptr[int64](5000), MarketShare: rules.Ptr[int64](2000), Awards: []rules.Award{}}},
			{Year: 2025, Facts: Facts{DebtRatio: rules.Ptr[int64](9900)}}, // after the prior year: ignored
		},
	}
	p := BuildProfile(&raw, asOf)
	if p.Employees == nil || *p.Employees != 200 {
		t.Errorf("employees = %v, want 200 (the 2024 status)", p.Employees)
	}
	check := func(name string, s rules.Series, year int, want int64, ok bool) {
		t.Helper()
		got, has := s.Get(year)
		if has != ok || got != want {
			t.Errorf("%s %d = %d,%v, want %d,%v", name, year, got, has, want, ok)
		}
	}
	check("revenue", p.OperatingRevenue, 2021, 80, true)
	check("revenue", p.OperatingRevenue, 2023, 100, true)
	check("revenue", p.OperatingRevenue, 2024, 120, true)
	check("revenue", p.OperatingRevenue, 2025, 0, false)
	check("rd", p.RDExpense, 2024, 6, true)
	check("main", p.MainBusinessRevenue, 2023, 90, true)
	check("net profit", p.NetProfit, 2024, 9, true)
	check("net profit", p.NetProfit, 2023, 0, false)
	if p.DebtRatio == nil || *p.DebtRatio != 5000 || p.MarketShare == nil || *p.MarketShare != 2000 {
		t.Errorf("year-end facts from 2024 expected: debt %v share %v", p.DebtRatio, p.MarketShare)
	}
	if p.Awards == nil || p.Honours != nil {
		t.Errorf("awards known-empty and honours unknown expected: %v %v", p.Awards, p.Honours)
	}
	if len(p.Titles) != 1 || p.Titles[0].Kind != enterprise.TitleSpecialized {
		t.Errorf("titles = %+v, want the 专精特新 only", p.Titles)
	}
	if p.Founded == nil || p.Founded.String() != "2015-03-01" {
		t.Errorf("founded = %v", p.Founded)
	}
	// No titles at all is "known: none", not unknown.
	if q := BuildProfile(&Raw{}, asOf); q.Titles == nil || q.Employees != nil || q.OperatingRevenue != nil {
		t.Errorf("empty raw: %+v", q)
	}
}

func TestFactsValidate(t *testing.T) {
	bad := []YearFacts{
		{Year: 1999},
		{Year: 2024, Facts: Facts{DebtRatio: rules.Ptr[int64](10001)}},
		{Year: 2024, Facts: Facts{MarketShare: rules.Ptr[int64](-1)}},
		{Year: 2024, Facts: Facts{DigitalLevel: rules.Ptr[int64](5)}},
		{Year: 2024, Facts: Facts{GlobalRank: rules.Ptr[int64](0)}},
		{Year: 2024, Facts: Facts{Awards: []rules.Award{{Level: "galactic", Year: 2024}}}},
	}
	for _, f := range bad {
		if err := f.Validate(); err == nil {
			t.Errorf("%+v: no error", f)
		}
	}
	ok := YearFacts{Year: 2024, Facts: Facts{DebtRatio: rules.Ptr[int64](10000), DigitalLevel: rules.Ptr[int64](4), GlobalRank: rules.Ptr[int64](1)}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid facts: %v", err)
	}
}

func TestEvaluateAndText(t *testing.T) {
	reg := registry(t)
	s := gazelleSubjects()[1] // 乙: one fen short of 15 %
	el, err := Evaluate(reg, s.Profile, nil, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var gaz *TitleEligibility
	for i := range el.Titles {
		if el.Titles[i].Tier.Title == enterprise.TitleGazelle {
			gaz = &el.Titles[i]
		}
	}
	if gaz == nil || gaz.Result == nil || gaz.Result.Outcome != rules.StatusNotMet || len(gaz.Result.WhatIf) != 1 {
		t.Fatalf("gazelle = %+v", gaz)
	}
	// The what-if asks for one more fen of 2024 revenue: 1520.875万 exactly.
	ch := gaz.Result.WhatIf[0].Changes[0]
	if ch.Input != "operating_revenue_fen" || ch.Year != 2024 || ch.Required != 1_520_875_000 || ch.Delta != 1 {
		t.Errorf("what-if change = %+v", ch)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		var b bytes.Buffer
		if err := WriteText(&b, gaz.Result, lang); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		wantGrowth, wantWhatIf := "近3年营业收入复合增长率", "如何达标"
		if lang == "en" {
			wantGrowth, wantWhatIf = "3-year operating-revenue CAGR", "What would meet it"
		}
		for _, w := range []string{wantGrowth, "✗", wantWhatIf, "cq2023_gazelle"} {
			if !strings.Contains(out, w) {
				t.Errorf("%s text lacks %q:\n%s", lang, w, out)
			}
		}
	}
}

func TestDefaultAsOf(t *testing.T) {
	today := day(2026, 11, 30)
	if got := DefaultAsOf(today, 2024); !got.Equal(day(2025, 6, 30)) {
		t.Errorf("2024 data: %v", got)
	}
	if got := DefaultAsOf(today, 2025); !got.Equal(today) {
		t.Errorf("2025 data: %v", got)
	}
	if got := DefaultAsOf(today, 0); !got.Equal(today) {
		t.Errorf("no data: %v", got)
	}
}
