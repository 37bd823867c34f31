// Package hardtech is the hard-tech assistance pool (硬科技帮扶库): each year
// the city admits at least a minimum number of firms, and tracks each one
// against multiplying its operating revenue within a horizon (doubling in
// three years). The pool policy is versioned data with effective dates
// (policies.json). The package is pure: admission rules, progress and pool
// statistics, no storage and no HTTP.
package hardtech

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

//go:embed policies.json
var policiesJSON []byte

// Policy is one version of the pool's rules.
type Policy struct {
	Version       string
	EffectiveFrom time.Time
	EffectiveTo   time.Time // exclusive; zero = open-ended
	NameZh        string
	NameEn        string
	Source        string
	MinFirms      int // firms to admit each year, at least
	// MultipleE2 is the revenue multiple to reach, in hundredths (200 =
	// 2.0×), so the policy file's decimal is kept exactly.
	MultipleE2   int64
	HorizonYears int // years after the base year to reach the multiple
}

// Multiple returns the revenue multiple as a number.
func (p Policy) Multiple() float64 { return float64(p.MultipleE2) / 100 }

// RequiredCAGR is the yearly growth that reaches the multiple in the
// horizon: multiple^(1/horizon) − 1 (2.0 in 3 years: 25.99 %).
func (p Policy) RequiredCAGR() float64 {
	return math.Pow(p.Multiple(), 1/float64(p.HorizonYears)) - 1
}

// Policies returns every policy version, oldest first, validated.
func Policies() ([]Policy, error) {
	var f struct {
		Policies []struct {
			Version       string `json:"version"`
			EffectiveFrom string `json:"effective_from"`
			EffectiveTo   string `json:"effective_to"`
			NameZh        string `json:"name_zh"`
			NameEn        string `json:"name_en"`
			Source        string `json:"source"`
			MinFirms      int    `json:"min_firms"`
			Multiple      string `json:"revenue_multiple"`
			HorizonYears  int    `json:"horizon_years"`
		} `json:"policies"`
	}
	if err := json.Unmarshal(policiesJSON, &f); err != nil {
		return nil, fmt.Errorf("hardtech: policies.json: %w", err)
	}
	var out []Policy
	for _, fp := range f.Policies {
		p := Policy{Version: fp.Version, NameZh: fp.NameZh, NameEn: fp.NameEn, Source: fp.Source, MinFirms: fp.MinFirms, HorizonYears: fp.HorizonYears}
		var err error
		if p.EffectiveFrom, err = time.Parse(time.DateOnly, fp.EffectiveFrom); err != nil {
			return nil, fmt.Errorf("hardtech: policy %s: effective_from %q", fp.Version, fp.EffectiveFrom)
		}
		if fp.EffectiveTo != "" {
			if p.EffectiveTo, err = time.Parse(time.DateOnly, fp.EffectiveTo); err != nil {
				return nil, fmt.Errorf("hardtech: policy %s: effective_to %q", fp.Version, fp.EffectiveTo)
			}
		}
		if p.MultipleE2, err = unit.ParseScaled(fp.Multiple, 100); err != nil {
			return nil, fmt.Errorf("hardtech: policy %s: revenue_multiple %q: %w", fp.Version, fp.Multiple, err)
		}
		if err := p.validate(); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && !out[n-1].EffectiveTo.IsZero() && out[n-1].EffectiveTo.After(p.EffectiveFrom) ||
			n > 0 && out[n-1].EffectiveTo.IsZero() {
			return nil, fmt.Errorf("hardtech: policy %s overlaps %s", p.Version, out[n-1].Version)
		}
		out = append(out, p)
	}
	return out, nil
}

func (p Policy) validate() error {
	switch {
	case p.Version == "":
		return fmt.Errorf("hardtech: a policy has no version")
	case p.MinFirms < 1:
		return fmt.Errorf("hardtech: policy %s: min_firms %d", p.Version, p.MinFirms)
	case p.MultipleE2 <= 100:
		return fmt.Errorf("hardtech: policy %s: revenue multiple %d/100 must exceed 1", p.Version, p.MultipleE2)
	case p.HorizonYears < 1:
		return fmt.Errorf("hardtech: policy %s: horizon %d", p.Version, p.HorizonYears)
	case !p.EffectiveTo.IsZero() && !p.EffectiveTo.After(p.EffectiveFrom):
		return fmt.Errorf("hardtech: policy %s ends before it starts", p.Version)
	}
	return nil
}

// PolicyFor returns the policy in force for a pool year (on 1 January).
func PolicyFor(policies []Policy, year int) (Policy, error) {
	day := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range policies {
		if !day.Before(p.EffectiveFrom) && (p.EffectiveTo.IsZero() || day.Before(p.EffectiveTo)) {
			return p, nil
		}
	}
	return Policy{}, apperr.New(apperr.Invalid, "hardtech.err.no_policy", year)
}

// Base revenue sources.
const (
	// BaseReport: the December year-to-date operating revenue of the
	// monthly report for the year before admission.
	BaseReport = "monthly_report"
	// BaseRegistry: the prior-year operating revenue on the enterprise's
	// yearly statistical record, used when no December report exists
	// (e.g. years before report collection started).
	BaseRegistry = "registry"
)

// Member is one firm's admission to one year's pool.
type Member struct {
	Year          int // pool year (admission year)
	EnterpriseID  int64
	BaseYear      int // Year − 1
	BaseRevenue   unit.Fen
	BaseSource    string
	Reasons       string // why the firm was admitted
	PolicyVersion string
	AdmittedOn    time.Time
	AdmittedBy    int64
	Removed       bool
	RemovedOn     time.Time
	RemovedBy     int64
	RemovalReason string
}

// MaxReasonLen bounds the admission and removal reasons, in characters.
const MaxReasonLen = 500

// Admission is a request to admit a firm.
type Admission struct {
	Year         int
	EnterpriseID int64
	Reasons      string
}

// CheckAdmission validates a request against the policy and what the
// caller found: whether the firm exists (in the caller's scope), whether
// it is already an active member of that year's pool, and its base revenue
// (ok=false when there is none). It returns the member to store.
func CheckAdmission(p Policy, a Admission, exists, already bool, base unit.Fen, baseSource string, baseOK bool) (Member, error) {
	reasons := strings.TrimSpace(a.Reasons)
	switch {
	case a.Year < 2000 || a.Year > 2100:
		return Member{}, apperr.New(apperr.Invalid, "hardtech.err.year", a.Year)
	case !exists:
		return Member{}, apperr.New(apperr.NotFound, "err.enterprise_not_found")
	case reasons == "":
		return Member{}, apperr.New(apperr.Invalid, "hardtech.err.no_reason")
	case len([]rune(reasons)) > MaxReasonLen:
		return Member{}, apperr.New(apperr.Invalid, "hardtech.err.reason_long", MaxReasonLen)
	case already:
		return Member{}, apperr.New(apperr.Conflict, "hardtech.err.already", a.Year)
	case !baseOK || base <= 0:
		return Member{}, apperr.New(apperr.Invalid, "hardtech.err.no_base", a.Year-1)
	}
	return Member{Year: a.Year, EnterpriseID: a.EnterpriseID, BaseYear: a.Year - 1, BaseRevenue: base, BaseSource: baseSource,
		Reasons: reasons, PolicyVersion: p.Version}, nil
}

// Status is a member's state.
type Status string

// Statuses.
const (
	StatusAchieved Status = "achieved" // revenue reached the multiple within the horizon
	StatusOnTrack  Status = "on_track" // growth so far at or above the required CAGR
	StatusBehind   Status = "behind"   // growth so far below it, horizon not over
	StatusMissed   Status = "missed"   // horizon over without reaching the multiple
	StatusExited   Status = "exited"   // removed from the pool
	StatusNoData   Status = "no_data"  // no revenue known after the base year yet
)

// Statuses lists them in display order.
var Statuses = []Status{StatusAchieved, StatusOnTrack, StatusBehind, StatusMissed, StatusExited, StatusNoData}

// YearPoint is a member's revenue in one year after the base year.
type YearPoint struct {
	Year     int
	Revenue  unit.Fen
	Multiple float64 // Revenue ÷ base revenue
	CAGR     float64 // Multiple^(1/(Year − base year)) − 1
	Required float64 // the multiple the steady path to the goal calls for by this year
}

// Progress is a member's progress as of a year.
type Progress struct {
	Member       Member
	TargetYear   int      // base year + horizon
	Target       unit.Fen // base revenue × multiple
	Points       []YearPoint
	Latest       *YearPoint // the latest known year within the horizon
	RequiredCAGR float64
	Status       Status
	AchievedIn   int // the first year the multiple was reached; 0 if not
}

// Evaluate judges a member against policy p from its yearly revenues
// (full-year operating revenue by year; years without data absent), as of
// asOfYear (the latest year with complete data).
func Evaluate(m Member, p Policy, revenue map[int]unit.Fen, asOfYear int) Progress {
	pr := Progress{Member: m, TargetYear: m.BaseYear + p.HorizonYears, RequiredCAGR: p.RequiredCAGR(),
		Target: unit.Fen(int64(m.BaseRevenue) * p.MultipleE2 / 100)}
	for y := m.BaseYear + 1; y <= min(pr.TargetYear, asOfYear); y++ {
		r, ok := revenue[y]
		if !ok || m.BaseRevenue <= 0 {
			continue
		}
		k := float64(y - m.BaseYear)
		pt := YearPoint{Year: y, Revenue: r, Multiple: float64(r) / float64(m.BaseRevenue),
			Required: math.Pow(p.Multiple(), k/float64(p.HorizonYears))}
		pt.CAGR = math.Pow(pt.Multiple, 1/k) - 1
		pr.Points = append(pr.Points, pt)
		// Compared in integers: revenue × 100 ≥ base × multiple×100.
		if pr.AchievedIn == 0 && int64(r)*100 >= int64(m.BaseRevenue)*p.MultipleE2 {
			pr.AchievedIn = y
		}
	}
	if n := len(pr.Points); n > 0 {
		pr.Latest = &pr.Points[n-1]
	}
	switch {
	case m.Removed:
		pr.Status = StatusExited
	case pr.AchievedIn != 0:
		pr.Status = StatusAchieved
	case asOfYear >= pr.TargetYear:
		pr.Status = StatusMissed // the horizon is over and the multiple was not shown reached
	case pr.Latest == nil:
		pr.Status = StatusNoData
	// A relative tolerance keeps a growth exactly on the required path
	// (e.g. 2^(1/3) as a ratio of whole fen) from falling behind by
	// rounding.
	case pr.Latest.Multiple >= pr.Latest.Required*(1-1e-9):
		pr.Status = StatusOnTrack
	default:
		pr.Status = StatusBehind
	}
	return pr
}

// PoolStats are one year's pool figures.
type PoolStats struct {
	Year         int
	Policy       string
	MinFirms     int
	Admitted     int // ever admitted this year, removed ones included
	Active       int // admitted and not removed
	MeetsMinimum bool
	ByStatus     map[Status]int
}

// Stats summarises the progresses of one year's pool. The minimum counts
// active members: a removed firm no longer fills a place.
func Stats(year int, p Policy, ps []Progress) PoolStats {
	s := PoolStats{Year: year, Policy: p.Version, MinFirms: p.MinFirms, ByStatus: map[Status]int{}}
	for _, pr := range ps {
		if pr.Member.Year != year {
			continue
		}
		s.Admitted++
		if !pr.Member.Removed {
			s.Active++
		}
		s.ByStatus[pr.Status]++
	}
	s.MeetsMinimum = s.Active >= p.MinFirms
	return s
}
