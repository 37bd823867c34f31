package web_test

// The module pages in a real browser (same harness and skip rules as
// browser_test.go): sign in, visit 亩均, cultivation, goals, the hard-tech
// pool and listing pages, check each draws its main content without a
// script error, move between a firm's four views by their tabs, open the
// grouped main navigation at 1280 px and on a phone-sized screen, switch
// one page to English, and on /mujun click a district on the map and in
// the ranking table and check the drill-down. Screenshots go to
// t.ArtifactDir().

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestBrowserModules(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	webtest.SeedMujun(t, env)
	webtest.SeedListing(t, env)
	webtest.SeedGoals(t, env)

	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{Timeout: 150 * time.Second})
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
	eval := func(step, js string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		must(step, err)
		return v
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		must("location", err)
		return loc
	}
	// waitFor polls js until it holds, across the navigation a click
	// starts (an evaluation in the page being left fails; it is retried).
	waitFor := func(step, js string) {
		t.Helper()
		var last error
		for range 100 {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			last = err
			time.Sleep(150 * time.Millisecond)
		}
		shot(t, ctx, "failure")
		t.Fatalf("%s: %s never held (last error %v)", step, js, last)
	}
	// settled waits until the charts of a page have left their loading
	// state (pages without charts have none).
	settled := func(step string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('[data-state]')].every(e => e.hidden || e.textContent === '')`,
			chromedp.WithPollingTimeout(30*time.Second)))
		must(step+": charts drawn", err)
	}

	must("sign in", chromedp.Do(ctx,
		chromedp.Navigate(base+"/login?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), webtest.FixturePassword),
		webtest.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(".kpi")),
	))
	checkJS("sign in")

	// Every module page renders its main content.
	pages := []struct {
		name, path, main, heading string
	}{
		{"mujun", "/mujun", "#mujun-enterprises", "亩均论英雄评价"},
		{"mujun-targets", "/mujun/targets", "#page-heading", "2027年亩均目标跟踪"},
		{"mujun-diff", "/mujun/runs/1/diff/2", "table.data tbody tr", "分类变化"},
		{"mujun-enterprise", "/mujun/enterprises/{wz-auto}", ".mujun-result table", webtest.NameWZAuto},
		{"cultivation", "/cultivation", "#funnel-table", "优质企业梯度培育"},
		{"eligibility", "/enterprises/{wz-auto}/eligibility", "#eligibility-overview", webtest.NameWZAuto},
		{"goals", "/goals", "table.data tbody tr", "优质企业培育目标"},
		{"hardtech", "/hardtech", "#page-heading", "硬科技企业帮扶库"},
		{"listing", "/listing", "#page-heading", "企业上市培育"},
		{"listing-firm", "/listing/firms/{wz-auto}", "#listing-current", webtest.NameWZAuto},
	}
	for _, pg := range pages {
		must(pg.name, chromedp.Do(ctx,
			chromedp.Navigate(env.Expand(base+pg.path+"?lang=zh-CN")),
			chromedp.WaitVisible(chromedp.CSS(pg.main)),
		))
		settled(pg.name)
		heading, err := textOf(ctx, "#page-heading")
		must(pg.name+" heading", err)
		if !strings.Contains(heading, pg.heading) {
			t.Errorf("%s: heading %q, want %q", pg.name, heading, pg.heading)
		}
		// The group of the page's menu item is marked in the main bar.
		if !eval(pg.name+" nav", `!!document.querySelector('#mainnav .navgroup.current a[aria-current="page"]')`) {
			t.Errorf("%s: no current item in a marked navigation group", pg.name)
		}
		checkJS(pg.name)
		shot(t, ctx, pg.name+"-zh")
	}

	// The 亩均 changes filter by transition: each move is a link to the
	// list of that move's firms (all pages), not a filter of one page.
	must("changes by transition", chromedp.Do(ctx,
		chromedp.Navigate(base+"/mujun/runs/1/diff/2?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.CSS(`#diff-summary a:not([aria-current])`)),
		webtest.Click(chromedp.CSS(`#diff-summary a:not([aria-current])`)),
		chromedp.WaitVisible(chromedp.CSS(`#diff-summary a[aria-current="true"][href*="move="]`)),
	))
	if !eval("filtered changes", `(() => {
		const v = new URL(location.href).searchParams.get('move');
		const rows = [...document.querySelectorAll('#mujun-changes tbody tr')];
		return v && rows.length > 0 && rows.every(r => r.dataset.filter === v);
	})()`) {
		t.Error("the transition filter does not narrow the changes")
	}
	checkJS("changes filter")

	// A firm's four views link to each other by the same tab row.
	must("profile to listing to 亩均", chromedp.Do(ctx,
		chromedp.Navigate(env.Expand(base+"/enterprises/{wz-auto}?lang=zh-CN")),
		chromedp.WaitVisible(chromedp.ID("enterprise-tabs")),
		webtest.Click(chromedp.ID("listing-link")),
		chromedp.WaitVisible(chromedp.ID("listing-current")),
		webtest.Click(chromedp.ID("mujun-link")),
		chromedp.WaitVisible(chromedp.CSS(".mujun-result")),
	))
	if cur, _ := textOf(ctx, `#enterprise-tabs [aria-current="page"]`); cur != "亩均评价" {
		t.Errorf("current tab on the 亩均 result = %q", cur)
	}
	if loc := location(); !strings.Contains(loc, env.Expand("/mujun/enterprises/{wz-auto}")) {
		t.Errorf("the 亩均 tab went to %s", loc)
	}
	checkJS("enterprise tabs")

	// The main navigation: one line at 1280 px; a group opens on click
	// and its item leads to the page.
	must("1280 px", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	for _, lang := range []string{"zh-CN", "en"} {
		must("goals at 1280 px", chromedp.Do(ctx,
			chromedp.Navigate(base+"/goals?lang="+lang),
			chromedp.WaitVisible(chromedp.ID("mainnav")),
		))
		if !eval("one-line bar", `document.querySelector('.topbar-inner').getBoundingClientRect().height < 70`) {
			t.Errorf("the top bar wraps at 1280 px in %s", lang)
		}
	}
	must("open the evaluation menu", chromedp.Do(ctx,
		chromedp.Navigate(base+"/goals?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("mainnav")),
		webtest.Click(chromedp.CSS(`details[data-navgroup="evaluate"] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`details[data-navgroup="evaluate"] a[href="/mujun/targets"]`)),
	))
	shot(t, ctx, "nav-open-1280")
	must("menu item", chromedp.Do(ctx,
		webtest.Click(chromedp.CSS(`details[data-navgroup="evaluate"] a[href="/mujun/targets"]`)),
		chromedp.WaitVisible(chromedp.ID("mujun-targets")),
	))
	checkJS("navigation")

	// A phone-sized screen: the bar and an open menu stay on screen.
	must("390 px", chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(base+"/listing?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("mainnav")),
		webtest.Click(chromedp.CSS(`details[data-navgroup="cultivate"] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`details[data-navgroup="cultivate"] a[href="/goals"]`)),
	))
	if !eval("menu on screen", `(() => {
		const w = window.innerWidth;
		const ok = e => { const r = e.getBoundingClientRect(); return r.left >= 0 && r.right <= w + 1; };
		return ok(document.getElementById('mainnav')) && ok(document.querySelector('details[data-navgroup="cultivate"] .navmenu'));
	})()`) {
		t.Error("the navigation runs off a 390 px screen")
	}
	if !eval("no sideways page", `document.documentElement.scrollWidth <= window.innerWidth + 1`) {
		w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		t.Errorf("the listing page is %d px wide on a 390 px screen", w)
	}
	shot(t, ctx, "nav-open-390")
	// The 亩均 map draws and resizes on the small screen too.
	must("亩均 at 390 px", chromedp.Do(ctx,
		chromedp.Navigate(base+"/mujun?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("mujun-districts")),
	))
	waitFor("亩均 map at 390 px", `document.getElementById('panel-mujun-map').dataset.ready === 'true'`)
	shot(t, ctx, "mujun-390")
	must("desktop again", chromedp.Do(ctx, chromedp.EmulateViewport(1440, 1000)))
	checkJS("phone")

	// English on the listing timeline, through the link every page has.
	must("switch to English", chromedp.Do(ctx,
		chromedp.Navigate(env.Expand(base+"/listing/firms/{wz-auto}?lang=zh-CN")),
		chromedp.WaitVisible(chromedp.ID("listing-current")),
		webtest.Click(chromedp.ID("lang-switch")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #listing-current`)),
	))
	for sel, want := range map[string]string{
		"#timeline-heading":                  "Listing history",
		`#enterprise-tabs [aria-current]`:    "Listing",
		`details[data-navgroup="cultivate"]`: "Cultivate",
		"#listing-current":                   "Tutoring filed",
	} {
		got, err := textOf(ctx, sel)
		must("English "+sel, err)
		if !strings.Contains(got, want) {
			t.Errorf("English %s = %q, want %q", sel, got, want)
		}
	}
	checkJS("listing in English")
	shot(t, ctx, "listing-firm-en")

	// /mujun: click 万州区 on the map; the ranking below narrows to it.
	must("open /mujun", chromedp.Do(ctx,
		chromedp.Navigate(base+"/mujun?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("mujun-districts")),
	))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('panel-mujun-map').dataset.ready === 'true'`, chromedp.WithPollingTimeout(30*time.Second)))
	must("亩均 map drawn", err)
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const el = document.querySelector('#panel-mujun-map [data-chart]');
		el.scrollIntoView({block: 'center'});
		const chart = echarts.getInstanceByDom(el);
		const [x, y] = chart.convertToPixel({seriesIndex: 0}, [108.38, 30.807807]);
		const r = el.getBoundingClientRect();
		return [r.left + x, r.top + y];
	})()`))
	must("locate Wanzhou on the 亩均 map", err)
	if len(xy) != 2 {
		t.Fatalf("pixel of Wanzhou = %v", xy)
	}
	must("click Wanzhou", chromedp.Do(ctx,
		chromedp.MouseClickXY(xy[0], xy[1]),
	))
	waitFor("drill-down to 500101", `location.search.includes('region=500101') && document.readyState === 'complete' && !!document.getElementById('mujun-enterprises')`)
	regions, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#mujun-enterprises tbody tr td:nth-child(3)')].map(td => td.textContent.trim())`))
	must("ranking regions", err)
	if len(regions) == 0 {
		t.Error("the drill-down ranking is empty")
	}
	for _, r := range regions {
		if r != "万州区" {
			t.Errorf("the ranking after the map click lists a firm of %q", r)
		}
	}
	if sel, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#ranking-form select[name=region]').value`)); sel != "500101" {
		t.Errorf("the ranking's district filter = %q after the map click", sel)
	}
	if names, _ := textOf(ctx, "#mujun-enterprises"); !strings.Contains(names, webtest.NameWZAuto) {
		t.Errorf("the drill-down lacks %s: %.300s", webtest.NameWZAuto, names)
	}
	checkJS("亩均 map drill-down")
	shot(t, ctx, "mujun-drill-map")

	// The same from the district ranking table: 渝中区.
	must("click a district in the ranking table", chromedp.Do(ctx,
		chromedp.Navigate(base+"/mujun?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.CSS(`#mujun-districts tr[data-region="500103"] a`)),
		webtest.Click(chromedp.CSS(`#mujun-districts tr[data-region="500103"] a`)),
	))
	waitFor("drill-down to 500103", `location.search.includes('region=500103') && document.readyState === 'complete' && !!document.getElementById('mujun-enterprises')`)
	regions, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#mujun-enterprises tbody tr td:nth-child(3)')].map(td => td.textContent.trim())`))
	must("table drill-down regions", err)
	if len(regions) == 0 || strings.Join(regions, "") != strings.Repeat("渝中区", len(regions)) {
		t.Errorf("the ranking after the table click lists %v", regions)
	}
	checkJS("亩均 table drill-down")
	shot(t, ctx, "mujun-drill-table")

	// A district officer reaches the district's module pages from the
	// district cockpit.
	must("district officer", chromedp.Do(ctx,
		webtest.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("username"), "wanzhou"),
		chromedp.SendKeys(chromedp.ID("password"), webtest.FixturePassword),
		webtest.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("district-related")),
		webtest.Click(chromedp.ID("rel-goals")),
		chromedp.WaitVisible(chromedp.CSS("table.data tbody tr")),
	))
	if loc := location(); !strings.HasSuffix(loc, "/goals?region=500101") {
		t.Errorf("the district's goals link went to %s", loc)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('table.data tbody tr td:first-child')].map(td => td.textContent.trim()).join('|')`))
	must("district goals", err)
	if strings.Contains(rows, "渝中区") || !strings.Contains(rows, "万州区") {
		t.Errorf("the district officer's goals rows: %s", rows)
	}
	checkJS("district goals")
	shot(t, ctx, "district-goals-zh")
}
