package demo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/industry"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Years. 2021 exists only as latent revenue: it decides 2022's above-scale
// set. Reports cover 2022-02 … 2024-12.
const (
	baseYear  = 2021
	firstYear = 2022
	lastYear  = 2024
	nYears    = lastYear - baseYear + 1 // index t: 0 = 2021 … 3 = 2024
)

// Population per unit of Scale.
const (
	perScaleAboveLine = 6880 // incumbents above the ¥20 m line in 2021 (giants come on top)
	perScaleBelowLine = 1700 // incumbents below it: registered, mostly never in statistics
)

// newFirms is how many firms are founded each year per unit of Scale.
var newFirms = [nYears]int{0, 110, 130, 150}

// threshold is the above-scale revenue line in fen.
const threshold = float64(enterprise.AboveScaleThreshold)

// firm is one generated enterprise with everything the loader writes.
type firm struct {
	idx     int
	g       int // index into groups
	class   string
	section byte
	sei     bool
	giant   bool
	region  string
	name    string
	trade   string // 字号, the distinctive part of the name
	code    string
	founded time.Time
	project bool // founded 2022–2024 as a big project that reports from its first year (新建投产)
	closed  int  // first year the firm no longer exists; 0 = still open
	land    unit.Mu100
	prod    float64 // labour productivity multiplier

	latent [nYears]float64 // full-year revenue in fen before the money map
	rev    [nYears]int64   // operating revenue in fen (partial in the founding year)
	emp    [nYears]int     // average employees

	above  [nYears]bool // in the year's above-scale set (t ≥ 1)
	hasRep [nYears]bool // reports for the year (t ≥ 1)
	basis  [nYears]int64
	sizeOf [nYears]enterprise.Size
	empOf  [nYears]int
	first  [nYears]int // first reported month of the year

	vals   [nYears]report.Values // annual totals; Employees holds the average
	titles []enterprise.Title    // EnterpriseID is set at load time

	rdInt    float64
	vaRatio  float64
	outRatio float64
	margin   float64
	taxRate  float64
	energy   float64
	capex    float64 // investment ÷ revenue in a year the firm invests
}

func (f *firm) foundedYear() int { return f.founded.Year() }

// exists reports whether the firm exists during year index t.
func (f *firm) exists(t int) bool {
	y := baseYear + t
	return f.foundedYear() <= y && (f.closed == 0 || f.closed > y)
}

// frac is the share of year t the firm operates: partial in its founding
// year.
func (f *firm) frac(t int) float64 {
	y := baseYear + t
	switch {
	case !f.exists(t):
		return 0
	case f.foundedYear() < y:
		return 1
	}
	return (12 - float64(f.founded.Month()) + 0.5) / 12
}

// dataset is everything generate produces, before enterprise ids exist.
type dataset struct {
	opts    Options
	firms   []*firm
	c       float64 // money map divisor (see moneyMap)
	levelOK bool    // the output level could be calibrated at this scale
	factors calibration
}

// moneyMap compresses revenue above the line so that the 2023 set sums to
// the level aim at any Scale; it keeps every firm on the same side of the
// line, so set membership does not depend on it.
func (ds *dataset) moneyMap(x float64) float64 {
	if x < threshold {
		return x
	}
	return threshold + (x-threshold)/ds.c
}

func (ds *dataset) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(ds.opts.Seed, stream))
}

// generate builds the dataset deterministically from opts.
func generate(opts Options) (*dataset, error) {
	if opts.Scale == 0 {
		opts.Scale = 1
	}
	if opts.Scale < 1 {
		return nil, fmt.Errorf("demo: scale must be at least 1, got %d", opts.Scale)
	}
	ds := &dataset{opts: opts}
	regions, err := region.Builtin()
	if err != nil {
		return nil, err
	}
	sei, err := industry.BuiltinSEI()
	if err != nil {
		return nil, err
	}
	cls, err := industry.Builtin()
	if err != nil {
		return nil, err
	}
	if err := checkCatalog(regions, cls); err != nil {
		return nil, err
	}
	ds.population(ds.rng(1))
	for _, f := range ds.firms {
		sec, _ := industry.Section(f.class)
		f.section = sec
		_, f.sei = sei.Domain(f.class)
	}
	ds.status()
	if err := ds.scaleMoney(); err != nil {
		return nil, err
	}
	ds.people(ds.rng(2))
	if err := ds.identities(ds.rng(3), regions); err != nil {
		return nil, err
	}
	ds.grantTitles(ds.rng(4))
	ds.values(ds.rng(5))
	// A failed calibration still returns the dataset, for inspection.
	return ds, ds.calibrate()
}

// checkCatalog verifies the demo's inputs against the reference data: every
// industry class exists in GB/T 4754-2017 and every region is a unit.
func checkCatalog(regions *region.Catalogue, cls *industry.Classification) error {
	var errs []error
	for _, g := range groups {
		for _, c := range g.classes {
			if k, ok := cls.Lookup(c.code); !ok || k.Level != 4 {
				errs = append(errs, fmt.Errorf("demo: industry class %s (%s) is not in %s", c.code, g.key, cls.Standard))
			}
		}
	}
	for _, gi := range giants {
		if _, ok := cls.Lookup(gi.code); !ok {
			errs = append(errs, fmt.Errorf("demo: giant's industry class %s is unknown", gi.code))
		}
		if groupOf(gi.code) < 0 {
			errs = append(errs, fmt.Errorf("demo: giant's industry class %s is in no group", gi.code))
		}
		if _, ok := regions.ByCode(gi.region); !ok {
			errs = append(errs, fmt.Errorf("demo: giant's region %s is unknown", gi.region))
		}
	}
	seen := map[string]bool{}
	for _, r := range regionWeights {
		if _, ok := regions.ByCode(r.code); !ok {
			errs = append(errs, fmt.Errorf("demo: region %s is unknown", r.code))
		}
		seen[r.code] = true
	}
	for _, r := range regions.Regions {
		if !seen[r.Code] {
			errs = append(errs, fmt.Errorf("demo: region %s (%s) has no weight", r.Code, r.NameZh))
		}
	}
	return errors.Join(errs...)
}

func groupOf(code string) int {
	for i, g := range groups {
		for _, c := range g.classes {
			if c.code == code {
				return i
			}
		}
	}
	return -1
}

// classGrowth overrides a group's growth for classes that moved apart from
// their group: new-energy vehicles and batteries boomed, combustion cars and
// notebooks slipped.
var classGrowth = map[string][3]float64{
	"3612": {0.35, 0.40, 0.70},
	"3611": {0.00, 0.03, -0.10},
	"3841": {0.45, 0.25, 0.30},
	"3849": {0.30, 0.20, 0.25},
	"3911": {-0.04, -0.12, 0.03},
	"3974": {0.02, 0.05, 0.12},
	"3973": {0.10, 0.08, 0.15},
}

func growthOf(g int, class string, t int) float64 {
	if cg, ok := classGrowth[class]; ok {
		return cg[t-1]
	}
	return groups[g].growth[t-1]
}

func normal(r *rand.Rand, mu, sigma float64) float64 { return mu + sigma*r.NormFloat64() }

func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo)))
}

// pickWeighted returns an index drawn with the given weights.
func pickWeighted(r *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range w {
		u -= x
		if u < 0 {
			return i
		}
	}
	return len(w) - 1
}

// quotas splits n over weights by the largest-remainder method, so every
// unit gets its share exactly and small units are never left empty by
// chance.
func quotas(n int, w []float64) []int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	out := make([]int, len(w))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(w))
	left := n
	for i, x := range w {
		q := float64(n) * x / sum
		out[i] = int(q)
		left -= out[i]
		rems[i] = rem{i, q - float64(out[i])}
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		switch {
		case a.r > b.r:
			return -1
		case a.r < b.r:
			return 1
		}
		return 0
	})
	for k := 0; k < left; k++ {
		out[rems[k].i]++
	}
	return out
}

func (ds *dataset) newFirm(r *rand.Rand, regionCode string, g int) *firm {
	f := &firm{idx: len(ds.firms), g: g, region: regionCode}
	cw := make([]float64, len(groups[g].classes))
	for i, c := range groups[g].classes {
		cw[i] = c.weight
	}
	f.class = groups[g].classes[pickWeighted(r, cw)].code
	ds.firms = append(ds.firms, f)
	return f
}

func pickGroup(r *rand.Rand, rw regionWeight) int {
	w := make([]float64, len(groups))
	for i, g := range groups {
		m, ok := rw.tilt[g.key]
		if !ok {
			m = 1
		}
		w[i] = g.firms * m
	}
	return pickWeighted(r, w)
}

func bigOf(g int, class string) float64 {
	for _, c := range groups[g].classes {
		if c.code == class {
			return c.big
		}
	}
	return 0
}

// population draws every firm's region, industry, founding year class and
// latent revenue path 2021–2024.
func (ds *dataset) population(r *rand.Rand) {
	scale := ds.opts.Scale
	rw := make([]float64, len(regionWeights))
	for i, x := range regionWeights {
		rw[i] = x.weight
	}
	// Giants first (once per unit of Scale), then the body.
	for k := 0; k < scale; k++ {
		for _, gi := range giants {
			g := groupOf(gi.code)
			f := &firm{idx: len(ds.firms), g: g, class: gi.code, region: gi.region, giant: true}
			ds.firms = append(ds.firms, f)
			y23 := gi.yi * float64(unit.Yi) * math.Exp(normal(r, 0, 0.05))
			f.latent[2] = y23
			f.latent[1] = y23 / (1 + growthOf(g, f.class, 2)) * math.Exp(normal(r, 0, 0.03))
			f.latent[0] = f.latent[1] / (1 + growthOf(g, f.class, 1)) * math.Exp(normal(r, 0, 0.03))
			f.latent[3] = y23 * (1 + growthOf(g, f.class, 3)) * math.Exp(normal(r, 0, 0.03))
			f.founded = time.Date(1950+r.IntN(50), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		}
	}
	nInc := (perScaleAboveLine + perScaleBelowLine) * scale
	q := quotas(nInc, rw)
	slots := make([]int, 0, nInc)
	for i, n := range q {
		for k := 0; k < n; k++ {
			slots = append(slots, i)
		}
	}
	r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	for k, ri := range slots {
		g := pickGroup(r, regionWeights[ri])
		f := ds.newFirm(r, regionWeights[ri].code, g)
		if k < perScaleAboveLine*scale {
			mu := math.Log(3.5e7*100) + groups[g].sizeMu + bigOf(g, f.class)
			for {
				x := math.Exp(normal(r, mu, 1.5))
				if x >= threshold {
					f.latent[0] = x
					break
				}
			}
		} else {
			f.latent[0] = logUniform(r, 9e6*100, threshold)
		}
		trend := normal(r, 0, 0.03)
		sigma := 0.16
		switch {
		case f.latent[0] < threshold:
			sigma, trend = 0.25, trend+0.1
		case f.latent[0] < 3*threshold:
			sigma = 0.2
		}
		for t := 1; t < nYears; t++ {
			gr := math.Log1p(growthOf(g, f.class, t)) + trend
			f.latent[t] = f.latent[t-1] * math.Exp(normal(r, gr-sigma*sigma/2, sigma))
		}
		// Age: older firms are bigger on average.
		age := r.ExpFloat64()*10 + 1 + 1.2*math.Max(0, math.Log(f.latent[0]/threshold))
		fy := max(1958, 2020-int(age))
		f.founded = time.Date(fy, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		// Closures at the start of 2023 or 2024: small firms fail more.
		for t := 2; t < nYears && f.closed == 0; t++ {
			h := 0.008 // restructuring, mergers, relocation out of Chongqing
			switch {
			case f.latent[t-1] < threshold:
				h = 0.03
			case f.latent[t-1] < 1.5*threshold:
				h = 0.012
			}
			if r.Float64() < h {
				f.closed = baseYear + t
			}
		}
	}
	// New firms, founded 2022–2024.
	for t := 1; t < nYears; t++ {
		for k := 0; k < newFirms[t]*scale; k++ {
			ri := pickWeighted(r, rw)
			g := pickGroup(r, regionWeights[ri])
			f := ds.newFirm(r, regionWeights[ri].code, g)
			y := baseYear + t
			f.project = r.Float64() < 0.4
			m := 1 + r.IntN(12)
			if f.project {
				m = 1 + r.IntN(9)
				f.latent[t] = math.Max(2.5e7*100, math.Exp(normal(r, math.Log(8e7*100)+groups[g].sizeMu, 0.9)))
			} else {
				f.latent[t] = logUniform(r, 3e6*100, 1.8e7*100)
			}
			f.founded = time.Date(y, time.Month(m), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
			for u := t + 1; u < nYears; u++ {
				f.latent[u] = f.latent[u-1] * math.Exp(normal(r, 0.25, 0.15))
			}
		}
	}
}

// status sets each year's above-scale status and whether the firm reports.
// A firm is in year Y's set when its revenue of Y−1 (annualised for a firm
// founded in Y−1) reached the line; a big new project is in the set from
// its founding year. Firms entering the set next year also report this
// year, so that their comparable basis exists.
func (ds *dataset) status() {
	for _, f := range ds.firms {
		for t := 1; t < nYears; t++ {
			if !f.exists(t) {
				continue
			}
			y := baseYear + t
			switch fy := f.foundedYear(); {
			case fy < y:
				f.above[t] = f.latent[t-1] >= threshold
			default: // founded this year
				f.above[t] = f.project
			}
		}
		for t := 1; t < nYears; t++ {
			f.hasRep[t] = f.exists(t) && (f.above[t] || (t+1 < nYears && f.above[t+1] && f.exists(t+1)))
			f.first[t] = 2
			if f.foundedYear() == baseYear+t {
				f.first[t] = max(2, int(f.founded.Month()))
			}
		}
	}
}

// scaleMoney chooses the money map so that 2023's above-scale set has the
// aimed revenue, then fixes every firm's revenue in fen.
func (ds *dataset) scaleMoney() error {
	var a, b float64
	n := 0
	for _, f := range ds.firms {
		if !(f.above[2] && f.hasRep[2]) {
			continue
		}
		n++
		fr := f.frac(2)
		if f.latent[2] >= threshold {
			a += threshold * fr
			b += (f.latent[2] - threshold) * fr
		} else {
			a += f.latent[2] * fr
		}
	}
	if n == 0 || b <= 0 {
		return errors.New("demo: empty 2023 above-scale set")
	}
	// At very large scales N×7,000 firms above the line cannot sum to the
	// aim; keep the excess above the line at least a fifth of the line's
	// share and report the level as not calibrated.
	room := aims.revenue2023 - a
	ds.levelOK = room >= 0.2*a
	if !ds.levelOK {
		room = 0.2 * a
	}
	ds.c = b / room
	for _, f := range ds.firms {
		for t := 0; t < nYears; t++ {
			if f.exists(t) {
				f.rev[t] = int64(math.Round(ds.moneyMap(f.latent[t]) * f.frac(t)))
			}
		}
	}
	return nil
}

// people sets employees, productivity, land and the yearly status rows.
func (ds *dataset) people(r *rand.Rand) {
	for _, f := range ds.firms {
		f.prod = math.Exp(normal(r, 0, 0.35))
		for t := 0; t < nYears; t++ {
			if !f.exists(t) {
				continue
			}
			full := ds.moneyMap(f.latent[t]) // annualised
			yuan := full / 100
			p := 6.3e5 * math.Pow(math.Max(yuan, 1e6)/2e7, 0.25) * f.prod
			e := int(math.Round(yuan / p))
			if full >= threshold {
				e = max(e, 20+int(f.prod*10))
			}
			f.emp[t] = max(e, 3)
		}
		for t := 1; t < nYears; t++ {
			if !f.exists(t) {
				continue
			}
			// Size is set once a year from the prior year's annual data
			// (annualised for a firm founded then); a firm founded this
			// year is classed on its planned first-year figures.
			src := t - 1
			if !f.exists(src) {
				src = t
			}
			f.basis[t] = int64(math.Round(ds.moneyMap(f.latent[src])))
			f.empOf[t] = f.emp[src]
			f.sizeOf[t] = enterprise.IndustrySize2017.Classify(f.empOf[t], unit.Fen(f.basis[t]))
		}
		// Land in use, correlated with size; light-asset electronics and
		// heavy industry differ by a factor of several.
		perMu := 6e6 * math.Exp(normal(r, 0, 0.5)) // revenue yuan per mu
		switch groups[f.g].key {
		case "elec":
			perMu *= 2
		case "build", "metal", "chem", "util", "mining":
			perMu *= 0.5
		}
		ref := f.latent[1]
		if ref == 0 {
			ref = f.latent[nYears-1]
		}
		mu := math.Max(3+r.Float64()*5, ds.moneyMap(ref)/100/perMu)
		f.land = unit.Mu100(math.Round(mu * 100))
	}
}
