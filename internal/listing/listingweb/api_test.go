package listingweb_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/listing/listingweb"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func lday(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestListingAPIScenarios(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		webtest.SeedListing(t, env)
		const d = "date=2024-02-29"
		env.Run(t, []webtest.Scenario{
			{Name: "anonymous summary 401", URL: "/api/v1/listing/summary", WantStatus: 401},
			{Name: "city summary", URL: "/api/v1/listing/summary?" + d, User: "admin", WantStatus: 200,
				WantContains: []string{`"date":"2024-02-29"`, `"stage":"tutoring","name_zh":"辅导备案","name_en":"Tutoring filed","count":1`,
					`"stage":"listed","name_zh":"上市","name_en":"Listed","count":2`, `"listed":{"domestic":2,"overseas":0,"total":2}`, `"in_pipeline":1`, `"records":3`}},
			{Name: "summary before the filing", URL: "/api/v1/listing/summary?date=2024-02-06", User: "analyst", WantStatus: 200,
				WantContains: []string{`"stage":"reform","name_zh":"股份制改造","name_en":"Shareholding reform","count":1`, `"stage":"tutoring","name_zh":"辅导备案","name_en":"Tutoring filed","count":0`}},
			{Name: "district summary is its district", URL: "/api/v1/listing/summary?" + d, User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"listed":{"domestic":1,"overseas":0,"total":1}`, `"records":2`}},
			{Name: "district cannot name another district", URL: "/api/v1/listing/summary?region=500103", User: "wanzhou", WantStatus: 403},
			{Name: "city narrows to a district", URL: "/api/v1/listing/summary?region=500103&" + d, User: "admin", WantStatus: 200,
				WantContains: []string{`"region":"500103"`, `"records":1`}},
			{Name: "enterprise users get no aggregates", URL: "/api/v1/listing/summary", User: "firm", WantStatus: 403},
			{Name: "bad date", URL: "/api/v1/listing/summary?date=2024-02-30", User: "admin", WantStatus: 400, WantContains: []string{"date"}},
			{Name: "years bad range", URL: "/api/v1/listing/years?from=2024&to=2020", User: "admin", WantStatus: 400},
			{Name: "years forbidden to enterprise users", URL: "/api/v1/listing/years", User: "firm", WantStatus: 403},

			{Name: "tutoring list", URL: "/api/v1/listing/firms?stage=tutoring&" + d, User: "admin", WantStatus: 200,
				WantContains:    []string{webtest.NameWZAuto, `"agreed_on":"2024-01-31"`, `"since":"2024-02-07"`, `"sponsor":"中信证券股份有限公司"`, `"total":1`},
				WantNotContains: []string{webtest.NameYZElec, webtest.NameWZFood}},
			{Name: "list by board", URL: "/api/v1/listing/firms?board=sse_star&" + d, User: "admin", WantStatus: 200,
				WantContains: []string{webtest.NameYZElec, `"proceeds_wan":255000`, `"total":1`}},
			{Name: "district list", URL: "/api/v1/listing/firms?" + d, User: "wanzhou", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, webtest.NameWZFood, `"total":2`}, WantNotContains: []string{webtest.NameYZElec}},
			{Name: "enterprise user lists itself", URL: "/api/v1/listing/firms?" + d, User: "firm", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, `"total":1`}, WantNotContains: []string{webtest.NameWZFood, webtest.NameYZElec}},
			{Name: "bad stage", URL: "/api/v1/listing/firms?stage=ipo", User: "admin", WantStatus: 400},
			{Name: "history", URL: "/api/v1/listing/firms/{yz-elec}", User: "admin", WantStatus: 200,
				WantContains: []string{`"stage":"listed"`, `"seq":5`, `"kind":"ipo"`, `"proceeds_wan":255000`}},
			{Name: "history of another district is 404", URL: "/api/v1/listing/firms/{yz-elec}", User: "wanzhou", WantStatus: 404, WantNotContains: []string{webtest.NameYZElec}},
			{Name: "enterprise user's own history", URL: "/api/v1/listing/firms/{wz-auto}", User: "firm", WantStatus: 200, WantContains: []string{`"sponsor":"中信证券股份有限公司"`}},
			{Name: "enterprise user another history 404", URL: "/api/v1/listing/firms/{wz-food}", User: "firm", WantStatus: 404},

			// Recording stage events.
			{Name: "enterprise users cannot record", Method: "POST", URL: "/api/v1/listing/firms/{wz-auto}/events", User: "firm",
				ContentType: "application/json", Body: `{"stage":"accepted","date":"2024-06-01","board":"sse_star"}`, WantStatus: 403},
			{Name: "district cannot record another district", Method: "POST", URL: "/api/v1/listing/firms/{yz-elec}/events", User: "wanzhou",
				ContentType: "application/json", Body: `{"stage":"exited","date":"2024-06-01"}`, WantStatus: 404},
			{Name: "a skipped stage is refused in words", Method: "POST", URL: "/api/v1/listing/firms/{wz-auto}/events", User: "wanzhou",
				ContentType: "application/json", Body: `{"stage":"registered","date":"2024-06-01"}`, WantStatus: 400,
				WantContains: []string{`"code":"invalid"`, "第3项事件：不能从“tutoring”直接进入“registered”"}},
			{Name: "refusal in English", Method: "POST", URL: "/api/v1/listing/firms/{wz-auto}/events?lang=en", User: "wanzhou",
				ContentType: "application/json", Body: `{"stage":"accepted","date":"2024-01-01","board":"sse_star"}`, WantStatus: 400,
				WantContains: []string{"event 3: date 2024-01-01 is before the previous event's 2024-02-07"}},
			{Name: "unknown field", Method: "POST", URL: "/api/v1/listing/firms/{wz-auto}/events", User: "admin",
				ContentType: "application/json", Body: `{"stage":"accepted","date":"2024-06-01","bord":"sse_star"}`, WantStatus: 400},
			{Name: "inexact proceeds", Method: "POST", URL: "/api/v1/listing/firms/{wz-auto}/events", User: "admin",
				ContentType: "application/json", Body: `{"stage":"listed","date":"2024-06-01","board":"sse_star","kind":"other","proceeds_wan":"1.0000001"}`, WantStatus: 400,
				WantContains: []string{"proceeds_wan"}},
			{Name: "district records its firm", Method: "POST", URL: "/api/v1/listing/firms/{wz-auto}/events", User: "wanzhou",
				ContentType: "application/json", Body: `{"stage":"accepted","date":"2024-06-01","board":"sse_star","expect_events":2}`, WantStatus: 201,
				WantContains: []string{`"stage":"accepted"`, `"seq":3`, `"board":"sse_star"`}},
			{Name: "a stale view is a conflict", Method: "POST", URL: "/api/v1/listing/firms/{wz-auto}/events", User: "admin",
				ContentType: "application/json", Body: `{"stage":"review","date":"2024-09-01","expect_events":2}`, WantStatus: 409,
				WantContains: []string{"您看到 2 项事件，现有 3 项"}},
			{Name: "the analyst reads but may not record", Method: "POST", URL: "/api/v1/listing/firms/{wz-food}/events", User: "analyst",
				ContentType: "application/json", Body: `{"stage":"exited","date":"2024-03-01","note":"迁出"}`, WantStatus: 403},
			{Name: "admin records an exit", Method: "POST", URL: "/api/v1/listing/firms/{wz-food}/events", User: "admin",
				ContentType: "application/json", Body: `{"stage":"exited","date":"2024-03-01","note":"迁出"}`, WantStatus: 201,
				WantContains: []string{`"stage":"exited"`, `"note":"迁出"`}},
			{Name: "after the exit one listed remains", URL: "/api/v1/listing/summary?date=2024-12-31", User: "admin", WantStatus: 200,
				WantContains: []string{`"listed":{"domestic":1,"overseas":0,"total":1}`, `"stage":"accepted","name_zh":"申报受理","name_en":"Application accepted","count":1`}},
		})
	})
}

func TestListingAPIYears(t *testing.T) {
	env := webtest.SQLite(t)
	webtest.SeedListing(t, env)
	get := func(user, url string) listingweb.APIListingYears {
		t.Helper()
		res, body := env.Do(webtest.Scenario{URL: url, User: user})
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", url, res.StatusCode, body)
		}
		var out listingweb.APIListingYears
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	city := get("admin", "/api/v1/listing/years?from=2022&to=2023")
	if len(city.Years) != 2 {
		t.Fatalf("years %+v", city.Years)
	}
	y22, y23 := city.Years[0], city.Years[1]
	if y22.Listings != (listingweb.APIListingCount{Total: 1, IPO: 1, Domestic: 1, DomesticIPO: 1}) || y22.IPOProceedsYi != 10 || y22.ProceedsGrowthPct != nil {
		t.Fatalf("2022 %+v", y22)
	}
	// (25.5 ÷ 10 − 1) × 100 = 155.
	if y23.Listings.Total != 1 || y23.IPOProceedsYi != 25.5 || y23.ProceedsGrowthPct == nil || math.Abs(*y23.ProceedsGrowthPct-155) > 1e-9 {
		t.Fatalf("2023 %+v", y23)
	}
	if y23.Entered["review"] != 1 || y23.Entered["registered"] != 1 || y23.ListedAtEnd.Total != 2 || y23.InTutoringAtEnd != 0 || y22.Entered["accepted"] != 1 {
		t.Fatalf("2023 transitions %+v", y23)
	}
	// 万州 alone: nothing raised in 2023, all of 2022's 10亿 gone: −100 %.
	wz := get("wanzhou", "/api/v1/listing/years?from=2023&to=2024")
	if g := wz.Years[0].ProceedsGrowthPct; g == nil || *g != -100 || wz.Years[0].Listings.Total != 0 || wz.Years[1].NewTutoring != 1 {
		t.Fatalf("万州 %+v", wz.Years)
	}
}

func TestListingAPIExport(t *testing.T) {
	env := webtest.SQLite(t)
	webtest.SeedListing(t, env)
	for _, c := range []struct {
		user, url string
		want      [][2]string // name → stage word
	}{
		{"admin", "/api/v1/listing/firms.xlsx?date=2024-02-29", [][2]string{{webtest.NameWZAuto, "辅导备案"}, {webtest.NameYZElec, "上市"}, {webtest.NameWZFood, "上市"}}},
		{"wanzhou", "/api/v1/listing/firms.xlsx?date=2024-02-29&stage=tutoring", [][2]string{{webtest.NameWZAuto, "辅导备案"}}},
		{"admin", "/api/v1/listing/firms.xlsx?date=2024-02-29&stage=listed&lang=en", [][2]string{{webtest.NameYZElec, "Listed"}, {webtest.NameWZFood, "Listed"}}},
	} {
		res, body := env.Do(webtest.Scenario{URL: c.url, User: c.user})
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("%s: %d %s", c.url, res.StatusCode, res.Header.Get("Content-Type"))
		}
		sh, err := tabular.Read(bytes.NewReader([]byte(body)), "x.xlsx", tabular.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got [][2]string
		for _, r := range sh.Rows {
			got = append(got, [2]string{r.Cells[1], r.Cells[3]})
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s as %s: %v, want %v", c.url, c.user, got, c.want)
		}
		if c.user == "admin" && strings.Contains(c.url, "stage=listed") {
			if sh.Header[9] != "IPO proceeds (¥10k)" || sh.Rows[0].Cells[9] != "255000" {
				t.Errorf("proceeds column %q = %q", sh.Header[9], sh.Rows[0].Cells[9])
			}
		}
	}
}
