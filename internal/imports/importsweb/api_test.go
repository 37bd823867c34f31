package importsweb_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/imports/importsweb"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// uploadBody builds a multipart body with one file field named field.
func uploadBody(t *testing.T, field, filename string, content []byte) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("note", "ignored")
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), mw.FormDataContentType()
}

// csvFile writes a CSV import file through tabular.WriteCSV.
func csvFile(t *testing.T, header []string, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tabular.WriteCSV(&b, header, rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// importScenario uploads rows as a CSV to the import endpoint of kind.
func importScenario(t *testing.T, name, kind, user string, header []string, rows [][]string, status int, contains, notContains []string) webtest.Scenario {
	body, ct := uploadBody(t, "file", kind+".csv", csvFile(t, header, rows))
	return webtest.Scenario{Name: name, Method: "POST", URL: "/api/v1/imports/" + kind, User: user, Body: body, ContentType: ct,
		WantStatus: status, WantContains: contains, WantNotContains: notContains}
}

func TestImports(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		entHeader, entExample := importer.EnterpriseTemplate("zh-CN")
		repHeader, repExample := importer.ReportTemplate("zh-CN")
		wzAuto := webtest.CreditCode(t, "500101", 1)
		wzFood := webtest.CreditCode(t, "500101", 2)
		yzElec := webtest.CreditCode(t, "500103", 3)
		newWZ := webtest.CreditCode(t, "500101", 77)
		entRow := func(code, name, region string) []string {
			return []string{code, name, region, "3670", "2015-06-18", "35.5", "2024", "是", "320", "25800.5"}
		}
		// repRow is a report continuing the fixture's series (every money
		// field equal, so value added is 100 % of output: the va_ratio
		// warning), which the rules pass without a hard error.
		repRow := func(code, period, wan string) []string {
			return []string{code, period, wan, wan, wan, wan, wan, wan, wan, wan + "000", "300"}
		}

		env.Run(t, []webtest.Scenario{
			importScenario(t, "admin imports the template examples", "enterprises", "admin", entHeader, entExample, 200,
				[]string{`"inserted":2`, `"kind":"enterprises"`}, nil),
			importScenario(t, "the same file again changes nothing", "enterprises", "admin", entHeader, entExample, 200,
				[]string{`"inserted":0`, `"unchanged":2`}, nil),
			importScenario(t, "district cannot import another district's firm", "enterprises", "wanzhou", entHeader,
				[][]string{entRow(newWZ, "万州新企业有限公司", "万州区"), entRow(webtest.CreditCode(t, "500112", 78), "渝北企业有限公司", "渝北区")}, 422,
				[]string{`"row":3`, "api.err.import_scope", "超出您的数据权限范围"}, []string{`"inserted"`}),
			// Another district's firm is not pulled in; like a new code it
			// waits for the city (TestDistrictImportRevealsNoOtherDistrict).
			importScenario(t, "district cannot pull a firm in from another district", "enterprises", "wanzhou", entHeader,
				[][]string{entRow(yzElec, "渝中电子信息有限公司", "万州区")}, 200,
				[]string{`"pending_confirmation":1`, `"inserted":0`, `"updated":0`}, nil),
			importScenario(t, "district updates its own firm", "enterprises", "wanzhou", entHeader,
				[][]string{entRow(wzAuto, "万州汽车零部件有限公司", "万州区")}, 200,
				[]string{`"updated":1`, `"pending_confirmation":0`}, nil),
			importScenario(t, "a firm new to the district waits for the city", "enterprises", "wanzhou", entHeader,
				[][]string{entRow(newWZ, "万州新企业有限公司", "万州区")}, 200,
				[]string{`"inserted":0`, `"pending_confirmation":1`}, nil),
			importScenario(t, "enterprise users cannot import lists", "enterprises", "firm", entHeader, entExample, 403, nil, nil),
			importScenario(t, "invalid rows are all reported, in English when asked", "enterprises", "admin", entHeader,
				[][]string{entRow("91500000XXXXXXXXXX", "坏代码公司", "万州区"), entRow(newWZ, "", "火星区")}, 422,
				[]string{`"row":2`, `"row":3`, `"code":"invalid"`, `"rows":[`}, []string{`"inserted"`}),

			importScenario(t, "enterprise user imports own reports", "reports", "firm", repHeader,
				[][]string{repRow(wzAuto, "2024-07", "77"), repRow(wzAuto, "2024-08", "88")}, 200,
				[]string{`"inserted":0`, `"for_review":2`, `"kind":"reports"`}, nil),
			// 9,000,000,000,000 万元 is past what a file cell may hold at all:
			// refused while reading, before any rule runs.
			importScenario(t, "an enterprise's absurd report is refused while reading", "reports", "firm", repHeader,
				[][]string{repRow(wzAuto, "2024-07", "9000000000000")}, 422,
				[]string{"import.err.number_range"}, nil),
			importScenario(t, "an enterprise's implausible report is refused by the rules", "reports", "firm", repHeader,
				[][]string{repRow(wzAuto, "2024-07", "90000000")}, 400,
				[]string{"size_bound.output"}, nil),
			importScenario(t, "enterprise user cannot import another firm's reports", "reports", "firm", repHeader,
				[][]string{repRow(wzAuto, "2024-09", "99"), repRow(wzFood, "2024-07", "154")}, 422,
				[]string{`"row":3`, importer.KeyUnknownEnterprise}, []string{`"row":2,`}),
			importScenario(t, "district cannot import another district's reports", "reports", "wanzhou", repHeader,
				[][]string{repRow(yzElec, "2024-07", "100")}, 422,
				[]string{importer.KeyUnknownEnterprise}, nil),
			importScenario(t, "district imports its own firm's reports", "reports", "wanzhou", repHeader,
				[][]string{repRow(wzFood, "2024-07", "154")}, 200, []string{`"inserted":0`, `"for_review":1`}, nil),
			importScenario(t, "city analyst imports any reports", "reports", "analyst", repHeader, [][]string{repRow(yzElec, "2024-07", "231")}, 200,
				[]string{`"for_review":1`}, nil),
			importScenario(t, "a June below the stored May is refused across files", "reports", "admin", repHeader, [][]string{repRow(yzElec, "2024-06", "1")}, 400,
				[]string{"cumulative.output"}, nil),
			importScenario(t, "template examples import once their firm exists", "reports", "admin", repHeader, repExample, 200,
				[]string{`"inserted":2`}, nil),
			importScenario(t, "reports for an unregistered firm are rejected", "reports", "admin", repHeader,
				[][]string{repRow(webtest.CreditCode(t, "500101", 99), "2024-07", "1")}, 422, []string{importer.KeyUnknownEnterprise}, nil),
			{Name: "no file field", Method: "POST", URL: "/api/v1/imports/reports", User: "admin",
				Body:        func() string { b, _ := uploadBody(t, "other", "x.csv", []byte("a,b\n1,2\n")); return b }(),
				ContentType: "multipart/form-data; boundary=x", WantStatus: 400},
			{Name: "not multipart", Method: "POST", URL: "/api/v1/imports/reports", User: "admin", Body: "a,b", ContentType: "text/csv",
				WantStatus: 400, WantContains: []string{`"code":"invalid"`}},
			{Name: "anonymous import", Method: "POST", URL: "/api/v1/imports/reports", WantStatus: 401},

			{Name: "template csv", URL: "/api/v1/imports/enterprises/template.csv", User: "firm", WantStatus: 200,
				WantContains: []string{"统一社会信用代码"}, WantHeader: map[string]string{"Content-Disposition": "ibrain-enterprises-template.csv"}},
			{Name: "template csv english", URL: "/api/v1/imports/reports/template.csv?lang=en", User: "firm", WantStatus: 200,
				WantContains: []string{"Credit code,Period,Gross industrial output (¥10k)"}, WantNotContains: []string{"credit_code"}},
			{Name: "template unknown kind", URL: "/api/v1/imports/users/template.xlsx", User: "admin", WantStatus: 404},
		})

		// The rejected files above wrote nothing: 3 fixture firms, 2 from
		// the template, 1 from the district.
		_, body := env.Do(webtest.Scenario{URL: "/api/v1/enterprises?year=2024&per_page=100", User: "admin"})
		var page struct { // the fields of the registry's EnterprisePage read here
			Total int `json:"total"`
			Items []struct {
				Name       string `json:"name"`
				CreditCode string `json:"credit_code"`
				RegionCode string `json:"region_code"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		// The fixture's 3 and the template's 2; the district's new firm
		// waits for the city.
		if page.Total != 5 {
			t.Errorf("after imports: %d enterprises, want 5", page.Total)
		}
		for _, it := range page.Items {
			if it.Name == "渝北企业有限公司" || it.Name == "坏代码公司" {
				t.Errorf("a rejected row was written: %s", it.Name)
			}
			if it.CreditCode == yzElec && it.RegionCode != "500103" {
				t.Errorf("渝中 firm moved to %s", it.RegionCode)
			}
		}
		// The template XLSX is readable and has the header.
		res, xbody := env.Do(webtest.Scenario{URL: "/api/v1/imports/reports/template.xlsx", User: "admin"})
		if res.StatusCode != 200 {
			t.Fatalf("template xlsx: %d", res.StatusCode)
		}
		sh, err := tabular.Read(strings.NewReader(xbody), "t.xlsx", tabular.Options{})
		if err != nil || len(sh.Rows) != len(repExample) || sh.Header[0] != repHeader[0] {
			t.Errorf("template xlsx: %v, %+v", err, sh)
		}
	})
}

func TestImportErrorMessagesLocalised(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	header, _ := importer.EnterpriseTemplate("en")
	sc := importScenario(t, "", "enterprises", "admin", header, [][]string{{"bad", "Name", "Wanzhou", "3670", "2015-06-18", "1", "2024", "Y", "10", "10"}}, 422, nil, nil)
	sc.URL += "?lang=en"
	_, body := env.Do(sc)
	var out importsweb.APIImportRejected
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(out.Error.Rows) == 0 {
		t.Fatalf("no row errors: %s", body)
	}
	for _, re := range out.Error.Rows {
		if re.Message == "" || re.Message == re.Code || strings.ContainsAny(re.Message, "的请") {
			t.Errorf("row error not rendered in English: %+v", re)
		}
	}
	if !strings.Contains(out.Error.Message, "nothing was written") {
		t.Errorf("summary = %q", out.Error.Message)
	}
}
