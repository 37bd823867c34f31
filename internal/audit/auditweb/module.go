// Package auditweb is the audit administrator's HTTP side (审计管理员):
// search, verify and export the audit trail. Only the audit.read and
// audit.export permissions reach it, which roles.json grants to the
// audit administrator alone.
package auditweb

import (
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/web"
)

// The permissions of this module's routes.
const (
	permRead   = auth.Permission("audit.read")
	permExport = auth.Permission("audit.export")
)

var (
	//go:embed templates/*.html
	templates embed.FS
	//go:embed openapi.json
	openAPI []byte
	//go:embed help.md
	help []byte
	// Messages is the module's message catalogue.
	//
	//go:embed i18n/*.json
	Messages embed.FS
)

type module struct {
	core *web.Server
	svc  *audit.Service
}

// Module returns the audit module over svc.
func Module(svc *audit.Service) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc}
		tpl, err := fs.Sub(templates, "templates")
		if err != nil {
			return web.Module{}, err
		}
		return web.Module{
			Name: "audit",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/audit/events", Perm: permRead, Handler: m.apiEvents},
				{Method: "GET", Path: "/api/v1/audit/events.jsonl", Perm: permExport, Handler: m.apiExport},
				{Method: "GET", Path: "/api/v1/audit/verify", Perm: permRead, Handler: m.apiVerify},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/audit", Perm: permRead, Handler: m.page},
			},
			Nav:       []web.NavItem{{Group: web.GroupData, ID: "audit", Label: "nav.audit", Path: "/audit", Perm: permRead, Order: 900, Audience: web.Officials}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Help:      help,
		}, nil
	}
}
