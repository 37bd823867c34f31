package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// secondServer boots another server instance on the database of dsn, with
// its own store connections, as a second process behind a load balancer
// would be.
func secondServer(t *testing.T, dsn string, now func() time.Time) http.Handler {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := web.New(web.Deps{Store: st, Hasher: auth.NewHasher(auth.TestParams, 2), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

func postLogin(h http.Handler, username, password string) int {
	req := httptest.NewRequest("POST", "/login", strings.NewReader(loginForm(username, password, "/")))
	req.Header.Set("Content-Type", formType)
	req.RemoteAddr = "198.51.100.20:5555"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// TestLockoutIsPerAccountAcrossInstances: failures spread over two server
// instances on one database add up; the fifth locks the account on both,
// even with the right password and from another address; after the
// 30-minute lockout the right password works again. The in-memory
// limiter alone could not do this: each instance has its own.
func TestLockoutIsPerAccountAcrossInstances(t *testing.T) {
	for name, mkDSN := range webtest.EngineDSNs(t) {
		t.Run(name, func(t *testing.T) {
			dsn := mkDSN(t)
			start := time.Now()
			clock := start
			now := func() time.Time { return clock }
			env := webtest.New(t, dsn, func(d *web.Deps) { d.Now = now })
			a, b := env.H, secondServer(t, dsn, now)
			for i, h := range []http.Handler{a, b, a, b} {
				if got := postLogin(h, "analyst", "wrong"); got != 401 {
					t.Fatalf("failure %d: %d", i+1, got)
				}
			}
			// Four failures do not lock.
			if got := postLogin(b, "analyst", webtest.FixturePassword); got != 303 {
				t.Fatalf("after four failures the right password: %d, want 303", got)
			}
			// A success resets the count: five more are needed.
			for i, h := range []http.Handler{a, b, a, b, a} {
				if got := postLogin(h, "analyst", "wrong"); got != 401 {
					t.Fatalf("failure %d: %d", i+1, got)
				}
			}
			if got := postLogin(b, "analyst", webtest.FixturePassword); got != 401 {
				t.Errorf("locked account, other instance, right password: %d, want 401", got)
			}
			// Another account is not affected.
			if got := postLogin(b, "wanzhou", webtest.FixturePassword); got != 303 {
				t.Errorf("other account: %d, want 303", got)
			}
			clock = start.Add(29 * time.Minute)
			if got := postLogin(a, "analyst", webtest.FixturePassword); got != 401 {
				t.Errorf("after 29 minutes: %d, want 401", got)
			}
			clock = start.Add(31 * time.Minute)
			if got := postLogin(b, "analyst", webtest.FixturePassword); got != 303 {
				t.Errorf("after the lockout: %d, want 303", got)
			}
			lines := trail(t, env)
			if !hasLine(lines, "auth.locked analyst denied") {
				t.Errorf("no lockout record in %q", lines)
			}
		})
	}
}

// TestSecondFactorForAdministrators: an administrator without an enrolled
// TOTP secret cannot sign in; with one, the password alone is not enough,
// a wrong code fails, and the current code signs in.
func TestSecondFactorForAdministrators(t *testing.T) {
	clock := time.Now()
	env := webtest.SQLite(t, func(d *web.Deps) { d.Now = func() time.Time { return clock } })
	form := func(user, otp string) webtest.Scenario {
		return webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Headers: map[string]string{"Accept": "application/json"},
			Body: loginForm(user, webtest.FixturePassword, "/") + "&otp=" + otp}
	}
	res, body := env.Do(form("auditor", ""))
	if res.StatusCode != 401 || !strings.Contains(body, "动态口令") {
		t.Errorf("administrator without TOTP: %d %s", res.StatusCode, body)
	}
	secret := auth.NewTOTPSecret()
	if err := env.Store.SetTOTPSecret(context.Background(), env.Users["auditor"], secret); err != nil {
		t.Fatal(err)
	}
	if res, _ := env.Do(form("auditor", "")); res.StatusCode != 401 {
		t.Errorf("password alone: %d, want 401", res.StatusCode)
	}
	code, _ := auth.TOTPCode(secret, clock)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if res, _ := env.Do(form("auditor", wrong)); res.StatusCode != 401 {
		t.Errorf("wrong code: %d, want 401", res.StatusCode)
	}
	res, body = env.Do(form("auditor", code))
	if res.StatusCode != 200 {
		t.Fatalf("right code: %d %s", res.StatusCode, body)
	}
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Token == "" {
		t.Errorf("no token: %s", body)
	}
	// A business account without a secret needs no code.
	if res, _ := env.Do(form("analyst", "")); res.StatusCode != 200 {
		t.Errorf("analyst: %d, want 200", res.StatusCode)
	}
}

// TestConcurrentSessionLimit: the fourth sign-in of an account ends its
// oldest session (limit 3), and disabling an account ends all of its
// sessions at once.
func TestConcurrentSessionLimit(t *testing.T) {
	start := time.Now()
	clock := start
	env := webtest.SQLite(t, func(d *web.Deps) { d.Now = func() time.Time { return clock } })
	var toks []string
	for i := range 4 {
		clock = start.Add(time.Duration(i) * time.Second)
		tok, _, err := env.Srv.NewSession(context.Background(), env.Users["analyst"])
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	me := func(tok string) int {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		env.H.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := me(toks[0]); got != 401 {
		t.Errorf("oldest session: %d, want 401", got)
	}
	for _, tok := range toks[1:] {
		if got := me(tok); got != 200 {
			t.Errorf("newer session: %d, want 200", got)
		}
	}
	if err := env.Store.DisableUser(context.Background(), env.Users["analyst"]); err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks[1:] {
		if got := me(tok); got != 401 {
			t.Errorf("session of a disabled account: %d, want 401", got)
		}
	}
	if err := env.Store.EnableUser(context.Background(), env.Users["analyst"]); err != nil {
		t.Fatal(err)
	}
	if got := me(toks[3]); got != 401 {
		t.Errorf("re-enabling revived a session: %d", got)
	}
	if res, _ := env.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("analyst", webtest.FixturePassword, "/")}); res.StatusCode != 303 {
		t.Errorf("re-enabled account cannot sign in: %d", res.StatusCode)
	}
}

// TestForcedPasswordChange: after an administrator's reset the user can
// reach only the account page until the password is changed; the new
// password must satisfy the policy and differ from the recent ones; the
// account page and /api/v1/me show the previous sign-in.
func TestForcedPasswordChange(t *testing.T) {
	env := webtest.SQLite(t)
	ctx := context.Background()
	h := auth.NewHasher(auth.TestParams, 1)
	const reset = "Reset-Pass-2026"
	hash, _ := h.Hash(ctx, reset)
	if err := env.Store.SetPassword(ctx, env.Users["analyst"], hash); err != nil {
		t.Fatal(err)
	}
	login := func(pw string) string {
		res, body := env.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Headers: map[string]string{"Accept": "application/json"},
			Body: loginForm("analyst", pw, "/")})
		var out struct{ Token string }
		if res.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil {
			t.Fatalf("login: %d %s", res.StatusCode, body)
		}
		return out.Token
	}
	tok := login(reset)
	do := func(method, url, body string) (int, string, string) {
		req := httptest.NewRequest(method, url, strings.NewReader(body))
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
		if body != "" {
			req.Header.Set("Content-Type", formType)
		}
		rec := httptest.NewRecorder()
		env.H.ServeHTTP(rec, req)
		return rec.Code, rec.Header().Get("Location"), rec.Body.String()
	}
	if code, loc, _ := do("GET", "/enterprises", ""); code != 303 || loc != "/account" {
		t.Errorf("page before the change: %d %s, want a redirect to /account", code, loc)
	}
	if code, _, body := do("GET", "/api/v1/enterprises", ""); code != 401 || !strings.Contains(body, "修改密码") {
		t.Errorf("API before the change: %d %s", code, body)
	}
	if code, _, body := do("GET", "/api/v1/me", ""); code != 200 || !strings.Contains(body, `"must_change_password":true`) {
		t.Errorf("me: %d %s", code, body)
	}
	change := func(cur, next string) (int, string) {
		code, _, body := do("POST", "/account/password", "current="+cur+"&new="+next+"&confirm="+next)
		return code, body
	}
	for _, c := range []struct{ cur, next, want string }{
		{"wrong", "Brand-New-Pass-42", "当前密码错误"},
		{reset, "short1A", "至少需要 12 个字符"},
		{reset, "alllowercaseletters", "至少需要包含 3 类字符"},
		{reset, reset, "最近 5 次"},
	} {
		if code, body := change(c.cur, c.next); code != 422 || !strings.Contains(body, c.want) {
			t.Errorf("change %q→%q: %d, want 422 with %q", c.cur, c.next, code, c.want)
		}
	}
	if code, body := change(reset, "Brand-New-Pass-42"); code != 200 || !strings.Contains(body, "密码已修改") {
		t.Fatalf("valid change: %d", code)
	}
	if code, _, _ := do("GET", "/api/v1/enterprises", ""); code != 200 {
		t.Errorf("API after the change: %d", code)
	}
	tok = login("Brand-New-Pass-42")
	code, _, body := do("GET", "/api/v1/me", "")
	if code != 200 || !strings.Contains(body, `"previous_sign_in":{`) || !strings.Contains(body, `"ip":"192.0.2.1"`) {
		t.Errorf("me after a second sign-in: %d %s", code, body)
	}
	if _, _, page := do("GET", "/account", ""); !strings.Contains(page, "192.0.2.1") {
		t.Error("the account page does not show the previous sign-in")
	}
}
