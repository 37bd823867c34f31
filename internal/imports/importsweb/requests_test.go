package importsweb_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestDistrictImportRevealsNoOtherDistrict (issue 8, item 6): a district
// officer's enterprise list naming a credit code registered in another
// district gets exactly the answer a brand-new code gets, nothing of the
// other district's firm is written, and the city decides both in its
// confirmation queue, where it alone sees where a code is registered.
func TestDistrictImportRevealsNoOtherDistrict(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		header, _ := importer.EnterpriseTemplate("zh-CN")
		yzElec := webtest.CreditCode(t, "500103", 3) // registered in 渝中
		fresh := webtest.CreditCode(t, "500101", 88) // registered nowhere
		row := func(code string) []string {
			return []string{code, "万州某某有限公司", "万州区", "3670", "2015-06-18", "35.5", "2024", "是", "320", "25800.5"}
		}
		before, err := env.Store.Enterprise(ctx, auth.All(), env.IDs[webtest.EntYuzhongElec])
		if err != nil {
			t.Fatal(err)
		}
		_, elsewhere := env.Do(importScenario(t, "code registered in another district", "enterprises", "wanzhou", header, [][]string{row(yzElec)}, 200, nil, nil))
		_, unknown := env.Do(importScenario(t, "new code", "enterprises", "wanzhou", header, [][]string{row(fresh)}, 200, nil, nil))
		if elsewhere != unknown {
			t.Errorf("the answers differ, so they tell the district which code is registered elsewhere:\n%s\n%s", elsewhere, unknown)
		}
		after, err := env.Store.Enterprise(ctx, auth.All(), env.IDs[webtest.EntYuzhongElec])
		if err != nil {
			t.Fatal(err)
		}
		if after.Name != before.Name || after.RegionCode != before.RegionCode || after.IndustryCode != before.IndustryCode {
			t.Errorf("the other district's firm changed: %+v → %+v", before.Enterprise, after.Enterprise)
		}
		ids, err := env.Store.EnterpriseIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := ids[fresh]; ok {
			t.Fatal("the new firm was written before the city confirmed it")
		}
		// The district's own list shows both requests alike; the city's
		// shows where the code is registered.
		env.Do(webtest.Scenario{URL: "/api/v1/enterprise-requests", User: "wanzhou", WantStatus: 200,
			WantContains: []string{yzElec, fresh, `"state":"pending"`}, WantNotContains: []string{"registered_in", "500103"}})
		env.Run(t, []webtest.Scenario{
			{Name: "the city sees where a code is registered", URL: "/api/v1/enterprise-requests?state=pending", User: "admin", WantStatus: 200,
				WantContains: []string{`"registered_in":"500103"`, fresh}},
			{Name: "another district sees none of them", URL: "/api/v1/enterprise-requests", User: "yuzhong", WantStatus: 200,
				WantNotContains: []string{yzElec, fresh}},
			{Name: "a bad state", URL: "/api/v1/enterprise-requests?state=done", User: "admin", WantStatus: 400},
			{Name: "enterprise users have no queue", URL: "/api/v1/enterprise-requests", User: "firm", WantStatus: 403},
			{Name: "the queue page for the city", URL: "/import/requests", User: "admin", WantStatus: 200,
				WantContains: []string{`id="request-table"`, "data-request-decide", yzElec}},
			{Name: "the queue page for the district: no decisions, no registrations", URL: "/import/requests", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`id="request-table"`, fresh}, WantNotContains: []string{"data-request-decide", "渝中区"}},
		})
		reqs, err := env.App.Imports.EnterpriseRequests(ctx, auth.All(), "pending")
		if err != nil || len(reqs) != 2 {
			t.Fatalf("pending requests: %d, %v", len(reqs), err)
		}
		idOf := map[string]string{}
		for _, q := range reqs {
			idOf[q.Row.Enterprise.CreditCode] = strconv.FormatInt(q.ID, 10)
		}
		decide := "/api/v1/enterprise-requests/"
		env.Run(t, []webtest.Scenario{
			{Name: "a district may not decide", Method: "POST", URL: decide + idOf[fresh] + "/decision", User: "wanzhou", ContentType: "application/json",
				Body: `{"action":"confirm"}`, WantStatus: 403},
			{Name: "refusing needs a reason", Method: "POST", URL: decide + idOf[yzElec] + "/decision", User: "admin", ContentType: "application/json",
				Body: `{"action":"reject"}`, WantStatus: 400},
			{Name: "a bad action", Method: "POST", URL: decide + idOf[yzElec] + "/decision", User: "admin", ContentType: "application/json",
				Body: `{"action":"maybe"}`, WantStatus: 400},
			{Name: "the city refuses the registered code", Method: "POST", URL: decide + idOf[yzElec] + "/decision", User: "admin", ContentType: "application/json",
				Body: `{"action":"reject","reason":"registered in another district"}`, WantStatus: 200, WantContains: []string{`"state":"rejected"`}},
			{Name: "the city confirms the new firm", Method: "POST", URL: decide + idOf[fresh] + "/decision", User: "admin", ContentType: "application/json",
				Body: `{"action":"confirm"}`, WantStatus: 200, WantContains: []string{`"state":"confirmed"`}},
			{Name: "a decided request stays decided", Method: "POST", URL: decide + idOf[fresh] + "/decision", User: "admin", ContentType: "application/json",
				Body: `{"action":"reject","reason":"x"}`, WantStatus: 409},
			{Name: "no such request", Method: "POST", URL: decide + "999999/decision", User: "admin", ContentType: "application/json",
				Body: `{"action":"confirm"}`, WantStatus: 404},
		})
		ids, err = env.Store.EnterpriseIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := env.Store.Enterprise(ctx, auth.All(), ids[fresh])
		if err != nil || got.RegionCode != "500101" || got.Name != "万州某某有限公司" {
			t.Errorf("the confirmed firm: %+v, %v", got.Enterprise, err)
		}
		if after, _ := env.Store.Enterprise(ctx, auth.All(), env.IDs[webtest.EntYuzhongElec]); after.Name != before.Name || after.RegionCode != before.RegionCode {
			t.Errorf("refusing changed the other district's firm: %+v", after.Enterprise)
		}
	})
}
