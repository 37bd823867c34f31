package digitalweb_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/digital/digitalweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

const jsonCT = "application/json"

// multipart wraps a CSV file as the "file" part of a multipart body.
func multipart(name, content string) (string, string) {
	const boundary = "digitalboundary"
	body := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\nContent-Type: text/csv\r\n\r\n" +
		content + "\r\n--" + boundary + "--\r\n"
	return body, "multipart/form-data; boundary=" + boundary
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return v
}

func TestDigitalAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		apply := func(code, planned, extra string) string {
			return fmt.Sprintf(`{"enterprise_id": {wz-auto}, "code": %q, "name": "总装线智能化改造", "kind": "intelligent", "scenarios": ["F01", "M01"],
				"planned_wan": %q, "start_on": "2024-03-01", "end_on": "2024-10-31", "applied_on": "2024-02-01", "demonstration": true,
				"measures": [{"indicator": "productivity", "before": "100", "after": "160"}]%s}`, code, planned, extra)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "Scenarios", URL: "/api/v1/digital/scenarios", User: "firm", WantStatus: http.StatusOK, WantContains: []string{`"F01"`, "工厂数字化规划设计"}},
			{Name: "EmptySummary", URL: "/api/v1/digital/summary?from=2023&to=2024", User: "admin", WantStatus: http.StatusOK,
				WantContains: []string{`"years":[{"year":2023`, `"targets":[]`}},
			{Name: "SummaryBadSpan", URL: "/api/v1/digital/summary?from=2025&to=2024", User: "admin", WantStatus: http.StatusBadRequest},
			{Name: "SummaryOtherDistrict", URL: "/api/v1/digital/summary?region=500103", User: "wanzhou", WantStatus: http.StatusForbidden},
			// 万州's officer files a ¥5 m project (district level) and a ¥30 m one (city level).
			{Name: "ApplyDistrict", Method: "POST", URL: "/api/v1/digital/projects", User: "wanzhou", ContentType: jsonCT, Body: apply("WZ-1", "500", ""),
				WantStatus: http.StatusCreated, WantContains: []string{`"stage":"applied"`, `"gain_pct":60`, `"planned_wan":500`}},
			{Name: "ApplyCity", Method: "POST", URL: "/api/v1/digital/projects", User: "wanzhou", ContentType: jsonCT, Body: apply("WZ-2", "3000", ""),
				WantStatus: http.StatusCreated},
			{Name: "ApplyTwice", Method: "POST", URL: "/api/v1/digital/projects", User: "admin", ContentType: jsonCT, Body: apply("WZ-1", "500", ""),
				WantStatus: http.StatusConflict, WantContains: []string{"WZ-1"}},
			{Name: "ApplyBadScenario", Method: "POST", URL: "/api/v1/digital/projects?lang=en", User: "admin", ContentType: jsonCT,
				Body: strings.Replace(apply("WZ-3", "500", ""), `"M01"`, `"ZZ1"`, 1), WantStatus: http.StatusBadRequest, WantContains: []string{"Scenario ZZ1 is not in the catalogue"}},
			{Name: "ApplyInexact", Method: "POST", URL: "/api/v1/digital/projects", User: "admin", ContentType: jsonCT, Body: apply("WZ-3", "1.00000001", ""),
				WantStatus: http.StatusBadRequest},
			{Name: "ApplyOtherDistrict", Method: "POST", URL: "/api/v1/digital/projects", User: "wanzhou", ContentType: jsonCT,
				Body: strings.Replace(apply("WZ-4", "500", ""), "{wz-auto}", "{yz-elec}", 1), WantStatus: http.StatusNotFound},
			{Name: "FirmAppliesForItself", Method: "POST", URL: "/api/v1/digital/projects", User: "firm", ContentType: jsonCT,
				Body: strings.Replace(apply("WZ-5", "200", ""), `"enterprise_id": {wz-auto}, `, "", 1), WantStatus: http.StatusCreated},
			{Name: "AnalystCannotApply", Method: "POST", URL: "/api/v1/digital/projects", User: "analyst", ContentType: jsonCT, Body: apply("WZ-6", "500", ""),
				WantStatus: http.StatusForbidden},
			{Name: "ListAdmin", URL: "/api/v1/digital/projects?kind=intelligent", User: "admin", WantStatus: http.StatusOK, WantContains: []string{`"total":3`}},
			{Name: "ListBadStage", URL: "/api/v1/digital/projects?stage=done", User: "admin", WantStatus: http.StatusBadRequest},
			{Name: "ListOtherDistrict", URL: "/api/v1/digital/projects", User: "yuzhong", WantStatus: http.StatusOK, WantContains: []string{`"total":0`}},
		})
		_, body := env.Do(webtest.Scenario{URL: "/api/v1/digital/projects?q=WZ-", User: "admin"})
		page := decode[struct {
			Items []digitalweb.APIDigitalProject `json:"items"`
		}](t, body)
		ids := map[string]int64{}
		for _, p := range page.Items {
			ids[p.Code] = p.ID
		}
		if len(ids) != 3 {
			t.Fatalf("projects %v", ids)
		}
		ev := func(code string) string { return fmt.Sprintf("/api/v1/digital/projects/%d/events", ids[code]) }
		// The firm's own application WZ-5 (¥2 m, district level) on the
		// review workflow: returned with a reason, corrected, accepted.
		rv := fmt.Sprintf("/api/v1/digital/projects/%d/review", ids["WZ-5"])
		env.Run(t, []webtest.Scenario{
			{Name: "ReviewSubmitted", URL: rv, User: "firm", WantStatus: http.StatusOK,
				WantContains: []string{`"state":"submitted"`, `"allowed":[]`, `"action":"submit"`}},
			{Name: "ReviewOfficerActions", URL: rv, User: "wanzhou", WantStatus: http.StatusOK, WantContains: []string{`"allowed":["return","accept"]`}},
			{Name: "FirmCannotReturn", Method: "POST", URL: rv, User: "firm", ContentType: jsonCT, Body: `{"action": "return", "reason": "x"}`, WantStatus: http.StatusForbidden},
			{Name: "AnalystCannotReview", Method: "POST", URL: rv, User: "analyst", ContentType: jsonCT, Body: `{"action": "accept"}`, WantStatus: http.StatusForbidden},
			{Name: "OtherDistrictCannotReview", Method: "POST", URL: rv, User: "yuzhong", ContentType: jsonCT, Body: `{"action": "return", "reason": "x"}`, WantStatus: http.StatusNotFound},
			{Name: "ReturnWithoutReason", Method: "POST", URL: rv, User: "wanzhou", ContentType: jsonCT, Body: `{"action": "return"}`, WantStatus: http.StatusBadRequest},
			{Name: "ResubmitBeforeReturn", Method: "POST", URL: rv, User: "firm", ContentType: jsonCT, Body: `{"action": "submit"}`, WantStatus: http.StatusConflict},
			{Name: "Return", Method: "POST", URL: rv, User: "wanzhou", ContentType: jsonCT, Body: `{"action": "return", "reason": "缺少可行性研究报告"}`,
				WantStatus: http.StatusOK, WantContains: []string{`"review_state":"returned"`, `"review_reason":"缺少可行性研究报告"`, `"stage":"applied"`}},
			{Name: "AcceptReturned", Method: "POST", URL: rv, User: "wanzhou", ContentType: jsonCT, Body: `{"action": "accept"}`, WantStatus: http.StatusConflict},
			{Name: "ApproveReturnedByEvent", Method: "POST", URL: fmt.Sprintf("/api/v1/digital/projects/%d/events", ids["WZ-5"]), User: "wanzhou", ContentType: jsonCT,
				Body: `{"stage": "approved", "date": "2024-03-01", "level": "district"}`, WantStatus: http.StatusConflict},
			{Name: "ReturnedActions", URL: rv, User: "firm", WantStatus: http.StatusOK, WantContains: []string{`"state":"returned"`, `"allowed":["submit"]`}},
			{Name: "Resubmit", Method: "POST", URL: rv, User: "firm", ContentType: jsonCT, Body: `{"action": "submit", "planned_wan": "250", "name": "总装线智能化改造（修订）"}`,
				WantStatus: http.StatusOK, WantContains: []string{`"review_state":"submitted"`, `"planned_wan":250`, "（修订）"}},
			{Name: "ResubmitTwice", Method: "POST", URL: rv, User: "firm", ContentType: jsonCT, Body: `{"action": "submit"}`, WantStatus: http.StatusConflict},
			{Name: "AcceptDistrict", Method: "POST", URL: rv, User: "wanzhou", ContentType: jsonCT, Body: `{"action": "accept", "date": "2024-03-05"}`,
				WantStatus: http.StatusOK, WantContains: []string{`"review_state":"accepted"`, `"stage":"approved"`, `"level":"district"`, `"approved_on":"2024-03-05"`}},
			{Name: "AcceptTwice", Method: "POST", URL: rv, User: "admin", ContentType: jsonCT, Body: `{"action": "accept"}`, WantStatus: http.StatusConflict},
			{Name: "ReviewHistory", URL: rv, User: "wanzhou", WantStatus: http.StatusOK,
				WantContains: []string{`"state":"accepted"`, `"allowed":[]`, `"action":"return"`, "缺少可行性研究报告", `"from":"returned","to":"submitted"`, `"action":"accept"`}},
			{Name: "ReviewPage", URL: fmt.Sprintf("/digital/projects/%d", ids["WZ-5"]), User: "wanzhou", WantStatus: http.StatusOK,
				WantContains: []string{`id="digital-review-history"`, "缺少可行性研究报告", `id="digital-review-state"`}},
			{Name: "ReviewPageSubmittedOfficer", URL: fmt.Sprintf("/digital/projects/%d?lang=en", ids["WZ-2"]), User: "admin", WantStatus: http.StatusOK,
				WantContains: []string{`id="digital-review-accept"`, `id="digital-review-return"`, "Review of the application"}},
			{Name: "ReviewPageFirmNoButtons", URL: fmt.Sprintf("/digital/projects/%d", ids["WZ-2"]), User: "firm", WantStatus: http.StatusOK,
				WantNotContains: []string{`id="digital-review-accept"`}},
			// A city-level application is beyond the district's reach.
			{Name: "DistrictCannotAcceptCityLevel", Method: "POST", URL: fmt.Sprintf("/api/v1/digital/projects/%d/review", ids["WZ-2"]), User: "wanzhou",
				ContentType: jsonCT, Body: `{"action": "accept", "date": "2024-02-20"}`, WantStatus: http.StatusForbidden},
		})
		env.Run(t, []webtest.Scenario{
			{Name: "Project", URL: fmt.Sprintf("/api/v1/digital/projects/%d", ids["WZ-1"]), User: "firm", WantStatus: http.StatusOK, WantContains: []string{`"code":"WZ-1"`}},
			{Name: "ProjectOtherDistrict", URL: fmt.Sprintf("/api/v1/digital/projects/%d", ids["WZ-1"]), User: "yuzhong", WantStatus: http.StatusNotFound},
			{Name: "ApproveWrongLevel", Method: "POST", URL: ev("WZ-1"), User: "wanzhou", ContentType: jsonCT,
				Body: `{"stage": "approved", "date": "2024-02-20", "level": "city"}`, WantStatus: http.StatusForbidden},
			{Name: "ApproveDistrict", Method: "POST", URL: ev("WZ-1"), User: "wanzhou", ContentType: jsonCT,
				Body: `{"stage": "approved", "date": "2024-02-20", "level": "district", "expect_events": 1}`, WantStatus: http.StatusCreated,
				WantContains: []string{`"stage":"approved"`, `"level":"district"`}},
			{Name: "Stale", Method: "POST", URL: ev("WZ-1"), User: "wanzhou", ContentType: jsonCT,
				Body: `{"stage": "milestone", "date": "2024-06-01", "amount_wan": "200", "expect_events": 1}`, WantStatus: http.StatusConflict},
			{Name: "CityByDistrictRefused", Method: "POST", URL: ev("WZ-2"), User: "wanzhou", ContentType: jsonCT,
				Body: `{"stage": "approved", "date": "2024-02-20", "level": "city"}`, WantStatus: http.StatusForbidden},
			{Name: "CityAtThresholdNeedsCity", Method: "POST", URL: ev("WZ-2") + "?lang=en", User: "admin", ContentType: jsonCT,
				Body: `{"stage": "approved", "date": "2024-02-20", "level": "district"}`, WantStatus: http.StatusBadRequest, WantContains: []string{"calls for city"}},
			{Name: "ApproveCity", Method: "POST", URL: ev("WZ-2"), User: "admin", ContentType: jsonCT,
				Body: `{"stage": "approved", "date": "2024-02-20", "level": "city"}`, WantStatus: http.StatusCreated},
			{Name: "Milestone", Method: "POST", URL: ev("WZ-1"), User: "wanzhou", ContentType: jsonCT,
				Body: `{"stage": "milestone", "date": "2024-06-01", "amount_wan": "200"}`, WantStatus: http.StatusCreated, WantContains: []string{`"invested_wan":200`}},
			{Name: "AcceptBelowMilestone", Method: "POST", URL: ev("WZ-1"), User: "wanzhou", ContentType: jsonCT,
				Body: `{"stage": "accepted", "date": "2024-11-20", "amount_wan": "150"}`, WantStatus: http.StatusBadRequest},
			{Name: "Accept", Method: "POST", URL: ev("WZ-1"), User: "wanzhou", ContentType: jsonCT,
				Body: `{"stage": "accepted", "date": "2024-11-20", "amount_wan": "480.5"}`, WantStatus: http.StatusCreated, WantContains: []string{`"actual_wan":480.5`}},
			{Name: "Subsidy", Method: "POST", URL: ev("WZ-1"), User: "admin", ContentType: jsonCT,
				Body: `{"stage": "subsidised", "date": "2024-12-10", "amount_wan": "40", "note": "技改补助"}`, WantStatus: http.StatusCreated, WantContains: []string{`"subsidy_wan":40`}},
			{Name: "AnalystCannotRecord", Method: "POST", URL: ev("WZ-1"), User: "analyst", ContentType: jsonCT,
				Body: `{"stage": "subsidised", "date": "2024-12-11", "amount_wan": "1"}`, WantStatus: http.StatusForbidden},
			// Maturity and the ladder.
			{Name: "MaturityBadLevel", Method: "POST", URL: "/api/v1/digital/firms/{wz-auto}/maturity", User: "wanzhou", ContentType: jsonCT,
				Body: `{"year": 2023, "sme_level": 5, "source": "zjtx"}`, WantStatus: http.StatusBadRequest},
			{Name: "Maturity", Method: "POST", URL: "/api/v1/digital/firms/{wz-auto}/maturity", User: "wanzhou", ContentType: jsonCT,
				Body:       `{"year": 2023, "cmmm_level": 3, "sme_level": 3, "nc_rate_pct": "70.5", "cloud": true, "source": "zjtx", "evidence": "评测报告 2023-118"}`,
				WantStatus: http.StatusOK, WantContains: []string{`"sme_level":3`, `"nc_rate_pct":70.5`}},
			{Name: "Workshop1", Method: "POST", URL: "/api/v1/digital/firms/{wz-auto}/recognitions", User: "wanzhou", ContentType: jsonCT,
				Body: `{"rung": "digital_workshop", "name": "总装数字化车间", "recognised_on": "2024-06-28", "batch": "2024年第一批"}`, WantStatus: http.StatusCreated},
			{Name: "WorkshopTwice", Method: "POST", URL: "/api/v1/digital/firms/{wz-auto}/recognitions", User: "wanzhou", ContentType: jsonCT,
				Body: `{"rung": "digital_workshop", "name": "总装数字化车间", "recognised_on": "2024-06-28"}`, WantStatus: http.StatusConflict},
			{Name: "SmartWithOneWorkshop", Method: "POST", URL: "/api/v1/digital/firms/{wz-auto}/recognitions?lang=en", User: "wanzhou", ContentType: jsonCT,
				Body: `{"rung": "smart_factory", "name": "智能工厂", "recognised_on": "2024-12-20"}`, WantStatus: http.StatusBadRequest,
				WantContains: []string{"digital_workshops is not met: at least 2 required, the data shows 1"}},
			{Name: "ExcellentBefore2024", Method: "POST", URL: "/api/v1/digital/firms/{wz-auto}/recognitions", User: "admin", ContentType: jsonCT,
				Body: `{"rung": "smart_factory_excellent", "name": "卓越级", "recognised_on": "2023-12-20"}`, WantStatus: http.StatusBadRequest},
			{Name: "Workshop2", Method: "POST", URL: "/api/v1/digital/firms/{wz-auto}/recognitions", User: "wanzhou", ContentType: jsonCT,
				Body: `{"rung": "digital_workshop", "name": "冲压数字化车间", "recognised_on": "2024-06-28"}`, WantStatus: http.StatusCreated},
			{Name: "Candidates", URL: "/api/v1/digital/candidates?date=2024-12-01", User: "wanzhou", WantStatus: http.StatusOK,
				WantContains: []string{"万州汽车零部件有限公司", `"rung":"smart_factory"`, `"status":"met"`}},
			{Name: "Smart", Method: "POST", URL: "/api/v1/digital/firms/{wz-auto}/recognitions", User: "wanzhou", ContentType: jsonCT,
				Body: `{"rung": "smart_factory", "name": "汽车零部件智能工厂", "recognised_on": "2024-12-20"}`, WantStatus: http.StatusCreated},
			{Name: "Firm", URL: "/api/v1/digital/firms/{wz-auto}?date=2024-12-31", User: "firm", WantStatus: http.StatusOK,
				WantContains: []string{`"rung":"smart_factory_excellent"`, `"status":"met"`, "汽车零部件智能工厂"}},
			{Name: "FirmOtherDistrict", URL: "/api/v1/digital/firms/{wz-auto}", User: "yuzhong", WantStatus: http.StatusNotFound},
			{Name: "Summary", URL: "/api/v1/digital/summary?from=2023&to=2024", User: "admin", WantStatus: http.StatusOK,
				WantContains: []string{`"approved_total":3`, `"smart_factory":1`, `"clusters":[{`}},
			// Without a year: the latest year the records reach.
			{Name: "SummaryLatest", URL: "/api/v1/digital/summary", User: "admin", WantStatus: http.StatusOK, WantContains: []string{`"from":2018,"to":2024`}},
			// Pages.
			{Name: "Page", URL: "/digital?to=2024", User: "admin", WantStatus: http.StatusOK,
				WantContains: []string{"制造业数字化转型", "digital-apply-form", "digital-import-form", "总装线智能化改造",
					// The city view's district map: every district listed, with the shared shapes.
					"panel-digital-map", "digital_map.js", `"mapUrl":"/static/map/chongqing.json"`, `"code":"500101"`, `"code":"CQ-LJ"`}},
			// One district's view has its figures in the tables; no map.
			{Name: "PageDistrictNoMap", URL: "/digital?to=2024", User: "wanzhou", WantStatus: http.StatusOK,
				WantContains: []string{"digital-years"}, WantNotContains: []string{"panel-digital-map", "digital_map.js"}},
			{Name: "PageEnglishAnalyst", URL: "/digital?to=2024&lang=en", User: "analyst", WantStatus: http.StatusOK,
				WantContains: []string{"Digital transformation", "Districts"}, WantNotContains: []string{"digital-import-form"}},
			{Name: "PageFirmRedirects", URL: "/digital", User: "firm", WantStatus: http.StatusSeeOther},
			{Name: "PageDepartmentForbidden", URL: "/digital", User: "tongji", WantStatus: http.StatusForbidden},
			{Name: "ProjectPage", URL: fmt.Sprintf("/digital/projects/%d", ids["WZ-1"]), User: "wanzhou", WantStatus: http.StatusOK,
				WantContains: []string{"总装线智能化改造", "60.0%", "digital-event-form"}},
			{Name: "FirmPage", URL: "/digital/firms/{wz-auto}", User: "firm", WantStatus: http.StatusOK,
				WantContains: []string{"汽车零部件智能工厂", "评测报告 2023-118"}, WantNotContains: []string{"digital-maturity-form"}},
		})

		// Import: every row checked, all or nothing, a repeat changes nothing.
		_, eb := env.Do(webtest.Scenario{URL: "/api/v1/enterprises/{wz-auto}", User: "admin"})
		code := decode[struct {
			CreditCode string `json:"credit_code"`
		}](t, eb).CreditCode
		header := "项目编号,统一社会信用代码,项目名称,改造类型,应用场景,计划投资（万元）,计划开工日期,计划完工日期,申报日期,认定日期,验收日期,实际投资（万元）,示范项目\n"
		good := header + "IM-1," + code + ",仓储改造,数字化改造,P03,800,2023-03-01,2023-09-30,2023-02-01,2023-02-20,2023-11-01,780,否\n" +
			"IM-2," + code + ",能源监测,绿色化改造,E03;E04,120,2023-04-01,2023-08-31,2023-03-01,,,,\n"
		bad := good + "IM-3,91500000MA00000000,错企业,智能化改造,F01,100,2023-04-01,2023-08-31,2023-03-01,,,,\n" +
			"IM-4," + code + ",坏金额,智能化改造,F01,abc,2023-04-01,2023-08-31,2023-03-01,,,,\n"
		gb, gct := multipart("projects.csv", good)
		bb, bct := multipart("projects.csv", bad)
		env.Run(t, []webtest.Scenario{
			{Name: "ImportBad", Method: "POST", URL: "/api/v1/digital/projects/import", User: "wanzhou", ContentType: bct, Body: bb,
				WantStatus: http.StatusBadRequest, WantContains: []string{"row 4 / credit_code", "row 5 / planned_wan", `"problems"`}},
			{Name: "ImportNothingWritten", URL: "/api/v1/digital/projects?q=IM-", User: "admin", WantStatus: http.StatusOK, WantContains: []string{`"total":0`}},
			{Name: "ImportNoFile", Method: "POST", URL: "/api/v1/digital/projects/import", User: "wanzhou", ContentType: jsonCT, Body: `{}`, WantStatus: http.StatusBadRequest},
			{Name: "ImportOtherDistrict", Method: "POST", URL: "/api/v1/digital/projects/import", User: "yuzhong", ContentType: gct, Body: gb,
				WantStatus: http.StatusBadRequest, WantContains: []string{"credit_code"}},
			{Name: "Import", Method: "POST", URL: "/api/v1/digital/projects/import", User: "wanzhou", ContentType: gct, Body: gb,
				WantStatus: http.StatusOK, WantContains: []string{`"rows":2`, `"inserted":2`}},
			{Name: "ImportAgain", Method: "POST", URL: "/api/v1/digital/projects/import", User: "wanzhou", ContentType: gct, Body: gb,
				WantStatus: http.StatusOK, WantContains: []string{`"unchanged":2`, `"inserted":0`}},
			{Name: "Imported", URL: "/api/v1/digital/projects?q=IM-", User: "admin", WantStatus: http.StatusOK,
				WantContains: []string{`"total":2`, `"stage":"accepted"`, `"level":"district"`}},
		})
	})
}

// The digital schemas match their wire structs field by field.
func TestDigitalOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"DigitalSummary": digitalweb.APIDigitalSummary{}, "DigitalProject": digitalweb.APIDigitalProject{}, "DigitalFirm": digitalweb.APIDigitalFirm{},
		"DigitalCandidates": digitalweb.APIDigitalCandidates{}, "DigitalScenarios": digitalweb.APIDigitalScenarios{}, "DigitalImportResult": digitalweb.APIDigitalImport{},
		"DigitalYear": digitalweb.APIDigitalYear{}, "DigitalMaturity": digitalweb.APIDigitalMaturity{}, "DigitalRecognition": digitalweb.APIDigitalRecog{},
		"DigitalVerdict": digitalweb.APIDigitalVerdict{},
		"DigitalReview":  digitalweb.APIDigitalReview{}, "DigitalReviewEvent": digitalweb.APIDigitalReviewEvent{}, "DigitalReviewInput": digitalweb.APIReviewInput{}},
		map[string]any{"DigitalApply": digitalweb.APIApplyInput{}, "DigitalEventInput": digitalweb.APIEventInput{},
			"DigitalMaturityInput": digitalweb.APIMaturityInput{}, "DigitalRecogniseInput": digitalweb.APIRecogniseInput{}})
}
