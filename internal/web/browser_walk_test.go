package web_test

// The page walk (issue 12): every page the modules serve, as a city
// administrator, a district officer and an enterprise user, in Chinese and
// English, at 1280 and 390 px (loaded at each width), in one browser tab. A page fails on
// horizontal overflow (the page wider than the screen, or an element
// outside it that no scrolling box holds), a raw message key or a raw code
// in its visible text, a short Chinese label wrapped one character per
// line, a chart still loading, or a script error. Same harness and skip
// rules as browser_test.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// walkProbe inspects the page in the tab and returns its problems. It is
// given the catalogue's keys (a visible key is a missing translation), the
// loading text of chart panels, and whether the page is Chinese.
const walkProbe = `(() => {
  const keys = new Set(%s), loading = %q, zh = %t;
  const out = [];
  const W = window.innerWidth;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    else if (el.className && typeof el.className === 'string') s += '.' + el.className.trim().split(/\s+/).join('.');
    const p = el.closest('[id]');
    if (p && p !== el) s = '#' + p.id + ' ' + s;
    return s + ' "' + (el.innerText || '').trim().slice(0, 30) + '"';
  };
  // Overflow: the page is no wider than the screen, and nothing sticks out
  // of it unless a scrolling box (a table wrapper) holds it.
  if (document.documentElement.scrollWidth > W + 1) out.push('page is ' + document.documentElement.scrollWidth + ' px wide at ' + W + ' px');
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') return true;
    }
    return false;
  };
  // Report the innermost elements that stick out, not every ancestor.
  const offs = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.checkVisibility || !el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= W + 1) continue;
    if (el.closest('canvas, svg') && el.tagName !== 'CANVAS' && el.tagName !== 'svg') continue;
    if (scrolls(el)) continue;
    offs.push(el);
  }
  offs.filter(el => !offs.some(o => o !== el && el.contains(o))).slice(0, 4)
    .forEach(el => out.push('off screen: ' + describe(el) + ' right edge ' + Math.round(el.getBoundingClientRect().right)));
  // Visible text, without code samples.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('code, pre, script, style, template, noscript, textarea, [hidden]')) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;
    const s = n.nodeValue.trim();
    if (s) texts.push([s, el]);
  }
  const codes = /\b(?:[a-z][a-z0-9]*_[a-z0-9_]+|[A-Z]\d-[a-z][a-z-]*)\b/g;
  const zhCodes = /(?:^|[^A-Za-z])(true|false|large|medium|small|micro|leading|pillar|characteristic)(?![A-Za-z])/;
  const seen = new Set();
  for (const [s, el] of texts) {
    for (const m of s.matchAll(/\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b/g)) {
      if (keys.has(m[0]) && !seen.has(m[0])) { seen.add(m[0]); out.push('raw message key ' + m[0] + ' in ' + describe(el)); }
    }
    for (const m of s.matchAll(codes)) {
      if (!seen.has(m[0])) { seen.add(m[0]); out.push('raw code ' + m[0] + ' in ' + describe(el)); }
    }
    const z = zh && s.match(zhCodes);
    if (z && !seen.has(z[1])) { seen.add(z[1]); out.push('raw code ' + z[1] + ' in ' + describe(el)); }
  }
  // A short Chinese label squeezed to one character per line.
  let narrow = 0;
  for (const el of document.querySelectorAll('td, th, a, button, .pill, label, h1, h2, h3')) {
    if (narrow >= 3) break;
    const s = (el.innerText || '').trim();
    if (s.length < 3 || s.length > 16 || !/^[\u4e00-\u9fff]+$/.test(s) || !el.checkVisibility()) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (tops.size >= 3 && tops.size * 2 >= s.length) { out.push('one character per line: ' + describe(el)); narrow++; }
  }
  for (const e of document.querySelectorAll('[data-state]')) {
    if (!e.hidden && e.textContent === loading) out.push('chart still loading: ' + describe(e.closest('[id]') || e));
  }
  return out;
})()`

type walkPage struct {
	pattern, url string
}

func TestPageWalk(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.NewWith(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"), webtest.FederationOptions(t))
	webtest.SeedMirror(t, env)
	seedBrowserFixture(t, env)
	webtest.SeedMujun(t, env)
	webtest.SeedListing(t, env)
	webtest.SeedGoals(t, env)
	webtest.SeedCultivation(t, env)
	instrumentID := webtest.SeedInstruments(t, env)
	webtest.SeedDigital(t, env) // project 1 for /digital/projects/{id}
	// The fixture firm's rung application for /digital/rung-applications/{id}.
	var rungApplication int64
	if res, body := env.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/digital/rung-applications", User: "firm", ContentType: "application/json",
		Body: fmt.Sprintf(`{"rung": "digital_workshop", "year": %d, "name": "总装数字化车间", "evidence": "数控化率评测报告"}`, env.Srv.Today().Year())}); res.StatusCode != 201 {
		t.Fatalf("rung application: %d %s", res.StatusCode, body)
	} else {
		var a struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			t.Fatal(err)
		}
		rungApplication = a.ID
	}
	// The firm's invoice for /instruments/invoices/{id}.
	invoiceID := seedWalkInvoice(t, env, instrumentID)
	// A firm new to 万州 waiting in the city's confirmation queue.
	if _, err := env.Store.ImportDistrictEnterprises(context.Background(), auth.Region("500101"), env.Users["wanzhou"], []sqlstore.EnterpriseWithYear{{
		Enterprise: enterprise.Enterprise{CreditCode: webtest.CreditCode(t, "500101", 99), Name: "万州待确认企业有限公司", RegionCode: "500101", IndustryCode: "3670",
			Founded: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)}}}, sqlstore.ImportOptions{}); err != nil {
		t.Fatal(err)
	}

	// A deadline for the whole walk, not a timing assertion: about 520
	// page views take 10 minutes at a load average of 30.
	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{Timeout: 20 * time.Minute})

	// Every page pattern the modules serve; a pattern without a walk URL
	// fails, so a new page cannot be left out.
	var pages []walkPage
	patterns := web.PageRoutes(env.Srv)
	slices.Sort(patterns)
	for _, p := range patterns {
		if p == "GET /help/{module}" {
			for _, name := range web.HelpNames(env.Srv) {
				pages = append(pages, walkPage{p, "/help/" + name})
			}
			continue
		}
		if !strings.HasPrefix(p, "GET ") {
			continue // a form's post (the marketplace's management pages); its page is walked
		}
		u := walkURL(env, p, walkIDs{instrument: instrumentID, rungApplication: rungApplication, invoice: invoiceID})
		if strings.Contains(u, "{") {
			t.Fatalf("page %s has no walk URL (%s)", p, u)
		}
		pages = append(pages, walkPage{p, u})
	}
	if len(pages) < 20 {
		t.Fatalf("only %d pages to walk: %v", len(pages), patterns)
	}
	keys, _ := json.Marshal(web.CatalogKeys(env.Srv))

	users := []struct {
		name string
		col  int // the user's column in accessMatrix
	}{{"admin", 1}, {"wanzhou", 3}, {"firm", 4}, {"secadmin", 7}, {"sysadmin", 6}, {"walkunitadmin", -1}, {"walkoperator", -1}}
	seedMarketStaff(t, env, instrumentID)
	visits := 0
	start := time.Now()
	for _, u := range users {
		pages := pages
		if u.name == "secadmin" {
			// The administrators hold no data scope; the security
			// administrator is walked over the pages of that duty.
			pages = slices.DeleteFunc(slices.Clone(pages), func(p walkPage) bool { return !strings.HasPrefix(p.pattern, "GET /security/") })
		}
		if u.col < 0 {
			// The marketplace's staff, in no matrix column: their
			// management pages (issue 9); the scores are the operator's.
			pages = slices.DeleteFunc(slices.Clone(pages), func(p walkPage) bool {
				return !marketStaffPage(p.pattern) || u.name != "walkoperator" && p.pattern == "GET /instruments/evaluation-scores"
			})
		}
		if u.name == "sysadmin" {
			// The system administrator: the account administration pages.
			pages = slices.DeleteFunc(slices.Clone(pages), func(p walkPage) bool { return !strings.HasPrefix(p.pattern, "GET /admin/") })
		}
		if !t.Run(u.name, func(t *testing.T) { walkAs(t, b, env, u.name, u.col, pages, string(keys), &visits) }) {
			continue
		}
	}
	t.Logf("%d page views in %v", visits, time.Since(start).Round(time.Second))
}

// walkAs visits the pages as one user, in both languages and widths.
func walkAs(t *testing.T, b *webtest.BrowserSession, env *webtest.Env, user string, col int, pages []walkPage, keys string, visits *int) {
	ctx := b.Ctx
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			shot(t, ctx, "walk-failure")
			t.Fatalf("%s: %v", step, err)
		}
	}
	u := struct{ name string }{user}
	{
		tok := env.Token(u.name)
		must("sign in "+u.name, chromedp.Do(ctx, chromedp.Func(func(c2 context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(c2, tg, network.SetCookie, network.SetCookieParams{Name: web.SessionCookie, Value: tok, URL: b.Base + "/"})
			return err
		})))
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(lang, func(t *testing.T) { walkLang(t, b, env, lang, col, user, pages, keys, visits) })
		}
	}
}

// walkLang visits the pages in one language at both widths.
func walkLang(t *testing.T, b *webtest.BrowserSession, env *webtest.Env, lang string, col int, user string, pages []walkPage, keys string, visits *int) {
	ctx := b.Ctx
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			shot(t, ctx, "walk-failure")
			t.Fatalf("%s: %v", step, err)
		}
	}
	u := struct{ name string }{user}
	{
		{
			loading := env.Srv.T(lang, "chart.loading")
			probe := fmt.Sprintf(walkProbe, keys, loading, lang == "zh-CN")
			for _, pg := range pages {
				if cells, ok := accessMatrix[pg.pattern]; ok && col >= 0 && cells[col] == '-' {
					continue // the role may not open it (TestAccessMatrix)
				}
				if u.name != "admin" && pg.pattern == "GET /help/{module}" && pg.url != "/help/cockpit" {
					continue // help pages are the same for everyone; admin reads them all
				}
				target := b.Base + pg.url
				if strings.Contains(target, "?") {
					target += "&lang=" + url.QueryEscape(lang)
				} else {
					target += "?lang=" + url.QueryEscape(lang)
				}
				for _, width := range []int64{1280, 390} {
					if width == 1280 {
						must("size", chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
						must("open "+target, chromedp.Do(ctx, chromedp.Navigate(target), chromedp.WaitReady("body")))
					} else {
						// A phone loads the page at its own width.
						must("size", chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Reload(), chromedp.WaitReady("body")))
					}
					// Let charts load and layouts settle after a resize.
					_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`![...document.querySelectorAll('[data-state]')].some(e => !e.hidden && e.textContent === %q)`, loading),
						chromedp.WithPollingTimeout(8*time.Second)))
					if err != nil {
						t.Logf("%s: charts did not finish: %v", target, err)
					}
					problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](probe))
					must("probe "+target, err)
					where := fmt.Sprintf("%s as %s at %d px", pg.url+"?lang="+lang, u.name, width)
					for _, p := range problems {
						t.Errorf("%s: %s", where, p)
					}
					if len(problems) > 0 {
						shot(t, ctx, fmt.Sprintf("walk-%s-%s-%d-%s", u.name, lang, width, strings.NewReplacer("/", "_", "?", "_").Replace(pg.url)))
					}
					b.CheckJS(t, where)
					*visits++
				}
			}
		}
	}
}

// walkIDs are the fixture records the walk opens by id.
type walkIDs struct {
	instrument, rungApplication int64
	invoice                     int64
}

// walkURL fills a page pattern's parameters with fixture records that
// have data: a 万州 firm, run 1 against run 2, 万州 and its car cluster.
func walkURL(env *webtest.Env, pattern string, ids walkIDs) string {
	_, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	if path == "" {
		path = "/"
	}
	if strings.HasPrefix(path, "/federation/instruments/") {
		return "/federation/instruments/sc/1" // webtest.SeedMirror
	}
	if strings.HasPrefix(path, "/instruments/manage/units/") {
		// The unit of the fixture instrument.
		d, err := env.Store.InstrumentDetail(context.Background(), ids.instrument)
		if err != nil {
			env.T.Fatal(err)
		}
		return strings.NewReplacer("{id}", strconv.FormatInt(d.UnitID, 10)).Replace(path)
	}
	if strings.HasPrefix(path, "/instruments/invoices/") {
		return strings.NewReplacer("{id}", strconv.FormatInt(ids.invoice, 10)).Replace(path)
	}
	if strings.HasPrefix(path, "/instruments/") {
		return strings.NewReplacer("{id}", strconv.FormatInt(ids.instrument, 10)).Replace(path)
	}
	if strings.HasPrefix(path, "/digital/rung-applications/") {
		return strings.NewReplacer("{id}", strconv.FormatInt(ids.rungApplication, 10)).Replace(path)
	}
	if strings.HasPrefix(path, "/digital/projects/") {
		return strings.NewReplacer("{id}", "1").Replace(path)
	}
	if strings.HasPrefix(path, "/mujun/runs/") {
		return strings.NewReplacer("{id}", "1", "{other}", "2").Replace(path)
	}
	r := strings.NewReplacer("{id}", "{"+webtest.EntWanzhouAuto+"}", "{code}", "500101", "{cluster}", "L1-nev",
		"{period}", "2024-07", "{table}", "mfg-2024")
	return env.Expand(r.Replace(path))
}

// marketStaffPage reports whether a page is one of the marketplace's
// management pages, which only its staff open (issue 9).
func marketStaffPage(pattern string) bool {
	for _, p := range []string{"GET /instruments/manage", "GET /instruments/qualifications", "GET /instruments/violations", "GET /instruments/evaluation-scores"} {
		if strings.HasPrefix(pattern, p) {
			return true
		}
	}
	return false
}

// seedMarketStaff adds the walk's marketplace staff: the administrator of
// the fixture instrument's unit and the sharing platform's operator.
func seedMarketStaff(t *testing.T, env *webtest.Env, instrumentID int64) {
	t.Helper()
	ctx := context.Background()
	d, err := env.Store.InstrumentDetail(ctx, instrumentID)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.NewHasher(auth.TestParams, 1).Hash(ctx, webtest.FixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		role auth.Role
		unit int64
	}{{"walkunitadmin", auth.RoleUnitAdmin, d.UnitID}, {"walkoperator", auth.RoleSharingOperator, 0}} {
		id, err := env.Store.CreateUser(ctx, auth.User{Username: u.name, DisplayName: u.name, PasswordHash: hash, Role: u.role})
		if err != nil {
			t.Fatal(err)
		}
		env.Users[u.name] = id
		if u.unit != 0 {
			if err := env.Store.PutSharingMember(ctx, instruments.Member{UserID: id, UnitID: u.unit, Category: instruments.Internal}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
