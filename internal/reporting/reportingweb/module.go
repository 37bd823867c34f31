// Package reportingweb is online reporting's HTTP side (企业直报): the
// report form of a firm (fill, save, submit; review, return, accept), the
// submission status with the 报送率 per district, reminders, publishing a
// period, the JSON API under /api/v1/reporting, its OpenAPI fragment,
// messages and help page.
package reportingweb

import (
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/reporting"
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
	// Messages is the module's message catalogue ({name}.{lang}.json).
	//
	//go:embed i18n/*.json
	Messages embed.FS
)

// module holds what the handlers need.
type module struct {
	core *web.Server
	svc  *reporting.Service
}

// Module returns the online-reporting module over svc.
func Module(svc *reporting.Service) web.ModuleFunc {
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
			Name: "reporting",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/reporting/status", Perm: reporting.PermStatus, Handler: m.apiStatus},
				{Method: "GET", Path: "/api/v1/reporting/locks", Perm: reporting.PermStatus, Handler: m.apiLocks},
				{Method: "GET", Path: "/api/v1/reporting/revisions", Perm: reporting.PermStatus, Handler: m.apiRevisions},
				{Method: "POST", Path: "/api/v1/reporting/remind", Perm: reporting.PermReview, Handler: m.apiRemind},
				{Method: "POST", Path: "/api/v1/reporting/publish", Perm: reporting.PermPublish, Handler: m.apiPublish},
				{Method: "GET", Path: "/api/v1/reporting/firms/{id}/{period}", Perm: reporting.PermRead, Handler: m.apiForm},
				{Method: "POST", Path: "/api/v1/reporting/firms/{id}/{period}/submission", Perm: reporting.PermFill, Handler: m.apiSubmission},
				{Method: "POST", Path: "/api/v1/reporting/firms/{id}/{period}/review", Perm: reporting.PermReview, Handler: m.apiReview},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/reporting", Perm: auth.SignedIn, Handler: m.indexPage},
				{Method: "GET", Path: "/reporting/firms/{id}/{period}", Perm: reporting.PermRead, Handler: m.formPage},
			},
			Nav: []web.NavItem{
				{Group: web.GroupData, ID: "reporting", Label: "nav.reporting", Path: "/reporting", Perm: reporting.PermStatus, Order: 300, Audience: web.Officials},
				{ID: "reporting", Label: "nav.reporting_fill", Path: "/reporting", Perm: reporting.PermFill, Order: 300, Audience: web.Enterprises},
			},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}
