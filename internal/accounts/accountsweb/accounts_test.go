package accountsweb_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestSecurityAdministratorPages (issue 8): the security administrator
// unlocks a locked-out account, ends an account's sessions, disables and
// re-enables an account, and reads the account policy, on the web; each
// change takes effect at once and is in the audit trail; the other
// administrators and the business roles are refused; bad requests change
// nothing.
func TestSecurityAdministratorPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		id := func(u string) string { return strconv.FormatInt(env.Users[u], 10) }
		users := "/api/v1/security/users/"
		// The analyst is locked out (one failure at a limit of one) and
		// has a session.
		if _, err := env.Store.RecordLoginFailure(ctx, env.Users["analyst"], time.Now(), 1, time.Hour); err != nil {
			t.Fatal(err)
		}
		env.Run(t, []webtest.Scenario{
			// The administrators land on their duty's page; "/" used to
			// send them back to "/" (a redirect loop).
			{Name: "the security administrator's home", URL: "/", User: "secadmin", WantStatus: 303, WantHeader: map[string]string{"Location": "/security/users"}},
			{Name: "the audit administrator's home", URL: "/", User: "auditor", WantStatus: 303, WantHeader: map[string]string{"Location": "/audit"}},
			{Name: "the system administrator's home", URL: "/", User: "sysadmin", WantStatus: 303, WantHeader: map[string]string{"Location": "/admin/accounts"}},
			{Name: "the analyst has a session", URL: "/api/v1/me", User: "analyst", WantStatus: 200},
			{Name: "the accounts page", URL: "/security/users", User: "secadmin", WantStatus: 200,
				WantContains: []string{`id="accounts-table"`, `data-account="analyst"`, "status-locked", "status-disabled", `data-account-action="unlock"`}},
			{Name: "the list", URL: "/api/v1/security/users", User: "secadmin", WantStatus: 200,
				WantContains: []string{`"username":"analyst"`, `"locked":true`, `"username":"gone"`, `"disabled":true`}, WantNotContains: []string{"password", "totp_secret", "$argon2"}},
			{Name: "the policy page", URL: "/security/policy", User: "secadmin", WantStatus: 200, WantContains: []string{`id="policy-facts"`}},
			{Name: "the policy", URL: "/api/v1/security/policy", User: "secadmin", WantStatus: 200, WantContains: []string{`"in_force"`, `"max_failures"`}},
			{Name: "unlock", Method: "POST", URL: users + id("analyst") + "/unlock", User: "secadmin", ContentType: "application/json", Body: "{}",
				WantStatus: 200, WantContains: []string{`"locked":false`, `"failed_logins":0`}},
			{Name: "end the analyst's sessions", Method: "POST", URL: users + id("analyst") + "/end-sessions", User: "secadmin", ContentType: "application/json", Body: "{}",
				WantStatus: 200, WantContains: []string{`"sessions":0`}},
			{Name: "the ended session is gone", URL: "/api/v1/me", User: "analyst", WantStatus: 401},
			{Name: "the district officer has a session", URL: "/api/v1/me", User: "wanzhou", WantStatus: 200},
			{Name: "disable", Method: "POST", URL: users + id("wanzhou") + "/disable", User: "secadmin", ContentType: "application/json", Body: "{}",
				WantStatus: 200, WantContains: []string{`"disabled":true`, `"sessions":0`}},
			{Name: "the disabled account's session ended at once", URL: "/api/v1/me", User: "wanzhou", WantStatus: 401},
			{Name: "enable", Method: "POST", URL: users + id("wanzhou") + "/enable", User: "secadmin", ContentType: "application/json", Body: "{}",
				WantStatus: 200, WantContains: []string{`"disabled":false`}},
			{Name: "no disabling oneself", Method: "POST", URL: users + id("secadmin") + "/disable", User: "secadmin", ContentType: "application/json", Body: "{}",
				WantStatus: 400, WantContains: []string{"不能停用自己的账号"}},
			{Name: "no such account", Method: "POST", URL: users + "999999/unlock", User: "secadmin", ContentType: "application/json", Body: "{}", WantStatus: 404},
			{Name: "the system administrator is refused", URL: "/api/v1/security/users", User: "sysadmin", WantStatus: 403},
			{Name: "the audit administrator is refused", Method: "POST", URL: users + id("admin") + "/disable", User: "auditor", ContentType: "application/json", Body: "{}", WantStatus: 403},
			{Name: "the city administrator is refused", URL: "/security/users", User: "admin", WantStatus: 403},
			// Each change is an account change in the audit trail, with its
			// target; the refused one is a refusal.
			{Name: "the audit trail has them", URL: "/api/v1/audit/events?action=account.change", User: "auditor", WantStatus: 200,
				WantContains: []string{"/api/v1/security/users/" + id("analyst") + "/unlock", "/api/v1/security/users/" + id("wanzhou") + "/disable",
					"/api/v1/security/users/" + id("wanzhou") + "/enable", "/api/v1/security/users/" + id("analyst") + "/end-sessions", `"actor":"secadmin"`}},
		})
		if u, err := env.Store.UserByID(ctx, env.Users["admin"]); err != nil || u.Disabled {
			t.Errorf("a refused disable changed the account: %+v, %v", u.Disabled, err)
		}
		if u, err := env.Store.UserByID(ctx, env.Users["secadmin"]); err != nil || u.Disabled {
			t.Errorf("disabling oneself changed the account: %+v, %v", u.Disabled, err)
		}
	})
}
