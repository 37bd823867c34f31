package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/industrybrain/ibrain/internal/enterprise"
)

// env is what a metric sees besides the profile: the assessment date and
// the prior year (上年), the year most thresholds refer to.
type env struct {
	p    *Profile
	date Date
	year int // assessment year
	y1   int // prior year

	// Scratch space: values passed to metric funcs by pointer would move to
	// the heap if they lived on the stack; env lives in the Result.
	tmp        obs
	cand, best [2]Change
}

// obs is one metric observation: the value, whether it is known, and the
// inputs it used (for the explanation and the what-if).
type obs struct {
	num
	known bool
	lower bool // value is only a lower bound (some inputs missing, others already enough)
	have  uint8
	parts [4]int64
}

func (o *obs) part(i int, v int64) {
	o.parts[i] = v
	o.have |= 1 << i
}

func (o *obs) set(v int64) {
	o.num = num{v: v}
	o.known = true
}

// metricFunc computes a metric into o (which the caller has zeroed).
type metricFunc func(e *env, o *obs)

// whatIfKind says how to turn a required metric value back into the input
// an enterprise controls.
type whatIfKind uint8

const (
	wiNone        whatIfKind = iota
	wiDirect                 // the metric is the input
	wiNumerator              // part0 / part1 with part1 fixed
	wiPartOfWhole            // part0 / part1 where part1 = part0 + the rest
	wiGrowth1                // part0 / part1 − 1
	wiAvgGrowth2             // mean of part0/part1 − 1 and part1/part2 − 1
	wiCAGR                   // (part0 / part1)^(1/n) − 1
	wiMin2Direct             // min(part0, part1), each year separately
	wiMin2Ratio              // min(part0/part1, part2/part3), each year separately
	wiSum                    // (part0 + … ) / k: change part0
	wiLevel                  // an ordinal with labels
)

// partDef describes one input a metric reads.
type partDef struct {
	label Text   // may hold {y} for the part's year
	field string // the Profile JSON field
	unit  Unit
	yoff  int // 1 = prior year, 2 = the year before …; 0 = not yearly
}

// metricDef is one named computation over a Profile.
type metricDef struct {
	name   string
	unit   Unit
	label  Text
	parts  []partDef
	levels []Text   // labels of UnitLevel ordinals
	keys   []string // data names of UnitLevel ordinals, as thresholds are written
	wi     whatIfKind
	wiN    int64 // CAGR years or the divisor of wiSum
	fn     metricFunc
	// build makes the function from parameters; nil when fn is fixed.
	build func(p metricParams) (metricFunc, error)
}

// metricParams are the parameters a rule may pass to a metric.
type metricParams struct {
	MinLevel    Level                  `json:"min_level,omitempty"`
	WithinYears int                    `json:"within_years,omitempty"`
	Flag        string                 `json:"flag,omitempty"`
	Flags       []string               `json:"flags,omitempty"`
	Honours     []string               `json:"honours,omitempty"`
	Titles      []enterprise.TitleKind `json:"titles,omitempty"`
	Levels      []Level                `json:"levels,omitempty"`
}

func parseParams(raw json.RawMessage) (metricParams, error) {
	var p metricParams
	if len(raw) == 0 {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(&p)
	return p, err
}

// metricSet is the registry of metrics, built once per Registry.
type metricSet map[string]*metricDef

func t(zh, en string) Text { return Text{ZH: zh, EN: en} }

// yearly is a part read from a yearly series; its label holds {y}.
func yearly(field string, u Unit, yoff int) partDef {
	return partDef{label: lbl("part." + field), field: field, unit: u, yoff: yoff}
}

func newMetrics() metricSet {
	rev := func(y int) partDef {
		return yearly("operating_revenue_fen", UnitFen, y)
	}
	main := func(y int) partDef {
		return yearly("main_business_revenue_fen", UnitFen, y)
	}
	rd := func(y int) partDef { return yearly("rd_expense_fen", UnitFen, y) }
	flat := func(field string, u Unit) partDef {
		return partDef{label: lbl("part." + field), field: field, unit: u}
	}
	ms := metricSet{}
	add := func(m *metricDef) {
		if m.keys != nil {
			m.levels = levelLabels(m.name, m.keys)
		}
		ms[m.name] = m
	}

	// Size and age.
	add(&metricDef{name: "founded_years", unit: UnitCentiyear, label: lbl("metric.founded_years"),
		parts: []partDef{flat("founded", UnitCount)}, fn: foundedYears})
	add(&metricDef{name: "employees", unit: UnitCount, label: lbl("metric.employees"), wi: wiDirect,
		parts: []partDef{flat("employees", UnitCount)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.Employees) }})
	add(&metricDef{name: "rd_staff_share", unit: UnitBP, label: lbl("metric.rd_staff_share"), wi: wiPartOfWhole,
		parts: []partDef{flat("rd_staff", UnitCount), flat("employees", UnitCount)},
		fn:    func(e *env, o *obs) { ptrRatio(o, e.p.RDStaff, e.p.Employees) }})
	add(&metricDef{name: "st_staff_share", unit: UnitBP, label: lbl("metric.st_staff_share"), wi: wiPartOfWhole,
		parts: []partDef{flat("st_staff", UnitCount), flat("employees", UnitCount)},
		fn:    func(e *env, o *obs) { ptrRatio(o, e.p.STStaff, e.p.Employees) }})
	add(&metricDef{name: "total_assets", unit: UnitFen, label: lbl("metric.total_assets"), wi: wiDirect,
		parts: []partDef{flat("total_assets_fen", UnitFen)},
		fn: func(e *env, o *obs) {
			if e.p.TotalAssets != nil {
				o.part(0, int64(*e.p.TotalAssets))
				o.set(int64(*e.p.TotalAssets))
			}
		}})
	add(&metricDef{name: "debt_ratio", unit: UnitBP, label: lbl("metric.debt_ratio"), wi: wiDirect,
		parts: []partDef{flat("debt_ratio_bp", UnitBP)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.DebtRatio) }})

	// Revenue.
	add(&metricDef{name: "revenue_prior_year", unit: UnitFen, label: lbl("metric.revenue_prior_year"), wi: wiDirect,
		parts: []partDef{rev(1)}, fn: func(e *env, o *obs) { seriesValue(o, e.p.OperatingRevenue, e.y1) }})
	add(&metricDef{name: "revenue_cagr_2y", unit: UnitBP, label: lbl("metric.revenue_cagr_2y"), wi: wiCAGR, wiN: 2,
		parts: []partDef{rev(1), rev(3)}, fn: func(e *env, o *obs) { cagr(o, e.p.OperatingRevenue, e.y1, 2) }})
	add(&metricDef{name: "revenue_cagr_3y", unit: UnitBP, label: lbl("metric.revenue_cagr_3y"), wi: wiCAGR, wiN: 3,
		parts: []partDef{rev(1), rev(4)}, fn: func(e *env, o *obs) { cagr(o, e.p.OperatingRevenue, e.y1, 3) }})
	add(&metricDef{name: "main_business_share", unit: UnitBP, label: lbl("metric.main_business_share"), wi: wiPartOfWhole,
		parts: []partDef{main(1), rev(1)}, fn: func(e *env, o *obs) { seriesRatio(o, e.p.MainBusinessRevenue, e.p.OperatingRevenue, e.y1, e.y1) }})
	add(&metricDef{name: "main_revenue_growth_prior_year", unit: UnitBP, label: lbl("metric.main_revenue_growth_prior_year"), wi: wiGrowth1,
		parts: []partDef{main(1), main(2)}, fn: func(e *env, o *obs) { growth1(o, e.p.MainBusinessRevenue, e.y1) }})
	add(&metricDef{name: "main_revenue_growth_avg_2y", unit: UnitBP, label: lbl("metric.main_revenue_growth_avg_2y"), wi: wiAvgGrowth2,
		parts: []partDef{main(1), main(2), main(3)}, fn: func(e *env, o *obs) { avgGrowth2(o, e.p.MainBusinessRevenue, e.y1) }})
	add(&metricDef{name: "main_revenue_avg_3y", unit: UnitFen, label: lbl("metric.main_revenue_avg_3y"), wi: wiSum, wiN: 3,
		parts: []partDef{main(1), main(2), main(3)}, fn: func(e *env, o *obs) { seriesSum(o, e.p.MainBusinessRevenue, e.y1, 3, 3) }})
	add(&metricDef{name: "net_profit_margin_prior_year", unit: UnitBP, label: lbl("metric.net_profit_margin_prior_year"), wi: wiNumerator,
		parts: []partDef{yearly("net_profit_fen", UnitFen, 1), rev(1)},
		fn:    func(e *env, o *obs) { seriesRatio(o, e.p.NetProfit, e.p.OperatingRevenue, e.y1, e.y1) }})

	// R&D.
	add(&metricDef{name: "rd_expense_prior_year", unit: UnitFen, label: lbl("metric.rd_expense_prior_year"), wi: wiDirect,
		parts: []partDef{rd(1)}, fn: func(e *env, o *obs) { seriesValue(o, e.p.RDExpense, e.y1) }})
	add(&metricDef{name: "rd_expense_min_2y", unit: UnitFen, label: lbl("metric.rd_expense_min_2y"), wi: wiMin2Direct,
		parts: []partDef{rd(1), rd(2)}, fn: func(e *env, o *obs) { seriesMin2(o, e.p.RDExpense, e.y1) }})
	add(&metricDef{name: "rd_expense_avg_2y", unit: UnitFen, label: lbl("metric.rd_expense_avg_2y"), wi: wiSum, wiN: 2,
		parts: []partDef{rd(1), rd(2)}, fn: func(e *env, o *obs) { seriesSum(o, e.p.RDExpense, e.y1, 2, 2) }})
	add(&metricDef{name: "rd_total_2y", unit: UnitFen, label: lbl("metric.rd_total_2y"), wi: wiSum, wiN: 1,
		parts: []partDef{rd(1), rd(2)}, fn: func(e *env, o *obs) { seriesSum(o, e.p.RDExpense, e.y1, 2, 1) }})
	add(&metricDef{name: "rd_ratio_prior_year", unit: UnitBP, label: lbl("metric.rd_ratio_prior_year"), wi: wiNumerator,
		parts: []partDef{rd(1), rev(1)}, fn: func(e *env, o *obs) { seriesRatio(o, e.p.RDExpense, e.p.OperatingRevenue, e.y1, e.y1) }})
	add(&metricDef{name: "rd_ratio_min_2y", unit: UnitBP, label: lbl("metric.rd_ratio_min_2y"), wi: wiMin2Ratio,
		parts: []partDef{rd(1), rev(1), rd(2), rev(2)}, fn: rdRatioMin2})
	add(&metricDef{name: "rd_to_cost_ratio_prior_year", unit: UnitBP, label: lbl("metric.rd_to_cost_ratio_prior_year"), wi: wiNumerator,
		parts: []partDef{rd(1), yearly("total_cost_fen", UnitFen, 1)},
		fn:    func(e *env, o *obs) { seriesRatio(o, e.p.RDExpense, e.p.TotalCost, e.y1, e.y1) }})

	// Market and time.
	add(&metricDef{name: "niche_years", unit: UnitCentiyear, label: lbl("metric.niche_years"),
		parts: []partDef{flat("niche_years", UnitCount)},
		fn:    func(e *env, o *obs) { ptrYears(o, e.p.NicheYears) }})
	add(&metricDef{name: "field_years", unit: UnitCentiyear, label: lbl("metric.field_years"),
		parts: []partDef{flat("field_years", UnitCount)},
		fn:    func(e *env, o *obs) { ptrYears(o, e.p.FieldYears) }})
	add(&metricDef{name: "market_share", unit: UnitBP, label: lbl("metric.market_share"), wi: wiDirect,
		parts: []partDef{flat("market_share_bp", UnitBP)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.MarketShare) }})
	add(&metricDef{name: "intl_market_share", unit: UnitBP, label: lbl("metric.intl_market_share"), wi: wiDirect,
		parts: []partDef{flat("intl_market_share_bp", UnitBP)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.IntlMarketShare) }})
	add(&metricDef{name: "national_rank", unit: UnitRank, label: lbl("metric.national_rank"), wi: wiDirect,
		parts: []partDef{flat("national_rank", UnitRank)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.NationalRank) }})
	add(&metricDef{name: "global_rank", unit: UnitRank, label: lbl("metric.global_rank"), wi: wiDirect,
		parts: []partDef{flat("global_rank", UnitRank)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.GlobalRank) }})
	add(&metricDef{name: "digital_level", unit: UnitCount, label: lbl("metric.digital_level"), wi: wiDirect,
		parts: []partDef{flat("digital_level", UnitCount)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.DigitalLevel) }})
	add(&metricDef{name: "cmmm_level", unit: UnitCount, label: lbl("metric.cmmm_level"), wi: wiDirect,
		parts: []partDef{flat("cmmm_level", UnitCount)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.CMMMLevel) }})
	add(&metricDef{name: "nc_rate", unit: UnitBP, label: lbl("metric.nc_rate"), wi: wiDirect,
		parts: []partDef{flat("nc_rate_bp", UnitBP)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.NCRate) }})
	add(&metricDef{name: "quality_items", unit: UnitCount, label: lbl("metric.quality_items"), wi: wiDirect,
		fn: qualityItems})
	add(&metricDef{name: "dev_quality_score_prior_year", unit: UnitCentipoint, label: lbl("metric.dev_quality_score_prior_year"), wi: wiDirect,
		parts: []partDef{{label: lbl("part.dev_quality_score"), field: "dev_quality_score", unit: UnitCentipoint, yoff: 1}},
		fn: func(e *env, o *obs) {
			if v, ok := e.p.DevQualityScore.Get(e.y1); ok {
				o.part(0, v)
				o.set(v)
			}
		}})
	add(&metricDef{name: "dev_quality_score_best_2y", unit: UnitCentipoint, label: lbl("metric.dev_quality_score_best_2y"), wi: wiDirect,
		parts: []partDef{{label: lbl("part.dev_quality_score"), field: "dev_quality_score", unit: UnitCentipoint, yoff: 1},
			{label: lbl("part.dev_quality_score"), field: "dev_quality_score", unit: UnitCentipoint, yoff: 2}},
		fn: bestScore2})

	// Money raised.
	add(&metricDef{name: "equity_financing_2y", unit: UnitFen, label: lbl("metric.equity_financing_2y"), wi: wiDirect,
		parts: []partDef{flat("equity_financing_2y_fen", UnitFen)},
		fn:    func(e *env, o *obs) { fenPtr(o, e.p.EquityFinancing2Y) }})
	add(&metricDef{name: "equity_financing_3y", unit: UnitFen, label: lbl("metric.equity_financing_3y"), wi: wiDirect,
		parts: []partDef{flat("equity_financing_3y_fen", UnitFen)},
		fn:    func(e *env, o *obs) { fenPtr(o, e.p.EquityFinancing3Y) }})
	add(&metricDef{name: "cumulative_financing_usd", unit: UnitUSDCent, label: lbl("metric.cumulative_financing_usd"), wi: wiDirect,
		parts: []partDef{flat("cumulative_financing_usd_cents", UnitUSDCent)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.CumulativeFinancingUSD) }})
	add(&metricDef{name: "valuation_usd", unit: UnitUSDCent, label: lbl("metric.valuation_usd"), wi: wiDirect,
		parts: []partDef{flat("valuation_usd_cents", UnitUSDCent)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.ValuationUSD) }})

	// IP and institutions.
	add(&metricDef{name: "ip_grade", unit: UnitLevel, label: lbl("metric.ip_grade"), wi: wiLevel,
		keys: []string{"none", "class2", "class1", "class1_self_developed", "class1_high_value"},
		fn:   ipGrade})
	add(&metricDef{name: "ip_class1", unit: UnitCount, label: lbl("metric.ip_class1"), wi: wiDirect,
		parts: []partDef{flat("ip.class1", UnitCount)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.IP.Class1) }})
	add(&metricDef{name: "ip_class2", unit: UnitCount, label: lbl("metric.ip_class2"), wi: wiDirect,
		parts: []partDef{flat("ip.class2", UnitCount)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.IP.Class2) }})
	add(&metricDef{name: "ip_class1_applied", unit: UnitCount, label: lbl("metric.ip_class1_applied"), wi: wiDirect,
		parts: []partDef{flat("ip.class1_applied", UnitCount)},
		fn:    func(e *env, o *obs) { ptrInt(o, e.p.IP.Class1Applied) }})
	add(&metricDef{name: "rd_institution_level", unit: UnitLevel, label: lbl("metric.rd_institution_level"), wi: wiLevel,
		keys: []string{"none", "below_municipal", "municipal", "provincial", "national"},
		fn: func(e *env, o *obs) {
			if e.p.RDInstitution == nil {
				return
			}
			r := e.p.RDInstitution.rank() // none 1 … national 5
			o.set(int64(min(max(r-1, 0), 4)))
		}})

	// Parameterised metrics.
	add(&metricDef{name: "award_count", unit: UnitCount, label: lbl("metric.award_count"), build: buildAwardCount})
	add(&metricDef{name: "best_award_rank", unit: UnitRank, label: lbl("metric.best_award_rank"), build: buildAwardRank})
	add(&metricDef{name: "best_maker_china_rank", unit: UnitRank, label: lbl("metric.best_maker_china_rank"), build: buildMakerChina})
	add(&metricDef{name: "standards_led", unit: UnitCount, label: lbl("metric.standards_led"), build: buildStandards})
	add(&metricDef{name: "honours_any", unit: UnitBool, label: lbl("metric.honours_any"), build: buildHonours})
	add(&metricDef{name: "holds_title", unit: UnitBool, label: lbl("metric.holds_title"), build: buildHoldsTitle})
	add(&metricDef{name: "titles_held", unit: UnitCount, label: lbl("metric.titles_held"), wi: wiDirect, build: buildTitlesHeld})
	add(&metricDef{name: "flag", unit: UnitBool, label: lbl("metric.flag"), build: buildFlag})
	add(&metricDef{name: "flags_any", unit: UnitBool, label: lbl("metric.flags_any"), build: buildFlagsAny})
	return ms
}

func ptrInt(o *obs, p *int64) {
	if p != nil {
		o.part(0, *p)
		o.set(*p)
	}
}

func fenPtr[T ~int64](o *obs, p *T) {
	if p != nil {
		o.part(0, int64(*p))
		o.set(int64(*p))
	}
}

func ptrYears(o *obs, p *int64) {
	if p != nil {
		o.part(0, *p)
		o.set(*p * 100)
	}
}

func ptrRatio(o *obs, a, b *int64) {
	if a != nil {
		o.part(0, *a)
	}
	if b != nil {
		o.part(1, *b)
	}
	if a == nil || b == nil || *b <= 0 {
		return
	}
	o.num = divFloor(*a, 10000, *b)
	o.known = true
}

func seriesValue(o *obs, s Series, y int) {
	if v, ok := s.Get(y); ok {
		o.part(0, v)
		o.set(v)
	}
}

func seriesRatio(o *obs, num, den Series, y, yd int) {
	a, ok1 := num.Get(y)
	b, ok2 := den.Get(yd)
	if ok1 {
		o.part(0, a)
	}
	if ok2 {
		o.part(1, b)
	}
	if !ok1 || !ok2 || b <= 0 {
		return
	}
	o.num = divFloor(a, 10000, b)
	o.known = true
}

func seriesMin2(o *obs, s Series, y1 int) {
	a, ok1 := s.Get(y1)
	b, ok2 := s.Get(y1 - 1)
	if ok1 {
		o.part(0, a)
	}
	if ok2 {
		o.part(1, b)
	}
	if ok1 && ok2 {
		o.set(min(a, b))
	}
}

// seriesSum sets sum(years y1−n+1 … y1)/div.
func seriesSum(o *obs, s Series, y1, n int, div int64) {
	var sum int64
	all := true
	for i := range n {
		v, ok := s.Get(y1 - i)
		if !ok {
			all = false
			continue
		}
		o.part(i, v)
		sum += v
	}
	if all {
		o.num = divFloor(sum, 1, div)
		o.known = true
	}
}

func lessNum(a, b num) bool { return a.v < b.v || (a.v == b.v && !a.frac && b.frac) }

func rdRatioMin2(e *env, o *obs) {
	var r [2]num
	ok := true
	for i := range 2 {
		a, ok1 := e.p.RDExpense.Get(e.y1 - i)
		b, ok2 := e.p.OperatingRevenue.Get(e.y1 - i)
		if ok1 {
			o.part(2*i, a)
		}
		if ok2 {
			o.part(2*i+1, b)
		}
		if !ok1 || !ok2 || b <= 0 {
			ok = false
			continue
		}
		r[i] = divFloor(a, 10000, b)
	}
	if ok {
		o.num = r[0]
		if lessNum(r[1], r[0]) {
			o.num = r[1]
		}
		o.known = true
	}
}

func growth1(o *obs, s Series, y1 int) {
	a, ok1 := s.Get(y1)
	b, ok2 := s.Get(y1 - 1)
	if ok1 {
		o.part(0, a)
	}
	if ok2 {
		o.part(1, b)
	}
	if !ok1 || !ok2 || b <= 0 {
		return
	}
	o.num = divFloor(a-b, 10000, b)
	o.known = true
}

// avgGrowth2 is the arithmetic mean of the last two yearly growth rates, the
// reading of “近2年平均增长率” in the published scoring forms.
func avgGrowth2(o *obs, s Series, y1 int) {
	m1, ok1 := s.Get(y1)
	m2, ok2 := s.Get(y1 - 1)
	m3, ok3 := s.Get(y1 - 2)
	for i, x := range []struct {
		v  int64
		ok bool
	}{{m1, ok1}, {m2, ok2}, {m3, ok3}} {
		if x.ok {
			o.part(i, x.v)
		}
	}
	if !ok1 || !ok2 || !ok3 || m2 <= 0 || m3 <= 0 {
		return
	}
	est := 5000 * (float64(m1-m2)/float64(m2) + float64(m2-m3)/float64(m3))
	o.num = exactFloor(est, func(k int64) int {
		// value − k ∝ 10⁴·((m1−m2)·m3 + (m2−m3)·m2) − k·2·m2·m3
		a := new(big.Int).Mul(big.NewInt(m1-m2), big.NewInt(m3))
		a.Add(a, new(big.Int).Mul(big.NewInt(m2-m3), big.NewInt(m2)))
		a.Mul(a, big.NewInt(10000))
		b := new(big.Int).Mul(big.NewInt(2*m2), big.NewInt(m3))
		return ratSign(a, b, k)
	})
	o.known = true
}

// cagr is the n-year compound growth rate from year y1−n to y1.
func cagr(o *obs, s Series, y1, n int) {
	a, ok1 := s.Get(y1)
	b, ok2 := s.Get(y1 - n)
	if ok1 {
		o.part(0, a)
	}
	if ok2 {
		o.part(1, b)
	}
	if !ok1 || !ok2 || b <= 0 || a < 0 {
		return
	}
	est := 10000 * (math.Pow(float64(a)/float64(b), 1/float64(n)) - 1)
	o.num = exactFloor(est, func(k int64) int {
		// (1+g)ⁿ vs (1+k/10⁴)ⁿ: compare a·10⁴ⁿ with b·(10⁴+k)ⁿ.
		if 10000+k < 0 {
			return 1
		}
		l := new(big.Int).Mul(big.NewInt(a), new(big.Int).Exp(big.NewInt(10000), big.NewInt(int64(n)), nil))
		r := new(big.Int).Mul(big.NewInt(b), new(big.Int).Exp(big.NewInt(10000+k), big.NewInt(int64(n)), nil))
		return l.Cmp(r)
	})
	o.known = true
}

// foundedYears is the exact age in years on the assessment date: full years
// plus the elapsed share of the current anniversary year, so "≤ 10 years"
// holds on the 10th anniversary and fails the day after.
func foundedYears(e *env, o *obs) {
	f := e.p.Founded
	if f == nil || f.IsZero() {
		return
	}
	if e.date.Before(*f) {
		o.set(0)
		return
	}
	n := e.date.Year() - f.Year()
	if e.date.Before(f.AddYears(n)) {
		n--
	}
	a := f.AddYears(n)
	l := int64(a.DaysUntil(f.AddYears(n + 1)))
	d := int64(a.DaysUntil(e.date))
	o.num = divFloor(int64(n)*l+d, 100, l)
	o.known = true
}

func qualityItems(e *env, o *obs) {
	q := &e.p.Quality
	var n int64
	missing := false
	for _, b := range [...]*bool{q.QualityAward, q.QMSCertified, q.OwnBrand, q.StandardsDrafted} {
		switch {
		case b == nil:
			missing = true
		case *b:
			n++
		}
	}
	o.set(n)
	if missing {
		o.lower = true
		if n == 0 {
			o.known = false
		}
	}
}

// ipGrade is the best IP class held: 4 high-value Ⅰ类, 3 self-developed Ⅰ类,
// 2 Ⅰ类, 1 Ⅱ类, 0 none. A missing higher count makes it a lower bound.
func ipGrade(e *env, o *obs) {
	ip := &e.p.IP
	missing := false
	for i, c := range [...]*int64{ip.Class1HighValue, ip.Class1SelfDeveloped, ip.Class1, ip.Class2} {
		switch {
		case c == nil:
			missing = true
		case *c > 0:
			o.set(int64(4 - i))
			o.lower = missing
			return
		}
	}
	if !missing {
		o.set(0)
	}
}

func bestScore2(e *env, o *obs) {
	a, ok1 := e.p.DevQualityScore.Get(e.y1)
	b, ok2 := e.p.DevQualityScore.Get(e.y1 - 1)
	if ok1 {
		o.part(0, a)
	}
	if ok2 {
		o.part(1, b)
	}
	switch {
	case ok1 && ok2:
		o.set(max(a, b))
	case ok1:
		o.set(a)
		o.lower = true
	case ok2:
		o.set(b)
		o.lower = true
	}
}

func inWindow(year, asOf, within int) bool { return year <= asOf && year >= asOf-within }

func needWindow(p metricParams, name string) error {
	if p.WithinYears <= 0 {
		return fmt.Errorf("metric %s needs params.within_years", name)
	}
	return nil
}

func buildAwardCount(p metricParams) (metricFunc, error) {
	if err := needWindow(p, "award_count"); err != nil {
		return nil, err
	}
	if p.MinLevel.rank() == 0 {
		return nil, fmt.Errorf("award_count needs params.min_level")
	}
	minR := p.MinLevel.rank()
	return func(e *env, o *obs) {
		if e.p.Awards == nil {
			return
		}
		var n int64
		for _, a := range e.p.Awards {
			if a.Level.rank() >= minR && inWindow(a.Year, e.year, p.WithinYears) {
				n++
			}
		}
		o.set(n)
	}, nil
}

// buildAwardRank returns the best rank among qualifying awards; an award
// whose rank is not stated makes the result a bound only.
func buildAwardRank(p metricParams) (metricFunc, error) {
	if err := needWindow(p, "best_award_rank"); err != nil {
		return nil, err
	}
	if p.MinLevel.rank() == 0 {
		return nil, fmt.Errorf("best_award_rank needs params.min_level")
	}
	minR := p.MinLevel.rank()
	return func(e *env, o *obs) {
		if e.p.Awards == nil {
			return
		}
		best, unstated := int64(rankNone), false
		for _, a := range e.p.Awards {
			if a.Level.rank() < minR || !inWindow(a.Year, e.year, p.WithinYears) {
				continue
			}
			if a.Rank <= 0 {
				unstated = true
				continue
			}
			best = min(best, int64(a.Rank))
		}
		if unstated && best != 1 {
			return // an unstated rank could be better than the best known one
		}
		o.set(best)
	}, nil
}

func buildMakerChina(p metricParams) (metricFunc, error) {
	if err := needWindow(p, "best_maker_china_rank"); err != nil {
		return nil, err
	}
	return func(e *env, o *obs) {
		if e.p.MakerChina == nil {
			return
		}
		best := int64(rankNone)
		for _, x := range e.p.MakerChina {
			if x.Rank > 0 && inWindow(x.Year, e.year, p.WithinYears) {
				best = min(best, int64(x.Rank))
			}
		}
		o.set(best)
	}, nil
}

func buildStandards(p metricParams) (metricFunc, error) {
	if err := needWindow(p, "standards_led"); err != nil {
		return nil, err
	}
	if len(p.Levels) == 0 {
		return nil, fmt.Errorf("standards_led needs params.levels")
	}
	return func(e *env, o *obs) {
		if e.p.StandardsLed == nil {
			return
		}
		var n int64
		for _, s := range e.p.StandardsLed {
			if slices.Contains(p.Levels, s.Level) && inWindow(s.Year, e.year, p.WithinYears) {
				n++
			}
		}
		o.set(n)
	}, nil
}

// buildHonours is true when any listed honour is held, either in the honours
// list or as a valid title of that kind (高新技术企业 is both).
func buildHonours(p metricParams) (metricFunc, error) {
	if len(p.Honours) == 0 {
		return nil, fmt.Errorf("honours_any needs params.honours")
	}
	return func(e *env, o *obs) {
		for _, h := range e.p.Honours {
			if slices.Contains(p.Honours, h) {
				o.set(1)
				return
			}
		}
		for _, t := range e.p.Titles {
			if slices.Contains(p.Honours, string(t.Kind)) && t.validOn(e.date) {
				o.set(1)
				return
			}
		}
		if e.p.Honours != nil {
			o.set(0)
		}
	}, nil
}

func buildHoldsTitle(p metricParams) (metricFunc, error) {
	if len(p.Titles) == 0 {
		return nil, fmt.Errorf("holds_title needs params.titles")
	}
	return func(e *env, o *obs) {
		if e.p.Titles == nil {
			return
		}
		for _, t := range e.p.Titles {
			if slices.Contains(p.Titles, t.Kind) && t.validOn(e.date) {
				o.set(1)
				return
			}
		}
		o.set(0)
	}, nil
}

// buildTitlesHeld counts the valid titles of the listed kinds: a ladder
// that needs "two digital workshops" counts recognitions, not a yes/no.
func buildTitlesHeld(p metricParams) (metricFunc, error) {
	if len(p.Titles) == 0 {
		return nil, fmt.Errorf("titles_held needs params.titles")
	}
	return func(e *env, o *obs) {
		if e.p.Titles == nil {
			return
		}
		var n int64
		for _, t := range e.p.Titles {
			if slices.Contains(p.Titles, t.Kind) && t.validOn(e.date) {
				n++
			}
		}
		o.set(n)
	}, nil
}

// flagPtr maps a flag name to its profile field; a switch keeps the hot path
// free of reflection.
func flagPtr(p *Profile, name string) (*bool, bool) {
	switch name {
	case "sei":
		return p.Domain.SEI, true
	case "six_bases":
		return p.Domain.SixBases, true
	case "key_chain_link":
		return p.Domain.KeyChainLink, true
	case "chain_gap_role":
		return p.Domain.ChainGapRole, true
	case "time_honoured":
		return p.Domain.TimeHonoured, true
	case "chain_leader_supplier":
		return p.Domain.ChainLeaderSupplier, true
	case "manufacturing_power":
		return p.Domain.ManufacturingPower, true
	case "cyber_power":
		return p.Domain.CyberPower, true
	case "new_industry":
		return p.Domain.NewIndustry, true
	case "quality_award":
		return p.Quality.QualityAward, true
	case "qms_certified":
		return p.Quality.QMSCertified, true
	case "own_brand":
		return p.Quality.OwnBrand, true
	case "standards_drafted":
		return p.Quality.StandardsDrafted, true
	case "intl_product_cert":
		return p.Quality.IntlProductCert, true
	case "core_process_it":
		return p.Quality.CoreProcessIT, true
	case "ip_top3_holder":
		return p.IP.Top3Holder, true
	case "new_product":
		return p.NewProduct, true
	case "listed":
		return p.Listed, true
	}
	return nil, false
}

// flagLabel names a flag for explanations.
func flagLabel(name string) Text {
	switch name {
	case "sei":
		return lbl("flag.sei")
	case "six_bases":
		return lbl("flag.six_bases")
	case "key_chain_link":
		return lbl("flag.key_chain_link")
	case "chain_gap_role":
		return lbl("flag.chain_gap_role")
	case "time_honoured":
		return lbl("flag.time_honoured")
	case "chain_leader_supplier":
		return lbl("flag.chain_leader_supplier")
	case "manufacturing_power":
		return lbl("flag.manufacturing_power")
	case "cyber_power":
		return lbl("flag.cyber_power")
	case "new_industry":
		return lbl("flag.new_industry")
	case "quality_award":
		return lbl("flag.quality_award")
	case "qms_certified":
		return lbl("flag.qms_certified")
	case "own_brand":
		return lbl("flag.own_brand")
	case "standards_drafted":
		return lbl("flag.standards_drafted")
	case "intl_product_cert":
		return lbl("flag.intl_product_cert")
	case "core_process_it":
		return lbl("flag.core_process_it")
	case "ip_top3_holder":
		return lbl("flag.ip_top3_holder")
	case "new_product":
		return lbl("flag.new_product")
	case "listed":
		return lbl("flag.listed")
	}
	return t(name, name)
}

func buildFlag(p metricParams) (metricFunc, error) {
	if _, ok := flagPtr(&Profile{}, p.Flag); !ok {
		return nil, fmt.Errorf("flag: unknown params.flag %q", p.Flag)
	}
	name := p.Flag
	return func(e *env, o *obs) {
		b, _ := flagPtr(e.p, name)
		if b != nil {
			o.set(b2i(*b))
		}
	}, nil
}

func buildFlagsAny(p metricParams) (metricFunc, error) {
	if len(p.Flags) == 0 {
		return nil, fmt.Errorf("flags_any needs params.flags")
	}
	for _, f := range p.Flags {
		if _, ok := flagPtr(&Profile{}, f); !ok {
			return nil, fmt.Errorf("flags_any: unknown flag %q", f)
		}
	}
	names := p.Flags
	return func(e *env, o *obs) {
		missing := false
		for _, n := range names {
			b, _ := flagPtr(e.p, n)
			switch {
			case b == nil:
				missing = true
			case *b:
				o.set(1)
				return
			}
		}
		if !missing {
			o.set(0)
		}
	}, nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
