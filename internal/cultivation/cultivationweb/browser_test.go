package cultivationweb_test

// The eligibility page in a real browser: sign in as a district officer,
// open the profile of a firm of the district, follow the link to its title
// eligibility, and check that the failed criterion's explanation and its
// what-if are on the screen. The screenshot goes to the test's temp dir.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestBrowserEligibility(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	webtest.SeedCultivation(t, env)

	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{})
	ctx, base := b.Ctx, b.Base
	shotTo := func(name string) {
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("screenshot %s: %v", name, err)
			return
		}
		p := filepath.Join(t.TempDir(), name+".png")
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			t.Errorf("save screenshot: %v", err)
			return
		}
		t.Logf("screenshot: %s", p)
	}
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			shotTo("failure")
			t.Fatalf("%s: %v", step, err)
		}
	}

	profile := env.Expand(base + "/enterprises/{wz-auto}?lang=zh-CN")
	must("sign in", chromedp.Do(ctx,
		chromedp.Navigate(base+"/login?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("username"), "wanzhou"),
		chromedp.SendKeys(chromedp.ID("password"), webtest.FixturePassword),
		webtest.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("page-heading")),
	))
	must("profile to eligibility", chromedp.Do(ctx,
		chromedp.Navigate(profile),
		chromedp.WaitVisible(chromedp.ID("eligibility-link")),
		webtest.Click(chromedp.ID("eligibility-link")),
		chromedp.WaitVisible(chromedp.ID("tier-specialized_sme")),
	))
	// The failed criterion: its row says "not met" and explains the values.
	row, err := webtest.TextOf(ctx, `#tier-specialized_sme tr[data-criterion="revenue_min"]`)
	must("criterion row", err)
	for _, want := range []string{"不符合", "¥120万", "上年营业收入 ¥120万，要求 ≥ ¥1,000万"} {
		if !strings.Contains(row, want) {
			t.Errorf("criterion row lacks %q: %q", want, row)
		}
	}
	whatIf, err := webtest.TextOf(ctx, "#tier-specialized_sme-whatif")
	must("what-if", err)
	if !strings.Contains(whatIf, "2023年营业收入需达到 ¥1,000万（+¥880万）") {
		t.Errorf("what-if = %q", whatIf)
	}
	// It is on the screen, not hidden.
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const e = document.querySelector('#tier-specialized_sme tr[data-criterion="revenue_min"]');
		e.scrollIntoView({block: 'center'});
		const r = e.getBoundingClientRect();
		return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
	})()`))
	must("visibility", err)
	if !visible {
		t.Error("the failed criterion's row is not visible")
	}
	reminders, err := webtest.TextOf(ctx, "#reminders")
	must("reminders", err)
	if !strings.Contains(reminders, "2024-08-19") {
		t.Errorf("reminders = %q, want the title's last valid day", reminders)
	}
	shotTo("eligibility-zh")
	b.CheckJS(t, "eligibility page")
}
