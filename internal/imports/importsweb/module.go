// Package importsweb is the data-collection (数据归集) HTTP side: the upload
// API under /api/v1/imports (enterprises, reports, profile facts, 亩均
// facts, listing events), the XLSX/CSV templates, the upload page, its
// template, script, OpenAPI fragment, messages and help page. The imports
// themselves are internal/imports' service, which the CLI uses too.
package importsweb

import (
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/web"
)

// perms are the permissions (granted in roles.json) to import each kind.
// Enterprise users report their own figures (reports, profile facts) but
// not what departments supply about them (the registry, 亩均 facts with
// their veto items) nor listing events, which the listing office records.
var perms = map[string]auth.Permission{
	imports.KindEnterprises: "import.enterprises",
	imports.KindReports:     "import.reports",
	imports.KindProfiles:    "import.profiles",
	imports.KindMujunFacts:  "import.mujun_facts",
	imports.KindListing:     "import.listing",
}

var (
	//go:embed templates/*.html
	templates embed.FS
	//go:embed static
	static embed.FS
	//go:embed openapi.json
	openAPI []byte
	//go:embed help.md
	help []byte
	// Messages is the module's message catalogue ({name}.{lang}.json),
	// merged into the platform's by internal/app.
	//
	//go:embed i18n/*.json
	Messages embed.FS
)

// module holds what the handlers need.
type module struct {
	core *web.Server
	svc  *imports.Service
}

// Module returns the imports module over svc.
func Module(svc *imports.Service) web.ModuleFunc {
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
		var routes []web.Route
		for _, k := range imports.Kinds {
			routes = append(routes, web.Route{Method: "POST", Path: "/api/v1/imports/" + k, Perm: perms[k], Handler: m.apiImport(k)})
		}
		routes = append(routes,
			web.Route{Method: "GET", Path: "/api/v1/imports/{kind}/template.xlsx", Perm: auth.SignedIn, Handler: m.apiTemplateXLSX},
			web.Route{Method: "GET", Path: "/api/v1/imports/{kind}/template.csv", Perm: auth.SignedIn, Handler: m.apiTemplateCSV},
			// The city's confirmation queue of firms new to a district.
			web.Route{Method: "GET", Path: "/api/v1/enterprise-requests", Perm: perms[imports.KindEnterprises], Handler: m.apiRequestList},
			web.Route{Method: "POST", Path: "/api/v1/enterprise-requests/{id}/decision", Perm: permConfirm, Handler: m.apiRequestDecide},
		)
		return web.Module{
			Name:   "import",
			Routes: routes,
			Pages: []web.Route{{Method: "GET", Path: "/import", Perm: auth.SignedIn, Handler: m.importPage},
				{Method: "GET", Path: "/import/requests", Perm: perms[imports.KindEnterprises], Handler: m.requestsPage}},
			// Whoever may import anything may import reports: the menu
			// shows the page to the holders of that permission.
			Nav: []web.NavItem{{Group: web.GroupData, ID: "import", Label: "nav.import", Path: "/import", Perm: perms[imports.KindReports], Order: 310, Audience: web.Everyone},
				{Group: web.GroupData, ID: "import-requests", Label: "nav.import_requests", Path: "/import/requests", Perm: perms[imports.KindEnterprises], Order: 311, Audience: web.Officials}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}
