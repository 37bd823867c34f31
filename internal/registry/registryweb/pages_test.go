package registryweb_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// Ensure the registry's pages answer with the right status, content and
// language, and that scope holds: a district officer cannot open another
// district's enterprises, and an enterprise user sees only its own profile.
func TestRegistryPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		yz := webtest.NameYZElec
		env.Run(t, []webtest.Scenario{
			{Name: "enterprise list", URL: "/enterprises", User: "admin", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, webtest.NameWZFood, yz, "共 3 家企业", "/api/v1/enterprises.xlsx?", "/api/v1/enterprises.csv?"}},
			{Name: "enterprise search in Chinese", URL: "/enterprises?q=" + url.QueryEscape("食品"), User: "admin", WantStatus: 200,
				WantContains: []string{webtest.NameWZFood, "共 1 家企业", "q=%E9%A3%9F%E5%93%81"}, WantNotContains: []string{webtest.NameWZAuto}},
			{Name: "enterprise filters", URL: "/enterprises?region=500103&size=medium&above_scale=true&year=2024", User: "admin", WantStatus: 200,
				WantContains: []string{yz, "共 1 家企业"}, WantNotContains: []string{webtest.NameWZAuto}},
			{Name: "bad filter", URL: "/enterprises?size=huge", User: "admin", WantStatus: http.StatusBadRequest},
			{Name: "district list is scoped", URL: "/enterprises", User: "wanzhou", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, "共 2 家企业"}, WantNotContains: []string{yz}},
			{Name: "district list cannot ask for another district", URL: "/enterprises?region=500103", User: "wanzhou", WantStatus: http.StatusForbidden, WantNotContains: []string{yz}},
			{Name: "enterprise list sends a firm to its profile", URL: "/enterprises", User: "firm", WantStatus: http.StatusSeeOther},

			{Name: "profile with derived months", URL: "/enterprises/{wz-auto}", User: "firm", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, "推算", "1–N月累计", "上年同期", `id="panel-ent-chart"`, "enterprise.js"}},
			{Name: "profile in English", URL: "/enterprises/{wz-auto}?lang=en", User: "firm", WantStatus: 200, WantContains: []string{"derived", "Year to date", "Medium"}},
			{Name: "a missing month cannot be derived", URL: "/enterprises/{wz-food}?year=2024", User: "admin", WantStatus: 200, WantContains: []string{"2024年1–4月"}},
			{Name: "another district's enterprise is not found", URL: "/enterprises/{yz-elec}", User: "wanzhou", WantStatus: http.StatusNotFound,
				WantContains: []string{"企业不存在"}, WantNotContains: []string{yz}},
			{Name: "another enterprise is not found", URL: "/enterprises/{wz-food}", User: "firm", WantStatus: http.StatusNotFound, WantNotContains: []string{webtest.NameWZFood}},

			{Name: "reference", URL: "/reference", User: "wanzhou", WantStatus: 200,
				WantContains: []string{"万州区", "两江新区", "CQ-LJ", "梁平县", "智能网联新能源汽车", "规上工业增加值", "预警阈值", "万亿级主导产业集群"}},
			{Name: "reference in English", URL: "/reference?lang=en", User: "admin", WantStatus: 200, WantContains: []string{"Indicator catalogue", "Liangjiang"}},
		})
	})
}
