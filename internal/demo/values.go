package demo

import (
	"math"
	"math/rand/v2"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
)

// investTrend is the manufacturing-investment cycle by year index: firms
// stepped up capital spending in 2023 and again in 2024.
var investTrend = [nYears]float64{1, 1, 1.12, 1.22}

// values draws each firm's ratios and its annual totals for every year it
// reports.
func (ds *dataset) values(r *rand.Rand) {
	for _, f := range ds.firms {
		g := groups[f.g]
		f.outRatio = 0.97 + 0.08*r.Float64()
		f.vaRatio = math.Min(0.32, math.Max(0.17, g.va*math.Exp(normal(r, 0, 0.1))))
		f.margin = normal(r, g.margin, 0.035)
		f.taxRate = g.tax * math.Exp(normal(r, 0, 0.25))
		f.energy = g.energy * math.Exp(normal(r, 0, 0.4))
		f.capex = math.Min(0.15, 0.045*math.Exp(normal(r, -0.1, 0.5)))
		titled := false
		for _, t := range f.titles {
			if t.Kind.Specialized() {
				titled = true
			}
		}
		switch {
		case titled:
			// 专精特新 needs R&D ≥ 3 % of revenue; titled firms spend more.
			f.rdInt = math.Max(0.03, 0.052*math.Exp(normal(r, 0, 0.3)))
		case f.hasTitle(enterprise.TitleHighTech):
			f.rdInt = math.Max(0.02, g.rd*1.3*math.Exp(normal(r, 0, 0.4)))
		case r.Float64() < g.rdShare:
			f.rdInt = g.rd * math.Exp(normal(r, -0.1, 0.5))
		}
		for t := 1; t < nYears; t++ {
			if !f.hasRep[t] {
				continue
			}
			v := &f.vals[t]
			rev := float64(f.rev[t])
			out := rev * f.outRatio * math.Exp(normal(r, 0, 0.01))
			v[report.Revenue] = f.rev[t]
			v[report.Output] = int64(math.Round(out))
			v[report.ValueAdded] = int64(math.Round(out * f.vaRatio * math.Exp(normal(r, 0, 0.03))))
			v[report.Profit] = int64(math.Round(rev * normal(r, f.margin, 0.015)))
			v[report.RDExpense] = int64(math.Round(rev * f.rdInt * math.Exp(normal(r, 0, 0.05))))
			v[report.Tax] = int64(math.Round(rev * f.taxRate * math.Exp(normal(r, 0, 0.05))))
			v[report.Energy] = int64(math.Round(rev / 1e6 * f.energy * math.Exp(normal(r, 0, 0.05))))
			v[report.Employees] = int64(f.emp[t])
			v[report.Investment] = ds.investment(r, f, t)
		}
	}
}

func (f *firm) hasTitle(kind enterprise.TitleKind) bool {
	for _, t := range f.titles {
		if t.Kind == kind {
			return true
		}
	}
	return false
}

// investment is a firm's capital spending in year t: most firms spend
// nothing in a given year, many a few per cent of revenue, and a few run big
// projects. A firm founded that year is building its plant.
func (ds *dataset) investment(r *rand.Rand, f *firm, t int) int64 {
	g := groups[f.g]
	full := ds.moneyMap(f.latent[t])
	if f.foundedYear() == baseYear+t {
		return int64(math.Round(full * (0.3 + 0.7*r.Float64()) * f.frac(t)))
	}
	p := g.invest * (0.7 + 0.15*math.Log10(math.Max(1, full/threshold)))
	if !f.giant && r.Float64() >= p {
		return 0
	}
	noise := 0.3
	if f.giant {
		noise = 0.12
	}
	amount := full * f.capex * math.Exp(normal(r, 0, noise))
	if !f.giant && r.Float64() < 0.03 {
		// A big project: a new line or plant, up to a few ¥bn.
		amount = math.Min(full*(0.2+0.6*r.Float64()), logUniform(r, 3e8*100, 3e9*100))
	}
	return int64(math.Round(amount * investTrend[t]))
}

// Seasonal shape of single-month values, months 2 (Jan–Feb together) to 12:
// Jan–Feb weak around the Spring Festival, the year end strong.
var (
	activityShape   = [11]float64{0.135, 0.085, 0.080, 0.082, 0.090, 0.078, 0.080, 0.088, 0.080, 0.090, 0.112}
	rdShape         = [11]float64{0.110, 0.080, 0.080, 0.085, 0.090, 0.080, 0.080, 0.090, 0.085, 0.090, 0.130}
	investmentShape = [11]float64{0.080, 0.070, 0.080, 0.090, 0.100, 0.080, 0.090, 0.100, 0.090, 0.100, 0.120}
)

// cumShares returns the cumulative shares of a firm-year's months, from
// shape with noise, zero before the first reported month, exactly 1 at
// December.
func cumShares(r *rand.Rand, shape [11]float64, first int, noise float64) [11]float64 {
	var w [11]float64
	var sum float64
	for i := range w {
		if i+2 < first {
			continue
		}
		w[i] = shape[i] * math.Exp(normal(r, 0, noise))
		sum += w[i]
	}
	var out [11]float64
	var acc float64
	for i := range w {
		acc += w[i]
		out[i] = acc / sum
	}
	out[10] = 1
	return out
}

// monthly appends firm f's reports for year index t, with enterprise id id.
// Cumulative fields add up exactly to the annual totals in December.
func (ds *dataset) monthly(f *firm, t int, id int64, out []report.Monthly) []report.Monthly {
	if !f.hasRep[t] {
		return out
	}
	r := rand.New(rand.NewPCG(ds.opts.Seed^0x5eed5eed5eed5eed, uint64(f.idx)<<3|uint64(t)))
	noise := 0.05
	if f.giant {
		noise = 0.02
	}
	act := cumShares(r, activityShape, f.first[t], noise)
	rd := cumShares(r, rdShape, f.first[t], noise*2)
	inv := cumShares(r, investmentShape, f.first[t], 0.3)
	v := &f.vals[t]
	for m := f.first[t]; m <= 12; m++ {
		i := m - 2
		rep := report.Monthly{EnterpriseID: id, Period: report.Period{Year: baseYear + t, Month: m}}
		for fld := report.Field(0); fld < report.NumFields; fld++ {
			var c float64
			switch fld {
			case report.Employees:
				e := float64(v[fld]) * (1 + 0.01*r.NormFloat64())
				if m == 2 {
					e *= 0.98
				}
				rep.Values[fld] = max(1, int64(math.Round(e)))
				continue
			case report.RDExpense:
				c = rd[i]
			case report.Investment:
				c = inv[i]
			default:
				c = act[i]
			}
			rep.Values[fld] = int64(math.Round(float64(v[fld]) * c))
		}
		out = append(out, rep)
	}
	return out
}
