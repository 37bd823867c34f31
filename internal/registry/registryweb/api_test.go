package registryweb_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/registry/registryweb"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestRegistryAPIScenarios(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			// Sign-in required.
			{Name: "anonymous list is 401 JSON", URL: "/api/v1/enterprises", WantStatus: 401,
				WantContains: []string{`"code":"unauthorized"`, `"error"`}, WantNotContains: []string{webtest.NameWZAuto}},
			{Name: "anonymous profile is 401", URL: "/api/v1/enterprises/{wz-auto}", WantStatus: 401},
			{Name: "anonymous export is 401", URL: "/api/v1/enterprises.csv", WantStatus: 401, WantNotContains: []string{webtest.NameWZAuto}},

			// Reference data.
			{Name: "regions", URL: "/api/v1/regions", User: "firm", WantStatus: 200, WantContains: []string{`"code":"500101"`, `"name_zh":"万州区"`}},
			{Name: "clusters at a date", URL: "/api/v1/clusters?date=2024-06-30", User: "wanzhou", WantStatus: 200, WantContains: []string{`"clusters"`, `"tier"`}},
			{Name: "clusters bad date", URL: "/api/v1/clusters?date=June", User: "wanzhou", WantStatus: 400, WantContains: []string{`"code":"invalid"`}},
			{Name: "indicators", URL: "/api/v1/indicators", User: "analyst", WantStatus: 200, WantContains: []string{`"code":"IND_OUTPUT"`, `"unit"`}},

			// Enterprise list: scope decides the rows.
			{Name: "admin sees all firms", URL: "/api/v1/enterprises", User: "admin", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, webtest.NameWZFood, webtest.NameYZElec, `"total":3`}},
			{Name: "district sees own district", URL: "/api/v1/enterprises", User: "wanzhou", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, webtest.NameWZFood, `"total":2`}, WantNotContains: []string{webtest.NameYZElec}},
			{Name: "district filter cannot widen scope", URL: "/api/v1/enterprises?region=500103", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"total":0`}, WantNotContains: []string{webtest.NameYZElec}},
			{Name: "enterprise user lists only itself", URL: "/api/v1/enterprises", User: "firm", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, `"total":1`}, WantNotContains: []string{webtest.NameWZFood, webtest.NameYZElec}},
			{Name: "search and paging", URL: "/api/v1/enterprises?q=" + "食品" + "&per_page=1&page=1", User: "admin", WantStatus: 200,
				WantContains: []string{webtest.NameWZFood, `"total":1`, `"per_page":1`}, WantNotContains: []string{webtest.NameWZAuto}},
			{Name: "bad size", URL: "/api/v1/enterprises?size=huge", User: "admin", WantStatus: 400, WantContains: []string{"size"}},
			{Name: "bad per_page", URL: "/api/v1/enterprises?per_page=100000", User: "admin", WantStatus: 400},
			{Name: "bearer token works", URL: "/api/v1/enterprises", User: "wanzhou", Bearer: true, WantStatus: 200, WantContains: []string{webtest.NameWZAuto}},

			// Profile and reports: out of scope is 404, like a missing id.
			{Name: "admin profile", URL: "/api/v1/enterprises/{yz-elec}", User: "admin", WantStatus: 200,
				WantContains: []string{webtest.NameYZElec, `"years"`, `"year":2024`, `"titles":[]`}},
			{Name: "district other district profile 404", URL: "/api/v1/enterprises/{yz-elec}", User: "wanzhou", WantStatus: 404,
				WantNotContains: []string{webtest.NameYZElec}},
			{Name: "district other district reports 404", URL: "/api/v1/enterprises/{yz-elec}/reports?from=2023&to=2024", User: "wanzhou", WantStatus: 404,
				WantNotContains: []string{`"months"`}},
			{Name: "district own profile", URL: "/api/v1/enterprises/{wz-food}", User: "wanzhou", WantStatus: 200, WantContains: []string{webtest.NameWZFood}},
			{Name: "enterprise user other firm 404", URL: "/api/v1/enterprises/{wz-food}", User: "firm", WantStatus: 404},
			{Name: "enterprise user other firm reports 404", URL: "/api/v1/enterprises/{wz-food}/reports", User: "firm", WantStatus: 404},
			{Name: "enterprise user own reports", URL: "/api/v1/enterprises/{wz-auto}/reports?from=2024&to=2024", User: "firm", WantStatus: 200,
				WantContains: []string{`"period":"2024-02"`, `"derived":true`, `"single_month"`}},
			{Name: "malformed id 404", URL: "/api/v1/enterprises/abc", User: "admin", WantStatus: 404},
			{Name: "reports bad range", URL: "/api/v1/enterprises/{wz-auto}/reports?from=2024&to=2020", User: "admin", WantStatus: 400},
		})
	})
}

func TestExportScope(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	env.Run(t, []webtest.Scenario{
		{Name: "csv district", URL: "/api/v1/enterprises.csv", User: "wanzhou", WantStatus: 200,
			WantContains: []string{webtest.NameWZAuto, webtest.NameWZFood, "统一社会信用代码"}, WantNotContains: []string{webtest.NameYZElec},
			WantHeader: map[string]string{"Content-Type": "text/csv", "Content-Disposition": "attachment"}},
		{Name: "csv district asking for other district", URL: "/api/v1/enterprises.csv?region=500103", User: "wanzhou", WantStatus: 200,
			WantNotContains: []string{webtest.NameYZElec}},
		{Name: "csv enterprise user", URL: "/api/v1/enterprises.csv", User: "firm", WantStatus: 200,
			WantContains: []string{webtest.NameWZAuto}, WantNotContains: []string{webtest.NameWZFood, webtest.NameYZElec}},
		{Name: "csv english headers", URL: "/api/v1/enterprises.csv?lang=en", User: "admin", WantStatus: 200,
			WantContains: []string{"Credit code", webtest.NameYZElec}},
		{Name: "csv filter", URL: "/api/v1/enterprises.csv?cluster=P2-food", User: "admin", WantStatus: 200,
			WantContains: []string{webtest.NameWZFood}, WantNotContains: []string{webtest.NameWZAuto, webtest.NameYZElec}},
	})

	// The XLSX is a zip, so read it back rather than grep it.
	for _, c := range []struct {
		user       string
		want, deny []string
	}{
		{"wanzhou", []string{webtest.NameWZAuto, webtest.NameWZFood}, []string{webtest.NameYZElec}},
		{"admin", []string{webtest.NameWZAuto, webtest.NameWZFood, webtest.NameYZElec}, nil},
		{"firm", []string{webtest.NameWZAuto}, []string{webtest.NameWZFood, webtest.NameYZElec}},
	} {
		t.Run("xlsx "+c.user, func(t *testing.T) {
			res, body := env.Do(webtest.Scenario{URL: "/api/v1/enterprises.xlsx", User: c.user})
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %.300s", res.StatusCode, body)
			}
			sh, err := tabular.Read(bytes.NewReader([]byte(body)), "x.xlsx", tabular.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range sh.Rows {
				names = append(names, r.Cells[1])
			}
			all := strings.Join(names, "|")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("xlsx lacks %s: %v", w, names)
				}
			}
			for _, d := range c.deny {
				if strings.Contains(all, d) {
					t.Errorf("xlsx contains %s: %v", d, names)
				}
			}
		})
	}
}

// TestReportsDerived checks the single-month derivation through the API:
// a missing previous month makes the derived value unknown (null), never a
// cumulative value passed off as a single month.
func TestReportsDerived(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	res, body := env.Do(webtest.Scenario{URL: "/api/v1/enterprises/{wz-food}/reports?from=2024&to=2024", User: "admin"})
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	var out registryweb.APIReports
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	byPeriod := map[string]registryweb.APIReportMonth{}
	for _, m := range out.Months {
		byPeriod[m.Period] = m
	}
	if _, ok := byPeriod["2024-03"]; ok {
		t.Fatal("2024-03 should be missing from the fixture")
	}
	feb, apr, may := byPeriod["2024-02"], byPeriod["2024-04"], byPeriod["2024-05"]
	if v := feb.Single["output"]; v.Derived || v.Value == nil || *v.Value != feb.Reported["output"] {
		t.Errorf("1–2月 single = %+v, want the reported value %v, not derived", v, feb.Reported["output"])
	}
	if v := apr.Single["output"]; !v.Derived || v.Value != nil {
		t.Errorf("April after a missing March = %+v, want derived and null", v)
	}
	if v := may.Single["output"]; !v.Derived || v.Value == nil || *v.Value != may.Reported["output"]-apr.Reported["output"] {
		t.Errorf("May single = %+v, want %v", v, may.Reported["output"]-apr.Reported["output"])
	}
	if v := may.Single["employees"]; v.Derived || v.Value == nil || *v.Value != 300 {
		t.Errorf("point field single = %+v, want 300 as reported", v)
	}
}

// TestSearchFindsRegistryFirmsWithoutStatistics: a firm in the registry
// without a statistics row (重庆臻宝科技, known from the listing pipeline)
// is found by the list's search on the page and through the API, shown
// without size or figures; the plain list stays the statistical population.
func TestSearchFindsRegistryFirmsWithoutStatistics(t *testing.T) {
	env := webtest.SQLite(t)
	if _, err := env.Store.UpsertEnterprises(context.Background(), []sqlstore.EnterpriseWithYear{{Enterprise: enterprise.Enterprise{
		CreditCode: webtest.CreditCode(t, "500101", 9), Name: "重庆臻宝科技有限公司", RegionCode: "500101", IndustryCode: "3670", Founded: time.Date(2016, 3, 1, 0, 0, 0, 0, time.UTC)}}}); err != nil {
		t.Fatal(err)
	}
	env.Run(t, []webtest.Scenario{
		{Name: "search finds it on the page", URL: "/enterprises?q=" + url.QueryEscape("臻宝"), User: "admin", WantStatus: 200,
			WantContains: []string{"重庆臻宝科技有限公司", "共 1 家企业"}, WantNotContains: []string{"size."}},
		{Name: "search finds it through the API", URL: "/api/v1/enterprises?q=" + url.QueryEscape("臻宝"), User: "wanzhou", WantStatus: 200,
			WantContains: []string{`"name":"重庆臻宝科技有限公司"`, `"year":0`, `"total":1`}},
		{Name: "the plain list is the statistical population", URL: "/enterprises", User: "admin", WantStatus: 200,
			WantContains: []string{"共 3 家企业"}, WantNotContains: []string{"重庆臻宝科技有限公司"}},
	})
}

// TestExportNamesNotCodes reads the Chinese CSV back: yes/no, size, cluster,
// tier and titles are written as names a reader knows, not as the codes
// ("true", "large", "L1-nev", "leading") they are stored as (issue 12).
func TestExportNamesNotCodes(t *testing.T) {
	env := webtest.SQLite(t)
	res, body := env.Do(webtest.Scenario{URL: "/api/v1/enterprises.csv", User: "admin"})
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %.300s", res.StatusCode, body)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 3 {
		t.Fatalf("%d records", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	ascii := regexp.MustCompile(`^[A-Za-z0-9_\-;]+$`)
	for _, rec := range recs[1:] {
		for _, h := range []string{"规上企业", "企业规模", "产业集群", "集群层级", "企业称号"} {
			i, ok := col[h]
			if !ok {
				t.Fatalf("no column %q in %v", h, recs[0])
			}
			if v := rec[i]; ascii.MatchString(v) {
				t.Errorf("%s of %s is the code %q", h, rec[col["企业名称"]], v)
			}
		}
		if v := rec[col["规上企业"]]; v != "规上" && v != "规下" {
			t.Errorf("above-scale cell %q", v)
		}
	}
	if !strings.Contains(body, "新能源汽车") {
		t.Errorf("no cluster name in the export:\n%.600s", body)
	}
}
