// Package registryweb is the enterprise registry's HTTP side: the
// enterprise list with its search, filters and exports, each enterprise's
// profile with its monthly reports, and the reference catalogues (regions,
// clusters, indicators) as an API and a page; their templates, script,
// OpenAPI fragment and help pages.
package registryweb

import (
	"embed"
	"io/fs"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/web"
)

// permStats is held by the roles that may open the cockpit pages the
// reference page links clusters to.
const permStats auth.Permission = "stats.read"

var (
	//go:embed templates/*.html
	templates embed.FS
	//go:embed static
	static embed.FS
	//go:embed openapi.json
	openAPI []byte
	//go:embed reference_openapi.json
	referenceOpenAPI []byte
	//go:embed help.md
	help []byte
	//go:embed reference_help.md
	referenceHelp []byte
	// Messages and ReferenceMessages are the two modules' message
	// catalogues ({name}.{lang}.json), merged into the platform's by
	// internal/app.
	//
	//go:embed i18n/registry.*.json
	Messages embed.FS
	//go:embed i18n/reference.*.json
	ReferenceMessages embed.FS
)

// module holds what the handlers need.
type module struct {
	core *web.Server
	svc  *registry.Service
}

// Module returns the registry module over svc: the enterprise list,
// profile, reports and exports (help page /help/enterprises).
func Module(svc *registry.Service) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc}
		tpl, err := fs.Sub(templates, "templates")
		if err != nil {
			return web.Module{}, err
		}
		st, err := fs.Sub(static, "static")
		if err != nil {
			return web.Module{}, err
		}
		return web.Module{
			Name: "enterprises",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/enterprises", Perm: auth.SignedIn, Handler: m.apiEnterprises, Cached: true},
				{Method: "GET", Path: "/api/v1/enterprises.xlsx", Perm: auth.SignedIn, Handler: m.apiEnterprisesXLSX},
				{Method: "GET", Path: "/api/v1/enterprises.csv", Perm: auth.SignedIn, Handler: m.apiEnterprisesCSV},
				{Method: "GET", Path: "/api/v1/enterprises/{id}", Perm: auth.SignedIn, Handler: m.apiEnterprise},
				{Method: "GET", Path: "/api/v1/enterprises/{id}/reports", Perm: auth.SignedIn, Handler: m.apiEnterpriseReports},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/enterprises", Perm: auth.SignedIn, Handler: m.enterpriseList},
				{Method: "GET", Path: "/enterprises/{id}", Perm: auth.SignedIn, Handler: m.enterpriseProfile},
			},
			Nav: []web.NavItem{
				{Group: web.GroupMonitor, ID: "enterprises", Label: "nav.my_enterprise", URL: web.HomeURL, Perm: auth.SignedIn, Order: 11, Audience: web.Enterprises},
				{Group: web.GroupMonitor, ID: "enterprises", Label: "nav.enterprises", Path: "/enterprises", Perm: auth.SignedIn, Order: 20, Audience: web.Officials},
			},
			EntTabs: []web.EntTab{{ID: "profile", Label: "enttabs.profile", Order: 10,
				Path: func(id int64) string { return "/enterprises/" + strconv.FormatInt(id, 10) }}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}

// Reference returns the reference module over svc: the catalogues of
// regions, clusters and indicators as an API and a page (help page
// /help/reference). Its page template is contributed once, by Module.
func Reference(svc *registry.Service) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc}
		return web.Module{
			Name: "reference",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/regions", Perm: auth.SignedIn, Handler: m.apiRegions},
				{Method: "GET", Path: "/api/v1/clusters", Perm: auth.SignedIn, Handler: m.apiClusters},
				{Method: "GET", Path: "/api/v1/indicators", Perm: auth.SignedIn, Handler: m.apiIndicators},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/reference", Perm: auth.SignedIn, Handler: m.referencePage},
			},
			Nav:     []web.NavItem{{Group: web.GroupData, ID: "reference", Label: "nav.reference", Path: "/reference", Perm: auth.SignedIn, Order: 320, Audience: web.Everyone}},
			OpenAPI: referenceOpenAPI,
			Help:    referenceHelp,
		}, nil
	}
}
