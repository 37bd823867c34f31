package digital

import (
	"cmp"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// The cockpit's figures from aggregates. Reading every project with its
// history to count them took seconds on the full records, so the store
// sums the projects' events in SQL by kind, by district and by cluster and
// year (a few hundred cells), and counts the recognitions by district,
// rung and date (two batches a year); the figures below are the same computations as ComputeStats, ByRegion,
// ByCluster and GoalsAt over those cells (TestDigitalFiguresSQLite and
// the PostgreSQL acceptance run compare both on the demo records).

// ProjectCell sums the events of one year of the projects sharing a key
// (a kind, a district or a cluster): the approvals (with the approved
// projects' planned investment), the acceptances (with the actual
// investment) and the subsidies paid. A project is approved and accepted
// at most once (the stage rules), and never accepted before it is
// approved, so the cells count projects.
type ProjectCell struct {
	Key      string
	Year     int
	Approved int
	Planned  unit.Fen // planned investment of the projects approved
	Accepted int
	Actual   unit.Fen // actual investment at acceptance
	Subsidy  unit.Fen // subsidies paid (kind cells only)
}

// RecognitionCell counts the recognitions of a district, rung and day.
type RecognitionCell struct {
	RegionCode string
	Rung       Rung
	On         time.Time
	N          int
}

// Window is a span of days, both ends included.
type Window struct {
	From, To time.Time
}

// Aggregates are what the store sums for the cockpit, in a scope and
// district.
type Aggregates struct {
	// The projects' cells by kind, by district and by cluster: three
	// small groupings cost less than one by all three (thousands of
	// groups, as slow as reading the records).
	Kinds        []ProjectCell
	Regions      []ProjectCell
	Clusters     []ProjectCell
	EventYears   []int // the years with a project event, ascending
	Recognitions []RecognitionCell
	// FirmsAccepted counts, for each window asked for, the firms with a
	// project accepted in it (GoalWindows says which).
	FirmsAccepted map[Window]int
	// Cloud counts, for each year asked for, the firms whose latest
	// maturity record up to that year says 上云用数赋智.
	Cloud map[int]int
	// Demonstration holds the demonstration projects with their
	// histories and measures (a few hundred), for the average gains.
	Demonstration []Project
}

// LatestYear is the latest year up to max with a project event or a
// recognition; max when there is none (as LatestYear over records).
func (a Aggregates) LatestYear(max int) int {
	best := 0
	for _, y := range a.EventYears {
		if y <= max && y > best {
			best = y
		}
	}
	for _, r := range a.Recognitions {
		if y := r.On.Year(); y <= max && y > best {
			best = y
		}
	}
	if best == 0 {
		return max
	}
	return best
}

// Stats computes the years from..to as ComputeStats does over records.
func (a Aggregates) Stats(from, to int) Stats {
	s := Stats{From: from, To: to}
	if to < from {
		return s
	}
	s.Years = make([]YearFigures, to-from+1)
	for i := range s.Years {
		s.Years[i] = YearFigures{Year: from + i, Approved: map[Kind]int{}, CumApproved: map[Kind]int{},
			Recognised: map[Rung]int{}, CumRecognised: map[Rung]int{}}
	}
	in := func(y int) bool { return y >= from && y <= to }
	before := map[Kind]int{}
	for _, c := range a.Kinds {
		k := Kind(c.Key)
		if c.Year < from {
			if c.Approved > 0 {
				before[k] += c.Approved
			}
			continue
		}
		if !in(c.Year) {
			continue
		}
		yf := &s.Years[c.Year-from]
		if c.Approved > 0 {
			yf.Approved[k] += c.Approved
			yf.ApprovedAll += c.Approved
			yf.Planned += c.Planned
		}
		yf.Accepted += c.Accepted
		yf.Actual += c.Actual
		yf.Subsidy += c.Subsidy
	}
	recBefore := map[Rung]int{}
	for _, r := range a.Recognitions {
		if y := r.On.Year(); y < from {
			recBefore[r.Rung] += r.N
		} else if y <= to {
			s.Years[y-from].Recognised[r.Rung] += r.N
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
	s.DemoGains = DemoGains(a.Demonstration, YearEnd(to))
	return s
}

// ByRegion counts each district's projects and recognitions up to the end
// of year y, ordered by region code.
func (a Aggregates) ByRegion(y int) []RegionRow {
	m := map[string]*RegionRow{}
	row := func(code string) *RegionRow {
		r, ok := m[code]
		if !ok {
			r = &RegionRow{RegionCode: code, Held: map[Rung]int{}}
			m[code] = r
		}
		return r
	}
	for _, c := range a.Regions {
		if c.Year > y || c.Approved+c.Accepted == 0 {
			continue
		}
		r := row(c.Key)
		r.Approved += c.Approved
		r.Accepted += c.Accepted
		r.Actual += c.Actual
	}
	for _, rc := range a.Recognitions {
		if rc.On.Year() <= y {
			row(rc.RegionCode).Held[rc.Rung] += rc.N
		}
	}
	out := make([]RegionRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b RegionRow) int { return cmp.Compare(a.RegionCode, b.RegionCode) })
	return out
}

// ByCluster counts the projects approved and accepted up to the end of
// year y by cluster, ordered by cluster code.
func (a Aggregates) ByCluster(y int) []ClusterRow {
	m := map[string]*ClusterRow{}
	for _, c := range a.Clusters {
		if c.Year > y || c.Approved+c.Accepted == 0 {
			continue
		}
		r := m[c.Key]
		if r == nil {
			r = &ClusterRow{ClusterCode: c.Key}
			m[c.Key] = r
		}
		r.Approved += c.Approved
		r.Accepted += c.Accepted
		r.Actual += c.Actual
	}
	out := make([]ClusterRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b ClusterRow) int { return cmp.Compare(a.ClusterCode, b.ClusterCode) })
	return out
}

// CountMeasure is CountMeasure over the aggregates.
func (a Aggregates) CountMeasure(measure string, year int) (int, bool) {
	if measure == MeasureRenovationProjects {
		n := 0
		for _, c := range a.Kinds {
			if c.Year == year {
				n += c.Approved
			}
		}
		return n, true
	}
	rung, ok := MeasureRung(measure)
	if !ok {
		return 0, false
	}
	n := 0
	for _, r := range a.Recognitions {
		if r.Rung == rung && r.On.Year() == year {
			n += r.N
		}
	}
	return n, true
}

// GoalsFrom computes each goal's progress up to day d as GoalsAt does
// over records; a.Cloud and a.FirmsAccepted must hold what GoalWindows
// names.
func (r *Rules) GoalsFrom(a Aggregates, d time.Time) []GoalProgress {
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
			for _, rc := range a.Recognitions {
				if rc.Rung == rung && in(rc.On) {
					n += int64(rc.N)
				}
			}
		case "firms_transformed":
			n = int64(a.FirmsAccepted[Window{From: from, To: end}])
		case "cloud_firms":
			n = int64(a.Cloud[end.Year()])
		}
		gp := GoalProgress{Goal: g, Actual: n}
		if g.Value > 0 {
			gp.Pct = float64(n) / float64(g.Value) * 100
		}
		out = append(out, gp)
	}
	return out
}

// GoalWindows are what GoalsFrom needs counted at day d: the windows of
// the firms-transformed goals (the goal's start to d or its end) and the
// years of the cloud goals.
func (r *Rules) GoalWindows(d time.Time) (accepted []Window, cloudYears []int) {
	for _, g := range r.Goals {
		from, _ := time.Parse(time.DateOnly, g.From)
		end := d
		if to, err := time.Parse(time.DateOnly, g.To); err == nil && to.Before(end) {
			end = to
		}
		switch g.Code {
		case "firms_transformed":
			if w := (Window{From: from, To: end}); !slices.Contains(accepted, w) {
				accepted = append(accepted, w)
			}
		case "cloud_firms":
			if !slices.Contains(cloudYears, end.Year()) {
				cloudYears = append(cloudYears, end.Year())
			}
		}
	}
	return accepted, cloudYears
}
