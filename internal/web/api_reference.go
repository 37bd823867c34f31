package web

import (
	"net/http"
	"strings"
	"time"
)

// Reference data is the same for every user, so these handlers take no
// scope; they still require sign-in like the rest of the API.

// apiRegions lists the statistical units in catalogue order.
func (s *Server) apiRegions(w http.ResponseWriter, r *http.Request) {
	out := make([]apiRegion, 0, len(s.regions.Regions))
	for _, rg := range s.regions.Regions {
		out = append(out, apiRegion{Code: rg.Code, NameZh: rg.NameZh, NameEn: rg.NameEn, Kind: string(rg.Kind), Area: string(rg.Area)})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiClusters returns the cluster catalogue in force on ?date=
// (YYYY-MM-DD, today when absent).
func (s *Server) apiClusters(w http.ResponseWriter, r *http.Request) {
	day := strings.TrimSpace(r.URL.Query().Get("date"))
	if day == "" {
		day = s.now().Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, day); err != nil {
		s.writeError(w, r, badParam("date", "want YYYY-MM-DD"))
		return
	}
	cat, err := s.store.ClustersAt(r.Context(), day)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := apiClusterCatalogue{ID: cat.ID, Version: cat.Version, EffectiveFrom: cat.EffectiveFrom, EffectiveTo: cat.EffectiveTo, Source: cat.Source,
		Clusters: make([]apiCluster, 0, len(cat.Clusters))}
	for _, c := range cat.Clusters {
		out.Clusters = append(out.Clusters, apiCluster{Code: c.Code, Tier: c.Tier, Group: c.Group, NameZh: c.NameZh, NameEn: c.NameEn})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiIndicators lists the indicator catalogue the statistics engine uses.
func (s *Server) apiIndicators(w http.ResponseWriter, r *http.Request) {
	inds := s.stats.Catalogue().Indicators
	out := make([]apiIndicator, 0, len(inds))
	for _, d := range inds {
		out = append(out, apiIndicator{
			Code: d.Code, NameZh: d.NameZh, NameEn: d.NameEn, Unit: d.Unit, UnitZh: d.UnitZh, UnitEn: d.UnitEn,
			Frequency: d.Frequency, Aggregation: d.Aggregation, Department: d.Department, Source: d.Source,
			Alert: d.Alert, Excellent: d.Excellent, HigherIsBetter: d.HigherIsBetter,
			DefinitionZh: d.DefinitionZh, DefinitionEn: d.DefinitionEn,
		})
	}
	writeJSON(w, http.StatusOK, out)
}
