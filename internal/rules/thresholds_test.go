package rules

import (
	"fmt"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// inForceDate returns a day on which rs is in force.
func inForceDate(rs *RuleSet) Date {
	d := rs.info.EffectiveFrom.AddDays(100)
	if !rs.info.EffectiveTo.IsZero() && rs.info.EffectiveTo.Before(d) {
		d = rs.info.EffectiveFrom
	}
	return d
}

// synth builds a profile whose metric value lies exactly at the threshold
// (pos 0), just below (−1) or just above (+1): one base unit away, or one
// day/fen where the metric is derived. ok is false when the metric cannot
// take that value.
func synth(c *crit, thr int64, pos int64, d Date) (Profile, bool) {
	y1 := d.Year() - 1
	v := thr + pos
	var p Profile
	s := func(vals ...int64) Series {
		var out Series
		for i, x := range vals {
			out = out.Set(y1-i, x)
		}
		return out
	}
	switch c.m.name {
	case "founded_years":
		if thr%100 != 0 {
			return p, false
		}
		f := d.AddYears(-int(thr / 100)).AddDays(-int(pos)) // older by one day is above
		p.Founded = &f
	case "employees":
		p.Employees = Ptr(v)
	case "rd_staff_share":
		p.Employees, p.RDStaff = Ptr(int64(10000)), Ptr(v)
	case "st_staff_share":
		p.Employees, p.STStaff = Ptr(int64(10000)), Ptr(v)
	case "total_assets":
		p.TotalAssets = Ptr(fenOf(v))
	case "debt_ratio":
		p.DebtRatio = Ptr(v)
	case "revenue_prior_year":
		p.OperatingRevenue = s(v)
	case "revenue_cagr_2y":
		base := int64(100_000_000)
		p.OperatingRevenue = s((10000+thr)*(10000+thr)+pos, 0, base)
	case "revenue_cagr_3y":
		base := int64(1_000_000_000_000)
		p.OperatingRevenue = s((10000+thr)*(10000+thr)*(10000+thr)+pos, 0, 0, base)
	case "main_business_share":
		p.OperatingRevenue, p.MainBusinessRevenue = s(10000), s(v)
	case "main_revenue_growth_prior_year":
		p.MainBusinessRevenue = s(10000+v, 10000)
	case "main_revenue_growth_avg_2y":
		m := int64(100_000_000)
		p.MainBusinessRevenue = s(m+2*thr*10000+pos, m, m)
	case "main_revenue_avg_3y":
		p.MainBusinessRevenue = s(thr+pos, thr, thr)
	case "net_profit_margin_prior_year":
		p.OperatingRevenue, p.NetProfit = s(10000), s(v)
	case "rd_expense_prior_year":
		p.RDExpense = s(v)
	case "rd_expense_min_2y":
		p.RDExpense = s(v, thr+10)
	case "rd_expense_avg_2y":
		p.RDExpense = s(v, thr)
	case "rd_total_2y":
		p.RDExpense = s(thr-thr/2+pos, thr/2)
	case "rd_ratio_prior_year":
		p.OperatingRevenue, p.RDExpense = s(10000), s(v)
	case "rd_ratio_min_2y":
		p.OperatingRevenue, p.RDExpense = s(10000, 10000), s(v, thr+5)
	case "rd_to_cost_ratio_prior_year":
		p.TotalCost, p.RDExpense = s(10000), s(v)
	case "niche_years":
		p.NicheYears = Ptr(thr/100 + pos)
	case "field_years":
		p.FieldYears = Ptr(thr/100 + pos)
	case "market_share":
		p.MarketShare = Ptr(v)
	case "intl_market_share":
		p.IntlMarketShare = Ptr(v)
	case "national_rank":
		p.NationalRank = Ptr(v)
	case "global_rank":
		p.GlobalRank = Ptr(v)
	case "digital_level":
		p.DigitalLevel = Ptr(v)
	case "cmmm_level":
		p.CMMMLevel = Ptr(v)
	case "nc_rate":
		p.NCRate = Ptr(v)
	case "titles_held":
		p.Titles = []HeldTitle{}
		for range v {
			p.Titles = append(p.Titles, HeldTitle{Kind: c.params.Titles[0], GrantedOn: d.AddDays(-30)})
		}
	case "quality_items":
		if v < 0 || v > 4 {
			return p, false
		}
		b := [4]bool{}
		for i := range v {
			b[i] = true
		}
		p.Quality = Quality{QualityAward: Ptr(b[0]), QMSCertified: Ptr(b[1]), OwnBrand: Ptr(b[2]), StandardsDrafted: Ptr(b[3])}
	case "dev_quality_score_prior_year":
		p.DevQualityScore = PointSeries(s(v))
	case "dev_quality_score_best_2y":
		p.DevQualityScore = PointSeries(s(v, thr-50))
	case "equity_financing_2y":
		p.EquityFinancing2Y = Ptr(fenOf(v))
	case "equity_financing_3y":
		p.EquityFinancing3Y = Ptr(fenOf(v))
	case "cumulative_financing_usd":
		p.CumulativeFinancingUSD = Ptr(v)
	case "valuation_usd":
		p.ValuationUSD = Ptr(v)
	case "ip_class1":
		p.IP.Class1 = Ptr(v)
	case "ip_class2":
		p.IP.Class2 = Ptr(v)
	case "ip_class1_applied":
		p.IP.Class1Applied = Ptr(v)
	case "rd_institution_level":
		if v < 0 || v >= int64(len(c.m.keys)) {
			return p, false
		}
		l := Level(c.m.keys[v])
		p.RDInstitution = &l
	case "award_count":
		p.Awards = []Award{}
		for range v {
			p.Awards = append(p.Awards, Award{Level: c.params.MinLevel, Rank: 1, Year: y1})
		}
	case "best_award_rank":
		p.Awards = []Award{{Level: c.params.MinLevel, Rank: int(v), Year: y1}}
	case "best_maker_china_rank":
		p.MakerChina = []Placement{{Year: y1, Rank: int(v)}}
	case "standards_led":
		p.StandardsLed = []Standard{}
		for range v {
			p.StandardsLed = append(p.StandardsLed, Standard{Year: y1, Level: c.params.Levels[0]})
		}
	default:
		panic("synth: no synthesiser for metric " + c.m.name)
	}
	if v < 0 && c.m.unit != UnitBP {
		return p, false
	}
	if (c.m.unit == UnitRank || c.m.name == "best_award_rank") && v <= 0 {
		return p, false
	}
	return p, true
}

func fenOf(v int64) unit.Fen { return unit.Fen(v) }

// want returns the status a min/max condition must give at pos.
func want(c *crit, pos int64) Status {
	var ok bool
	switch {
	case pos == 0:
		ok = c.incl
	case c.op == opMin:
		ok = pos > 0
	default:
		ok = pos < 0
	}
	if ok {
		return StatusMet
	}
	return StatusNotMet
}

// TestEveryConditionAtItsThreshold runs every numeric condition of every
// rule set and kind at, just below and just above its threshold, and every
// yes/no condition with yes, no and missing data.
func TestEveryConditionAtItsThreshold(t *testing.T) {
	reg := mustBuiltin(t)
	n := 0
	for _, info := range reg.List() {
		rs, _ := reg.Get(info.ID)
		d := inForceDate(rs)
		for _, kind := range info.Kinds {
			tr := rs.trees[kind.index()]
			for i := range tr.crits {
				c := &tr.crits[i]
				if c.typ != ntCond {
					continue
				}
				e := env{date: d, year: d.Year(), y1: d.Year() - 1}
				name := fmt.Sprintf("%s/%s/%s", info.ID, kind, c.id)
				// Missing data is unknown, never met.
				e.p = &Profile{}
				var o obs
				c.fn(&e, &o)
				if got := judge(c, &o); got != StatusUnknown {
					t.Errorf("%s: empty profile gives %s, want unknown", name, got)
				}
				if c.op == opTrue || c.op == opFalse {
					continue // covered by TestYesNoConditions
				}
				for _, pos := range []int64{-1, 0, 1} {
					p, ok := synth(c, c.thr, pos, d)
					if !ok {
						continue
					}
					e.p = &p
					o = obs{}
					c.fn(&e, &o)
					if got, w := judge(c, &o), want(c, pos); got != w {
						t.Errorf("%s at threshold%+d: got %s, want %s (value %d frac %v, threshold %d)", name, pos, got, w, o.v, o.frac, c.thr)
					}
					n++
				}
			}
		}
	}
	if n < 150 {
		t.Fatalf("only %d threshold cases ran", n)
	}
}

// TestYesNoConditions checks every flag-style condition with yes, no and
// missing.
func TestYesNoConditions(t *testing.T) {
	reg := mustBuiltin(t)
	for _, info := range reg.List() {
		rs, _ := reg.Get(info.ID)
		d := inForceDate(rs)
		for _, kind := range info.Kinds {
			tr := rs.trees[kind.index()]
			for i := range tr.crits {
				c := &tr.crits[i]
				if c.typ != ntCond || (c.op != opTrue && c.op != opFalse) {
					continue
				}
				for _, val := range []bool{true, false} {
					p := yesNo(c, val, d)
					e := env{p: &p, date: d, year: d.Year(), y1: d.Year() - 1}
					var o obs
					c.fn(&e, &o)
					w := StatusNotMet
					if val == (c.op == opTrue) {
						w = StatusMet
					}
					if got := judge(c, &o); got != w {
						t.Errorf("%s/%s/%s with %v: got %s, want %s", info.ID, kind, c.id, val, got, w)
					}
				}
			}
		}
	}
}

func yesNo(c *crit, val bool, d Date) Profile {
	var p Profile
	switch c.m.name {
	case "flag":
		setFlag(&p, c.params.Flag, val)
	case "flags_any":
		for _, f := range c.params.Flags {
			setFlag(&p, f, false)
		}
		if val {
			setFlag(&p, c.params.Flags[len(c.params.Flags)-1], true)
		}
	case "honours_any":
		p.Honours = []string{}
		if val {
			p.Honours = []string{c.params.Honours[0]}
		}
	case "holds_title":
		p.Titles = []HeldTitle{}
		if val {
			p.Titles = []HeldTitle{{Kind: c.params.Titles[0], GrantedOn: d.AddYears(-1), ValidUntil: d.AddYears(2)}}
		} else {
			// An expired title does not count.
			p.Titles = []HeldTitle{{Kind: c.params.Titles[0], GrantedOn: d.AddYears(-4), ValidUntil: d.AddYears(-1)}}
		}
	default:
		panic("yesNo: " + c.m.name)
	}
	return p
}

func setFlag(p *Profile, name string, v bool) {
	ptr := &v
	switch name {
	case "sei":
		p.Domain.SEI = ptr
	case "six_bases":
		p.Domain.SixBases = ptr
	case "key_chain_link":
		p.Domain.KeyChainLink = ptr
	case "chain_gap_role":
		p.Domain.ChainGapRole = ptr
	case "time_honoured":
		p.Domain.TimeHonoured = ptr
	case "chain_leader_supplier":
		p.Domain.ChainLeaderSupplier = ptr
	case "manufacturing_power":
		p.Domain.ManufacturingPower = ptr
	case "cyber_power":
		p.Domain.CyberPower = ptr
	case "new_industry":
		p.Domain.NewIndustry = ptr
	case "quality_award":
		p.Quality.QualityAward = ptr
	case "qms_certified":
		p.Quality.QMSCertified = ptr
	case "own_brand":
		p.Quality.OwnBrand = ptr
	case "standards_drafted":
		p.Quality.StandardsDrafted = ptr
	case "intl_product_cert":
		p.Quality.IntlProductCert = ptr
	case "core_process_it":
		p.Quality.CoreProcessIT = ptr
	case "ip_top3_holder":
		p.IP.Top3Holder = ptr
	case "new_product":
		p.NewProduct = ptr
	case "listed":
		p.Listed = ptr
	default:
		panic("setFlag: " + name)
	}
	if got, _ := flagPtr(p, name); got == nil {
		panic("setFlag and flagPtr disagree on " + name)
	}
}

// TestEveryScoreTierAtItsBound scores every tier bound of every indicator
// at, just below and just above the bound.
func TestEveryScoreTierAtItsBound(t *testing.T) {
	for _, bd := range []Boundary{BoundaryLowerInclusive, BoundaryHigherTier} {
		reg, err := New(Options{TierBoundary: bd})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, info := range reg.List() {
			rs, _ := reg.Get(info.ID)
			d := inForceDate(rs)
			for _, kind := range info.Kinds {
				tr := rs.trees[kind.index()]
				for i := range tr.crits {
					c := &tr.crits[i]
					if c.typ != ntIndicator || c.input {
						continue
					}
					for _, b := range c.bases {
						if b.m.unit == UnitBool || b.m.name == "ip_grade" || b.m.name == "flags_any" {
							continue // categorical: TestCategoricalTiers
						}
						for ti, tr := range b.tiers {
							for _, pos := range []int64{-1, 0, 1} {
								cc := crit{m: b.m, params: b.params}
								p, ok := synth(&cc, tr.bound, pos, d)
								if !ok {
									continue
								}
								w := refPoints(&b, c.elsePts, tr.bound+pos, bd)
								e := env{p: &p, date: d, year: d.Year(), y1: d.Year() - 1}
								var o obs
								b.fn(&e, &o)
								if got := b.tierPoints(o.num, c.elsePts); got != w {
									t.Errorf("%s %s/%s/%s %s tier %d%+d: got %d, want %d", bd, info.ID, kind, c.id, b.m.name, ti, pos, got, w)
								}
								n++
							}
						}
					}
				}
			}
		}
		if n < 100 {
			t.Fatalf("only %d tier cases ran", n)
		}
	}
}

// TestThresholdsMatchThePolicyTexts pins the data to hand-written values from
// the policy texts, so a wrong edit of the JSON fails here.
func TestThresholdsMatchThePolicyTexts(t *testing.T) {
	const wan, yi = int64(1_000_000), int64(10_000_000_000) // ¥10k and ¥100 m in fen
	const usdM = int64(100_000_000)                         // US$1 m in cents
	cases := []struct {
		rs, node, metric string
		op               opKind
		thr              int64
		incl             bool
	}{
		{"miit2022_specialized_sme", "niche_years", "niche_years", opMin, 200, true},
		{"miit2022_specialized_sme", "rd_expense", "rd_expense_prior_year", opMin, 100 * wan, true},
		{"miit2022_specialized_sme", "rd_ratio", "rd_ratio_prior_year", opMin, 300, true},
		{"miit2022_specialized_sme", "revenue_min", "revenue_prior_year", opMin, 1000 * wan, true},
		{"miit2022_specialized_sme", "revenue_financing", "equity_financing_2y", opMin, 2000 * wan, true},
		{"miit2022_specialized_sme", "direct_award_provincial", "best_award_rank", opMax, 3, true},
		{"miit2022_specialized_sme", "direct_award_national", "best_award_rank", opMax, 5, true},
		{"miit2022_specialized_sme", "direct_rd_avg", "rd_expense_avg_2y", opMin, 1000 * wan, true},
		{"miit2022_specialized_sme", "direct_financing", "equity_financing_2y", opMin, 6000 * wan, true},
		{"miit2022_specialized_sme", "direct_maker_china", "best_maker_china_rank", opMax, 500, true},
		{"miit2022_little_giant", "niche_years", "niche_years", opMin, 300, true},
		{"miit2022_little_giant", "main_share", "main_business_share", opMin, 7000, true},
		{"miit2022_little_giant", "main_growth", "main_revenue_growth_avg_2y", opMin, 500, true},
		{"miit2022_little_giant", "debt", "debt_ratio", opMax, 7000, true},
		{"miit2022_little_giant", "market_share", "market_share", opMin, 1000, true},
		{"miit2022_little_giant", "rd_ratio_3", "rd_ratio_min_2y", opMin, 300, true},
		{"miit2022_little_giant", "rd_ratio_6", "rd_ratio_min_2y", opMin, 600, true},
		{"miit2022_little_giant", "small_financing", "equity_financing_2y", opMin, 8000 * wan, true},
		{"miit2022_little_giant", "small_rd_total", "rd_total_2y", opMin, 3000 * wan, true},
		{"miit2022_little_giant", "small_rd_staff", "rd_staff_share", opMin, 5000, true},
		{"miit2022_little_giant", "ip_applied", "ip_class1_applied", opMin, 2, true},
		{"miit2022_little_giant", "direct_maker_china", "best_maker_china_rank", opMax, 50, true},
		{"miit2022_innovative_sme", "direct_award", "award_count", opMin, 1, true},
		{"miit2022_innovative_sme", "direct_institution", "rd_institution_level", opMin, 3, true},
		{"miit2022_innovative_sme", "direct_financing", "equity_financing_3y", opMin, 500 * wan, true},
		{"miit2026_specialized_sme", "niche_years", "niche_years", opMin, 300, true},
		{"miit2026_specialized_sme", "revenue_min", "revenue_prior_year", opMin, 1500 * wan, true},
		{"miit2026_specialized_sme", "revenue_financing", "equity_financing_2y", opMin, 2000 * wan, true},
		{"miit2026_specialized_sme", "main_share", "main_business_share", opMin, 8000, true},
		{"miit2026_specialized_sme", "debt", "debt_ratio", opMax, 8000, true},
		{"miit2026_specialized_sme", "rd_expense", "rd_expense_min_2y", opMin, 100 * wan, true},
		{"miit2026_specialized_sme", "rd_ratio", "rd_ratio_min_2y", opMin, 300, true},
		{"miit2026_specialized_sme", "ip_applied", "ip_class1_applied", opMin, 1, true},
		{"miit2026_specialized_sme", "dev_score", "dev_quality_score_prior_year", opMin, 5000, true},
		{"miit2026_little_giant", "revenue", "revenue_prior_year", opMin, 5000 * wan, true},
		{"miit2026_little_giant", "main_share", "main_business_share", opMin, 9000, true},
		{"miit2026_little_giant", "growth", "revenue_cagr_2y", opMin, 500, true},
		{"miit2026_little_giant", "debt", "debt_ratio", opMax, 7500, true},
		{"miit2026_little_giant", "rd_total", "rd_total_2y", opMin, 1200 * wan, true},
		{"miit2026_little_giant", "rd_ratio", "rd_ratio_min_2y", opMin, 300, true},
		{"miit2026_little_giant", "ip_applied", "ip_class1_applied", opMin, 4, true},
		{"miit2026_little_giant", "national_rank", "national_rank", opMax, 3, true},
		{"miit2026_little_giant", "dev_score", "dev_quality_score_prior_year", opMin, 6000, true},
		{"champion2023_single_champion", "field_years", "field_years", opMin, 1000, true},
		{"champion2023_single_champion", "new_product_years", "field_years", opMin, 500, true},
		{"champion2023_single_champion", "revenue", "main_revenue_avg_3y", opMin, 4 * yi, true},
		{"champion2023_single_champion", "global_rank", "global_rank", opMax, 3, true},
		{"cq2023_unicorn", "founded", "founded_years", opMax, 1000, true},
		{"cq2023_unicorn", "valuation", "valuation_usd", opMin, 1000 * usdM, true},
		{"cq2023_unicorn", "financing", "cumulative_financing_usd", opMin, 50 * usdM, true},
		{"cq2023_potential_unicorn", "founded", "founded_years", opMax, 900, true},
		{"cq2023_potential_unicorn", "valuation", "valuation_usd", opMin, 100 * usdM, true},
		{"cq2023_potential_unicorn", "financing", "cumulative_financing_usd", opMin, 5 * usdM, true},
		{"cq2023_gazelle", "revenue", "revenue_prior_year", opMin, 1000 * wan, true},
		{"cq2023_gazelle", "growth", "revenue_cagr_3y", opMin, 1500, true},
		{"miit2026_tech_innovative_sme", "tech_employees", "employees", opMax, 500, true},
		{"miit2026_tech_innovative_sme", "tech_revenue", "revenue_prior_year", opMax, 2 * yi, true},
	}
	reg := mustBuiltin(t)
	for _, tc := range cases {
		rs, err := reg.Get(tc.rs)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, tr := range rs.trees {
			if tr == nil {
				continue
			}
			for i := range tr.crits {
				c := &tr.crits[i]
				if c.id != tc.node {
					continue
				}
				found = true
				if c.m.name != tc.metric || c.op != tc.op || c.thr != tc.thr || c.incl != tc.incl {
					t.Errorf("%s/%s: got %s op %d %d incl %v, want %s op %d %d incl %v", tc.rs, tc.node, c.m.name, c.op, c.thr, c.incl, tc.metric, tc.op, tc.thr, tc.incl)
				}
			}
		}
		if !found {
			t.Errorf("%s: no node %s", tc.rs, tc.node)
		}
	}

	// Bands of the 2022 little giant: ≥ ¥100 m, ≥ ¥50 m, the rest.
	rs, _ := reg.Get("miit2022_little_giant")
	for _, c := range rs.trees[0].crits {
		if c.id == "rd_band" {
			if len(c.bands) != 3 || c.bands[0].min != yi || !c.bands[0].incl || c.bands[1].min != yi/2 || !c.bands[1].incl || c.bands[2].has {
				t.Errorf("rd_band bands %+v", c.bands)
			}
		}
	}
	// Scorecard minimums of the 2022 innovative SME: 60 with 20/15/15.
	rs, _ = reg.Get("miit2022_innovative_sme")
	mins := map[string]int64{}
	for _, c := range rs.trees[0].crits {
		if c.typ == ntScore || (c.typ == ntCategory && c.hasMin) {
			mins[c.id] = c.minimum
		}
	}
	wantMins := map[string]int64{"scorecard": 6000, "scorecard.innovation": 2000, "scorecard.growth": 1500, "scorecard.specialisation": 1500}
	if fmt.Sprint(mins) != fmt.Sprint(wantMins) {
		t.Errorf("innovative scorecard minimums %v, want %v", mins, wantMins)
	}
	// The four direct routes sit next to the scorecard, under the SME
	// precondition.
	var qualify *crit
	for i := range rs.trees[0].crits {
		if rs.trees[0].crits[i].id == "qualify" {
			qualify = &rs.trees[0].crits[i]
		}
	}
	if root := rs.trees[0].crits[0]; root.typ != ntAllOf || root.count != 2 || qualify == nil || qualify.typ != ntAnyOf || qualify.count != 5 {
		t.Errorf("innovative root: %s with %d children, want all_of of the SME test and an any_of of scorecard + 4 routes", root.typ, root.count)
	}
}

// TestCategoricalTiers pins the IP and yes/no tiers by hand.
func TestCategoricalTiers(t *testing.T) {
	reg := mustBuiltin(t)
	rs, _ := reg.Get("miit2022_innovative_sme")
	d := D(2025, 6, 1)
	ctx := Context{AssessmentDate: d.Time(), Kind: KindNew}
	for _, tc := range []struct {
		ip   IP
		want int64
	}{
		{IP{Class1HighValue: Ptr(int64(1))}, 2000},
		{IP{Class1HighValue: Ptr(int64(0)), Class1SelfDeveloped: Ptr(int64(2))}, 1500},
		{IP{Class1HighValue: Ptr(int64(0)), Class1SelfDeveloped: Ptr(int64(0)), Class1: Ptr(int64(1))}, 1000},
		{IP{Class1HighValue: Ptr(int64(0)), Class1SelfDeveloped: Ptr(int64(0)), Class1: Ptr(int64(0)), Class2: Ptr(int64(3))}, 500},
		{IP{Class1HighValue: Ptr(int64(0)), Class1SelfDeveloped: Ptr(int64(0)), Class1: Ptr(int64(0)), Class2: Ptr(int64(0))}, 0},
	} {
		res, err := rs.Evaluate(Profile{IP: tc.ip}, ctx)
		if err != nil {
			t.Fatal(err)
		}
		if lo, hi := res.Find("scorecard.innovation.ip").Points(); lo != tc.want || hi != tc.want {
			t.Errorf("IP %+v: points %d–%d, want %d", tc.ip, lo, hi, tc.want)
		}
	}
	// A missing higher class leaves the grade a lower bound: 10–20 points.
	res, _ := rs.Evaluate(Profile{IP: IP{Class1: Ptr(int64(1))}}, ctx)
	if lo, hi := res.Find("scorecard.innovation.ip").Points(); lo != 1000 || hi != 2000 {
		t.Errorf("partial IP: %d–%d, want 1000–2000", lo, hi)
	}
	for _, tc := range []struct {
		sei  *bool
		lo   int64
		hi   int64
		stat Status
	}{{Ptr(true), 1000, 1000, StatusMet}, {Ptr(false), 500, 500, StatusMet}, {nil, 500, 1000, StatusUnknown}} {
		res, _ := rs.Evaluate(Profile{Domain: Domain{SEI: tc.sei}}, ctx)
		n := res.Find("scorecard.specialisation.sei")
		if lo, hi := n.Points(); lo != tc.lo || hi != tc.hi || n.Status != tc.stat {
			t.Errorf("SEI %v: %d–%d %s", tc.sei, lo, hi, n.Status)
		}
	}
	_ = time.Now
}

// refPoints is a set-based reading of a tier table, independent of the
// engine's first-match scan: the best points among the tiers x qualifies for.
func refPoints(b *baseC, elsePts, x int64, bd Boundary) int64 {
	best := elsePts
	for _, tr := range b.tiers {
		var in bool
		switch {
		case !b.lower:
			in = x >= tr.bound
		case bd == BoundaryHigherTier:
			in = x <= tr.bound
		default:
			in = x < tr.bound
		}
		if in && tr.pts > best {
			best = tr.pts
		}
	}
	return best
}
