package web

import (
	"net/http"
	"testing"
)

func TestListingPages(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		seedListing(t, env)
		env.run(t, []scenario{
			{name: "listing needs sign-in", url: "/listing", wantStatus: http.StatusSeeOther},
			{name: "city page at the article date", url: "/listing?date=2024-02-29", user: "admin", wantStatus: 200,
				wantContains: []string{"企业上市培育", "截至 2024-02-29", `id="kpi-tutoring">1<`, `id="kpi-listed">2<`, "境内 2 · 境外 0",
					"2023年新增上市公司", `id="kpi-new-listings">1<`, `id="kpi-proceeds">25.50<`, "155.0%",
					`id="panel-listing-stages"`, `id="panel-listing-years"`, `id="listing-stage-table"`, `id="listing-year-table"`,
					nameWZAuto, "2024-01-31", "中信证券股份有限公司", "listing.js", `"stages":[`, `aria-current="page"`},
				wantNotContains: []string{nameYZElec + "</a>", "<script>"},
				wantHeader:      map[string]string{"Content-Security-Policy": "script-src 'self'"}},
			{name: "without a date the page stands at the latest recorded event", url: "/listing", user: "admin", wantStatus: 200,
				wantContains: []string{"截至 2024-02-07", `id="kpi-tutoring">1<`, "2023年新增上市公司", `id="kpi-new-listings">1<`, "date=2024-02-07"}},
			{name: "listed firms by board in English", url: "/listing?date=2024-02-29&stage=listed&lang=en", user: "analyst", wantStatus: 200,
				wantContains: []string{"Listing pipeline", nameYZElec, nameWZFood, "SSE STAR Market", "SZSE Main Board", "2 firms"}},
			{name: "district page is its district", url: "/listing?date=2024-02-29&stage=", user: "wanzhou", wantStatus: 200,
				wantContains: []string{nameWZAuto, nameWZFood, `id="kpi-listed">1<`}, wantNotContains: []string{nameYZElec, `name="region"`}},
			{name: "district cannot pick another district", url: "/listing?region=500103", user: "wanzhou", wantStatus: http.StatusForbidden},
			{name: "enterprise user goes to its record", url: "/listing", user: "firm", wantStatus: http.StatusSeeOther,
				wantHeader: map[string]string{"Location": "/listing/firms/"}},
			{name: "timeline", url: "/listing/firms/{yz-elec}", user: "admin", wantStatus: 200,
				wantContains: []string{nameYZElec, "上市进程", "辅导备案", "申报受理", "审核通过", "注册生效", "科创板", "255000", `id="listing-record-form"`, `data-events="5"`}},
			{name: "enterprise user's own timeline, no form", url: "/listing/firms/{wz-auto}", user: "firm", wantStatus: 200,
				wantContains: []string{nameWZAuto, "2024-02-07", "中信证券股份有限公司"}, wantNotContains: []string{`id="listing-record-form"`}},
			{name: "another district's timeline is 404", url: "/listing/firms/{yz-elec}", user: "wanzhou", wantStatus: http.StatusNotFound,
				wantNotContains: []string{nameYZElec}},
			{name: "help page", url: "/help/listing", user: "wanzhou", wantStatus: 200, wantContains: []string{"企业上市培育", "辅导备案"}},
			{name: "help page in English", url: "/help/listing?lang=en", user: "wanzhou", wantStatus: 200, wantContains: []string{"Listing pipeline"}},
		})
	})
}
