package web_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestCockpitCharts reads the drawn charts' options back (issue 12): the
// value-added growth axis includes 0, no axis carries a name that collides
// with its labels, the tier pie's legend is not cut to a scroll strip, and
// the cluster bars have a legend naming the tier colours.
func TestCockpitCharts(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	seedBrowserFixture(t, env)
	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{})
	ctx := b.Ctx
	tok := env.Token("admin")
	err := chromedp.Do(ctx,
		chromedp.Func(func(c context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(c, tg, network.SetCookie, network.SetCookieParams{Name: web.SessionCookie, Value: tok, URL: b.Base + "/"})
			return err
		}),
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(b.Base+"/?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.CSS(".kpi")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`['trend-va', 'trend-output', 'by-tier', 'by-cluster'].every(id => {
		const el = document.querySelector('#panel-' + id + ' [data-chart]');
		const c = el && echarts.getInstanceByDom(el);
		return c && c.getOption().series.length > 0; })`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		shot(t, ctx, "charts")
		t.Fatalf("charts not drawn: %v", err)
	}
	type chartFacts struct {
		VAExtent    []float64 `json:"vaExtent"`
		VAValues    []float64 `json:"vaValues"`
		AxisNames   []string  `json:"axisNames"`
		PieLegend   string    `json:"pieLegend"`
		BarLegend   []string  `json:"barLegend"`
		BarSeries   int       `json:"barSeries"`
		ClusterRows int       `json:"clusterRows"`
	}
	facts, err := chromedp.Run(ctx, chromedp.Evaluate[chartFacts](`(() => {
		const inst = id => echarts.getInstanceByDom(document.querySelector('#panel-' + id + ' [data-chart]'));
		const va = inst('trend-va'), out = inst('trend-output'), pie = inst('by-tier'), bars = inst('by-cluster');
		const names = [];
		for (const c of [va, out]) for (const a of c.getOption().yAxis) if (a.name) names.push(a.name);
		return {
			vaExtent: va.getModel().getComponent('yAxis', 0).axis.scale.getExtent(),
			vaValues: va.getOption().series[0].data.filter(v => v !== null),
			axisNames: names,
			pieLegend: pie.getOption().legend[0].type,
			barLegend: (bars.getOption().legend[0] || {}).data || [],
			barSeries: bars.getOption().series.length,
			clusterRows: bars.getOption().yAxis[0].data.length,
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if len(facts.VAValues) == 0 || len(facts.VAExtent) != 2 {
		t.Fatalf("value-added chart: %+v", facts)
	}
	if facts.VAExtent[0] > 0 || facts.VAExtent[1] <= slices.Max(facts.VAValues) {
		t.Errorf("value-added growth axis %v for values %v: it must include 0 and leave room above the top", facts.VAExtent, facts.VAValues)
	}
	if len(facts.AxisNames) > 0 {
		t.Errorf("trend axes carry names %q, which collide with the labels: put units on the ticks", facts.AxisNames)
	}
	if facts.PieLegend == "scroll" {
		t.Errorf("the tier pie's legend scrolls, hiding tiers")
	}
	if len(facts.BarLegend) == 0 || facts.BarSeries != len(facts.BarLegend) || facts.ClusterRows < 3 {
		t.Errorf("cluster bars: legend %q, %d series, %d rows", facts.BarLegend, facts.BarSeries, facts.ClusterRows)
	}
	b.CheckJS(t, "cockpit charts")
}
