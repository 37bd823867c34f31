package web_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// The role × route matrix: who may reach each route. A cell is "a" when
// the role gets through to the handler (any answer but 401, 403 or a
// redirect to the sign-in page) and "-" when it is turned away. Columns:
// anonymous, city administrator, city analyst, district officer (万州),
// enterprise user (a 万州 firm), department user (the statistics bureau), and the three administrators
// of 三权分立: system, security and audit administrator, who reach no business data. Path parameters name fixture records in
// the user's own scope, so a "-" is a refusal of the route, never of the
// record. Any change of access, and any route added without a row here,
// fails the test.
var accessMatrix = map[string]string{
	"GET /api/v1/notifications":                             "-aaaaaaaa", // every account has its own inbox (module notify)
	"GET /api/v1/notification-settings":                     "-aaaaaaaa", // every account has its own inbox (module notify)
	"POST /api/v1/notification-settings":                    "-aaaaaaaa", // every account has its own inbox (module notify)
	"POST /api/v1/notifications/read":                       "-aaaaaaaa", // every account has its own inbox (module notify)
	"GET /notifications":                                    "-aaaaaaaa", // every account has its own inbox (module notify)
	"GET /account":                                          "-aaaaaaaa",
	"GET /api/v1/audit/events":                              "--------a", // the audit administrator alone (三权分立)
	"GET /api/v1/audit/events.jsonl":                        "--------a",
	"GET /api/v1/audit/verify":                              "--------a",
	"GET /api/v1/clusters":                                  "-aaaaaaaa",
	"GET /api/v1/cultivation/candidates":                    "-aaa-----",
	"GET /api/v1/cultivation/candidates.xlsx":               "-aaa-----",
	"GET /api/v1/cultivation/funnel":                        "-aaa-----",
	"GET /api/v1/enterprises":                               "-aaaaaaaa",
	"GET /api/v1/enterprises.csv":                           "-aaaaaaaa",
	"GET /api/v1/enterprises.xlsx":                          "-aaaaaaaa",
	"GET /api/v1/enterprises/{id}":                          "-aaaaaaaa",
	"GET /api/v1/enterprises/{id}/eligibility":              "-aaaaaaaa",
	"GET /api/v1/enterprises/{id}/reports":                  "-aaaaaaaa",
	"GET /api/v1/goals":                                     "-aaa-----",
	"GET /api/v1/hardtech":                                  "-aaa-----",
	"GET /api/v1/hardtech.xlsx":                             "-aaa-----",
	"GET /api/v1/imports/{kind}/template.csv":               "-aaaaaaaa",
	"GET /api/v1/imports/{kind}/template.xlsx":              "-aaaaaaaa",
	"GET /api/v1/indicators":                                "-aaaaaaaa",
	"GET /api/v1/instrument-calendars/{token}":              "aaaaaaaaa", // public: the token is the credential
	"GET /api/v1/instrument-orders":                         "----a----",
	"GET /api/v1/instruments":                               "-aaaa----",
	"GET /api/v1/instruments/stats":                         "-aa------",
	"GET /api/v1/instruments/usage":                         "-aa------",
	"GET /api/v1/instruments/usage.xlsx":                    "-aa------",
	"GET /api/v1/instruments/{id}":                          "-aaaa----",
	"GET /api/v1/listing/firms":                             "-aaaaaaaa",
	"GET /api/v1/listing/firms.xlsx":                        "-aaaaaaaa",
	"GET /api/v1/listing/firms/{id}":                        "-aaaaaaaa",
	"GET /api/v1/listing/summary":                           "-aaa-----",
	"GET /api/v1/listing/years":                             "-aaa-----",
	"GET /api/v1/me":                                        "-aaaaaaaa",
	"GET /api/v1/mujun/configs":                             "-aaaaaaaa",
	"GET /api/v1/mujun/configs/{id}":                        "-aaaaaaaa",
	"GET /api/v1/mujun/runs":                                "-aaaaaaaa",
	"GET /api/v1/mujun/runs/{id}/classes":                   "-aaa-----",
	"GET /api/v1/mujun/runs/{id}/diff/{other}":              "-aaa-----",
	"GET /api/v1/mujun/runs/{id}/districts":                 "-aaa-----",
	"GET /api/v1/mujun/runs/{id}/enterprises":               "-aaaaaaaa",
	"GET /api/v1/mujun/runs/{id}/enterprises.xlsx":          "-aaaaaaaa",
	"GET /api/v1/mujun/runs/{id}/parks":                     "-aaa-----",
	"GET /api/v1/mujun/targets":                             "-aaa-----",
	"GET /api/v1/regions":                                   "-aaaaaaaa",
	"GET /api/v1/reporting/firms/{id}/{period}":             "-aaaa----",
	"GET /api/v1/reporting/locks":                           "-aaa-----",
	"GET /api/v1/reporting/revisions":                       "-aaa-----",
	"GET /api/v1/reporting/status":                          "-aaa-----",
	"GET /api/v1/rulesets":                                  "-aaaaaaaa",
	"GET /api/v1/scoreboard":                                "-aa------",
	"GET /api/v1/scoreboard.pdf":                            "-aa------", // issue 12: the briefing PDF
	"GET /api/v1/stats/breakdown":                           "-aaa-----",
	"GET /api/v1/stats/kpis":                                "-aaa-----",
	"GET /api/v1/stats/spans":                               "-aaa-----",
	"GET /api/v1/stats/trend":                               "-aaa-----",
	"GET /api/v1/targets":                                   "-aaa-----",
	"GET /api/v1/tasks":                                     "-aa--a---",
	"GET /api/v1/tasks/entries":                             "-aa--a---",
	"GET /api/v1/tasks/entries/{indicator}/history":         "-aa--a---",
	"GET /api/v1/tasks/tables/{table}":                      "-aa--a---",
	"GET /audit":                                            "--------a",
	"GET /bigscreen":                                        "-aa------", // issue 12: city-wide views
	"GET /compare":                                          "-aa------",
	"GET /clusters/{cluster}":                               "-aaa-----",
	"GET /cultivation":                                      "-aaaaaaaa",
	"GET /districts/{code}":                                 "-aaa-----",
	"GET /districts/{code}/clusters/{cluster}":              "-aaa-----",
	"GET /enterprises":                                      "-aaaaaaaa",
	"GET /enterprises/{id}":                                 "-aaaaaaaa",
	"GET /enterprises/{id}/eligibility":                     "-aaaaaaaa",
	"GET /goals":                                            "-aaa-----",
	"GET /hardtech":                                         "-aaa-----",
	"GET /help":                                             "-aaaaaaaa",
	"GET /help/{module}":                                    "-aaaaaaaa",
	"GET /import":                                           "-aaaa----",
	"GET /instruments":                                      "-aaaa----",
	"GET /instruments/orders":                               "----a----",
	"GET /instruments/invoices":                             "----a----",
	"GET /instruments/invoices/{id}":                        "----a----",
	"GET /instruments/stats":                                "-aa------",
	"GET /instruments/{id}":                                 "-aaaa----",
	"GET /listing":                                          "-aaaaaaaa",
	"GET /listing/firms/{id}":                               "-aaaaaaaa",
	"GET /mujun":                                            "-aaaaaaaa",
	"GET /mujun/enterprises/{id}":                           "-aaaaaaaa",
	"GET /mujun/runs/{id}/diff/{other}":                     "-aaa-----",
	"GET /mujun/targets":                                    "-aaa-----",
	"GET /reference":                                        "-aaaaaaaa",
	"GET /reporting":                                        "-aaaa----",
	"GET /reporting/firms/{id}/{period}":                    "-aaaa----",
	"GET /scoreboard":                                       "-aa------",
	"GET /targets":                                          "-aaa-----",
	"GET /tasks":                                            "-aa--a---",
	"GET /tasks/entry":                                      "-aa--a---",
	"GET /tasks/tables/{table}":                             "-aa--a---",
	"GET /{$}":                                              "-aaaaaaaa",
	"POST /api/v1/hardtech/{year}/members":                  "-a-a-----",
	"POST /api/v1/hardtech/{year}/members/{id}/remove":      "-a-a-----",
	"POST /api/v1/imports/enterprises":                      "-aaa-----",
	"POST /api/v1/imports/listing":                          "-aaa-----",
	"POST /api/v1/imports/mujun-facts":                      "-aaa-----",
	"POST /api/v1/imports/profiles":                         "-aaaa----",
	"POST /api/v1/imports/reports":                          "-aaaa----",
	"POST /api/v1/instrument-calendars":                     "----a----",
	"POST /api/v1/instrument-orders/{id}/actions":           "----a----",
	"POST /api/v1/instrument-orders/{id}/review":            "----a----",
	"POST /api/v1/instrument-vouchers":                      "---------",
	"POST /api/v1/instruments":                              "---------",
	"POST /api/v1/instruments/{id}/lifecycle":               "-aaaa----",
	"POST /api/v1/instruments/{id}/orders":                  "----a----",
	"POST /api/v1/listing/firms/{id}/events":                "-a-a-----", // the analyst reads, never records (issue 6)
	"POST /api/v1/mujun/configs":                            "-a-------",
	"POST /api/v1/mujun/runs":                               "-a-------",
	"POST /api/v1/reporting/firms/{id}/{period}/review":     "-aaa-----", // the analyst is city staff: reviews, never publishes
	"POST /api/v1/reporting/firms/{id}/{period}/submission": "----a----", // only the firm fills its own report
	"POST /api/v1/reporting/publish":                        "-a-------",
	"POST /api/v1/reporting/remind":                         "-aaa-----",
	"POST /api/v1/rulesets/{id}/evaluate":                   "-aaaaaaaa",
	"POST /api/v1/tasks/entries":                            "-----a---",
	"POST /api/v1/tasks/entries/import":                     "-----a---",
	"POST /api/v1/tasks/locks":                              "-a-------",
	"POST /api/v1/tasks/reviews":                            "-a-------",
	// The marketplace's operations (issue 9): the sharing roles, none of
	// the columns here, enrol and manage; readers see files, customers
	// their own qualifications.
	"DELETE /api/v1/instrument-files/{id}":               "---------",
	"GET /api/v1/instrument-files/{id}":                  "-aaaa----",
	"GET /api/v1/instrument-imports/export.csv":          "---------",
	"GET /api/v1/instrument-imports/export.xlsx":         "---------",
	"GET /api/v1/instrument-imports/template.csv":        "---------",
	"GET /api/v1/instrument-imports/template.xlsx":       "---------",
	"GET /api/v1/instrument-qualifications":              "----a----",
	"GET /api/v1/instrument-units/{id}/rules":            "---------",
	"GET /api/v1/instruments/{id}/files":                 "-aaaa----",
	"POST /api/v1/instrument-imports":                    "---------",
	"POST /api/v1/instrument-qualifications":             "---------",
	"POST /api/v1/instrument-qualifications/{id}/revoke": "---------",
	"POST /api/v1/instruments/{id}/files":                "---------",
	"POST /api/v1/instruments/{id}/windows":              "---------",
	"PUT /api/v1/instrument-units/{id}/rules":            "---------",
	"PUT /api/v1/instruments/{id}/rules":                 "---------",
	// Invoices, waivers and entered evaluation scores (marketmoney).
	"GET /api/v1/instrument-invoices":               "----a----",
	"GET /api/v1/instrument-invoices.xlsx":          "----a----",
	"GET /api/v1/instrument-invoices/{id}":          "----a----",
	"POST /api/v1/instrument-invoices":              "---------",
	"POST /api/v1/instrument-invoices/{id}/pay":     "---------",
	"POST /api/v1/instrument-invoices/{id}/void":    "---------",
	"GET /api/v1/instrument-violations":             "----a----",
	"POST /api/v1/instrument-violations/{id}/waive": "---------",
	"GET /api/v1/instrument-evaluation-scores":      "-aa------",
	"PUT /api/v1/instrument-evaluation-scores":      "---------",
	// Reviews (issue 9 item 5): readers list them; the owner replies and
	// the sharing operator moderates, none of the columns here.
	"GET /api/v1/instruments/{id}/reviews":                  "-aaaa----",
	"PUT /api/v1/instrument-orders/{id}/review/reply":       "---------",
	"POST /api/v1/instrument-orders/{id}/review/moderation": "---------",
	// Marketplace management pages (issue 9): the unit's staff and the
	// sharing operator, none of the columns here; a customer reads their
	// own violations.
	"GET /instruments/manage":                      "---------",
	"GET /instruments/manage/{id}/rules":           "---------",
	"POST /instruments/manage/{id}/rules":          "---------",
	"POST /instruments/manage/{id}/windows":        "---------",
	"GET /instruments/manage/units/{id}/rules":     "---------",
	"POST /instruments/manage/units/{id}/rules":    "---------",
	"GET /instruments/qualifications":              "---------",
	"POST /instruments/qualifications":             "---------",
	"POST /instruments/qualifications/{id}/revoke": "---------",
	"GET /instruments/violations":                  "----a----",
	"POST /instruments/violations/{id}/waive":      "---------",
	"GET /instruments/evaluation-scores":           "---------",
	"POST /instruments/evaluation-scores":          "---------",
	// Digital transformation (issue 11): officials read, the city and districts record, a firm applies for itself.
	"GET /api/v1/digital/summary":                        "-aaa-----",
	"GET /api/v1/digital/candidates":                     "-aaa-----",
	"GET /api/v1/digital/scenarios":                      "-aaaaaaaa",
	"GET /api/v1/digital/projects":                       "-aaa-----",
	"POST /api/v1/digital/projects":                      "-a-aa----",
	"POST /api/v1/digital/projects/import":               "-a-a-----",
	"GET /api/v1/digital/projects/{id}":                  "-aaaaaaaa",
	"POST /api/v1/digital/projects/{id}/events":          "-a-a-----",
	"GET /api/v1/digital/projects/{id}/review":           "-aaaaaaaa",
	"POST /api/v1/digital/projects/{id}/review":          "-a-aa----",
	"GET /api/v1/digital/firms/{id}":                     "-aaaaaaaa",
	"POST /api/v1/digital/firms/{id}/maturity":           "-a-a-----",
	"POST /api/v1/digital/firms/{id}/recognitions":       "-a-a-----",
	"GET /api/v1/digital/rung-applications":              "-aaa-----",
	"POST /api/v1/digital/rung-applications":             "-a-aa----",
	"GET /api/v1/digital/rung-applications/{id}":         "-aaaaaaaa",
	"POST /api/v1/digital/rung-applications/{id}/review": "-a-aa----",
	"GET /digital":                        "-aaaa----",
	"GET /digital/projects/{id}":          "-aaaaaaaa",
	"GET /digital/firms/{id}":             "-aaaaaaaa",
	"GET /digital/rung-applications":      "-aaa-----",
	"GET /digital/rung-applications/{id}": "-aaaaaaaa",
	// The city's confirmation queue of firms new to a district (issue 8).
	"GET /api/v1/enterprise-requests":                "-aaa-----",
	"POST /api/v1/enterprise-requests/{id}/decision": "-a-------",
	"GET /import/requests":                           "-aaa-----",
	// The security administrator's account controls (issue 8); {user} is
	// left unfilled, so the actions change no fixture account here.
	"GET /api/v1/security/users":                      "-------a-",
	"GET /api/v1/security/policy":                     "-------a-",
	"POST /api/v1/security/users/{user}/unlock":       "-------a-",
	"POST /api/v1/security/users/{user}/disable":      "-------a-",
	"POST /api/v1/security/users/{user}/enable":       "-------a-",
	"POST /api/v1/security/users/{user}/end-sessions": "-------a-",
	"GET /security/users":                             "-------a-",
	"GET /security/policy":                            "-------a-",
	// The system administrator's account administration (issue 8,
	// 三权分立): create accounts, change role and scope.
	"GET /api/v1/admin/users":              "------a--",
	"POST /api/v1/admin/users":             "------a--",
	"POST /api/v1/admin/users/{user}/role": "------a--",
	"GET /admin/accounts":                  "------a--",
	// The federation (issue 10): the peer protocol is public and
	// authenticated by the peer's signature (here not federated: 404).
	"GET /api/v1/fed/changes":                        "aaaaaaaaa",
	"GET /api/v1/fed/checksum":                       "aaaaaaaaa",
	"GET /api/v1/fed/orders":                         "aaaaaaaaa",
	"POST /api/v1/fed/holds":                         "aaaaaaaaa",
	"POST /api/v1/fed/holds/{id}/confirm":            "aaaaaaaaa",
	"POST /api/v1/fed/holds/{id}/actions":            "aaaaaaaaa",
	"GET /api/v1/fed/instruments/{id}/free":          "aaaaaaaaa",
	"GET /api/v1/federation/instruments/{home}/{id}": "-aaaa----",
	"GET /api/v1/federation/bookings":                "----a----",
	"POST /api/v1/federation/bookings":               "----a----",
	"POST /api/v1/federation/bookings/{id}/confirm":  "----a----",
	"POST /api/v1/federation/bookings/{id}/actions":  "----a----",
	"GET /api/v1/federation/vouchers":                "---------", // the sharing operator's
	"GET /api/v1/federation/stats":                   "-aa------",
	"GET /api/v1/federation/peers":                   "---------", // the sharing operator's
	"POST /api/v1/federation/peers/{peer}/pull":      "---------",
	"GET /federation":                                "-aaaa----",
	"GET /federation/instruments/{home}/{id}":        "-aaaa----",
}

// matrixRoles are the columns of accessMatrix.
var matrixRoles = []string{"", "admin", "analyst", "wanzhou", "firm", "tongji", "sysadmin", "secadmin", "auditor"}

// matrixPages are the page routes (the API routes come from the route
// table itself).
var matrixPages = []string{
	"GET /{$}", "GET /districts/{code}", "GET /districts/{code}/clusters/{cluster}", "GET /clusters/{cluster}",
	"GET /enterprises", "GET /enterprises/{id}", "GET /enterprises/{id}/eligibility", "GET /cultivation",
	"GET /targets", "GET /scoreboard", "GET /goals", "GET /hardtech", "GET /import", "GET /reference",
	"GET /mujun", "GET /mujun/targets", "GET /mujun/runs/{id}/diff/{other}", "GET /mujun/enterprises/{id}",
	"GET /listing", "GET /listing/firms/{id}", "GET /help", "GET /help/{module}", "GET /audit", "GET /account",
	"GET /reporting", "GET /reporting/firms/{id}/{period}",
	"GET /tasks", "GET /tasks/entry", "GET /tasks/tables/{table}",
	"GET /instruments", "GET /instruments/{id}", "GET /instruments/stats", "GET /instruments/orders",
	"GET /instruments/invoices", "GET /instruments/invoices/{id}",
	"GET /instruments/manage", "GET /instruments/manage/{id}/rules", "POST /instruments/manage/{id}/rules", "POST /instruments/manage/{id}/windows",
	"GET /instruments/manage/units/{id}/rules", "POST /instruments/manage/units/{id}/rules", "GET /instruments/qualifications", "POST /instruments/qualifications",
	"POST /instruments/qualifications/{id}/revoke", "GET /instruments/violations", "POST /instruments/violations/{id}/waive",
	"GET /instruments/evaluation-scores", "POST /instruments/evaluation-scores",
	"GET /notifications",
	"GET /bigscreen", "GET /compare",
	"GET /digital", "GET /digital/projects/{id}", "GET /digital/firms/{id}",
	"GET /digital/rung-applications", "GET /digital/rung-applications/{id}",
	"GET /import/requests", "GET /security/users", "GET /security/policy",
	"GET /federation", "GET /federation/instruments/{home}/{id}",
	"GET /admin/accounts",
}

// matrixURL fills a route pattern's parameters with fixture values.
func matrixURL(env *webtest.Env, pattern string) string {
	_, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	r := strings.NewReplacer(
		"{id}", "{"+webtest.EntWanzhouAuto+"}", "{other}", "1", "{code}", "500101", "{cluster}", "L1",
		"{kind}", "reports", "{module}", "listing", "{year}", "2024", "{run}", "1", "{period}", "2024-07",
		"{table}", "mfg-2024", "{indicator}", "MFG_VA_GDP_SHARE",
	)
	return env.Expand(r.Replace(path))
}

func TestAccessMatrix(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/ibrain.db")
	routes := append([]string(nil), matrixPages...)
	for _, rt := range web.APIRoutes(env.Srv) {
		switch rt.Path {
		case "/healthz", "/metrics", "/login", "/logout", "/api/v1/openapi.json":
			continue // public machine routes, tested on their own
		}
		routes = append(routes, rt.Pattern())
	}
	sort.Strings(routes)
	got := map[string]string{}
	for _, pattern := range routes {
		method, _, _ := strings.Cut(pattern, " ")
		var cells strings.Builder
		for _, user := range matrixRoles {
			sc := webtest.Scenario{Method: method, URL: matrixURL(env, pattern), User: user}
			if method == http.MethodPost {
				sc.Body, sc.ContentType = "{}", "application/json"
			}
			res, _ := env.Do(sc)
			denied := res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden ||
				(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login"))
			if denied {
				cells.WriteByte('-')
			} else {
				cells.WriteByte('a')
			}
		}
		got[pattern] = cells.String()
	}
	for p, want := range accessMatrix {
		if g, ok := got[p]; !ok {
			t.Errorf("%s: in the matrix but not served", p)
		} else if g != want {
			t.Errorf("%s: access %q, want %q (columns: anonymous, admin, analyst, district, enterprise, department, sysadmin, secadmin, auditor)", p, g, want)
		}
	}
	for _, p := range routes {
		if _, ok := accessMatrix[p]; !ok {
			t.Errorf("%s: served but has no row in accessMatrix", p)
		}
	}
}
