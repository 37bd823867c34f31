package reportingweb_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// julyBody is a July 2024 report of the 万州 auto firm continuing the
// fixture's series (77 万元 in every money field), so the only finding is
// the value-added ratio warning (value added = output).
func julyBody(action, output, explanation string) string {
	vals := []string{}
	for _, f := range report.Fields {
		v := "77"
		switch f.Code {
		case "output":
			v = output
		case "energy":
			v = "77000"
		case "employees":
			v = "300"
		}
		vals = append(vals, fmt.Sprintf("%q: %q", f.Code, v))
	}
	return fmt.Sprintf(`{"action": %q, "values": {%s}, "explanations": {"va_ratio.value_added": %q}}`, action, strings.Join(vals, ", "), explanation)
}

func cityJulyOutput(t *testing.T, env *webtest.Env) int64 {
	t.Helper()
	rows, err := env.Store.Aggregate(context.Background(), auth.All(), stats.Query{Year: 2024, Month: 7})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, r := range rows {
		sum += r.Sums.Cur[report.Output]
	}
	return sum
}

func TestReportingWorkflowAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		form := "/api/v1/reporting/firms/{" + webtest.EntWanzhouAuto + "}/2024-07"
		env.Run(t, []webtest.Scenario{
			{Name: "the firm opens its July form, prefilled from June", URL: form, User: "firm", WantStatus: 200,
				WantContains: []string{`"state":"missing"`, `"prev_month":{`, `"last_year":{`, `"actions":["save","submit"]`}},
			{Name: "another district does not see the firm", URL: "/api/v1/reporting/firms/{" + webtest.EntWanzhouAuto + "}/2024-07", User: "yuzhong", WantStatus: 404},
			{Name: "a value at the int64 limit is a clear 400", Method: "POST", URL: form + "/submission", User: "firm", ContentType: "application/json",
				Body: julyBody("submit", "9223372036854775807", "x"), WantStatus: 400, WantContains: []string{`"code":"invalid"`}},
			{Name: "9,000,000,000,000 万元 is refused by the bounds rules", Method: "POST", URL: form + "/submission", User: "firm", ContentType: "application/json",
				Body: julyBody("submit", "9000000000000", "x"), WantStatus: 400, WantContains: []string{"overflow.output", "size_bound.output"}},
			{Name: "an unexplained warning blocks submitting", Method: "POST", URL: form + "/submission", User: "firm", ContentType: "application/json",
				Body: julyBody("submit", "77", ""), WantStatus: 400, WantContains: []string{"va_ratio.value_added"}},
			{Name: "the firm saves a draft", Method: "POST", URL: form + "/submission", User: "firm", ContentType: "application/json",
				Body: julyBody("save", "77", ""), WantStatus: 200, WantContains: []string{`"state":"draft"`}},
			{Name: "the firm submits with the warning explained", Method: "POST", URL: form + "/submission", User: "firm", ContentType: "application/json",
				Body: julyBody("submit", "77", "same-price transfer to our parent"), WantStatus: 200,
				WantContains: []string{`"state":"submitted"`, `"explanation":"same-price transfer to our parent"`}},
			{Name: "a district officer may not fill a firm's report", Method: "POST", URL: form + "/submission", User: "wanzhou", ContentType: "application/json",
				Body: julyBody("save", "77", ""), WantStatus: 403},
			{Name: "a return needs a reason", Method: "POST", URL: form + "/review", User: "wanzhou", ContentType: "application/json",
				Body: `{"action": "return"}`, WantStatus: 400},
			{Name: "the district returns it", Method: "POST", URL: form + "/review", User: "wanzhou", ContentType: "application/json",
				Body: `{"action": "return", "reason": "check the value added"}`, WantStatus: 200, WantContains: []string{`"state":"returned"`, `"return_reason":"check the value added"`}},
			{Name: "the firm resubmits", Method: "POST", URL: form + "/submission", User: "firm", ContentType: "application/json",
				Body: julyBody("submit", "77", "value added is reported by the group"), WantStatus: 200, WantContains: []string{`"state":"submitted"`}},
			{Name: "status with the rate per district", URL: "/api/v1/reporting/status?period=2024-07", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"region":"500101"`, `"submitted":1`}, WantNotContains: []string{`"region":"500103"`}},
		})
		before := cityJulyOutput(t, env)
		if before != 0 {
			t.Fatalf("July counted before acceptance: %d", before)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "the district accepts", Method: "POST", URL: form + "/review", User: "wanzhou", ContentType: "application/json",
				Body: `{"action": "accept"}`, WantStatus: 200, WantContains: []string{`"state":"accepted"`, `"action":"accept"`}},
		})
		if got := cityJulyOutput(t, env); got != 77*int64(unit.Wan) {
			t.Fatalf("city July output after acceptance = %d, want 77 万元", got)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "remind the late firms", Method: "POST", URL: "/api/v1/reporting/remind", User: "wanzhou", ContentType: "application/json",
				Body: `{"period": "2024-07"}`, WantStatus: 200, WantContains: []string{`"reminded":`}},
			{Name: "a district may not publish", Method: "POST", URL: "/api/v1/reporting/publish", User: "wanzhou", ContentType: "application/json",
				Body: `{"period": "2024-07"}`, WantStatus: 403},
			{Name: "the city publishes July", Method: "POST", URL: "/api/v1/reporting/publish", User: "admin", ContentType: "application/json",
				Body: `{"period": "2024-07", "note": "monthly release"}`, WantStatus: 200, WantContains: []string{`"period":"2024-07"`}},
			{Name: "publishing twice is a conflict", Method: "POST", URL: "/api/v1/reporting/publish", User: "admin", ContentType: "application/json",
				Body: `{"period": "2024-07"}`, WantStatus: 409},
			{Name: "the locks", URL: "/api/v1/reporting/locks", User: "analyst", WantStatus: 200, WantContains: []string{`"note":"monthly release"`}},
			{Name: "a change to the published July needs a reason", Method: "POST", URL: form + "/submission", User: "firm", ContentType: "application/json",
				Body: julyBody("submit", "78", "x"), WantStatus: 400, WantContains: []string{"2024-07"}},
			{Name: "a district cannot decide on a published period", Method: "POST", URL: form + "/review", User: "wanzhou", ContentType: "application/json",
				Body: `{"action": "accept"}`, WantStatus: 403},
			{Name: "the firm files a revision of the published July", Method: "POST", URL: form + "/submission", User: "firm", ContentType: "application/json",
				Body: strings.Replace(julyBody("submit", "78", "x"), `"explanations"`, `"reason": "late invoice", "explanations"`, 1), WantStatus: 200,
				WantContains: []string{`"revision":true`, `"state":"submitted"`}},
			{Name: "the city accepts the revision", Method: "POST", URL: form + "/review", User: "admin", ContentType: "application/json",
				Body: `{"action": "accept"}`, WantStatus: 200, WantContains: []string{`"state":"accepted"`, `"old_values":"{`}},
			{Name: "July as published and as revised", URL: "/api/v1/reporting/revisions?period=2024-07", User: "admin", WantStatus: 200,
				WantContains: []string{`"revisions":1`, `"last_reason":"late invoice"`, `"locked":true`}},
			{Name: "the status page shows both", URL: "/reporting?period=2024-07", User: "admin", WantStatus: 200, WantContains: []string{"reporting-published"}},
			{Name: "the form page", URL: "/reporting/firms/{" + webtest.EntWanzhouAuto + "}/2024-07", User: "firm", WantStatus: 200, WantContains: []string{"reporting-form"}},
			{Name: "the status page", URL: "/reporting?period=2024-07", User: "admin", WantStatus: 200, WantContains: []string{"reporting-rates", "reporting-firms"}},
			{Name: "an enterprise user goes to its form", URL: "/reporting", User: "firm", WantStatus: http.StatusSeeOther},
		})
	})
}
