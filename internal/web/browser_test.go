package web_test

// A real browser against the real server: Debian's chromium, driven by
// chromedp v0.23 (the generic API: Do for steps, Run for values). The test
// signs in through the sign-in form, waits for the cockpit's KPI cards and
// district map, switches to English, clicks a district on the map and
// checks the district page; screenshots go to t.ArtifactDir() (keep them
// with `go test -run TestBrowser -artifacts -outputdir DIR`).
//
// Without /usr/bin/chromium the test skips, unless IBRAIN_REQUIRE_BROWSER
// is set (CI sets it), in which case it fails.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestBrowser(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	seedBrowserFixture(t, env)

	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{Expected: func(e *cdplog.Entry) bool {
		// the rejected import the test makes on purpose
		return e.Source == cdplog.EntrySourceNetwork && strings.Contains(e.URL, "/api/v1/imports/") && strings.Contains(e.Text, "422")
	}})
	ctx, base, jsErrors := b.Ctx, b.Base, b.JSErrors
	checkJS := func(step string) {
		t.Helper()
		for {
			select {
			case e := <-jsErrors:
				t.Errorf("%s: %s", step, e)
			default:
				return
			}
		}
	}
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			shot(t, ctx, "failure")
			t.Fatalf("%s: %v", step, err)
		}
	}

	// Sign in through the real form: the cookie comes from POST /login,
	// which CrossOriginProtection lets through as a same-origin POST.
	must("open sign-in", chromedp.Do(ctx,
		chromedp.Navigate(base+"/?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), webtest.FixturePassword),
		webtest.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(".kpi")),
	))
	heading, err := textOf(ctx, "#page-heading")
	must("cockpit heading", err)
	if heading != "全市制造业运行监测" {
		t.Errorf("cockpit heading = %q", heading)
	}
	cards, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.kpi').length`))
	must("count cards", err)
	if cards != len(stats.KPICodes) {
		t.Errorf("%d KPI cards, want %d", cards, len(stats.KPICodes))
	}
	// The map has drawn once its data and shapes are in; the charts have
	// left their loading state.
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('panel-map').dataset.ready === 'true' &&
		[...document.querySelectorAll('[data-state]')].every(e => e.hidden || e.textContent === '')`, chromedp.WithPollingTimeout(30*time.Second)))
	must("map and charts drawn", err)
	mapRows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#panel-map [data-table] tbody tr').length`))
	must("map table", err)
	if mapRows < 10 {
		t.Errorf("the map's table has %d rows", mapRows)
	}
	zone, err := textOf(ctx, `#zone-list li[data-region="CQ-LJ"] [data-zone-value]`)
	must("zone value", err)
	if !strings.Contains(zone, "亿元") {
		t.Errorf("Liangjiang's value beside the map = %q", zone)
	}
	// The chart/table switch shows the same data as a table.
	must("table view", chromedp.Do(ctx,
		webtest.Click(chromedp.CSS(`#panel-by-cluster [data-view="table"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#panel-by-cluster [data-table] table`)),
	))
	clusterRows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#panel-by-cluster [data-table] tbody tr').length`))
	must("cluster rows", err)
	if clusterRows < 3 {
		t.Errorf("cluster table has %d rows", clusterRows)
	}
	must("chart view", chromedp.Do(ctx, webtest.Click(chromedp.CSS(`#panel-by-cluster [data-view="chart"]`))))

	// The client-side CSV export escapes cells exactly like the server.
	cases := []string{"=1+2", "+86 23", "-12.5", "-", "@SUM(A1)", "＝1", "\tx", "12.", "+.5", "重庆", "", "-3", "a=b"}
	for _, c := range cases {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`IB.safeCell(%q)`, c)))
		must("safeCell", err)
		if want := tabular.SafeCell(c); got != want {
			t.Errorf("IB.safeCell(%q) = %q, tabular.SafeCell = %q", c, got, want)
		}
	}
	checkJS("cockpit in Chinese")
	shot(t, ctx, "cockpit-zh")

	// Switch to English with the link every page carries.
	must("switch language", chromedp.Do(ctx,
		webtest.Click(chromedp.ID("lang-switch")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] .kpi`)),
	))
	heading, err = textOf(ctx, "#page-heading")
	must("English heading", err)
	if heading != "City-wide manufacturing monitor" {
		t.Errorf("English heading = %q", heading)
	}
	label, err := textOf(ctx, `#panel-map [data-view="table"]`)
	must("English label", err)
	if label != "Table" {
		t.Errorf("table toggle label = %q, want Table", label)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('panel-map').dataset.ready === 'true'`, chromedp.WithPollingTimeout(30*time.Second)))
	must("English map drawn", err)
	checkJS("cockpit in English")
	shot(t, ctx, "cockpit-en")

	// Click 万州区 on the map itself: ECharts converts the district's
	// centre to canvas pixels, and the mouse clicks there.
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const el = document.querySelector('#panel-map [data-chart]');
		el.scrollIntoView({block: 'center'});
		const chart = echarts.getInstanceByDom(el);
		const [x, y] = chart.convertToPixel({seriesIndex: 0}, [108.38, 30.807807]);
		const r = el.getBoundingClientRect();
		return [r.left + x, r.top + y];
	})()`))
	must("locate Wanzhou on the map", err)
	if len(xy) != 2 {
		t.Fatalf("pixel of Wanzhou = %v", xy)
	}
	must("click Wanzhou", chromedp.Do(ctx,
		chromedp.MouseClickXY(xy[0], xy[1]),
		chromedp.WaitVisible(chromedp.ID("district-clusters")),
	))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must("location", err)
	if !strings.Contains(loc, "/districts/500101") {
		t.Errorf("the map click went to %s, want /districts/500101", loc)
	}
	heading, err = textOf(ctx, "#page-heading")
	must("district heading", err)
	if heading != "Wanzhou District" {
		t.Errorf("district heading = %q, want Wanzhou District (English should stick)", heading)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('[data-state]')].every(e => e.hidden || e.textContent === '')`, chromedp.WithPollingTimeout(30*time.Second)))
	must("district charts drawn", err)
	checkJS("district page")
	shot(t, ctx, "district-500101-en")

	// Drill down: the district's cluster, then its enterprise list.
	must("open a cluster", chromedp.Do(ctx,
		webtest.Click(chromedp.CSS(`#district-clusters tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.ID("top-enterprises")),
		webtest.Click(chromedp.ID("enterprise-list-link")),
		chromedp.WaitVisible(chromedp.ID("enterprise-table")),
	))
	names, err := textOf(ctx, "#enterprise-table")
	must("enterprise list", err)
	if !strings.Contains(names, "万州") {
		t.Errorf("the drill-down list lacks Wanzhou firms: %.200s", names)
	}
	checkJS("enterprise list")

	// Import: a report file with a January period and an unknown credit
	// code is rejected with one line per problem, in the page's language.
	res, tmpl := env.Do(webtest.Scenario{URL: "/api/v1/imports/reports/template.csv", User: "admin"})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("report template: %d %.200s", res.StatusCode, tmpl)
	}
	header, _, _ := strings.Cut(strings.TrimPrefix(tmpl, "\ufeff"), "\r\n")
	cols := strings.Split(header, ",")
	row := func(code, period string) string {
		cells := make([]string, len(cols))
		for i, c := range cols {
			switch {
			case strings.Contains(c, "信用代码") || strings.Contains(strings.ToLower(c), "credit"):
				cells[i] = code
			case strings.Contains(c, "报告期") || strings.Contains(strings.ToLower(c), "period"):
				cells[i] = period
			default:
				cells[i] = "100"
			}
		}
		return strings.Join(cells, ",")
	}
	bad := filepath.Join(t.TempDir(), "reports.csv")
	body := header + "\r\n" + row(webtest.CreditCode(t, "500101", 1), "2024-01") + "\r\n" + row("91500000XXXXXXXXXX", "2024-05") + "\r\n"
	if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	must("upload a bad report file", chromedp.Do(ctx,
		chromedp.Navigate(base+"/import?kind=reports&lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("import-form-reports")),
		chromedp.SetUploadFiles(chromedp.CSS(`#import-form-reports input[type=file]`), []string{bad}),
		webtest.Click(chromedp.CSS(`#import-form-reports button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-form-reports + [data-import-result] table`)),
	))
	report, err := textOf(ctx, `#import-form-reports + [data-import-result]`)
	must("import report", err)
	errRows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#import-form-reports + [data-import-result] .flash.error + div tbody tr').length`))
	must("count import errors", err)
	if errRows < 2 || !strings.Contains(report, "行号") {
		t.Errorf("import error report has %d rows: %.400s", errRows, report)
	}
	checkJS("import")
	shot(t, ctx, "import-errors-zh")
}

// textOf returns the visible text of the first element matching a CSS
// selector, read in the page: node ids from a query can go stale while a
// freshly loaded page is still settling, a selector cannot.
func textOf(ctx context.Context, selector string) (string, error) {
	return webtest.TextOf(ctx, selector)
}

// shot saves a full-page screenshot as name.png in the test's artifact
// directory.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// Quality 100 makes FullScreenshot a PNG of the whole page.
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("screenshot %s: %v", name, err)
		}
		return
	}
	p := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Errorf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", p)
}

// seedBrowserFixture adds above-scale firms in a dozen districts and two
// zones to the standard fixture, with two years of reports and a price
// index, so the map has colour and the breakdowns have parts.
func seedBrowserFixture(t *testing.T, env *webtest.Env) {
	t.Helper()
	ctx := context.Background()
	type firm struct {
		region, industry, name string
		size                   float64 // single-month output, 万元
		growth                 float64 // 2024 over 2023
	}
	firms := []firm{
		{"500112", "3612", "渝北智能汽车制造有限公司", 180000, 1.12},
		{"500112", "3670", "渝北汽车电子有限公司", 40000, 1.06},
		{"500105", "3670", "江北汽车零部件有限公司", 60000, 1.04},
		{"500106", "3911", "沙坪坝笔记本电脑有限公司", 150000, 1.09},
		{"500107", "3251", "九龙坡铝合金材料有限公司", 70000, 0.97},
		{"500102", "2614", "涪陵化工新材料有限公司", 90000, 1.05},
		{"500115", "2619", "长寿天然气化工有限公司", 80000, 1.08},
		{"500116", "1331", "江津粮油食品有限公司", 45000, 1.03},
		{"500117", "3411", "合川智能装备有限公司", 30000, 1.10},
		{"500118", "3751", "永川摩托车有限公司", 35000, 0.95},
		{"500113", "3751", "巴南摩托车发动机有限公司", 25000, 1.02},
		{"500109", "2710", "北碚生物医药有限公司", 20000, 1.15},
		{"500155", "1331", "梁平食品有限公司", 12000, 1.07},
		{"500156", "1520", "武隆饮品有限公司", 8000, 1.04},
		{"500101", "3974", "万州新型显示有限公司", 50000, 1.11},
		{"CQ-LJ", "3612", "两江新能源汽车有限公司", 220000, 1.18},
		{"CQ-GXQ", "3976", "高新区集成电路有限公司", 60000, 1.20},
	}
	var rows []sqlstore.EnterpriseWithYear
	for i, f := range firms {
		code := webtest.CreditCode(t, regionDigits(f.region), 100+i)
		for _, y := range []int{2023, 2024} {
			rows = append(rows, sqlstore.EnterpriseWithYear{
				Enterprise: enterprise.Enterprise{CreditCode: code, Name: f.name, RegionCode: f.region, IndustryCode: f.industry,
					Founded: time.Date(2005+i%15, time.Month(1+i%12), 1, 0, 0, 0, 0, time.UTC), LandArea: unit.Mu100(10000 + 500*i)},
				Year: &enterprise.Year{Year: y, AboveScale: true, Employees: 200 + int(f.size/100), Revenue: unit.Fen(f.size*12) * unit.Wan, Size: enterprise.SizeLarge},
			})
		}
	}
	if _, err := env.Store.UpsertEnterprises(ctx, rows); err != nil {
		t.Fatal(err)
	}
	ids, err := env.Store.EnterpriseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reps []report.Monthly
	for i, f := range firms {
		id := ids[webtest.CreditCode(t, regionDigits(f.region), 100+i)]
		for _, y := range []struct {
			year, last int
			factor     float64
		}{{2023, 12, 1}, {2024, 6, f.growth}} {
			var cum [report.NumFields]float64
			for m := 1; m <= y.last; m++ {
				single := f.size * y.factor * (1 + 0.02*float64(m))
				for fi, share := range []float64{1, 0.28, 0.96, 0.06, 0.025, 0.05, 0.03, 0.4} {
					cum[fi] += single * share
				}
				if m == 1 {
					continue // January is reported with February
				}
				var v report.Values
				for fi := range report.Energy + 1 {
					scale := float64(unit.Wan)
					if fi == report.Energy {
						scale = 1000
					}
					v[fi] = int64(cum[fi] * scale)
				}
				v[report.Employees] = int64(200 + f.size/100)
				reps = append(reps, report.Monthly{EnterpriseID: id, Period: report.Period{Year: y.year, Month: m}, Values: v})
			}
		}
	}
	if _, err := env.Store.UpsertReports(ctx, reps); err != nil {
		t.Fatal(err)
	}
	var defl []sqlstore.Deflator
	for m := 2; m <= 12; m++ {
		defl = append(defl, sqlstore.Deflator{Series: stats.DeflatorSeries, Year: 2023, Month: m, IndexE4: 975_000}, sqlstore.Deflator{Series: stats.DeflatorSeries, Year: 2024, Month: m, IndexE4: 980_000})
	}
	if err := env.Store.PutDeflators(ctx, defl); err != nil {
		t.Fatal(err)
	}
}

// regionDigits is the 6-digit division code a credit code carries: a
// zone's firms register in a host district.
func regionDigits(code string) string {
	switch code {
	case "CQ-LJ":
		return "500112"
	case "CQ-GXQ":
		return "500106"
	}
	return code
}
