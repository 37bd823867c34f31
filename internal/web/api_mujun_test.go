package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// mujunFixture adds parks and supplied facts for 2023 to the fixture and
// two runs made through the API: run 1 under chongqing_2023 v1 (rank
// shares), run 2 under v2 (a single score threshold: everybody A).
func mujunFixture(t *testing.T, env *testEnv) {
	t.Helper()
	ctx := context.Background()
	if err := env.store.SeedMujunBuiltins(ctx); err != nil {
		t.Fatal(err)
	}
	if err := env.store.PutMujunParks(ctx, []sqlstore.MujunPark{{Code: "500101-P1", RegionCode: "500101", NameZh: "万州工业园区", NameEn: "Wanzhou Industrial Park"}}); err != nil {
		t.Fatal(err)
	}
	if err := env.store.PutMujunFacts(ctx, []mujun.Supplied{
		{EnterpriseID: env.ids[entWanzhouAuto], Year: 2023, ParkCode: "500101-P1", Electricity: mujun.Some[int64](1_000_000), Source: "test"},
		{EnterpriseID: env.ids[entWanzhouFood], Year: 2023, ParkCode: "500101-P1", Electricity: mujun.Some[int64](2_000_000), Source: "test"},
	}); err != nil {
		t.Fatal(err)
	}
	cfg := mujunTestConfig(t)
	body, _ := json.Marshal(cfg)
	for i, want := range []string{`"version":1`, `"version":2`} {
		if i == 1 {
			cfg.Classes.Cutoff = mujun.Cutoff{Method: mujun.Score, Thresholds: []mujun.ClassThreshold{{Class: "A", MinScore: 0}, {Class: "D", MinScore: 0}}}
			body, _ = json.Marshal(cfg)
		}
		res, out := env.do(scenario{method: "POST", url: "/api/v1/mujun/configs", user: "admin", body: string(body), contentType: "application/json"})
		if res.StatusCode != http.StatusCreated || !strings.Contains(out, want) {
			t.Fatalf("upload config %d: %d %.400s", i+1, res.StatusCode, out)
		}
	}
	for _, v := range []string{"1", "2"} {
		res, out := env.do(scenario{method: "POST", url: "/api/v1/mujun/runs", user: "admin", contentType: "application/json",
			body: `{"year":2023,"config_id":"chongqing_2023","config_version":` + v + `,"note":"web test"}`})
		if res.StatusCode != http.StatusCreated || !strings.Contains(out, `"id":`+v) {
			t.Fatalf("run v%s: %d %.400s", v, res.StatusCode, out)
		}
	}
}

func mujunTestConfig(t *testing.T) mujun.Config {
	t.Helper()
	cfg, err := mujun.Builtin("chongqing_2024")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ID, cfg.Year, cfg.EffectiveFrom = "chongqing_2023", 2023, "2024-01-01"
	return cfg
}

func TestMujunAPI(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		mujunFixture(t, env)
		bad := mujunTestConfig(t)
		bad.Groups[0].Indicators[0].Weight = 40 // above-scale weights now sum to 115
		bad.Classes.Cutoff.Shares[0].Pct = 30   // shares now sum to 110
		badBody, _ := json.Marshal(bad)
		wz, yz, food := nameWZAuto, nameYZElec, nameWZFood
		env.run(t, []scenario{
			// Configurations.
			{name: "configs listed", url: "/api/v1/mujun/configs", user: "firm", wantStatus: 200,
				wantContains: []string{`"id":"chongqing_2024"`, `"builtin":true`, `"id":"chongqing_2023"`, `"version":2`}},
			{name: "one config", url: "/api/v1/mujun/configs/chongqing_2023?version=1", user: "wanzhou", wantStatus: 200,
				wantContains: []string{`"method":"rank_share"`, `"version":1`}},
			{name: "unknown config 404", url: "/api/v1/mujun/configs/nope", user: "admin", wantStatus: 404},
			{name: "invalid config lists every problem in Chinese", method: "POST", url: "/api/v1/mujun/configs", user: "admin", body: string(badBody),
				contentType: "application/json", wantStatus: 400,
				wantContains: []string{`"code":"invalid"`, `"problems"`, `"path":"groups[0].indicators"`, `"code":"weight_sum"`, "above_scale 组权重之和为 115，应为 100",
					`"path":"classes.cutoff.shares"`, "各类比例之和为 110%", "配置有 2 处问题"}},
			{name: "invalid config in English", method: "POST", url: "/api/v1/mujun/configs?lang=en", user: "admin", body: string(badBody),
				contentType: "application/json", wantStatus: 400, wantContains: []string{"weights of above_scale sum to 115, not 100", "shares sum to 110%, not 100%", "has 2 problems"}},
			{name: "malformed JSON is 400", method: "POST", url: "/api/v1/mujun/configs", user: "admin", body: `{"id": "x", "groups": [`,
				contentType: "application/json", wantStatus: 400, wantContains: []string{`"code":"syntax"`}},
			{name: "validate only stores nothing", method: "POST", url: "/api/v1/mujun/configs?validate_only=true", user: "admin",
				body:        `{"id":"probe","year":2023,"evaluating_unit":"city","effective_from":"2024-01-01","source":"t","groups":[{"group":"above_scale","name":{"zh":"规上","en":"Above"},"indicators":[{"code":"tax_per_mu","weight":100,"benchmark":{"method":"fixed","value":10},"cap":2,"missing":"zero"}]}],"classes":{"defs":[{"code":"A","name":{"zh":"甲","en":"A"}},{"code":"B","name":{"zh":"乙","en":"B"}}],"cutoff":{"method":"rank_share","shares":[{"class":"A","pct":50},{"class":"B","pct":50}],"remainder":"B"}}}`,
				contentType: "application/json", wantStatus: 200, wantContains: []string{`"valid":true`}},
			{name: "probe was not stored", url: "/api/v1/mujun/configs/probe", user: "admin", wantStatus: 404},
			{name: "analyst cannot upload", method: "POST", url: "/api/v1/mujun/configs", user: "analyst", body: string(badBody), contentType: "application/json", wantStatus: 403},
			{name: "district cannot start a run", method: "POST", url: "/api/v1/mujun/runs", user: "wanzhou", body: `{"year":2023,"config_id":"chongqing_2023"}`, contentType: "application/json", wantStatus: 403},
			{name: "year mismatch is 400", method: "POST", url: "/api/v1/mujun/runs", user: "admin", body: `{"year":2024,"config_id":"chongqing_2023"}`, contentType: "application/json",
				wantStatus: 400, wantContains: []string{"用于 2023 年度，不能评价 2024 年度"}},

			// Runs and results.
			{name: "runs listed", url: "/api/v1/mujun/runs", user: "wanzhou", wantStatus: 200, wantContains: []string{`"id":2`, `"config_version":2`, `"note":"web test"`}},
			{name: "admin ranking: rank share gives A, B, C by size", url: "/api/v1/mujun/runs/1/enterprises", user: "admin", wantStatus: 200,
				wantContains: []string{`"total":3`, `"rank":1`, `"class":"A"`, `"class_name":"优先发展"`, `"park":"万州工业园区"`, `"code":"va_per_mu"`, `"indicators"`}},
			{name: "district sees own firms only", url: "/api/v1/mujun/runs/1/enterprises", user: "wanzhou", wantStatus: 200,
				wantContains: []string{`"total":2`, wz, food}, wantNotContains: []string{yz}},
			{name: "district cannot filter another district", url: "/api/v1/mujun/runs/1/enterprises?region=500103", user: "wanzhou", wantStatus: 403, wantNotContains: []string{yz}},
			{name: "enterprise user sees only itself", url: "/api/v1/mujun/runs/1/enterprises", user: "firm", wantStatus: 200,
				wantContains: []string{`"total":1`, wz}, wantNotContains: []string{yz, food}},
			{name: "class filter", url: "/api/v1/mujun/runs/1/enterprises?class=A", user: "admin", wantStatus: 200, wantContains: []string{`"total":1`, yz}},
			{name: "unknown run 404", url: "/api/v1/mujun/runs/99/enterprises", user: "admin", wantStatus: 404},
			{name: "districts for the city", url: "/api/v1/mujun/runs/1/districts", user: "analyst", wantStatus: 200,
				wantContains: []string{`"region_code":"500101"`, `"region_code":"500103"`, `"region":"万州区"`}},
			{name: "districts cut to the officer's", url: "/api/v1/mujun/runs/1/districts", user: "wanzhou", wantStatus: 200,
				wantContains: []string{`"region_code":"500101"`}, wantNotContains: []string{`"region_code":"500103"`, "渝中区"}},
			{name: "parks", url: "/api/v1/mujun/runs/1/parks", user: "wanzhou", wantStatus: 200, wantContains: []string{`"park":"万州工业园区"`, `"firms":2`}},
			{name: "parks forbidden to enterprise users", url: "/api/v1/mujun/runs/1/parks", user: "firm", wantStatus: 403},
			// 3 firms, shares 20/40/35/5: round(0.6)=1 A, round(1.2)=1 B, round(1.05)=1 C, round(0.15)=0 D.
			{name: "class distribution", url: "/api/v1/mujun/runs/1/classes", user: "admin", wantStatus: 200,
				wantContains: []string{`"scope":"city"`, `{"class":"A","count":1`, `{"class":"B","count":1`, `{"class":"C","count":1`, `{"class":"D","count":0`, "差别化电价加价"}},
			{name: "district class distribution", url: "/api/v1/mujun/runs/1/classes", user: "wanzhou", wantStatus: 200,
				wantContains: []string{`"scope":"500101"`, `{"class":"A","count":0}`, `{"class":"B","count":1}`, `{"class":"C","count":1}`}},

			// Changes: v2 puts everybody in A; the two 万州 firms moved (B→A, C→A).
			{name: "diff for the city", url: "/api/v1/mujun/runs/1/diff/2", user: "admin", wantStatus: 200,
				wantContains: []string{`"total":2`, `"B→A":1`, `"C→A":1`, `"cutoff_changed"`, wz, food}, wantNotContains: []string{yz}},
			{name: "diff in English", url: "/api/v1/mujun/runs/1/diff/2?lang=en", user: "wanzhou", wantStatus: 200, wantContains: []string{`"total":2`, "Class B"}},
			{name: "diff scoped to the other district is empty", url: "/api/v1/mujun/runs/1/diff/2", user: "yuzhong", wantStatus: 200, wantContains: []string{`"total":0`}},
			{name: "diff forbidden to enterprise users", url: "/api/v1/mujun/runs/1/diff/2", user: "firm", wantStatus: 403},

			{name: "targets", url: "/api/v1/mujun/targets", user: "admin", wantStatus: 200, wantContains: []string{`"id":"chongqing_2027"`, `"as_of":2023`, `"region_code":"city"`}},
			{name: "targets for a district", url: "/api/v1/mujun/targets", user: "wanzhou", wantStatus: 200,
				wantContains: []string{`"region_code":"500101"`}, wantNotContains: []string{`"region_code":"city"`, `"region_code":"500103"`}},
			{name: "targets forbidden to enterprise users", url: "/api/v1/mujun/targets", user: "firm", wantStatus: 403},
		})
	})
}

func TestMujunExportScoped(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+t.TempDir()+"/x.db")
	mujunFixture(t, env)
	res, body := env.do(scenario{url: "/api/v1/mujun/runs/1/enterprises.xlsx", user: "wanzhou"})
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
		if strings.Contains(strings.Join(r.Cells, ","), nameYZElec) {
			t.Fatal("district export holds another district's firm")
		}
	}
}

func TestMujunPages(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		mujunFixture(t, env)
		yz := nameYZElec
		env.run(t, []scenario{
			{name: "overview", url: "/mujun", user: "admin", wantStatus: 200,
				wantContains: []string{"亩均论英雄评价", `id="panel-mujun-map"`, `id="panel-classes"`, `id="mujun-districts"`, `id="mujun-parks"`, `id="mujun-enterprises"`,
					"万州工业园区", yz, "mujun.js", "/mujun/runs/1/diff/2", `"mapUrl":"/static/map/chongqing.json"`, "亩均增加值（25）"},
				wantNotContains: []string{"<script>"}},
			{name: "overview in English", url: "/mujun?run=1&lang=en", user: "admin", wantStatus: 200, wantContains: []string{"Per-mu efficiency evaluation", "District ranking"}},
			{name: "district overview", url: "/mujun", user: "wanzhou", wantStatus: 200, wantContains: []string{nameWZAuto, "万州区"}, wantNotContains: []string{yz, "渝中区"}},
			{name: "unknown run", url: "/mujun?run=77", user: "admin", wantStatus: 404},
			{name: "enterprise user goes to own result", url: "/mujun", user: "firm", wantStatus: http.StatusSeeOther, wantHeader: map[string]string{"Location": "/mujun/enterprises/"}},
			{name: "own result", url: "/mujun/enterprises/{wz-auto}", user: "firm", wantStatus: 200,
				wantContains: []string{nameWZAuto, "亩均税收", "基准值", "chongqing_2023"}},
			{name: "another firm's result is 404", url: "/mujun/enterprises/{wz-food}", user: "firm", wantStatus: 404, wantNotContains: []string{nameWZFood}},
			{name: "other district's firm is 404", url: "/mujun/enterprises/{yz-elec}", user: "wanzhou", wantStatus: 404, wantNotContains: []string{yz}},
			{name: "profile links to the result", url: "/enterprises/{wz-auto}", user: "firm", wantStatus: 200, wantContains: []string{`href="/mujun/enterprises/{wz-auto}"`}},
			{name: "diff page", url: "/mujun/runs/1/diff/2", user: "wanzhou", wantStatus: 200,
				wantContains: []string{"分类变化", "2 家企业类别变化", nameWZAuto, nameWZFood, "分类规则调整"}, wantNotContains: []string{yz}},
			{name: "diff page forbidden to firms", url: "/mujun/runs/1/diff/2", user: "firm", wantStatus: 403},
			{name: "targets page", url: "/mujun/targets", user: "admin", wantStatus: 200, wantContains: []string{"2027年亩均目标跟踪", "万州区", "渝中区", "亩均增加值年均增长不低于4%"}},
			{name: "targets page for a district", url: "/mujun/targets", user: "wanzhou", wantStatus: 200, wantContains: []string{"万州区"}, wantNotContains: []string{"渝中区"}},
			{name: "help", url: "/help/mujun", user: "wanzhou", wantStatus: 200, wantContains: []string{"亩均论英雄评价", "差别化政策"}},
		})
	})
}

// TestMujunBenchmarkRefusal: a run whose prior-mean benchmark has no prior
// run with firms is a 400 naming the indicator and the missing run, in the
// request's language, and stores no run; the pages show every benchmark's
// source and the cap rule that lets a total pass 100.
func TestMujunBenchmarkRefusal(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		mujunFixture(t, env)
		strict := mujunTestConfig(t)
		strict.ID = "strict_2023"
		for gi := range strict.Groups {
			for ii := range strict.Groups[gi].Indicators {
				strict.Groups[gi].Indicators[ii].Benchmark = mujun.Benchmark{Method: mujun.PriorMean}
			}
		}
		body, _ := json.Marshal(strict)
		if res, out := env.do(scenario{method: "POST", url: "/api/v1/mujun/configs", user: "admin", body: string(body), contentType: "application/json"}); res.StatusCode != http.StatusCreated {
			t.Fatalf("upload: %d %.300s", res.StatusCode, out)
		}
		run := `{"year":2023,"config_id":"strict_2023"}`
		env.run(t, []scenario{
			{name: "refused run in Chinese", method: "POST", url: "/api/v1/mujun/runs", user: "admin", body: run, contentType: "application/json", wantStatus: 400,
				wantContains: []string{`"code":"invalid"`, "无法评价", "亩均税收", "全市没有2022年有企业参评的评价结果", `"code":"benchmark_no_prior"`, "未写入任何结果"}},
			{name: "refused run in English", method: "POST", url: "/api/v1/mujun/runs?lang=en", user: "admin", body: run, contentType: "application/json", wantStatus: 400,
				wantContains: []string{"Tax per mu", "no prior run with firms for 2022 in the city", "Nothing was written"}},
			{name: "no run was stored", url: "/api/v1/mujun/runs", user: "admin", wantStatus: 200, wantContains: []string{`"id":2`}, wantNotContains: []string{`"id":3`, "strict_2023"}},
			{name: "run page shows benchmarks and the cap rule", url: "/mujun?run=1", user: "admin", wantStatus: 200,
				wantContains: []string{`id="mujun-benchmarks"`, "基准值及来源", "当年参评企业（2023年，", "权重的2倍，最高50分", "总分最高可达200分"}},
			{name: "run page in English", url: "/mujun?run=1&lang=en", user: "admin", wantStatus: 200,
				wantContains: []string{"this year&#39;s evaluated firms (2023,", "2× the weight, at most 50 points", "a total can reach 200"}},
			{name: "firm page shows each benchmark's source and cap", url: "/mujun/enterprises/{wz-auto}", user: "firm", wantStatus: 200,
				wantContains: []string{"基准来源", "当年参评企业（2023年，", "权重的2倍", "总分最高可达200分"}},
		})
	})
}
