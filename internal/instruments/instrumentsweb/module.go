// Package instrumentsweb is the instrument-sharing marketplace's HTTP side
// (大型科研仪器开放共享): the JSON API under /api/v1/instruments, orders
// and vouchers, the search, instrument, orders and statistics pages, their
// templates, script, OpenAPI fragment, messages and help page.
package instrumentsweb

import (
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web"
)

// The permissions this module's routes ask for (granted in roles.json).
// Which instruments and orders a holder may touch is decided by the
// service: a unit's administrator its unit's, a manager those assigned to
// them, a customer their own orders.
const (
	permRead       = auth.Permission("instruments.read")
	permOrder      = auth.Permission("instruments.order")
	permEnrol      = auth.Permission("instruments.enrol")
	permManage     = auth.Permission("instruments.manage")
	permManageUnit = auth.Permission("instruments.manage_unit")
	permOperate    = auth.Permission("instruments.operate")
	permStats      = auth.Permission("instruments.stats")
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
	svc  *instruments.Service
}

// Module returns the marketplace module over svc.
func Module(svc *instruments.Service) web.ModuleFunc {
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
			Name: "instruments",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/instruments", Perm: permRead, Handler: m.apiSearch},
				{Method: "POST", Path: "/api/v1/instruments", Perm: permEnrol, Handler: m.apiCreate},
				{Method: "GET", Path: "/api/v1/instruments/stats", Perm: permStats, Handler: m.apiStats},
				{Method: "GET", Path: "/api/v1/instruments/usage", Perm: permStats, Handler: m.apiUsage},
				{Method: "GET", Path: "/api/v1/instruments/usage.xlsx", Perm: permStats, Handler: m.apiUsageXLSX},
				{Method: "GET", Path: "/api/v1/instruments/{id}", Perm: permRead, Handler: m.apiInstrument},
				{Method: "POST", Path: "/api/v1/instruments/{id}/lifecycle", Perm: permRead, Handler: m.apiLifecycle},
				{Method: "POST", Path: "/api/v1/instruments/{id}/orders", Perm: permOrder, Handler: m.apiBook},
				{Method: "GET", Path: "/api/v1/instrument-orders", Perm: permOrder, Handler: m.apiOrders},
				{Method: "POST", Path: "/api/v1/instrument-orders/{id}/actions", Perm: permOrder, Handler: m.apiAct},
				{Method: "POST", Path: "/api/v1/instrument-orders/{id}/review", Perm: permOrder, Handler: m.apiReview},
				{Method: "POST", Path: "/api/v1/instrument-vouchers", Perm: permOperate, Handler: m.apiVoucher},
				{Method: "POST", Path: "/api/v1/instrument-calendars", Perm: permOrder, Handler: m.apiNewCalendar},
				// The unguessable token in the URL is the feed's only
				// credential, so calendar applications can subscribe.
				{Method: "GET", Path: "/api/v1/instrument-calendars/{token}", Perm: auth.Public, Handler: m.apiCalendar},
				// Operations (ops.go): bulk import and export, rules,
				// windows, qualifications, photos and documents.
				{Method: "POST", Path: "/api/v1/instrument-imports", Perm: permEnrol, Handler: m.apiImport},
				{Method: "GET", Path: "/api/v1/instrument-imports/template.xlsx", Perm: permEnrol, Handler: m.apiImportTemplate(tabular.FormatXLSX)},
				{Method: "GET", Path: "/api/v1/instrument-imports/template.csv", Perm: permEnrol, Handler: m.apiImportTemplate(tabular.FormatCSV)},
				{Method: "GET", Path: "/api/v1/instrument-imports/export.xlsx", Perm: permEnrol, Handler: m.apiExport(tabular.FormatXLSX)},
				{Method: "GET", Path: "/api/v1/instrument-imports/export.csv", Perm: permEnrol, Handler: m.apiExport(tabular.FormatCSV)},
				{Method: "GET", Path: "/api/v1/instrument-units/{id}/rules", Perm: permEnrol, Handler: m.apiUnitRules},
				{Method: "PUT", Path: "/api/v1/instrument-units/{id}/rules", Perm: permEnrol, Handler: m.apiPutUnitRules},
				{Method: "PUT", Path: "/api/v1/instruments/{id}/rules", Perm: permManage, Handler: m.apiPutRules},
				{Method: "POST", Path: "/api/v1/instruments/{id}/windows", Perm: permManage, Handler: m.apiAddWindow},
				{Method: "GET", Path: "/api/v1/instrument-qualifications", Perm: permOrder, Handler: m.apiQualifications},
				{Method: "POST", Path: "/api/v1/instrument-qualifications", Perm: permManage, Handler: m.apiGrant},
				{Method: "POST", Path: "/api/v1/instrument-qualifications/{id}/revoke", Perm: permManage, Handler: m.apiRevoke},
				{Method: "GET", Path: "/api/v1/instruments/{id}/files", Perm: permRead, Handler: m.apiFiles},
				{Method: "POST", Path: "/api/v1/instruments/{id}/files", Perm: permManage, Handler: m.apiUpload},
				{Method: "GET", Path: "/api/v1/instrument-files/{id}", Perm: permRead, Handler: m.apiFile},
				{Method: "DELETE", Path: "/api/v1/instrument-files/{id}", Perm: permManage, Handler: m.apiDeleteFile},
				// Reviews (reviews.go): the list, the owner's reply, moderation.
				{Method: "GET", Path: "/api/v1/instruments/{id}/reviews", Perm: permRead, Handler: m.apiReviews},
				{Method: "PUT", Path: "/api/v1/instrument-orders/{id}/review/reply", Perm: permManage, Handler: m.apiReply},
				{Method: "POST", Path: "/api/v1/instrument-orders/{id}/review/moderation", Perm: permOperate, Handler: m.apiModerate},
				// Invoices of fees (invoices.go).
				{Method: "GET", Path: "/api/v1/instrument-invoices", Perm: permOrder, Handler: m.apiInvoices},
				{Method: "POST", Path: "/api/v1/instrument-invoices", Perm: permManage, Handler: m.apiIssueInvoice},
				{Method: "GET", Path: "/api/v1/instrument-invoices.xlsx", Perm: permOrder, Handler: m.apiInvoicesXLSX},
				{Method: "GET", Path: "/api/v1/instrument-invoices/{id}", Perm: permOrder, Handler: m.apiInvoice},
				{Method: "POST", Path: "/api/v1/instrument-invoices/{id}/pay", Perm: permManage, Handler: m.apiPayInvoice},
				{Method: "POST", Path: "/api/v1/instrument-invoices/{id}/void", Perm: permManage, Handler: m.apiVoidInvoice},
				// Violations and their waivers (waivers.go).
				{Method: "GET", Path: "/api/v1/instrument-violations", Perm: permOrder, Handler: m.apiViolations},
				{Method: "POST", Path: "/api/v1/instrument-violations/{id}/waive", Perm: permEnrol, Handler: m.apiWaive},
				// Entered evaluation scores (evalscores.go).
				{Method: "GET", Path: "/api/v1/instrument-evaluation-scores", Perm: permStats, Handler: m.apiEvalScores},
				{Method: "PUT", Path: "/api/v1/instrument-evaluation-scores", Perm: permOperate, Handler: m.apiPutEvalScore},
			},
			Pages: []web.Route{
				// Signed-in users; the pages refuse those without the
				// permission with their own message.
				{Method: "GET", Path: "/instruments", Perm: auth.SignedIn, Handler: m.searchPage},
				{Method: "GET", Path: "/instruments/stats", Perm: auth.SignedIn, Handler: m.statsPage},
				{Method: "GET", Path: "/instruments/orders", Perm: auth.SignedIn, Handler: m.ordersPage},
				{Method: "GET", Path: "/instruments/invoices", Perm: auth.SignedIn, Handler: m.invoicesPage},
				{Method: "GET", Path: "/instruments/invoices/{id}", Perm: auth.SignedIn, Handler: m.invoicePage},
				{Method: "GET", Path: "/instruments/{id}", Perm: auth.SignedIn, Handler: m.instrumentPage},
				// Management (pages_rules.go, pages_manage.go): forms that
				// post back to their page and call the API's service methods.
				{Method: "GET", Path: "/instruments/manage", Perm: auth.SignedIn, Handler: m.managePage},
				{Method: "GET", Path: "/instruments/manage/{id}/rules", Perm: auth.SignedIn, Handler: m.instrumentRules},
				{Method: "POST", Path: "/instruments/manage/{id}/rules", Perm: auth.SignedIn, Handler: m.instrumentRules},
				{Method: "POST", Path: "/instruments/manage/{id}/windows", Perm: auth.SignedIn, Handler: m.addWindowForm},
				{Method: "GET", Path: "/instruments/manage/units/{id}/rules", Perm: auth.SignedIn, Handler: m.unitRules},
				{Method: "POST", Path: "/instruments/manage/units/{id}/rules", Perm: auth.SignedIn, Handler: m.unitRules},
				{Method: "GET", Path: "/instruments/qualifications", Perm: auth.SignedIn, Handler: m.qualificationsPage},
				{Method: "POST", Path: "/instruments/qualifications", Perm: auth.SignedIn, Handler: m.grantForm},
				{Method: "POST", Path: "/instruments/qualifications/{id}/revoke", Perm: auth.SignedIn, Handler: m.revokeForm},
				{Method: "GET", Path: "/instruments/violations", Perm: auth.SignedIn, Handler: m.violationsPage},
				{Method: "POST", Path: "/instruments/violations/{id}/waive", Perm: auth.SignedIn, Handler: m.waiveForm},
				{Method: "GET", Path: "/instruments/evaluation-scores", Perm: auth.SignedIn, Handler: m.scoresPage},
				{Method: "POST", Path: "/instruments/evaluation-scores", Perm: auth.SignedIn, Handler: m.scoreForm},
			},
			Nav: []web.NavItem{
				{Group: web.GroupData, ID: "instruments", Label: "nav.instruments", Path: "/instruments", Perm: permRead, Order: 300, Audience: web.Everyone},
				{Group: web.GroupData, ID: "instrument-orders", Label: "nav.instrument_orders", Path: "/instruments/orders", Perm: permOrder, Order: 301, Audience: web.Everyone},
				{Group: web.GroupData, ID: "instrument-stats", Label: "nav.instrument_stats", Path: "/instruments/stats", Perm: permStats, Order: 302, Audience: web.Officials},
				// The management hub: a unit's staff (permManage) and the
				// operator (permOperate), one entry each as an entry has one
				// permission; no role holds both.
				{Group: web.GroupData, ID: "instrument-manage", Label: "nav.instrument_manage", Path: "/instruments/manage", Perm: permManage, Order: 303, Audience: web.Everyone},
				{Group: web.GroupData, ID: "instrument-platform", Label: "nav.instrument_platform", Path: "/instruments/manage", Perm: permOperate, Order: 304, Audience: web.Everyone},
			},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}

// actor is the request's user as the service knows it.
func actor(c web.Ctx) instruments.Actor {
	return instruments.Actor{UserID: c.User.ID, EnterpriseID: c.User.EnterpriseID, Operator: c.Can(permOperate),
		UnitAdmin: c.Can(permManageUnit), Manager: c.Can(permManage), Booker: c.Can(permOrder)}
}
