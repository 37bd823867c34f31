package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Profile facts for the tiered-cultivation rules (the yearly facts that
// monthly reports do not hold). They are drawn after everything else, from
// their own random stream per firm, so the calibrated core data are
// untouched.
//
// Each firm gets a level on the ladder — the title it holds on the
// assessment date, or for some non-holders the rung above what they hold —
// and facts that meet that level's 2022 criteria with some margin. The
// figures the reports carry (revenue, R&D expense) stay as generated, so a
// holder whose R&D intensity slipped below 3 % fails its re-review as it
// would in life. On top:
//
//   - weak holders: a few holders get one clearly failing fact (the debt
//     ratio, the market share or a scorecard item) and fail re-review;
//   - borderline firms: one key fact sits exactly on its bound (met, the
//     bounds are inclusive) or one unit short of it (not met);
//   - the document's example: the largest 小巨人 has a 20 % share of the
//     world market for its product (seed-figures.md).

// cultivationSeed separates this module's random streams from the core's.
const cultivationSeed = 0xc0171fa7e5eed

// CultivationAsOf is the assessment date the demo data are designed for:
// 30 June after the last data year, so "the prior year" is 2024.
var CultivationAsOf = day(lastYear+1, 6, 30)

// Ladder levels.
const (
	lvNone = iota
	lvInnovative
	lvSpecialized
	lvLittleGiant
	lvChampion
)

// Borderline kinds.
const (
	edgeNone = iota
	edgeOn   // exactly on the bound: met
	edgeOff  // one unit short: not met
)

// profilePlan is what the generator decided for one firm.
type profilePlan struct {
	level int
	weak  bool // a holder that fails its re-review on one fact
	edge  int
	// venture marks young firms with funding rounds (独角兽 lists): 0 none,
	// 1 potential unicorn, 2 unicorn.
	venture int
}

// planProfile chooses a firm's level and quirks.
func (ds *dataset) planProfile(f *firm, r *rand.Rand) profilePlan {
	d := CultivationAsOf
	var p profilePlan
	switch {
	case f.validOn(enterprise.TitleChampion, d):
		p.level = lvChampion
	case f.validOn(enterprise.TitleLittleGiant, d):
		p.level = lvLittleGiant
	case f.validOn(enterprise.TitleSpecialized, d):
		p.level = lvSpecialized
	case f.validOn(enterprise.TitleInnovativeSME, d):
		p.level = lvInnovative
	}
	held := p.level
	// Candidates: some firms are ready for the rung above what they hold.
	switch {
	case held == lvLittleGiant && f.rev[nYears-1] >= 4e8*100 && r.Float64() < 0.4:
		p.level = lvChampion
	case held == lvSpecialized && r.Float64() < 0.25:
		p.level = lvLittleGiant
	case held <= lvInnovative && f.section == 'C' && f.rdInt >= 0.03 && r.Float64() < 0.35:
		p.level = lvSpecialized
	case held == lvNone && f.rdInt > 0 && r.Float64() < 0.25:
		p.level = lvInnovative
	}
	if held > lvNone && held == p.level && r.Float64() < 0.04 {
		p.weak = true
	}
	if p.level > lvNone && r.Float64() < 0.12 {
		// A holder on the edge stays just inside; candidates fall either
		// side.
		p.edge = edgeOn
		if held < p.level {
			p.edge += r.IntN(2)
		}
	}
	if age := CultivationAsOf.Sub(f.founded).Hours() / 24 / 365.25; age < 8.5 && f.sei && r.Float64() < 0.08 {
		p.venture = 1
		if r.Float64() < 0.15 {
			p.venture = 2
		}
	}
	return p
}

// annualRevenue is the firm's operating revenue of year index t as the
// platform sees it: the December report where there is one, else the
// generated annual figure (a below-scale firm's financial statement).
func (f *firm) annualRevenue(t int) (int64, bool) {
	if f.hasRep[t] {
		return f.vals[t][report.Revenue], true
	}
	if f.exists(t) && f.rev[t] > 0 {
		return f.rev[t], false
	}
	return 0, false
}

// profileFacts draws the facts of every firm that exists in the last data
// year, for the years 2021–2024 (the 3-year growth rules reach back to
// 2021). ids are the stored enterprise ids by firm index.
func (ds *dataset) profileFacts(ids []int64) []cultivation.YearFacts {
	var out []cultivation.YearFacts
	// The document's 小巨人 with a 20 % world market share: the largest
	// holder on the assessment date.
	example := -1
	for i, f := range ds.firms {
		if f.validOn(enterprise.TitleLittleGiant, CultivationAsOf) && !f.validOn(enterprise.TitleChampion, CultivationAsOf) &&
			(example < 0 || f.rev[nYears-1] > ds.firms[example].rev[nYears-1]) {
			example = i
		}
	}
	for i, f := range ds.firms {
		if !f.exists(nYears - 1) {
			continue
		}
		r := rand.New(rand.NewPCG(ds.opts.Seed^cultivationSeed, uint64(f.idx)))
		p := ds.planProfile(f, r)
		facts := ds.firmFacts(f, p, i == example, r)
		for k := range facts {
			facts[k].EnterpriseID = ids[i]
			out = append(out, facts[k])
		}
	}
	return out
}

func fenP(v int64) *unit.Fen { x := unit.Fen(v); return &x }
func i64P(v int64) *int64    { return &v }
func boolP(v bool) *bool     { return &v }

// uniform returns a value in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// firmFacts draws one firm's facts.
func (ds *dataset) firmFacts(f *firm, p profilePlan, example bool, r *rand.Rand) []cultivation.YearFacts {
	L := p.level
	var out []cultivation.YearFacts
	// The main-business share: focused firms sell mostly their main product.
	share := uniform(r, 0.5, 0.95)
	if L >= lvInnovative {
		share = uniform(r, 0.92, 0.99)
	}
	margin := uniform(r, 0.78, 0.88) // net over total profit (income tax)
	// Firms at 专精特新 level and above concentrate on their main product:
	// its revenue grows steadily even when other business shrinks, within
	// a share of 50–99.5 % of operating revenue.
	mainGrowth := uniform(r, 0.06, 0.14)
	rev24, _ := f.annualRevenue(nYears - 1)
	for t := 0; t < nYears; t++ {
		rev, reported := f.annualRevenue(t)
		if rev <= 0 {
			continue
		}
		sh := share
		if L >= lvSpecialized && rev24 > 0 {
			main := float64(rev24) * share / math.Pow(1+mainGrowth, float64(nYears-1-t))
			sh = min(0.995, max(0.5, main/float64(rev)))
		}
		var fc cultivation.Facts
		if !reported {
			fc.OperatingRevenue = fenP(rev)
			fc.RDExpense = fenP(int64(math.Round(float64(rev) * f.rdInt)))
		}
		fc.MainBusinessRevenue = fenP(int64(math.Floor(float64(rev) * sh)))
		profit := f.vals[t][report.Profit]
		if !f.hasRep[t] {
			profit = int64(float64(rev) * f.margin)
		}
		net := int64(float64(profit) * margin)
		if profit < 0 {
			net = profit
		}
		fc.NetProfit = fenP(net)
		fc.TotalCost = fenP(max(0, rev-profit))
		if t >= nYears-2 && L >= lvSpecialized {
			fc.DevQualityScore = rules.Ptr(rules.Points(int64(uniform(r, 5600, 8500))))
		}
		if t == nYears-1 {
			ds.yearEndFacts(f, p, example, &fc, r)
		}
		out = append(out, cultivation.YearFacts{Year: baseYear + t, Facts: fc, Source: "demo"})
	}
	return out
}

// yearEndFacts fills the 2024 year-end facts for the firm's level.
func (ds *dataset) yearEndFacts(f *firm, p profilePlan, example bool, fc *cultivation.Facts, r *rand.Rand) {
	L := p.level
	age := int64(CultivationAsOf.Year() - 1 - f.founded.Year())
	emp := int64(f.emp[nYears-1])
	rev := f.rev[nYears-1]

	fc.TotalAssets = fenP(int64(float64(rev) * uniform(r, 0.8, 1.6)))
	debt := uniform(r, 35, 80)
	if L >= lvInnovative {
		debt = uniform(r, 30, 54)
	}
	fc.DebtRatio = i64P(int64(debt * 100))
	rdShare := uniform(r, 0.02, 0.12)
	if L >= lvSpecialized {
		rdShare = uniform(r, 0.2, 0.35)
	}
	if emp > 0 {
		fc.RDStaff = i64P(int64(float64(emp) * rdShare))
		fc.STStaff = i64P(min(emp, int64(float64(emp)*rdShare*1.3)))
	}
	fc.NicheYears = i64P(max(0, age/2))
	if L >= lvSpecialized {
		fc.NicheYears = i64P(max(3, age-int64(r.IntN(3))))
	}
	fc.FieldYears = fc.NicheYears

	// Intellectual property and R&D institutions by level; a third of the
	// unranked firms never filed their IP (unknown, not none).
	switch {
	case L >= lvSpecialized:
		fc.IP = rules.IP{Class1HighValue: i64P(1 + int64(r.IntN(3))), Class1SelfDeveloped: i64P(2 + int64(r.IntN(4))), Class1: i64P(4 + int64(r.IntN(8))),
			Class2: i64P(int64(r.IntN(20))), Class1Applied: i64P(4 + int64(r.IntN(8))), Top3Holder: boolP(L >= lvLittleGiant)}
	case L == lvInnovative:
		fc.IP = rules.IP{Class1SelfDeveloped: i64P(1), Class1: i64P(1 + int64(r.IntN(3))), Class2: i64P(int64(r.IntN(6))), Class1Applied: i64P(1)}
	case r.Float64() < 0.67:
		fc.IP = rules.IP{Class1: i64P(0), Class2: i64P(int64(r.IntN(3)))}
	}
	inst := []rules.Level{rules.LevelNone, rules.LevelMunicipal, rules.LevelProvincial, rules.LevelProvincial, rules.LevelNational}[L]
	if L == lvLittleGiant && r.Float64() < 0.3 {
		inst = rules.LevelNational
	}
	if L == lvNone && r.Float64() < 0.2 {
		inst = rules.LevelBelowMunicipal
	}
	fc.RDInstitution = &inst

	fc.Awards, fc.MakerChina, fc.StandardsLed = []rules.Award{}, []rules.Placement{}, []rules.Standard{}
	fc.Honours = []string{}
	if f.validOn(enterprise.TitleHighTech, CultivationAsOf) {
		fc.Honours = append(fc.Honours, "high_tech")
	}
	if L >= lvLittleGiant && r.Float64() < 0.3 {
		fc.Awards = append(fc.Awards, rules.Award{Level: rules.LevelNational, Rank: 1 + r.IntN(3), Year: 2023, Name: "国家科学技术进步奖"})
	}
	if L >= lvLittleGiant {
		fc.StandardsLed = append(fc.StandardsLed, rules.Standard{Year: 2023, Level: rules.LevelIndustry})
	}
	if L == lvSpecialized && r.Float64() < 0.2 {
		fc.MakerChina = append(fc.MakerChina, rules.Placement{Year: 2023, Rank: 50 + r.IntN(400)})
	}
	fc.EquityFinancing2Y, fc.EquityFinancing3Y = fenP(0), fenP(0)
	fc.Listed = boolP(f.giant || (L == lvChampion && r.Float64() < 0.5))

	// Domain, quality and digital maturity.
	yes := L >= lvSpecialized
	fc.Domain = rules.Domain{SEI: boolP(f.sei), SixBases: boolP(L >= lvLittleGiant), KeyChainLink: boolP(yes), ChainGapRole: boolP(yes),
		TimeHonoured: boolP(false), ChainLeaderSupplier: boolP(yes), ManufacturingPower: boolP(yes && f.section == 'C'),
		CyberPower: boolP(false), NewIndustry: boolP(yes || f.sei)}
	fc.Quality = rules.Quality{QualityAward: boolP(L >= lvLittleGiant), QMSCertified: boolP(L >= lvInnovative || r.Float64() < 0.5),
		OwnBrand: boolP(L >= lvInnovative), StandardsDrafted: boolP(L >= lvSpecialized), IntlProductCert: boolP(L >= lvChampion),
		CoreProcessIT: boolP(L >= lvInnovative)}
	fc.DigitalLevel = i64P([]int64{1 + int64(r.IntN(2)), 2, 3, 3 + int64(r.IntN(2)), 4}[L])

	// Market position.
	switch L {
	case lvChampion:
		fc.MarketShare, fc.NationalRank, fc.GlobalRank = i64P(int64(uniform(r, 2500, 4500))), i64P(1), i64P(1+int64(r.IntN(3)))
		fc.IntlMarketShare = i64P(int64(uniform(r, 1200, 3000)))
		fc.FieldYears = i64P(max(10, age))
	case lvLittleGiant:
		fc.MarketShare, fc.NationalRank, fc.GlobalRank = i64P(int64(uniform(r, 1100, 2500))), i64P(1+int64(r.IntN(3))), i64P(4+int64(r.IntN(12)))
	case lvSpecialized:
		fc.MarketShare, fc.NationalRank = i64P(int64(uniform(r, 300, 900))), i64P(4+int64(r.IntN(15)))
	}

	// Venture-backed young firms for the 独角兽 lists (US$ cents).
	switch p.venture {
	case 2:
		fc.ValuationUSD, fc.CumulativeFinancingUSD = i64P(int64(uniform(r, 1.05e11, 2.5e11))), i64P(int64(uniform(r, 6e9, 3e10)))
	case 1:
		fc.ValuationUSD, fc.CumulativeFinancingUSD = i64P(int64(uniform(r, 1.1e10, 9e10))), i64P(int64(uniform(r, 6e8, 5e9)))
	}
	if p.venture > 0 {
		fc.Listed = boolP(false)
		fc.EquityFinancing2Y = fenP(int64(uniform(r, 2e9, 8e9)))
		fc.EquityFinancing3Y = fenP(int64(*fc.EquityFinancing2Y) + int64(uniform(r, 0, 3e9)))
	}

	if p.weak {
		weaken(fc, p.level, r)
	}
	if p.edge != edgeNone {
		edge(fc, p, r)
	}
	if example {
		// About 10 million units a year, a fifth of the world market.
		fc.IntlMarketShare, fc.GlobalRank = i64P(2000), i64P(2)
	}
}

// weaken breaks one fact a holder's re-review needs.
func weaken(fc *cultivation.Facts, level int, r *rand.Rand) {
	switch level {
	case lvChampion:
		fc.GlobalRank = i64P(5 + int64(r.IntN(5)))
	case lvLittleGiant:
		if r.IntN(2) == 0 {
			fc.DebtRatio = i64P(7200 + int64(r.IntN(800)))
		} else {
			fc.MarketShare = i64P(600 + int64(r.IntN(300)))
		}
	case lvSpecialized:
		fc.NicheYears = i64P(1)
	default:
		// The innovative scorecard: IP lapsed, debt up, no direct route.
		fc.IP = rules.IP{Class1: i64P(0), Class2: i64P(0)}
		fc.DebtRatio = i64P(7800)
		none := rules.LevelNone
		fc.RDInstitution = &none
		fc.Honours = []string{}
	}
}

// edge puts one key fact exactly on its bound, or one unit short.
func edge(fc *cultivation.Facts, p profilePlan, r *rand.Rand) {
	off := int64(0)
	if p.edge == edgeOff {
		off = 1
	}
	switch p.level {
	case lvChampion:
		fc.GlobalRank = i64P(3 + off) // ≤ 3
	case lvLittleGiant:
		if r.IntN(2) == 0 {
			fc.MarketShare = i64P(1000 - off) // ≥ 10 %
		} else {
			fc.DebtRatio = i64P(7000 + off) // ≤ 70 %
		}
	case lvSpecialized:
		fc.NicheYears = i64P(2 - off) // ≥ 2 years
	default:
		// The ¥5 m equity-financing route of 创新型 (a direct route); the
		// scorecard is left without its IP so the route decides.
		fc.IP = rules.IP{Class1: i64P(0), Class2: i64P(0)}
		fc.EquityFinancing3Y = fenP(500*int64(unit.Wan) - off)
		none := rules.LevelMunicipal
		fc.RDInstitution = &none
		fc.Honours = []string{}
	}
	if p.venture == 2 {
		fc.ValuationUSD = i64P(100_000_000_000 - off) // US$1 bn
	}
}

// loadCultivation writes the profile facts, a few thousand rows per
// transaction.
func (ds *dataset) loadCultivation(ctx context.Context, st *sqlstore.Store, ids []int64) (int, error) {
	facts := ds.profileFacts(ids)
	const batch = 5000
	for i := 0; i < len(facts); i += batch {
		if _, err := st.PutProfileFacts(ctx, facts[i:min(i+batch, len(facts))]); err != nil {
			return 0, fmt.Errorf("demo: profile facts: %w", err)
		}
	}
	return len(facts), nil
}

// cultivationRaws builds the screening input straight from the dataset,
// as the store would return it; for tests and benchmarks without a
// database.
func (ds *dataset) cultivationRaws() []cultivation.Raw {
	ids := make([]int64, len(ds.firms))
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	byFirm := map[int64][]cultivation.YearFacts{}
	for _, yf := range ds.profileFacts(ids) {
		byFirm[yf.EnterpriseID] = append(byFirm[yf.EnterpriseID], yf)
	}
	var out []cultivation.Raw
	for i, f := range ds.firms {
		if !f.exists(nYears - 1) {
			continue
		}
		raw := cultivation.Raw{Enterprise: enterprise.Enterprise{ID: ids[i], Name: f.name, CreditCode: f.code, RegionCode: f.region, IndustryCode: f.class, Founded: f.founded}}
		for _, t := range f.titles {
			t.EnterpriseID = ids[i]
			raw.Enterprise.Titles = append(raw.Enterprise.Titles, t)
		}
		for t := 1; t < nYears; t++ {
			if f.exists(t) {
				raw.Years = append(raw.Years, enterprise.Year{EnterpriseID: ids[i], Year: baseYear + t, AboveScale: f.above[t], Employees: f.empOf[t], Revenue: unit.Fen(f.basis[t]), Size: f.sizeOf[t]})
			}
			if f.hasRep[t] {
				v := f.vals[t]
				raw.Annual = append(raw.Annual, cultivation.Annual{Year: baseYear + t, Revenue: unit.Fen(v[report.Revenue]), Profit: unit.Fen(v[report.Profit]),
					RDExpense: unit.Fen(v[report.RDExpense]), Employees: v[report.Employees]})
			}
		}
		raw.Facts = byFirm[ids[i]]
		slices.SortFunc(raw.Facts, func(a, b cultivation.YearFacts) int { return a.Year - b.Year })
		out = append(out, raw)
	}
	return out
}
