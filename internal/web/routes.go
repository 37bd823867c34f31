package web

import (
	"net/http"
	"slices"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/metrics"
)

// apiRoute is one entry of the route table: the machine routes (health,
// metrics, sign-in, the JSON API). The OpenAPI test walks this table, so a
// route cannot be added without documenting it.
type apiRoute struct {
	Method  string
	Path    string // ServeMux path pattern, also the OpenAPI path
	Access  auth.Permission
	Handler http.HandlerFunc
}

// Pattern returns the ServeMux pattern.
func (rt apiRoute) Pattern() string { return rt.Method + " " + rt.Path }

// The permissions of the core routes; features declare their own.
const (
	public   = auth.Public
	signedIn = auth.SignedIn
)

// routeTable lists every machine route. It is the table of contents of the
// API: the core routes here, then each module's own list, from the file
// named after the module.
func (s *Server) routeTable() []apiRoute {
	var out []apiRoute
	for _, rt := range s.coreRoutes() {
		out = append(out, apiRoute{Method: rt.Method, Path: rt.Path, Access: rt.Perm, Handler: s.serve(rt.Handler)})
	}
	return slices.Concat(out, s.moduleRoutes())
}

// coreRoutes are the platform's own routes: health, metrics, sign-in,
// the OpenAPI document, the signed-in account and the imports.
func (s *Server) coreRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/healthz", Perm: public, Handler: answers(s.healthz)},
		{Method: "GET", Path: "/metrics", Perm: public, Handler: answers(s.serveMetrics)},
		{Method: "POST", Path: "/login", Perm: public, Handler: answers(s.login)},
		{Method: "POST", Path: "/logout", Perm: public, Handler: answers(s.logout)},
		{Method: "GET", Path: "/api/v1/openapi.json", Perm: public, Handler: answers(s.openAPI)},
		{Method: "GET", Path: "/api/v1/me", Perm: signedIn, Handler: s.apiMe},
	}
}

// answers adapts a protocol endpoint that always writes its own answer
// (health, metrics, the sign-in form's post and its failures, the static
// OpenAPI document) to the one handler shape.
func answers(h http.HandlerFunc) Handler {
	return func(w http.ResponseWriter, r *http.Request, _ Ctx) error {
		h(w, r)
		return nil
	}
}

// routes registers the route table, a JSON 404 for the rest of /api/, and
// the pages (registerUI, in ui.go).
func (s *Server) routes(mux *http.ServeMux) {
	s.api = s.routeTable()
	seen := map[string]bool{}
	for _, rt := range s.api {
		if seen[rt.Pattern()] || !s.policy.Declared(rt.Access) {
			panic("web: route " + rt.Pattern() + " is served twice or asks for an undeclared permission")
		}
		seen[rt.Pattern()] = true
	}
	for _, rt := range s.api {
		mux.Handle(rt.Pattern(), s.guard(rt.Access, rt.Handler))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, notFound())
	})
	s.registerUI(mux)
}

// moduleRoutes are the modules' machine routes.
func (s *Server) moduleRoutes() []apiRoute {
	var out []apiRoute
	for _, m := range s.modules {
		for _, rt := range m.Routes {
			h := rt.Handler
			if rt.Cached {
				h = s.cachedHandler(h)
			}
			out = append(out, apiRoute{Method: rt.Method, Path: rt.Path, Access: rt.Perm, Handler: s.serve(h)})
		}
	}
	return out
}

// moduleOf names the module that contributed a route pattern ("" for the
// core's own).
func (s *Server) moduleOf(pattern string) string {
	for _, m := range s.modules {
		for _, rt := range m.Routes {
			if rt.Pattern() == pattern {
				return m.Name
			}
		}
	}
	return ""
}

// serve adapts a Handler to net/http: it builds the request's Ctx and
// writes the error the handler returns.
func (s *Server) serve(h Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := Ctx{Lang: Lang(r), policy: s.policy}
		if u, ok := UserFrom(r.Context()); ok {
			c.User = u
		}
		sw := &metrics.StatusWriter{ResponseWriter: w}
		if err := h(sw, r, c); err != nil {
			s.writeError(sw, r, err)
		}
		s.auditRoute(r, sw)
	}
}
