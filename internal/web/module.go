package web

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/industrybrain/ibrain/internal/auth"
)

// A feature plugs into the web core as a Module: its routes and pages, the
// OpenAPI fragment documenting its routes, its page templates, scripts and
// help page. The core never imports a feature; internal/app lists the
// modules (the table of contents) and hands them to New.

// Ctx is what a handler knows of its request besides net/http's: the
// signed-in user (zero on public routes), the language, and the policy to
// ask what the user may do.
type Ctx struct {
	User   auth.User
	Lang   string
	policy *auth.Policy
}

// Can reports whether the request's user holds perm.
func (c Ctx) Can(perm auth.Permission) bool { return c.policy != nil && c.policy.Allows(c.User, perm) }

// Scope is the data scope of the request's user.
func (c Ctx) Scope() auth.Scope { return c.User.ScopeOf() }

// Handler is the one handler shape of API routes and pages: it writes its
// answer or returns an error, which the core writes (JSON on the API, the
// error page elsewhere). Typed errors (internal/apperr) become HTTP
// statuses in errors.go only.
type Handler func(w http.ResponseWriter, r *http.Request, c Ctx) error

// Route is one entry of a route table.
type Route struct {
	Method string
	Path   string // ServeMux path pattern; for API routes also the OpenAPI path
	// Perm is what the user must hold: auth.Public for no sign-in,
	// auth.SignedIn for any signed-in user, or a permission of roles.json.
	Perm    auth.Permission
	Handler Handler
	// Cached serves a GET API route's answer from the answer cache: set
	// it only when the answer depends on nothing but the path and query,
	// the language, the user's role and scope, the day and the stored
	// data (answers.go says what that excludes).
	Cached bool
}

// Pattern returns the ServeMux pattern.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// Module is one feature's HTTP side.
type Module struct {
	// Name is the feature's name: its help page is /help/{Name}.
	Name string
	// Routes are machine routes (the JSON API), each documented in OpenAPI.
	Routes []Route
	// Pages are server-rendered pages; anonymous GETs are sent to sign in.
	Pages []Route
	// OpenAPI is a fragment with "paths" and "components.schemas", merged
	// into the served document; a path or schema defined twice is an error.
	OpenAPI []byte
	// Templates hold the module's page templates (*.html at the root),
	// parsed with the core layout and partials; names must be unique.
	Templates fs.FS
	// Static holds the module's scripts and styles, served content-hashed
	// under /static/ next to the core's; base names must be unique.
	Static fs.FS
	// Help is the user help page in Markdown: zh-CN, a line "---", English.
	Help []byte
	// MoreHelp are further help pages of the module by name (/help/{name}),
	// for a module whose pages have help of their own.
	MoreHelp map[string][]byte
	// Nav are the module's main-menu entries; EntTabs its views of one
	// enterprise in the tab row the enterprise pages share.
	Nav     []NavItem
	EntTabs []EntTab
	// SignInLinks are buttons on the sign-in page (single sign-on
	// providers), with labels from configuration.
	SignInLinks []SignInLink
	// Badges are links with a count in the layout's user box on every
	// page (unread notifications), for signed-in users.
	Badges []Badge
}

// Badge is a link with a per-user count in the layout. Count runs on
// every page view, so it must be cheap (an indexed count); an error shows
// the link without a number.
type Badge struct {
	ID    string // the link's element id is badge-{ID}
	Label string // catalogue key of the link text
	Title string // catalogue key formatting the count (%d), the link's title
	Path  string
	Count func(ctx context.Context, u auth.User) (int, error)
}

// SignInLink is a button on the sign-in page.
type SignInLink struct {
	LabelZH, LabelEN, Path string
}

// ModuleFunc builds a module on the core, so its handlers can render pages
// and read the catalogue through the server.
type ModuleFunc func(s *Server) (Module, error)

// checkModules rejects modules whose routes ask for undeclared
// permissions or repeat another module's name or route.
func (s *Server) checkModules(mods []Module) error {
	names := map[string]bool{}
	seen := map[string]string{}
	for _, m := range mods {
		if m.Name == "" || names[m.Name] {
			return fmt.Errorf("web: module name %q is empty or used twice", m.Name)
		}
		names[m.Name] = true
		for _, rt := range append(append([]Route(nil), m.Routes...), m.Pages...) {
			if !s.policy.Declared(rt.Perm) {
				return fmt.Errorf("web: module %s: %s asks for undeclared permission %q", m.Name, rt.Pattern(), rt.Perm)
			}
			if other, dup := seen[rt.Pattern()]; dup {
				return fmt.Errorf("web: module %s: %s is already served by %s", m.Name, rt.Pattern(), other)
			}
			seen[rt.Pattern()] = m.Name
		}
	}
	return nil
}
