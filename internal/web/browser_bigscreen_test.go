package web_test

// Issue 12, what FineBI/DataV users expect: the big screen (大屏) with its
// auto-refresh, number flips, scrolling ranking and in-place drill-down;
// the cockpit's table helper (sort, pages, columns), chart toolbox and
// target lines; and the district comparison. Same harness and skip rules
// as browser_test.go.

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// apiJSON decodes an API answer for user into v.
func apiJSON(t *testing.T, env *webtest.Env, user, url string, v any) {
	t.Helper()
	res, body := env.Do(webtest.Scenario{URL: url, User: user})
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %s", url, res.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatal(err)
	}
}

type kpiAnswer struct {
	Period  string `json:"period"`
	Figures []struct {
		Code  string   `json:"code"`
		Value *float64 `json:"value"`
	} `json:"figures"`
}

func (k kpiAnswer) value(code string) float64 {
	for _, f := range k.Figures {
		if f.Code == code && f.Value != nil {
			return *f.Value
		}
	}
	return math.NaN()
}

func signIn(t *testing.T, b *webtest.BrowserSession, env *webtest.Env, user string) {
	t.Helper()
	tok := env.Token(user)
	if err := chromedp.Do(b.Ctx, chromedp.Func(func(c context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(c, tg, network.SetCookie, network.SetCookieParams{Name: web.SessionCookie, Value: tok, URL: b.Base + "/"})
		return err
	})); err != nil {
		t.Fatal(err)
	}
}

func TestBigScreen(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	seedBrowserFixture(t, env)
	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{Timeout: 3 * time.Minute})
	ctx := b.Ctx
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			shot(t, ctx, "bigscreen-failure")
			t.Fatalf("%s: %v", step, err)
		}
	}
	signIn(t, b, env, "admin")
	must("open", chromedp.Do(ctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(b.Base+"/bigscreen?refresh=3&lang=zh-CN")))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`Number(document.getElementById('bigscreen').dataset.loads || 0) >= 1`, chromedp.WithPollingTimeout(30*time.Second)))
	must("first load", err)

	var kpis kpiAnswer
	apiJSON(t, env, "admin", "/api/v1/stats/kpis", &kpis)
	var regions struct {
		Slices []struct {
			Key    string  `json:"key"`
			Output float64 `json:"output_yi"`
		} `json:"slices"`
	}
	apiJSON(t, env, "admin", "/api/v1/stats/breakdown?by=region", &regions)
	sort.SliceStable(regions.Slices, func(i, j int) bool { return regions.Slices[i].Output > regions.Slices[j].Output })
	var wantRank []string
	for _, s := range regions.Slices {
		wantRank = append(wantRank, s.Key)
	}

	type rect struct{ Left, Top, Right, Bottom float64 }
	type facts struct {
		Period      string            `json:"period"`
		KPIs        map[string]string `json:"kpis"`
		Rank        []string          `json:"rank"`
		Scrolling   bool              `json:"scrolling"`
		Animations  int               `json:"animations"`
		Copy        bool              `json:"copy"`
		TopbarShown bool              `json:"topbarShown"`
		Background  string            `json:"background"`
		Width       float64           `json:"width"`
		Height      float64           `json:"height"`
		Map         rect              `json:"map"`
		RankBox     rect              `json:"rankBox"`
		Drill       rect              `json:"drill"`
		MapDrawn    bool              `json:"mapDrawn"`
	}
	const probe = `(() => {
		const r = id => { const b = document.getElementById(id).getBoundingClientRect(); return {left: b.left, top: b.top, right: b.right, bottom: b.bottom}; };
		const kpis = {};
		document.querySelectorAll('#bs-kpis [data-indicator]').forEach(c => { kpis[c.dataset.indicator] = c.querySelector('.bs-value').dataset.value; });
		const box = document.getElementById('bs-marquee');
		const m = echarts.getInstanceByDom(document.getElementById('bs-map'));
		return {
			period: document.getElementById('bs-period').innerText.trim(),
			kpis: kpis,
			rank: [...document.querySelectorAll('#bs-rank > li')].map(li => li.dataset.region),
			scrolling: box.classList.contains('scrolling'),
			animations: document.getElementById('bs-rank').getAnimations().length,
			copy: !!box.querySelector('.bs-copy'),
			topbarShown: getComputedStyle(document.querySelector('.topbar')).display !== 'none',
			background: getComputedStyle(document.body).backgroundColor,
			width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
			map: r('bs-map'), rankBox: r('bs-marquee'), drill: r('bs-drill'),
			mapDrawn: !!m && m.getOption().series[0].data.some(d => d.value !== null),
		};
	})()`
	f, err := chromedp.Run(ctx, chromedp.Evaluate[facts](probe))
	must("probe", err)
	shot(t, ctx, "bigscreen-1920")

	// "Data as of" names the latest period; every headline figure is the API's.
	if f.Period != "2024年1–6月" || kpis.Period != "2024-06" {
		t.Errorf("data as of %q (API %s)", f.Period, kpis.Period)
	}
	if len(f.KPIs) != len(kpis.Figures) || len(f.KPIs) < 8 {
		t.Errorf("%d headline figures on the screen, the API has %d", len(f.KPIs), len(kpis.Figures))
	}
	out, _ := strconv.ParseFloat(f.KPIs["IND_OUTPUT"], 64)
	if math.Abs(out-kpis.value("IND_OUTPUT")) > 0.051 {
		t.Errorf("output on the screen %v, API %v", out, kpis.value("IND_OUTPUT"))
	}
	// The ranking lists every district with data, largest output first,
	// and scrolls (it is longer than its box).
	if !slices.Equal(f.Rank, wantRank) {
		t.Errorf("ranking %v, want %v", f.Rank, wantRank)
	}
	if !f.Scrolling || f.Animations == 0 || !f.Copy {
		t.Errorf("the ranking of %d districts does not scroll: %+v", len(f.Rank), f)
	}
	// One dark screen: no site chrome, a dark background, nothing beyond
	// 1920×1080, map, ranking and drill-down side by side.
	if f.TopbarShown || f.Background != "rgb(7, 20, 38)" || !f.MapDrawn {
		t.Errorf("not the dark full-screen layout: topbar %v, background %s, map drawn %v", f.TopbarShown, f.Background, f.MapDrawn)
	}
	if f.Width > 1920 || f.Height > 1080 {
		t.Errorf("the big screen is %v×%v px, larger than the 1920×1080 display", f.Width, f.Height)
	}
	if !(f.Map.Right <= f.RankBox.Left+1 && f.RankBox.Right <= f.Drill.Left+1 && math.Abs(f.Map.Top-f.RankBox.Top) < 80) {
		t.Errorf("map %v, ranking %v and drill-down %v are not side by side", f.Map, f.RankBox, f.Drill)
	}
	b.CheckJS(t, "big screen")

	// Drill-down in place: a district from the ranking, back to the city,
	// then a district on the map itself.
	var wz kpiAnswer
	apiJSON(t, env, "admin", "/api/v1/stats/kpis?region=500101", &wz)
	drilled := func(code string) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('bs-drill').dataset.region === '`+code+`' && !!document.querySelector('#bs-drill-kpis [data-indicator="IND_OUTPUT"] .bs-value[data-value]')`, chromedp.WithPollingTimeout(15*time.Second)))
		must("drill to "+code, err)
	}
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.querySelector('#bs-rank li[data-region="500101"] button').click(); return true; })()`))
	must("click 万州 in the ranking", err)
	drilled("500101")
	name, err := webtest.TextOf(ctx, "#bs-drill-name")
	must("drill name", err)
	dv, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#bs-drill-kpis [data-indicator="IND_OUTPUT"] .bs-value').dataset.value`))
	must("drill value", err)
	if v, _ := strconv.ParseFloat(dv, 64); name != "万州区" || math.Abs(v-wz.value("IND_OUTPUT")) > 0.051 {
		t.Errorf("drill-down shows %s %s, want 万州区 %v", name, dv, wz.value("IND_OUTPUT"))
	}
	must("back to the city", chromedp.Do(ctx, webtest.Click(chromedp.CSS("#bs-back"))))
	drilled("")
	xy, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const el = document.getElementById('bs-map');
		const [x, y] = echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [108.38, 30.807807]);
		const r = el.getBoundingClientRect();
		return [r.left + x, r.top + y];
	})()`))
	must("locate 万州 on the map", err)
	must("click 万州 on the map", chromedp.Do(ctx, chromedp.MouseClickXY(xy[0], xy[1])))
	drilled("500101")

	// Auto-refresh: July's reports arrive; the screen picks them up by
	// itself, says so, and the output figure flips to the new value.
	var july []report.Monthly
	must("read June", env.Store.EachReport(context.Background(), auth.All(), sqlstore.ReportFilter{Year: 2024, Month: 6}, func(r sqlstore.ReportRow) error {
		m := r.Monthly
		m.Period = report.Period{Year: 2024, Month: 7}
		for i := range m.Values {
			if report.Fields[i].Kind == report.Cumulative {
				m.Values[i] = m.Values[i] / 6 * 7
			}
		}
		july = append(july, m)
		return nil
	}))
	if _, err := env.Store.UpsertReports(context.Background(), july); err != nil {
		t.Fatal(err)
	}
	apiJSON(t, env, "admin", "/api/v1/stats/kpis", &kpis)
	if kpis.Period != "2024-07" {
		t.Fatalf("after July's import the API says %s", kpis.Period)
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('bigscreen').dataset.period === '2024-07'`, chromedp.WithPollingTimeout(20*time.Second)))
	must("refresh to July", err)
	type flipped struct {
		Period string `json:"period"`
		Value  string `json:"value"`
		Flips  string `json:"flips"`
		Text   string `json:"text"`
	}
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`!document.querySelector('#bs-kpis .ck-flipping')`, chromedp.WithPollingTimeout(10*time.Second)))
	must("flip ends", err)
	fl, err := chromedp.Run(ctx, chromedp.Evaluate[flipped](`(() => {
		const v = document.querySelector('#bs-kpi-IND_OUTPUT .bs-value');
		return {period: document.getElementById('bs-period').innerText.trim(), value: v.dataset.value, flips: v.dataset.flips, text: v.innerText};
	})()`))
	must("after refresh", err)
	nv, _ := strconv.ParseFloat(fl.Value, 64)
	if fl.Period != "2024年1–7月" || math.Abs(nv-kpis.value("IND_OUTPUT")) > 0.051 || fl.Flips != "2" || fl.Text != web.FormatNumber(nv, 1) {
		t.Errorf("after July: %+v, want 2024年1–7月 and %v, flipped twice (load, refresh)", fl, kpis.value("IND_OUTPUT"))
	}
	must("phone", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	shot(t, ctx, "bigscreen-390")
	b.CheckJS(t, "big screen refresh")
}

func TestCockpitKit(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	seedBrowserFixture(t, env)
	if err := env.Store.PutTargets(context.Background(), []target.Target{
		{IndicatorCode: "IND_VA_GROWTH", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 6.5, Source: "test va"},
	}); err != nil {
		t.Fatal(err)
	}
	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{Timeout: 3 * time.Minute})
	ctx := b.Ctx
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			shot(t, ctx, "kit-failure")
			t.Fatalf("%s: %v", step, err)
		}
	}
	signIn(t, b, env, "admin")
	must("open", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(b.Base+"/?lang=zh-CN"), chromedp.WaitVisible(chromedp.CSS(".kpi"))))
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`['trend-va', 'trend-output', 'map'].every(id => {
		const el = document.querySelector('#panel-' + id + ' [data-chart]');
		const c = el && echarts.getInstanceByDom(el);
		return c && c.getOption().series.length > 0; })`, chromedp.WithPollingTimeout(20*time.Second)))
	must("charts", err)
	shot(t, ctx, "cockpit-kit")

	// Charts: a toolbox to save as image and to zoom; the target as a
	// pro-rata path on the output trend and as a line on the growth trend.
	type chartFacts struct {
		Features   []string  `json:"features"`
		MapTools   []string  `json:"mapTools"`
		PNG        string    `json:"png"`
		Series     []string  `json:"series"`
		Pace       []float64 `json:"pace"`
		Months     []string  `json:"months"`
		VALine     []float64 `json:"vaLine"`
		ZoomExtent []float64 `json:"zoomExtent"`
	}
	cf, err := chromedp.Run(ctx, chromedp.Evaluate[chartFacts](`(() => {
		const inst = id => echarts.getInstanceByDom(document.querySelector('#panel-' + id + ' [data-chart]'));
		const out = inst('trend-output'), va = inst('trend-va'), map = inst('map');
		const o = out.getOption();
		const pace = o.series.find(s => s.name.startsWith('目标进度'));
		const line = (va.getOption().series[0].markLine || {data: []}).data.map(d => d.yAxis);
		out.dispatchAction({type: 'dataZoom', dataZoomIndex: 0, startValue: 1, endValue: 2});
		return {
			features: Object.keys(o.toolbox[0].feature).sort(),
			mapTools: Object.keys(map.getOption().toolbox[0].feature).sort(),
			png: out.getDataURL({type: 'png'}).slice(0, 22),
			series: o.series.map(s => s.name),
			pace: pace ? pace.data : [],
			months: o.xAxis[0].data,
			vaLine: line,
			zoomExtent: out.getModel().getComponent('xAxis', 0).axis.scale.getExtent(),
		};
	})()`))
	must("chart facts", err)
	if !slices.Equal(cf.Features, []string{"dataZoom", "restore", "saveAsImage"}) || !slices.Contains(cf.MapTools, "saveAsImage") || cf.PNG != "data:image/png;base64," {
		t.Errorf("toolbox: trend %v, map %v, image %q", cf.Features, cf.MapTools, cf.PNG)
	}
	// The fixture's city output target is 1 亿元: its path is 1 × month / 12.
	var wantPace []float64
	for m := 2; m <= 6; m++ {
		wantPace = append(wantPace, math.Round(float64(m)/12*10)/10)
	}
	if !slices.Equal(cf.Pace, wantPace) || len(cf.Months) != len(wantPace) {
		t.Errorf("target pace %v over %v, want %v", cf.Pace, cf.Months, wantPace)
	}
	if !slices.Equal(cf.VALine, []float64{6.5}) {
		t.Errorf("value-added target line %v, want [6.5]", cf.VALine)
	}
	if !slices.Equal(cf.ZoomExtent, []float64{1, 2}) {
		t.Errorf("zoomed axis extent %v, want [1 2]", cf.ZoomExtent)
	}

	// The map's table (17 districts and zones) pages through the shared
	// helper.
	must("map as a table", chromedp.Do(ctx, webtest.Click(chromedp.CSS(`#panel-map [data-view="table"]`))))
	info, err := webtest.TextOf(ctx, `#panel-map [data-pager="info"]`)
	must("map table pager", err)
	if !strings.HasPrefix(info, "第 1 / 2 页") {
		t.Errorf("map table pager says %q", info)
	}

	// The task table: sort by any column, both ways; hide a column; pages.
	must("targets", chromedp.Do(ctx, chromedp.Navigate(b.Base+"/targets?year=2024&lang=zh-CN"), chromedp.WaitVisible(chromedp.CSS("#targets-table"))))
	column := func(i int) []float64 {
		t.Helper()
		cells, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#targets-table tbody tr')].map(r => r.cells[`+strconv.Itoa(i)+`].innerText.trim())`))
		must("read column", err)
		var out []float64
		for _, c := range cells {
			f := strings.Fields(strings.ReplaceAll(c, ",", ""))
			if len(f) == 0 {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimLeft(f[0], "≥≤≈ "), 64)
			if err != nil {
				if len(f) > 1 {
					v, err = strconv.ParseFloat(f[1], 64)
				}
				if err != nil {
					continue
				}
			}
			out = append(out, v)
		}
		return out
	}
	must("sort by target", chromedp.Do(ctx, webtest.Click(chromedp.CSS(`#targets-table thead th:nth-child(3) .ck-sort`))))
	desc := column(2)
	must("sort again", chromedp.Do(ctx, webtest.Click(chromedp.CSS(`#targets-table thead th:nth-child(3) .ck-sort`))))
	asc := column(2)
	if len(desc) < 3 || !slices.IsSortedFunc(desc, func(a, b float64) int { return -cmpF(a, b) }) || !slices.IsSorted(asc) || slices.Equal(desc, asc) {
		t.Errorf("sorted by target: %v then %v", desc, asc)
	}
	must("choose columns", chromedp.Do(ctx, webtest.Click(chromedp.CSS(`.ck-cols summary`)), webtest.Click(chromedp.CSS(`.ck-colbox input[data-col="7"]`))))
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](`[document.querySelector('#targets-table thead th:nth-child(8)').checkVisibility(), document.querySelector('#targets-table tbody td:nth-child(8)').checkVisibility(), document.querySelector('#targets-table thead th:nth-child(7)').checkVisibility()]`))
	must("columns", err)
	if !slices.Equal(hidden, []bool{false, false, true}) {
		t.Errorf("after unticking the source column: visible %v, want [false false true]", hidden)
	}
	// Pages: one row a page, next, then a jump to the last page.
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const tb = document.getElementById('targets-table');
		document.querySelectorAll('.ck-gridbar').forEach(b => b.remove());
		tb.dataset.pageSize = '1'; tb._grid = null; IB.grid(tb);
		return tb.tBodies[0].rows.length; })()`))
	must("page size 1", err)
	visible := func() []string {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#targets-table tbody tr')].filter(r => r.checkVisibility()).map(r => r.cells[1].innerText.trim() + r.cells[2].innerText.trim())`))
		must("visible rows", err)
		return v
	}
	all, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#targets-table tbody tr')].map(r => r.cells[1].innerText.trim() + r.cells[2].innerText.trim())`))
	must("rows", err)
	first := visible()
	must("next page", chromedp.Do(ctx, webtest.Click(chromedp.CSS(`[data-pager="next"]`))))
	second := visible()
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const i = document.querySelector('[data-pager="jump"]'); i.value = '`+strconv.Itoa(rows)+`'; return i.dispatchEvent(new Event('change')); })()`))
	must("jump", err)
	last := visible()
	pinfo, err := webtest.TextOf(ctx, `[data-pager="info"]`)
	must("pager info", err)
	if rows < 3 || !slices.Equal(first, all[:1]) || !slices.Equal(second, all[1:2]) || !slices.Equal(last, all[rows-1:]) || !strings.HasPrefix(pinfo, "第 "+strconv.Itoa(rows)+" / "+strconv.Itoa(rows)+" 页") {
		t.Errorf("paging %d rows one a page: %v, %v, %v (%q); rows %v", rows, first, second, last, pinfo, all)
	}

	// Several districts side by side: the table's columns and the bars
	// are the chosen districts' figures.
	must("compare", chromedp.Do(ctx, chromedp.Navigate(b.Base+"/compare?regions=500112&regions=500106&regions=CQ-LJ&lang=zh-CN"), chromedp.WaitVisible(chromedp.CSS("#compare-table"))))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const el = document.querySelector('#panel-compare-output [data-chart]'); const c = el && echarts.getInstanceByDom(el); return !!c && c.getOption().series.length > 0; })()`, chromedp.WithPollingTimeout(15*time.Second)))
	must("compare chart", err)
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`echarts.getInstanceByDom(document.querySelector('#panel-compare-output [data-chart]')).getOption().series[0].data`))
	must("bars", err)
	for i, code := range []string{"500112", "500106", "CQ-LJ"} {
		var k kpiAnswer
		apiJSON(t, env, "admin", "/api/v1/stats/kpis?region="+code, &k)
		if i >= len(bars) || math.Abs(bars[i]-math.Round(k.value("IND_OUTPUT")*10)/10) > 1e-9 {
			t.Errorf("compare bars %v: %s should be %.1f", bars, code, k.value("IND_OUTPUT"))
		}
	}
	b.CheckJS(t, "cockpit kit")
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
