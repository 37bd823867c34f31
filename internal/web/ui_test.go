package web_test

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
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// Ensure every page answers with the right status, content and language,
// and that scope holds: a district officer cannot open another district's
// pages or enterprises, and an enterprise user sees only its own profile.
func TestUIPages(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			{Name: "login form", URL: "/login", WantStatus: 200,
				WantContains: []string{`action="/login"`, `name="username"`, `name="password"`, "登录", `href="/login?lang=en`},
				WantHeader:   map[string]string{"Content-Security-Policy": "script-src 'self'"}},
			{Name: "login form in English", URL: "/login?lang=en", WantStatus: 200, WantContains: []string{"Sign in", `lang="en"`, `href="/login?lang=zh-CN`}},
			{Name: "signed-in user skips the form", URL: "/login", User: "admin", WantStatus: http.StatusSeeOther, WantHeader: map[string]string{"Location": "/"}},

			{Name: "help in English", URL: "/help/import?lang=en", User: "admin", WantStatus: 200, WantContains: []string{"Upload and check"}, WantNotContains: []string{"上传并校验"}},
			{Name: "help index", URL: "/help", User: "admin", WantStatus: http.StatusSeeOther},
			{Name: "unknown help", URL: "/help/nope", User: "admin", WantStatus: http.StatusNotFound},
			{Name: "unknown page", URL: "/no/such/page?lang=en", User: "admin", WantStatus: http.StatusNotFound,
				WantContains: []string{"The page does not exist", "Cockpit"}, WantHeader: map[string]string{"Content-Type": "text/html"}},
			{Name: "unknown API path stays JSON", URL: "/api/v1/nope", User: "admin", WantStatus: http.StatusNotFound, WantHeader: map[string]string{"Content-Type": "application/json"}},
		})
	})
}

// Ensure the language chosen with ?lang= sticks through the cookie.
func TestUILanguageSticks(t *testing.T) {
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	res, _ := env.Do(webtest.Scenario{URL: "/reference?lang=en", User: "admin"})
	var lang *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == web.LangCookieName {
			lang = c
		}
	}
	if lang == nil || lang.Value != i18n.EN {
		t.Fatalf("no lang cookie set: %v", res.Cookies())
	}
	_, body := env.Do(webtest.Scenario{URL: "/targets", User: "admin", Headers: map[string]string{"Cookie": web.LangCookieName + "=en"}})
	if !strings.Contains(body, "Targets") || strings.Contains(body, "任务表</h1>") {
		t.Errorf("the language cookie was not honoured: %.300s", body)
	}
}

// Ensure static files are served under content-hashed URLs with a long
// cache, gzip for text, and that the page's URLs resolve.
func TestUIStatic(t *testing.T) {
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	_, body := env.Do(webtest.Scenario{URL: "/", User: "admin"})
	urls := regexp.MustCompile(`(?:src|href)="(/static/[0-9a-f]{12}/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(urls) < 4 {
		t.Fatalf("found %d hashed static URLs on the cockpit", len(urls))
	}
	for _, m := range urls {
		res, _ := env.Do(webtest.Scenario{URL: m[1]})
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: status %d, Cache-Control %q", m[1], res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
	echartsURL := web.AssetURL(env.Srv, "echarts.min.js")
	req := httptest.NewRequest("GET", echartsURL, nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	rec := httptest.NewRecorder()
	env.H.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("echarts.min.js not gzipped: %v", rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	want, _ := web.StaticFS.ReadFile("static/vendor/echarts.min.js")
	if string(plain) != string(want) {
		t.Error("gzipped echarts.min.js differs from the file")
	}
	stale := strings.Replace(echartsURL, web.AssetHash(env.Srv, "echarts.min.js"), "000000000000", 1)
	res, _ := env.Do(webtest.Scenario{URL: stale})
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash: status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	res, _ = env.Do(webtest.Scenario{URL: "/static/" + web.AssetHash(env.Srv, "VENDOR.md") + "/vendor/VENDOR.md"})
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
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	res, body := env.Do(webtest.Scenario{URL: "/static/map/chongqing.json"})
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
	res, _ = env.Do(webtest.Scenario{URL: "/static/map/chongqing.json", Headers: map[string]string{"If-None-Match": res.Header.Get("ETag")}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("conditional request: %d", res.StatusCode)
	}

	// A shape the catalogue cannot place is an error, not a blank patch.
	if _, err := web.BuildDistrictMap([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"火星区"},"geometry":null}]}`), regions); err == nil {
		t.Error("an unknown feature was accepted")
	}
}

// Ensure every help module exists in both languages.
func TestHelpFiles(t *testing.T) {
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	for _, m := range web.HelpModules() {
		src, ok := web.HelpSource(env.Srv, m)
		if !ok {
			t.Errorf("no help page %s", m)
			continue
		}
		if _, _, ok := strings.Cut(src, "\n---\n"); !ok {
			t.Errorf("%s.md has no English part after a --- line", m)
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
	cat, err := app.Catalog()
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
	cat, err := app.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	var keys []string
	for _, s := range []string{"large", "medium", "small", "micro"} {
		keys = append(keys, "size."+s)
	}
	for _, k := range []string{"innovative_sme", "specialized_sme", "little_giant", "single_champion", "high_tech", "unicorn", "potential_unicorn", "gazelle"} {
		keys = append(keys, "title_kind."+k)
	}
	for _, s := range []target.Status{target.StatusMet, target.StatusOnTrack, target.StatusBehind, target.StatusMissed, target.StatusNoData, target.StatusNoGoal} {
		keys = append(keys, "status."+string(s))
	}
	for _, r := range []string{"city_admin", "city_analyst", "district", "enterprise"} {
		keys = append(keys, "role."+r)
	}
	for _, l := range []string{"national", "provincial", "district"} {
		keys = append(keys, "title_level."+l)
	}
	for _, rg := range env.Srv.Regions().Regions {
		keys = append(keys, "region_kind."+string(rg.Kind), "area."+string(rg.Area))
	}
	for _, ind := range env.App.Stats.Catalogue().Indicators {
		keys = append(keys, "frequency."+ind.Frequency, "aggregation."+ind.Aggregation, "source."+ind.Source)
	}
	for _, m := range web.HelpModules() {
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
