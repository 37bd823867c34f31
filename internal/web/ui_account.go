package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
)

// The account page (/account): the previous sign-in's time and place, the
// second factor's state, and the password change the account policy may
// demand before anything else (a reset or generated password, or an
// expired one).

type accountPage struct {
	basePage
	PrevAt, PrevIP string
	TOTP           bool
	MustChange     bool
	Error, Done    string
	Rules          string
}

// mustChangePassword reports whether u must change the password before
// using the platform.
func (s *Server) mustChangePassword(u auth.User) bool {
	if u.External() {
		return false
	}
	return u.MustChangePassword || s.accountPolicies.At(s.now()).PasswordExpired(u.PasswordChangedAt, s.now())
}

// passwordGateOpen are the paths a user who must change the password may
// still reach.
func passwordGateOpen(path string) bool {
	return path == "/account" || path == "/account/password" || path == "/api/v1/me" || path == "/logout" ||
		path == "/help" || strings.HasPrefix(path, "/help/")
}

func (u *ui) accountPage(w http.ResponseWriter, r *http.Request, c Ctx) error {
	return u.renderAccount(w, r, c, http.StatusOK, "", "")
}

func (u *ui) renderAccount(w http.ResponseWriter, r *http.Request, c Ctx, status int, errMsg, done string) error {
	pc := pageCtx{lang: c.Lang, user: c.User}
	p := accountPage{basePage: u.base(r, pc, "account.title", ""), TOTP: c.User.TOTPSecret != "", Error: errMsg, Done: done}
	// authenticate drops the secret from the request's user; ask the store.
	if full, err := u.s.store.UserByID(r.Context(), c.User.ID); err == nil {
		p.TOTP = full.TOTPSecret != ""
		p.MustChange = u.s.mustChangePassword(full)
	}
	if !c.User.LastLoginAt.IsZero() {
		p.PrevAt, p.PrevIP = c.User.LastLoginAt.Local().Format("2006-01-02 15:04:05"), c.User.LastLoginIP
	}
	pol := u.s.accountPolicies.At(u.s.now())
	p.Rules = u.s.message(c.Lang, "account.rules", pol.Password.MinLength, pol.Password.MinClasses, pol.Password.History)
	u.render(w, r, status, c.Lang, "account.html", p)
	return nil
}

// changePassword handles POST /account/password (form fields current,
// new, confirm): the current password, then the policy's length and
// class rules, then no reuse of the last N passwords.
func (u *ui) changePassword(w http.ResponseWriter, r *http.Request, c Ctx) error {
	s := u.s
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "api.err.bad_form")
	}
	cur, next, confirm := r.PostForm.Get("current"), r.PostForm.Get("new"), r.PostForm.Get("confirm")
	full, err := s.store.UserByID(r.Context(), c.User.ID)
	if err != nil {
		return err
	}
	fail := func(key string, args ...any) error {
		return u.renderAccount(w, r, c, http.StatusUnprocessableEntity, s.message(c.Lang, key, args...), "")
	}
	if err := s.hasher.Verify(r.Context(), full.PasswordHash, cur); err != nil {
		s.record(r, audit.Event{Action: audit.AccountChange, Target: full.Username, Outcome: audit.Failed, Detail: "password change: wrong current password"})
		return fail("account.err.current")
	}
	if next != confirm {
		return fail("account.err.confirm")
	}
	pol := s.accountPolicies.At(s.now())
	var pe *auth.PasswordError
	if err := pol.CheckPassword(full.Username, next); errors.As(err, &pe) {
		return fail(pe.Key, pe.Args...)
	}
	hist, err := s.store.PasswordHistory(r.Context(), full.ID, max(pol.Password.History, 1))
	if err != nil {
		return err
	}
	for _, h := range hist {
		if s.hasher.Verify(r.Context(), h, next) == nil {
			return fail("err.password_reused", pol.Password.History)
		}
	}
	hash, err := s.hasher.Hash(r.Context(), next)
	if err != nil {
		return err
	}
	keep := ""
	if info := infoFrom(r.Context()); info != nil {
		keep = info.resolve().tokenHash
	}
	if err := s.store.ChangeOwnPassword(r.Context(), full.ID, hash, keep); err != nil {
		return err
	}
	s.record(r, audit.Event{Action: audit.AccountChange, Target: full.Username, Detail: "password changed by the user"})
	c.User.MustChangePassword = false
	return u.renderAccount(w, r, c, http.StatusOK, "", s.message(c.Lang, "account.changed"))
}
