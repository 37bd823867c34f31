// Package cockpitweb is the cockpit's HTTP side (驾驶舱): the city home
// page and the district and cluster pages of the drill-down, the task
// table and the scoreboard pages, and the statistics, targets and
// scoreboard API, with their templates, script, OpenAPI fragment and help
// page. The district map's shapes stay a vendored asset of the web core,
// which serves them at /static/map/chongqing.json.
package cockpitweb

import (
	"context"
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cockpit"
	"github.com/industrybrain/ibrain/internal/pdfprint"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/web"
)

// The permissions this module's routes ask for (granted in roles.json).
const (
	permStats      auth.Permission = "stats.read"      // aggregates: cockpit, district and cluster views, targets
	permScoreboard auth.Permission = "scoreboard.read" // the city-wide scoreboard; held by the city roles only
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
	//go:embed targets_help.md
	targetsHelp []byte
	// Messages is the module's message catalogue ({name}.{lang}.json),
	// merged into the platform's by internal/app.
	//
	//go:embed i18n/*.json
	Messages embed.FS
)

// Firms lists enterprises: the largest firms of a cluster page.
type Firms interface {
	ListEnterprises(ctx context.Context, sc auth.Scope, f registry.Filter) (registry.Page, error)
}

// module holds what the handlers need.
type module struct {
	core  *web.Server
	svc   *cockpit.Service
	firms Firms
	// printer prints the scoreboard as a PDF (chromium, IBRAIN_CHROMIUM).
	printer pdfprint.Printer
}

// Module returns the cockpit module over svc; firms lists a cluster
// page's largest enterprises.
func Module(svc *cockpit.Service, firms Firms) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc, firms: firms, printer: pdfprint.FromEnv()}
		tpl, err := fs.Sub(templates, "templates")
		if err != nil {
			return web.Module{}, err
		}
		st, err := fs.Sub(static, "static")
		if err != nil {
			return web.Module{}, err
		}
		return web.Module{
			Name: "cockpit",
			Routes: []web.Route{
				// Aggregates are not for enterprise users (the store refuses
				// them too); saying so up front gives a clean 403.
				{Method: "GET", Path: "/api/v1/stats/kpis", Perm: permStats, Handler: m.apiKPIs, Cached: true},
				{Method: "GET", Path: "/api/v1/stats/trend", Perm: permStats, Handler: m.apiTrend, Cached: true},
				{Method: "GET", Path: "/api/v1/stats/breakdown", Perm: permStats, Handler: m.apiBreakdown, Cached: true},
				{Method: "GET", Path: "/api/v1/targets", Perm: permStats, Handler: m.apiTargets, Cached: true},
				// The scoreboard is city-wide by definition, so only city roles.
				{Method: "GET", Path: "/api/v1/scoreboard", Perm: permScoreboard, Handler: m.apiScoreboard, Cached: true},
				// Issue 12: time controls, the scoreboard as a PDF briefing.
				{Method: "GET", Path: "/api/v1/stats/spans", Perm: permStats, Handler: m.apiSpans, Cached: true},
				{Method: "GET", Path: "/api/v1/scoreboard.pdf", Perm: permScoreboard, Handler: m.apiScoreboardPDF},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/{$}", Perm: auth.SignedIn, Handler: m.home},
				{Method: "GET", Path: "/districts/{code}", Perm: auth.SignedIn, Handler: m.districtPage},
				{Method: "GET", Path: "/districts/{code}/clusters/{cluster}", Perm: auth.SignedIn, Handler: m.districtClusterPage},
				{Method: "GET", Path: "/clusters/{cluster}", Perm: auth.SignedIn, Handler: m.clusterPage},
				{Method: "GET", Path: "/targets", Perm: auth.SignedIn, Handler: m.targetsPage},
				{Method: "GET", Path: "/scoreboard", Perm: auth.SignedIn, Handler: m.scoreboardPage},
				{Method: "GET", Path: "/bigscreen", Perm: auth.SignedIn, Handler: m.bigscreenPage},
				{Method: "GET", Path: "/compare", Perm: auth.SignedIn, Handler: m.comparePage},
			},
			Nav: []web.NavItem{
				{Group: web.GroupMonitor, ID: "cockpit", Label: "nav.cockpit", URL: web.HomeURL, Perm: permStats, Order: 10, Audience: web.Officials},
				{Group: web.GroupMonitor, ID: "targets", Label: "nav.targets", Path: "/targets", Perm: permStats, Order: 30, Audience: web.Officials},
				{Group: web.GroupMonitor, ID: "scoreboard", Label: "nav.scoreboard", Path: "/scoreboard", Perm: permScoreboard, Order: 40, Audience: web.Officials},
				{Group: web.GroupMonitor, ID: "compare", Label: "nav.compare", Path: "/compare", Perm: permScoreboard, Order: 42, Audience: web.Officials},
				{Group: web.GroupMonitor, ID: "bigscreen", Label: "nav.bigscreen", Path: "/bigscreen", Perm: permScoreboard, Order: 44, Audience: web.Officials},
			},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
			MoreHelp:  map[string][]byte{"targets": targetsHelp},
		}, nil
	}
}
