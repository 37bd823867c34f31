package auditweb_test

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestAuditAdministratorPages: the audit administrator searches, verifies
// and exports the trail; the other administrators and the business roles
// are refused. (Naming damaged records is tested in sqlstore and cli.)
func TestAuditAdministratorPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			{Name: "a failed sign-in to find", Method: "POST", URL: "/login", ContentType: "application/x-www-form-urlencoded",
				Body: "username=intruder&password=x", WantStatus: 401},
			{Name: "search by action", URL: "/api/v1/audit/events?action=auth.sign_in_failed", User: "auditor", WantStatus: 200,
				WantContains: []string{`"actor":"intruder"`, `"outcome":"failed"`}},
			{Name: "search by another actor finds none of it", URL: "/api/v1/audit/events?actor=admin", User: "auditor", WantStatus: 200,
				WantNotContains: []string{"intruder"}},
			{Name: "bad date", URL: "/api/v1/audit/events?from=yesterday", User: "auditor", WantStatus: 400},
			{Name: "verify", URL: "/api/v1/audit/verify", User: "auditor", WantStatus: 200, WantContains: []string{`"ok":true`}},
			{Name: "export", URL: "/api/v1/audit/events.jsonl?action=auth.sign_in_failed", User: "auditor", WantStatus: 200,
				WantContains: []string{`"actor":"intruder"`}},
			{Name: "page", URL: "/audit?actor=intruder", User: "auditor", WantStatus: 200, WantContains: []string{"intruder", "audit-export"}},
			{Name: "system administrator refused", URL: "/api/v1/audit/events", User: "sysadmin", WantStatus: 403},
			{Name: "security administrator refused", URL: "/api/v1/audit/verify", User: "secadmin", WantStatus: 403},
			{Name: "city administrator refused", URL: "/api/v1/audit/events.jsonl", User: "admin", WantStatus: 403},
		})
		// The export above and the refusals are themselves recorded.
		env.Run(t, []webtest.Scenario{
			{Name: "export recorded", URL: "/api/v1/audit/events?action=data.export", User: "auditor", WantStatus: 200,
				WantContains: []string{`"target":"/api/v1/audit/events.jsonl?action=auth.sign_in_failed"`}},
			{Name: "refusal recorded", URL: "/api/v1/audit/events?action=access.denied&actor=sysadmin", User: "auditor", WantStatus: 200,
				WantContains: []string{`"target":"GET /api/v1/audit/events"`}},
		})
	})
}
