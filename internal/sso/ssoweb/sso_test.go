package ssoweb_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/sso"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// The tests run a real OpenID provider in the test process: zitadel/oidc's
// example OP (authorization endpoint with its login form, token endpoint
// with PKCE, JWKS, userinfo, end_session), listening on 127.0.0.1, with a
// user store of synthetic people and firms whose extra claims (entity
// type, credit code, district, role) it asserts through userinfo.

// idpUser is a synthetic user of the test provider.
type idpUser struct {
	storage.User
	claims map[string]any
}

type idpUsers map[string]*idpUser // by ID

func (u idpUsers) GetUserByID(id string) *storage.User {
	if x, ok := u[id]; ok {
		return &x.User
	}
	return nil
}

func (u idpUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return &x.User
		}
	}
	return nil
}

func (u idpUsers) ExampleClientID() string { return storage.ServiceUserID }

// idpStorage adds the users' extra claims to what the example storage
// asserts.
type idpStorage struct {
	*storage.Storage
	users idpUsers
}

func (s idpStorage) SetUserinfoFromScopes(ctx context.Context, ui *oidc.UserInfo, userID, clientID string, scopes []string) error {
	if err := s.Storage.SetUserinfoFromScopes(ctx, ui, userID, clientID, scopes); err != nil {
		return err
	}
	s.add(ui, userID)
	return nil
}

func (s idpStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	s.add(ui, ui.Subject)
	return nil
}

func (s idpStorage) add(ui *oidc.UserInfo, userID string) {
	if u, ok := s.users[userID]; ok {
		for k, v := range u.claims {
			ui.AppendClaims(k, v)
		}
	}
}

var clientSeq atomic.Int64

// provider starts an OP whose issuer is the URL it listens on (or
// claimedIssuer, to test a provider that is not who it says) and
// registers a client for ibrain. The client registry is package-global in
// the example, so each test gets its own client id.
func provider(t *testing.T, users idpUsers, claimedIssuer string) (issuer, clientID string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer = "http://" + ln.Addr().String() + "/"
	if claimedIssuer == "" {
		claimedIssuer = issuer
	}
	clientID = fmt.Sprintf("ibrain-%d", clientSeq.Add(1))
	storage.RegisterClients(storage.WebClient(clientID, "secret", "http://ibrain.test/sso/gov/callback"))
	st := idpStorage{Storage: storage.NewStorage(users), users: users}
	// nil logger: SetupServer would otherwise replace the process's
	// default logger.
	srv := httptest.NewUnstartedServer(exampleop.SetupServer(claimedIssuer, st, nil, false))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer, clientID
}

func users(firmCode string) idpUsers {
	return idpUsers{
		"p-1001": {User: storage.User{ID: "p-1001", Username: "lihua", Password: "idp-pass", FirstName: "华", LastName: "李"},
			claims: map[string]any{"entity_type": "person", "district": "500101", "ibrain_role": "district-officer", "name": "李华"}},
		"l-2001": {User: storage.User{ID: "l-2001", Username: "firm-legal", Password: "idp-pass", FirstName: "汽车", LastName: "万州"},
			claims: map[string]any{"entity_type": "legal", "uscc": firmCode, "name": "万州汽车"}},
		"p-1002": {User: storage.User{ID: "p-1002", Username: "zhangwei", Password: "idp-pass", FirstName: "伟", LastName: "张"},
			claims: map[string]any{"entity_type": "person", "name": "张伟"}},
	}
}

func config(issuer, clientID, first string) sso.Config {
	return sso.Config{BaseURL: "http://ibrain.test", Providers: []sso.Provider{{
		ID: "gov", LabelZH: "政务服务网", LabelEN: "Gov portal", Issuer: issuer, ClientID: clientID, ClientSecret: "secret",
		Scopes: []string{"profile"}, OnFirstSignIn: first, DefaultRole: auth.RoleEnterprise,
		RoleClaim: "ibrain_role", RoleMap: map[string]auth.Role{"district-officer": auth.RoleDistrict},
		Claims: sso.ClaimNames{Name: "name", EntityType: "entity_type", LegalValues: []string{"legal"}, CreditCode: "uscc", District: "district"},
	}}}
}

// browser drives a sign-in as a browser would: ibrain's handler for
// http://ibrain.test, the real OP over HTTP for the rest.
type browser struct {
	t      *testing.T
	env    *webtest.Env
	client *http.Client
	jar    *cookiejar.Jar
}

func newBrowser(t *testing.T, env *webtest.Env) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, env: env, jar: jar}
	b.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return b
}

// get fetches u: from ibrain's handler when its host is ibrain.test.
func (b *browser) get(u string) *http.Response {
	b.t.Helper()
	pu, _ := url.Parse(u)
	if pu.Host == "ibrain.test" || pu.Host == "" {
		pu.Scheme, pu.Host = "http", "ibrain.test"
		req := httptest.NewRequest("GET", pu.String(), nil)
		for _, c := range b.jar.Cookies(pu) {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		b.env.H.ServeHTTP(rec, req)
		res := rec.Result()
		b.jar.SetCookies(pu, res.Cookies())
		return res
	}
	res, err := b.client.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

var idField = regexp.MustCompile(`name="id" value="([^"]+)"`)

// authorize follows ibrain's start redirect to the OP, signs in there and
// returns the callback URL the OP sends the browser to.
func (b *browser) authorize(user string) string { return b.authorizeRewriting(user, nil) }

// authorizeRewriting is authorize with the authorization request changed
// by rewrite on its way to the OP.
func (b *browser) authorizeRewriting(user string, rewrite func(string) string) string {
	b.t.Helper()
	res := b.get("/sso/gov?next=/enterprises")
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("start: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	if rewrite != nil {
		loc = rewrite(loc)
	}
	for _, want := range []string{"code_challenge_method=S256", "code_challenge=", "nonce=", "state="} {
		if !strings.Contains(loc, want) {
			b.t.Errorf("authorize URL lacks %s: %s", want, loc)
		}
	}
	for i := 0; i < 5 && !strings.Contains(loc, "/login/username"); i++ {
		res = b.get(resolve(loc, res))
		loc = res.Header.Get("Location")
	}
	page := b.get(resolve(loc, res))
	body, _ := io.ReadAll(page.Body)
	m := idField.FindSubmatch(body)
	if m == nil {
		b.t.Fatalf("no login form at %s: %.300s", loc, body)
	}
	login := resolve(loc, res)
	form := url.Values{"username": {user}, "password": {"idp-pass"}, "id": {string(m[1])}}
	res, err := b.client.PostForm(login, form)
	if err != nil {
		b.t.Fatal(err)
	}
	loc = res.Header.Get("Location")
	for i := 0; i < 5 && !strings.HasPrefix(loc, "http://ibrain.test/"); i++ {
		res = b.get(resolve(loc, res))
		loc = res.Header.Get("Location")
	}
	if !strings.HasPrefix(loc, "http://ibrain.test/sso/gov/callback?") {
		b.t.Fatalf("OP did not return to the callback: %q", loc)
	}
	return loc
}

func resolve(loc string, res *http.Response) string {
	if res.Request == nil { // from ibrain's handler: its redirects are absolute or ours
		return loc
	}
	u, err := res.Request.URL.Parse(loc)
	if err != nil {
		return loc
	}
	return u.String()
}

func (b *browser) me() string {
	res := b.get("/api/v1/me")
	body, _ := io.ReadAll(res.Body)
	return fmt.Sprintf("%d %s", res.StatusCode, body)
}

func envWith(t *testing.T, cfg sso.Config) *webtest.Env {
	return webtest.NewWith(t, "sqlite:"+t.TempDir()+"/ib.db", app.Options{SSO: cfg})
}

// TestSSOFirstSignInLinkingAndRoles: a person signs in for the first
// time and gets an account with the mapped role and the district the
// claims carry; a legal entity gets an enterprise account on the firm
// registered under its credit code; the second sign-in finds the same
// account; an identity an administrator linked signs in to the linked
// account; sign-out ends the local session and sends the browser to the
// provider's end_session_endpoint.
func TestSSOFirstSignInLinkingAndRoles(t *testing.T) {
	firmCode := webtest.CreditCode(t, "500101", 1)
	issuer, client := provider(t, users(firmCode), "")
	env := envWith(t, config(issuer, client, sso.Create))

	// The sign-in page has a button per provider.
	_, page := env.Do(webtest.Scenario{URL: "/login"})
	if !strings.Contains(page, "政务服务网") || !strings.Contains(page, `href="/sso/gov?next=%2F"`) {
		t.Errorf("no provider button on the sign-in page")
	}

	b := newBrowser(t, env)
	res := b.get(b.authorize("lihua"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/enterprises" {
		t.Fatalf("callback: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	me := b.me()
	if !strings.HasPrefix(me, "200 ") || !strings.Contains(me, `"role":"district"`) || !strings.Contains(me, `"region_code":"500101"`) || !strings.Contains(me, "李华") {
		t.Errorf("first sign-in of a person: %s", me)
	}

	firm := newBrowser(t, env)
	firm.get(firm.authorize("firm-legal"))
	if me := firm.me(); !strings.Contains(me, `"role":"enterprise"`) || !strings.Contains(me, fmt.Sprintf(`"enterprise_id":%d`, env.IDs[webtest.EntWanzhouAuto])) {
		t.Errorf("first sign-in of a legal entity: %s", me)
	}

	// The second sign-in finds the same account.
	again := newBrowser(t, env)
	again.get(again.authorize("lihua"))
	id := func(me string) string { return regexp.MustCompile(`"id":(\d+)`).FindStringSubmatch(me)[1] }
	if id(again.me()) != id(me) {
		t.Errorf("second sign-in: another account %s vs %s", again.me(), me)
	}

	// An identity linked by an administrator signs in to that account.
	if err := env.Store.LinkIdentity(context.Background(), issuer, "p-1002", env.Users["analyst"]); err != nil {
		t.Fatal(err)
	}
	linked := newBrowser(t, env)
	linked.get(linked.authorize("zhangwei"))
	if me := linked.me(); !strings.Contains(me, `"username":"analyst"`) {
		t.Errorf("linked identity: %s", me)
	}

	// Sign-out: the local session ends and the browser goes to the OP.
	req := httptest.NewRequest("POST", "http://ibrain.test/logout", nil)
	for _, c := range b.jar.Cookies(&url.URL{Scheme: "http", Host: "ibrain.test", Path: "/"}) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	env.H.ServeHTTP(rec, req)
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, issuer) || !strings.Contains(loc, "id_token_hint=") {
		t.Errorf("sign-out: %d %q, want a redirect to the provider's end_session_endpoint", rec.Code, loc)
	}
	if me := b.me(); !strings.HasPrefix(me, "401") {
		t.Errorf("after sign-out: %s", me)
	}
	if res, err := b.client.Get(loc); err != nil || res.StatusCode >= 500 {
		t.Errorf("provider's end_session: %v %v", res, err)
	}
}

// TestSSORefusals: a callback with another state, a code whose ID token
// carries another nonce, a provider whose discovery names another issuer,
// and an unknown identity under on_first_sign_in=refuse are all refused
// and recorded; no session is created.
func TestSSORefusals(t *testing.T) {
	issuer, client := provider(t, users("X"), "")
	env := envWith(t, config(issuer, client, sso.Refuse))

	t.Run("refuse unknown identity", func(t *testing.T) {
		b := newBrowser(t, env)
		res := b.get(b.authorize("lihua"))
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("unknown identity under refuse: %d", res.StatusCode)
		}
		if me := b.me(); !strings.HasPrefix(me, "401") {
			t.Errorf("signed in: %s", me)
		}
	})
	if err := env.Store.LinkIdentity(context.Background(), issuer, "p-1001", env.Users["wanzhou"]); err != nil {
		t.Fatal(err)
	}
	t.Run("state mismatch", func(t *testing.T) {
		b := newBrowser(t, env)
		cb := b.authorize("lihua")
		cb = regexp.MustCompile(`state=[^&]+`).ReplaceAllString(cb, "state=forged")
		if res := b.get(cb); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("forged state: %d", res.StatusCode)
		}
	})
	t.Run("callback without a flow", func(t *testing.T) {
		b := newBrowser(t, env)
		cb := b.authorize("lihua")
		// Another browser (no flow cookie) presents the code: login CSRF.
		other := newBrowser(t, env)
		if res := other.get(cb); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("foreign callback: %d", res.StatusCode)
		}
	})
	t.Run("nonce mismatch", func(t *testing.T) {
		// A code obtained with this flow's PKCE challenge but another
		// nonce (an injected authorization response): the exchange
		// succeeds, the ID token's nonce is not this flow's.
		b := newBrowser(t, env)
		cb := b.authorizeRewriting("lihua", func(u string) string {
			return regexp.MustCompile(`nonce=[^&]+`).ReplaceAllString(u, "nonce=injected")
		})
		if res := b.get(cb); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("ID token with another nonce: %d", res.StatusCode)
		}
		if me := b.me(); !strings.HasPrefix(me, "401") {
			t.Errorf("signed in: %s", me)
		}
	})
	t.Run("code replayed in another flow", func(t *testing.T) {
		// Browser A's code in browser B's flow: PKCE fails the exchange.
		a, bb := newBrowser(t, env), newBrowser(t, env)
		cbA := a.authorize("lihua")
		cbB := bb.authorize("lihua")
		stateB := regexp.MustCompile(`state=([^&]+)`).FindStringSubmatch(cbB)[1]
		forged := regexp.MustCompile(`state=[^&]+`).ReplaceAllString(cbA, "state="+stateB)
		if res := bb.get(forged); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("replayed code: %d", res.StatusCode)
		}
	})
	t.Run("good flow", func(t *testing.T) {
		b := newBrowser(t, env)
		if res := b.get(b.authorize("lihua")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("linked identity: %d", res.StatusCode)
		}
		if me := b.me(); !strings.Contains(me, `"username":"wanzhou"`) {
			t.Errorf("linked identity: %s", me)
		}
	})
	_, body := env.Do(webtest.Scenario{URL: "/api/v1/audit/events?action=auth.sign_in_failed", User: "auditor"})
	for _, want := range []string{"sso:gov: no account", "sso:gov: state mismatch", "sso:gov: no sign-in in progress", "sso:gov: nonce mismatch", "sso:gov: code exchange"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit trail lacks %q", want)
		}
	}
}

// TestSSOWrongIssuer: a provider whose discovery document names another
// issuer than the configured one is not used.
func TestSSOWrongIssuer(t *testing.T) {
	issuer, client := provider(t, users("X"), "http://impostor.invalid/")
	env := envWith(t, config(issuer, client, sso.Create))
	b := newBrowser(t, env)
	res := b.get("/sso/gov")
	if res.StatusCode < 400 || strings.Contains(res.Header.Get("Location"), "impostor") {
		t.Errorf("provider with another issuer: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var _ = web.SessionCookie
}
