package digitalweb_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// A rung application through the API: the firm applies for a digital
// workshop, the district recommends it, the city returns it, the firm
// resubmits, the city approves and the recognition appears on the firm;
// the refusals by role, state and scope on the way.
func TestDigitalRungAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		year := env.Srv.Today().Year()
		apply := fmt.Sprintf(`{"rung": "digital_workshop", "year": %d, "name": "总装数字化车间", "evidence": "数控化率评测报告",
			"answers": {"realtime_monitoring": "MES 覆盖全部工序"}}`, year)
		const base = "/api/v1/digital/rung-applications"
		env.Run(t, []webtest.Scenario{
			{Name: "Maturity", Method: "POST", URL: "/api/v1/digital/firms/{wz-auto}/maturity", User: "wanzhou", ContentType: jsonCT,
				Body: fmt.Sprintf(`{"year": %d, "nc_rate_pct": "62", "source": "zjtx"}`, year), WantStatus: http.StatusOK},
			{Name: "AnalystCannotApply", Method: "POST", URL: base, User: "analyst", ContentType: jsonCT, Body: apply, WantStatus: http.StatusForbidden},
			{Name: "BadYear", Method: "POST", URL: base, User: "firm", ContentType: jsonCT,
				Body: strings.Replace(apply, fmt.Sprint(year), fmt.Sprint(year-1), 1), WantStatus: http.StatusBadRequest},
			{Name: "ForeignQuestion", Method: "POST", URL: base, User: "firm", ContentType: jsonCT,
				Body: strings.Replace(apply, "realtime_monitoring", "smart_elements", 1), WantStatus: http.StatusBadRequest},
			{Name: "OtherDistrictFirm", Method: "POST", URL: base, User: "wanzhou", ContentType: jsonCT,
				Body: strings.Replace(apply, `{"rung"`, `{"enterprise_id": {yz-elec}, "rung"`, 1), WantStatus: http.StatusNotFound},
			{Name: "FirmForAnotherFirm", Method: "POST", URL: base, User: "firm", ContentType: jsonCT,
				Body: strings.Replace(apply, `{"rung"`, `{"enterprise_id": {yz-elec}, "rung"`, 1), WantStatus: http.StatusNotFound},
			{Name: "FirmApplies", Method: "POST", URL: base, User: "firm", ContentType: jsonCT, Body: apply, WantStatus: http.StatusCreated,
				WantContains: []string{`"state":"submitted"`, `"rung":"digital_workshop"`}},
			{Name: "OpenTwice", Method: "POST", URL: base, User: "wanzhou", ContentType: jsonCT,
				Body: strings.Replace(apply, `{"rung"`, `{"enterprise_id": {wz-auto}, "rung"`, 1), WantStatus: http.StatusConflict},
			{Name: "ListDistrict", URL: base + "?state=submitted", User: "wanzhou", WantStatus: http.StatusOK, WantContains: []string{"总装数字化车间"}},
			{Name: "ListOtherDistrict", URL: base, User: "yuzhong", WantStatus: http.StatusOK, WantContains: []string{`"items":[]`}},
			{Name: "ListBadState", URL: base + "?state=done", User: "admin", WantStatus: http.StatusBadRequest},
			{Name: "FirmCannotList", URL: base, User: "firm", WantStatus: http.StatusForbidden},
		})
		_, body := env.Do(webtest.Scenario{URL: base, User: "admin"})
		list := decode[struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}](t, body)
		if len(list.Items) != 1 {
			t.Fatalf("applications %s", body)
		}
		id1 := fmt.Sprint(list.Items[0].ID)
		one := base + "/" + id1
		rv := one + "/review"
		env.Run(t, []webtest.Scenario{
			// The reviewer sees the engine's verdict: NC rate 62 % ≥ 50 %.
			{Name: "Detail", URL: one, User: "wanzhou", WantStatus: http.StatusOK,
				WantContains: []string{`"status":"met"`, `"nc_rate_bp"`, `"realtime_monitoring"`, `"allowed":["recommend","return"]`}},
			{Name: "DetailFirm", URL: one, User: "firm", WantStatus: http.StatusOK, WantContains: []string{`"allowed":[]`}},
			{Name: "DetailOtherDistrict", URL: one, User: "yuzhong", WantStatus: http.StatusNotFound},
			{Name: "DetailCity", URL: one, User: "admin", WantStatus: http.StatusOK, WantContains: []string{`"allowed":["return","accept","reject"]`}},
			// The pages: the reviewer's buttons by role, the verdict, the list.
			{Name: "PageDistrict", URL: "/digital/rung-applications/" + id1, User: "wanzhou", WantStatus: http.StatusOK,
				WantContains:    []string{`id="digital-rung-recommend"`, `id="digital-rung-return"`, `id="digital-rungapp-criteria"`, "MES 覆盖全部工序"},
				WantNotContains: []string{`id="digital-rung-accept"`, `id="digital-rung-reject"`}},
			{Name: "PageCity", URL: "/digital/rung-applications/" + id1 + "?lang=en", User: "admin", WantStatus: http.StatusOK,
				WantContains:    []string{`id="digital-rung-accept"`, `id="digital-rung-reject"`, "Rule engine&#39;s verdict on the application day"},
				WantNotContains: []string{`id="digital-rung-recommend"`}},
			{Name: "PageFirm", URL: "/digital/rung-applications/" + id1, User: "firm", WantStatus: http.StatusOK,
				WantNotContains: []string{`id="digital-rung-review"`, `id="digital-rung-resubmit"`}},
			{Name: "ListPage", URL: "/digital/rung-applications?state=submitted", User: "wanzhou", WantStatus: http.StatusOK,
				WantContains: []string{`id="digital-rungapps"`, "总装数字化车间"}},
			{Name: "FirmPageForm", URL: "/digital/firms/{wz-auto}", User: "firm", WantStatus: http.StatusOK,
				WantContains: []string{`id="digital-rung-apply-form"`, `id="digital-firm-rungapps"`}},
			{Name: "FirmCannotRecommend", Method: "POST", URL: rv, User: "firm", ContentType: jsonCT, Body: `{"action": "recommend"}`, WantStatus: http.StatusForbidden},
			{Name: "DistrictCannotApprove", Method: "POST", URL: rv, User: "wanzhou", ContentType: jsonCT, Body: `{"action": "accept"}`, WantStatus: http.StatusForbidden},
			{Name: "Recommend", Method: "POST", URL: rv, User: "wanzhou", ContentType: jsonCT, Body: `{"action": "recommend"}`, WantStatus: http.StatusOK,
				WantContains: []string{`"recommended_on"`}},
			{Name: "RecommendTwice", Method: "POST", URL: rv, User: "wanzhou", ContentType: jsonCT, Body: `{"action": "recommend"}`, WantStatus: http.StatusConflict},
			{Name: "ReturnNoReason", Method: "POST", URL: rv, User: "admin", ContentType: jsonCT, Body: `{"action": "return"}`, WantStatus: http.StatusBadRequest},
			{Name: "Return", Method: "POST", URL: rv, User: "admin", ContentType: jsonCT, Body: `{"action": "return", "reason": "补充 MES 截图"}`,
				WantStatus: http.StatusOK, WantContains: []string{`"state":"returned"`, "补充 MES 截图"}},
			{Name: "ApproveReturned", Method: "POST", URL: rv, User: "admin", ContentType: jsonCT, Body: `{"action": "accept"}`, WantStatus: http.StatusConflict},
			{Name: "Resubmit", Method: "POST", URL: rv, User: "firm", ContentType: jsonCT, Body: `{"action": "submit", "evidence": "评测报告；MES 截图"}`,
				WantStatus: http.StatusOK, WantContains: []string{`"state":"submitted"`, "MES 截图"}},
			{Name: "Approve", Method: "POST", URL: rv, User: "admin", ContentType: jsonCT, Body: `{"action": "accept", "batch": "第一批"}`,
				WantStatus: http.StatusOK, WantContains: []string{`"state":"accepted"`, `"recognition_id"`, `"decided_on"`}},
			{Name: "RejectAccepted", Method: "POST", URL: rv, User: "admin", ContentType: jsonCT, Body: `{"action": "reject", "reason": "x"}`, WantStatus: http.StatusConflict},
			{Name: "History", URL: one, User: "firm", WantStatus: http.StatusOK,
				WantContains: []string{`"action":"recommend"`, `"action":"return"`, `"to":"accepted"`}},
			{Name: "PageFirmAccepted", URL: "/digital/rung-applications/" + id1, User: "firm", WantStatus: http.StatusOK,
				// The recommendation went with the return: the corrected
				// application was not recommended again.
				WantContains: []string{`data-state="accepted"`, "批准并认定"}, WantNotContains: []string{`id="digital-rungapp-recommended"`}},
			{Name: "RecognitionOnFirm", URL: "/api/v1/digital/firms/{wz-auto}", User: "firm", WantStatus: http.StatusOK,
				WantContains: []string{`"name":"总装数字化车间"`, `"batch":"第一批"`}},
			// A second application, rejected by the city.
			{Name: "ApplyAgain", Method: "POST", URL: base, User: "firm", ContentType: jsonCT, Body: strings.Replace(apply, "总装", "焊装", 1),
				WantStatus: http.StatusCreated},
		})
		_, body = env.Do(webtest.Scenario{URL: base + "?state=submitted", User: "admin"})
		list = decode[struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}](t, body)
		if len(list.Items) != 1 {
			t.Fatalf("open applications %s", body)
		}
		rv2 := fmt.Sprintf("%s/%d/review", base, list.Items[0].ID)
		env.Run(t, []webtest.Scenario{
			{Name: "DistrictCannotReject", Method: "POST", URL: rv2, User: "wanzhou", ContentType: jsonCT, Body: `{"action": "reject", "reason": "x"}`, WantStatus: http.StatusForbidden},
			{Name: "Reject", Method: "POST", URL: rv2, User: "admin", ContentType: jsonCT, Body: `{"action": "reject", "reason": "同一车间重复申报"}`,
				WantStatus: http.StatusOK, WantContains: []string{`"state":"rejected"`}},
			{Name: "ListRejected", URL: base + "?state=rejected", User: "admin", WantStatus: http.StatusOK, WantContains: []string{"焊装数字化车间"}},
		})
	})
}
