package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func loginForm(username, password, next string) string {
	return url.Values{"username": {username}, "password": {password}, "next": {next}}.Encode()
}

const formType = "application/x-www-form-urlencoded"

func TestLoginScenarios(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		env.run(t, []scenario{
			{name: "success redirects to next with a session cookie", method: "POST", url: "/login", contentType: formType,
				body: loginForm("admin", fixturePassword, "/enterprises?region=500101"), wantStatus: 303,
				wantHeader: map[string]string{"Location": "/enterprises?region=500101", "Set-Cookie": SessionCookie + "="}},
			{name: "username is case-insensitive", method: "POST", url: "/login", contentType: formType,
				body: loginForm("  Analyst ", fixturePassword, ""), wantStatus: 303, wantHeader: map[string]string{"Location": "/"}},
			{name: "wrong password is 401 with the form error", method: "POST", url: "/login", contentType: formType,
				body: loginForm("admin", "wrong", "/"), wantStatus: 401, wantContains: []string{"用户名或密码错误"}},
			{name: "unknown user is the same 401", method: "POST", url: "/login", contentType: formType,
				body: loginForm("nobody", "wrong", "/"), wantStatus: 401, wantContains: []string{"用户名或密码错误"}},
			{name: "disabled user cannot sign in", method: "POST", url: "/login", contentType: formType,
				body: loginForm("gone", fixturePassword, "/"), wantStatus: 401},
			{name: "JSON client gets the token", method: "POST", url: "/login", contentType: formType,
				headers: map[string]string{"Accept": "application/json"},
				body:    loginForm("wanzhou", fixturePassword, ""), wantStatus: 200,
				wantContains: []string{`"token":"`, `"expires_at"`, `"role":"district"`}},
			{name: "JSON client failure is JSON 401", method: "POST", url: "/login", contentType: formType,
				headers: map[string]string{"Accept": "application/json", "Accept-Language": "en-US,en;q=0.9"},
				body:    loginForm("wanzhou", "nope", ""), wantStatus: 401,
				wantContains: []string{`"code":"unauthorized"`, "Wrong username or password"}},
			{name: "offsite next is dropped", method: "POST", url: "/login", contentType: formType,
				body: loginForm("admin", fixturePassword, "//evil.example/x"), wantStatus: 303, wantHeader: map[string]string{"Location": "/"}},

			// Cross-origin protection covers every unsafe request.
			{name: "cross-site login is rejected", method: "POST", url: "/login", contentType: formType,
				headers: map[string]string{"Sec-Fetch-Site": "cross-site"},
				body:    loginForm("admin", fixturePassword, "/"), wantStatus: 403, wantNotContains: []string{"token"}},
			{name: "cross-site logout is rejected", method: "POST", url: "/logout", user: "admin",
				headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403},
			{name: "cross-origin API import is rejected as JSON", method: "POST", url: "/api/v1/imports/reports", user: "admin",
				headers: map[string]string{"Origin": "https://evil.example"}, wantStatus: 403, wantContains: []string{`"code":"forbidden"`}},
			{name: "same-origin form post passes", method: "POST", url: "/login", contentType: formType,
				headers: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"},
				body:    loginForm("admin", fixturePassword, "/"), wantStatus: 303},
			{name: "cross-site GET is allowed (safe method)", url: "/api/v1/me", user: "admin",
				headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 200},
		})
	})
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprint("secure=", secure), func(t *testing.T) {
			env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db", func(d *Deps) { d.SecureCookies = secure })
			res, _ := env.do(scenario{method: "POST", url: "/login", contentType: formType, body: loginForm("admin", fixturePassword, "/")})
			var c *http.Cookie
			for _, x := range res.Cookies() {
				if x.Name == SessionCookie {
					c = x
				}
			}
			if c == nil {
				t.Fatal("no session cookie")
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Path != "/" {
				t.Errorf("cookie = %+v", c)
			}
			if c.MaxAge < int((11 * time.Hour).Seconds()) {
				t.Errorf("MaxAge = %d, want about 12 h", c.MaxAge)
			}
			// 32 random bytes, base64url without padding.
			if len(c.Value) != 43 || strings.ContainsAny(c.Value, "+/=") {
				t.Errorf("token %q is not 32 bytes of base64url", c.Value)
			}
			// The database keeps only the hash.
			if _, err := env.store.SessionUser(t.Context(), c.Value); err == nil {
				t.Error("the raw token works as a stored key")
			}
			if u, err := env.store.SessionUser(t.Context(), hashToken(c.Value)); err != nil || u.Username != "admin" {
				t.Errorf("stored session: %+v, %v", u, err)
			}
		})
	}
}

func TestLogoutEndsSession(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	if res, _ := env.do(scenario{url: "/api/v1/me", user: "admin"}); res.StatusCode != 200 {
		t.Fatalf("before logout: %d", res.StatusCode)
	}
	res, _ := env.do(scenario{method: "POST", url: "/logout", user: "admin"})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/login" {
		t.Errorf("logout: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	cleared := false
	for _, c := range res.Cookies() {
		if c.Name == SessionCookie && c.MaxAge < 0 {
			cleared = true
		}
	}
	if !cleared {
		t.Error("logout did not clear the cookie")
	}
	// The same token, replayed, no longer works.
	if res, _ := env.do(scenario{url: "/api/v1/me", user: "admin"}); res.StatusCode != 401 {
		t.Errorf("after logout: %d, want 401", res.StatusCode)
	}
}

func TestBearerLoginRoundTrip(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	res, body := env.do(scenario{method: "POST", url: "/login", contentType: formType,
		headers: map[string]string{"Accept": "application/json"}, body: loginForm("firm", fixturePassword, "")})
	if res.StatusCode != 200 {
		t.Fatalf("login: %d %s", res.StatusCode, body)
	}
	var lr loginResponse
	if err := json.Unmarshal([]byte(body), &lr); err != nil {
		t.Fatal(err)
	}
	_, me := env.do(scenario{url: "/api/v1/me", headers: map[string]string{"Authorization": "Bearer " + lr.Token}})
	if !strings.Contains(me, `"username":"firm"`) {
		t.Errorf("bearer /me = %s", me)
	}
	// A bearer header wins over a cookie: a bad bearer is not rescued by a
	// good cookie.
	res, _ = env.do(scenario{url: "/api/v1/me", user: "admin", headers: map[string]string{"Authorization": "Bearer nonsense"}})
	if res.StatusCode != 401 {
		t.Errorf("bad bearer with good cookie: %d, want 401", res.StatusCode)
	}
	res, _ = env.do(scenario{url: "/api/v1/me", headers: map[string]string{"Authorization": "Basic YWRtaW46eA=="}})
	if res.StatusCode != 401 {
		t.Errorf("basic auth: %d, want 401", res.StatusCode)
	}
}

func TestLoginRateLimit(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	fail := scenario{method: "POST", url: "/login", contentType: formType, body: loginForm("analyst", "wrong", "/")}
	for i := 0; i < 5; i++ {
		if res, _ := env.do(fail); res.StatusCode != 401 {
			t.Fatalf("attempt %d: %d, want 401", i+1, res.StatusCode)
		}
	}
	// Even the right password is refused while the key is blocked.
	res, body := env.do(scenario{method: "POST", url: "/login", contentType: formType, body: loginForm("analyst", fixturePassword, "/")})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("6th attempt: %d (Retry-After %q), want 429: %.200s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	// Another user from the same address is not blocked.
	if res, _ := env.do(scenario{method: "POST", url: "/login", contentType: formType, body: loginForm("admin", fixturePassword, "/")}); res.StatusCode != 303 {
		t.Errorf("other user: %d, want 303", res.StatusCode)
	}
	// The window passes.
	env.srv.now = func() time.Time { return time.Now().Add(16 * time.Minute) }
	if res, _ := env.do(scenario{method: "POST", url: "/login", contentType: formType, body: loginForm("analyst", fixturePassword, "/")}); res.StatusCode != 303 {
		t.Errorf("after the window: %d, want 303", res.StatusCode)
	}
}

func TestLoginLimiterIsBounded(t *testing.T) {
	l := newLoginLimiter(loginLimits{MaxFailures: 2, Window: time.Minute, MaxKeys: 3})
	t0 := time.Unix(1000, 0)
	for i := 0; i < 10; i++ {
		l.Fail(fmt.Sprint("k", i), t0.Add(time.Duration(i)*time.Second))
	}
	if l.Len() > 3 {
		t.Errorf("limiter holds %d keys, bound is 3", l.Len())
	}
	// The newest keys survive eviction, the oldest go.
	l.Fail("k9", t0.Add(10*time.Second))
	if l.Allow("k9", t0.Add(11*time.Second)) {
		t.Error("k9 has two failures and should be blocked")
	}
	if !l.Allow("k0", t0.Add(11*time.Second)) {
		t.Error("k0 was evicted and should be allowed")
	}
	if !l.Allow("k9", t0.Add(2*time.Minute)) {
		t.Error("window passed; k9 should be allowed")
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/",
		"/":                    "/",
		"/enterprises?q=汽车":    "/enterprises?q=汽车",
		"/districts/500101":    "/districts/500101",
		"//evil.example":       "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"javascript:alert(1)":  "/",
		"evil.example/x":       "/",
		"/ok\r\nSet-Cookie:x":  "/",
		"/%2F%2Fevil.example":  "/%2F%2Fevil.example",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlidingSession(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	tok := env.token("analyst")
	// Fresh: no renewal.
	res, _ := env.do(scenario{url: "/api/v1/me", user: "analyst"})
	for _, c := range res.Cookies() {
		if c.Name == SessionCookie {
			t.Errorf("fresh session renewed: %+v", c)
		}
	}
	// An hour later the session is extended and the cookie renewed.
	env.srv.now = func() time.Time { return time.Now().Add(time.Hour) }
	res, _ = env.do(scenario{url: "/api/v1/me", user: "analyst"})
	renewed := false
	for _, c := range res.Cookies() {
		if c.Name == SessionCookie && c.Value == tok {
			renewed = true
		}
	}
	if !renewed {
		t.Error("session cookie not renewed after an hour")
	}
	sess, err := env.store.Session(t.Context(), hashToken(tok))
	if err != nil || sess.ExpiresAt.Before(time.Now().Add(12*time.Hour+30*time.Minute)) {
		t.Errorf("stored expiry %v, want about 13 h from now", sess.ExpiresAt)
	}
}

func TestLanguage(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	env.run(t, []scenario{
		{name: "default is Chinese", url: "/api/v1/me", wantStatus: 401, wantContains: []string{"请先登录"}},
		{name: "Accept-Language English", url: "/api/v1/me", headers: map[string]string{"Accept-Language": "en-GB,en;q=0.8"},
			wantStatus: 401, wantContains: []string{"Please sign in"}},
		{name: "?lang wins and sets the cookie", url: "/api/v1/me?lang=en", headers: map[string]string{"Accept-Language": "zh-CN"},
			wantStatus: 401, wantContains: []string{"Please sign in"}, wantHeader: map[string]string{"Set-Cookie": "lang=en"}},
		{name: "cookie beats Accept-Language", url: "/api/v1/me", headers: map[string]string{"Cookie": "lang=en", "Accept-Language": "zh-CN"},
			wantStatus: 401, wantContains: []string{"Please sign in"}},
		{name: "unknown language falls back to Chinese", url: "/api/v1/me?lang=fr", wantStatus: 401, wantContains: []string{"请先登录"}},
	})
}
