package demo

import (
	"errors"
	"fmt"
	"math"

	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/unit"
)

// ppiE4 is the industrial producer price index by year (previous year = 100)
// × 10^4: the deflator series the platform divides current-price value
// added by. It is an input of the dataset, loaded as series ppi_industry.
var ppiE4 = map[int]int64{2022: 1_032_000, 2023: 974_000, 2024: 983_000}

// aims steer the calibration. They are the document's figures
// (/work/shared/reference/seed-figures.md, the 2023 成绩单, and the public
// 2024 results), each aimed at the middle of its acceptance interval. They
// are never stored: the generator adjusts raw records until the platform's
// own computation over those records lands on them.
var aims = struct {
	revenue2023   float64         // fen, what the money map aims the 2023 set's revenue at
	output2023    float64         // fen, "超过2.6万亿元": above 2.6 and below 2.6 × 1.02 trillion
	vaReal        [nYears]float64 // %, real value-added growth, comparable basis, by year index
	mfgInvest2023 float64         // %, manufacturing investment growth, comparable basis
	sei           [nYears]float64 // %, SEI share of value added, by year index
	rdSpec2023    float64         // %, R&D ÷ revenue of 专精特新 firms
	rdAll2023     float64         // %, R&D ÷ revenue of all above-scale firms
}{
	revenue2023:   2.60 * float64(unit.Trillion),
	output2023:    2.626 * float64(unit.Trillion),
	vaReal:        [nYears]float64{2: 6.6, 3: 7.3},
	mfgInvest2023: 13.5,
	sei:           [nYears]float64{2: 32.2, 3: 34.6},
	rdSpec2023:    5.4,
	rdAll2023:     2.4,
}

// interval is a half-open acceptance interval [lo, hi); closed includes hi,
// above excludes lo ("超过": strictly above).
type interval struct {
	lo, hi float64
	closed bool
	above  bool
}

func (iv interval) contains(v float64) bool {
	switch {
	case iv.above && v <= iv.lo, v < iv.lo:
		return false
	case iv.closed:
		return v <= iv.hi
	}
	return v < iv.hi
}

// acceptance are the document's figures as intervals: a percentage printed
// to one decimal must round to it; "超过 X" is above X and below X × 1.02.
var acceptance = struct {
	output2023    interval // in trillion yuan
	vaReal2023    interval
	vaReal2024    interval
	mfgInvest2023 interval
	sei2023       interval
	sei2024       interval
	rdSpec2023    interval
	rdAll2023     interval
}{
	output2023:    interval{lo: 2.6, hi: 2.6 * 1.02, above: true},
	vaReal2023:    interval{lo: 6.55, hi: 6.65},
	vaReal2024:    interval{lo: 7.25, hi: 7.35},
	mfgInvest2023: interval{lo: 13.45, hi: 13.55},
	sei2023:       interval{lo: 32.15, hi: 32.25},
	sei2024:       interval{lo: 34.55, hi: 34.65},
	rdSpec2023:    interval{lo: 5.35, hi: 5.45},
	rdAll2023:     interval{lo: 2.2, hi: 2.6, closed: true},
}

// calibration records the multiplicative adjustments applied.
type calibration struct {
	seiVA, va2023, seiVA2024, va2024, mfgInvest, rdSpec, rdOther, output float64
}

// figures are the dataset's figures measured the way the platform measures
// them: the year's above-scale set with reports, December cumulative
// values, the base being the same firms' values a year earlier.
type figures struct {
	Output2023    float64 // trillion yuan
	VAReal        [nYears]float64
	VANaive2023   float64 // real growth from the two published totals, for contrast
	MfgInvest2023 float64
	SEIShare      [nYears]float64
	RDSpec2023    float64
	RDAll2023     float64
	VAToOutput    [nYears]float64
}

func (f *firm) inSet(t int) bool { return f.above[t] && f.hasRep[t] }

// sums adds December cumulative values of year t's set (filtered by pred)
// and the same firms' values a year earlier.
func (ds *dataset) sums(t int, pred func(*firm) bool) (cur, base report.Values) {
	for _, f := range ds.firms {
		if !f.inSet(t) || (pred != nil && !pred(f)) {
			continue
		}
		for i, v := range f.vals[t] {
			cur[i] += v
		}
		if t > 1 && f.hasRep[t-1] {
			for i, v := range f.vals[t-1] {
				base[i] += v
			}
		}
	}
	return cur, base
}

func isSEI(f *firm) bool { return f.sei }
func isMfg(f *firm) bool { return f.section == 'C' }
func (ds *dataset) isSpecialized2023(f *firm) bool {
	return f.specializedOn(day(2023, 12, 31))
}

func (ds *dataset) scale(t int, fld report.Field, pred func(*firm) bool, k float64) {
	for _, f := range ds.firms {
		if f.hasRep[t] && (pred == nil || pred(f)) {
			f.vals[t][fld] = int64(math.Round(float64(f.vals[t][fld]) * k))
		}
	}
}

// pct drops the ok of a statistics formula: the measured sets are never
// empty, and an empty one fails the interval checks anyway (NaN-free 0).
func pct(v float64, _ bool) float64 { return v }

// measure computes the figures with the statistics package's own formulas.
func (ds *dataset) measure() figures {
	var fg figures
	for t := 2; t < nYears; t++ {
		cur, base := ds.sums(t, nil)
		sei, _ := ds.sums(t, isSEI)
		fg.VAReal[t] = pct(stats.RealGrowthPct(cur[report.ValueAdded], base[report.ValueAdded], ppiE4[baseYear+t]))
		fg.SEIShare[t] = pct(stats.SharePct(sei[report.ValueAdded], cur[report.ValueAdded]))
	}
	for t := 1; t < nYears; t++ {
		cur, _ := ds.sums(t, nil)
		fg.VAToOutput[t] = float64(cur[report.ValueAdded]) / float64(cur[report.Output])
	}
	cur23, _ := ds.sums(2, nil)
	cur22, _ := ds.sums(1, nil)
	fg.Output2023 = float64(cur23[report.Output]) / float64(unit.Trillion)
	fg.VANaive2023 = pct(stats.RealGrowthPct(cur23[report.ValueAdded], cur22[report.ValueAdded], ppiE4[2023]))
	mc, mb := ds.sums(2, isMfg)
	fg.MfgInvest2023 = pct(stats.GrowthPct(mc[report.Investment], mb[report.Investment]))
	sp, _ := ds.sums(2, ds.isSpecialized2023)
	fg.RDSpec2023 = pct(stats.SharePct(sp[report.RDExpense], sp[report.Revenue]))
	fg.RDAll2023 = pct(stats.SharePct(cur23[report.RDExpense], cur23[report.Revenue]))
	return fg
}

// calibrate applies exact multiplicative adjustments to groups of records,
// in an order where later steps leave earlier figures unchanged, then
// re-measures and fails if any figure is off.
func (ds *dataset) calibrate() error {
	k := &ds.factors
	va := report.ValueAdded
	// 1. SEI share of 2023 value added: scale SEI firms' value added in
	// every year, so their growth is untouched.
	seiShare := func(t int) float64 {
		all, _ := ds.sums(t, nil)
		sei, _ := ds.sums(t, isSEI)
		s, n := float64(sei[va]), float64(all[va]-sei[va])
		aim := aims.sei[t] / 100
		return aim / (1 - aim) * n / s
	}
	realGrowth := func(t int) float64 {
		cur, base := ds.sums(t, nil)
		want := (1 + aims.vaReal[t]/100) * float64(ppiE4[baseYear+t]) / 1e6 * float64(base[va])
		return want / float64(cur[va])
	}
	k.seiVA = seiShare(2)
	for t := 1; t < nYears; t++ {
		ds.scale(t, va, isSEI, k.seiVA)
	}
	// 2. Real growth 2023: scale every firm's 2023 value added (and 2024's,
	// keeping 2024's raw growth); the SEI share is unchanged.
	k.va2023 = realGrowth(2)
	ds.scale(2, va, nil, k.va2023)
	ds.scale(3, va, nil, k.va2023)
	// 3–4. The same for 2024, on top of the finished 2023 base.
	k.seiVA2024 = seiShare(3)
	ds.scale(3, va, isSEI, k.seiVA2024)
	k.va2024 = realGrowth(3)
	ds.scale(3, va, nil, k.va2024)
	// 5. Manufacturing investment growth 2023 (2024 moves with it).
	mc, mb := ds.sums(2, isMfg)
	k.mfgInvest = (1 + aims.mfgInvest2023/100) * float64(mb[report.Investment]) / float64(mc[report.Investment])
	ds.scale(2, report.Investment, isMfg, k.mfgInvest)
	ds.scale(3, report.Investment, isMfg, k.mfgInvest)
	// 6. R&D intensity: 专精特新 firms (at 2023's year end) and the others,
	// two unknowns for two aims, every year alike.
	all, _ := ds.sums(2, nil)
	sp, _ := ds.sums(2, ds.isSpecialized2023)
	rdS, revS := float64(sp[report.RDExpense]), float64(sp[report.Revenue])
	rdN, revN := float64(all[report.RDExpense])-rdS, float64(all[report.Revenue])-revS
	k.rdSpec = aims.rdSpec2023 / 100 * revS / rdS
	k.rdOther = (aims.rdAll2023/100*(revS+revN) - aims.rdSpec2023/100*revS) / rdN
	notSpec := func(f *firm) bool { return !ds.isSpecialized2023(f) }
	for t := 1; t < nYears; t++ {
		ds.scale(t, report.RDExpense, ds.isSpecialized2023, k.rdSpec)
		ds.scale(t, report.RDExpense, notSpec, k.rdOther)
	}
	// 7. The output level (every year alike, so output growth is kept).
	k.output = 1
	if ds.levelOK {
		k.output = aims.output2023 / float64(all[report.Output])
		for t := 1; t < nYears; t++ {
			ds.scale(t, report.Output, nil, k.output)
		}
	}
	return ds.check()
}

// check re-measures the rounded records and reports every figure outside
// its acceptance interval, and factors so large that the raw generator has
// drifted from its calibration.
func (ds *dataset) check() error {
	fg := ds.measure()
	var errs []error
	want := func(name string, v float64, iv interval) {
		if !iv.contains(v) {
			errs = append(errs, fmt.Errorf("demo: calibration failed: %s = %.4f, want [%g, %g)", name, v, iv.lo, iv.hi))
		}
	}
	if ds.levelOK {
		want("2023 gross output (trillion)", fg.Output2023, acceptance.output2023)
	}
	want("2023 real VA growth", fg.VAReal[2], acceptance.vaReal2023)
	want("2024 real VA growth", fg.VAReal[3], acceptance.vaReal2024)
	want("2023 manufacturing investment growth", fg.MfgInvest2023, acceptance.mfgInvest2023)
	want("2023 SEI share", fg.SEIShare[2], acceptance.sei2023)
	want("2024 SEI share", fg.SEIShare[3], acceptance.sei2024)
	want("2023 专精特新 R&D intensity", fg.RDSpec2023, acceptance.rdSpec2023)
	want("2023 R&D intensity", fg.RDAll2023, acceptance.rdAll2023)
	// The raw generator is tuned at Scale 1, where the adjustments must stay
	// small and value added 20–30 % of output. At larger scales most output
	// is the ¥20 m floor of ever more firms, the mix shifts towards the
	// numerous small traditional firms, and the adjustments grow.
	vaRange, lo, hi := interval{lo: 0.2, hi: 0.3, closed: true}, 0.6, 1.6
	if ds.opts.Scale > 1 {
		vaRange, lo, hi = interval{lo: 0.15, hi: 0.4, closed: true}, 0.25, 4.0
	}
	for t := 1; t < nYears; t++ {
		want(fmt.Sprintf("%d value added ÷ output", baseYear+t), fg.VAToOutput[t], vaRange)
	}
	k := ds.factors
	for _, x := range []struct {
		name string
		v    float64
	}{{"SEI VA 2023", k.seiVA}, {"VA 2023", k.va2023}, {"SEI VA 2024", k.seiVA2024}, {"VA 2024", k.va2024},
		{"manufacturing investment", k.mfgInvest}, {"R&D 专精特新", k.rdSpec}, {"R&D other", k.rdOther}, {"output", k.output}} {
		if !(x.v > lo && x.v < hi) {
			errs = append(errs, fmt.Errorf("demo: calibration factor %s = %.3f is implausible; the raw generator drifted", x.name, x.v))
		}
	}
	return errors.Join(errs...)
}
