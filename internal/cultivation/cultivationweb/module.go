// Package cultivationweb is tiered cultivation's HTTP side: the rule sets
// and evaluation API, an enterprise's title eligibility (API and page), and
// the screening of every enterprise in scope (funnel, ranked candidates,
// their export and the /cultivation page), with their templates, OpenAPI
// fragment and help page. The use cases are internal/cultivation's Service;
// the messages stay in the core catalogue because the domain package's
// text output reads them (i18n.Pairs).
package cultivationweb

import (
	"embed"
	"io/fs"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/web"
)

// permRead is the permission of the screening routes (granted in
// roles.json): the screening covers many enterprises, so it is not for
// enterprise users.
const permRead auth.Permission = "cultivation.read"

var (
	//go:embed templates/*.html
	templates embed.FS
	//go:embed openapi.json
	openAPI []byte
	//go:embed help.md
	help []byte
)

// module holds what the handlers need.
type module struct {
	core *web.Server
	svc  *cultivation.Service
}

// Module returns the cultivation module over svc.
func Module(svc *cultivation.Service) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc}
		tpl, err := fs.Sub(templates, "templates")
		if err != nil {
			return web.Module{}, err
		}
		return web.Module{
			Name: "cultivation",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/rulesets", Perm: auth.SignedIn, Handler: m.apiRuleSets},
				{Method: "POST", Path: "/api/v1/rulesets/{id}/evaluate", Perm: auth.SignedIn, Handler: m.apiEvaluateProfile},
				{Method: "GET", Path: "/api/v1/enterprises/{id}/eligibility", Perm: auth.SignedIn, Handler: m.apiEligibility},
				{Method: "GET", Path: "/api/v1/cultivation/funnel", Perm: permRead, Handler: m.apiFunnel, Cached: true},
				{Method: "GET", Path: "/api/v1/cultivation/candidates", Perm: permRead, Handler: m.apiCandidates},
				{Method: "GET", Path: "/api/v1/cultivation/candidates.xlsx", Perm: permRead, Handler: m.apiCandidatesXLSX},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/enterprises/{id}/eligibility", Perm: auth.SignedIn, Handler: m.eligibilityPage},
				{Method: "GET", Path: "/cultivation", Perm: auth.SignedIn, Handler: m.cultivationPage},
			},
			Nav: []web.NavItem{{Group: web.GroupCultivate, ID: "cultivation", Label: "nav.cultivation", Path: "/cultivation", Perm: permRead, Order: 110, Audience: web.Officials}},
			EntTabs: []web.EntTab{{ID: "eligibility", Label: "nav.eligibility", Order: 20,
				Path: func(id int64) string { return "/enterprises/" + strconv.FormatInt(id, 10) + "/eligibility" }}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Help:      help,
		}, nil
	}
}
