// Package accountsweb is the security administrator's pages and API (等保
// L3 account controls on the web): the accounts with lockouts, state and
// active sessions, unlock, disable, enable and end sessions, and the
// account policy in force; and the system administrator's account
// administration (/admin/accounts: create accounts, change role and
// scope). Every POST is in the audit trail as an account change.
package accountsweb

import (
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/accounts"
	"github.com/industrybrain/ibrain/internal/auth"
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
	core     *web.Server
	svc      *accounts.Service
	newAdmin AdminFunc
}

// AdminFunc builds account administration with the server's password
// hasher and account policies (internal/app's AccountAdmin).
type AdminFunc func(h *auth.Hasher, ps auth.AccountPolicies) *accounts.Admin

// Module returns the security administrator's account controls over svc
// and the system administrator's account administration from admin.
func Module(svc *accounts.Service, admin AdminFunc) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc, newAdmin: admin}
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
		// The system administrator's account administration.
		routes = append(routes,
			web.Route{Method: "GET", Path: "/api/v1/admin/users", Perm: accounts.PermAdmin, Handler: m.apiAdminList},
			web.Route{Method: "POST", Path: "/api/v1/admin/users", Perm: accounts.PermAdmin, Handler: m.apiAdminCreate},
			web.Route{Method: "POST", Path: "/api/v1/admin/users/{user}/role", Perm: accounts.PermAdmin, Handler: m.apiAdminRole},
		)
		return web.Module{
			Name:   "security",
			Routes: routes,
			Pages: []web.Route{
				{Method: "GET", Path: "/security/users", Perm: accounts.PermManage, Handler: m.usersPage},
				{Method: "GET", Path: "/security/policy", Perm: accounts.PermPolicy, Handler: m.policyPage},
				{Method: "GET", Path: "/admin/accounts", Perm: accounts.PermAdmin, Handler: m.adminPage},
			},
			Nav: []web.NavItem{
				{Group: web.GroupData, ID: "security-users", Label: "nav.security_users", Path: "/security/users", Perm: accounts.PermManage, Order: 910, Audience: web.Officials},
				{Group: web.GroupData, ID: "security-policy", Label: "nav.security_policy", Path: "/security/policy", Perm: accounts.PermPolicy, Order: 911, Audience: web.Officials},
				{Group: web.GroupData, ID: "admin-accounts", Label: "nav.admin_accounts", Path: "/admin/accounts", Perm: accounts.PermAdmin, Order: 912, Audience: web.Officials},
			},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}
