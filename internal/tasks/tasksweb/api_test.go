package tasksweb_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/tasks/tasksweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

const jsonType = "application/json"

func get[T any](env *webtest.Env, user, url string) T {
	env.T.Helper()
	res, body := env.Do(webtest.Scenario{URL: url, User: user})
	if res.StatusCode != http.StatusOK {
		env.T.Fatalf("GET %s as %s: %d %s", url, user, res.StatusCode, body)
	}
	var out T
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		env.T.Fatal(err)
	}
	return out
}

func row(env *webtest.Env, user, table, code string) tasksweb.APITaskRow {
	env.T.Helper()
	tb := get[tasksweb.APITable](env, user, "/api/v1/tasks/tables/"+table)
	for _, r := range tb.Rows {
		if r.Indicator == code {
			return r
		}
	}
	env.T.Fatalf("table %s has no row %s", table, code)
	return tasksweb.APITaskRow{}
}

func entry(env *webtest.Env, user, code string) tasksweb.APIEntry {
	env.T.Helper()
	for _, e := range get[tasksweb.APIEntries](env, user, "/api/v1/tasks/entries?year=2024").Entries {
		if e.Indicator == code {
			return e
		}
	}
	env.T.Fatalf("no entry %s for %s", code, user)
	return tasksweb.APIEntry{}
}

// upload builds a multipart body with the file.
func upload(t *testing.T, name, content string) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(content))
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), mw.FormDataContentType()
}

// Departmental entry end to end: the table names who owes a row, the
// statistics bureau enters by form and by file, the city returns and
// accepts, publishes the year, and a revision needs a reason and leaves a
// trail; only accepted values reach the table.
func TestDepartmentalEntry(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		tables := get[tasksweb.APITables](env, "analyst", "/api/v1/tasks")
		if len(tables.Tables) != 2 || tables.Tables[0].Code != "mfg-2024" || tables.Tables[0].Rows != 18 || tables.Tables[1].Rows != 21 ||
			tables.Tables[1].Department != "市人力社保局" || tables.Tables[1].Owed != 21 {
			t.Fatalf("tables %+v", tables)
		}
		share := row(env, "admin", "mfg-2024", "MFG_VA_GDP_SHARE")
		if share.Known || share.OwedBy != "市统计局" || share.Source != "manual" || share.Status != "no_data" || share.EntryState != "" {
			t.Fatalf("owed row %+v", share)
		}
		va := row(env, "admin", "mfg-2024", "IND_VA_GROWTH")
		if !va.Known || va.OwedBy != "" || va.Source != "computed" || va.Department != "市经信委运行监测处" {
			t.Fatalf("computed row %+v", va)
		}
		if u := row(env, "admin", "hrss-2024", "HRSS_SURVEYED_UNEMPLOYMENT"); u.Comparator != "~" || u.Target != 5.5 || u.OwedBy != "市人力社保局" {
			t.Fatalf("人社 row %+v", u)
		}

		submit := `{"year": 2024, "changes": [{"indicator": "MFG_VA_GDP_SHARE", "action": "submit", "value": "25.8", "note": "快报"}]}`
		env.Run(t, []webtest.Scenario{
			{Name: "OtherDepartment", Method: "POST", URL: "/api/v1/tasks/entries", User: "keji", ContentType: jsonType, Body: submit, WantStatus: http.StatusForbidden,
				WantContains: []string{"changes[0]", "市统计局"}},
			{Name: "ComputedIndicator", Method: "POST", URL: "/api/v1/tasks/entries", User: "tongji", ContentType: jsonType,
				Body: `{"year": 2024, "changes": [{"indicator": "IND_OUTPUT", "action": "submit", "value": "1"}]}`, WantStatus: http.StatusBadRequest, WantContains: []string{"IND_OUTPUT"}},
			{Name: "NotANumber", Method: "POST", URL: "/api/v1/tasks/entries?lang=en", User: "tongji", ContentType: jsonType,
				Body: `{"year": 2024, "changes": [{"indicator": "MFG_VA_GDP_SHARE", "action": "submit", "value": "25,8%"}]}`, WantStatus: http.StatusBadRequest, WantContains: []string{"not a valid value"}},
			{Name: "DepartmentCannotAccept", Method: "POST", URL: "/api/v1/tasks/reviews", User: "tongji", ContentType: jsonType,
				Body: `{"year": 2024, "changes": [{"indicator": "MFG_VA_GDP_SHARE", "action": "accept"}]}`, WantStatus: http.StatusForbidden},
			{Name: "Submit", Method: "POST", URL: "/api/v1/tasks/entries", User: "tongji", ContentType: jsonType, Body: submit, WantStatus: http.StatusOK, WantContains: []string{`"applied":1`}},
			{Name: "UnderReview", Method: "POST", URL: "/api/v1/tasks/entries", User: "tongji", ContentType: jsonType, Body: submit, WantStatus: http.StatusConflict},
			{Name: "ReturnWithoutReason", Method: "POST", URL: "/api/v1/tasks/reviews", User: "admin", ContentType: jsonType,
				Body: `{"year": 2024, "changes": [{"indicator": "MFG_VA_GDP_SHARE", "action": "return"}]}`, WantStatus: http.StatusBadRequest},
		})
		if r := row(env, "admin", "mfg-2024", "MFG_VA_GDP_SHARE"); r.Known || r.EntryState != "submitted" || r.OwedBy != "市统计局" {
			t.Fatalf("a submitted value counted before acceptance: %+v", r)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "Return", Method: "POST", URL: "/api/v1/tasks/reviews", User: "admin", ContentType: jsonType,
				Body: `{"year": 2024, "changes": [{"indicator": "MFG_VA_GDP_SHARE", "action": "return", "reason": "与年鉴口径不一致"}]}`, WantStatus: http.StatusOK},
			// The entry page's form: a redirect back with the outcome.
			{Name: "FormResubmit", Method: "POST", URL: "/api/v1/tasks/entries?form=1", User: "tongji", ContentType: "application/x-www-form-urlencoded",
				Body: "year=2024&indicator=MFG_VA_GDP_SHARE&action=submit&value=26.1&note=%E5%B9%B4%E6%8A%A5", WantStatus: http.StatusSeeOther,
				WantHeader: map[string]string{"Location": "/tasks/entry?done=1&year=2024"}},
			{Name: "FormError", Method: "POST", URL: "/api/v1/tasks/entries?form=1", User: "tongji", ContentType: "application/x-www-form-urlencoded",
				Body: "year=2024&indicator=MFG_VA_GDP_SHARE&action=submit&value=26.1", WantStatus: http.StatusSeeOther,
				WantHeader: map[string]string{"Location": "error="}},
			{Name: "Accept", Method: "POST", URL: "/api/v1/tasks/reviews?form=1", User: "admin", ContentType: "application/x-www-form-urlencoded",
				Body: "year=2024&indicator=MFG_VA_GDP_SHARE&action=accept", WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "done=1"}},
		})
		if r := row(env, "analyst", "mfg-2024", "MFG_VA_GDP_SHARE"); !r.Known || r.Actual != 26.1 || r.OwedBy != "" || r.EntryState != "accepted" || r.Status != "met" && r.Status != "missed" {
			t.Fatalf("accepted row %+v", r)
		}

		// A file: one bad row refuses the whole file with its line.
		bad, badType := upload(t, "tongji.csv", "indicator,value,note\nDIGITAL_CORE_VA_GROWTH,6.2,ok\nMFG_VA_GDP_SHARE,abc,\n")
		good, goodType := upload(t, "统计局.csv", "指标代码,数值,说明\nDIGITAL_CORE_VA_GROWTH,6.2,年报\n")
		other, otherType := upload(t, "keji.csv", "indicator,value\nNEW_KEY_LABS,9\nDIGITAL_CORE_VA_GROWTH,1\n")
		env.Run(t, []webtest.Scenario{
			{Name: "FileBadRow", Method: "POST", URL: "/api/v1/tasks/entries/import?year=2024", User: "tongji", ContentType: badType, Body: bad,
				WantStatus: http.StatusBadRequest, WantContains: []string{"line 3", "abc"}},
			{Name: "FileOtherDepartmentRow", Method: "POST", URL: "/api/v1/tasks/entries/import?year=2024", User: "keji", ContentType: otherType, Body: other,
				WantStatus: http.StatusForbidden, WantContains: []string{"line 3"}, WantNotContains: []string{"line 2"}},
			{Name: "FileNoColumn", Method: "POST", URL: "/api/v1/tasks/entries/import?year=2024", User: "tongji", ContentType: goodType,
				Body: strings.Replace(good, "数值", "金额", 1), WantStatus: http.StatusBadRequest, WantContains: []string{"数值"}},
		})
		if e := entry(env, "tongji", "DIGITAL_CORE_VA_GROWTH"); e.State != "missing" {
			t.Fatalf("a refused file wrote %+v", e)
		}
		if e := entry(env, "keji", "NEW_KEY_LABS"); e.State != "missing" {
			t.Fatalf("a refused file wrote %+v", e)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "File", Method: "POST", URL: "/api/v1/tasks/entries/import?year=2024", User: "tongji", ContentType: goodType, Body: good,
				WantStatus: http.StatusOK, WantContains: []string{`"applied":1`}},
		})
		if e := entry(env, "tongji", "DIGITAL_CORE_VA_GROWTH"); e.State != "submitted" || e.Value != "6.2" || e.Note != "年报" {
			t.Fatalf("file entry %+v", e)
		}

		// Publish; a revision then needs a reason and keeps the old value
		// counting until it is accepted.
		revise := `{"year": 2024, "changes": [{"indicator": "MFG_VA_GDP_SHARE", "action": "submit", "value": "26.3"%s}]}`
		env.Run(t, []webtest.Scenario{
			{Name: "Publish", Method: "POST", URL: "/api/v1/tasks/locks", User: "admin", ContentType: jsonType, Body: `{"year": 2024, "note": "年报发布"}`,
				WantStatus: http.StatusCreated, WantContains: []string{`"year":2024`, "年报发布"}},
			{Name: "PublishTwice", Method: "POST", URL: "/api/v1/tasks/locks", User: "admin", ContentType: jsonType, Body: `{"year": 2024}`, WantStatus: http.StatusConflict},
			{Name: "RevisionWithoutReason", Method: "POST", URL: "/api/v1/tasks/entries", User: "tongji", ContentType: jsonType,
				Body: strings.Replace(revise, "%s", "", 1), WantStatus: http.StatusBadRequest},
			{Name: "Revision", Method: "POST", URL: "/api/v1/tasks/entries", User: "tongji", ContentType: jsonType,
				Body: strings.Replace(revise, "%s", `, "reason": "年报终审"`, 1), WantStatus: http.StatusOK},
		})
		if r := row(env, "admin", "mfg-2024", "MFG_VA_GDP_SHARE"); r.Actual != 26.1 {
			t.Fatalf("a pending revision changed the counting value: %+v", r)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "AcceptRevisionWithoutReason", Method: "POST", URL: "/api/v1/tasks/reviews", User: "admin", ContentType: jsonType,
				Body: `{"year": 2024, "changes": [{"indicator": "MFG_VA_GDP_SHARE", "action": "accept"}]}`, WantStatus: http.StatusBadRequest},
			{Name: "AcceptRevision", Method: "POST", URL: "/api/v1/tasks/reviews", User: "admin", ContentType: jsonType,
				Body: `{"year": 2024, "changes": [{"indicator": "MFG_VA_GDP_SHARE", "action": "accept", "reason": "核实"}]}`, WantStatus: http.StatusOK},
		})
		if r := row(env, "admin", "mfg-2024", "MFG_VA_GDP_SHARE"); r.Actual != 26.3 {
			t.Fatalf("accepted revision: %+v", r)
		}
		h := get[tasksweb.APIHistory](env, "tongji", "/api/v1/tasks/entries/MFG_VA_GDP_SHARE/history?year=2024")
		if len(h.Events) != 6 {
			t.Fatalf("history %+v", h)
		}
		last := h.Events[5]
		if !last.Revision || last.OldValues != `{"value":"26.1"}` || last.NewValues != `{"value":"26.3"}` || last.Reason != "核实" || last.ActorID != env.Users["admin"] {
			t.Fatalf("revision event %+v", last)
		}
		if ent := get[tasksweb.APIEntries](env, "tongji", "/api/v1/tasks/entries?year=2024"); !ent.Locked || len(ent.Entries) != 2 {
			t.Fatalf("the statistics bureau's entries %+v", ent)
		}

		env.Run(t, []webtest.Scenario{
			{Name: "HistoryOtherDepartment", URL: "/api/v1/tasks/entries/MFG_VA_GDP_SHARE/history?year=2024", User: "keji", WantStatus: http.StatusForbidden},
			{Name: "HistoryComputed", URL: "/api/v1/tasks/entries/IND_OUTPUT/history", User: "admin", WantStatus: http.StatusNotFound},
			{Name: "NoTable", URL: "/api/v1/tasks/tables/nope", User: "admin", WantStatus: http.StatusNotFound},
			// A department sees no enterprise's data.
			{Name: "DepartmentNoFirm", URL: "/api/v1/enterprises/{wz-auto}", User: "tongji", WantStatus: http.StatusNotFound},
			{Name: "DepartmentNoFirms", URL: "/api/v1/enterprises", User: "tongji", WantStatus: http.StatusOK, WantContains: []string{`"items":[]`, `"total":0`}},
			{Name: "TablesPage", URL: "/tasks", User: "tongji", WantStatus: http.StatusOK,
				WantContains: []string{"2024年重庆制造业任务表", "2024年重庆人力社保任务表", "城镇新增就业", "暂无数据 · 待市人力社保局报送", "部门填报", "企业数据计算", "市统计局"}},
			{Name: "TablePageEnglish", URL: "/tasks/tables/hrss-2024?lang=en", User: "admin", WantStatus: http.StatusOK,
				WantContains: []string{"human-resources and social-security task table", "owed by 市人力社保局", "≈ 5.5"}},
			{Name: "EntryPageDepartment", URL: "/tasks/entry", User: "tongji", WantStatus: http.StatusOK,
				WantContains: []string{`id="upload-form"`, "MFG_VA_GDP_SHARE", "DIGITAL_CORE_VA_GROWTH", `id="year-locked"`}, WantNotContains: []string{"NEW_KEY_LABS", `id="publish-form"`}},
			{Name: "EntryPageReviewer", URL: "/tasks/entry?year=2024", User: "admin", WantStatus: http.StatusOK,
				WantContains: []string{"NEW_KEY_LABS", "HRSS_NEW_URBAN_JOBS", `class="inline review-form"`, `id="pending"`}, WantNotContains: []string{`id="upload-form"`, `id="publish-form"`}},
			{Name: "EntryPageDistrictForbidden", URL: "/tasks/entry", User: "wanzhou", WantStatus: http.StatusForbidden},
			{Name: "DepartmentHome", URL: "/", User: "tongji", WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "/tasks/entry"}},
		})
	})
}

// The module's schemas match their wire structs field by field.
func TestTasksOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"TaskTables": tasksweb.APITables{}, "TaskTableSummary": tasksweb.APITableSummary{}, "TaskTable": tasksweb.APITable{}, "TaskRow": tasksweb.APITaskRow{},
		"TaskEntries": tasksweb.APIEntries{}, "TaskEntry": tasksweb.APIEntry{}, "TaskApplied": tasksweb.APIApplied{},
		"TaskHistory": tasksweb.APIHistory{}, "TaskEvent": tasksweb.APIEvent{}, "TaskLock": tasksweb.APILock{},
	}, map[string]any{"TaskChanges": tasksweb.APIChanges{}, "TaskChange": tasksweb.APIChange{}, "TaskLockBody": tasksweb.APILockBody{}})
}
