// Package digitalweb is the digital-transformation module's HTTP side: the
// JSON API under /api/v1/digital, the overview page (figures by year,
// districts' ladder, task-table rows, 2027 goals, candidates, projects),
// each project's page and each firm's digital page, with their templates,
// script, OpenAPI fragment, messages and help.
package digitalweb

import (
	"embed"
	"io/fs"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/web"
)

// The permissions this module's routes ask for (granted in roles.json).
const (
	permRead   auth.Permission = "digital.read"   // figures, lists, ladder and candidates across firms
	permApply  auth.Permission = "digital.apply"  // file a project application (a firm for itself, officials for firms in scope)
	permRecord auth.Permission = "digital.record" // record stages, maturity, recognitions; import projects
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
	svc  *digital.Service
}

// Module returns the digital module over svc.
func Module(svc *digital.Service) web.ModuleFunc {
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
			Name: "digital",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/digital/summary", Perm: permRead, Handler: m.apiSummary},
				{Method: "GET", Path: "/api/v1/digital/candidates", Perm: permRead, Handler: m.apiCandidates},
				{Method: "GET", Path: "/api/v1/digital/scenarios", Perm: auth.SignedIn, Handler: m.apiScenarios},
				{Method: "GET", Path: "/api/v1/digital/projects", Perm: permRead, Handler: m.apiProjects},
				{Method: "POST", Path: "/api/v1/digital/projects", Perm: permApply, Handler: m.apiApply},
				{Method: "POST", Path: "/api/v1/digital/projects/import", Perm: permRecord, Handler: m.apiImport},
				{Method: "GET", Path: "/api/v1/digital/projects/{id}", Perm: auth.SignedIn, Handler: m.apiProject},
				{Method: "POST", Path: "/api/v1/digital/projects/{id}/events", Perm: permRecord, Handler: m.apiEvent},
				{Method: "GET", Path: "/api/v1/digital/projects/{id}/review", Perm: auth.SignedIn, Handler: m.apiReview},
				{Method: "POST", Path: "/api/v1/digital/projects/{id}/review", Perm: permApply, Handler: m.apiReviewStep},
				{Method: "GET", Path: "/api/v1/digital/firms/{id}", Perm: auth.SignedIn, Handler: m.apiFirm},
				{Method: "POST", Path: "/api/v1/digital/firms/{id}/maturity", Perm: permRecord, Handler: m.apiMaturity},
				{Method: "POST", Path: "/api/v1/digital/firms/{id}/recognitions", Perm: permRecord, Handler: m.apiRecognise},
				{Method: "GET", Path: "/api/v1/digital/rung-applications", Perm: permRead, Handler: m.apiRungApps},
				{Method: "POST", Path: "/api/v1/digital/rung-applications", Perm: permApply, Handler: m.apiRungApply},
				{Method: "GET", Path: "/api/v1/digital/rung-applications/{id}", Perm: auth.SignedIn, Handler: m.apiRungApp},
				{Method: "POST", Path: "/api/v1/digital/rung-applications/{id}/review", Perm: permApply, Handler: m.apiRungStep},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/digital", Perm: auth.SignedIn, Handler: m.overviewPage},
				{Method: "GET", Path: "/digital/projects/{id}", Perm: auth.SignedIn, Handler: m.projectPage},
				{Method: "GET", Path: "/digital/firms/{id}", Perm: auth.SignedIn, Handler: m.firmPage},
				{Method: "GET", Path: "/digital/rung-applications", Perm: permRead, Handler: m.rungListPage},
				{Method: "GET", Path: "/digital/rung-applications/{id}", Perm: auth.SignedIn, Handler: m.rungDetailPage},
			},
			Nav: []web.NavItem{{Group: web.GroupCultivate, ID: "digital", Label: "nav.digital", Path: "/digital", Perm: permRead, Order: 150, Audience: web.Officials}},
			EntTabs: []web.EntTab{{ID: "digital", Label: "enttabs.digital", Order: 45,
				Path: func(id int64) string { return "/digital/firms/" + strconv.FormatInt(id, 10) }}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}
