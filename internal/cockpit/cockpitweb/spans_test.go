package cockpitweb_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/pdfprint"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// fixtureSingles reads the fixture's reports and derives each firm's
// single months with report.SingleMonth (the platform's rule): output in
// fen by region ("" = all), year and month, counting only known months,
// with the year-to-date totals as reported.
type fixtureSums struct {
	single map[string]map[[2]int]int64
	cum    map[string]map[[2]int]int64
}

func readFixture(t *testing.T, env *webtest.Env) fixtureSums {
	t.Helper()
	out := fixtureSums{single: map[string]map[[2]int]int64{}, cum: map[string]map[[2]int]int64{}}
	byFirm := map[[2]int64][]report.Monthly{}
	region := map[int64]string{}
	for _, y := range []int{2023, 2024} {
		if err := env.Store.EachReport(context.Background(), auth.All(), sqlstore.ReportFilter{Year: y}, func(r sqlstore.ReportRow) error {
			byFirm[[2]int64{r.EnterpriseID, int64(y)}] = append(byFirm[[2]int64{r.EnterpriseID, int64(y)}], r.Monthly)
			region[r.EnterpriseID] = r.RegionCode
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	add := func(m map[string]map[[2]int]int64, reg string, k [2]int, v int64) {
		for _, key := range []string{"", reg} {
			if m[key] == nil {
				m[key] = map[[2]int]int64{}
			}
			m[key][k] += v
		}
	}
	for k, rs := range byFirm {
		for _, r := range rs {
			add(out.cum, region[k[0]], [2]int{r.Period.Year, r.Period.Month}, r.Values[report.Output])
		}
		for _, s := range report.SingleMonth(rs, report.Output) {
			if s.Known {
				add(out.single, region[k[0]], [2]int{s.Period.Year, s.Period.Month}, s.Value)
			}
		}
	}
	return out
}

type spanJSON struct {
	Span string `json:"span"`
	Rows []struct {
		Code string `json:"code"`
		A    struct {
			Period  string   `json:"period"`
			Value   *float64 `json:"value"`
			Derived bool     `json:"derived"`
			Unknown string   `json:"unknown"`
			YoYPct  *float64 `json:"yoy_pct"`
			MoMPct  *float64 `json:"mom_pct"`
		} `json:"a"`
		B *struct {
			Period string   `json:"period"`
			Value  *float64 `json:"value"`
		} `json:"b"`
	} `json:"rows"`
}

// Time controls (issue 12): single months, quarters and year to date
// from the API, against values computed from the fixture's records.
func TestSpansFromRecords(t *testing.T) {
	env := webtest.SQLite(t)
	fx := readFixture(t, env)
	get := func(url string) spanJSON {
		t.Helper()
		res, body := env.Do(webtest.Scenario{URL: url, User: "admin"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", url, res.StatusCode, body)
		}
		var s spanJSON
		if err := json.Unmarshal([]byte(body), &s); err != nil {
			t.Fatal(err)
		}
		if len(s.Rows) == 0 || s.Rows[0].Code != "IND_OUTPUT" {
			t.Fatalf("%s: %s", url, body)
		}
		return s
	}
	yi := float64(unit.Yi)
	near := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	pct := func(a, b int64) float64 { return (float64(a)/float64(b) - 1) * 100 }
	s, c := fx.single[""], fx.cum[""]

	// June 2024 beside June 2023: every firm reported May and June.
	june := get("/api/v1/stats/spans?span=month&a=2024-06&b=2023-06")
	r := june.Rows[0]
	near("June 2024", r.A.Value, float64(s[[2]int{2024, 6}])/yi)
	near("June 2024 YoY", r.A.YoYPct, pct(s[[2]int{2024, 6}], s[[2]int{2023, 6}]))
	near("June 2024 MoM", r.A.MoMPct, pct(s[[2]int{2024, 6}], s[[2]int{2024, 5}]))
	if !r.A.Derived || r.B == nil || r.B.Period != "2023-06" {
		t.Errorf("June: %+v", r)
	} else {
		near("June 2023", r.B.Value, float64(s[[2]int{2023, 6}])/yi)
	}

	// The fixture's food firm has no March 2024 report: April cannot be
	// derived for the city (nor the second quarter), and says why.
	apr := get("/api/v1/stats/spans?span=month&a=2024-04").Rows[0]
	if apr.A.Value != nil || apr.A.Unknown != "unstable" {
		t.Errorf("April 2024 with a firm's March missing: %+v", apr.A)
	}
	if q := get("/api/v1/stats/spans?span=quarter&a=2024-Q2").Rows[0]; q.A.Value != nil {
		t.Errorf("Q2 2024 with a firm's March missing: %+v", q.A)
	}

	// In 渝中 every month is there: the second quarter is the sum of its
	// months, compared with the first quarter and with Q2 2023.
	yz := fx.single["500103"]
	var q2, q2base, q1 int64
	for m := 4; m <= 6; m++ {
		q2 += yz[[2]int{2024, m}]
		q2base += yz[[2]int{2023, m}]
	}
	q1 = yz[[2]int{2024, 2}] + yz[[2]int{2024, 3}]
	q := get("/api/v1/stats/spans?span=quarter&a=2024-Q2&region=500103").Rows[0]
	near("渝中 Q2 2024", q.A.Value, float64(q2)/yi)
	near("渝中 Q2 YoY", q.A.YoYPct, pct(q2, q2base))
	near("渝中 Q2 QoQ", q.A.MoMPct, pct(q2, q1))

	// Year to date is the reported cumulative total.
	ytd := get("/api/v1/stats/spans?a=2024-06").Rows[0]
	near("Jan–Jun 2024", ytd.A.Value, float64(c[[2]int{2024, 6}])/yi)
	if ytd.A.Derived || ytd.A.MoMPct != nil {
		t.Errorf("year to date: %+v", ytd.A)
	}

	// The cockpit's panel shows the same June figures side by side.
	res, body := env.Do(webtest.Scenario{URL: "/?span=month&span_a=2024-06&span_b=2023-06", User: "admin"})
	v := float64(s[[2]int{2024, 6}]) / yi
	digits := 1 // small values get more decimals (shownDigits)
	if v < 0.1 {
		digits = 3
	} else if v < 1 {
		digits = 2
	}
	wantJune := web.FormatNumber(v, digits)
	if res.StatusCode != 200 || !strings.Contains(body, `id="span-table"`) || !strings.Contains(body, "2024年6月") || !strings.Contains(body, "2023年6月") ||
		!strings.Contains(body, `<option value="month" selected>`) || !strings.Contains(body, "推算") {
		t.Errorf("cockpit span panel: %d %.300s", res.StatusCode, body)
	}
	if !strings.Contains(body, wantJune) {
		t.Errorf("cockpit span panel lacks June 2024's %s", wantJune)
	}
	_, body = env.Do(webtest.Scenario{URL: "/?span=month&span_a=2024-04&span_b=2023-04", User: "admin"})
	if !strings.Contains(body, "两个月报送企业不一致") {
		t.Errorf("the panel does not say why April cannot be derived")
	}

	env.Run(t, []webtest.Scenario{
		{Name: "a quarter needs a quarter", URL: "/api/v1/stats/spans?span=quarter&a=2024-06", User: "admin", WantStatus: 400},
		{Name: "b of another basis", URL: "/api/v1/stats/spans?span=month&a=2024-06&b=2024-Q1", User: "admin", WantStatus: 400},
		{Name: "January alone is not a month", URL: "/api/v1/stats/spans?span=month&a=2024-01", User: "admin", WantStatus: 400},
		{Name: "unknown basis", URL: "/api/v1/stats/spans?span=week&a=2024-06", User: "admin", WantStatus: 400},
		{Name: "district sees its own", URL: "/api/v1/stats/spans?span=month&a=2024-06&region=500101", User: "wanzhou", WantStatus: 200, WantContains: []string{`"span":"month"`}},
		{Name: "district cannot read another", URL: "/api/v1/stats/spans?span=month&a=2024-06&region=500103", User: "wanzhou", WantStatus: 403},
		{Name: "enterprise users get no aggregates", URL: "/api/v1/stats/spans?a=2024-06", User: "firm", WantStatus: 403},
	})
}

// The trend carries the year's target for its scope; the chart draws it.
func TestTrendTarget(t *testing.T) {
	env := webtest.SQLite(t)
	if err := env.Store.PutTargets(context.Background(), []target.Target{
		{IndicatorCode: "IND_VA_GROWTH", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 6.5, Source: "test va"},
	}); err != nil {
		t.Fatal(err)
	}
	env.Run(t, []webtest.Scenario{
		{Name: "level target", URL: "/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024", User: "admin", WantStatus: 200,
			WantContains: []string{`"target":{"comparator":">=","value":1,"kind":"level","source":"test city"}`}},
		{Name: "district's own target", URL: "/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024&region=500101", User: "wanzhou", WantStatus: 200,
			WantContains: []string{`"value":0.5`, "test wanzhou"}, WantNotContains: []string{"test city"}},
		{Name: "rate target", URL: "/api/v1/stats/trend?indicator=IND_VA_GROWTH&year=2024", User: "admin", WantStatus: 200,
			WantContains: []string{`"target":{"comparator":">=","value":6.5,"kind":"rate","source":"test va"}`}},
		{Name: "no target, no line", URL: "/api/v1/stats/trend?indicator=IND_REVENUE&year=2024", User: "admin", WantStatus: 200,
			WantNotContains: []string{`"target"`}},
	})
}

// The district comparison and the big screen are city-wide pages.
func TestCompareAndBigscreenPages(t *testing.T) {
	env := webtest.SQLite(t)
	env.Run(t, []webtest.Scenario{
		{Name: "compare two districts", URL: "/compare?regions=500101&regions=500103&year=2024&month=6", User: "admin", WantStatus: 200,
			WantContains: []string{`id="compare-table"`, "万州区", "渝中区", `value="500101" checked`, `value="500103" checked`, "规上工业总产值", `id="panel-compare-output"`, "compare.js"}},
		{Name: "compare by default the largest", URL: "/compare", User: "analyst", WantStatus: 200, WantContains: []string{"2024年1–6月", `checked`}},
		{Name: "compare an unknown district", URL: "/compare?regions=999999", User: "admin", WantStatus: 400},
		{Name: "compare is not for districts", URL: "/compare", User: "wanzhou", WantStatus: 403},
		{Name: "big screen", URL: "/bigscreen", User: "admin", WantStatus: 200,
			WantContains: []string{`id="bigscreen"`, "数据截至", "每 300 秒自动刷新", "bigscreen.js", `"refresh":300`, `"mapUrl":"/static/map/chongqing.json"`, "区县产值排名", "返回全市"}},
		{Name: "big screen refresh is bounded", URL: "/bigscreen?refresh=1", User: "admin", WantStatus: 400},
		{Name: "big screen in English", URL: "/bigscreen?lang=en&refresh=60", User: "admin", WantStatus: 200, WantContains: []string{"Data as of", "refreshes every 60 s"}},
		{Name: "big screen is not for districts", URL: "/bigscreen", User: "wanzhou", WantStatus: 403},
		{Name: "the city cockpit links both", URL: "/", User: "admin", WantStatus: 200, WantContains: []string{`id="bigscreen-link"`, `id="compare-link"`, "cockpit-kit.js", "data-grid"}},
		{Name: "the district cockpit does not", URL: "/districts/500101", User: "wanzhou", WantStatus: 200, WantNotContains: []string{`id="bigscreen-link"`}},
	})
}

// The scoreboard as a PDF briefing: a real PDF with the report's title,
// and a download button on the page.
func TestScoreboardPDF(t *testing.T) {
	if err := pdfprint.FromEnv().Available(); err != nil {
		if os.Getenv("IBRAIN_REQUIRE_BROWSER") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	env := webtest.SQLite(t)
	res, body := env.Do(webtest.Scenario{URL: "/api/v1/scoreboard.pdf?year=2023", User: "admin"})
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(res.Header.Get("Content-Disposition"), "scoreboard_2023.pdf") {
		t.Fatalf("PDF: %d %v %.200s", res.StatusCode, res.Header, body)
	}
	info := pdfprint.Inspect([]byte(body))
	if !strings.HasPrefix(body, "%PDF-") || info.Pages < 1 || info.Title != "2023重庆制造业“成绩单” · 2024“任务表”" {
		t.Errorf("PDF of %d bytes: %+v", len(body), info)
	}
	env.Run(t, []webtest.Scenario{
		{Name: "page offers the download", URL: "/scoreboard?year=2023", User: "admin", WantStatus: 200,
			WantContains: []string{`id="scoreboard-pdf"`, `href="/api/v1/scoreboard.pdf?year=2023"`, "下载 PDF 简报"}},
		{Name: "not for districts", URL: "/api/v1/scoreboard.pdf?year=2023", User: "wanzhou", WantStatus: 403},
		{Name: "bad year", URL: "/api/v1/scoreboard.pdf?year=1999", User: "admin", WantStatus: 400},
	})
}

// Without chromium the PDF answer says so (503) and the page explains it
// instead of offering a broken link.
func TestScoreboardPDFWithoutChromium(t *testing.T) {
	t.Setenv("IBRAIN_CHROMIUM", t.TempDir()+"/no-chromium")
	env := webtest.SQLite(t)
	env.Run(t, []webtest.Scenario{
		{Name: "503 with the reason", URL: "/api/v1/scoreboard.pdf?year=2023", User: "admin", WantStatus: http.StatusServiceUnavailable,
			WantContains: []string{`"code":"unavailable"`, "服务器未安装 Chromium"}},
		{Name: "the page says why there is no button", URL: "/scoreboard?year=2023&lang=en", User: "admin", WantStatus: 200,
			WantContains: []string{`id="scoreboard-pdf-unavailable"`, "Chromium is not installed on the server"}, WantNotContains: []string{`id="scoreboard-pdf"`}},
	})
}
