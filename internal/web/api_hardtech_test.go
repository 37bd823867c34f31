package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestHardtechAPI(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		json1 := "application/json"
		env.run(t, []scenario{
			{name: "EmptyPool", url: "/api/v1/hardtech", user: "admin", wantStatus: http.StatusOK, wantContains: []string{`"members":[]`, `"years":[]`}},
			{name: "EmptyPage", url: "/hardtech", user: "admin", wantStatus: http.StatusOK, wantContains: []string{`id="hardtech-none"`}},
			// 万州's officer admits a 万州 firm: the base is its December 2023 report.
			{name: "AdmitOwnDistrict", method: "POST", url: "/api/v1/hardtech/2024/members", user: "wanzhou", contentType: json1,
				body: `{"enterprise_id": {wz-auto}, "reasons": "研发投入强度高"}`, wantStatus: http.StatusCreated,
				wantContains: []string{`"base_source":"monthly_report"`, `"base_year":2023`, `"target_year":2026`}},
			{name: "AdmitTwice", method: "POST", url: "/api/v1/hardtech/2024/members", user: "admin", contentType: json1,
				body: `{"enterprise_id": {wz-auto}, "reasons": "again"}`, wantStatus: http.StatusConflict, wantContains: []string{"已在 2024 年帮扶库中"}},
			{name: "AdmitOtherDistrict", method: "POST", url: "/api/v1/hardtech/2024/members", user: "wanzhou", contentType: json1,
				body: `{"enterprise_id": {yz-elec}, "reasons": "x"}`, wantStatus: http.StatusNotFound},
			{name: "AdmitNoReason", method: "POST", url: "/api/v1/hardtech/2024/members", user: "admin", contentType: json1,
				body: `{"enterprise_id": {yz-elec}, "reasons": " "}`, wantStatus: http.StatusBadRequest, wantContains: []string{"请填写理由"}},
			{name: "AdmitNoBaseEnglish", method: "POST", url: "/api/v1/hardtech/2022/members?lang=en", user: "admin", contentType: json1,
				body: `{"enterprise_id": {yz-elec}, "reasons": "x"}`, wantStatus: http.StatusBadRequest, wantContains: []string{"no 2021 operating revenue"}},
			{name: "AdmitNoPolicy", method: "POST", url: "/api/v1/hardtech/2019/members", user: "admin", contentType: json1,
				body: `{"enterprise_id": {yz-elec}, "reasons": "x"}`, wantStatus: http.StatusBadRequest},
			{name: "AdmitBadBody", method: "POST", url: "/api/v1/hardtech/2024/members", user: "admin", contentType: json1,
				body: `{"enterprise": 1}`, wantStatus: http.StatusBadRequest},
			{name: "AnalystCannotAdmit", method: "POST", url: "/api/v1/hardtech/2024/members", user: "analyst", contentType: json1,
				body: `{"enterprise_id": {yz-elec}, "reasons": "x"}`, wantStatus: http.StatusForbidden},
			{name: "FirmCannotAdmit", method: "POST", url: "/api/v1/hardtech/2024/members", user: "firm", contentType: json1,
				body: `{"enterprise_id": {wz-auto}, "reasons": "x"}`, wantStatus: http.StatusForbidden},
			{name: "AdmitYuzhong", method: "POST", url: "/api/v1/hardtech/2024/members", user: "admin", contentType: json1,
				body: `{"enterprise_id": {yz-elec}, "reasons": "城市级推荐"}`, wantStatus: http.StatusCreated},
			{name: "ListAdmin", url: "/api/v1/hardtech?year=2024", user: "admin", wantStatus: http.StatusOK,
				wantContains: []string{"万州汽车零部件有限公司", "渝中电子信息有限公司", `"admitted":2`, `"min_firms":50`, `"meets_minimum":false`, `"required_cagr_pct":25.99`}},
			{name: "ListDistrictScoped", url: "/api/v1/hardtech?year=2024", user: "wanzhou", wantStatus: http.StatusOK,
				wantContains: []string{"万州汽车零部件有限公司"}, wantNotContains: []string{"渝中电子信息有限公司"}},
			{name: "ListOtherRegionForbidden", url: "/api/v1/hardtech?year=2024&region=500103", user: "wanzhou", wantStatus: http.StatusForbidden},
			{name: "ListFilterRegion", url: "/api/v1/hardtech?year=2024&region=500103", user: "admin", wantStatus: http.StatusOK,
				wantContains: []string{"渝中电子信息有限公司"}, wantNotContains: []string{"万州汽车零部件有限公司"}},
			{name: "ListBadStatus", url: "/api/v1/hardtech?status=great", user: "admin", wantStatus: http.StatusBadRequest},
			{name: "ListEnterpriseForbidden", url: "/api/v1/hardtech", user: "firm", wantStatus: http.StatusForbidden},
			{name: "XLSX", url: "/api/v1/hardtech.xlsx?year=2024", user: "analyst", wantStatus: http.StatusOK,
				wantHeader: map[string]string{"Content-Type": "spreadsheetml", "Content-Disposition": "hardtech-2024.xlsx"}},
			{name: "RemoveOtherDistrict", method: "POST", url: "/api/v1/hardtech/2024/members/{wz-auto}/remove", user: "yuzhong", contentType: json1,
				body: `{"reason": "x"}`, wantStatus: http.StatusNotFound},
			{name: "RemoveNoReason", method: "POST", url: "/api/v1/hardtech/2024/members/{wz-auto}/remove", user: "wanzhou", contentType: json1,
				body: `{"reason": ""}`, wantStatus: http.StatusBadRequest},
			{name: "Remove", method: "POST", url: "/api/v1/hardtech/2024/members/{wz-auto}/remove", user: "wanzhou", contentType: json1,
				body: `{"reason": "企业迁出"}`, wantStatus: http.StatusNoContent},
			{name: "RemovedIsExited", url: "/api/v1/hardtech?year=2024&status=exited", user: "admin", wantStatus: http.StatusOK,
				wantContains: []string{"万州汽车零部件有限公司", `"removal_reason":"企业迁出"`, `"active":1`}},
			{name: "Page", url: "/hardtech?year=2024", user: "admin", wantStatus: http.StatusOK,
				wantContains: []string{"硬科技企业帮扶库", "渝中电子信息有限公司", "hardtech-admit", "data-hardtech-remove", "/api/v1/hardtech.xlsx?"}},
			{name: "PageAnalystReadOnly", url: "/hardtech?year=2024&lang=en", user: "analyst", wantStatus: http.StatusOK,
				wantContains: []string{"Hard-tech assistance pool", "Exited"}, wantNotContains: []string{"hardtech-admit"}},
			{name: "PageDistrict", url: "/hardtech?year=2024", user: "yuzhong", wantStatus: http.StatusOK,
				wantContains: []string{"渝中电子信息有限公司"}, wantNotContains: []string{"万州汽车零部件有限公司"}},
			{name: "PageEnterpriseForbidden", url: "/hardtech", user: "firm", wantStatus: http.StatusForbidden},
		})
		// Progress: the 万州 firm's 2024 reports run to June only, so no
		// full year after the 2023 base is known yet.
		_, body := env.do(scenario{url: "/api/v1/hardtech?year=2024", user: "admin"})
		var pool apiHardtechPool
		if err := json.Unmarshal([]byte(body), &pool); err != nil {
			t.Fatal(err)
		}
		if pool.AsOfYear != 2023 || len(pool.Members) != 2 || pool.ByStatus["no_data"] != 1 || pool.ByStatus["exited"] != 1 {
			t.Fatalf("pool %+v", pool)
		}
		if !strings.Contains(body, `"base_revenue_wan"`) {
			t.Fatal(body)
		}
	})
}
