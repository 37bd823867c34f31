package web

import (
	"compress/gzip"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/target"
)

// Ensure every page answers with the right status, content and language,
// and that scope holds: a district officer cannot open another district's
// pages or enterprises, and an enterprise user sees only its own profile.
func TestUIPages(t *testing.T) {
	forEachTestEngine(t, func(t *testing.T, env *testEnv) {
		yz := fixtureNames[entYuzhongElec]
		env.run(t, []scenario{
			{name: "login form", url: "/login", wantStatus: 200,
				wantContains: []string{`action="/login"`, `name="username"`, `name="password"`, "登录", `href="/login?lang=en`},
				wantHeader:   map[string]string{"Content-Security-Policy": "script-src 'self'"}},
			{name: "login form in English", url: "/login?lang=en", wantStatus: 200, wantContains: []string{"Sign in", `lang="en"`, `href="/login?lang=zh-CN`}},
			{name: "signed-in user skips the form", url: "/login", user: "admin", wantStatus: http.StatusSeeOther, wantHeader: map[string]string{"Location": "/"}},
			{name: "cockpit needs sign-in", url: "/", wantStatus: http.StatusSeeOther, wantHeader: map[string]string{"Location": "/login?next=%2F"}},

			{name: "city cockpit", url: "/", user: "admin", wantStatus: 200,
				wantContains: []string{"全市制造业运行监测", "规上工业总产值", "2024年1–6月", `id="panel-map"`, `id="panel-by-tier"`, "两江新区",
					`id="page-data"`, `"mapUrl":"/static/map/chongqing.json"`, "/static/", "cockpit.js", "数据表", "导出CSV", "目标 ≥ 1.0 亿元"},
				wantNotContains: []string{"<script>", "onclick="},
				wantHeader:      map[string]string{"Content-Security-Policy": "default-src 'self'", "Cache-Control": "no-store"}},
			{name: "city cockpit in English", url: "/?lang=en", user: "admin", wantStatus: 200,
				wantContains:    []string{"City-wide manufacturing monitor", "Gross industrial output of above-scale enterprises", "Jan–Jun 2024", "Table", "Export CSV", `href="/?lang=zh-CN"`},
				wantNotContains: []string{"全市制造业运行监测"}},
			{name: "cockpit keeps the chosen period", url: "/?year=2023&month=5", user: "analyst", wantStatus: 200, wantContains: []string{"2023年1–5月", `"year":2023`, `"month":5`}},
			{name: "district officer lands on the district", url: "/", user: "wanzhou", wantStatus: http.StatusSeeOther, wantHeader: map[string]string{"Location": "/districts/500101"}},
			{name: "enterprise user lands on the profile", url: "/", user: "firm", wantStatus: http.StatusSeeOther, wantHeader: map[string]string{"Location": "/enterprises/"}},

			{name: "own district", url: "/districts/500101", user: "wanzhou", wantStatus: 200,
				wantContains: []string{"万州区", "本区县 33618 产业集群", "目标 ≥ 0.5", "/districts/500101/clusters/"}, wantNotContains: []string{yz, `href="/"`}},
			{name: "another district is forbidden", url: "/districts/500103", user: "wanzhou", wantStatus: http.StatusForbidden,
				wantContains: []string{"没有查看该数据的权限"}, wantNotContains: []string{yz, "渝中区"}},
			{name: "a city cluster page sends the officer to the district's", url: "/clusters/L1-nev", user: "wanzhou", wantStatus: http.StatusSeeOther,
				wantHeader: map[string]string{"Location": "/districts/500101/clusters/L1-nev"}},
			{name: "enterprise user has no district page", url: "/districts/500101", user: "firm", wantStatus: http.StatusForbidden},
			{name: "city role sees any district", url: "/districts/500103?lang=en", user: "admin", wantStatus: 200, wantContains: []string{"Yuzhong District", "Target ≥ 0.5"}},
			{name: "functional zone page", url: "/districts/CQ-LJ", user: "admin", wantStatus: 200, wantContains: []string{"两江新区", "功能区"}},
			{name: "unknown district", url: "/districts/999999", user: "admin", wantStatus: http.StatusNotFound, wantContains: []string{"区县不存在"}},

			{name: "enterprise list", url: "/enterprises", user: "admin", wantStatus: 200,
				wantContains: []string{fixtureNames[entWanzhouAuto], fixtureNames[entWanzhouFood], yz, "共 3 家企业", "/api/v1/enterprises.xlsx?", "/api/v1/enterprises.csv?"}},
			{name: "enterprise search in Chinese", url: "/enterprises?q=" + url.QueryEscape("食品"), user: "admin", wantStatus: 200,
				wantContains: []string{fixtureNames[entWanzhouFood], "共 1 家企业", "q=%E9%A3%9F%E5%93%81"}, wantNotContains: []string{fixtureNames[entWanzhouAuto]}},
			{name: "enterprise filters", url: "/enterprises?region=500103&size=medium&above_scale=true&year=2024", user: "admin", wantStatus: 200,
				wantContains: []string{yz, "共 1 家企业"}, wantNotContains: []string{fixtureNames[entWanzhouAuto]}},
			{name: "bad filter", url: "/enterprises?size=huge", user: "admin", wantStatus: http.StatusBadRequest},
			{name: "district list is scoped", url: "/enterprises", user: "wanzhou", wantStatus: 200,
				wantContains: []string{fixtureNames[entWanzhouAuto], "共 2 家企业"}, wantNotContains: []string{yz}},
			{name: "district list cannot ask for another district", url: "/enterprises?region=500103", user: "wanzhou", wantStatus: http.StatusForbidden, wantNotContains: []string{yz}},
			{name: "enterprise list sends a firm to its profile", url: "/enterprises", user: "firm", wantStatus: http.StatusSeeOther},

			{name: "profile with derived months", url: "/enterprises/{wz-auto}", user: "firm", wantStatus: 200,
				wantContains: []string{fixtureNames[entWanzhouAuto], "推算", "1–N月累计", "上年同期", `id="panel-ent-chart"`, "enterprise.js"}},
			{name: "profile in English", url: "/enterprises/{wz-auto}?lang=en", user: "firm", wantStatus: 200, wantContains: []string{"derived", "Year to date", "Medium"}},
			{name: "a missing month cannot be derived", url: "/enterprises/{wz-food}?year=2024", user: "admin", wantStatus: 200, wantContains: []string{"2024年1–4月"}},
			{name: "another district's enterprise is not found", url: "/enterprises/{yz-elec}", user: "wanzhou", wantStatus: http.StatusNotFound,
				wantContains: []string{"企业不存在"}, wantNotContains: []string{yz}},
			{name: "another enterprise is not found", url: "/enterprises/{wz-food}", user: "firm", wantStatus: http.StatusNotFound, wantNotContains: []string{fixtureNames[entWanzhouFood]}},

			{name: "city targets", url: "/targets", user: "admin", wantStatus: 200, wantContains: []string{"任务表", "test city", "test wanzhou", "test yuzhong", "规上工业总产值"}},
			{name: "district targets", url: "/targets?lang=en", user: "wanzhou", wantStatus: 200, wantContains: []string{"test wanzhou", "Targets"}, wantNotContains: []string{"test yuzhong", "test city"}},
			{name: "scoreboard is city-wide", url: "/scoreboard", user: "wanzhou", wantStatus: http.StatusForbidden},
			{name: "scoreboard", url: "/scoreboard", user: "analyst", wantStatus: 200, wantContains: []string{"2023年成绩单", "2024年任务表"}},

			{name: "import page", url: "/import", user: "admin", wantStatus: 200,
				wantContains:    []string{`data-import="enterprises"`, `data-kind="reports"`, `data-kind="profiles"`, `data-kind="mujun-facts"`, `data-kind="listing"`, "import.js"},
				wantNotContains: []string{`data-import="reports"`}},
			{name: "import page, kind selected", url: "/import?kind=reports", user: "admin", wantStatus: 200,
				wantContains: []string{`data-import="reports"`, "/api/v1/imports/reports/template.xlsx"}, wantNotContains: []string{`data-import="enterprises"`}},
			{name: "import page, listing events in English", url: "/import?kind=listing&lang=en", user: "wanzhou", wantStatus: 200,
				wantContains: []string{`data-import="listing"`, "/api/v1/imports/listing/template.csv?lang=en", "Listing pipeline events", "credit_code", "proceeds_10k"}},
			{name: "an enterprise imports reports and its profile only", url: "/import?kind=mujun-facts", user: "firm", wantStatus: 200,
				wantContains:    []string{`data-import="reports"`, `data-kind="profiles"`},
				wantNotContains: []string{`data-import="enterprises"`, `data-kind="enterprises"`, `data-kind="mujun-facts"`, `data-kind="listing"`}},

			{name: "reference", url: "/reference", user: "wanzhou", wantStatus: 200,
				wantContains: []string{"万州区", "两江新区", "CQ-LJ", "梁平县", "智能网联新能源汽车", "规上工业增加值", "预警阈值", "万亿级主导产业集群"}},
			{name: "reference in English", url: "/reference?lang=en", user: "admin", wantStatus: 200, wantContains: []string{"Indicator catalogue", "Liangjiang"}},

			{name: "help", url: "/help/cockpit", user: "admin", wantStatus: 200, wantContains: []string{"<h1", "驾驶舱", "<li>"}, wantNotContains: []string{"# Cockpit"}},
			{name: "help in English", url: "/help/import?lang=en", user: "admin", wantStatus: 200, wantContains: []string{"Upload and check"}, wantNotContains: []string{"上传并校验"}},
			{name: "help index", url: "/help", user: "admin", wantStatus: http.StatusSeeOther},
			{name: "unknown help", url: "/help/nope", user: "admin", wantStatus: http.StatusNotFound},
			{name: "unknown page", url: "/no/such/page?lang=en", user: "admin", wantStatus: http.StatusNotFound,
				wantContains: []string{"The page does not exist", "Cockpit"}, wantHeader: map[string]string{"Content-Type": "text/html"}},
			{name: "unknown API path stays JSON", url: "/api/v1/nope", user: "admin", wantStatus: http.StatusNotFound, wantHeader: map[string]string{"Content-Type": "application/json"}},
		})
	})
}

// Ensure the language chosen with ?lang= sticks through the cookie.
func TestUILanguageSticks(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	res, _ := env.do(scenario{url: "/reference?lang=en", user: "admin"})
	var lang *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == langCookieName {
			lang = c
		}
	}
	if lang == nil || lang.Value != i18n.EN {
		t.Fatalf("no lang cookie set: %v", res.Cookies())
	}
	_, body := env.do(scenario{url: "/targets", user: "admin", headers: map[string]string{"Cookie": langCookieName + "=en"}})
	if !strings.Contains(body, "Targets") || strings.Contains(body, "任务表</h1>") {
		t.Errorf("the language cookie was not honoured: %.300s", body)
	}
}

// Ensure static files are served under content-hashed URLs with a long
// cache, gzip for text, and that the page's URLs resolve.
func TestUIStatic(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	_, body := env.do(scenario{url: "/", user: "admin"})
	urls := regexp.MustCompile(`(?:src|href)="(/static/[0-9a-f]{12}/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(urls) < 4 {
		t.Fatalf("found %d hashed static URLs on the cockpit", len(urls))
	}
	for _, m := range urls {
		res, _ := env.do(scenario{url: m[1]})
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: status %d, Cache-Control %q", m[1], res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	u := uiOf(env.srv)
	echartsURL := u.assets.url("echarts.min.js")
	req := httptest.NewRequest("GET", echartsURL, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	rec := httptest.NewRecorder()
	env.h.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("echarts.min.js not gzipped: %v", rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	want, _ := staticFS.ReadFile("static/vendor/echarts.min.js")
	if string(plain) != string(want) {
		t.Error("gzipped echarts.min.js differs from the file")
	}
	stale := strings.Replace(echartsURL, u.assets.byBase["echarts.min.js"].hash, "000000000000", 1)
	res, _ := env.do(scenario{url: stale})
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash: status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	res, _ = env.do(scenario{url: "/static/" + u.assets.byBase["VENDOR.md"].hash + "/vendor/VENDOR.md"})
	if res.StatusCode != 404 {
		t.Errorf("VENDOR.md is served: %d", res.StatusCode)
	}
	// No page may reference a CDN.
	for _, f := range []string{"templates", "static"} {
		_ = fs.WalkDir(os.DirFS("."), f, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.Contains(p, "vendor/") {
				return err
			}
			data, _ := os.ReadFile(p)
			if regexp.MustCompile(`(?i)(src|href)=["']?(https?:)?//`).Match(data) {
				t.Errorf("%s loads something from another host", p)
			}
			return nil
		})
	}
}

// Ensure the served district map names every feature by its current
// official name and carries our region code: 梁平县 and 武隆县 became
// districts with new codes, and zones have no shape.
func TestDistrictMap(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	res, body := env.do(scenario{url: "/static/map/chongqing.json"})
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	var fc struct {
		UTF8Encoding bool `json:"UTF8Encoding"`
		Features     []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(body), &fc); err != nil {
		t.Fatal(err)
	}
	regions, _ := region.Builtin()
	if !fc.UTF8Encoding {
		t.Error("the compressed coordinates lost their UTF8Encoding flag")
	}
	seen := map[string]string{}
	for _, f := range fc.Features {
		code, _ := f.Properties["code"].(string)
		name, _ := f.Properties["name"].(string)
		r, ok := regions.ByCode(code)
		if !ok || r.NameZh != name || f.ID != code || r.IsZone() {
			t.Errorf("feature %q: code %q id %q does not match the catalogue", name, code, f.ID)
		}
		seen[code] = name
	}
	if len(seen) != 38 {
		t.Errorf("%d districts on the map, want 38", len(seen))
	}
	for code, want := range map[string]string{"500155": "梁平区", "500156": "武隆区", "500154": "开州区"} {
		if seen[code] != want {
			t.Errorf("%s is %q, want %q", code, seen[code], want)
		}
	}
	if strings.Contains(body, "梁平县") || strings.Contains(body, "武隆县") {
		t.Error("the map still carries a pre-reform name")
	}
	res, _ = env.do(scenario{url: "/static/map/chongqing.json", headers: map[string]string{"If-None-Match": res.Header.Get("ETag")}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("conditional request: %d", res.StatusCode)
	}

	// A shape the catalogue cannot place is an error, not a blank patch.
	if _, err := buildDistrictMap([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"火星区"},"geometry":null}]}`), regions); err == nil {
		t.Error("an unknown feature was accepted")
	}
}

func TestRenderMarkdown(t *testing.T) {
	got := string(renderMarkdown("# 标题 Title\n\n第一段\n接着\n\n- 一 `a<b`\n- **二** [链接](/help/x)\n\n1. one\n2. [bad](javascript:alert)\n\n<script>x</script>\n\n## 标题 Title\n"))
	for _, want := range []string{`<h1 id="标题-title">标题 Title</h1>`, "<p>第一段\n接着</p>", "<ul>\n<li>一 <code>a&lt;b</code></li>", `<li><strong>二</strong> <a href="/help/x">链接</a></li>`,
		"<ol>\n<li>one</li>\n<li><a href=\"\">bad</a></li>\n</ol>", `<h2 id="标题-title-1">`} {
		if !strings.Contains(got, want) {
			t.Errorf("markdown lacks %q:\n%s", want, got)
		}
	}
	if zh, en := helpPart("中文\n---\nEnglish", "zh-CN"), helpPart("中文\n---\nEnglish", "en"); zh != "中文" || en != "English" {
		t.Errorf("helpPart = %q, %q", zh, en)
	}
}

// A help file cannot inject markup or script: raw HTML is dropped and
// script-bearing link targets are emptied, whatever their case.
func TestRenderMarkdownIsSafe(t *testing.T) {
	src := "<script>alert(1)</script>\n\n<div onclick=\"x()\">d</div>\n\ntext <img src=x onerror=alert(1)> end\n\n" +
		"[a](javascript:alert(1)) [b](JavaScript:alert(1)) [c](vbscript:x) [d](data:text/html,x) ![e](javascript:alert(1))\n\n" +
		"[ok](https://example.com/a?b=1&c=2) [rel](/help/listing#阶段)\n"
	got := string(renderMarkdown(src))
	for _, bad := range []string{"<script", "<div", "onclick", "<img src=\"x\"", "onerror", "javascript:", "JavaScript:", "vbscript:", "data:text"} {
		if strings.Contains(got, bad) {
			t.Errorf("rendered help contains %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{`<a href="https://example.com/a?b=1&amp;c=2">ok</a>`, `<a href="/help/listing#%E9%98%B6%E6%AE%B5">rel</a>`} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered help lacks %q:\n%s", want, got)
		}
	}
}

// The listing help's stage table is a GFM table; it must render as one,
// not as a paragraph of pipes, and its Chinese heading keeps a readable id.
func TestHelpListingTable(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "docs", "help", "listing.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		got := string(renderMarkdown(helpPart(string(src), lang)))
		if !strings.Contains(got, "<table>") || !strings.Contains(got, "<th>") || strings.Contains(got, "|---|") {
			t.Errorf("%s: the stage table is not a <table>:\n%s", lang, got)
		}
	}
	got := string(renderMarkdown(helpPart(string(src), "zh-CN")))
	for _, want := range []string{`<h2 id="阶段">阶段</h2>`, "<td>辅导备案</td>"} {
		if !strings.Contains(got, want) {
			t.Errorf("listing help lacks %q", want)
		}
	}
}

// Ensure every help module exists in both languages.
func TestHelpFiles(t *testing.T) {
	env := newTestEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	u := uiOf(env.srv)
	for _, m := range helpModules {
		src, ok := u.help[m]
		if !ok {
			t.Errorf("no docs/help/%s.md", m)
			continue
		}
		if _, _, ok := strings.Cut(src, "\n---\n"); !ok {
			t.Errorf("%s.md has no English part after a --- line", m)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		v      float64
		digits int
		want   string
	}{{0, 0, "0"}, {1234567.891, 1, "1,234,567.9"}, {-1234.5, 1, "-1,234.5"}, {-0.01, 1, "0.0"}, {999, 0, "999"}, {1000, 0, "1,000"}} {
		if got := formatNumber(c.v, c.digits); got != c.want {
			t.Errorf("formatNumber(%v, %d) = %q, want %q", c.v, c.digits, got, c.want)
		}
	}
	if got := formatSigned(6.6, 1); got != "+6.6" {
		t.Errorf("formatSigned = %q", got)
	}
}

func TestProgressPct(t *testing.T) {
	for _, c := range []struct {
		cmp    target.Comparator
		t, a   float64
		ratio  float64
		wantPc int
	}{
		{target.AtLeast, 8, 7.3, 0, 91}, {target.AtLeast, 400, 200, 0.5, 50}, {target.AtLeast, 8, 9, 0, 100},
		{target.AtMost, 5.5, 5, 0, 100}, {target.AtMost, 5, 10, 0, 50}, {target.About, 5.5, 5.6, 0, 100}, {target.AtLeast, 8, -2, 0, 0},
	} {
		pr := target.Progress{Target: target.Target{Comparator: c.cmp, Value: c.t}, Actual: c.a, Ratio: c.ratio, Known: true}
		if got := progressPct(pr); got != c.wantPc {
			t.Errorf("progressPct(%s %v, actual %v) = %d, want %d", c.cmp, c.t, c.a, got, c.wantPc)
		}
	}
}

// keyArg matches a message key.
var keyArg = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// Ensure every message key the Go code passes to apperr, to the catalogue or
// to the error page exists in the one catalogue (with the web layer's
// messages merged as the serve command does). Keys built at run time
// (size.+…) are covered by TestDynamicKeys.
func TestCatalogCoversGoKeys(t *testing.T) {
	cat, err := i18n.Load(testCatalogExtras()...)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..")
	calls := map[string]int{"New": 1, "Wrap": 2, "t": 1, "T": 1, "renderError": 3, "renderErrorPage": 3, "message": 1}
	fset := token.NewFileSet()
	var missing []string
	n := 0
	err = filepath.WalkDir(filepath.Join(root, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// A package with its own Messages() (rules, mujun …) owns its
			// keys and hands them to i18n.Load itself; web's and the
			// importer's are merged here as the serve command does.
			if d.Name() != "web" && d.Name() != "importer" && ownsMessages(p) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(nd ast.Node) bool {
			call, ok := nd.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			case *ast.Ident:
				name = fn.Name
			}
			i, ok := calls[name]
			if !ok || i >= len(call.Args) {
				return true
			}
			lit, ok := call.Args[i].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			if !keyArg.MatchString(key) {
				return true
			}
			n++
			if !cat.Has(key) {
				missing = append(missing, fset.Position(lit.Pos()).String()+": "+key)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range missing {
		t.Errorf("message key missing from the catalogue: %s", m)
	}
	if n < 20 {
		t.Errorf("found only %d keys; is the scan broken?", n)
	}
}

// ownsMessages reports whether the package in dir defines
// Messages() map[string][2]string.
func ownsMessages(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err == nil && strings.Contains(string(data), "func Messages() map[string][2]string") {
			return true
		}
	}
	return false
}

// Ensure keys the pages build from data values exist for every value.
func TestDynamicKeys(t *testing.T) {
	cat, err := i18n.Load(testCatalogExtras()...)
	if err != nil {
		t.Fatal(err)
	}
	env := newTestEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	var keys []string
	for _, s := range []string{"large", "medium", "small", "micro"} {
		keys = append(keys, "size."+s)
	}
	for _, k := range []string{"innovative_sme", "specialized_sme", "little_giant", "single_champion", "high_tech", "unicorn", "potential_unicorn", "gazelle"} {
		keys = append(keys, "title_kind."+k)
	}
	for _, s := range []target.Status{target.StatusMet, target.StatusOnTrack, target.StatusBehind, target.StatusMissed, target.StatusNoData} {
		keys = append(keys, "status."+string(s))
	}
	for _, r := range []string{"city_admin", "city_analyst", "district", "enterprise"} {
		keys = append(keys, "role."+r)
	}
	for _, l := range []string{"national", "provincial", "district"} {
		keys = append(keys, "title_level."+l)
	}
	for _, rg := range env.srv.regions.Regions {
		keys = append(keys, "region_kind."+string(rg.Kind), "area."+string(rg.Area))
	}
	for _, ind := range env.srv.stats.Catalogue().Indicators {
		keys = append(keys, "frequency."+ind.Frequency, "aggregation."+ind.Aggregation, "source."+ind.Source)
	}
	for _, m := range helpModules {
		keys = append(keys, "help."+m)
	}
	for _, k := range []string{"enterprises", "reports"} {
		keys = append(keys, "import."+k, "import."+k+"_help")
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if !cat.Has(k) {
			t.Errorf("catalogue lacks %s", k)
		}
	}
}
