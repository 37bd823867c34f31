package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/metrics"
)

// middleware wraps the mux with what every request gets, outermost first:
// request info, logging and metrics; panic recovery; security headers; the
// language cookie; cross-origin (CSRF) protection.
//
// None of the layers between observe and the mux replaces the
// *http.Request, because the mux records the matched pattern on the request
// it receives and observe reads it back from its own copy for the route
// label. State discovered later (the signed-in user) travels in the mutable
// reqInfo that observe puts in the context.
func (s *Server) middleware(mux http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, apperr.New(apperr.Forbidden, "api.err.cross_origin"))
	}))
	var h http.Handler = cop.Handler(mux)
	h = s.langCookie(h)
	h = s.rejectNUL(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	return s.observe(h)
}

// reqInfo is per-request state shared by the layers of one request.
type reqInfo struct {
	once sync.Once
	auth func() authResult // resolves the session on first use
	res  authResult
}

// authResult is the outcome of reading a request's credentials.
type authResult struct {
	user      auth.User
	ok        bool
	tokenHash string    // of the presented token, even if it was not valid
	bearer    bool      // credentials came from the Authorization header
	expires   time.Time // of the live session
	created   time.Time // of the live session, for its absolute lifetime
	err       error     // the store failed; not the same as "signed out"
}

type infoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	info, _ := ctx.Value(infoKey{}).(*reqInfo)
	return info
}

func (info *reqInfo) resolve() authResult {
	info.once.Do(func() {
		if info.auth != nil {
			info.res = info.auth()
		}
	})
	return info.res
}

// UserFrom returns the signed-in user of a request context. The session is
// looked up on first use, so requests that never ask (static files) cost no
// database query.
func UserFrom(ctx context.Context) (auth.User, bool) {
	info := infoFrom(ctx)
	if info == nil {
		return auth.User{}, false
	}
	res := info.resolve()
	return res.user, res.ok
}

// contextWithUser returns a context in which UserFrom reports u, for tests
// of handlers and templates that run without the middleware.
func contextWithUser(ctx context.Context, u auth.User) context.Context {
	info := &reqInfo{res: authResult{user: u, ok: true}}
	info.once.Do(func() {})
	return context.WithValue(ctx, infoKey{}, info)
}

// observe installs reqInfo, then logs and measures the request once it is
// done.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		info.auth = func() authResult { return s.authenticate(r) }
		sw := &metrics.StatusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)

		d := time.Since(start)
		status := sw.Status()
		s.http.Observe(r.Method, r.Pattern, status, d)
		attrs := []any{"method", r.Method, "route", metrics.RouteLabel(r.Pattern), "status", status,
			"duration_ms", float64(d.Microseconds()) / 1000, "bytes", sw.Bytes()}
		// Only report a user already resolved: logging must not cause a
		// session query of its own.
		if res := info.res; res.ok {
			attrs = append(attrs, "user_id", res.user.ID)
		}
		level := slog.LevelInfo
		switch route := metrics.RouteLabel(r.Pattern); {
		case status >= 500:
			level = slog.LevelError
		case route == "/healthz" || route == "/metrics":
			// Probes and scrapes arrive every few seconds and would drown
			// the log.
			level = slog.LevelDebug
		}
		s.log.Log(r.Context(), level, "http request", attrs...)
	})
}

// recoverPanics turns a handler panic into a logged 500 instead of a reset
// connection, so the user sees an error page and the log has the stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.ErrorContext(r.Context(), "panic in handler", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			s.writeError(w, r, fmt.Errorf("panic: %v", p))
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets headers every response should carry. The content
// security policy is set by the page handlers, which know what they load.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// langCookieName holds the language chosen with ?lang=.
const langCookieName = "lang"

// langCookie remembers an explicit ?lang= choice in a cookie, so the
// language sticks across pages without every link carrying the parameter.
func (s *Server) langCookie(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("lang"); q != "" {
			http.SetCookie(w, &http.Cookie{
				Name: langCookieName, Value: i18n.Normalize(q), Path: "/",
				MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
			})
		}
		next.ServeHTTP(w, r)
	})
}

// Lang returns the request's language, "zh-CN" (the default) or "en":
// from ?lang=, then the lang cookie, then Accept-Language.
func Lang(r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q != "" {
		return i18n.Normalize(q)
	}
	if c, err := r.Cookie(langCookieName); err == nil && c.Value != "" {
		return i18n.Normalize(c.Value)
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// requireUser lets signed-in users through. Others get 401 JSON on the API
// and a redirect to the sign-in page elsewhere (GET/HEAD; other methods get
// the 401 error page, since a redirect would drop the body).
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		if info == nil {
			s.writeError(w, r, apperr.New(apperr.Unauthorized, "api.err.unauthenticated"))
			return
		}
		res := info.resolve()
		if res.err != nil {
			s.writeError(w, r, res.err)
			return
		}
		if !res.ok {
			if !isAPI(r) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.writeError(w, r, apperr.New(apperr.Unauthorized, "api.err.unauthenticated"))
			return
		}
		s.slideSession(w, r, res)
		if !passwordGateOpen(r.URL.Path) && s.mustChangePassword(res.user) {
			if !isAPI(r) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
				http.Redirect(w, r, "/account", http.StatusSeeOther)
				return
			}
			// 401, not 403: the sign-in is not complete until the password
			// is changed, and every API route documents 401.
			s.writeError(w, r, apperr.New(apperr.Unauthorized, "api.err.password_change_required"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requirePermission lets through signed-in users who hold perm; use it
// inside requireUser.
func (s *Server) requirePermission(next http.Handler, perm auth.Permission) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := UserFrom(r.Context())
		if !ok {
			s.writeError(w, r, apperr.New(apperr.Unauthorized, "api.err.unauthenticated"))
			return
		}
		if !s.policy.Allows(u, perm) {
			s.record(r, audit.Event{Action: audit.Denied, Target: r.Method + " " + r.URL.Path, Outcome: audit.Refused, Detail: string(perm)})
			s.writeError(w, r, apperr.New(apperr.Forbidden, "api.err.forbidden"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// guard applies a route's permission to its handler: public routes pass,
// the rest need a signed-in user holding the permission.
func (s *Server) guard(perm auth.Permission, h http.Handler) http.Handler {
	if perm == auth.Public {
		return h
	}
	return s.requireUser(s.requirePermission(h, perm))
}

// isAPI reports whether the request is for the JSON API, which answers in
// JSON even when things go wrong.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// wantsJSON reports whether the response should be JSON: API paths, and
// non-API endpoints (sign-in) called by a client that asks for JSON first.
func wantsJSON(r *http.Request) bool {
	if isAPI(r) {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.HasPrefix(accept, "application/json")
}

// rejectNUL answers 400 to a request whose path or query holds a NUL
// byte: PostgreSQL refuses NUL in text, so such a value would otherwise
// reach the store and come back as a 500.
func (s *Server) rejectNUL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.ContainsRune(r.URL.Path, 0) || strings.Contains(r.URL.RawQuery, "%00") || strings.ContainsRune(r.URL.RawQuery, 0) {
			s.writeError(w, r, apperr.New(apperr.Invalid, "api.err.nul_byte"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serveMetrics is GET /metrics, behind the configured token if any.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if s.metricsToken != "" {
		got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(s.metricsToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics token required", http.StatusUnauthorized)
			return
		}
	}
	s.metrics.ServeHTTP(w, r)
}
