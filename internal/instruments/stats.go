package instruments

import (
	"sort"
	"strconv"

	"github.com/industrybrain/ibrain/internal/unit"
)

// StatRecord is what the statistics read of one instrument: its unit,
// class, value and enrolment dates. Drafts and instruments never opened
// have no enrolment and count nowhere.
type StatRecord struct {
	UnitID     int64
	UnitName   string
	UnitType   UnitType
	ClassCode  string
	Value      unit.Fen
	EnrolledOn string // YYYY-MM-DD
	RemovedOn  string // YYYY-MM-DD or ""
}

// Share is one line of a breakdown: a count, its share of the total in
// percent, and (for unit types) the year's new enrolments.
type Share struct {
	Key      string // unit type, class code or unit id
	Label    string // the unit's name; classes and types are labelled by the caller
	New      int
	N        int
	Value    unit.Fen
	SharePct float64
}

// YearFlow is one year's enrolments and removals and the year-end total.
type YearFlow struct {
	Year     int
	Enrolled int
	Removed  int
	Total    int
}

// Stats are the platform's figures for a year, as of its last day.
type Stats struct {
	Year       int
	Enrolled   int      // enrolled during the year
	Removed    int      // removed during the year
	Total      int      // enrolled and not removed at year end
	Value      unit.Fen // original value of the year-end total
	ByType     []Share  // every unit type, in UnitTypes order
	TopUnits   []Share  // largest units, by count then name
	TopClasses []Share  // largest classes, by count then code
	Flows      []YearFlow
}

// ComputeStats computes a year's statistics from the records, with the
// top n units and classes and the flows of every year from the first
// enrolment to year.
func ComputeStats(recs []StatRecord, year, n int) Stats {
	y := strconv.Itoa(year)
	end := y + "-12-31"
	st := Stats{Year: year}
	inYear := func(d string) bool { return len(d) >= 4 && d[:4] == y }
	live := func(r StatRecord, end string) bool {
		return r.EnrolledOn != "" && r.EnrolledOn <= end && (r.RemovedOn == "" || r.RemovedOn > end)
	}
	types := map[string]*Share{}
	for _, t := range UnitTypes {
		types[string(t)] = &Share{Key: string(t)}
	}
	units := map[int64]*Share{}
	classes := map[string]*Share{}
	first := year
	for _, r := range recs {
		if r.EnrolledOn == "" {
			continue
		}
		if yr, err := strconv.Atoi(r.EnrolledOn[:4]); err == nil && yr < first {
			first = yr
		}
		if inYear(r.EnrolledOn) {
			st.Enrolled++
			if s, ok := types[string(r.UnitType)]; ok {
				s.New++
			}
		}
		if inYear(r.RemovedOn) {
			st.Removed++
		}
		if !live(r, end) {
			continue
		}
		st.Total++
		st.Value += r.Value
		if s, ok := types[string(r.UnitType)]; ok {
			s.N++
			s.Value += r.Value
		}
		u := units[r.UnitID]
		if u == nil {
			u = &Share{Key: strconv.FormatInt(r.UnitID, 10), Label: r.UnitName}
			units[r.UnitID] = u
		}
		u.N++
		u.Value += r.Value
		c := classes[r.ClassCode]
		if c == nil {
			c = &Share{Key: r.ClassCode}
			classes[r.ClassCode] = c
		}
		c.N++
		c.Value += r.Value
	}
	pct := func(s *Share) {
		if st.Total > 0 {
			s.SharePct = float64(s.N) * 100 / float64(st.Total)
		}
	}
	for _, t := range UnitTypes {
		s := types[string(t)]
		pct(s)
		st.ByType = append(st.ByType, *s)
	}
	st.TopUnits = top(units, n, pct)
	st.TopClasses = top(classes, n, pct)
	for yr := first; yr <= year; yr++ {
		f := YearFlow{Year: yr}
		ys, e := strconv.Itoa(yr), strconv.Itoa(yr)+"-12-31"
		for _, r := range recs {
			if r.EnrolledOn == "" {
				continue
			}
			if r.EnrolledOn[:4] == ys {
				f.Enrolled++
			}
			if len(r.RemovedOn) >= 4 && r.RemovedOn[:4] == ys {
				f.Removed++
			}
			if live(r, e) {
				f.Total++
			}
		}
		st.Flows = append(st.Flows, f)
	}
	return st
}

func top[K comparable](m map[K]*Share, n int, pct func(*Share)) []Share {
	out := make([]Share, 0, len(m))
	for _, s := range m {
		pct(s)
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Key < out[j].Key
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
