package digital

import (
	"cmp"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// The cockpit's figures from aggregates. Reading every project with its
// history to count them took seconds on the full records, so the store
// groups the projects in SQL by district, cluster, kind and the years of
// approval and acceptance (a few thousand cells), the recognitions by
// district, rung and date (two batches a year) and the subsidies by year;
// the figures below are the same computations as ComputeStats, ByRegion,
// ByCluster and GoalsAt over those cells (TestDigitalFiguresSQLite and
// the PostgreSQL acceptance run compare both on the demo records).

// ProjectCell counts the projects sharing a district, cluster, kind and
// the years of their approval and acceptance (0: not approved / not
// accepted).
type ProjectCell struct {
	RegionCode   string
	ClusterCode  string
	Kind         Kind
	ApprovedYear int
	AcceptedYear int
	N            int
	Planned      unit.Fen // planned investment
	Actual       unit.Fen // actual investment at acceptance
}

// RecognitionCell counts the recognitions of a district, rung and day.
type RecognitionCell struct {
	RegionCode string
	Rung       Rung
	On         time.Time
	N          int
}

// YearAmount is a sum of a year.
type YearAmount struct {
	Year   int
	Amount unit.Fen
}

// FirmDay is a firm and a day (an acceptance of one of its projects).
type FirmDay struct {
	EnterpriseID int64
	On           time.Time
}

// Aggregates are what the store sums for the cockpit, in a scope and
// district.
type Aggregates struct {
	Projects     []ProjectCell
	Recognitions []RecognitionCell
	Subsidies    []YearAmount // subsidies paid, by year
	Acceptances  []FirmDay    // each firm's days of acceptance (distinct)
	EventYears   []int        // the years with a project event or a recognition, ascending
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
	for _, c := range a.Projects {
		if c.ApprovedYear != 0 {
			if c.ApprovedYear < from {
				before[c.Kind] += c.N
			} else if in(c.ApprovedYear) {
				yf := &s.Years[c.ApprovedYear-from]
				yf.Approved[c.Kind] += c.N
				yf.ApprovedAll += c.N
				yf.Planned += c.Planned
			}
		}
		if c.AcceptedYear != 0 && in(c.AcceptedYear) {
			s.Years[c.AcceptedYear-from].Accepted += c.N
			s.Years[c.AcceptedYear-from].Actual += c.Actual
		}
	}
	for _, sub := range a.Subsidies {
		if in(sub.Year) {
			s.Years[sub.Year-from].Subsidy += sub.Amount
		}
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
	for _, c := range a.Projects {
		if c.ApprovedYear == 0 || c.ApprovedYear > y {
			continue
		}
		r := row(c.RegionCode)
		r.Approved += c.N
		if c.AcceptedYear != 0 && c.AcceptedYear <= y {
			r.Accepted += c.N
			r.Actual += c.Actual
		}
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
	for _, c := range a.Projects {
		if c.ApprovedYear == 0 || c.ApprovedYear > y {
			continue
		}
		r := m[c.ClusterCode]
		if r == nil {
			r = &ClusterRow{ClusterCode: c.ClusterCode}
			m[c.ClusterCode] = r
		}
		r.Approved += c.N
		if c.AcceptedYear != 0 && c.AcceptedYear <= y {
			r.Accepted += c.N
			r.Actual += c.Actual
		}
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
	var rung Rung
	switch measure {
	case MeasureRenovationProjects:
		n := 0
		for _, c := range a.Projects {
			if c.ApprovedYear == year {
				n += c.N
			}
		}
		return n, true
	case MeasureNewSmartFactories:
		rung = RungSmart
	case MeasureNewWorkshops:
		rung = RungWorkshop
	case MeasureNewFutureFactories:
		rung = RungFuture
	default:
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
// over records; a.Cloud must hold the years CloudYears names.
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
			seen := map[int64]bool{}
			for _, fd := range a.Acceptances {
				if in(fd.On) && !seen[fd.EnterpriseID] {
					seen[fd.EnterpriseID] = true
					n++
				}
			}
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

// CloudYears are the years whose cloud counts GoalsFrom needs at day d.
func (r *Rules) CloudYears(d time.Time) []int {
	var ys []int
	for _, g := range r.Goals {
		if g.Code != "cloud_firms" {
			continue
		}
		end := d
		if to, err := time.Parse(time.DateOnly, g.To); err == nil && to.Before(end) {
			end = to
		}
		if !slices.Contains(ys, end.Year()) {
			ys = append(ys, end.Year())
		}
	}
	return ys
}
