// Package hardtechweb is the hard-tech assistance pool's HTTP side
// (硬科技帮扶库): the JSON API under /api/v1/hardtech with its XLSX export,
// admission and removal, the pool page, its template, script, OpenAPI
// fragment, messages and help page.
package hardtechweb

import (
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/hardtech"
	"github.com/industrybrain/ibrain/internal/web"
)

// The permissions this module's routes ask for (granted in roles.json).
const (
	permRead = auth.Permission("hardtech.read")
	// permAdmit may admit firms to the pool and remove them: the city
	// administrator and district officers (for their own district, which
	// the store enforces). Analysts read.
	permAdmit = auth.Permission("hardtech.admit")
)

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
	svc  *hardtech.Service
}

// Module returns the hard-tech pool module over svc.
func Module(svc *hardtech.Service) web.ModuleFunc {
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
			Name: "hardtech",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/hardtech", Perm: permRead, Handler: m.apiPool, Cached: true},
				{Method: "GET", Path: "/api/v1/hardtech.xlsx", Perm: permRead, Handler: m.apiPoolXLSX},
				{Method: "POST", Path: "/api/v1/hardtech/{year}/members", Perm: permAdmit, Handler: m.apiAdmit},
				{Method: "POST", Path: "/api/v1/hardtech/{year}/members/{id}/remove", Perm: permAdmit, Handler: m.apiRemove},
			},
			Pages: []web.Route{
				// Signed-in users; the page itself refuses those without
				// permRead with its own message.
				{Method: "GET", Path: "/hardtech", Perm: auth.SignedIn, Handler: m.poolPage},
			},
			Nav:       []web.NavItem{{Group: web.GroupCultivate, ID: "hardtech", Label: "nav.hardtech", Path: "/hardtech", Perm: permRead, Order: 130, Audience: web.Officials}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}
