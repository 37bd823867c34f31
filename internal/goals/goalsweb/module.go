// Package goalsweb is the cultivation goals' HTTP side: the JSON API at
// /api/v1/goals and the goals page, their template, OpenAPI fragment,
// messages and help page.
package goalsweb

import (
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/web"
)

// permRead is what the goals' routes ask for (granted in roles.json).
const permRead auth.Permission = "goals.read"

var (
	//go:embed templates/*.html
	templates embed.FS
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
	svc  *goals.Service
}

// Module returns the goals module over svc.
func Module(svc *goals.Service) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc}
		tpl, err := fs.Sub(templates, "templates")
		if err != nil {
			return web.Module{}, err
		}
		return web.Module{
			Name: "goals",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/goals", Perm: permRead, Handler: m.apiGoals, Cached: true},
			},
			Pages: []web.Route{
				// Signed-in users; the page itself refuses those without
				// permRead with its own message.
				{Method: "GET", Path: "/goals", Perm: auth.SignedIn, Handler: m.goalsPage},
			},
			Nav:       []web.NavItem{{Group: web.GroupCultivate, ID: "goals", Label: "nav.goals", Path: "/goals", Perm: permRead, Order: 120, Audience: web.Officials}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Help:      help,
		}, nil
	}
}
