package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func loginForm(username, password, next string) string {
	return url.Values{"username": {username}, "password": {password}, "next": {next}}.Encode()
}

const formType = "application/x-www-form-urlencoded"

func TestLoginScenarios(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			{Name: "success redirects to next with a session cookie", Method: "POST", URL: "/login", ContentType: formType,
				Body: loginForm("admin", webtest.FixturePassword, "/enterprises?region=500101"), WantStatus: 303,
				WantHeader: map[string]string{"Location": "/enterprises?region=500101", "Set-Cookie": web.SessionCookie + "="}},
			{Name: "username is case-insensitive", Method: "POST", URL: "/login", ContentType: formType,
				Body: loginForm("  Analyst ", webtest.FixturePassword, ""), WantStatus: 303, WantHeader: map[string]string{"Location": "/"}},
			{Name: "wrong password is 401 with the form error", Method: "POST", URL: "/login", ContentType: formType,
				Body: loginForm("admin", "wrong", "/"), WantStatus: 401, WantContains: []string{"用户名或密码错误"}},
			{Name: "unknown user is the same 401", Method: "POST", URL: "/login", ContentType: formType,
				Body: loginForm("nobody", "wrong", "/"), WantStatus: 401, WantContains: []string{"用户名或密码错误"}},
			{Name: "disabled user cannot sign in", Method: "POST", URL: "/login", ContentType: formType,
				Body: loginForm("gone", webtest.FixturePassword, "/"), WantStatus: 401},
			{Name: "JSON client gets the token", Method: "POST", URL: "/login", ContentType: formType,
				Headers: map[string]string{"Accept": "application/json"},
				Body:    loginForm("wanzhou", webtest.FixturePassword, ""), WantStatus: 200,
				WantContains: []string{`"token":"`, `"expires_at"`, `"role":"district"`}},
			{Name: "JSON client failure is JSON 401", Method: "POST", URL: "/login", ContentType: formType,
				Headers: map[string]string{"Accept": "application/json", "Accept-Language": "en-US,en;q=0.9"},
				Body:    loginForm("wanzhou", "nope", ""), WantStatus: 401,
				WantContains: []string{`"code":"unauthorized"`, "Wrong username or password"}},
			{Name: "offsite next is dropped", Method: "POST", URL: "/login", ContentType: formType,
				Body: loginForm("admin", webtest.FixturePassword, "//evil.example/x"), WantStatus: 303, WantHeader: map[string]string{"Location": "/"}},

			// Cross-origin protection covers every unsafe request.
			{Name: "cross-site login is rejected", Method: "POST", URL: "/login", ContentType: formType,
				Headers: map[string]string{"Sec-Fetch-Site": "cross-site"},
				Body:    loginForm("admin", webtest.FixturePassword, "/"), WantStatus: 403, WantNotContains: []string{"token"}},
			{Name: "cross-site logout is rejected", Method: "POST", URL: "/logout", User: "admin",
				Headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, WantStatus: 403},
			{Name: "cross-origin API import is rejected as JSON", Method: "POST", URL: "/api/v1/imports/reports", User: "admin",
				Headers: map[string]string{"Origin": "https://evil.example"}, WantStatus: 403, WantContains: []string{`"code":"forbidden"`}},
			{Name: "same-origin form post passes", Method: "POST", URL: "/login", ContentType: formType,
				Headers: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"},
				Body:    loginForm("admin", webtest.FixturePassword, "/"), WantStatus: 303},
			{Name: "cross-site GET is allowed (safe method)", URL: "/api/v1/me", User: "admin",
				Headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, WantStatus: 200},
		})
	})
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprint("secure=", secure), func(t *testing.T) {
			env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db", func(d *web.Deps) { d.SecureCookies = secure })
			res, _ := env.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("admin", webtest.FixturePassword, "/")})
			var c *http.Cookie
			for _, x := range res.Cookies() {
				if x.Name == web.SessionCookie {
					c = x
				}
			}
			if c == nil {
				t.Fatal("no session cookie")
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != secure || c.Path != "/" {
				t.Errorf("cookie = %+v", c)
			}
			// The idle timeout of the account policy (30 minutes).
			if c.MaxAge < int((29*time.Minute).Seconds()) || c.MaxAge > int((30*time.Minute).Seconds()) {
				t.Errorf("MaxAge = %d, want the 30-minute idle timeout", c.MaxAge)
			}
			// 32 random bytes, base64url without padding.
			if len(c.Value) != 43 || strings.ContainsAny(c.Value, "+/=") {
				t.Errorf("token %q is not 32 bytes of base64url", c.Value)
			}
			// The database keeps only the hash.
			if _, err := env.Store.SessionUser(t.Context(), c.Value); err == nil {
				t.Error("the raw token works as a stored key")
			}
			if u, err := env.Store.SessionUser(t.Context(), web.HashToken(c.Value)); err != nil || u.Username != "admin" {
				t.Errorf("stored session: %+v, %v", u, err)
			}
		})
	}
}

func TestLogoutEndsSession(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	if res, _ := env.Do(webtest.Scenario{URL: "/api/v1/me", User: "admin"}); res.StatusCode != 200 {
		t.Fatalf("before logout: %d", res.StatusCode)
	}
	res, _ := env.Do(webtest.Scenario{Method: "POST", URL: "/logout", User: "admin"})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/login" {
		t.Errorf("logout: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	cleared := false
	for _, c := range res.Cookies() {
		if c.Name == web.SessionCookie && c.MaxAge < 0 {
			cleared = true
		}
	}
	if !cleared {
		t.Error("logout did not clear the cookie")
	}
	// The same token, replayed, no longer works.
	if res, _ := env.Do(webtest.Scenario{URL: "/api/v1/me", User: "admin"}); res.StatusCode != 401 {
		t.Errorf("after logout: %d, want 401", res.StatusCode)
	}
}

func TestBearerLoginRoundTrip(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	res, body := env.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType,
		Headers: map[string]string{"Accept": "application/json"}, Body: loginForm("firm", webtest.FixturePassword, "")})
	if res.StatusCode != 200 {
		t.Fatalf("login: %d %s", res.StatusCode, body)
	}
	var lr web.LoginResponse
	if err := json.Unmarshal([]byte(body), &lr); err != nil {
		t.Fatal(err)
	}
	_, me := env.Do(webtest.Scenario{URL: "/api/v1/me", Headers: map[string]string{"Authorization": "Bearer " + lr.Token}})
	if !strings.Contains(me, `"username":"firm"`) {
		t.Errorf("bearer /me = %s", me)
	}
	// A bearer header wins over a cookie: a bad bearer is not rescued by a
	// good cookie.
	res, _ = env.Do(webtest.Scenario{URL: "/api/v1/me", User: "admin", Headers: map[string]string{"Authorization": "Bearer nonsense"}})
	if res.StatusCode != 401 {
		t.Errorf("bad bearer with good cookie: %d, want 401", res.StatusCode)
	}
	res, _ = env.Do(webtest.Scenario{URL: "/api/v1/me", Headers: map[string]string{"Authorization": "Basic YWRtaW46eA=="}})
	if res.StatusCode != 401 {
		t.Errorf("basic auth: %d, want 401", res.StatusCode)
	}
}

func TestLoginRateLimit(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	fail := webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("analyst", "wrong", "/")}
	for i := 0; i < 5; i++ {
		if res, _ := env.Do(fail); res.StatusCode != 401 {
			t.Fatalf("attempt %d: %d, want 401", i+1, res.StatusCode)
		}
	}
	// Even the right password is refused while the key is blocked.
	res, body := env.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("analyst", webtest.FixturePassword, "/")})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("6th attempt: %d (Retry-After %q), want 429: %.200s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	// Another user from the same address is not blocked.
	if res, _ := env.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("admin", webtest.FixturePassword, "/")}); res.StatusCode != 303 {
		t.Errorf("other User: %d, want 303", res.StatusCode)
	}
	// The limiter's window (15 minutes) and the account's lockout (30
	// minutes, after the fifth failure) pass.
	web.SetNow(env.Srv, func() time.Time { return time.Now().Add(31 * time.Minute) })
	if res, _ := env.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("analyst", webtest.FixturePassword, "/")}); res.StatusCode != 303 {
		t.Errorf("after the window: %d, want 303", res.StatusCode)
	}
}

func TestLoginLimiterIsBounded(t *testing.T) {
	l := web.NewLoginLimiter(web.LoginLimits{MaxFailures: 2, Window: time.Minute, MaxKeys: 3})
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
		if got := web.SafeNext(in); got != want {
			t.Errorf("web.SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlidingSession(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	start := time.Now()
	tok := env.Token("analyst")
	// Fresh: no renewal.
	res, _ := env.Do(webtest.Scenario{URL: "/api/v1/me", User: "analyst"})
	for _, c := range res.Cookies() {
		if c.Name == web.SessionCookie {
			t.Errorf("fresh session renewed: %+v", c)
		}
	}
	// Ten minutes later the idle expiry moves and the cookie is renewed.
	web.SetNow(env.Srv, func() time.Time { return start.Add(10 * time.Minute) })
	res, _ = env.Do(webtest.Scenario{URL: "/api/v1/me", User: "analyst"})
	renewed := false
	for _, c := range res.Cookies() {
		if c.Name == web.SessionCookie && c.Value == tok {
			renewed = true
		}
	}
	if !renewed {
		t.Error("session cookie not renewed after ten minutes")
	}
	sess, err := env.Store.Session(t.Context(), web.HashToken(tok))
	if err != nil || sess.ExpiresAt.Before(start.Add(39*time.Minute)) || sess.ExpiresAt.After(start.Add(41*time.Minute)) {
		t.Errorf("stored expiry %v, want about 40 min after the start", sess.ExpiresAt)
	}
}

// TestSessionIdleAndAbsoluteLimits: a session ends after 30 minutes
// without a request, and after 12 hours however active (account policy).
func TestSessionIdleAndAbsoluteLimits(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	start := time.Now()
	env.Token("analyst")
	env.Token("wanzhou")
	at := func(d time.Duration) { web.SetNow(env.Srv, func() time.Time { return start.Add(d) }) }
	status := func(user string) int {
		res, _ := env.Do(webtest.Scenario{URL: "/api/v1/me", User: user})
		return res.StatusCode
	}
	at(29 * time.Minute)
	if got := status("analyst"); got != 200 {
		t.Fatalf("after 29 idle minutes: %d, want 200", got)
	}
	// wanzhou has been idle 31 minutes.
	at(31 * time.Minute)
	if got := status("wanzhou"); got != 401 {
		t.Errorf("after 31 idle minutes: %d, want 401", got)
	}
	// analyst stays active every 20 minutes until the absolute end.
	for d := 49 * time.Minute; d < 12*time.Hour; d += 20 * time.Minute {
		at(d)
		if got := status("analyst"); got != 200 {
			t.Fatalf("active at %v: %d, want 200", d, got)
		}
	}
	at(12*time.Hour + time.Minute)
	if got := status("analyst"); got != 401 {
		t.Errorf("after the 12-hour absolute lifetime: %d, want 401", got)
	}
}

func TestLanguage(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	env.Run(t, []webtest.Scenario{
		{Name: "default is Chinese", URL: "/api/v1/me", WantStatus: 401, WantContains: []string{"请先登录"}},
		{Name: "Accept-Language English", URL: "/api/v1/me", Headers: map[string]string{"Accept-Language": "en-GB,en;q=0.8"},
			WantStatus: 401, WantContains: []string{"Please sign in"}},
		{Name: "?lang wins and sets the cookie", URL: "/api/v1/me?lang=en", Headers: map[string]string{"Accept-Language": "zh-CN"},
			WantStatus: 401, WantContains: []string{"Please sign in"}, WantHeader: map[string]string{"Set-Cookie": "lang=en"}},
		{Name: "cookie beats Accept-Language", URL: "/api/v1/me", Headers: map[string]string{"Cookie": "lang=en", "Accept-Language": "zh-CN"},
			WantStatus: 401, WantContains: []string{"Please sign in"}},
		{Name: "unknown language falls back to Chinese", URL: "/api/v1/me?lang=fr", WantStatus: 401, WantContains: []string{"请先登录"}},
	})
}
