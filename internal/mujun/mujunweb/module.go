// Package mujunweb is the 亩均论英雄 evaluation's HTTP side: the JSON API
// under /api/v1/mujun (configurations, runs, results, aggregates, class
// distribution and changes, 2027 targets, XLSX export), the overview,
// change, target and enterprise pages, their templates, script, OpenAPI
// fragment and help page. Its messages stay in internal/i18n, where the
// engine reads them too.
package mujunweb

import (
	"embed"
	"io/fs"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/web"
)

// The permissions this module's routes ask for (granted in roles.json).
const (
	permRead   auth.Permission = "mujun.read"   // aggregates, class changes, targets
	permRun    auth.Permission = "mujun.run"    // start a run
	permConfig auth.Permission = "mujun.config" // upload a configuration
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
)

// module holds what the handlers need.
type module struct {
	core *web.Server
	svc  *mujun.Service
}

// Module returns the 亩均 module over svc.
func Module(svc *mujun.Service) web.ModuleFunc {
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
			Name: "mujun",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/mujun/configs", Perm: auth.SignedIn, Handler: m.apiMujunConfigs},
				{Method: "POST", Path: "/api/v1/mujun/configs", Perm: permConfig, Handler: m.apiMujunPutConfig},
				{Method: "GET", Path: "/api/v1/mujun/configs/{id}", Perm: auth.SignedIn, Handler: m.apiMujunConfig},
				{Method: "GET", Path: "/api/v1/mujun/runs", Perm: auth.SignedIn, Handler: m.apiMujunRuns},
				{Method: "POST", Path: "/api/v1/mujun/runs", Perm: permRun, Handler: m.apiMujunStartRun},
				{Method: "GET", Path: "/api/v1/mujun/runs/{id}/enterprises", Perm: auth.SignedIn, Handler: m.apiMujunResults, Cached: true},
				{Method: "GET", Path: "/api/v1/mujun/runs/{id}/enterprises.xlsx", Perm: auth.SignedIn, Handler: m.apiMujunResultsXLSX},
				{Method: "GET", Path: "/api/v1/mujun/runs/{id}/districts", Perm: permRead, Handler: m.apiMujunDistricts, Cached: true},
				{Method: "GET", Path: "/api/v1/mujun/runs/{id}/parks", Perm: permRead, Handler: m.apiMujunParks, Cached: true},
				{Method: "GET", Path: "/api/v1/mujun/runs/{id}/classes", Perm: permRead, Handler: m.apiMujunClasses, Cached: true},
				{Method: "GET", Path: "/api/v1/mujun/runs/{id}/diff/{other}", Perm: permRead, Handler: m.apiMujunDiff, Cached: true},
				{Method: "GET", Path: "/api/v1/mujun/targets", Perm: permRead, Handler: m.apiMujunTargets, Cached: true},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/mujun", Perm: auth.SignedIn, Handler: m.mujunOverview},
				{Method: "GET", Path: "/mujun/targets", Perm: permRead, Handler: m.mujunTargetsPage},
				{Method: "GET", Path: "/mujun/runs/{id}/diff/{other}", Perm: permRead, Handler: m.mujunDiffPage},
				{Method: "GET", Path: "/mujun/enterprises/{id}", Perm: auth.SignedIn, Handler: m.mujunEnterprise},
			},
			Nav: []web.NavItem{
				{Group: web.GroupEvaluate, ID: "mujun", Label: "nav.mujun", Path: "/mujun", Perm: auth.SignedIn, Order: 210, Audience: web.Everyone},
				{Group: web.GroupEvaluate, ID: "mujun_targets", Label: "nav.mujun_targets", Path: "/mujun/targets", Perm: permRead, Order: 220, Audience: web.Officials},
			},
			EntTabs: []web.EntTab{{ID: "mujun", Label: "enttabs.mujun", Order: 30,
				Path: func(id int64) string { return "/mujun/enterprises/" + strconv.FormatInt(id, 10) }}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}
