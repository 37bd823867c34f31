package digital

import (
	"time"
)

// Status is a tri-state verdict: missing data is never a pass.
type Status string

// Verdicts.
const (
	Met     Status = "met"
	NotMet  Status = "not_met"
	Unknown Status = "unknown"
)

// Firm is what the ladder judges: a firm's maturity records and its
// recognitions.
type Firm struct {
	EnterpriseID int64
	Maturity     []Maturity    // any order
	Recognitions []Recognition // any order
}

// MaturityAt is the latest maturity record of a year ≤ year.
func (f Firm) MaturityAt(year int) (Maturity, bool) {
	var best Maturity
	ok := false
	for _, m := range f.Maturity {
		if m.Year <= year && (!ok || m.Year > best.Year) {
			best, ok = m, true
		}
	}
	return best, ok
}

// Held counts the firm's recognitions of rung dated on or before d.
func (f Firm) Held(rung Rung, d time.Time) int {
	n := 0
	for _, r := range f.Recognitions {
		if r.Rung == rung && !r.RecognisedOn.After(d) {
			n++
		}
	}
	return n
}

// CondResult is one condition judged.
type CondResult struct {
	Condition
	Value  *int64
	Status Status
}

// Verdict is a rung judged for a firm on a day.
type Verdict struct {
	Rung       Rung
	Version    string
	Applies    bool // the rung is recognised in the version in force
	Status     Status
	Conditions []CondResult
	Manual     []string // items a reviewer judges (message keys)
	Unmet      int      // conditions not met
}

// metric computes a condition's value for the firm on day d; ok is false
// when the data is missing.
func (f Firm) metric(name string, d time.Time) (int64, bool) {
	// Maturity of the year before the day: the assessment a recognition in
	// year Y can rest on is at the latest that of Y−1 … or Y itself when it
	// was recorded; take the latest up to Y.
	m, has := f.MaturityAt(d.Year())
	switch name {
	case "nc_rate_bp":
		if has && m.NCRate != nil {
			return *m.NCRate, true
		}
	case "cmmm_level":
		// The latest record naming a CMMM level.
		best, year := 0, 0
		for _, mm := range f.Maturity {
			if mm.Year <= d.Year() && mm.CMMM > 0 && mm.Year > year {
				best, year = mm.CMMM, mm.Year
			}
		}
		if year > 0 {
			return int64(best), true
		}
	case "sme_level":
		if has && m.SMELevel > 0 {
			return int64(m.SMELevel), true
		}
	case "digital_workshops":
		return int64(f.Held(RungWorkshop, d)), true
	case "holds_smart_factory":
		return int64(f.Held(RungSmart, d)), true
	case "holds_smart_factory_excellent":
		return int64(f.Held(RungExcellent, d)), true
	case "holds_future_factory":
		return int64(f.Held(RungFuture, d)), true
	}
	return 0, false
}

// Evaluate judges rung for the firm on day d with the version in force.
// All conditions met gives Met (the manual items still go to a reviewer),
// any not met gives NotMet, otherwise Unknown.
func (r *Rules) Evaluate(f Firm, rung Rung, d time.Time) Verdict {
	v := Verdict{Rung: rung, Version: r.VersionAt(d).Version}
	rr, ok := r.RungRule(rung, d)
	if !ok {
		v.Status = NotMet
		return v
	}
	v.Applies, v.Manual, v.Status = true, rr.Manual, Met
	unknown := false
	for _, c := range rr.Conditions {
		cr := CondResult{Condition: c, Status: Unknown}
		if val, ok := f.metric(c.Metric, d); ok {
			cr.Value = &val
			cr.Status = NotMet
			if val >= c.Min {
				cr.Status = Met
			}
		}
		switch cr.Status {
		case NotMet:
			v.Unmet++
		case Unknown:
			unknown = true
		}
		v.Conditions = append(v.Conditions, cr)
	}
	switch {
	case v.Unmet > 0:
		v.Status = NotMet
	case unknown:
		v.Status = Unknown
	}
	return v
}

// NextRung is the rung a firm climbs to next on day d: a smart factory
// needs digital workshops, 卓越级 a smart factory, 领航级 卓越级; a firm at
// the top of the smart-factory ladder looks to the future factory. ok is
// false when nothing is left in the version in force.
func (r *Rules) NextRung(f Firm, d time.Time) (Rung, bool) {
	order := []Rung{RungSmart, RungExcellent, RungLeading}
	if f.Held(RungSmart, d) == 0 {
		// Without a smart factory the next step is one, once it has the
		// workshops; before that, another workshop.
		if rr, ok := r.RungRule(RungSmart, d); ok {
			for _, c := range rr.Conditions {
				if c.Metric == "digital_workshops" && int64(f.Held(RungWorkshop, d)) < c.Min {
					return RungWorkshop, true
				}
			}
		}
		return RungSmart, true
	}
	for _, rung := range order[1:] {
		if _, ok := r.RungRule(rung, d); ok && f.Held(rung, d) == 0 {
			return rung, true
		}
	}
	if _, ok := r.RungRule(RungFuture, d); ok && f.Held(RungFuture, d) == 0 {
		return RungFuture, true
	}
	return "", false
}

// Candidate is a firm close to its next rung.
type Candidate struct {
	EnterpriseID int64
	Verdict      Verdict
}

// Candidates lists the firms whose next rung on day d is met on the data
// or fails by one condition only, met first.
func (r *Rules) Candidates(firms []Firm, d time.Time) []Candidate {
	var met, near []Candidate
	for _, f := range firms {
		rung, ok := r.NextRung(f, d)
		if !ok {
			continue
		}
		v := r.Evaluate(f, rung, d)
		switch {
		case v.Status == Met:
			met = append(met, Candidate{f.EnterpriseID, v})
		case v.Status == NotMet && v.Unmet == 1:
			near = append(near, Candidate{f.EnterpriseID, v})
		}
	}
	return append(met, near...)
}
