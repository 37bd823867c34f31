package rules

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/unit"
)

const (
	wan = int64(1_000_000)      // ¥10k in fen
	yi  = int64(10_000_000_000) // ¥100 m in fen
)

func mustBuiltin(t testing.TB) *Registry {
	t.Helper()
	r, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return r
}

func mustGet(t testing.TB, r *Registry, id string) *RuleSet {
	t.Helper()
	rs, err := r.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func eval(t testing.TB, rs *RuleSet, p Profile, d Date, k Kind) Result {
	t.Helper()
	res, err := rs.Evaluate(p, Context{AssessmentDate: d.Time(), Kind: k})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func status(t testing.TB, res Result, id string) Status {
	t.Helper()
	n := res.Find(id)
	if n == nil {
		t.Fatalf("%s: no node %s", res.RuleSet.ID, id)
	}
	return n.Status
}

func series(y1 int, vals ...int64) Series {
	var s Series
	for i, v := range vals {
		s = s.Set(y1-i, v)
	}
	return s
}

func TestSelectFollowsTheAssessmentDate(t *testing.T) {
	r := mustBuiltin(t)
	for _, tc := range []struct {
		title enterprise.TitleKind
		kind  Kind
		date  Date
		want  string
	}{
		{enterprise.TitleSpecialized, KindNew, D(2022, 8, 1), "miit2022_specialized_sme"},
		{enterprise.TitleSpecialized, KindNew, D(2026, 3, 31), "miit2022_specialized_sme"},
		{enterprise.TitleSpecialized, KindNew, D(2026, 4, 1), "miit2026_specialized_sme"},
		{enterprise.TitleSpecialized, KindReview, D(2026, 4, 1), "miit2026_specialized_sme"},
		{enterprise.TitleLittleGiant, KindNew, D(2026, 3, 31), "miit2022_little_giant"},
		{enterprise.TitleLittleGiant, KindNew, D(2026, 4, 1), "miit2026_little_giant"},
		{enterprise.TitleLittleGiant, KindReview, D(2026, 3, 31), "miit2022_little_giant"},
		{enterprise.TitleLittleGiant, KindReview, D(2026, 4, 1), "miit2022_little_giant_review_2026"},
		{enterprise.TitleLittleGiant, KindReview, D(2026, 12, 31), "miit2022_little_giant_review_2026"},
		{enterprise.TitleLittleGiant, KindReview, D(2027, 1, 1), "miit2026_little_giant_review"},
		{enterprise.TitleInnovativeSME, KindNew, D(2026, 3, 31), "miit2022_innovative_sme"},
		{enterprise.TitleInnovativeSME, KindReview, D(2026, 4, 1), "miit2026_innovative_sme_review"},
		{TitleTechInnovativeSME, KindNew, D(2026, 4, 1), "miit2026_tech_innovative_sme"},
		{enterprise.TitleChampion, KindNew, D(2024, 5, 1), "champion2023_single_champion"},
		{enterprise.TitleUnicorn, KindNew, D(2027, 12, 31), "cq2023_unicorn"},
		{enterprise.TitlePotentialUni, KindNew, D(2023, 1, 1), "cq2023_potential_unicorn"},
		{enterprise.TitleGazelle, KindReview, D(2025, 3, 1), "cq2023_gazelle"},
	} {
		rs, err := r.Select(tc.title, tc.kind, tc.date.Time())
		if err != nil {
			t.Errorf("%s %s %s: %v", tc.title, tc.kind, tc.date, err)
			continue
		}
		if rs.ID() != tc.want {
			t.Errorf("%s %s %s: got %s, want %s", tc.title, tc.kind, tc.date, rs.ID(), tc.want)
		}
	}
	for _, tc := range []struct {
		title enterprise.TitleKind
		kind  Kind
		date  Date
	}{
		{enterprise.TitleSpecialized, KindNew, D(2022, 7, 31)},
		{enterprise.TitleInnovativeSME, KindNew, D(2026, 4, 1)},
		{TitleTechInnovativeSME, KindNew, D(2026, 3, 31)},
		{enterprise.TitleLittleGiant, KindNew, D(2022, 7, 31)},
		{enterprise.TitleUnicorn, KindNew, D(2028, 1, 1)},
		{enterprise.TitleHighTech, KindNew, D(2025, 1, 1)},
	} {
		_, err := r.Select(tc.title, tc.kind, tc.date.Time())
		var nf *NotFoundError
		if !errors.As(err, &nf) || !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s %s %s: got %v, want a not-found error", tc.title, tc.kind, tc.date, err)
		}
	}
}

func TestOverlappingRuleSetsFailToLoad(t *testing.T) {
	extra := `{"family": "x", "rule_sets": [{"id": "x_specialized", "extends": "miit2026_specialized_sme",
	  "effective_from": "2030-01-01", "kinds": ["review"]}]}`
	_, err := New(Options{Files: map[string][]byte{"x.json": []byte(extra)}})
	var oe *OverlapError
	if !errors.As(err, &oe) || oe.Kind != KindReview {
		t.Fatalf("got %v, want an overlap error for review", err)
	}
	// Another jurisdiction does not clash, and is never selected.
	extra = strings.Replace(extra, `"effective_from"`, `"jurisdiction": "CN-SC", "effective_from"`, 1)
	r, err := New(Options{Files: map[string][]byte{"x.json": []byte(extra)}})
	if err != nil {
		t.Fatal(err)
	}
	if rs, _ := r.Select(enterprise.TitleSpecialized, KindReview, D(2031, 1, 1).Time()); rs.ID() != "miit2026_specialized_sme" {
		t.Fatalf("selected %s", rs.ID())
	}
}

func TestBadRuleDataFailsToLoad(t *testing.T) {
	for name, body := range map[string]string{
		"unknown metric": `{"id":"c","type":"condition","metric":"nope","op":"min","threshold":"1","inclusive":true,"label":{"zh":"a","en":"a"}}`,
		"no inclusive":   `{"id":"c","type":"condition","metric":"employees","op":"min","threshold":"1"}`,
		"bad threshold":  `{"id":"c","type":"condition","metric":"revenue_prior_year","op":"min","threshold":"1e6","inclusive":true}`,
		"bad level":      `{"id":"c","type":"condition","metric":"rd_institution_level","op":"min","threshold":"county","inclusive":true}`,
		"tiers upward":   `{"id":"s","type":"score","minimum":"60","categories":[{"id":"a","label":{"zh":"a","en":"a"},"indicators":[{"id":"i","max":"10","metric":"employees","tiers":[{"bound":"1","points":"5"},{"bound":"2","points":"10"}]}]}]}`,
		"duplicate id":   `{"id":"a","type":"all_of","label":{"zh":"a","en":"a"},"children":[{"id":"c","type":"condition","metric":"employees","op":"min","threshold":"1","inclusive":true},{"id":"c","type":"condition","metric":"employees","op":"min","threshold":"2","inclusive":true}]}`,
	} {
		f := `{"family":"x","rule_sets":[{"id":"x","policy":{"zh":"p","en":"p"},"title":{"zh":"t","en":"t"},"title_kind":"gazelle",
		  "version":"x","jurisdiction":"CN-XX","effective_from":"2020-01-01","kinds":["new"],"source":"s","criteria":` + body + `}]}`
		_, err := New(Options{Files: map[string][]byte{"x.json": []byte(f)}})
		var le *LoadError
		if !errors.As(err, &le) {
			t.Errorf("%s: got %v, want a LoadError", name, err)
		}
	}
}

// lg2022 meets every data criterion of the 2022 little giant (assessed in
// 2025, prior year 2024) in the ≥ ¥100 m band.
func lg2022() Profile {
	return Profile{
		Employees: Ptr(int64(300)), RDStaff: Ptr(int64(60)), NicheYears: Ptr(int64(5)),
		OperatingRevenue:    series(2024, 2*yi, 18000*wan, 16000*wan),
		MainBusinessRevenue: series(2024, 18000*wan, 16000*wan, 14000*wan),
		RDExpense:           series(2024, 1600*wan, 1000*wan),
		DebtRatio:           Ptr(int64(5000)), MarketShare: Ptr(int64(1500)),
		Quality:       Quality{CoreProcessIT: Ptr(true), QMSCertified: Ptr(true), OwnBrand: Ptr(true)},
		RDInstitution: Ptr(LevelMunicipal),
		IP:            IP{Class1Applied: Ptr(int64(3))},
		Domain:        Domain{KeyChainLink: Ptr(true), ChainGapRole: Ptr(true), SixBases: Ptr(true)},
		Awards:        []Award{}, MakerChina: []Placement{},
	}
}

func TestLittleGiant2022RevenueBands(t *testing.T) {
	rs := mustGet(t, mustBuiltin(t), "miit2022_little_giant")
	d := D(2025, 6, 1)
	res := eval(t, rs, lg2022(), d, KindNew)
	if res.Outcome != StatusManual {
		t.Fatalf("full profile: %s, want manual_review (recognition is manual)", res.Outcome)
	}
	for _, n := range res.Nodes() {
		if n.c.typ == ntCond && n.Status != StatusMet && n.Status != StatusNotApplicable && !strings.HasPrefix(n.ID(), "direct_") {
			t.Errorf("%s: %s", n.ID(), n.Status)
		}
	}
	for _, tc := range []struct {
		name    string
		edit    func(p *Profile)
		band    string
		general Status
	}{
		{"¥100 m exactly, 3 % each year", func(p *Profile) {
			p.OperatingRevenue = series(2024, yi, yi)
			p.RDExpense = series(2024, 300*wan, 300*wan)
		}, "band_100m", StatusMet},
		{"¥100 m, 3 % less 1 fen in the earlier year", func(p *Profile) {
			p.OperatingRevenue = series(2024, yi, yi)
			p.RDExpense = series(2024, 300*wan, 300*wan-1)
		}, "band_100m", StatusNotMet},
		{"1 fen below ¥100 m needs 6 %", func(p *Profile) {
			p.OperatingRevenue = series(2024, yi-1, yi)
			p.RDExpense = series(2024, 300*wan, 300*wan)
		}, "band_50m", StatusNotMet},
		{"¥50 m exactly, 6 % each year", func(p *Profile) {
			p.OperatingRevenue = series(2024, yi/2, yi/2)
			p.RDExpense = series(2024, 300*wan, 300*wan)
		}, "band_50m", StatusMet},
		{"below ¥50 m: financing, R&D total and staff all met", func(p *Profile) {
			p.OperatingRevenue = series(2024, yi/2-1, yi/2)
			p.RDExpense = series(2024, 1500*wan, 1500*wan)
			p.EquityFinancing2Y = Ptr(unit.Fen(8000 * wan))
			p.RDStaff = Ptr(int64(150))
		}, "band_small", StatusMet},
		{"below ¥50 m: financing ¥80 m less 1 fen", func(p *Profile) {
			p.OperatingRevenue = series(2024, yi/2-1, yi/2)
			p.RDExpense = series(2024, 1500*wan, 1500*wan)
			p.EquityFinancing2Y = Ptr(unit.Fen(8000*wan - 1))
			p.RDStaff = Ptr(int64(150))
		}, "band_small", StatusNotMet},
		{"below ¥50 m: R&D staff 49.67 %", func(p *Profile) {
			p.OperatingRevenue = series(2024, yi/2-1, yi/2)
			p.RDExpense = series(2024, 1500*wan, 1500*wan)
			p.EquityFinancing2Y = Ptr(unit.Fen(8000 * wan))
			p.RDStaff = Ptr(int64(149))
		}, "band_small", StatusNotMet},
		{"revenue missing: band unknown", func(p *Profile) { p.OperatingRevenue = nil }, "", StatusUnknown},
	} {
		p := lg2022()
		tc.edit(&p)
		res := eval(t, rs, p, d, KindNew)
		band := res.Find("rd_band")
		for i, b := range band.Children {
			want := StatusNotApplicable
			if b.ID() == tc.band {
				want = b.Status
				if band.lo != int64(i) {
					t.Errorf("%s: selected band %d", tc.name, band.lo)
				}
			}
			if b.Status != want || (b.ID() != tc.band && b.Status != StatusNotApplicable) {
				t.Errorf("%s: band %s is %s", tc.name, b.ID(), b.Status)
			}
		}
		if got := status(t, res, "general"); got != tc.general {
			t.Errorf("%s: general route %s, want %s (%s)", tc.name, got, tc.general, band.Explain().EN)
		}
	}
}

// innov scores exactly 60 on the 2022 innovative-SME card: innovation 20
// (Ⅰ类 10 + R&D 2 % 10), growth 20 (10 % 15 + debt 60 % 5), specialisation
// 20 (not SEI 5 + main share 60 % 15); no direct route.
func innov() Profile {
	return Profile{
		IP:                  IP{Class1HighValue: Ptr(int64(0)), Class1SelfDeveloped: Ptr(int64(0)), Class1: Ptr(int64(1))},
		OperatingRevenue:    series(2024, 1000*wan),
		RDExpense:           series(2024, 20*wan),
		MainBusinessRevenue: series(2024, 600*wan, 600*wan*10/11),
		DebtRatio:           Ptr(int64(6000)),
		Domain:              Domain{SEI: Ptr(false)},
		Awards:              []Award{}, Honours: []string{}, RDInstitution: Ptr(LevelNone), EquityFinancing3Y: Ptr(unit.Fen(0)),
	}
}

func TestInnovative2022Scorecard(t *testing.T) {
	rs := mustGet(t, mustBuiltin(t), "miit2022_innovative_sme")
	d := D(2025, 6, 1)
	res := eval(t, rs, innov(), d, KindNew)
	sc := res.Find("scorecard")
	if lo, hi := sc.Points(); lo != 6000 || hi != 6000 || sc.Status != StatusMet || res.Outcome != StatusMet {
		t.Fatalf("score %d–%d %s, outcome %s: %s", lo, hi, sc.Status, res.Outcome, sc.Explain().ZH)
	}
	for _, tc := range []struct {
		name string
		edit func(p *Profile)
		want Status
	}{
		{"total 55 (main share 59.99 %)", func(p *Profile) { p.MainBusinessRevenue = series(2024, 600*wan-1, 600*wan*10/11) }, StatusNotMet},
		{"innovation 15 < 20 though total 65", func(p *Profile) {
			p.RDExpense = series(2024, 10*wan) // 1 % → 5
			p.DebtRatio = Ptr(int64(5000))     // +5
			p.Domain.SEI = Ptr(true)           // +5
			p.MainBusinessRevenue = series(2024, 700*wan, 700*wan*10/11)
		}, StatusNotMet},
		{"growth 15 exactly", func(p *Profile) {
			p.MainBusinessRevenue = series(2024, 600*wan, 600*wan*100/105) // 5 % → 10
			p.IP.Class1HighValue = Ptr(int64(1))                           // +10
		}, StatusMet},
		{"debt missing: 55–65, still met at the floor", func(p *Profile) { p.DebtRatio = nil; p.Domain.SEI = Ptr(true) }, StatusMet},
		{"debt missing: 55–65 around 60 is unknown", func(p *Profile) { p.DebtRatio = nil }, StatusUnknown},
	} {
		p := innov()
		tc.edit(&p)
		res := eval(t, rs, p, d, KindNew)
		if got := status(t, res, "scorecard"); got != tc.want {
			t.Errorf("%s: scorecard %s, want %s: %s", tc.name, got, tc.want, res.Find("scorecard").Explain().EN)
		}
	}
	// Each direct route alone qualifies a firm whose card fails.
	for name, edit := range map[string]func(p *Profile){
		"award":  func(p *Profile) { p.Awards = []Award{{Level: LevelProvincial, Year: 2023}} },
		"honour": func(p *Profile) { p.Honours = []string{"high_tech"} },
		"high-tech title": func(p *Profile) {
			p.Titles = []HeldTitle{{Kind: enterprise.TitleHighTech, GrantedOn: D(2024, 1, 1), ValidUntil: D(2027, 1, 1)}}
		},
		"institution": func(p *Profile) { p.RDInstitution = Ptr(LevelProvincial) },
		"financing":   func(p *Profile) { p.EquityFinancing3Y = Ptr(unit.Fen(500 * wan)) },
	} {
		p := innov()
		p.RDExpense = series(2024, 0)
		edit(&p)
		res := eval(t, rs, p, d, KindNew)
		if res.Outcome != StatusMet || status(t, res, "scorecard") != StatusNotMet {
			t.Errorf("direct route %s: outcome %s, card %s", name, res.Outcome, status(t, res, "scorecard"))
		}
	}
	// An award older than the window does not count.
	p := innov()
	p.RDExpense = series(2024, 0)
	p.Awards = []Award{{Level: LevelNational, Rank: 1, Year: 2021}}
	if res := eval(t, rs, p, d, KindNew); res.Outcome != StatusNotMet {
		t.Errorf("old award: %s", res.Outcome)
	}
}

func TestScoreBoundaryRuleIsConfigurable(t *testing.T) {
	for _, tc := range []struct {
		bd         Boundary
		debt, want int64
	}{
		{BoundaryLowerInclusive, 5499, 1000}, {BoundaryLowerInclusive, 5500, 500}, {BoundaryLowerInclusive, 7500, 0},
		{BoundaryHigherTier, 5500, 1000}, {BoundaryHigherTier, 5501, 500}, {BoundaryHigherTier, 7500, 500}, {BoundaryHigherTier, 7501, 0},
	} {
		r, err := New(Options{TierBoundary: tc.bd})
		if err != nil {
			t.Fatal(err)
		}
		p := innov()
		p.DebtRatio = Ptr(tc.debt)
		res := eval(t, mustGet(t, r, "miit2022_innovative_sme"), p, D(2025, 6, 1), KindNew)
		if lo, _ := res.Find("scorecard.growth.debt").Points(); lo != tc.want {
			t.Errorf("%s debt %d bp: %d points, want %d", tc.bd, tc.debt, lo, tc.want)
		}
	}
	// Higher-is-better tiers agree under both rules: exactly 3 % scores 15.
	p := innov()
	p.RDExpense = series(2024, 30*wan)
	res := eval(t, mustGet(t, mustBuiltin(t), "miit2022_innovative_sme"), p, D(2025, 6, 1), KindNew)
	if lo, _ := res.Find("scorecard.innovation.rd_ratio").Points(); lo != 1500 {
		t.Errorf("R&D 3 %%: %d", lo)
	}
}

func TestMissingDataIsUnknownAndManualIsManual(t *testing.T) {
	r := mustBuiltin(t)
	for _, info := range r.List() {
		rs := mustGet(t, r, info.ID)
		for _, k := range info.Kinds {
			res := eval(t, rs, Profile{}, inForceDate(rs), k)
			if res.Outcome == StatusMet || res.Outcome == StatusNotMet {
				t.Errorf("%s/%s: empty profile gives %s", info.ID, k, res.Outcome)
			}
			for _, n := range res.Nodes() {
				switch {
				case n.c.typ == ntCond && n.Status != StatusUnknown && n.Status != StatusNotApplicable:
					t.Errorf("%s/%s/%s: %s on an empty profile", info.ID, k, n.ID(), n.Status)
				case n.c.typ == ntManual && n.Status != StatusManual:
					t.Errorf("%s/%s/%s: manual node is %s", info.ID, k, n.ID(), n.Status)
				}
			}
		}
	}
	// Unicorn with every number met is still a manual review (三新).
	rs := mustGet(t, r, "cq2023_unicorn")
	d := D(2026, 6, 1)
	p := Profile{Founded: Ptr(D(2016, 6, 1)), ValuationUSD: Ptr(int64(1_000_000_000_00)), CumulativeFinancingUSD: Ptr(int64(50_000_000_00)), Listed: Ptr(false)}
	if res := eval(t, rs, p, d, KindNew); res.Outcome != StatusManual {
		t.Errorf("unicorn: %s", res.Outcome)
	}
	p.Founded = Ptr(D(2016, 5, 31)) // 10 years and a day
	if res := eval(t, rs, p, d, KindNew); res.Outcome != StatusNotMet || status(t, res, "founded") != StatusNotMet {
		t.Errorf("unicorn founded 10 y + 1 d: %s", res.Outcome)
	}
	p.Founded, p.ValuationUSD = Ptr(D(2016, 6, 2)), nil
	if res := eval(t, rs, p, d, KindNew); res.Outcome != StatusUnknown {
		t.Errorf("unicorn without valuation: %s", res.Outcome)
	}
}

func TestKindSpecificCriteria(t *testing.T) {
	r := mustBuiltin(t)
	rs := mustGet(t, r, "miit2026_little_giant_review")
	res := eval(t, rs, Profile{}, D(2027, 6, 1), KindReview)
	if res.Find("growth") != nil || res.Find("prerequisite") != nil || res.Find("dev_score") != nil || res.Find("dev_score_review") == nil {
		t.Errorf("2026 little-giant review keeps growth/prerequisites or lacks the review score")
	}
	rs = mustGet(t, r, "miit2026_little_giant")
	if _, err := rs.Evaluate(Profile{}, Context{AssessmentDate: time.Now(), Kind: KindReview}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("review on a new-only rule set: %v", err)
	}
	res = eval(t, rs, Profile{}, D(2026, 6, 1), KindNew)
	if res.Find("growth") == nil || res.Find("dev_score_review") != nil {
		t.Errorf("2026 little-giant new lacks growth or has the review score")
	}
	// Either of the last 2 years ≥ 50 at re-review.
	sp := mustGet(t, r, "miit2026_specialized_sme")
	p := Profile{DevQualityScore: PointSeries{{2024, 5000}, {2025, 4999}}}
	if got := status(t, eval(t, sp, p, D(2026, 6, 1), KindReview), "dev_score_review"); got != StatusMet {
		t.Errorf("review score: %s", got)
	}
	if got := status(t, eval(t, sp, p, D(2026, 6, 1), KindNew), "dev_score"); got != StatusNotMet {
		t.Errorf("new score: %s", got)
	}
	p = Profile{DevQualityScore: PointSeries{{2025, 4999}}}
	if got := status(t, eval(t, sp, p, D(2026, 6, 1), KindReview), "dev_score_review"); got != StatusUnknown {
		t.Errorf("review score with one year below: %s, want unknown", got)
	}
}

func TestTier1Merges2022StandardAndTechSME(t *testing.T) {
	rs := mustGet(t, mustBuiltin(t), "miit2026_tech_innovative_sme")
	d := D(2026, 6, 1)
	p := innov()
	p.OperatingRevenue = series(2025, 1000*wan)
	p.RDExpense = series(2025, 20*wan)
	p.MainBusinessRevenue = series(2025, 600*wan, 600*wan*10/11)
	res := eval(t, rs, p, d, KindNew)
	if res.Outcome != StatusMet || status(t, res, "innovative") != StatusMet {
		t.Fatalf("2022 standard via include: %s", res.Outcome)
	}
	if res.Find("innovative.scorecard.innovation.ip") == nil {
		t.Fatalf("included ids are not prefixed")
	}
	tech := Profile{Employees: Ptr(int64(100)), STStaff: Ptr(int64(10)), OperatingRevenue: series(2025, 5000*wan), TotalAssets: Ptr(unit.Fen(3000 * wan)),
		RDExpense: series(2025, 250*wan), TotalCost: series(2025, 4500*wan), IP: IP{Class1: Ptr(int64(0)), Class2: Ptr(int64(2))}}
	// staff 10 % → 4, R&D 5 % → 40, IP 2 × Ⅱ类 → 12: 56
	res = eval(t, rs, tech, d, KindNew)
	if lo, hi := res.Find("tech_score").Points(); lo != 5600 || hi != 5600 {
		t.Fatalf("tech score %d–%d: %s", lo, hi, res.Find("tech_score").Explain().EN)
	}
	tech.IP.Class2 = Ptr(int64(3)) // 18 → 62
	if got := status(t, eval(t, rs, tech, d, KindNew), "tech_score"); got != StatusMet {
		t.Errorf("tech score 62: %s", got)
	}
	tech.STStaff = Ptr(int64(9)) // staff 0 → fails the non-zero rule
	tech.IP.Class1 = Ptr(int64(1))
	if got := status(t, eval(t, rs, tech, d, KindNew), "tech_score"); got != StatusNotMet {
		t.Errorf("tech score with zero staff points: %s", got)
	}
}

func TestWhatIfAmounts(t *testing.T) {
	r := mustBuiltin(t)
	// R&D 1.02 m on revenue 40 m: 3 % needs 1.2 m, +180k.
	rs := mustGet(t, r, "miit2022_specialized_sme")
	p := Profile{OperatingRevenue: series(2025, 4000*wan), RDExpense: series(2025, 102*wan)}
	res := eval(t, rs, p, D(2026, 3, 1), KindNew)
	w := findWhatIf(t, res, "rd_ratio")
	ch := w.Changes[0]
	if ch.Input != "rd_expense_fen" || ch.Year != 2025 || ch.Required != 120*wan || ch.Delta != 18*wan {
		t.Fatalf("R&D what-if %+v", ch)
	}
	txt := w.Text()
	if !strings.Contains(txt.EN, "¥1.2 M (+¥180k) to reach 3 %") || !strings.Contains(txt.ZH, "¥120万（+¥18万），方可达到 3%") {
		t.Errorf("R&D what-if text %q / %q", txt.ZH, txt.EN)
	}
	expl := res.Find("rd_ratio").Explain()
	if expl.ZH != "上年研发费用占营业收入比重 2.55%，要求 ≥ 3%" || expl.EN != "Prior-year R&D intensity 2.55 %, required ≥ 3 %" {
		t.Errorf("explanation %q / %q", expl.ZH, expl.EN)
	}

	// Main-business share 70 % of 100 → 80 % needs main 120 with the other 30 unchanged.
	rs = mustGet(t, r, "miit2026_specialized_sme")
	p = Profile{OperatingRevenue: series(2025, 100*wan), MainBusinessRevenue: series(2025, 70*wan), DebtRatio: Ptr(int64(8100)),
		RDExpense: series(2025, 150*wan, 80*wan)}
	p.OperatingRevenue = p.OperatingRevenue.Set(2024, 4000*wan)
	res = eval(t, rs, p, D(2026, 6, 1), KindNew)
	if ch := findWhatIf(t, res, "main_share").Changes[0]; ch.Required != 120*wan || ch.Delta != 50*wan {
		t.Errorf("main share what-if %+v", ch)
	}
	if ch := findWhatIf(t, res, "debt").Changes[0]; ch.Required != 8000 || ch.Delta != -100 || !strings.Contains(ch.Text().ZH, "需降至 80%（-1%）") {
		t.Errorf("debt what-if %+v %q", ch, ch.Text().ZH)
	}
	// Each year: 2024 needs 100 m … both years fail the ¥1 m and the 3 % rules.
	if w := findWhatIf(t, res, "rd_expense"); len(w.Changes) != 1 || w.Changes[0].Year != 2024 || w.Changes[0].Delta != 20*wan {
		t.Errorf("R&D each year what-if %+v", w.Changes)
	}
	if w := findWhatIf(t, res, "rd_ratio"); len(w.Changes) != 1 || w.Changes[0].Year != 2024 || w.Changes[0].Required != 120*wan {
		t.Errorf("R&D ratio each year what-if %+v", w.Changes) // 2025: 150 of 100 is fine; 2024: 3 % of 4000 = 120
	}

	// Gazelle: 3-year CAGR 15 % from ¥10 m needs ¥15,208,750.
	rs = mustGet(t, r, "cq2023_gazelle")
	p = Profile{OperatingRevenue: series(2025, 1400*wan, 0, 0, 1000*wan)}
	res = eval(t, rs, p, D(2026, 6, 1), KindNew)
	if ch := findWhatIf(t, res, "growth").Changes[0]; ch.Required != 1_520_875_000 || ch.Delta != 120_875_000 {
		t.Errorf("CAGR what-if %+v", ch)
	}
	// The exact requirement meets the rule.
	p.OperatingRevenue = p.OperatingRevenue.Set(2025, 1_520_875_000)
	if got := status(t, eval(t, rs, p, D(2026, 6, 1), KindNew), "growth"); got != StatusMet {
		t.Errorf("CAGR exactly 15 %%: %s", got)
	}
}

func TestScoreWhatIf(t *testing.T) {
	rs := mustGet(t, mustBuiltin(t), "miit2022_innovative_sme")
	p := innov()
	p.RDExpense = series(2024, 25*wan) // 2.5 % → 10, total 55 with growth 5 %
	p.MainBusinessRevenue = series(2024, 600*wan, 600*wan*100/105)
	p.IP.Class1HighValue = Ptr(int64(0))
	res := eval(t, rs, p, D(2025, 6, 1), KindNew)
	if lo, _ := res.Find("scorecard").Points(); lo != 5500 {
		t.Fatalf("score %d: %s", lo, res.Find("scorecard").Explain().ZH)
	}
	var steps []WhatIf
	for _, w := range res.WhatIf {
		if w.Type == "score" {
			steps = append(steps, w)
		}
	}
	// 55 → 60 needs one +5 step: IP, R&D 2.5 % → 3 %, growth 5 % → 10 %, debt, main share.
	if len(steps) == 0 {
		t.Fatalf("no score what-if: %+v", res.WhatIf)
	}
	found := false
	for _, w := range steps {
		if w.PointsAfter < 6000 {
			t.Errorf("step %v reaches only %d", w.Changes, w.PointsAfter)
		}
		for _, ch := range w.Changes {
			if ch.Indicator == "scorecard.innovation.rd_ratio" {
				found = true
				if ch.Required != 30*wan || ch.Delta != 5*wan || ch.PointsFrom != 1000 || ch.PointsTo != 1500 {
					t.Errorf("R&D step %+v", ch)
				}
			}
		}
	}
	if !found {
		var b strings.Builder
		for _, w := range steps {
			b.WriteString(w.Text().EN + "\n")
		}
		t.Errorf("no R&D step among\n%s", b.String())
	}
}

func findWhatIf(t *testing.T, res Result, id string) WhatIf {
	t.Helper()
	for _, w := range res.WhatIf {
		if w.NodeID == id {
			return w
		}
	}
	var ids []string
	for _, w := range res.WhatIf {
		ids = append(ids, w.NodeID)
	}
	t.Fatalf("no what-if for %s among %v", id, ids)
	return WhatIf{}
}

func TestExplanationsCarryValueAndThreshold(t *testing.T) {
	r := mustBuiltin(t)
	rs := mustGet(t, r, "miit2026_little_giant")
	p := Profile{OperatingRevenue: series(2025, 4800*wan), DebtRatio: Ptr(int64(7620)), RDExpense: series(2025, 600*wan, 500*wan)}
	res := eval(t, rs, p, D(2026, 6, 1), KindNew)
	for id, want := range map[string]Text{
		"revenue":  {"上年营业收入 ¥4,800万，要求 ≥ ¥5,000万", "Prior-year operating revenue ¥48 M, required ≥ ¥50 M"},
		"debt":     {"上年末资产负债率 76.2%，要求 ≤ 75%", "Debt-to-asset ratio at the prior year-end 76.2 %, required ≤ 75 %"},
		"rd_total": {"近2年研发费用总额 ¥1,100万，要求 ≥ ¥1,200万", "Total R&D expense over 2 years ¥11 M, required ≥ ¥12 M"},
		"rd_ratio": {"近2年每年研发费用占营业收入比重（取低值）：数据缺失（2024年营业收入），要求 ≥ 3%", "R&D intensity in each of the last 2 years (lower year): data missing (operating revenue 2024), required ≥ 3 %"},
	} {
		if got := res.Find(id).Explain(); got != want {
			t.Errorf("%s:\n got %q / %q\nwant %q / %q", id, got.ZH, got.EN, want.ZH, want.EN)
		}
	}
	if got := res.Find("no_control").Explain().EN; !strings.Contains(got, "needs manual review") {
		t.Errorf("manual explanation %q", got)
	}
}

func TestReminders(t *testing.T) {
	r := mustBuiltin(t)
	titles := []enterprise.Title{
		{EnterpriseID: 7, Kind: enterprise.TitleSpecialized, GrantedOn: D(2023, 7, 1).Time()},
		{EnterpriseID: 7, Kind: enterprise.TitleUnicorn, GrantedOn: D(2025, 4, 1).Time()},
		{EnterpriseID: 7, Kind: enterprise.TitleChampion, GrantedOn: D(2024, 1, 1).Time(), ValidUntil: D(2027, 1, 1).Time()},
		{EnterpriseID: 7, Kind: enterprise.TitleHighTech, GrantedOn: D(2023, 9, 1).Time(), ValidUntil: D(2026, 6, 1).Time()},
	}
	got := r.Reminders(titles, D(2026, 5, 10).Time(), ReminderOptions{})
	type key struct {
		kind  ReminderKind
		title enterprise.TitleKind
		due   string
		left  int
	}
	var keys []key
	for _, rem := range got {
		keys = append(keys, key{rem.Kind, rem.TitleKind, rem.Due.String(), rem.DaysLeft})
		if rem.Text.ZH == "" || rem.Text.EN == "" || !strings.Contains(rem.Text.EN, rem.Due.String()) {
			t.Errorf("reminder text %+v", rem.Text)
		}
	}
	want := []key{
		{ReminderExpired, enterprise.TitleUnicorn, "2026-03-31", -40},
		{ReminderUpdateDue, enterprise.TitleSpecialized, "2026-05-31", 21},
		{ReminderUpdateDue, enterprise.TitleChampion, "2026-05-31", 21},
		{ReminderExpiringSoon, enterprise.TitleHighTech, "2026-05-31", 21},
		{ReminderExpiringSoon, enterprise.TitleSpecialized, "2026-06-30", 51},
		{ReminderReviewDue, enterprise.TitleSpecialized, "2026-06-30", 51},
	}
	if len(keys) != len(want) {
		t.Fatalf("got %+v\nwant %+v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("reminder %d: got %+v, want %+v", i, keys[i], want[i])
		}
	}
	// The specialised-SME review is under the rules in force at expiry.
	for _, rem := range got {
		if rem.Kind == ReminderReviewDue && rem.RuleSetID != "miit2026_specialized_sme" {
			t.Errorf("review rule set %s", rem.RuleSetID)
		}
	}
}

func TestResultJSON(t *testing.T) {
	rs := mustGet(t, mustBuiltin(t), "miit2022_specialized_sme")
	p := Profile{OperatingRevenue: series(2025, 4000*wan), RDExpense: series(2025, 102*wan), LocalPoints: map[string]Points{"cq_local": 1200}}
	res := eval(t, rs, p, D(2026, 3, 1), KindNew)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		RuleSet struct {
			ID string `json:"id"`
		} `json:"rule_set"`
		Outcome  string `json:"outcome"`
		Summary  Text   `json:"summary"`
		Criteria struct {
			Status      string `json:"status"`
			Explanation Text   `json:"explanation"`
			Children    []struct {
				ID       string          `json:"id"`
				Children json.RawMessage `json:"children"`
			} `json:"children"`
		} `json:"criteria"`
		WhatIf []struct {
			NodeID  string `json:"node_id"`
			Text    Text   `json:"text"`
			Changes []struct {
				Required int64 `json:"required"`
				Text     Text  `json:"text"`
			} `json:"changes"`
		} `json:"what_if"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// The root is the SME precondition next to the tier's own conditions.
	if m.RuleSet.ID != rs.ID() || m.Outcome != "not_met" || m.Criteria.Explanation.ZH == "" || len(m.Criteria.Children) != 2 || m.Summary.EN == "" {
		t.Errorf("JSON %s", b)
	}
	var tier []json.RawMessage
	if err := json.Unmarshal(m.Criteria.Children[1].Children, &tier); err != nil || m.Criteria.Children[0].ID != "sme" || m.Criteria.Children[1].ID != "qualify" || len(tier) != 4 {
		t.Errorf("root children %+v: want sme and qualify with 4 conditions (%v)", m.Criteria.Children, err)
	}
	if len(m.WhatIf) == 0 || m.WhatIf[0].NodeID != "rd_ratio" || m.WhatIf[0].Changes[0].Required != 120*wan || m.WhatIf[0].Text.EN == "" {
		t.Errorf("what-if JSON %+v", m.WhatIf)
	}
	if !strings.Contains(string(b), `"R&D`) || !strings.Contains(string(b), `"status":"manual_review"`) == strings.Contains(string(b), `"cq_local"`) {
		// the local item is scored (1200) so it is not manual; R&D is not HTML-escaped
		t.Logf("%s", b)
	}
	if n := res.Find("scorecard.local.cq_local"); n == nil || n.Status != StatusMet {
		t.Errorf("local points input: %+v", n)
	}
}

func TestProfileJSON(t *testing.T) {
	src := `{
	  "name": "示例企业", "founded": "2016-06-01", "employees": 120, "rd_staff": 30,
	  "operating_revenue_fen": {"2025": 4000000000, "2024": 3500000000},
	  "rd_expense_fen": {"2025": 102000000},
	  "debt_ratio_bp": 5500, "niche_years": 4,
	  "ip": {"class1": 2, "top3_holder": true},
	  "rd_institution": "provincial",
	  "awards": [{"level": "provincial", "rank": 2, "year": 2024}],
	  "honours": [], "maker_china": null,
	  "domain": {"sei": true}, "quality": {"qms_certified": true},
	  "dev_quality_score": {"2025": 62.5},
	  "titles": [{"kind": "innovative_sme", "granted_on": "2024-06-01", "valid_until": "2027-06-01"}],
	  "local_points": {"cq_local": 12.5}
	}`
	p, err := DecodeProfile(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := p.OperatingRevenue.Get(2024); v != 3500000000 || p.Honours == nil || p.MakerChina != nil || p.Awards[0].Rank != 2 {
		t.Errorf("decoded %+v", p)
	}
	if v, _ := p.DevQualityScore.Get(2025); v != 6250 || p.LocalPoints["cq_local"] != 1250 {
		t.Errorf("decimal points: %d %d", v, p.LocalPoints["cq_local"])
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := DecodeProfile(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("round trip: %v\n%s", err, b)
	}
	b2, _ := json.Marshal(q)
	if string(b) != string(b2) {
		t.Errorf("round trip changed\n%s\n%s", b, b2)
	}
	for name, bad := range map[string]string{
		"unknown field":   `{"revenue": 1}`,
		"negative":        `{"employees": -1}`,
		"share > 100 %":   `{"debt_ratio_bp": 10001}`,
		"fractional fen":  `{"rd_expense_fen": {"2025": 1.5}}`,
		"staff > total":   `{"employees": 10, "rd_staff": 11}`,
		"main > revenue":  `{"operating_revenue_fen": {"2025": 10}, "main_business_revenue_fen": {"2025": 11}}`,
		"bad award level": `{"awards": [{"level": "galactic", "year": 2024}]}`,
	} {
		var pe *ProfileError
		if _, err := DecodeProfile(strings.NewReader(bad)); !errors.As(err, &pe) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestLocalPointsOverride(t *testing.T) {
	block := `{"id": "cq", "max": "15", "label": {"zh": "重庆特色", "en": "Chongqing"},
	  "indicators": [{"id": "cq_digital", "max": "15", "metric": "digital_level", "tiers": [{"bound": "4", "points": "15"}, {"bound": "3", "points": "8"}]}]}`
	r, err := New(Options{LocalPoints: map[string]json.RawMessage{"miit2022_specialized_sme": json.RawMessage(block)}})
	if err != nil {
		t.Fatal(err)
	}
	res := eval(t, mustGet(t, r, "miit2022_specialized_sme"), Profile{DigitalLevel: Ptr(int64(3))}, D(2025, 6, 1), KindNew)
	if n := res.Find("scorecard.cq.cq_digital"); n == nil {
		t.Fatal("override not applied")
	} else if lo, _ := n.Points(); lo != 800 {
		t.Errorf("local points %d", lo)
	}
	if res.Find("scorecard.local.cq_local") != nil {
		t.Error("the built-in local block is still there")
	}
}

func TestEvaluateIntoReusesAndMatches(t *testing.T) {
	r := mustBuiltin(t)
	profiles := genProfiles(300, 2026)
	d := D(2026, 6, 1)
	for _, rs := range r.InForce(KindNew, d.Time()) {
		var dst Result
		for i := range profiles {
			if err := rs.EvaluateInto(&profiles[i], Context{AssessmentDate: d.Time(), Kind: KindNew}, &dst); err != nil {
				t.Fatal(err)
			}
			fresh := eval(t, rs, profiles[i], d, KindNew)
			a, _ := json.Marshal(dst)
			b, _ := json.Marshal(fresh)
			if string(a) != string(b) {
				t.Fatalf("%s profile %d: reused result differs\n%s\n%s", rs.ID(), i, a, b)
			}
		}
	}
	// Steady state: no allocations for a profile without what-ifs to record.
	rs := mustGet(t, r, "cq2023_gazelle")
	p := Profile{OperatingRevenue: series(2025, 2000*wan, 0, 0, 1000*wan)}
	var dst Result
	ctx := Context{AssessmentDate: d.Time(), Kind: KindNew}
	if n := testing.AllocsPerRun(100, func() { _ = rs.EvaluateInto(&p, ctx, &dst) }); n != 0 {
		t.Errorf("EvaluateInto allocates %.0f times per run", n)
	}
}

func TestListAndInForce(t *testing.T) {
	r := mustBuiltin(t)
	if n := len(r.List()); n != 19 { // 13 titles, 6 rungs of the digital ladder
		t.Errorf("%d rule sets", n)
	}
	var ids []string
	for _, rs := range r.InForce(KindNew, D(2026, 6, 1).Time()) {
		ids = append(ids, rs.ID())
	}
	want := "cq2023_gazelle miit2026_little_giant cq2023_potential_unicorn champion2023_single_champion miit2026_specialized_sme miit2026_tech_innovative_sme cq2023_unicorn"
	if strings.Join(ids, " ") != want {
		t.Errorf("in force: %v", ids)
	}
}
