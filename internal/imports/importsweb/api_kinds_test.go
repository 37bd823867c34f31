package importsweb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestImportYearlyKinds exercises POST /api/v1/imports/{profiles,
// mujun-facts,listing} per role and scope, and their templates.
func TestImportYearlyKinds(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		if err := env.Store.PutMujunParks(ctx, []mujun.Park{
			{Code: "WZ-P1", RegionCode: "500101", NameZh: "万州经济技术开发区", NameEn: "Wanzhou ETDZ"},
			{Code: "YZ-P1", RegionCode: "500103", NameZh: "渝中楼宇产业园", NameEn: "Yuzhong Building Park"},
		}); err != nil {
			t.Fatal(err)
		}
		wzAuto := webtest.CreditCode(t, "500101", 1)
		wzFood := webtest.CreditCode(t, "500101", 2)
		yzElec := webtest.CreditCode(t, "500103", 3)
		pHeader := []string{"统一社会信用代码", "年度", "研发人员（人）", "Ⅰ类知识产权（件）", "资产负债率（%）"}
		pRow := func(code, year string) []string { return []string{code, year, "30", "4", "52.5"} }
		mHeader := []string{"统一社会信用代码", "年度", "所在园区", "用电量（千瓦时）", "否决及扣分事项"}
		mRow := func(code, park string) []string { return []string{code, "2024", park, "880000", "无"} }
		lHeader := []string{"统一社会信用代码", "阶段", "日期", "保荐机构", "上市板块", "上市方式", "首发募资（万元）"}
		lRows := func(code string) [][]string {
			return [][]string{{code, "上市后备库", "2022-04-01"}, {code, "股份制改造", "2023-08-15"}}
		}

		env.Run(t, []webtest.Scenario{
			importScenario(t, "admin imports profile facts", "profiles", "admin", pHeader, [][]string{pRow(wzAuto, "2024"), pRow(yzElec, "2024")}, 200,
				[]string{`"kind":"profiles"`, `"inserted":2`}, nil),
			importScenario(t, "the same profile file again changes nothing", "profiles", "admin", pHeader, [][]string{pRow(wzAuto, "2024"), pRow(yzElec, "2024")}, 200,
				[]string{`"inserted":0`, `"updated":0`, `"unchanged":2`}, nil),
			importScenario(t, "district cannot import another district's profile", "profiles", "wanzhou", pHeader,
				[][]string{pRow(wzFood, "2024"), pRow(yzElec, "2023")}, 422,
				[]string{`"row":3`, importer.KeyUnknownEnterprise, "系统中没有该统一社会信用代码的企业"}, []string{`"row":2,`, `"inserted"`}),
			importScenario(t, "enterprise user imports its own profile", "profiles", "firm", pHeader, [][]string{pRow(wzAuto, "2023")}, 200,
				[]string{`"inserted":1`}, nil),
			importScenario(t, "enterprise user cannot import another firm's profile", "profiles", "firm", pHeader, [][]string{pRow(wzFood, "2023")}, 422,
				[]string{importer.KeyUnknownEnterprise}, nil),
			func() webtest.Scenario {
				sc := importScenario(t, "profile errors are reported in the request language", "profiles", "admin", pHeader,
					[][]string{{wzAuto, "2024", "-3", "4", "101"}}, 422,
					[]string{`"row":2`, "must not be negative", "a percentage must be between 0 and 100"}, nil)
				sc.URL += "?lang=en"
				return sc
			}(),

			importScenario(t, "enterprise users cannot import 亩均 facts", "mujun-facts", "firm", mHeader, [][]string{mRow(wzAuto, "WZ-P1")}, 403, nil, nil),
			importScenario(t, "district imports its 亩均 facts", "mujun-facts", "wanzhou", mHeader,
				[][]string{mRow(wzAuto, "WZ-P1"), mRow(wzFood, "万州经济技术开发区")}, 200, []string{`"kind":"mujun-facts"`, `"inserted":2`}, nil),
			importScenario(t, "a park of another district is a warning", "mujun-facts", "yuzhong", mHeader,
				[][]string{mRow(yzElec, "WZ-P1")}, 200, []string{`"inserted":1`, importer.KeyParkOtherRegion}, nil),
			importScenario(t, "district cannot import another district's 亩均 facts", "mujun-facts", "yuzhong", mHeader,
				[][]string{mRow(wzAuto, "YZ-P1")}, 422, []string{importer.KeyUnknownEnterprise}, nil),
			importScenario(t, "unknown park", "mujun-facts", "admin", mHeader,
				[][]string{mRow(wzAuto, "火星园区")}, 422, []string{importer.KeyUnknownPark, "无法识别的园区"}, nil),

			importScenario(t, "enterprise users cannot import listing events", "listing", "firm", lHeader, lRows(wzAuto), 403, nil, nil),
			importScenario(t, "district imports listing events", "listing", "wanzhou", lHeader, lRows(wzAuto), 200,
				[]string{`"kind":"listing"`, `"inserted":1`}, nil),
			importScenario(t, "the same events again change nothing", "listing", "wanzhou", lHeader, lRows(wzAuto), 200,
				[]string{`"unchanged":1`}, nil),
			importScenario(t, "a history that skips a stage is rejected on the row that breaks it", "listing", "analyst", lHeader,
				[][]string{{wzAuto, "申报受理", "2024-03-01", "", "创业板"}}, 422,
				[]string{`"row":2`, `"column":"阶段"`, importer.KeyListingSkip, "不能从“股份制改造”直接进入“申报受理”"}, nil),
			importScenario(t, "district cannot import another district's events", "listing", "wanzhou", lHeader, lRows(yzElec), 422,
				[]string{importer.KeyUnknownEnterprise}, nil),
			{Name: "anonymous import", Method: "POST", URL: "/api/v1/imports/listing", WantStatus: 401},

			{Name: "profile template csv", URL: "/api/v1/imports/profiles/template.csv", User: "firm", WantStatus: 200,
				WantContains: []string{"统一社会信用代码", "研发人员（人）", "资产负债率（%）"}, WantHeader: map[string]string{"Content-Disposition": "ibrain-profiles-template.csv"}},
			{Name: "mujun template csv in English", URL: "/api/v1/imports/mujun-facts/template.csv?lang=en", User: "admin", WantStatus: 200,
				WantContains: []string{"Credit code,Year,Park,Electricity (kWh)", "environmental_penalty"}},
			{Name: "listing template csv", URL: "/api/v1/imports/listing/template.csv", User: "wanzhou", WantStatus: 200,
				WantContains: []string{"保荐机构", "辅导备案", "科创板"}},
		})

		// The rejected files wrote nothing: wz-food has no profile, and the
		// 渝中 firm has only the admin's 2024 row.
		if f, err := env.Store.ProfileFacts(ctx, auth.All(), env.IDs[webtest.EntWanzhouFood]); err != nil || len(f) != 0 {
			t.Errorf("wz-food profile after a rejected file: %+v %v", f, err)
		}
		if f, err := env.Store.ProfileFacts(ctx, auth.All(), env.IDs[webtest.EntYuzhongElec]); err != nil || len(f) != 1 || f[0].Year != 2024 {
			t.Errorf("yz-elec profile: %+v %v", f, err)
		}
		if f, _ := env.Store.ProfileFacts(ctx, auth.All(), env.IDs[webtest.EntWanzhouAuto]); len(f) != 2 || *f[1].Facts.DebtRatio != 5250 || *f[1].Facts.IP.Class1 != 4 {
			t.Errorf("wz-auto profile: %+v", f)
		}
		rec, err := env.Store.ListingRecord(ctx, auth.All(), env.IDs[webtest.EntWanzhouAuto])
		if err != nil || len(rec.Events) != 2 {
			t.Errorf("wz-auto listing after a rejected file: %+v %v", rec.Events, err)
		}
		res, body := env.Do(webtest.Scenario{URL: "/api/v1/imports/listing/template.xlsx?lang=en", User: "admin"})
		if res.StatusCode != 200 {
			t.Fatalf("listing template xlsx: %d", res.StatusCode)
		}
		sh, err := tabular.Read(strings.NewReader(body), "t.xlsx", tabular.Options{})
		if err != nil || len(sh.Rows) != 6 || sh.Header[1] != "Stage" {
			t.Errorf("listing template xlsx: %v, %+v", err, sh)
		}
	})
}
