package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Digital transformation (issue 11): renovation projects and recognitions
// from 2018 to 2024 and yearly maturity records, generated so that the
// platform's statistics, computed from the records by internal/digital,
// print the source document's figures (seed-figures.md, "Digital
// transformation"):
//
//   - more than 6,000 智能化改造 projects carried out (approved) by the end
//     of 2023: 6,040, below 6,000 × 1.02;
//   - the demonstration projects' average productivity gain close to 60 %:
//     the gains of the demonstration projects accepted by the end of 2023
//     are drawn in pairs 60 % ± d, so their mean is 60 % up to rounding;
//   - 17 smart factories and 224 digital workshops recognised in 2023, 144
//     and 958 in total;
//   - 2024 against the task table: 12 smart factories (plan 10), 118
//     workshops (100), 4 future factories (5: a miss) and 1,460
//     renovation projects of every kind (1,500: a miss). Industry brains
//     are not firm records and stay a departmental entry.
//
// The plan below is the generator's input; the figures are recomputed from
// the stored records by TestDigitalFigures. Every smart factory's firm
// holds two digital workshops recognised before it (the ladder's rule);
// recognitions are dated on the two batches of each year (Chongqing
// recognises twice a year). Maturity records give the recognised firms NC
// rates above their rung's threshold, and a wider set of firms CMMM
// levels, NC rates and 上云用数赋智 participation; the SME digital level is
// copied from the firm's cultivation facts of the same year only, so the
// 专精特新 screening of the demo does not change.

// digitalStream is the module's PCG stream: "digi".
const digitalStream = 0x64696769

// digitalYears is the span generated.
const digitalFirstYear, digitalLastYear = 2018, 2024

// projectPlan is the number of projects approved in each year, by kind.
var projectPlan = map[int][3]int{ // intelligent, digital, green
	2018: {700, 150, 50}, 2019: {850, 200, 80}, 2020: {950, 250, 100}, 2021: {1100, 300, 120},
	2022: {1150, 350, 150}, 2023: {1290, 400, 180}, 2024: {900, 380, 180},
}

// recognitionPlan is the number of recognitions in each year by rung:
// workshops, smart factories, excellent, future factories.
var recognitionPlan = map[int][4]int{
	2018: {100, 20, 0, 0}, 2019: {120, 22, 0, 0}, 2020: {140, 25, 0, 0}, 2021: {170, 28, 0, 0},
	2022: {204, 32, 0, 0}, 2023: {224, 17, 0, 0}, 2024: {118, 12, 3, 4},
}

// Shares of the generated projects.
const (
	digitalPendingShare = 0.04 // applications per approved project left unapproved (rejected, withdrawn or pending)
	digitalDemoShare    = 0.08 // intelligent projects that are demonstration projects
	digitalCityShare    = 0.12 // projects at or above the city threshold
	digitalGainMean     = 60.0 // demonstration productivity gain, per cent
)

// digitalCutoff is the last day of the generated history.
var digitalCutoff = day(2024, time.December, 31)

type digitalGen struct {
	r     *rand.Rand
	ds    *dataset
	idOf  []int64
	rules *digital.Rules
	codes []string // scenario codes
	pool  []int    // firm indexes eligible, manufacturing and open through 2024
}

func (g *digitalGen) date(y int) time.Time {
	return day(y, time.January, 1).AddDate(0, 0, g.r.IntN(365))
}

// firm picks a firm founded by year y.
func (g *digitalGen) firm(y int) int {
	for {
		i := g.pool[g.r.IntN(len(g.pool))]
		if g.ds.firms[i].foundedYear() <= y {
			return i
		}
	}
}

func (g *digitalGen) scenarios() []string {
	n := 1 + g.r.IntN(3)
	out := make([]string, 0, n)
	for len(out) < n {
		c := g.codes[g.r.IntN(len(g.codes))]
		dup := false
		for _, o := range out {
			dup = dup || o == c
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

// project draws one project approved on approved (zero: not approved).
func (g *digitalGen) project(n int, kind digital.Kind, y int, approved bool) digital.Project {
	fi := g.firm(y)
	f := g.ds.firms[fi]
	var planned unit.Fen
	if g.r.Float64() < digitalCityShare {
		planned = unit.Fen(3000+g.r.IntN(17000)) * unit.Wan
	} else {
		planned = unit.Fen(200+g.r.IntN(2790)) * unit.Wan
	}
	ap := g.date(y)
	applied := ap.AddDate(0, 0, -20-g.r.IntN(70))
	start := applied.AddDate(0, 0, g.r.IntN(30))
	end := start.AddDate(0, 6+g.r.IntN(13), 0)
	kindWord := map[digital.Kind]string{digital.KindIntelligent: "智能化改造项目", digital.KindDigital: "数字化改造项目", digital.KindGreen: "绿色化改造项目"}[kind]
	line := []string{"生产线", "车间", "装配线", "加工中心", "仓储物流", "检测线"}[g.r.IntN(6)]
	p := digital.Project{Code: fmt.Sprintf("CQ-%d-%05d", y, n), EnterpriseID: g.idOf[fi], Name: f.trade + line + kindWord, Kind: kind,
		Scenarios: g.scenarios(), Planned: planned, StartOn: start, EndOn: end}
	p.Events = []digital.Event{{Stage: digital.StageApplied, Date: applied}}
	if !approved {
		switch g.r.IntN(3) {
		case 0:
			p.Events = append(p.Events, digital.Event{Stage: digital.StageRejected, Date: ap})
		case 1:
			p.Events = append(p.Events, digital.Event{Stage: digital.StageWithdrawn, Date: ap})
		}
		return p
	}
	p.Events = append(p.Events, digital.Event{Stage: digital.StageApproved, Date: ap, Level: g.rules.LevelFor(planned, applied)})
	accepted := end.AddDate(0, 0, 30+g.r.IntN(60))
	actual := unit.Fen(float64(planned)*(0.85+0.25*g.r.Float64())/float64(unit.Wan)) * unit.Wan
	mid := ap.Add(accepted.Sub(ap) / 2)
	if !mid.After(digitalCutoff) {
		p.Events = append(p.Events, digital.Event{Stage: digital.StageMilestone, Date: mid, Amount: actual / 2 / unit.Wan * unit.Wan})
	}
	if accepted.After(digitalCutoff) {
		return p
	}
	p.Events = append(p.Events, digital.Event{Stage: digital.StageAccepted, Date: accepted, Amount: actual})
	if paid := accepted.AddDate(0, 0, 30+g.r.IntN(90)); !paid.After(digitalCutoff) && g.r.Float64() < 0.8 {
		p.Events = append(p.Events, digital.Event{Stage: digital.StageSubsidised, Date: paid, Amount: actual * unit.Fen(5+g.r.IntN(6)) / 100 / unit.Wan * unit.Wan})
	}
	return p
}

// gainMeasures are a project's before/after indicators for a productivity
// gain of gainPct per cent.
func (g *digitalGen) gainMeasures(gainPct float64) []digital.Measure {
	before := int64(5000 + g.r.IntN(25000)) // 50.00–299.99 units per worker-hour
	after := int64(math.Round(float64(before) * (1 + gainPct/100)))
	defect := int64(100 + g.r.IntN(400)) // 1.00–4.99 %
	return []digital.Measure{
		{Indicator: digital.IndProductivity, Before: before, After: after},
		{Indicator: digital.IndDefectRate, Before: defect, After: defect * int64(50+g.r.IntN(30)) / 100},
		{Indicator: digital.IndCycleTime, Before: int64(1000 + g.r.IntN(4000)), After: int64(600 + g.r.IntN(400))},
	}
}

// loadDigital generates and stores the module's records.
func loadDigital(ctx context.Context, st *sqlstore.Store, ds *dataset, idOf []int64) error {
	rules, err := digital.Builtin()
	if err != nil {
		return err
	}
	g := &digitalGen{r: ds.rng(digitalStream), ds: ds, idOf: idOf, rules: rules}
	for _, l := range rules.EditionAt(day(2018, time.January, 1)).Links {
		for _, s := range l.Scenarios {
			g.codes = append(g.codes, s.Code)
		}
	}
	for i, f := range ds.firms {
		if f.section == 'C' && f.closed == 0 && f.trade != "" {
			g.pool = append(g.pool, i)
		}
	}
	if len(g.pool) == 0 {
		return fmt.Errorf("demo: digital: no manufacturing firm")
	}

	// Projects, year by year and kind by kind.
	var ps []digital.Project
	n := 0
	for y := digitalFirstYear; y <= digitalLastYear; y++ {
		plan := projectPlan[y]
		for k, kind := range digital.Kinds {
			for range plan[k] {
				n++
				ps = append(ps, g.project(n, kind, y, true))
			}
		}
		for range int(float64(plan[0]+plan[1]+plan[2]) * digitalPendingShare) {
			n++
			ps = append(ps, g.project(n, digital.Kinds[g.r.IntN(3)], y, false))
		}
	}
	// Demonstration projects among the intelligent ones, with their
	// measured gains: those accepted by the end of 2023 in pairs 60 % ± d.
	sign := 1.0
	var d float64
	for i := range ps {
		p := &ps[i]
		if p.Kind != digital.KindIntelligent || g.r.Float64() >= digitalDemoShare {
			if g.r.Float64() < 0.3 {
				p.Measures = g.gainMeasures(10 + 30*g.r.Float64())
			}
			continue
		}
		p.Demonstration = true
		st := p.Current()
		if !st.AcceptedOn.IsZero() && !st.AcceptedOn.After(digital.YearEnd(2023)) {
			if sign > 0 {
				d = 25 * g.r.Float64()
			}
			p.Measures = g.gainMeasures(digitalGainMean + sign*d)
			sign = -sign
		} else {
			p.Measures = g.gainMeasures(digitalGainMean + 20*(g.r.Float64()-0.5))
		}
	}
	for start := 0; start < len(ps); start += 2000 {
		if _, err := st.PutDigitalProjects(ctx, auth.All(), ps[start:min(start+2000, len(ps))], digital.WriteOptions{Rules: rules, By: "demo", ExpectEvents: -1}); err != nil {
			return fmt.Errorf("demo: digital projects: %w", err)
		}
	}

	// Recognitions: smart-factory firms first get two workshops in an
	// earlier batch; the remaining workshops go to other firms.
	var recs []digital.Recognition
	ncRate := map[int]int64{} // firm index → NC rate, basis points
	cmmm := map[int]int{}
	used := map[int]bool{}
	pick := func(y int) int {
		for {
			if i := g.firm(y); !used[i] {
				used[i] = true
				return i
			}
		}
	}
	batch := func(y, half int) (time.Time, string) {
		if half == 0 {
			return day(y, time.June, 28), fmt.Sprintf("%d年第一批", y)
		}
		return day(y, time.December, 20), fmt.Sprintf("%d年第二批", y)
	}
	wsNo := map[int]int{}
	workshop := func(fi int, on time.Time, b string) {
		wsNo[fi]++
		f := ds.firms[fi]
		recs = append(recs, digital.Recognition{EnterpriseID: idOf[fi], Rung: digital.RungWorkshop, RecognisedOn: on, Batch: b,
			Name: fmt.Sprintf("%s%s数字化车间", f.trade, []string{"一号", "二号", "三号", "四号", "五号"}[min(wsNo[fi]-1, 4)])})
		if ncRate[fi] < 5000 {
			ncRate[fi] = 5000 + int64(g.r.IntN(1500))
		}
	}
	// early[y] is how many of year y's smart factories had their two
	// workshops recognised in the second batch of y−1: they count in y−1,
	// whose free workshops are fewer by as many.
	early := map[int]int{}
	for y := digitalFirstYear + 1; y <= digitalLastYear; y++ {
		for range recognitionPlan[y][1] {
			if g.r.Float64() < 0.6 {
				early[y]++
			}
		}
	}
	var smartFirms []int
	for y := digitalFirstYear; y <= digitalLastYear; y++ {
		plan := recognitionPlan[y]
		free := plan[0] - 2*(plan[1]-early[y]) - 2*early[y+1]
		if free < 0 {
			return fmt.Errorf("demo: digital: the %d plan has too few workshops for its smart factories", y)
		}
		for j := range plan[1] {
			fi := pick(y)
			on1, b1 := batch(y, 0)
			if j < early[y] {
				on1, b1 = batch(y-1, 1)
			}
			workshop(fi, on1, b1)
			workshop(fi, on1, b1)
			on, b := batch(y, 1)
			f := ds.firms[fi]
			recs = append(recs, digital.Recognition{EnterpriseID: idOf[fi], Rung: digital.RungSmart, Name: f.trade + "智能工厂", RecognisedOn: on, Batch: b})
			ncRate[fi] = 6500 + int64(g.r.IntN(2500))
			smartFirms = append(smartFirms, fi)
		}
		for range free {
			on, b := batch(y, g.r.IntN(2))
			workshop(pick(y), on, b)
		}
		// 卓越级 and future factories (2024 rules) go to earlier smart factories.
		for k, rung := range []digital.Rung{digital.RungExcellent, digital.RungFuture} {
			for j := range plan[2+k] {
				fi := smartFirms[(j*7+k*3)%len(smartFirms)]
				cmmm[fi] = 3 + g.r.IntN(2)
				on, b := batch(y, 1)
				rc := digital.Recognition{EnterpriseID: idOf[fi], Rung: rung, RecognisedOn: on, Batch: b}
				if rung == digital.RungFuture {
					rc.FutureType = digital.FutureTypes[j%len(digital.FutureTypes)]
					rc.Name = ds.firms[fi].trade + "未来工厂"
				} else {
					rc.Name = ds.firms[fi].trade + "卓越级智能工厂"
				}
				recs = append(recs, rc)
			}
		}
	}
	if _, err := st.AddDigitalRecognitions(ctx, auth.All(), recs, digital.WriteOptions{By: "demo", ExpectEvents: -1}); err != nil {
		return fmt.Errorf("demo: digital recognitions: %w", err)
	}

	// Maturity: the recognised firms and about a third of the rest of the
	// pool, for 2023 and 2024.
	facts := map[int64]int{} // enterprise id → SME level of its facts of the latest year
	factYear := map[int64]int{}
	for _, yf := range ds.profileFacts(idOf) {
		if yf.Facts.DigitalLevel != nil && yf.Year >= factYear[yf.EnterpriseID] {
			facts[yf.EnterpriseID], factYear[yf.EnterpriseID] = int(*yf.Facts.DigitalLevel), yf.Year
		}
	}
	var ms []digital.Maturity
	for _, fi := range g.pool {
		_, recognised := ncRate[fi]
		if !recognised && g.r.Float64() >= 0.33 {
			continue
		}
		id := idOf[fi]
		base := ncRate[fi]
		if base == 0 {
			base = int64(2000 + g.r.IntN(5500))
		}
		level := cmmm[fi]
		if level == 0 && g.r.Float64() < 0.5 {
			level = 1 + g.r.IntN(3)
		}
		cloud := g.r.Float64() < 0.7
		for _, y := range []int{2023, 2024} {
			m := digital.Maturity{EnterpriseID: id, Year: y, CMMM: level, Cloud: cloud, Source: digital.SourceDemo, Evidence: "demo"}
			nc := min(base+int64(y-2023)*int64(g.r.IntN(300)), 10000)
			m.NCRate = &nc
			if factYear[id] == y {
				m.SMELevel = facts[id]
			}
			ms = append(ms, m)
		}
	}
	for start := 0; start < len(ms); start += 3000 {
		if _, err := st.PutDigitalMaturity(ctx, auth.All(), ms[start:min(start+3000, len(ms))], digital.WriteOptions{By: "demo", ExpectEvents: -1}); err != nil {
			return fmt.Errorf("demo: digital maturity: %w", err)
		}
	}
	return nil
}
