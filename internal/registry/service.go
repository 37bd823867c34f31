// Package registry is the enterprise registry's use cases: the enterprise
// list with its filters, an enterprise's profile and monthly reports, the
// exports, and the reference catalogues (regions, clusters, indicators)
// the registry is read against. The pages, the API and the CLI call the
// same Service.
package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Filter selects enterprises for lists and exports.
type Filter struct {
	Query       string // substring of the name or credit code
	RegionCode  string
	ClusterCode string
	Tier        string
	Size        enterprise.Size
	AboveScale  *bool
	Year        int // statistical year for size, above-scale and cluster; latest when zero
	Title       enterprise.TitleKind
	Limit       int // 50 when zero; at most MaxLimit (exports page through)
	Offset      int
	// CountLimit, when positive, stops counting the matches at
	// max(CountLimit, Offset+Limit+1): Page.Total is then a lower bound
	// and Page.TotalCapped says so. Zero counts every match (exports).
	CountLimit int
}

// SearchCountLimit is how many matches List counts for a name or
// credit-code search: a common word ("重庆" is in every name) matches
// the whole city, and counting 90,000 matches cost more than the page.
const SearchCountLimit = 1000

// MaxLimit bounds one page of the list; exports page through.
const MaxLimit = 5000

// Item is one row of an enterprise list.
type Item struct {
	enterprise.Enterprise
	Year        int
	AboveScale  bool
	Size        enterprise.Size
	Employees   int
	Revenue     unit.Fen
	ClusterCode string
	Tier        string
	TitleKinds  []enterprise.TitleKind
	Contact     enterprise.Contact // personal data: show through auth.Masker
}

// Page is a page of enterprises and the total matching count.
type Page struct {
	Items []Item
	Total int
	// TotalCapped: counting stopped at Filter.CountLimit, so at least
	// Total enterprises match (and there is a page after this one).
	TotalCapped bool
}

// Detail is an enterprise profile: the record, its yearly status and
// every title it has held.
type Detail struct {
	enterprise.Enterprise
	Years   []enterprise.Year
	Contact enterprise.Contact // personal data: show through auth.Masker
}

// ClusterCatalogue is a cluster catalogue version as stored.
type ClusterCatalogue struct {
	ID, Version, EffectiveFrom, EffectiveTo, Source string
	Clusters                                        []Cluster
}

// Cluster is one cluster of a catalogue.
type Cluster struct {
	Code, Tier, Group, NameZh, NameEn string
}

// Store is what the service needs from storage. An enterprise outside the
// scope is not found, like one that does not exist.
type Store interface {
	// ListEnterprises returns the enterprises in scope matching f,
	// ordered by revenue then name.
	ListEnterprises(ctx context.Context, sc auth.Scope, f Filter) (Page, error)
	// Enterprise returns one enterprise's profile.
	Enterprise(ctx context.Context, sc auth.Scope, id int64) (Detail, error)
	// EnterpriseReports returns an enterprise's monthly reports of the
	// years from..to, oldest first.
	EnterpriseReports(ctx context.Context, sc auth.Scope, id int64, from, to int) ([]report.Monthly, error)
	// LatestYear is the latest statistical year with yearly status, or 0.
	LatestYear(ctx context.Context) (int, error)
	// LatestPeriod is the latest reported period (apperr.NotFound when
	// there are no reports).
	LatestPeriod(ctx context.Context) (report.Period, error)
	// ReportYears are the years with reports, ascending.
	ReportYears(ctx context.Context) ([]int, error)
	// ClustersAt is the cluster catalogue in force on day (YYYY-MM-DD).
	ClustersAt(ctx context.Context, day string) (ClusterCatalogue, error)
}

// Service is the registry's use cases.
type Service struct {
	store      Store
	indicators *indicator.Catalogue
}

// NewService returns the service over st and the indicator catalogue.
func NewService(st Store, indicators *indicator.Catalogue) *Service {
	return &Service{store: st, indicators: indicators}
}

// List returns a page of the enterprises in scope matching f.
// A search's total is counted up to SearchCountLimit.
func (s *Service) List(ctx context.Context, sc auth.Scope, f Filter) (Page, error) {
	if strings.TrimSpace(f.Query) != "" && f.CountLimit == 0 {
		f.CountLimit = SearchCountLimit
	}
	return s.store.ListEnterprises(ctx, sc, f)
}

// Export returns every enterprise in scope matching f (f's Limit and
// Offset are ignored), reading the list a page at a time. More than max
// matches (when max > 0) is an apperr.TooLarge before anything is
// collected. The year is the statistical year the rows describe.
func (s *Service) Export(ctx context.Context, sc auth.Scope, f Filter, max int) ([]Item, int, error) {
	var items []Item
	f.Limit, f.Offset = MaxLimit, 0
	for {
		page, err := s.store.ListEnterprises(ctx, sc, f)
		if err != nil {
			return nil, 0, err
		}
		if max > 0 && page.Total > max {
			return nil, 0, apperr.New(apperr.TooLarge, "api.err.export_too_large", max)
		}
		items = append(items, page.Items...)
		if len(page.Items) < MaxLimit || len(items) >= page.Total {
			break
		}
		f.Offset += MaxLimit
	}
	year := f.Year
	if year == 0 && len(items) > 0 {
		year = items[0].Year
	}
	return items, year, nil
}

// Profile returns one enterprise's profile.
func (s *Service) Profile(ctx context.Context, sc auth.Scope, id int64) (Detail, error) {
	return s.store.Enterprise(ctx, sc, id)
}

// Reports returns an enterprise's monthly reports of the years from..to.
// The enterprise is resolved first, so one outside the scope is not found
// rather than an empty list that would confirm the id exists.
func (s *Service) Reports(ctx context.Context, sc auth.Scope, id int64, from, to int) ([]report.Monthly, error) {
	if _, err := s.store.Enterprise(ctx, sc, id); err != nil {
		return nil, err
	}
	return s.store.EnterpriseReports(ctx, sc, id, from, to)
}

// LatestYear is the latest statistical year with yearly status, or 0.
func (s *Service) LatestYear(ctx context.Context) (int, error) { return s.store.LatestYear(ctx) }

// LatestPeriod is the latest reported period; ok is false when there are
// no reports yet.
func (s *Service) LatestPeriod(ctx context.Context) (p report.Period, ok bool, err error) {
	p, err = s.store.LatestPeriod(ctx)
	if apperr.Is(err, apperr.NotFound) {
		return report.Period{}, false, nil
	}
	return p, err == nil, err
}

// ReportYears are the years with reports, ascending.
func (s *Service) ReportYears(ctx context.Context) ([]int, error) { return s.store.ReportYears(ctx) }

// Clusters is the cluster catalogue in force on day (YYYY-MM-DD).
func (s *Service) Clusters(ctx context.Context, day string) (ClusterCatalogue, error) {
	return s.store.ClustersAt(ctx, day)
}

// ClustersOfYear is the cluster catalogue in force at the end of year, by
// code and in catalogue order.
func (s *Service) ClustersOfYear(ctx context.Context, year int) (map[string]Cluster, []Cluster, error) {
	cat, err := s.store.ClustersAt(ctx, fmt.Sprintf("%04d-12-31", year))
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]Cluster, len(cat.Clusters))
	for _, c := range cat.Clusters {
		m[c.Code] = c
	}
	return m, cat.Clusters, nil
}

// Indicators is the indicator catalogue the statistics engine uses.
func (s *Service) Indicators() *indicator.Catalogue { return s.indicators }
