package web_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// trail returns the stored events as "action actor outcome ip target" lines.
func trail(t *testing.T, env *webtest.Env) []string {
	t.Helper()
	events, err := env.Store.AuditEvents(context.Background(), audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		out = append(out, strings.Join([]string{string(e.Action), e.Actor, e.Outcome, e.IP, e.Target}, " "))
	}
	return out
}

func hasLine(lines []string, prefix string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// TestAuditRecordsSecurityEvents: sign-in (with the username tried on
// failure), sign-out, a refused route and an export each leave a record
// in the trail, and the trail verifies.
func TestAuditRecordsSecurityEvents(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			{Name: "failed sign-in", Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("nosuchuser", "x", "/"), WantStatus: 401},
			{Name: "wrong password", Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("analyst", "x", "/"), WantStatus: 401},
			{Name: "sign-in", Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("analyst", webtest.FixturePassword, "/"), WantStatus: 303},
			{Name: "refused", URL: "/api/v1/scoreboard", User: "firm", WantStatus: 403},
			{Name: "export", URL: "/api/v1/enterprises.csv", User: "admin", WantStatus: 200},
			{Name: "sign-out", Method: "POST", URL: "/logout", User: "wanzhou", WantStatus: 303},
		})
		lines := trail(t, env)
		for _, want := range []string{
			"auth.sign_in_failed nosuchuser failed 192.0.2.1",
			"auth.sign_in_failed analyst failed 192.0.2.1",
			"auth.sign_in analyst ok 192.0.2.1",
			"access.denied firm denied 192.0.2.1 GET /api/v1/scoreboard",
			"data.export admin ok 192.0.2.1 /api/v1/enterprises.csv",
			"auth.sign_out wanzhou ok",
		} {
			if !hasLine(lines, want) {
				t.Errorf("no record %q in %q", want, lines)
			}
		}
		rep, err := audit.NewService(env.Store, audit.Options{}).Verify(context.Background())
		if err != nil || !rep.OK() {
			t.Errorf("verify: %v %+v", err, rep)
		}
	})
}

// TestAuditClientIPFromTrustedProxyOnly: the configured header is
// believed only from a trusted proxy; a client elsewhere cannot choose
// the address its records are filed under.
func TestAuditClientIPFromTrustedProxyOnly(t *testing.T) {
	env := webtest.SQLite(t, func(d *web.Deps) {
		d.ClientIP = web.ClientIP{Header: "X-Forwarded-For", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	})
	spoof := map[string]string{"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
	// webtest sends from 192.0.2.1, which is not a trusted proxy.
	env.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("spoofer", "x", "/"), Headers: spoof})
	lines := trail(t, env)
	if !hasLine(lines, "auth.sign_in_failed spoofer failed 192.0.2.1") {
		t.Errorf("untrusted peer's header believed: %q", lines)
	}
	env2 := webtest.SQLite(t, func(d *web.Deps) {
		d.ClientIP = web.ClientIP{Header: "X-Forwarded-For", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}
	})
	env2.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: formType, Body: loginForm("proxied", "x", "/"), Headers: spoof})
	// The proxy appends what it saw; the entry before it is the client's claim.
	if lines := trail(t, env2); !hasLine(lines, "auth.sign_in_failed proxied failed 198.51.100.7") {
		t.Errorf("trusted proxy's header not used: %q", lines)
	}
}
