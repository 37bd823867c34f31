package web

import (
	"fmt"
	"github.com/industrybrain/ibrain/internal/auth"
	"net/http"
	"strings"

	"github.com/industrybrain/ibrain/internal/stats"
)

// apiKPIs returns the cockpit's headline figures for ?year=&month= and the
// region/cluster filters, within the user's scope.
func (s *Server) apiKPIs(w http.ResponseWriter, r *http.Request, u auth.User) error {
	q := r.URL.Query()
	p, err := s.period(r.Context(), q)
	if err != nil {
		return err
	}
	f, err := statsFilter(q, u.ScopeOf())
	if err != nil {
		return err
	}
	figs, err := s.stats.KPIs(r.Context(), u.ScopeOf(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiFigures{Period: p.String(), Figures: toAPIFigures(figs)})
	return nil
}

// apiTrend returns one indicator month by month through ?year=.
func (s *Server) apiTrend(w http.ResponseWriter, r *http.Request, u auth.User) error {
	q := r.URL.Query()
	code := strings.TrimSpace(q.Get("indicator"))
	if code == "" {
		return badParam("indicator", "required")
	}
	p, err := s.period(r.Context(), q)
	if err != nil {
		return err
	}
	f, err := statsFilter(q, u.ScopeOf())
	if err != nil {
		return err
	}
	figs, err := s.stats.Trend(r.Context(), u.ScopeOf(), code, p.Year, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiTrend{Indicator: code, Year: p.Year, Points: toAPIFigures(figs)})
	return nil
}

// apiBreakdown splits a period's totals by ?by=region|cluster|tier.
func (s *Server) apiBreakdown(w http.ResponseWriter, r *http.Request, u auth.User) error {
	q := r.URL.Query()
	by := stats.Dim(strings.TrimSpace(q.Get("by")))
	switch by {
	case stats.ByRegion, stats.ByCluster, stats.ByTier:
	default:
		return badParam("by", "want region, cluster or tier")
	}
	p, err := s.period(r.Context(), q)
	if err != nil {
		return err
	}
	f, err := statsFilter(q, u.ScopeOf())
	if err != nil {
		return err
	}
	slices, err := s.stats.Breakdown(r.Context(), u.ScopeOf(), p, by, f)
	if err != nil {
		return err
	}
	names := s.sliceNames(r, by, p.Year)
	out := apiBreakdown{By: string(by), Period: p.String(), Slices: make([]apiSlice, 0, len(slices))}
	for _, sl := range slices {
		key := sl.Key.Region
		switch by {
		case stats.ByCluster:
			key = sl.Key.Cluster
		case stats.ByTier:
			key = sl.Key.Tier
		}
		js := apiSlice{Key: key, Enterprises: sl.N, OutputYi: sl.Output, OutputYoYPct: sl.OutputYoY,
			ValueAddedYi: sl.ValueAdded, VAGrowthPct: sl.VAGrowth, SharePct: sl.SharePct, RDIntensityPct: sl.RDIntensity}
		if n, ok := names[key]; ok {
			js.NameZh, js.NameEn = n[0], n[1]
		}
		out.Slices = append(out.Slices, js)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// sliceNames returns display names for breakdown keys: regions from the
// region catalogue, clusters from the catalogue in force at the year's
// end. Tiers are codes the UI translates.
func (s *Server) sliceNames(r *http.Request, by stats.Dim, year int) map[string][2]string {
	out := map[string][2]string{}
	switch by {
	case stats.ByRegion:
		for _, rg := range s.regions.Regions {
			out[rg.Code] = [2]string{rg.NameZh, rg.NameEn}
		}
	case stats.ByCluster:
		cat, err := s.store.ClustersAt(r.Context(), yearEnd(year))
		if err != nil {
			// Names are decoration; the figures stand without them.
			s.log.WarnContext(r.Context(), "cluster names", "err", err)
			return out
		}
		for _, c := range cat.Clusters {
			out[c.Code] = [2]string{c.NameZh, c.NameEn}
		}
	}
	return out
}

// yearEnd returns the last day of a year, YYYY-12-31.
func yearEnd(year int) string { return fmt.Sprintf("%d-12-31", year) }
