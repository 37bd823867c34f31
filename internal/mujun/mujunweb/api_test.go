package mujunweb_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/mujun/mujunweb"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestMujunAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		webtest.SeedMujun(t, env)
		bad := webtest.MujunConfig2023(t)
		bad.Groups[0].Indicators[0].Weight = 40 // above-scale weights now sum to 115
		bad.Classes.Cutoff.Shares[0].Pct = 30   // shares now sum to 110
		badBody, _ := json.Marshal(bad)
		wz, yz, food := webtest.NameWZAuto, webtest.NameYZElec, webtest.NameWZFood
		env.Run(t, []webtest.Scenario{
			// Configurations.
			{Name: "configs listed", URL: "/api/v1/mujun/configs", User: "firm", WantStatus: 200,
				WantContains: []string{`"id":"chongqing_2024"`, `"builtin":true`, `"id":"chongqing_2023"`, `"version":2`}},
			{Name: "one config", URL: "/api/v1/mujun/configs/chongqing_2023?version=1", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"method":"rank_share"`, `"version":1`}},
			{Name: "unknown config 404", URL: "/api/v1/mujun/configs/nope", User: "admin", WantStatus: 404},
			{Name: "invalid config lists every problem in Chinese", Method: "POST", URL: "/api/v1/mujun/configs", User: "admin", Body: string(badBody),
				ContentType: "application/json", WantStatus: 400,
				WantContains: []string{`"code":"invalid"`, `"problems"`, `"path":"groups[0].indicators"`, `"code":"weight_sum"`, "above_scale 组权重之和为 115，应为 100",
					`"path":"classes.cutoff.shares"`, "各类比例之和为 110%", "配置有 2 处问题"}},
			{Name: "invalid config in English", Method: "POST", URL: "/api/v1/mujun/configs?lang=en", User: "admin", Body: string(badBody),
				ContentType: "application/json", WantStatus: 400, WantContains: []string{"weights of above_scale sum to 115, not 100", "shares sum to 110%, not 100%", "has 2 problems"}},
			{Name: "malformed JSON is 400", Method: "POST", URL: "/api/v1/mujun/configs", User: "admin", Body: `{"id": "x", "groups": [`,
				ContentType: "application/json", WantStatus: 400, WantContains: []string{`"code":"syntax"`}},
			{Name: "validate only stores nothing", Method: "POST", URL: "/api/v1/mujun/configs?validate_only=true", User: "admin",
				Body:        `{"id":"probe","year":2023,"evaluating_unit":"city","effective_from":"2024-01-01","source":"t","groups":[{"group":"above_scale","name":{"zh":"规上","en":"Above"},"indicators":[{"code":"tax_per_mu","weight":100,"benchmark":{"method":"fixed","value":10},"cap":2,"missing":"zero"}]}],"classes":{"defs":[{"code":"A","name":{"zh":"甲","en":"A"}},{"code":"B","name":{"zh":"乙","en":"B"}}],"cutoff":{"method":"rank_share","shares":[{"class":"A","pct":50},{"class":"B","pct":50}],"remainder":"B"}}}`,
				ContentType: "application/json", WantStatus: 200, WantContains: []string{`"valid":true`}},
			{Name: "probe was not stored", URL: "/api/v1/mujun/configs/probe", User: "admin", WantStatus: 404},
			{Name: "analyst cannot upload", Method: "POST", URL: "/api/v1/mujun/configs", User: "analyst", Body: string(badBody), ContentType: "application/json", WantStatus: 403},
			{Name: "district cannot start a run", Method: "POST", URL: "/api/v1/mujun/runs", User: "wanzhou", Body: `{"year":2023,"config_id":"chongqing_2023"}`, ContentType: "application/json", WantStatus: 403},
			{Name: "year mismatch is 400", Method: "POST", URL: "/api/v1/mujun/runs", User: "admin", Body: `{"year":2024,"config_id":"chongqing_2023"}`, ContentType: "application/json",
				WantStatus: 400, WantContains: []string{"用于 2023 年度，不能评价 2024 年度"}},

			// Runs and results.
			{Name: "runs listed", URL: "/api/v1/mujun/runs", User: "wanzhou", WantStatus: 200, WantContains: []string{`"id":2`, `"config_version":2`, `"note":"web test"`}},
			{Name: "admin ranking: rank share gives A, B, C by size", URL: "/api/v1/mujun/runs/1/enterprises", User: "admin", WantStatus: 200,
				WantContains: []string{`"total":3`, `"rank":1`, `"class":"A"`, `"class_name":"优先发展"`, `"park":"万州工业园区"`, `"code":"va_per_mu"`, `"indicators"`}},
			{Name: "district sees own firms only", URL: "/api/v1/mujun/runs/1/enterprises", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"total":2`, wz, food}, WantNotContains: []string{yz}},
			{Name: "district cannot filter another district", URL: "/api/v1/mujun/runs/1/enterprises?region=500103", User: "wanzhou", WantStatus: 403, WantNotContains: []string{yz}},
			{Name: "enterprise user sees only itself", URL: "/api/v1/mujun/runs/1/enterprises", User: "firm", WantStatus: 200,
				WantContains: []string{`"total":1`, wz}, WantNotContains: []string{yz, food}},
			{Name: "class filter", URL: "/api/v1/mujun/runs/1/enterprises?class=A", User: "admin", WantStatus: 200, WantContains: []string{`"total":1`, yz}},
			{Name: "unknown run 404", URL: "/api/v1/mujun/runs/99/enterprises", User: "admin", WantStatus: 404},
			{Name: "districts for the city", URL: "/api/v1/mujun/runs/1/districts", User: "analyst", WantStatus: 200,
				WantContains: []string{`"region_code":"500101"`, `"region_code":"500103"`, `"region":"万州区"`}},
			{Name: "districts cut to the officer's", URL: "/api/v1/mujun/runs/1/districts", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"region_code":"500101"`}, WantNotContains: []string{`"region_code":"500103"`, "渝中区"}},
			{Name: "parks", URL: "/api/v1/mujun/runs/1/parks", User: "wanzhou", WantStatus: 200, WantContains: []string{`"park":"万州工业园区"`, `"firms":2`}},
			{Name: "parks forbidden to enterprise users", URL: "/api/v1/mujun/runs/1/parks", User: "firm", WantStatus: 403},
			// 3 firms, shares 20/40/35/5: round(0.6)=1 A, round(1.2)=1 B, round(1.05)=1 C, round(0.15)=0 D.
			{Name: "class distribution", URL: "/api/v1/mujun/runs/1/classes", User: "admin", WantStatus: 200,
				WantContains: []string{`"scope":"city"`, `{"class":"A","count":1`, `{"class":"B","count":1`, `{"class":"C","count":1`, `{"class":"D","count":0`, "差别化电价加价"}},
			{Name: "district class distribution", URL: "/api/v1/mujun/runs/1/classes", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"scope":"500101"`, `{"class":"A","count":0}`, `{"class":"B","count":1}`, `{"class":"C","count":1}`}},

			// Changes: v2 puts everybody in A; the two 万州 firms moved (B→A, C→A).
			{Name: "diff for the city", URL: "/api/v1/mujun/runs/1/diff/2", User: "admin", WantStatus: 200,
				WantContains: []string{`"total":2`, `"B→A":1`, `"C→A":1`, `"cutoff_changed"`, wz, food}, WantNotContains: []string{yz}},
			{Name: "diff in English", URL: "/api/v1/mujun/runs/1/diff/2?lang=en", User: "wanzhou", WantStatus: 200, WantContains: []string{`"total":2`, "Class B"}},
			{Name: "diff scoped to the other district is empty", URL: "/api/v1/mujun/runs/1/diff/2", User: "yuzhong", WantStatus: 200, WantContains: []string{`"total":0`}},
			{Name: "diff forbidden to enterprise users", URL: "/api/v1/mujun/runs/1/diff/2", User: "firm", WantStatus: 403},
			// A page at a time, filtered here: a request never carries every change.
			{Name: "diff paged by default", URL: "/api/v1/mujun/runs/1/diff/2", User: "admin", WantStatus: 200,
				WantContains: []string{`"page":1`, `"per_page":100`, `"listed":2`}},
			{Name: "diff page of one", URL: "/api/v1/mujun/runs/1/diff/2?per_page=1&page=2", User: "admin", WantStatus: 200,
				WantContains: []string{`"total":2`, `"listed":2`, `"page":2`, food}, WantNotContains: []string{wz}},
			{Name: "diff filtered to one move", URL: "/api/v1/mujun/runs/1/diff/2?move=" + url.QueryEscape("C→A"), User: "admin", WantStatus: 200,
				WantContains: []string{`"total":2`, `"listed":1`, wz}, WantNotContains: []string{food}},
			{Name: "diff of another district", URL: "/api/v1/mujun/runs/1/diff/2?region=500103", User: "admin", WantStatus: 200,
				WantContains: []string{`"total":0`, `"listed":0`, `"changes":[]`}},
			{Name: "diff of an unknown district", URL: "/api/v1/mujun/runs/1/diff/2?region=999999", User: "admin", WantStatus: 400},
			{Name: "diff pages of at most 1,000", URL: "/api/v1/mujun/runs/1/diff/2?per_page=5000", User: "admin", WantStatus: 400},

			{Name: "targets", URL: "/api/v1/mujun/targets", User: "admin", WantStatus: 200, WantContains: []string{`"id":"chongqing_2027"`, `"as_of":2023`, `"region_code":"city"`}},
			{Name: "targets for a district", URL: "/api/v1/mujun/targets", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`"region_code":"500101"`}, WantNotContains: []string{`"region_code":"city"`, `"region_code":"500103"`}},
			{Name: "targets forbidden to enterprise users", URL: "/api/v1/mujun/targets", User: "firm", WantStatus: 403},
		})
	})
}

func TestMujunExportScoped(t *testing.T) {
	env := webtest.New(t, "sqlite:"+t.TempDir()+"/x.db")
	webtest.SeedMujun(t, env)
	res, body := env.Do(webtest.Scenario{URL: "/api/v1/mujun/runs/1/enterprises.xlsx", User: "wanzhou"})
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	sh, err := tabular.Read(bytes.NewReader([]byte(body)), "x.xlsx", tabular.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Rows) != 2 || sh.Header[2] != "企业名称" {
		t.Fatalf("export rows %d header %v", len(sh.Rows), sh.Header)
	}
	for _, r := range sh.Rows {
		if strings.Contains(strings.Join(r.Cells, ","), webtest.NameYZElec) {
			t.Fatal("district export holds another district's firm")
		}
	}
}

func TestMujunPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		webtest.SeedMujun(t, env)
		yz := webtest.NameYZElec
		env.Run(t, []webtest.Scenario{
			{Name: "overview", URL: "/mujun", User: "admin", WantStatus: 200,
				WantContains: []string{"亩均论英雄评价", `id="panel-mujun-map"`, `id="panel-classes"`, `id="mujun-districts"`, `id="mujun-parks"`, `id="mujun-enterprises"`,
					"万州工业园区", yz, "mujun.js", "/mujun/runs/1/diff/2", `"mapUrl":"/static/map/chongqing.json"`, "亩均增加值（25）"},
				WantNotContains: []string{"<script>"}},
			{Name: "overview in English", URL: "/mujun?run=1&lang=en", User: "admin", WantStatus: 200, WantContains: []string{"Per-mu efficiency evaluation", "District ranking"}},
			{Name: "district overview", URL: "/mujun", User: "wanzhou", WantStatus: 200, WantContains: []string{webtest.NameWZAuto, "万州区"}, WantNotContains: []string{yz, "渝中区"}},
			{Name: "unknown run", URL: "/mujun?run=77", User: "admin", WantStatus: 404},
			{Name: "enterprise user goes to own result", URL: "/mujun", User: "firm", WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "/mujun/enterprises/"}},
			{Name: "own result", URL: "/mujun/enterprises/{wz-auto}", User: "firm", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, "亩均税收", "基准值", "重庆默认配置 第1版"}, WantNotContains: []string{"chongqing_2023"}},
			// Issue 12: R&D intensity in percent, as the policy states it.
			{Name: "own result gives R&D intensity in percent", URL: "/mujun/enterprises/{wz-auto}", User: "firm", WantStatus: 200,
				WantContains: []string{`研发投入强度</td><td class="small">%</td>`}, WantNotContains: []string{"比值", ">1.0000<"}},
			{Name: "targets give R&D intensity in percent", URL: "/mujun/targets", User: "admin", WantStatus: 200,
				WantContains: []string{`<span class="num">100.00%</span>`}, WantNotContains: []string{">1.0000<"}},
			{Name: "another firm's result is 404", URL: "/mujun/enterprises/{wz-food}", User: "firm", WantStatus: 404, WantNotContains: []string{webtest.NameWZFood}},
			{Name: "other district's firm is 404", URL: "/mujun/enterprises/{yz-elec}", User: "wanzhou", WantStatus: 404, WantNotContains: []string{yz}},
			{Name: "profile links to the result", URL: "/enterprises/{wz-auto}", User: "firm", WantStatus: 200, WantContains: []string{`href="/mujun/enterprises/{wz-auto}"`}},
			{Name: "diff page", URL: "/mujun/runs/1/diff/2", User: "wanzhou", WantStatus: 200,
				WantContains: []string{"分类变化", "2 家企业类别变化", webtest.NameWZAuto, webtest.NameWZFood, "分类规则调整"}, WantNotContains: []string{yz}},
			// Issue 12: every change is listed, a page at a time, with
			// moves as filters, and no pointer to the API.
			{Name: "diff page pages through every change", URL: "/mujun/runs/1/diff/2", User: "admin", WantStatus: 200,
				WantContains: []string{`id="diff-pager"`, "第 1–", `aria-current="true">`}, WantNotContains: []string{"ibrain mujun diff", "接口"}},
			{Name: "diff page filtered to one move", URL: "/mujun/runs/1/diff/2?move=" + url.QueryEscape("C→A"), User: "wanzhou", WantStatus: 200,
				WantContains: []string{`id="diff-pager"`, webtest.NameWZAuto, "第 1–1 家，共 1 家"}, WantNotContains: []string{webtest.NameWZFood}},
			{Name: "diff page with a malformed move", URL: "/mujun/runs/1/diff/2?move=AB", User: "admin", WantStatus: 400},
			{Name: "diff page forbidden to firms", URL: "/mujun/runs/1/diff/2", User: "firm", WantStatus: 403},
			{Name: "targets page", URL: "/mujun/targets", User: "admin", WantStatus: 200, WantContains: []string{"2027年亩均目标跟踪", "万州区", "渝中区", "亩均增加值年均增长不低于4%"}},
			{Name: "targets page for a district", URL: "/mujun/targets", User: "wanzhou", WantStatus: 200, WantContains: []string{"万州区"}, WantNotContains: []string{"渝中区"}},
			{Name: "help", URL: "/help/mujun", User: "wanzhou", WantStatus: 200, WantContains: []string{"亩均论英雄评价", "差别化政策"}},
		})
	})
}

// TestMujunOpenAPISchemas keeps the 亩均 schemas and wire structs in step,
// field by field (checkWireSchemas).
func TestMujunOpenAPISchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"MujunConfigInfo": mujunweb.APIMujunConfigInfo{}, "MujunConfigList": mujunweb.APIMujunConfigList{}, "MujunConfigDoc": mujunweb.APIMujunConfigDoc{},
		"MujunValid": mujunweb.APIMujunValid{}, "MujunProblem": web.Problem{}, "MujunError": web.RejectedAnswer{}, "MujunRun": mujunweb.APIMujunRun{},
		"MujunRunList": mujunweb.APIMujunRunList{}, "MujunClassCount": mujun.ClassCount{}, "MujunRunCreated": mujunweb.APIMujunRunCreated{},
		"MujunIndicator": mujunweb.APIMujunIndicator{}, "MujunPolicy": mujunweb.APIMujunPolicy{}, "MujunResult": mujunweb.APIMujunResult{},
		"MujunResultPage": mujunweb.APIMujunResultPage{}, "MujunAggregate": mujunweb.APIMujunAggregate{}, "MujunAggregates": mujunweb.APIMujunAggregates{},
		"MujunClasses": mujunweb.APIMujunClasses{}, "MujunChange": mujunweb.APIMujunChange{}, "MujunDiff": mujunweb.APIMujunDiff{}, "MujunTargets": mujunweb.APIMujunTargets{},
		// Domain values sent inside them.
		"MujunText": mujun.Text{}, "MujunAssembleCounts": mujun.AssembleCounts{}, "MujunGroupResult": mujun.GroupResult{},
		"MujunGroupIndicator": mujun.GroupIndicator{}, "MujunIndicatorStats": mujun.IndicatorStats{}, "MujunDriver": mujun.Driver{},
		"MujunConfigChange": mujun.ConfigChange{}, "MujunTargetSet": mujun.TargetSet{}, "MujunTarget": mujun.Target{},
		"MujunDistrictProgress": mujun.DistrictProgress{}, "MujunTargetProgressItem": mujun.TargetProgressItem{}, "MujunPathPoint": mujun.PathPoint{},
	}, map[string]any{
		// A configuration is also uploaded, where version may be absent
		// (the server assigns it), so only its properties are compared.
		"MujunConfig": mujun.Config{}, "MujunRunRequest": mujunweb.APIMujunRunRequest{},
		"MujunGroupConfig": mujun.GroupConfig{}, "MujunIndicatorConfig": mujun.IndicatorConfig{}, "MujunBenchmark": mujun.Benchmark{},
		"MujunVeto": mujun.Veto{}, "MujunConfigClasses": mujun.Classes{}, "MujunConfigClassDef": mujun.ClassDef{}, "MujunCutoff": mujun.Cutoff{},
		"MujunClassShare": mujun.ClassShare{}, "MujunClassThreshold": mujun.ClassThreshold{}, "MujunExempt": mujun.Exempt{},
		"MujunConfigPolicy": mujun.Policy{},
	})
}

// TestMujunBenchmarkRefusal: a run whose prior-mean benchmark has no prior
// run with firms is a 400 naming the indicator and the missing run, in the
// request's language, and stores no run; the pages show every benchmark's
// source and the cap rule that lets a total pass 100.
func TestMujunBenchmarkRefusal(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		webtest.SeedMujun(t, env)
		strict := webtest.MujunConfig2023(t)
		strict.ID = "strict_2023"
		for gi := range strict.Groups {
			for ii := range strict.Groups[gi].Indicators {
				strict.Groups[gi].Indicators[ii].Benchmark = mujun.Benchmark{Method: mujun.PriorMean}
			}
		}
		body, _ := json.Marshal(strict)
		if res, out := env.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/mujun/configs", User: "admin", Body: string(body), ContentType: "application/json"}); res.StatusCode != http.StatusCreated {
			t.Fatalf("upload: %d %.300s", res.StatusCode, out)
		}
		run := `{"year":2023,"config_id":"strict_2023"}`
		env.Run(t, []webtest.Scenario{
			{Name: "refused run in Chinese", Method: "POST", URL: "/api/v1/mujun/runs", User: "admin", Body: run, ContentType: "application/json", WantStatus: 400,
				WantContains: []string{`"code":"invalid"`, "无法评价", "亩均税收", "全市没有2022年有企业参评的评价结果", `"code":"benchmark_no_prior"`, "未写入任何结果"}},
			{Name: "refused run in English", Method: "POST", URL: "/api/v1/mujun/runs?lang=en", User: "admin", Body: run, ContentType: "application/json", WantStatus: 400,
				WantContains: []string{"Tax per mu", "no prior run with firms for 2022 in the city", "Nothing was written"}},
			{Name: "no run was stored", URL: "/api/v1/mujun/runs", User: "admin", WantStatus: 200, WantContains: []string{`"id":2`}, WantNotContains: []string{`"id":3`, "strict_2023"}},
			{Name: "run page shows benchmarks and the cap rule", URL: "/mujun?run=1", User: "admin", WantStatus: 200,
				WantContains: []string{`id="mujun-benchmarks"`, "基准值及来源", "当年参评企业（2023年，", "权重的2倍，最高50分", "总分最高可达200分"}},
			{Name: "run page in English", URL: "/mujun?run=1&lang=en", User: "admin", WantStatus: 200,
				WantContains: []string{"this year&#39;s evaluated firms (2023,", "2× the weight, at most 50 points", "a total can reach 200"}},
			{Name: "firm page shows each benchmark's source and cap", URL: "/mujun/enterprises/{wz-auto}", User: "firm", WantStatus: 200,
				WantContains: []string{"基准来源", "当年参评企业（2023年，", "权重的2倍", "总分最高可达200分"}},
		})
	})
}
