// Package notifyweb is the notifications' HTTP side: the inbox page with
// the settings form, the unread badge in the layout, and the JSON API
// under /api/v1/notifications.
package notifyweb

import (
	"context"
	"embed"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/notify"
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
	// Messages is the module's message catalogue, merged into the
	// platform's by internal/app (the mail worker renders from it too).
	//
	//go:embed i18n/*.json
	Messages embed.FS
)

// Options tune the module.
type Options struct {
	// MailConfigured says whether this server sends mail (the settings
	// form says so when it does not).
	MailConfigured bool
}

type module struct {
	core *web.Server
	svc  *notify.Service
	opts Options
}

// Module returns the notifications module over svc. Every signed-in
// account has an inbox, so every route asks only for a session; the
// service scopes each call to the caller's own notifications.
func Module(svc *notify.Service, opts Options) web.ModuleFunc {
	return func(core *web.Server) (web.Module, error) {
		m := &module{core: core, svc: svc, opts: opts}
		tpl, err := fs.Sub(templates, "templates")
		if err != nil {
			return web.Module{}, err
		}
		st, err := fs.Sub(static, "static")
		if err != nil {
			return web.Module{}, err
		}
		return web.Module{
			Name: "notify",
			Routes: []web.Route{
				{Method: "GET", Path: "/api/v1/notifications", Perm: auth.SignedIn, Handler: m.apiList},
				{Method: "POST", Path: "/api/v1/notifications/read", Perm: auth.SignedIn, Handler: m.apiRead},
				{Method: "GET", Path: "/api/v1/notification-settings", Perm: auth.SignedIn, Handler: m.apiSettings},
				{Method: "POST", Path: "/api/v1/notification-settings", Perm: auth.SignedIn, Handler: m.apiPutSettings},
			},
			Pages: []web.Route{
				{Method: "GET", Path: "/notifications", Perm: auth.SignedIn, Handler: m.page},
			},
			Badges: []web.Badge{{ID: "notifications", Label: "nav.notifications", Title: "notify.badge", Path: "/notifications",
				Count: func(ctx context.Context, u auth.User) (int, error) { return svc.Unread(ctx, u.ID) }}},
			OpenAPI:   openAPI,
			Templates: tpl,
			Static:    st,
			Help:      help,
		}, nil
	}
}
