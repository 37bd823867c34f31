package web

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

func lday(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// seedListing gives the three fixture firms a listing record:
//
//	wz-auto (万州)  reform 2023-01-10, tutoring 2024-02-07 (agreement 01-31, 中信证券)
//	wz-food (万州)  listed 2022-06-01 on the SZSE main board, IPO 10亿元
//	yz-elec (渝中)  full route, listed 2023-09-01 on STAR, IPO 25.5亿元
//
// At 2024-02-29 the city has 1 firm in tutoring and 2 listed (both
// domestic); 2023's domestic IPO proceeds are 25.5亿元, 155 % above 2022's
// 10亿元. 万州 alone: 1 in tutoring, 1 listed, no 2023 listing.
func seedListing(t *testing.T, env *testEnv) {
	t.Helper()
	recs := []listing.Record{
		{EnterpriseID: env.ids[entWanzhouAuto], Events: []listing.Event{
			{Stage: listing.StageReform, Date: lday("2023-01-10")},
			{Stage: listing.StageTutoring, Date: lday("2024-02-07"), AgreedOn: lday("2024-01-31"), Sponsor: "中信证券股份有限公司"}}},
		{EnterpriseID: env.ids[entWanzhouFood], Events: []listing.Event{
			{Stage: listing.StageListed, Date: lday("2022-06-01"), Board: listing.BoardSZSEMain, Kind: listing.KindIPO, Proceeds: 10 * unit.Yi}}},
		{EnterpriseID: env.ids[entYuzhongElec], Events: []listing.Event{
			{Stage: listing.StageTutoring, Date: lday("2021-03-01"), Sponsor: "国泰君安证券股份有限公司"},
			{Stage: listing.StageAccepted, Date: lday("2022-06-01"), Board: listing.BoardSTAR},
			{Stage: listing.StageReview, Date: lday("2023-03-01")},
			{Stage: listing.StageRegistered, Date: lday("2023-06-01")},
			{Stage: listing.StageListed, Date: lday("2023-09-01"), Board: listing.BoardSTAR, Kind: listing.KindIPO, Proceeds: 255 * unit.Yi / 10}}},
	}
	if _, err := env.store.PutListingRecords(context.Background(), recs, "test"); err != nil {
		t.Fatal(err)
	}
}

func TestListingAPIScenarios(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		seedListing(t, env)
		const d = "date=2024-02-29"
		env.run(t, []scenario{
			{name: "anonymous summary 401", url: "/api/v1/listing/summary", wantStatus: 401},
			{name: "city summary", url: "/api/v1/listing/summary?" + d, user: "admin", wantStatus: 200,
				wantContains: []string{`"date":"2024-02-29"`, `"stage":"tutoring","name_zh":"辅导备案","name_en":"Tutoring filed","count":1`,
					`"stage":"listed","name_zh":"上市","name_en":"Listed","count":2`, `"listed":{"domestic":2,"overseas":0,"total":2}`, `"in_pipeline":1`, `"records":3`}},
			{name: "summary before the filing", url: "/api/v1/listing/summary?date=2024-02-06", user: "analyst", wantStatus: 200,
				wantContains: []string{`"stage":"reform","name_zh":"股份制改造","name_en":"Shareholding reform","count":1`, `"stage":"tutoring","name_zh":"辅导备案","name_en":"Tutoring filed","count":0`}},
			{name: "district summary is its district", url: "/api/v1/listing/summary?" + d, user: "wanzhou", wantStatus: 200,
				wantContains: []string{`"listed":{"domestic":1,"overseas":0,"total":1}`, `"records":2`}},
			{name: "district cannot name another district", url: "/api/v1/listing/summary?region=500103", user: "wanzhou", wantStatus: 403},
			{name: "city narrows to a district", url: "/api/v1/listing/summary?region=500103&" + d, user: "admin", wantStatus: 200,
				wantContains: []string{`"region":"500103"`, `"records":1`}},
			{name: "enterprise users get no aggregates", url: "/api/v1/listing/summary", user: "firm", wantStatus: 403},
			{name: "bad date", url: "/api/v1/listing/summary?date=2024-02-30", user: "admin", wantStatus: 400, wantContains: []string{"date"}},
			{name: "years bad range", url: "/api/v1/listing/years?from=2024&to=2020", user: "admin", wantStatus: 400},
			{name: "years forbidden to enterprise users", url: "/api/v1/listing/years", user: "firm", wantStatus: 403},

			{name: "tutoring list", url: "/api/v1/listing/firms?stage=tutoring&" + d, user: "admin", wantStatus: 200,
				wantContains:    []string{nameWZAuto, `"agreed_on":"2024-01-31"`, `"since":"2024-02-07"`, `"sponsor":"中信证券股份有限公司"`, `"total":1`},
				wantNotContains: []string{nameYZElec, nameWZFood}},
			{name: "list by board", url: "/api/v1/listing/firms?board=sse_star&" + d, user: "admin", wantStatus: 200,
				wantContains: []string{nameYZElec, `"proceeds_wan":255000`, `"total":1`}},
			{name: "district list", url: "/api/v1/listing/firms?" + d, user: "wanzhou", wantStatus: 200,
				wantContains: []string{nameWZAuto, nameWZFood, `"total":2`}, wantNotContains: []string{nameYZElec}},
			{name: "enterprise user lists itself", url: "/api/v1/listing/firms?" + d, user: "firm", wantStatus: 200,
				wantContains: []string{nameWZAuto, `"total":1`}, wantNotContains: []string{nameWZFood, nameYZElec}},
			{name: "bad stage", url: "/api/v1/listing/firms?stage=ipo", user: "admin", wantStatus: 400},
			{name: "history", url: "/api/v1/listing/firms/{yz-elec}", user: "admin", wantStatus: 200,
				wantContains: []string{`"stage":"listed"`, `"seq":5`, `"kind":"ipo"`, `"proceeds_wan":255000`}},
			{name: "history of another district is 404", url: "/api/v1/listing/firms/{yz-elec}", user: "wanzhou", wantStatus: 404, wantNotContains: []string{nameYZElec}},
			{name: "enterprise user's own history", url: "/api/v1/listing/firms/{wz-auto}", user: "firm", wantStatus: 200, wantContains: []string{`"sponsor":"中信证券股份有限公司"`}},
			{name: "enterprise user another history 404", url: "/api/v1/listing/firms/{wz-food}", user: "firm", wantStatus: 404},

			// Recording stage events.
			{name: "enterprise users cannot record", method: "POST", url: "/api/v1/listing/firms/{wz-auto}/events", user: "firm",
				contentType: "application/json", body: `{"stage":"accepted","date":"2024-06-01","board":"sse_star"}`, wantStatus: 403},
			{name: "district cannot record another district", method: "POST", url: "/api/v1/listing/firms/{yz-elec}/events", user: "wanzhou",
				contentType: "application/json", body: `{"stage":"exited","date":"2024-06-01"}`, wantStatus: 404},
			{name: "a skipped stage is refused in words", method: "POST", url: "/api/v1/listing/firms/{wz-auto}/events", user: "wanzhou",
				contentType: "application/json", body: `{"stage":"registered","date":"2024-06-01"}`, wantStatus: 400,
				wantContains: []string{`"code":"invalid"`, "第3项事件：不能从“tutoring”直接进入“registered”"}},
			{name: "refusal in English", method: "POST", url: "/api/v1/listing/firms/{wz-auto}/events?lang=en", user: "wanzhou",
				contentType: "application/json", body: `{"stage":"accepted","date":"2024-01-01","board":"sse_star"}`, wantStatus: 400,
				wantContains: []string{"event 3: date 2024-01-01 is before the previous event's 2024-02-07"}},
			{name: "unknown field", method: "POST", url: "/api/v1/listing/firms/{wz-auto}/events", user: "admin",
				contentType: "application/json", body: `{"stage":"accepted","date":"2024-06-01","bord":"sse_star"}`, wantStatus: 400},
			{name: "inexact proceeds", method: "POST", url: "/api/v1/listing/firms/{wz-auto}/events", user: "admin",
				contentType: "application/json", body: `{"stage":"listed","date":"2024-06-01","board":"sse_star","kind":"other","proceeds_wan":"1.0000001"}`, wantStatus: 400,
				wantContains: []string{"proceeds_wan"}},
			{name: "district records its firm", method: "POST", url: "/api/v1/listing/firms/{wz-auto}/events", user: "wanzhou",
				contentType: "application/json", body: `{"stage":"accepted","date":"2024-06-01","board":"sse_star","expect_events":2}`, wantStatus: 201,
				wantContains: []string{`"stage":"accepted"`, `"seq":3`, `"board":"sse_star"`}},
			{name: "a stale view is a conflict", method: "POST", url: "/api/v1/listing/firms/{wz-auto}/events", user: "admin",
				contentType: "application/json", body: `{"stage":"review","date":"2024-09-01","expect_events":2}`, wantStatus: 409,
				wantContains: []string{"您看到 2 项事件，现有 3 项"}},
			{name: "the analyst reads but may not record", method: "POST", url: "/api/v1/listing/firms/{wz-food}/events", user: "analyst",
				contentType: "application/json", body: `{"stage":"exited","date":"2024-03-01","note":"迁出"}`, wantStatus: 403},
			{name: "admin records an exit", method: "POST", url: "/api/v1/listing/firms/{wz-food}/events", user: "admin",
				contentType: "application/json", body: `{"stage":"exited","date":"2024-03-01","note":"迁出"}`, wantStatus: 201,
				wantContains: []string{`"stage":"exited"`, `"note":"迁出"`}},
			{name: "after the exit one listed remains", url: "/api/v1/listing/summary?date=2024-12-31", user: "admin", wantStatus: 200,
				wantContains: []string{`"listed":{"domestic":1,"overseas":0,"total":1}`, `"stage":"accepted","name_zh":"申报受理","name_en":"Application accepted","count":1`}},
		})
	})
}

func TestListingAPIYears(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	seedListing(t, env)
	get := func(user, url string) apiListingYears {
		t.Helper()
		res, body := env.do(scenario{url: url, user: user})
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", url, res.StatusCode, body)
		}
		var out apiListingYears
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
	if y22.Listings != (apiListingCount{Total: 1, IPO: 1, Domestic: 1, DomesticIPO: 1}) || y22.IPOProceedsYi != 10 || y22.ProceedsGrowthPct != nil {
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
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	seedListing(t, env)
	for _, c := range []struct {
		user, url string
		want      [][2]string // name → stage word
	}{
		{"admin", "/api/v1/listing/firms.xlsx?date=2024-02-29", [][2]string{{nameWZAuto, "辅导备案"}, {nameYZElec, "上市"}, {nameWZFood, "上市"}}},
		{"wanzhou", "/api/v1/listing/firms.xlsx?date=2024-02-29&stage=tutoring", [][2]string{{nameWZAuto, "辅导备案"}}},
		{"admin", "/api/v1/listing/firms.xlsx?date=2024-02-29&stage=listed&lang=en", [][2]string{{nameYZElec, "Listed"}, {nameWZFood, "Listed"}}},
	} {
		res, body := env.do(scenario{url: c.url, user: c.user})
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

// TestListingOpenAPISchemas keeps the listing schemas and wire structs in
// step, field by field.
func TestListingOpenAPISchemas(t *testing.T) {
	checkWireSchemas(t, loadOpenAPI(t), map[string]any{
		"ListedCount": apiListedCount{}, "ListingStageCount": apiListingStageCount{}, "ListingSummary": apiListingSummary{},
		"ListingCount": apiListingCount{}, "ListingYear": apiListingYear{}, "ListingYears": apiListingYears{}, "ListingFirm": apiListingFirm{},
		"ListingPage": apiListingPage{}, "ListingEvent": apiListingEvent{}, "ListingHistory": apiListingHistory{},
	}, map[string]any{"ListingEventInput": apiListingEventInput{}})
}
