package cockpitweb_test

import (
	"net/http"
	"testing"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// The cockpit at each level of the drill-down, the task table and the
// scoreboard: the right status, content and language, and scope holds (a
// district officer cannot open another district's pages).
func TestCockpitPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		yz := webtest.NameYZElec
		env.Run(t, []webtest.Scenario{
			{Name: "cockpit needs sign-in", URL: "/", WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "/login?next=%2F"}},
			{Name: "city cockpit", URL: "/", User: "admin", WantStatus: 200,
				WantContains: []string{"全市制造业运行监测", "规上工业总产值", "2024年1–6月", `id="panel-map"`, `id="panel-by-tier"`, "两江新区",
					`id="page-data"`, `"mapUrl":"/static/map/chongqing.json"`, "/static/", "cockpit.js", "数据表", "导出CSV", "目标 ≥ 1.0 亿元"},
				WantNotContains: []string{"<script>", "onclick="},
				WantHeader:      map[string]string{"Content-Security-Policy": "default-src 'self'", "Cache-Control": "no-store"}},
			{Name: "city cockpit in English", URL: "/?lang=en", User: "admin", WantStatus: 200,
				WantContains:    []string{"City-wide manufacturing monitor", "Gross industrial output of above-scale enterprises", "Jan–Jun 2024", "Table", "Export CSV", `href="/?lang=zh-CN"`},
				WantNotContains: []string{"全市制造业运行监测"}},
			{Name: "cockpit keeps the chosen period", URL: "/?year=2023&month=5", User: "analyst", WantStatus: 200, WantContains: []string{"2023年1–5月", `"year":2023`, `"month":5`}},
			// Issue 12: a period without data used to show the latest one
			// silently and reset the picker.
			{Name: "a year after the data keeps the picker and says so", URL: "/?year=2025&month=3", User: "admin", WantStatus: 200,
				WantContains: []string{`id="period-notice"`, "2025年1–3月 暂无统计数据", "最新有数据的统计期为 2024年1–6月", `<option value="2025" selected>`, `<option value="3" selected>`,
					`href="/?month=6&amp;year=2024"`},
				WantNotContains: []string{`id="panel-map"`, `"year":2024`, `class="kpis"`}},
			{Name: "a month after the data keeps the picker and says so", URL: "/districts/500101?year=2024&month=9&lang=en", User: "wanzhou", WantStatus: 200,
				WantContains:    []string{`id="period-notice"`, "There are no statistics for Jan–Sep 2024", "Jan–Jun 2024", `<option value="2024" selected>`, `<option value="9" selected>`},
				WantNotContains: []string{`"month":6`}},
			{Name: "a year before the data says so", URL: "/?year=2019", User: "admin", WantStatus: 200,
				WantContains: []string{`id="period-notice"`, "2019年1–12月 暂无统计数据", `<option value="2019" selected>`}},
			{Name: "targets of a year without reports say so and keep the year", URL: "/targets?year=2025", User: "admin", WantStatus: 200,
				WantContains: []string{`id="period-notice"`, `<option value="2025" selected>`}},
			// Issue 12: district and cluster growth is judged against the
			// lines the card prints; a city-level share line is not printed.
			{Name: "district growth is judged against the printed lines", URL: "/districts/500101", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`class="card kpi mark-excellent" data-indicator="IND_VA_GROWTH"`, "预警 &lt; 5.0 · 优秀 ≥ 8.0",
					`class="card kpi" data-indicator="SEI_VA_SHARE"`}},
			{Name: "the cluster's list button says which firms it lists", URL: "/districts/500101/clusters/L1-nev", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`class="card kpi mark-excellent" data-indicator="IND_VA_GROWTH"`, "查看当年 1 家规上企业名单",
					`href="/enterprises?above_scale=true&amp;cluster=L1-nev&amp;region=500101&amp;year=2024"`}},
			{Name: "district officer lands on the district", URL: "/", User: "wanzhou", WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "/districts/500101"}},
			{Name: "enterprise user lands on the profile", URL: "/", User: "firm", WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "/enterprises/"}},
			{Name: "own district", URL: "/districts/500101", User: "wanzhou", WantStatus: 200,
				WantContains: []string{"万州区", "本区县 33618 产业集群", "目标 ≥ 0.5", "/districts/500101/clusters/"}, WantNotContains: []string{yz, `href="/"`}},
			{Name: "another district is forbidden", URL: "/districts/500103", User: "wanzhou", WantStatus: http.StatusForbidden,
				WantContains: []string{"没有查看该数据的权限"}, WantNotContains: []string{yz, "渝中区"}},
			{Name: "a city cluster page sends the officer to the district's", URL: "/clusters/L1-nev", User: "wanzhou", WantStatus: http.StatusSeeOther,
				WantHeader: map[string]string{"Location": "/districts/500101/clusters/L1-nev"}},
			{Name: "enterprise user has no district page", URL: "/districts/500101", User: "firm", WantStatus: http.StatusForbidden},
			{Name: "city role sees any district", URL: "/districts/500103?lang=en", User: "admin", WantStatus: 200, WantContains: []string{"Yuzhong District", "Target ≥ 0.5"}},
			{Name: "functional zone page", URL: "/districts/CQ-LJ", User: "admin", WantStatus: 200, WantContains: []string{"两江新区", "功能区"}},
			{Name: "unknown district", URL: "/districts/999999", User: "admin", WantStatus: http.StatusNotFound, WantContains: []string{"区县不存在"}},
			{Name: "city targets", URL: "/targets", User: "admin", WantStatus: 200, WantContains: []string{"任务表", "test city", "test wanzhou", "test yuzhong", "规上工业总产值"}},
			{Name: "district targets", URL: "/targets?lang=en", User: "wanzhou", WantStatus: 200, WantContains: []string{"test wanzhou", "Targets"}, WantNotContains: []string{"test yuzhong", "test city"}},
			{Name: "scoreboard is city-wide", URL: "/scoreboard", User: "wanzhou", WantStatus: http.StatusForbidden},
			{Name: "scoreboard", URL: "/scoreboard", User: "analyst", WantStatus: 200, WantContains: []string{"2023年成绩单", "2024年任务表"}},
			{Name: "help", URL: "/help/cockpit", User: "admin", WantStatus: 200, WantContains: []string{"<h1", "驾驶舱", "<li>"}, WantNotContains: []string{"# Cockpit"}},
		})
	})
}
