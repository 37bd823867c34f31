// Package tasksweb is the task tables' and departmental entries' HTTP
// side: every bureau's task table (/tasks, /tasks/{table}), the
// departments' entry and the city's review page (/tasks/entry), the JSON
// API under /api/v1/tasks, their templates, OpenAPI fragment, messages and
// help page.
package tasksweb

import (
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/tasks"
	"github.com/industrybrain/ibrain/internal/web"
)

// Permissions of the module's routes (granted in roles.json).
const (
	permRead   auth.Permission = "tasks.read"
	permEnter  auth.Permission = "tasks.enter"
	permReview auth.Permission = "tasks.review"
)

var (
	//go:embed templates/*.html
	templates embed.FS
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
	svc  *tasks.Service
}

// Module returns the task-table module over svc.
func Module(svc *tasks.Service) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc}
		tpl, err := fs.Sub(templates, "templates")
		if err != nil {
			return web.Module{}, err
		}
		return web.Module{
			Name: "tasks",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/tasks", Perm: permRead, Handler: m.apiTables},
				{Method: "GET", Path: "/api/v1/tasks/tables/{table}", Perm: permRead, Handler: m.apiTable},
				{Method: "GET", Path: "/api/v1/tasks/entries", Perm: permRead, Handler: m.apiEntries},
				{Method: "POST", Path: "/api/v1/tasks/entries", Perm: permEnter, Handler: m.apiEnter},
				{Method: "POST", Path: "/api/v1/tasks/entries/import", Perm: permEnter, Handler: m.apiImport},
				{Method: "GET", Path: "/api/v1/tasks/entries/{indicator}/history", Perm: permRead, Handler: m.apiHistory},
				{Method: "POST", Path: "/api/v1/tasks/reviews", Perm: permReview, Handler: m.apiReview},
				{Method: "POST", Path: "/api/v1/tasks/locks", Perm: permReview, Handler: m.apiPublish},
			},
			Pages: []web.Route{
				// Signed-in users; the pages refuse those without the
				// permission with their own message.
				{Method: "GET", Path: "/tasks", Perm: auth.SignedIn, Handler: m.tablesPage},
				{Method: "GET", Path: "/tasks/entry", Perm: auth.SignedIn, Handler: m.entryPage},
				{Method: "GET", Path: "/tasks/tables/{table}", Perm: auth.SignedIn, Handler: m.tablePage},
			},
			Nav: []web.NavItem{
				{Group: web.GroupMonitor, ID: "tasks", Label: "nav.tasks", Path: "/tasks", Perm: permRead, Order: 45, Audience: web.Officials},
				{Group: web.GroupData, ID: "tasks-entry", Label: "nav.tasks_entry", Path: "/tasks/entry", Perm: permRead, Order: 315, Audience: web.Officials},
			},
			OpenAPI:   openAPI,
			Templates: tpl,
			Help:      help,
		}, nil
	}
}

// actor is the request's user as the tasks service sees them.
func actor(c web.Ctx) tasks.Actor {
	return tasks.Actor{UserID: c.User.ID, Department: c.Scope().Department, Enter: c.Can(permEnter), Review: c.Can(permReview)}
}
