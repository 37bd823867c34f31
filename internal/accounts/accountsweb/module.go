// Package accountsweb is the security administrator's pages and API (等保
// L3 account controls on the web): the accounts with lockouts, state and
// active sessions, unlock, disable, enable and end sessions, and the
// account policy in force. Every POST is recorded by the web core as an
// account change (its path contains "/users").
package accountsweb

import (
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/accounts"
	"github.com/industrybrain/ibrain/internal/web"
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
	// Messages is the module's message catalogue, merged by internal/app.
	//
	//go:embed i18n/*.json
	Messages embed.FS
)

type module struct {
	core *web.Server
	svc  *accounts.Service
}

// Module returns the account controls over svc.
func Module(svc *accounts.Service) web.ModuleFunc {
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
		routes := []web.Route{
			{Method: "GET", Path: "/api/v1/security/users", Perm: accounts.PermManage, Handler: m.apiList},
			{Method: "GET", Path: "/api/v1/security/policy", Perm: accounts.PermPolicy, Handler: m.apiPolicy},
		}
		for _, a := range accounts.Actions {
			routes = append(routes, web.Route{Method: "POST", Path: "/api/v1/security/users/{user}/" + string(a), Perm: accounts.PermManage, Handler: m.apiAct(a)})
		}
		return web.Module{
			Name:   "security",
			Routes: routes,
			Pages: []web.Route{
				{Method: "GET", Path: "/security/users", Perm: accounts.PermManage, Handler: m.usersPage},
				{Method: "GET", Path: "/security/policy", Perm: accounts.PermPolicy, Handler: m.policyPage},
			},
			Nav: []web.NavItem{
				{Group: web.GroupData, ID: "security-users", Label: "nav.security_users", Path: "/security/users", Perm: accounts.PermManage, Order: 910, Audience: web.Officials},
				{Group: web.GroupData, ID: "security-policy", Label: "nav.security_policy", Path: "/security/policy", Perm: accounts.PermPolicy, Order: 911, Audience: web.Officials},
			},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}
