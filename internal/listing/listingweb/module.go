// Package listingweb is the listing pipeline's HTTP side: the JSON API
// under /api/v1/listing, the pipeline page and each firm's timeline, their
// templates, script, OpenAPI fragment, messages and help page.
package listingweb

import (
	"embed"
	"io/fs"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/web"
)

// The permissions this module's routes ask for (granted in roles.json).
const (
	permRead   auth.Permission = "listing.read"   // pipeline counts and yearly figures
	permRecord auth.Permission = "listing.record" // record a firm's next stage
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
	svc  *listing.Service
}

// Module returns the listing module over svc.
func Module(svc *listing.Service) web.ModuleFunc {
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
			Name: "listing",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/listing/summary", Perm: permRead, Handler: m.apiSummary, Cached: true},
				{Method: "GET", Path: "/api/v1/listing/years", Perm: permRead, Handler: m.apiYears, Cached: true},
				{Method: "GET", Path: "/api/v1/listing/firms", Perm: auth.SignedIn, Handler: m.apiFirms, Cached: true},
				{Method: "GET", Path: "/api/v1/listing/firms.xlsx", Perm: auth.SignedIn, Handler: m.apiFirmsXLSX},
				{Method: "GET", Path: "/api/v1/listing/firms/{id}", Perm: auth.SignedIn, Handler: m.apiFirm},
				{Method: "POST", Path: "/api/v1/listing/firms/{id}/events", Perm: permRecord, Handler: m.apiRecord},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/listing", Perm: auth.SignedIn, Handler: m.pipelinePage},
				{Method: "GET", Path: "/listing/firms/{id}", Perm: auth.SignedIn, Handler: m.firmPage},
			},
			Nav: []web.NavItem{{Group: web.GroupCultivate, ID: "listing", Label: "nav.listing", Path: "/listing", Perm: permRead, Order: 140, Audience: web.Officials}},
			EntTabs: []web.EntTab{{ID: "listing", Label: "enttabs.listing", Order: 40,
				Path: func(id int64) string { return "/listing/firms/" + strconv.FormatInt(id, 10) }}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}
