package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "ibrain_session"

// Session lifetimes come from the account policy (auth.AccountPolicy):
// a session ends after its idle timeout without a request, and after its
// absolute lifetime however active. A request extends the idle expiry
// only once it has gone a sixth of the idle timeout stale: extending on
// every request would make every page view a database write, and the
// session still ends within the idle timeout, never later.
// newToken returns a fresh session token (32 random bytes, base64url) and
// the hex SHA-256 the store keeps in its place.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

// hashToken returns the hex SHA-256 of a token as the client sends it.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewSession starts a session for a user and returns its token, the value
// of the session cookie or of an "Authorization: Bearer" header. Sign-in
// uses it; so can tests and tools that need a signed-in client. The
// account's oldest sessions beyond the policy's concurrent limit end.
func (s *Server) NewSession(ctx context.Context, userID int64) (string, time.Time, error) {
	return s.newSession(ctx, userID, "")
}

func (s *Server) newSession(ctx context.Context, userID int64, logoutURL string) (string, time.Time, error) {
	token, hash := newToken()
	now := s.now()
	pol := s.accountPolicies.At(now)
	expires := sessionExpiry(pol, now, now)
	ended, err := s.store.StartSession(ctx, hash, userID, now, expires, sqlstore.SessionOptions{MaxConcurrent: pol.Session.MaxConcurrent, LogoutURL: logoutURL})
	if err != nil {
		return "", time.Time{}, err
	}
	if ended > 0 {
		s.log.InfoContext(ctx, "ended sessions over the concurrent limit", "user_id", userID, "count", ended)
	}
	return token, expires, nil
}

// sessionExpiry is when a session created at created, last used at now,
// ends: the idle timeout from now, capped by the absolute lifetime.
func sessionExpiry(pol auth.AccountPolicy, created, now time.Time) time.Time {
	idle, abs := now.Add(pol.IdleTimeout()), created.Add(pol.AbsoluteLifetime())
	if abs.Before(idle) {
		return abs
	}
	return idle
}

// authenticate reads the request's credentials: a bearer token when an
// Authorization header is present (the cookie is then ignored, so a
// bearer request is never authenticated by ambient browser state), else
// the session cookie.
func (s *Server) authenticate(r *http.Request) authResult {
	var res authResult
	var token string
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return res
		}
		token, res.bearer = strings.TrimSpace(t), true
	} else if c, err := r.Cookie(SessionCookie); err == nil {
		token = c.Value
	}
	// A token is 43 characters; anything far off is not worth a query.
	if token == "" || len(token) > 128 {
		return res
	}
	res.tokenHash = hashToken(token)
	sess, err := s.store.Session(r.Context(), res.tokenHash)
	switch {
	case apperr.Is(err, apperr.Unauthorized):
		return res
	case err != nil:
		res.err = err
		return res
	}
	// The server's clock decides expiry (the store's query only drops
	// sessions long gone), so one clock governs idle and absolute limits.
	if !s.now().Before(sess.ExpiresAt) {
		return res
	}
	res.user, res.ok, res.expires, res.created = sess.User, true, sess.ExpiresAt, sess.CreatedAt
	// Handlers and templates never need the hash; not carrying it means
	// no page can leak it by accident.
	// An account without a password (single sign-on only) keeps its
	// marker, which is no secret, so the password rules can skip it.
	if !res.user.External() {
		res.user.PasswordHash = ""
	}
	res.user.TOTPSecret = ""
	return res
}

// slideSession moves a session's idle expiry forward (never past its
// absolute end) once it has gone a sixth of the idle timeout stale, and
// renews the cookie to match. A failure only costs the extension, so it
// is logged, not returned.
func (s *Server) slideSession(w http.ResponseWriter, r *http.Request, res authResult) {
	now := s.now()
	pol := s.accountPolicies.At(now)
	fresh := sessionExpiry(pol, res.created, now)
	if fresh.Sub(res.expires) < pol.IdleTimeout()/6 {
		return
	}
	if err := s.store.ExtendSession(r.Context(), res.tokenHash, fresh); err != nil {
		s.log.WarnContext(r.Context(), "extend session", "err", err)
		return
	}
	if !res.bearer {
		if c, err := r.Cookie(SessionCookie); err == nil {
			s.setSessionCookie(w, c.Value, fresh)
		}
	}
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/",
		Expires: expires, MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// LoginFailure describes a failed sign-in for the sign-in page.
type LoginFailure struct {
	Status   int    // 401, or 429 when rate-limited
	Message  string // in the request language
	Username string // as typed, to refill the form
	Next     string // the sanitised return path
}

// loginResponse is the JSON answer to a successful sign-in.
type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      apiUser   `json:"user"`
}

// login handles POST /login (form fields username, password, next). A
// browser gets the cookie and a redirect to next; a client that sends
// "Accept: application/json" also gets the token in the body, for use as a
// bearer token.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, apperr.Wrap(err, apperr.Invalid, "api.err.bad_form"))
		return
	}
	username := strings.ToLower(strings.TrimSpace(r.PostForm.Get("username")))
	password := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	key := username + "|" + s.clientIP(r)
	now := s.now()

	if !s.limiter.Allow(key, now) {
		s.record(r, audit.Event{Action: audit.SignInFailed, Actor: username, Outcome: audit.Failed, Detail: "rate limited"})
		s.loginFailed(w, r, http.StatusTooManyRequests, "api.err.too_many_attempts", username, next)
		return
	}
	u, err := s.store.UserByUsername(r.Context(), username)
	switch {
	case apperr.Is(err, apperr.NotFound):
		// Spend the same work as for a real account, so response time does
		// not tell which usernames exist.
		_ = s.hasher.Verify(r.Context(), s.dummyHash, password)
		s.limiter.Fail(key, now)
		s.record(r, audit.Event{Action: audit.SignInFailed, Actor: username, Outcome: audit.Failed, Detail: "unknown account"})
		s.loginFailed(w, r, http.StatusUnauthorized, "api.err.login_failed", username, next)
		return
	case err != nil:
		s.writeError(w, r, err)
		return
	}
	pol := s.accountPolicies.At(now)
	verr := s.hasher.Verify(r.Context(), u.PasswordHash, password)
	if verr != nil && !errors.Is(verr, auth.ErrMismatch) {
		// A malformed stored hash or a cancelled request, not a wrong
		// password; still a failure for the client.
		s.log.WarnContext(r.Context(), "verify password", "user_id", u.ID, "err", verr)
	}
	fail := func(reason, key string, count bool) {
		s.limiter.Fail(key, now)
		s.record(r, audit.Event{Action: audit.SignInFailed, ActorID: u.ID, Actor: username, Outcome: audit.Failed, Detail: reason})
		if count {
			locked, err := s.store.RecordLoginFailure(r.Context(), u.ID, now, pol.Lockout.MaxFailures, pol.LockoutDuration())
			if err != nil {
				s.log.ErrorContext(r.Context(), "record login failure", "user_id", u.ID, "err", err)
			} else if locked {
				s.record(r, audit.Event{Action: audit.Locked, ActorID: u.ID, Actor: username, Outcome: audit.Refused,
					Detail: fmt.Sprintf("%d failures; locked for %s", pol.Lockout.MaxFailures, pol.LockoutDuration())})
			}
		}
	}
	switch {
	case u.LockedUntil.After(now):
		// Locked per account in the database, so every server instance
		// refuses it, whatever the password.
		s.limiter.Fail(key, now)
		s.record(r, audit.Event{Action: audit.SignInFailed, ActorID: u.ID, Actor: username, Outcome: audit.Failed, Detail: "account locked"})
		s.loginFailedArgs(w, r, http.StatusUnauthorized, "api.err.account_locked", username, next, int(u.LockedUntil.Sub(now).Minutes())+1)
		return
	case verr != nil:
		fail("wrong password", key, true)
		s.loginFailed(w, r, http.StatusUnauthorized, "api.err.login_failed", username, next)
		return
	case u.Disabled:
		fail("account disabled", key, false)
		s.loginFailed(w, r, http.StatusUnauthorized, "api.err.login_failed", username, next)
		return
	}
	if pol.NeedsSecondFactor(u.Role) || u.TOTPSecret != "" {
		otp := r.PostForm.Get("otp")
		switch {
		case u.TOTPSecret == "":
			fail("second factor not enrolled", key, false)
			s.loginFailed(w, r, http.StatusUnauthorized, "api.err.totp_not_enrolled", username, next)
			return
		case otp == "":
			s.loginFailed(w, r, http.StatusUnauthorized, "api.err.totp_required", username, next)
			return
		case !auth.VerifyTOTP(u.TOTPSecret, otp, now):
			fail("wrong second factor", key, true)
			s.loginFailed(w, r, http.StatusUnauthorized, "api.err.totp_failed", username, next)
			return
		}
	}
	s.limiter.Reset(key)
	token, expires, err := s.startSignedIn(w, r, u, SignInOptions{Via: "password"})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, loginResponse{Token: token, ExpiresAt: expires.UTC(), User: toAPIUser(u)})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// SignInOptions describe how a user signed in.
type SignInOptions struct {
	Via       string // "password" or "sso:<provider>", for the audit trail
	LogoutURL string // the provider's end-session URL for a single sign-on
}

// SignIn completes a sign-in a module has authenticated (single sign-on):
// the same session, cookie, lockout reset, audit record and "previous
// sign-in" note as a password sign-in. The caller redirects.
func (s *Server) SignIn(w http.ResponseWriter, r *http.Request, u auth.User, o SignInOptions) error {
	if u.Disabled {
		s.record(r, audit.Event{Action: audit.SignInFailed, ActorID: u.ID, Actor: u.Username, Outcome: audit.Failed, Detail: o.Via + ": account disabled"})
		return apperr.New(apperr.Unauthorized, "api.err.login_failed")
	}
	_, _, err := s.startSignedIn(w, r, u, o)
	return err
}

// Record writes an event to the audit trail with the request's user and
// client address, for modules.
func (s *Server) Record(r *http.Request, e audit.Event) { s.record(r, e) }

func (s *Server) startSignedIn(w http.ResponseWriter, r *http.Request, u auth.User, o SignInOptions) (string, time.Time, error) {
	now := s.now()
	// A new token on every sign-in; the old one, if any, is ended, so a
	// token planted before sign-in never becomes a signed-in session.
	if res := infoFrom(r.Context()); res != nil {
		if old := res.resolve(); old.tokenHash != "" {
			_ = s.store.DeleteSession(r.Context(), old.tokenHash)
		}
	}
	token, expires, err := s.newSession(r.Context(), u.ID, o.LogoutURL)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := s.store.RecordLogin(r.Context(), u.ID, now, s.clientIP(r)); err != nil {
		s.log.ErrorContext(r.Context(), "record login", "user_id", u.ID, "err", err)
	}
	s.setSessionCookie(w, token, expires)
	s.log.InfoContext(r.Context(), "signed in", "user_id", u.ID, "via", o.Via)
	detail := ""
	if o.Via != "password" {
		detail = o.Via
	}
	s.record(r, audit.Event{Action: audit.SignIn, ActorID: u.ID, Actor: u.Username, Detail: detail})
	// Sign-ins are rare next to page views, which makes them a cheap moment
	// to sweep expired sessions without a background job.
	if n, err := s.store.DeleteExpiredSessions(r.Context()); err != nil {
		s.log.WarnContext(r.Context(), "delete expired sessions", "err", err)
	} else if n > 0 {
		s.log.DebugContext(r.Context(), "deleted expired sessions", "count", n)
	}
	return token, expires, nil
}

// loginFailed answers a failed sign-in: JSON for API clients, otherwise
// the sign-in form again.
func (s *Server) loginFailed(w http.ResponseWriter, r *http.Request, status int, key, username, next string) {
	s.loginFailedArgs(w, r, status, key, username, next)
}

// loginFailedArgs is loginFailed with arguments for the message.
func (s *Server) loginFailedArgs(w http.ResponseWriter, r *http.Request, status int, key, username, next string, args ...any) {
	msg := s.message(Lang(r), key, args...)
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "900")
	}
	if wantsJSON(r) {
		code := apperr.Unauthorized
		if status == http.StatusTooManyRequests {
			code = codeRateLimited
		}
		writeJSON(w, status, apiErrorEnvelope{Error: apiError{Code: string(code), Message: msg}})
		return
	}
	s.renderLogin(w, r, LoginFailure{Status: status, Message: msg, Username: username, Next: next})
}

// logout handles POST /logout: the session ends in the store, not just in
// the browser, so a copied cookie stops working too.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	var logoutURL string
	if info := infoFrom(r.Context()); info != nil {
		if res := info.resolve(); res.tokenHash != "" {
			var err error
			if logoutURL, err = s.store.EndSession(r.Context(), res.tokenHash); err != nil {
				s.writeError(w, r, err)
				return
			}
			if res.ok {
				s.record(r, audit.Event{Action: audit.SignOut, ActorID: res.user.ID, Actor: res.user.Username})
			}
		}
	}
	s.clearSessionCookie(w)
	if wantsJSON(r) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// A single sign-on session also ends at the provider, which then
	// returns the browser to the sign-in page.
	if logoutURL != "" {
		http.Redirect(w, r, logoutURL, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext returns next if it is a path on this site, else "/". Only
// rooted relative references pass: "//host" and "/\host" are
// protocol-relative to browsers, and anything with a scheme or host could
// send a freshly signed-in user to another site.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if strings.ContainsAny(next, "\r\n\t\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// loginLimits configure the failed sign-in limiter.
type loginLimits struct {
	MaxFailures int           // failures allowed per key within Window
	Window      time.Duration // how long failures are remembered
	MaxKeys     int           // bound on remembered keys, so a flood of names cannot grow memory
}

// loginLimiter counts failed sign-ins per username and client address in a
// fixed window. It is in memory and per process: it slows guessing down,
// it is not an account lockout.
type loginLimiter struct {
	lim  loginLimits
	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	n     int
	start time.Time
}

func newLoginLimiter(l loginLimits) *loginLimiter {
	return &loginLimiter{lim: l, keys: map[string]*failures{}}
}

// Allow reports whether key may try to sign in now.
func (l *loginLimiter) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.keys[key]
	if !ok {
		return true
	}
	if now.Sub(f.start) >= l.lim.Window {
		delete(l.keys, key)
		return true
	}
	return f.n < l.lim.MaxFailures
}

// Fail records a failed attempt.
func (l *loginLimiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.keys[key]; ok && now.Sub(f.start) < l.lim.Window {
		f.n++
		return
	}
	if len(l.keys) >= l.lim.MaxKeys {
		l.evict(now)
	}
	l.keys[key] = &failures{n: 1, start: now}
}

// evict drops expired windows and, if the map is still full, the oldest
// one. It runs only when the map is full, so its linear scan is rare.
func (l *loginLimiter) evict(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, f := range l.keys {
		if now.Sub(f.start) >= l.lim.Window {
			delete(l.keys, k)
			continue
		}
		if oldestKey == "" || f.start.Before(oldest) {
			oldestKey, oldest = k, f.start
		}
	}
	if len(l.keys) >= l.lim.MaxKeys && oldestKey != "" {
		delete(l.keys, oldestKey)
	}
}

// Reset forgets a key's failures after a successful sign-in.
func (l *loginLimiter) Reset(key string) {
	l.mu.Lock()
	delete(l.keys, key)
	l.mu.Unlock()
}

// Len returns the number of remembered keys.
func (l *loginLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}
