package cultivation

import (
	"time"

	"github.com/industrybrain/ibrain/internal/rules"
)

// BuildProfile assembles the rules.Profile of an enterprise as known on
// asOf, from its raw facts:
//
//   - registry: name, credit code, founding date, titles granted by asOf;
//   - employees: the statistical status of the prior year (上年), else the
//     latest earlier year, else the latest December report;
//   - yearly series up to the prior year: operating revenue and R&D expense
//     from December year-to-date reports, or from the profile facts for
//     years without one; main-business revenue, net profit, total costs and
//     the development-quality score from the profile facts;
//   - year-end facts (assets, debt ratio, IP, market position …) from the
//     profile facts of the prior year, else the latest earlier year.
//
// Nothing is guessed: what no source holds stays unknown, and the rules
// judge it unknown rather than met. In particular 利润总额 in the reports
// is not the net profit the rules ask for.
func BuildProfile(raw *Raw, asOf time.Time) rules.Profile {
	y1 := asOf.Year() - 1
	e := &raw.Enterprise
	p := rules.Profile{Name: e.Name, CreditCode: e.CreditCode}
	if !e.Founded.IsZero() {
		d := dateOf(e.Founded)
		p.Founded = &d
	}

	// Employees.
	bestYear := 0
	for _, y := range raw.Years {
		if y.Year <= y1 && y.Year > bestYear && y.Employees > 0 {
			bestYear = y.Year
			p.Employees = rules.Ptr(int64(y.Employees))
		}
	}
	if p.Employees == nil {
		for _, a := range raw.Annual {
			if a.Year <= y1 && a.Year > bestYear && a.Employees > 0 {
				bestYear = a.Year
				p.Employees = rules.Ptr(a.Employees)
			}
		}
	}

	// Yearly series.
	reported := map[int]bool{}
	for _, a := range raw.Annual {
		if a.Year > y1 {
			continue
		}
		reported[a.Year] = true
		p.OperatingRevenue = p.OperatingRevenue.Set(a.Year, int64(a.Revenue))
		p.RDExpense = p.RDExpense.Set(a.Year, int64(a.RDExpense))
	}
	var point *Facts
	pointYear := 0
	for i := range raw.Facts {
		yf := &raw.Facts[i]
		if yf.Year > y1 {
			continue
		}
		f := &yf.Facts
		if !reported[yf.Year] {
			if f.OperatingRevenue != nil {
				p.OperatingRevenue = p.OperatingRevenue.Set(yf.Year, int64(*f.OperatingRevenue))
			}
			if f.RDExpense != nil {
				p.RDExpense = p.RDExpense.Set(yf.Year, int64(*f.RDExpense))
			}
		}
		if f.MainBusinessRevenue != nil {
			p.MainBusinessRevenue = p.MainBusinessRevenue.Set(yf.Year, int64(*f.MainBusinessRevenue))
		}
		if f.NetProfit != nil {
			p.NetProfit = p.NetProfit.Set(yf.Year, int64(*f.NetProfit))
		}
		if f.TotalCost != nil {
			p.TotalCost = p.TotalCost.Set(yf.Year, int64(*f.TotalCost))
		}
		if f.DevQualityScore != nil {
			p.DevQualityScore = rules.PointSeries(rules.Series(p.DevQualityScore).Set(yf.Year, int64(*f.DevQualityScore)))
		}
		if yf.Year > pointYear {
			point, pointYear = f, yf.Year
		}
	}
	if point != nil {
		pp := point.pointProfile()
		pp.Name, pp.CreditCode, pp.Founded, pp.Employees = p.Name, p.CreditCode, p.Founded, p.Employees
		pp.OperatingRevenue, pp.MainBusinessRevenue, pp.RDExpense, pp.NetProfit, pp.TotalCost, pp.DevQualityScore =
			p.OperatingRevenue, p.MainBusinessRevenue, p.RDExpense, p.NetProfit, p.TotalCost, p.DevQualityScore
		p = pp
	}

	// The SME digital level: an assessed maturity record (with its source
	// and evidence) wins over a level declared in the profile facts; the
	// latest record up to the prior year counts, as for the point facts.
	for _, l := range raw.DigitalLevels {
		if l.Year <= y1 && l.Level > 0 {
			p.DigitalLevel = rules.Ptr(int64(l.Level))
		}
	}

	// The registry is the authority on titles: none recorded means none.
	p.Titles = []rules.HeldTitle{}
	for _, t := range e.Titles {
		if t.GrantedOn.After(asOf) {
			continue
		}
		p.Titles = append(p.Titles, rules.HeldTitle{Kind: t.Kind, GrantedOn: dateOf(t.GrantedOn), ValidUntil: dateOf(t.ValidUntil)})
	}
	return p
}

// ProfileYears returns the years of facts a profile on asOf reads: the
// prior year (上年) and the three before it, which the 3-year growth rules
// reach back to.
func ProfileYears(asOf time.Time) (from, to int) {
	y1 := asOf.Year() - 1
	return y1 - 3, y1
}

// Subjects builds the screening subjects from raw facts.
func Subjects(raws []Raw, asOf time.Time) []Subject {
	out := make([]Subject, len(raws))
	for i := range raws {
		r := &raws[i]
		e := &r.Enterprise
		out[i] = Subject{ID: e.ID, Name: e.Name, CreditCode: e.CreditCode, RegionCode: e.RegionCode, ClusterCode: r.ClusterCode,
			Titles: e.Titles, Profile: BuildProfile(r, asOf)}
	}
	return out
}
