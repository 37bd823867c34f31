package instrumentsweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/industrybrain/ibrain/internal/instruments/instrumentsweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// multipartBody is a form with a file part and other fields.
func multipartBody(t *testing.T, field, name string, data []byte, fields map[string]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), w.FormDataContentType()
}

// TestInstrumentImportAPI: the template downloaded as XLSX imports into
// the unit administrator's unit; importing it again changes nothing; the
// unit's export imports back unchanged; a file with errors is refused
// with every row's problem in the request language and writes nothing.
func TestInstrumentImportAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		marketFixture(t, env)
		units, err := env.Store.Units(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		swu := units[len(units)-1].ID // 西南大学 sorts after 重庆…
		for _, u := range units {
			if u.Name == "西南大学" {
				swu = u.ID
			}
		}
		res, tpl := env.Do(webtest.Scenario{URL: "/api/v1/instrument-imports/template.xlsx", User: "swuadmin"})
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("template %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		body, ct := multipartBody(t, "file", "仪器模板.xlsx", []byte(tpl), nil)
		bad, badCT := multipartBody(t, "file", "bad.csv", []byte("资产编号,仪器名称,仪器分类,原值（万元）,服务方式\nA-1,电镜,99,100,自主上机\nA-1,电镜,01,0,租赁\n"), nil)
		env.Run(t, []webtest.Scenario{
			{Name: "TemplateCSV", URL: "/api/v1/instrument-imports/template.csv?lang=en", User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{"Asset number", "SB-2019-0001"}},
			{Name: "TemplateScholarForbidden", URL: "/api/v1/instrument-imports/template.csv", User: "scholar", WantStatus: http.StatusForbidden},
			{Name: "DryRun", Method: "POST", URL: "/api/v1/instrument-imports?dry_run=1", User: "swuadmin", ContentType: ct, Body: body,
				WantStatus: http.StatusOK, WantContains: []string{`"inserted":2`, `"dry_run":true`}},
			{Name: "Import", Method: "POST", URL: "/api/v1/instrument-imports", User: "swuadmin", ContentType: ct, Body: body,
				WantStatus: http.StatusOK, WantContains: []string{`"inserted":2`, `"unchanged":0`, fmt.Sprintf(`"unit_id":%d`, swu)}},
			{Name: "ImportAgain", Method: "POST", URL: "/api/v1/instrument-imports", User: "swuadmin", ContentType: ct, Body: body,
				WantStatus: http.StatusOK, WantContains: []string{`"inserted":0`, `"unchanged":2`}},
			{Name: "ImportOperatorNamesUnit", Method: "POST", URL: fmt.Sprintf("/api/v1/instrument-imports?unit_id=%d", swu), User: "bureau", ContentType: ct, Body: body,
				WantStatus: http.StatusOK, WantContains: []string{`"unchanged":2`}},
			{Name: "ImportOperatorWithoutUnit", Method: "POST", URL: "/api/v1/instrument-imports", User: "bureau", ContentType: ct, Body: body, WantStatus: http.StatusBadRequest},
			{Name: "ImportOtherUnitForbidden", Method: "POST", URL: fmt.Sprintf("/api/v1/instrument-imports?unit_id=%d", swu+1000), User: "swuadmin", ContentType: ct, Body: body, WantStatus: http.StatusForbidden},
			{Name: "ImportScholarForbidden", Method: "POST", URL: "/api/v1/instrument-imports", User: "scholar", ContentType: ct, Body: body, WantStatus: http.StatusForbidden},
			{Name: "ImportErrorsZh", Method: "POST", URL: "/api/v1/instrument-imports", User: "swuadmin", ContentType: badCT, Body: bad,
				WantStatus: http.StatusUnprocessableEntity, WantContains: []string{"无法识别的仪器分类", "资产编号与第 2 行重复", "原值须大于 0", `"row":3`}},
			{Name: "ImportErrorsEn", Method: "POST", URL: "/api/v1/instrument-imports?lang=en", User: "swuadmin", ContentType: badCT, Body: bad,
				WantStatus: http.StatusUnprocessableEntity, WantContains: []string{"unknown instrument class", "unknown service mode"}},
			{Name: "ImportNoFile", Method: "POST", URL: "/api/v1/instrument-imports", User: "swuadmin", ContentType: "multipart/form-data; boundary=x", Body: "--x--\r\n", WantStatus: http.StatusBadRequest},
			{Name: "ExportCSV", URL: "/api/v1/instrument-imports/export.csv", User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{"SEM-01", "SB-2019-0001", "SB-2021-0107"}},
		})
		// The export, uploaded as it is, changes nothing.
		res, exp := env.Do(webtest.Scenario{URL: "/api/v1/instrument-imports/export.xlsx", User: "swuadmin"})
		if res.StatusCode != http.StatusOK {
			t.Fatal(res.StatusCode)
		}
		body, ct = multipartBody(t, "file", "export.xlsx", []byte(exp), nil)
		res, out := env.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/instrument-imports", User: "swuadmin", ContentType: ct, Body: body})
		var r instrumentsweb.APIImportResult
		if err := json.Unmarshal([]byte(out), &r); err != nil || res.StatusCode != http.StatusOK || r.Unchanged != 3 || r.Inserted+r.Updated != 0 {
			t.Fatalf("export round trip: %d %s", res.StatusCode, out)
		}
		// The refused file wrote nothing: still three instruments.
		ds, err := env.Store.UnitInstruments(context.Background(), swu)
		if err != nil || len(ds) != 3 {
			t.Fatalf("%d instruments, %v", len(ds), err)
		}
	})
}

// TestInstrumentOpsAPI: rules, windows, qualifications and files through
// the API, by the parties allowed.
func TestInstrumentOpsAPI(t *testing.T) {
	env := webtest.SQLite(t)
	id, item := marketFixture(t, env)
	units, err := env.Store.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var swu int64
	for _, u := range units {
		if u.Name == "西南大学" {
			swu = u.ID
		}
	}
	js := "application/json"
	u := func(f string, a ...any) string { return fmt.Sprintf(f, a...) }
	s1, e1 := slot(10, 2)
	w0, w1 := slot(11, 1)
	s2, e2 := slot(13, 1)
	rules := `{"approval":"manual","lead_minutes":120,"horizon_days":30,"min_block_minutes":30,"max_block_minutes":480,"granularity_minutes":30,` +
		`"daily_quota_minutes":480,"open_from_minute":480,"open_to_minute":1320,"turnaround_days":7,"cancel_free_hours":24,"cancel_fee_permille":200,` +
		`"max_violations":3,"qualification_required":true,"qualification_days":180,"no_show_grace_minutes":15,"no_show_fee_permille":1000,"violation_days":365}`
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64)...)
	photo, photoCT := multipartBody(t, "file", "电镜.png", png, map[string]string{"kind": "photo"})
	html, htmlCT := multipartBody(t, "file", "x.html", []byte("<html><script>alert(1)</script>"), map[string]string{"kind": "photo"})
	env.Run(t, []webtest.Scenario{
		{Name: "UnitRules", URL: u("/api/v1/instrument-units/%d/rules", swu), User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{`"cancel_free_hours":24`}},
		{Name: "PutUnitRules", Method: "PUT", URL: u("/api/v1/instrument-units/%d/rules", swu), User: "swuadmin", ContentType: js, Body: rules,
			WantStatus: http.StatusOK, WantContains: []string{`"qualification_days":180`}},
		{Name: "PutUnitRulesBad", Method: "PUT", URL: u("/api/v1/instrument-units/%d/rules", swu), User: "swuadmin", ContentType: js,
			Body: `{"approval":"sometimes","granularity_minutes":30}`, WantStatus: http.StatusBadRequest},
		{Name: "Book", Method: "POST", URL: u("/api/v1/instruments/%d/orders", id), User: "firm", ContentType: js,
			Body: u(`{"item_id":%d,"start":%q,"end":%q}`, item, s1, e1), WantStatus: http.StatusCreated, WantContains: []string{`"penalty_fen":0`}},
		{Name: "PutRules", Method: "PUT", URL: u("/api/v1/instruments/%d/rules", id), User: "semlab", ContentType: js, Body: rules,
			WantStatus: http.StatusOK, WantContains: []string{`"qualification_required":true`}},
		{Name: "PutRulesScholarForbidden", Method: "PUT", URL: u("/api/v1/instruments/%d/rules", id), User: "scholar", ContentType: js, Body: rules, WantStatus: http.StatusForbidden},
		{Name: "BookUnqualified", Method: "POST", URL: u("/api/v1/instruments/%d/orders?lang=en", id), User: "scholar", ContentType: js,
			Body: u(`{"item_id":%d,"start":%q,"end":%q}`, item, s2, e2), WantStatus: http.StatusForbidden, WantContains: []string{"training qualification"}},
		{Name: "Window", Method: "POST", URL: u("/api/v1/instruments/%d/windows", id), User: "semlab", ContentType: js,
			Body: u(`{"kind":"outage","start":%q,"end":%q,"note":"真空泵故障"}`, w0, w1), WantStatus: http.StatusCreated, WantContains: []string{`"flag":"outage"`, "真空泵故障"}},
		{Name: "WindowBad", Method: "POST", URL: u("/api/v1/instruments/%d/windows", id), User: "semlab", ContentType: js,
			Body: u(`{"kind":"party","start":%q,"end":%q}`, w0, w1), WantStatus: http.StatusBadRequest},
		{Name: "FlagOnOrder", URL: "/api/v1/instrument-orders", User: "firm", WantStatus: http.StatusOK, WantContains: []string{`"flag":"outage"`}},
		{Name: "FlagOnOrdersPage", URL: "/instruments/orders", User: "firm", WantStatus: http.StatusOK, WantContains: []string{`data-flag="outage"`, "故障停机", "真空泵故障"}},
		{Name: "WindowFormForManager", URL: u("/instruments/%d", id), User: "semlab", WantStatus: http.StatusOK, WantContains: []string{"instrument-window", "instruments_ops"}},
		{Name: "Grant", Method: "POST", URL: "/api/v1/instrument-qualifications", User: "semlab", ContentType: js,
			Body: u(`{"user_id":%d,"instrument_id":%d}`, env.Users["scholar"], id), WantStatus: http.StatusCreated, WantContains: []string{`"valid":true`}},
		{Name: "GrantByCustomerForbidden", Method: "POST", URL: "/api/v1/instrument-qualifications", User: "firm", ContentType: js,
			Body: u(`{"user_id":%d,"instrument_id":%d}`, env.Users["scholar"], id), WantStatus: http.StatusForbidden},
		{Name: "OwnQualifications", URL: "/api/v1/instrument-qualifications", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{`"valid":true`}},
		{Name: "UnitQualifications", URL: "/api/v1/instrument-qualifications?scope=unit", User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{`"granted_on"`}},
		{Name: "UnitQualificationsFirmForbidden", URL: "/api/v1/instrument-qualifications?scope=unit", User: "firm", WantStatus: http.StatusForbidden},
		{Name: "Upload", Method: "POST", URL: u("/api/v1/instruments/%d/files", id), User: "semlab", ContentType: photoCT, Body: photo,
			WantStatus: http.StatusCreated, WantContains: []string{`"content_type":"image/png"`, `"name":"电镜.png"`}},
		{Name: "UploadHTML", Method: "POST", URL: u("/api/v1/instruments/%d/files?lang=en", id), User: "semlab", ContentType: htmlCT, Body: html,
			WantStatus: http.StatusBadRequest, WantContains: []string{"Unsupported format"}},
		{Name: "UploadScholarForbidden", Method: "POST", URL: u("/api/v1/instruments/%d/files", id), User: "scholar", ContentType: photoCT, Body: photo, WantStatus: http.StatusForbidden},
		{Name: "Files", URL: u("/api/v1/instruments/%d/files", id), User: "firm", WantStatus: http.StatusOK, WantContains: []string{`"kind":"photo"`}},
		{Name: "PageShowsPhoto", URL: u("/instruments/%d", id), User: "firm", WantStatus: http.StatusOK, WantContains: []string{"instrument-photos", "/api/v1/instrument-files/", "上机资格"}, WantNotContains: []string{"instrument-upload"}},
		{Name: "PageUploadForManager", URL: u("/instruments/%d?lang=en", id), User: "semlab", WantStatus: http.StatusOK, WantContains: []string{"instrument-upload", "Photos and documents"}},
	})
	_, body := env.Do(webtest.Scenario{URL: u("/api/v1/instruments/%d/files", id), User: "firm"})
	var fs instrumentsweb.APIFiles
	if err := json.Unmarshal([]byte(body), &fs); err != nil || len(fs.Files) != 1 {
		t.Fatalf("%v %s", err, body)
	}
	f := fs.Files[0]
	_, body = env.Do(webtest.Scenario{URL: "/api/v1/instrument-qualifications", User: "scholar"})
	var qs instrumentsweb.APIQualifications
	if err := json.Unmarshal([]byte(body), &qs); err != nil || len(qs.Qualifications) != 1 {
		t.Fatalf("%v %s", err, body)
	}
	env.Run(t, []webtest.Scenario{
		{Name: "File", URL: f.URL, User: "firm", WantStatus: http.StatusOK, WantContains: []string{"PNG"},
			WantHeader: map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "Content-Disposition": "UTF-8''%E7%94%B5%E9%95%9C.png"}},
		{Name: "FileNotModified", URL: f.URL, User: "firm", Headers: map[string]string{"If-None-Match": `"` + f.SHA256 + `"`}, WantStatus: http.StatusNotModified},
		{Name: "FileMissing", URL: "/api/v1/instrument-files/999999", User: "firm", WantStatus: http.StatusNotFound},
		{Name: "DeleteByFirmForbidden", Method: "DELETE", URL: f.URL, User: "firm", WantStatus: http.StatusForbidden},
		{Name: "Delete", Method: "DELETE", URL: f.URL, User: "semlab", WantStatus: http.StatusNoContent},
		{Name: "Revoke", Method: "POST", URL: u("/api/v1/instrument-qualifications/%d/revoke", qs.Qualifications[0].ID), User: "semlab", WantStatus: http.StatusOK, WantContains: []string{`"revoked":true`, `"valid":false`}},
		{Name: "RevokeByScholarForbidden", Method: "POST", URL: u("/api/v1/instrument-qualifications/%d/revoke", qs.Qualifications[0].ID), User: "scholar", WantStatus: http.StatusForbidden},
	})
}

// The operations' schemas match their wire structs.
func TestInstrumentOpsSchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"InstrumentImportResult": instrumentsweb.APIImportResult{}, "InstrumentWindowHits": instrumentsweb.APIWindowHits{},
		"InstrumentQualification": instrumentsweb.APIQualification{}, "InstrumentQualifications": instrumentsweb.APIQualifications{},
		"InstrumentFile": instrumentsweb.APIFile{}, "InstrumentFiles": instrumentsweb.APIFiles{}},
		map[string]any{"InstrumentWindowRequest": instrumentsweb.WindowBody{}, "InstrumentQualificationRequest": instrumentsweb.QualificationBody{}})
}
