package digital

import (
	"cmp"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// The statistics. A project counts as carried out (实施) in the year it
// is approved (认定立项): the document's "more than 6,000 智能化改造
// projects carried out by end-2023" is the cumulative count of approved
// intelligent projects. A recognition counts in the year of its date.

// YearFigures are one calendar year's figures and the stock at its end.
type YearFigures struct {
	Year          int
	Approved      map[Kind]int // projects approved in the year, by kind
	ApprovedAll   int
	CumApproved   map[Kind]int // approved up to the year's end
	Accepted      int
	Planned       unit.Fen // planned investment of the year's approved projects
	Actual        unit.Fen // actual investment of the year's accepted projects
	Subsidy       unit.Fen // subsidies paid in the year
	Recognised    map[Rung]int
	CumRecognised map[Rung]int
}

// Gain is the average improvement of an indicator over a set of projects.
type Gain struct {
	Indicator Indicator
	N         int
	AvgPct    float64
}

// Stats are the figures of a span of years.
type Stats struct {
	From, To int
	Years    []YearFigures
	// DemoGains are the demonstration projects' average gains, over those
	// accepted by the end of To with the indicator measured.
	DemoGains []Gain
}

// Year returns the figures of year y.
func (s Stats) Year(y int) (YearFigures, bool) {
	for _, yf := range s.Years {
		if yf.Year == y {
			return yf, true
		}
	}
	return YearFigures{}, false
}

// DemoGain returns the demonstration projects' gain of ind.
func (s Stats) DemoGain(ind Indicator) (Gain, bool) {
	for _, g := range s.DemoGains {
		if g.Indicator == ind {
			return g, g.N > 0
		}
	}
	return Gain{}, false
}

// ComputeStats computes the years from..to from the records.
func ComputeStats(projects []Project, recs []Recognition, from, to int) Stats {
	s := Stats{From: from, To: to}
	if to < from {
		return s
	}
	idx := func(y int) int { return y - from }
	s.Years = make([]YearFigures, to-from+1)
	for i := range s.Years {
		s.Years[i] = YearFigures{Year: from + i, Approved: map[Kind]int{}, CumApproved: map[Kind]int{},
			Recognised: map[Rung]int{}, CumRecognised: map[Rung]int{}}
	}
	before := map[Kind]int{} // approved before from
	for _, p := range projects {
		st := p.Current()
		if !st.ApprovedOn.IsZero() {
			y := st.ApprovedOn.Year()
			if y < from {
				before[p.Kind]++
			} else if y <= to {
				yf := &s.Years[idx(y)]
				yf.Approved[p.Kind]++
				yf.ApprovedAll++
				yf.Planned += p.Planned
			}
		}
		if !st.AcceptedOn.IsZero() {
			if y := st.AcceptedOn.Year(); y >= from && y <= to {
				s.Years[idx(y)].Accepted++
				s.Years[idx(y)].Actual += st.Actual
			}
		}
		for _, e := range p.Events {
			if y := e.Date.Year(); e.Stage == StageSubsidised && y >= from && y <= to {
				s.Years[idx(y)].Subsidy += e.Amount
			}
		}
	}
	recBefore := map[Rung]int{}
	for _, r := range recs {
		y := r.RecognisedOn.Year()
		if y < from {
			recBefore[r.Rung]++
		} else if y <= to {
			s.Years[idx(y)].Recognised[r.Rung]++
		}
	}
	for i := range s.Years {
		yf := &s.Years[i]
		for _, k := range Kinds {
			prev := before[k]
			if i > 0 {
				prev = s.Years[i-1].CumApproved[k]
			}
			yf.CumApproved[k] = prev + yf.Approved[k]
		}
		for _, rg := range Rungs {
			prev := recBefore[rg]
			if i > 0 {
				prev = s.Years[i-1].CumRecognised[rg]
			}
			yf.CumRecognised[rg] = prev + yf.Recognised[rg]
		}
	}
	s.DemoGains = DemoGains(projects, YearEnd(to))
	return s
}

// DemoGains averages each indicator's gain over the demonstration projects
// accepted by day d that measured it.
func DemoGains(projects []Project, d time.Time) []Gain {
	out := make([]Gain, len(Indicators))
	sums := make([]float64, len(Indicators))
	for i, ind := range Indicators {
		out[i].Indicator = ind
	}
	for _, p := range projects {
		if !p.Demonstration {
			continue
		}
		st, ok := p.At(d)
		if !ok || st.AcceptedOn.IsZero() {
			continue
		}
		for i, ind := range Indicators {
			if m, ok := p.Measure(ind); ok {
				if g, ok := m.GainPct(); ok {
					sums[i] += g
					out[i].N++
				}
			}
		}
	}
	for i := range out {
		if out[i].N > 0 {
			out[i].AvgPct = sums[i] / float64(out[i].N)
		}
	}
	return out
}

// RegionRow is one district's ladder and projects at a day.
type RegionRow struct {
	RegionCode string
	Approved   int // projects approved by the day
	Accepted   int
	Actual     unit.Fen // actual investment of the accepted projects
	Held       map[Rung]int
}

// ByRegion counts each district's projects and recognitions up to day d,
// ordered by region code.
func ByRegion(projects []Project, recs []Recognition, d time.Time) []RegionRow {
	m := map[string]*RegionRow{}
	row := func(code string) *RegionRow {
		r, ok := m[code]
		if !ok {
			r = &RegionRow{RegionCode: code, Held: map[Rung]int{}}
			m[code] = r
		}
		return r
	}
	for _, p := range projects {
		st, ok := p.At(d)
		if !ok || st.ApprovedOn.IsZero() {
			continue
		}
		r := row(p.RegionCode)
		r.Approved++
		if !st.AcceptedOn.IsZero() {
			r.Accepted++
			r.Actual += st.Actual
		}
	}
	for _, rc := range recs {
		if !rc.RecognisedOn.After(d) {
			row(rc.RegionCode).Held[rc.Rung]++
		}
	}
	out := make([]RegionRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b RegionRow) int { return cmp.Compare(a.RegionCode, b.RegionCode) })
	return out
}

// ClusterRow is one cluster's projects up to a day.
type ClusterRow struct {
	ClusterCode string // "" for projects outside the catalogue
	Approved    int
	Accepted    int
	Actual      unit.Fen
}

// ByCluster counts the projects approved and accepted up to day d by
// cluster, ordered by cluster code.
func ByCluster(projects []Project, d time.Time) []ClusterRow {
	m := map[string]*ClusterRow{}
	for _, p := range projects {
		st, ok := p.At(d)
		if !ok || st.ApprovedOn.IsZero() {
			continue
		}
		r := m[p.ClusterCode]
		if r == nil {
			r = &ClusterRow{ClusterCode: p.ClusterCode}
			m[p.ClusterCode] = r
		}
		r.Approved++
		if !st.AcceptedOn.IsZero() {
			r.Accepted++
			r.Actual += st.Actual
		}
	}
	out := make([]ClusterRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b ClusterRow) int { return cmp.Compare(a.ClusterCode, b.ClusterCode) })
	return out
}

// The task-table measures this package computes (indicators.json names
// them; internal/stats asks the store, which calls CountMeasure).
const (
	MeasureNewSmartFactories  = "digital_new_smart_factories"
	MeasureNewWorkshops       = "digital_new_digital_workshops"
	MeasureNewFutureFactories = "digital_new_future_factories"
	MeasureRenovationProjects = "digital_renovation_projects"
)

// Measures lists the task-table measures.
var Measures = []string{MeasureNewSmartFactories, MeasureNewWorkshops, MeasureNewFutureFactories, MeasureRenovationProjects}

// measureRungs names the rung whose recognitions each recognition
// measure counts.
var measureRungs = map[string]Rung{
	MeasureNewSmartFactories:  RungSmart,
	MeasureNewWorkshops:       RungWorkshop,
	MeasureNewFutureFactories: RungFuture,
}

// MeasureRung is the rung a recognition measure counts; ok is false for
// the project measure and for unknown ones.
func MeasureRung(measure string) (Rung, bool) {
	r, ok := measureRungs[measure]
	return r, ok
}

// CountMeasure computes a task-table measure for year; ok is false for a
// measure this package does not know.
func CountMeasure(projects []Project, recs []Recognition, measure string, year int) (int, bool) {
	if measure == MeasureRenovationProjects {
		yf, _ := ComputeStats(projects, nil, year, year).Year(year)
		return yf.ApprovedAll, true
	}
	rung, ok := MeasureRung(measure)
	if !ok {
		return 0, false
	}
	n := 0
	for _, r := range recs {
		if r.Rung == rung && r.RecognisedOn.Year() == year {
			n++
		}
	}
	return n, true
}

// GoalProgress is a 2027 goal and what the records show up to a day.
type GoalProgress struct {
	Goal
	Actual int64
	Pct    float64 // Actual ÷ Value × 100
}

// Goals computes each goal's progress up to day d.
func (r *Rules) GoalsAt(projects []Project, recs []Recognition, maturity []Maturity, d time.Time) []GoalProgress {
	var out []GoalProgress
	for _, g := range r.Goals {
		from, _ := time.Parse(time.DateOnly, g.From)
		to, _ := time.Parse(time.DateOnly, g.To)
		end := d
		if to.Before(end) {
			end = to
		}
		in := func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && !t.After(end) }
		var n int64
		switch g.Code {
		case "smart_factories", "digital_workshops":
			rung := RungSmart
			if g.Code == "digital_workshops" {
				rung = RungWorkshop
			}
			for _, rc := range recs {
				if rc.Rung == rung && in(rc.RecognisedOn) {
					n++
				}
			}
		case "firms_transformed":
			seen := map[int64]bool{}
			for _, p := range projects {
				if st, ok := p.At(end); ok && in(st.AcceptedOn) && !seen[p.EnterpriseID] {
					seen[p.EnterpriseID] = true
					n++
				}
			}
		case "cloud_firms":
			latest := map[int64]Maturity{}
			for _, m := range maturity {
				if m.Year <= end.Year() {
					if cur, ok := latest[m.EnterpriseID]; !ok || m.Year > cur.Year {
						latest[m.EnterpriseID] = m
					}
				}
			}
			for _, m := range latest {
				if m.Cloud {
					n++
				}
			}
		}
		gp := GoalProgress{Goal: g, Actual: n}
		if g.Value > 0 {
			gp.Pct = float64(n) / float64(g.Value) * 100
		}
		out = append(out, gp)
	}
	return out
}
