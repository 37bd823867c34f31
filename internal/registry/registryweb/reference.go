package registryweb

import (
	"net/http"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/web"
)

// Reference data is the same for every user, so these handlers take no
// scope; they still require sign-in like the rest of the API.

// apiRegions lists the statistical units in catalogue order.
func (m *module) apiRegions(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	regions := m.core.Regions().Regions
	out := make([]apiRegion, 0, len(regions))
	for _, rg := range regions {
		out = append(out, apiRegion{Code: rg.Code, NameZh: rg.NameZh, NameEn: rg.NameEn, Kind: string(rg.Kind), Area: string(rg.Area)})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiClusters returns the cluster catalogue in force on ?date=
// (YYYY-MM-DD, today when absent).
func (m *module) apiClusters(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	day := strings.TrimSpace(r.URL.Query().Get("date"))
	if day == "" {
		day = m.core.Today().Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, day); err != nil {
		return web.BadParam("date", "want YYYY-MM-DD")
	}
	cat, err := m.svc.Clusters(r.Context(), day)
	if err != nil {
		return err
	}
	out := apiClusterCatalogue{ID: cat.ID, Version: cat.Version, EffectiveFrom: cat.EffectiveFrom, EffectiveTo: cat.EffectiveTo, Source: cat.Source,
		Clusters: make([]apiCluster, 0, len(cat.Clusters))}
	for _, c := range cat.Clusters {
		out.Clusters = append(out.Clusters, apiCluster{Code: c.Code, Tier: c.Tier, Group: c.Group, NameZh: c.NameZh, NameEn: c.NameEn})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiIndicators lists the indicator catalogue the statistics engine uses.
func (m *module) apiIndicators(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	inds := m.svc.Indicators().Indicators
	out := make([]apiIndicator, 0, len(inds))
	for _, d := range inds {
		out = append(out, apiIndicator{
			Code: d.Code, NameZh: d.NameZh, NameEn: d.NameEn, Unit: d.Unit, UnitZh: d.UnitZh, UnitEn: d.UnitEn,
			Frequency: d.Frequency, Aggregation: d.Aggregation, Department: d.Department, Source: d.Source,
			Alert: d.Alert, Excellent: d.Excellent, HigherIsBetter: d.HigherIsBetter,
			DefinitionZh: d.DefinitionZh, DefinitionEn: d.DefinitionEn,
		})
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// referencePage is GET /reference: the statistical units, the cluster
// catalogue by tier and the indicator catalogue with its departments and
// thresholds.
type referencePage struct {
	web.BasePage
	Regions    []refRegion
	ZoneCount  int
	Tiers      []refTier
	Catalogue  string
	Effective  string
	Indicators []refIndicator
	IndVersion string
}

type refRegion struct {
	Code, Name, NameOther, Kind, Area, Hosts, Aliases, URL string
	Zone                                                   bool
}

type refTier struct {
	Name     string
	Clusters []refCluster
}

type refCluster struct {
	Code, Name, NameOther, Group, URL string
}

type refIndicator struct {
	Code, Name, Unit, Frequency, Aggregation, Department, Source, Alert, Excellent, Definition string
	HigherIsBetter                                                                             bool
}

func (m *module) referencePage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ctx, lang := r.Context(), c.Lang
	p := referencePage{}
	p.BasePage = m.core.Base(r, c, "reference.title", "reference")
	p.Scripts = []string{"app.js"}
	other := func(zh, en string) (string, string) {
		if lang == i18n.EN {
			return en, zh
		}
		return zh, en
	}
	for _, rg := range m.core.Regions().Regions {
		name, alt := other(rg.NameZh, rg.NameEn)
		rr := refRegion{Code: rg.Code, Name: name, NameOther: alt, Kind: m.core.T(lang, "region_kind."+string(rg.Kind)),
			Area: m.core.T(lang, "area."+string(rg.Area)), Aliases: strings.Join(rg.Aliases, "、"), Zone: rg.IsZone()}
		if web.CanSeeRegion(c.User, rg.Code) {
			rr.URL = web.DistrictURL(rg.Code)
		}
		var hosts []string
		for _, h := range rg.HostCodes {
			if hr, ok := m.core.Regions().ByCode(h); ok {
				hosts = append(hosts, web.RegionName(lang, hr))
			}
		}
		rr.Hosts = strings.Join(hosts, web.ListSep(lang))
		if rr.Zone {
			p.ZoneCount++
		}
		p.Regions = append(p.Regions, rr)
	}
	cat, err := m.svc.Clusters(ctx, time.Now().Format("2006-01-02"))
	if err != nil {
		return err
	}
	p.Catalogue, p.Effective = cat.Version, cat.EffectiveFrom
	for _, cl := range cat.Clusters {
		tier := m.core.TierName(lang, cl.Tier)
		if len(p.Tiers) == 0 || p.Tiers[len(p.Tiers)-1].Name != tier {
			p.Tiers = append(p.Tiers, refTier{Name: tier})
		}
		name, alt := other(cl.NameZh, cl.NameEn)
		rc := refCluster{Code: cl.Code, Name: name, NameOther: alt}
		if cl.Group != "" {
			rc.Group = m.core.T(lang, "cluster_group."+cl.Group)
		}
		// Cluster pages are cockpit pages: the city's for a city-wide
		// scope, the own district's for a district officer.
		if c.Can(permStats) {
			rc.URL = web.ClusterURL(c.Scope().RegionCode, cl.Code)
		}
		t := &p.Tiers[len(p.Tiers)-1]
		t.Clusters = append(t.Clusters, rc)
	}
	if ic := m.svc.Indicators(); ic != nil {
		p.IndVersion = ic.Version
		for _, ind := range ic.Indicators {
			ri := refIndicator{Code: ind.Code, Name: web.PickLang(lang, ind.NameZh, ind.NameEn), Unit: web.PickLang(lang, ind.UnitZh, ind.UnitEn),
				Frequency: m.core.T(lang, "frequency."+ind.Frequency), Aggregation: m.core.T(lang, "aggregation."+ind.Aggregation),
				Department: ind.Department, Source: m.core.T(lang, "source."+ind.Source), HigherIsBetter: ind.HigherIsBetter,
				Definition: web.PickLang(lang, ind.DefinitionZh, ind.DefinitionEn), Alert: "–", Excellent: "–"}
			d := web.ValueDigits(ind)
			better, worse := "≥ ", "< "
			if !ind.HigherIsBetter {
				better, worse = "≤ ", "> "
			}
			if ind.Alert != nil {
				ri.Alert = worse + web.FormatNumber(*ind.Alert, d)
			}
			if ind.Excellent != nil {
				ri.Excellent = better + web.FormatNumber(*ind.Excellent, d)
			}
			p.Indicators = append(p.Indicators, ri)
		}
	}
	return m.core.Render(w, r, c, "reference.html", p)
}
