package web

import (
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/report"
)

// importPage is GET /import?kind=…: a selector of the kinds the user may
// import and the upload form of the chosen one, posting with fetch() to
// POST /api/v1/imports/{kind}; import.js shows the result or the
// row-by-row error report the API returns, in the request language.
type importPage struct {
	basePage
	Kinds    []importKind
	Selected importKind
	Data     importData
}

type importKind struct {
	Kind        string
	Title       string
	Help        string
	TemplateCSV string
	TemplateXLS string
	Columns     string
	URL         string // the selector link
	Current     bool
}

type importData struct {
	Text map[string]string `json:"text"`
}

func (u *ui) importPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	lang := pc.lang
	if !pc.user.CanImport() {
		u.renderError(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	p := importPage{Data: importData{Text: u.prefixed(lang, "js.")}}
	p.basePage = u.base(r, pc, "import.title", "import")
	p.Scripts = []string{"app.js", "import.js"}
	var kinds []string
	for _, k := range importer.Kinds {
		if !importKindForbidden(pc.user, k) && (k != importer.KindEnterprises || pc.user.Role != auth.RoleEnterprise) {
			kinds = append(kinds, k)
		}
	}
	selected := r.URL.Query().Get("kind")
	if !slices.Contains(kinds, selected) {
		selected = kinds[0]
	}
	for _, k := range kinds {
		ik := importKind{Kind: k, Title: u.t(lang, "import."+k), Help: u.t(lang, "import."+k+"_help"),
			TemplateXLS: "/api/v1/imports/" + k + "/template.xlsx?lang=" + lang, TemplateCSV: "/api/v1/imports/" + k + "/template.csv?lang=" + lang,
			URL: "/import?kind=" + k + "&lang=" + lang, Current: k == selected}
		switch k {
		case importer.KindReports:
			var fields []string
			for _, f := range report.Fields {
				fields = append(fields, pickLang(lang, f.NameZh, f.NameEn)+"（"+pickLang(lang, f.FileUnitZh, f.FileUnitEn)+"）")
			}
			ik.Columns = u.t(lang, "import.report_key_columns") + lang2sep(lang) + strings.Join(fields, lang2sep(lang))
		case importer.KindEnterprises:
			ik.Columns = u.t(lang, "import.enterprise_columns")
		default:
			header, _, _ := importer.Template(k, lang)
			ik.Columns = strings.Join(header, lang2sep(lang))
		}
		p.Kinds = append(p.Kinds, ik)
		if ik.Current {
			p.Selected = ik
		}
	}
	u.render(w, r, http.StatusOK, lang, "import.html", p)
}

func lang2sep(lang string) string {
	if lang == i18n.EN {
		return ", "
	}
	return "、"
}

// referencePage is GET /reference: the statistical units, the cluster
// catalogue by tier and the indicator catalogue with its departments and
// thresholds.
type referencePage struct {
	basePage
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

func (u *ui) referencePage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	ctx, lang := r.Context(), pc.lang
	p := referencePage{}
	p.basePage = u.base(r, pc, "reference.title", "reference")
	p.Scripts = []string{"app.js"}
	other := func(zh, en string) (string, string) {
		if lang == i18n.EN {
			return en, zh
		}
		return zh, en
	}
	for _, rg := range u.s.regions.Regions {
		name, alt := other(rg.NameZh, rg.NameEn)
		rr := refRegion{Code: rg.Code, Name: name, NameOther: alt, Kind: u.t(lang, "region_kind."+string(rg.Kind)),
			Area: u.t(lang, "area."+string(rg.Area)), Aliases: strings.Join(rg.Aliases, "、"), Zone: rg.IsZone()}
		if canSeeRegion(pc.user, rg.Code) {
			rr.URL = districtURL(rg.Code)
		}
		var hosts []string
		for _, h := range rg.HostCodes {
			if hr, ok := u.s.regions.ByCode(h); ok {
				hosts = append(hosts, regionName(lang, hr))
			}
		}
		rr.Hosts = strings.Join(hosts, lang2sep(lang))
		if rr.Zone {
			p.ZoneCount++
		}
		p.Regions = append(p.Regions, rr)
	}
	cat, err := u.s.store.ClustersAt(ctx, time.Now().Format("2006-01-02"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Catalogue, p.Effective = cat.Version, cat.EffectiveFrom
	for _, c := range cat.Clusters {
		tier := u.tierName(lang, c.Tier)
		if len(p.Tiers) == 0 || p.Tiers[len(p.Tiers)-1].Name != tier {
			p.Tiers = append(p.Tiers, refTier{Name: tier})
		}
		name, alt := other(c.NameZh, c.NameEn)
		rc := refCluster{Code: c.Code, Name: name, NameOther: alt}
		if c.Group != "" {
			rc.Group = u.t(lang, "cluster_group."+c.Group)
		}
		switch pc.user.Role {
		case auth.RoleCityAdmin, auth.RoleCityAnalyst:
			rc.URL = clusterURL("", c.Code)
		case auth.RoleDistrict:
			rc.URL = clusterURL(pc.user.RegionCode, c.Code)
		}
		t := &p.Tiers[len(p.Tiers)-1]
		t.Clusters = append(t.Clusters, rc)
	}
	if ic := u.s.stats.Catalogue(); ic != nil {
		p.IndVersion = ic.Version
		for _, ind := range ic.Indicators {
			ri := refIndicator{Code: ind.Code, Name: pickLang(lang, ind.NameZh, ind.NameEn), Unit: pickLang(lang, ind.UnitZh, ind.UnitEn),
				Frequency: u.t(lang, "frequency."+ind.Frequency), Aggregation: u.t(lang, "aggregation."+ind.Aggregation),
				Department: ind.Department, Source: u.t(lang, "source."+ind.Source), HigherIsBetter: ind.HigherIsBetter,
				Definition: pickLang(lang, ind.DefinitionZh, ind.DefinitionEn), Alert: "–", Excellent: "–"}
			d := valueDigits(ind)
			better, worse := "≥ ", "< "
			if !ind.HigherIsBetter {
				better, worse = "≤ ", "> "
			}
			if ind.Alert != nil {
				ri.Alert = worse + formatNumber(*ind.Alert, d)
			}
			if ind.Excellent != nil {
				ri.Excellent = better + formatNumber(*ind.Excellent, d)
			}
			p.Indicators = append(p.Indicators, ri)
		}
	}
	u.render(w, r, http.StatusOK, lang, "reference.html", p)
}

// helpPage renders docs/help/{module}.md in the request language.
type helpPage struct {
	basePage
	Modules []helpLink
	Body    template.HTML // from renderMarkdown, which escapes the source
}

type helpLink struct {
	Module, Title string
	Current       bool
}

// helpModules are the help pages in menu order.
var helpModules = []string{"cockpit", "enterprises", "import", "targets", "reference"}

func (u *ui) helpLinks(lang, current string) []helpLink {
	var out []helpLink
	mods := append([]string(nil), helpModules...)
	for m := range u.help {
		if !containsString(mods, m) {
			mods = append(mods, m)
		}
	}
	sort.SliceStable(mods[len(helpModules):], func(i, j int) bool { return mods[len(helpModules)+i] < mods[len(helpModules)+j] })
	for _, m := range mods {
		if _, ok := u.help[m]; ok {
			out = append(out, helpLink{Module: m, Title: u.t(lang, "help."+m), Current: m == current})
		}
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (u *ui) helpIndex(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	http.Redirect(w, r, "/help/"+helpModules[0], http.StatusSeeOther)
}

func (u *ui) helpPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	mod := r.PathValue("module")
	src, ok := u.help[mod]
	if !ok {
		u.renderError(w, r, http.StatusNotFound, "err.help_not_found")
		return
	}
	p := helpPage{Modules: u.helpLinks(pc.lang, mod), Body: renderMarkdown(helpPart(src, pc.lang))}
	p.basePage = u.base(r, pc, "help."+mod, "help")
	p.Module = mod
	p.Crumbs = []crumb{{Label: u.t(pc.lang, "nav.help"), URL: "/help"}, {Label: p.Title}}
	u.render(w, r, http.StatusOK, pc.lang, "help.html", p)
}
