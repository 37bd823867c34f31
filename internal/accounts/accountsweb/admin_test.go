package accountsweb_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestSystemAdministratorAccounts (issue 8, 三权分立): the system
// administrator creates accounts (the generated password works only
// through a forced change) and changes an account's role and scope (the
// account sees the new scope); administrator roles are given only with
// a new account; bad input is refused and changes nothing; the security
// and audit administrators are refused these routes and the system
// administrator the security administrator's; every action is in the
// audit trail.
func TestSystemAdministratorAccounts(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		id := func(u string) string { return strconv.FormatInt(env.Users[u], 10) }
		const admin = "/api/v1/admin/users"
		role := func(u string) string { return admin + "/" + id(u) + "/role" }
		post := func(name, url, user, body string, status int, want ...string) webtest.Scenario {
			return webtest.Scenario{Name: name, Method: "POST", URL: url, User: user, ContentType: "application/json", Body: body, WantStatus: status, WantContains: want}
		}
		before, err := env.Store.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		yzCredit := webtest.CreditCode(t, "500103", 3)

		// Refusals and bad input first: none may change anything.
		env.Run(t, []webtest.Scenario{
			{Name: "the page", URL: "/admin/accounts", User: "sysadmin", WantStatus: 200,
				WantContains: []string{`id="admin-accounts-table"`, `data-account="wanzhou"`, `id="account-create"`, `id="account-role"`, `href="/admin/accounts"`}},
			{Name: "the help", URL: "/help/security", User: "sysadmin", WantStatus: 200, WantContains: []string{"/admin/accounts"}},
			{Name: "the system administrator's menu has no account controls", URL: "/admin/accounts", User: "sysadmin", WantStatus: 200,
				WantNotContains: []string{`href="/security/users"`, `href="/security/policy"`}},
			{Name: "the list", URL: admin, User: "sysadmin", WantStatus: 200,
				WantContains: []string{`"username":"wanzhou"`, `"region_code":"500101"`, `"department":"市统计局"`}, WantNotContains: []string{"password", "$argon2", "totp"}},
			{Name: "the security administrator is refused the page", URL: "/admin/accounts", User: "secadmin", WantStatus: 403},
			{Name: "the audit administrator is refused the list", URL: admin, User: "auditor", WantStatus: 403},
			post("the security administrator cannot create accounts", admin, "secadmin", `{"username":"sneaky","role":"city_admin"}`, 403),
			post("the security administrator cannot change roles", role("analyst"), "secadmin", `{"role":"city_admin"}`, 403),
			post("the audit administrator cannot create accounts", admin, "auditor", `{"username":"sneaky","role":"city_admin"}`, 403),
			post("the audit administrator cannot change roles", role("analyst"), "auditor", `{"role":"city_admin"}`, 403),
			post("the city administrator cannot create accounts", admin, "admin", `{"username":"sneaky","role":"city_admin"}`, 403),
			post("the system administrator cannot unlock", "/api/v1/security/users/"+id("analyst")+"/unlock", "sysadmin", `{}`, 403),
			post("the system administrator cannot disable", "/api/v1/security/users/"+id("analyst")+"/disable", "sysadmin", `{}`, 403),
			post("the system administrator cannot end sessions", "/api/v1/security/users/"+id("analyst")+"/end-sessions", "sysadmin", `{}`, 403),
			post("unknown role", admin, "sysadmin", `{"username":"newbie","role":"superuser"}`, 400, "未知的角色"),
			post("duplicate username", admin, "sysadmin", `{"username":"wanzhou","role":"district","region_code":"500101"}`, 409),
			post("bad username", admin, "sysadmin", `{"username":"A B","role":"city_analyst"}`, 400),
			post("district without a region", admin, "sysadmin", `{"username":"newbie","role":"district"}`, 400, "须填写数据范围"),
			post("a region for a city-wide role", admin, "sysadmin", `{"username":"newbie","role":"city_analyst","region_code":"500101"}`, 400, "不适用于角色"),
			post("a firm for a district role", admin, "sysadmin", `{"username":"newbie","role":"district","region_code":"500101","credit_code":"`+yzCredit+`"}`, 400, "不适用于角色"),
			post("unknown region", admin, "sysadmin", `{"username":"newbie","role":"district","region_code":"999999"}`, 400, "未知的区县"),
			post("unknown credit code", admin, "sysadmin", `{"username":"newbie","role":"enterprise","credit_code":"91500000000000000X"}`, 400, "没有统一社会信用代码"),
			post("unknown department", admin, "sysadmin", `{"username":"newbie","role":"department","department":"不存在的部门"}`, 400, "没有部门"),
			post("unknown field", admin, "sysadmin", `{"username":"newbie","role":"city_analyst","password":"Chosen-By-Admin-1"}`, 400),
			post("change to an unknown role", role("analyst"), "sysadmin", `{"role":"superuser"}`, 400),
			post("change to a district without a region", role("analyst"), "sysadmin", `{"role":"district"}`, 400),
			post("no such account", admin+"/999999/role", "sysadmin", `{"role":"city_analyst"}`, 404),
			// 三权分立: an existing account never takes, leaves or swaps an
			// administrator's duty, and no one changes their own role.
			post("no administrator role for an existing account", role("analyst"), "sysadmin", `{"role":"secadmin"}`, 409, "三权分立"),
			post("no auditor role for an existing account", role("wanzhou"), "sysadmin", `{"role":"auditadmin"}`, 409),
			post("no swapping administrator duties", role("secadmin"), "sysadmin", `{"role":"auditadmin"}`, 409),
			post("no demoting an administrator", role("auditor"), "sysadmin", `{"role":"city_admin"}`, 409),
			post("not one's own role", role("sysadmin"), "sysadmin", `{"role":"secadmin"}`, 400),
		})
		after, err := env.Store.ListUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Fatalf("refused requests created accounts: %d, was %d", len(after), len(before))
		}
		for i := range before {
			b, a := before[i], after[i]
			if a.Username != b.Username || a.Role != b.Role || a.RegionCode != b.RegionCode || a.EnterpriseID != b.EnterpriseID || a.Department != b.Department || a.Disabled != b.Disabled {
				t.Errorf("refused requests changed %s: %+v → %+v", b.Username, b, a)
			}
		}

		// Create a district officer of 渝中: the password is generated,
		// shown once, and must be changed before anything else.
		res, body := env.Do(webtest.Scenario{Method: "POST", URL: admin, User: "sysadmin", ContentType: "application/json",
			Body: `{"username":"yz.officer","display_name":"渝中经信","role":"district","region_code":"500103"}`})
		var created struct {
			Account  struct{ ID int64 }
			Password string
		}
		if res.StatusCode != 201 || json.Unmarshal([]byte(body), &created) != nil || created.Password == "" {
			t.Fatalf("create: %d %s", res.StatusCode, body)
		}
		u, err := env.Store.UserByUsername(ctx, "yz.officer")
		if err != nil || u.ID != created.Account.ID || u.Role != auth.RoleDistrict || u.RegionCode != "500103" || !u.MustChangePassword {
			t.Fatalf("created account: %+v, %v", u, err)
		}
		if strings.Contains(u.PasswordHash, created.Password) {
			t.Fatal("the password is stored in clear")
		}
		tok := signIn(t, env, "yz.officer", created.Password)
		do := func(method, url, ctype, body string) (int, string) {
			req := httptest.NewRequest(method, env.Expand(url), strings.NewReader(body))
			req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			rec := httptest.NewRecorder()
			env.H.ServeHTTP(rec, req)
			return rec.Code, rec.Body.String()
		}
		if code, body := do("GET", "/api/v1/enterprises/{yz-elec}", "", ""); code != 401 || !strings.Contains(body, "修改密码") {
			t.Errorf("before the forced change: %d %.200s", code, body)
		}
		const chosen = "Own-Choice-Pass-2026"
		form := url.Values{"current": {created.Password}, "new": {chosen}, "confirm": {chosen}}.Encode()
		if code, body := do("POST", "/account/password", "application/x-www-form-urlencoded", form); code != 200 {
			t.Fatalf("forced change: %d %.200s", code, body)
		}
		if code, _ := do("GET", "/api/v1/enterprises/{yz-elec}", "", ""); code != 200 {
			t.Errorf("own district after the change: %d", code)
		}
		if code, _ := do("GET", "/api/v1/enterprises/{wz-auto}", "", ""); code == 200 {
			t.Errorf("another district's firm is visible")
		}

		// An enterprise account by credit code, and a department one.
		env.Run(t, []webtest.Scenario{
			post("an enterprise account", admin, "sysadmin", `{"username":"yz.firm","role":"enterprise","credit_code":"`+yzCredit+`"}`, 201,
				`"enterprise_id":{yz-elec}`, `"password":"`),
			post("a department account", admin, "sysadmin", `{"username":"tj2","role":"department","department":"市统计局"}`, 201, `"department":"市统计局"`),
			post("a new account may hold an administrator role", admin, "sysadmin", `{"username":"secadmin2","role":"secadmin"}`, 201, `"role":"secadmin"`),
		})

		// Change 渝中's officer to 万州: the scope follows at the next
		// request, the session stays.
		env.Run(t, []webtest.Scenario{
			{Name: "yuzhong does not see a wanzhou firm", URL: "/api/v1/enterprises/{wz-auto}", User: "yuzhong", WantStatus: 404},
			post("move yuzhong to wanzhou", role("yuzhong"), "sysadmin", `{"role":"district","region_code":"500101"}`, 200, `"region_code":"500101"`),
			{Name: "yuzhong now sees the wanzhou firm", URL: "/api/v1/enterprises/{wz-auto}", User: "yuzhong", WantStatus: 200},
			{Name: "the analyst has a session", URL: "/api/v1/me", User: "analyst", WantStatus: 200},
			post("the analyst becomes a district officer", role("analyst"), "sysadmin", `{"role":"district","region_code":"500103"}`, 200, `"role":"district"`),
			{Name: "a role change ends the sessions", URL: "/api/v1/me", User: "analyst", WantStatus: 401},
			{Name: "the audit trail has every change", URL: "/api/v1/audit/events?action=account.change&limit=200", User: "auditor", WantStatus: 200,
				WantContains: []string{`"actor":"sysadmin"`, "created with role district, region 500103", `"target":"yz.officer"`,
					"role set to district, region 500101", `"target":"yuzhong"`, "conflict accounts.err.duty", "invalid accounts.err.region"}},
		})
		if a, err := env.Store.UserByID(ctx, env.Users["analyst"]); err != nil || a.Role != auth.RoleDistrict || a.RegionCode != "500103" {
			t.Errorf("the analyst after the change: %+v, %v", a, err)
		}

		// A single-sign-on account created with a pending scope gets its
		// district here.
		ssoID, err := env.Store.CreateUser(ctx, auth.User{Username: "sso.officer", DisplayName: "sso.officer", Role: auth.RoleDistrict, PasswordHash: "!sso", ScopePending: true})
		if err != nil {
			t.Fatal(err)
		}
		env.Run(t, []webtest.Scenario{
			post("grant the pending scope", admin+"/"+strconv.FormatInt(ssoID, 10)+"/role", "sysadmin", `{"role":"district","region_code":"500103"}`, 200, `"region_code":"500103"`),
		})
		if a, err := env.Store.UserByID(ctx, ssoID); err != nil || a.RegionCode != "500103" || !a.External() {
			t.Errorf("the single-sign-on account after the grant: %+v, %v", a, err)
		}
	})
}

// signIn signs in with a password and returns the session token.
func signIn(t *testing.T, env *webtest.Env, username, password string) string {
	t.Helper()
	res, body := env.Do(webtest.Scenario{Method: "POST", URL: "/login", ContentType: "application/x-www-form-urlencoded",
		Headers: map[string]string{"Accept": "application/json"},
		Body:    url.Values{"username": {username}, "password": {password}, "next": {"/"}}.Encode()})
	var out struct{ Token string }
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &out) != nil || out.Token == "" {
		t.Fatalf("sign in %s: %d %.300s", username, res.StatusCode, body)
	}
	return out.Token
}
