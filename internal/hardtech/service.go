package hardtech

import (
	"context"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The pool service: the use cases the page, the XLSX export and the API
// share (the pool of a year judged as of the latest full year, admission
// and removal).

// Row is a pool member with the enterprise's identity and its full-year
// revenues.
type Row struct {
	Member
	CreditCode   string
	Name         string
	RegionCode   string
	IndustryCode string
	Size         enterprise.Size // in the admission year
	Revenue      map[int]unit.Fen
}

// Store is what the service needs from storage. A firm outside the scope
// is not found, like one that does not exist.
type Store interface {
	// HardtechYears lists the years that have a pool, ascending.
	HardtechYears(ctx context.Context) ([]int, error)
	// LatestPeriod is the latest reported month (apperr.NotFound when
	// there is none).
	LatestPeriod(ctx context.Context) (report.Period, error)
	// HardtechMembers returns the members of a year's pool inside sc,
	// each with its December revenues within the horizon.
	HardtechMembers(ctx context.Context, sc auth.Scope, year, horizon int) ([]Row, error)
	// AdmitHardtech admits a firm in one transaction (see CheckAdmission).
	AdmitHardtech(ctx context.Context, sc auth.Scope, a Admission, policy Policy, userID int64) (Member, error)
	// RemoveHardtech removes an active member with a reason.
	RemoveHardtech(ctx context.Context, sc auth.Scope, year int, enterpriseID int64, reason string, userID int64) error
}

// Service is the hard-tech pool's use cases.
type Service struct {
	store Store
}

// NewService returns the service over st.
func NewService(st Store) *Service { return &Service{store: st} }

// PoolQuery chooses a pool and narrows its member list.
type PoolQuery struct {
	Year   int    // the latest pool when 0
	Region string // one district; all in scope when empty
	Status Status // "" for every status
	Query  string // a part of the name or of the credit code
}

// Pool is one year's pool with its policy and statistics.
type Pool struct {
	Year     int   // 0 when no pool exists
	Years    []int // the years that have a pool
	Policy   Policy
	AsOfYear int       // the latest year with December reports
	Stats    PoolStats // over the whole pool in scope, whatever the filter
	Members  []PoolMember
}

// PoolMember is a member with its progress.
type PoolMember struct {
	Row
	Progress Progress
}

// Pool reads the pool q names and judges every member as of the latest
// year with December reports. A region filter outside the scope is
// refused.
func (s *Service) Pool(ctx context.Context, sc auth.Scope, q PoolQuery) (Pool, error) {
	out := Pool{Years: []int{}}
	years, err := s.store.HardtechYears(ctx)
	if err != nil {
		return out, err
	}
	if years != nil {
		out.Years = years
	}
	year := q.Year
	if year == 0 && len(years) > 0 {
		year = years[len(years)-1]
	}
	if q.Region != "" && !sc.IsAll() && q.Region != sc.RegionCode {
		return out, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	out.Year = year
	if year == 0 {
		return out, nil
	}
	policies, err := Policies()
	if err != nil {
		return out, err
	}
	pol, err := PolicyFor(policies, year)
	if err != nil {
		return out, err
	}
	out.Policy = pol
	latest, err := s.store.LatestPeriod(ctx)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return out, err
	}
	// Full-year revenue needs December.
	out.AsOfYear = latest.Year
	if latest.Month < 12 {
		out.AsOfYear--
	}
	rows, err := s.store.HardtechMembers(ctx, sc, year, pol.HorizonYears)
	if err != nil {
		return out, err
	}
	var prs []Progress
	for _, row := range rows {
		pr := Evaluate(row.Member, pol, row.Revenue, out.AsOfYear)
		prs = append(prs, pr)
		if q.Region != "" && row.RegionCode != q.Region || q.Status != "" && pr.Status != q.Status ||
			q.Query != "" && !strings.Contains(row.Name, q.Query) && !strings.Contains(row.CreditCode, strings.ToUpper(q.Query)) {
			continue
		}
		out.Members = append(out.Members, PoolMember{Row: row, Progress: pr})
	}
	out.Stats = Stats(year, pol, prs)
	return out, nil
}

// Admitted is a new member with what it must reach.
type Admitted struct {
	Member
	TargetYear int
	Target     unit.Fen
}

// Admit admits a firm to the a.Year pool under the policy in force that
// year. A district officer's scope admits firms of their district only:
// any other firm is not found.
func (s *Service) Admit(ctx context.Context, sc auth.Scope, a Admission, userID int64) (Admitted, error) {
	policies, err := Policies()
	if err != nil {
		return Admitted{}, err
	}
	pol, err := PolicyFor(policies, a.Year)
	if err != nil {
		return Admitted{}, err
	}
	m, err := s.store.AdmitHardtech(ctx, sc, a, pol, userID)
	if err != nil {
		return Admitted{}, err
	}
	return Admitted{Member: m, TargetYear: m.BaseYear + pol.HorizonYears, Target: unit.Fen(int64(m.BaseRevenue) * pol.MultipleE2 / 100)}, nil
}

// Remove removes an active member from the year's pool with a reason.
func (s *Service) Remove(ctx context.Context, sc auth.Scope, year int, enterpriseID int64, reason string, userID int64) error {
	return s.store.RemoveHardtech(ctx, sc, year, enterpriseID, reason, userID)
}
