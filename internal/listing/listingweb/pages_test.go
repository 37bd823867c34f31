package listingweb_test

import (
	"net/http"
	"testing"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestListingPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		webtest.SeedListing(t, env)
		env.Run(t, []webtest.Scenario{
			{Name: "listing needs sign-in", URL: "/listing", WantStatus: http.StatusSeeOther},
			{Name: "city page at the article date", URL: "/listing?date=2024-02-29", User: "admin", WantStatus: 200,
				WantContains: []string{"企业上市培育", "截至 2024-02-29", `id="kpi-tutoring">1<`, `id="kpi-listed">2<`, "境内 2 · 境外 0",
					"2023年新增上市公司", `id="kpi-new-listings">1<`, `id="kpi-proceeds">25.50<`, "155.0%",
					`id="panel-listing-stages"`, `id="panel-listing-years"`, `id="listing-stage-table"`, `id="listing-year-table"`,
					webtest.NameWZAuto, "2024-01-31", "中信证券股份有限公司", "listing.js", `"stages":[`, `aria-current="page"`},
				WantNotContains: []string{webtest.NameYZElec + "</a>", "<script>"},
				WantHeader:      map[string]string{"Content-Security-Policy": "script-src 'self'"}},
			{Name: "without a date the page stands at the latest recorded event", URL: "/listing", User: "admin", WantStatus: 200,
				WantContains: []string{"截至 2024-02-07", `id="kpi-tutoring">1<`, "2023年新增上市公司", `id="kpi-new-listings">1<`, "date=2024-02-07"}},
			{Name: "listed firms by board in English", URL: "/listing?date=2024-02-29&stage=listed&lang=en", User: "analyst", WantStatus: 200,
				WantContains: []string{"Listing pipeline", webtest.NameYZElec, webtest.NameWZFood, "SSE STAR Market", "SZSE Main Board", "2 firms"}},
			{Name: "district page is its district", URL: "/listing?date=2024-02-29&stage=", User: "wanzhou", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, webtest.NameWZFood, `id="kpi-listed">1<`}, WantNotContains: []string{webtest.NameYZElec, `name="region"`}},
			{Name: "district cannot pick another district", URL: "/listing?region=500103", User: "wanzhou", WantStatus: http.StatusForbidden},
			{Name: "enterprise user goes to its record", URL: "/listing", User: "firm", WantStatus: http.StatusSeeOther,
				WantHeader: map[string]string{"Location": "/listing/firms/"}},
			{Name: "timeline", URL: "/listing/firms/{yz-elec}", User: "admin", WantStatus: 200,
				WantContains: []string{webtest.NameYZElec, "上市进程", "辅导备案", "申报受理", "审核通过", "注册生效", "科创板", "255000", `id="listing-record-form"`, `data-events="5"`}},
			{Name: "enterprise user's own timeline, no form", URL: "/listing/firms/{wz-auto}", User: "firm", WantStatus: 200,
				WantContains: []string{webtest.NameWZAuto, "2024-02-07", "中信证券股份有限公司"}, WantNotContains: []string{`id="listing-record-form"`}},
			{Name: "another district's timeline is 404", URL: "/listing/firms/{yz-elec}", User: "wanzhou", WantStatus: http.StatusNotFound,
				WantNotContains: []string{webtest.NameYZElec}},
			{Name: "a running year is counted to the day and compared with the same part of the year before", URL: "/listing?date=2024-02-29", User: "admin", WantStatus: 200,
				WantContains:    []string{`data-year="2024"><td>2024 <span class="muted small">截至2024-02-29</span>`},
				WantNotContains: []string{"-100.0%"}},
			{Name: "the form offers the stage after the current one", URL: "/listing/firms/{wz-auto}", User: "admin", WantStatus: 200,
				WantContains: []string{`<option value="accepted" selected>`}},
			{Name: "help page", URL: "/help/listing", User: "wanzhou", WantStatus: 200, WantContains: []string{"企业上市培育", "辅导备案"}},
			{Name: "help page in English", URL: "/help/listing?lang=en", User: "wanzhou", WantStatus: 200, WantContains: []string{"Listing pipeline"}},
		})
	})
}
