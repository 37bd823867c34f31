package web

// The eligibility page in a real browser: sign in as a district officer,
// open the profile of a firm of the district, follow the link to its title
// eligibility, and check that the failed criterion's explanation and its
// what-if are on the screen. The screenshot goes to the test's temp dir.

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

func TestBrowserEligibility(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("IBRAIN_REQUIRE_BROWSER") == "" {
			t.Skipf("%s not installed; set IBRAIN_REQUIRE_BROWSER=1 to make this a failure", chromiumPath)
		}
		t.Fatalf("IBRAIN_REQUIRE_BROWSER is set but %s is missing: %v", chromiumPath, err)
	}
	env := newTestEnv(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	seedCultivation(t, env)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: env.h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	})
	base := "http://" + ln.Addr().String()

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"),
	)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	jsErrors := make(chan string, 64)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			jsErrors <- ev.ExceptionDetails.Text
		}
	}()
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

	profile := env.expand(base + "/enterprises/{wz-auto}?lang=zh-CN")
	must("sign in", chromedp.Do(ctx,
		chromedp.Navigate(base+"/login?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("username"), "wanzhou"),
		chromedp.SendKeys(chromedp.ID("password"), fixturePassword),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("page-heading")),
	))
	must("profile to eligibility", chromedp.Do(ctx,
		chromedp.Navigate(profile),
		chromedp.WaitVisible(chromedp.ID("eligibility-link")),
		chromedp.Click(chromedp.ID("eligibility-link")),
		chromedp.WaitVisible(chromedp.ID("tier-specialized_sme")),
	))
	// The failed criterion: its row says "not met" and explains the values.
	row, err := textOf(ctx, `#tier-specialized_sme tr[data-criterion="revenue_min"]`)
	must("criterion row", err)
	for _, want := range []string{"不符合", "¥120万", "上年营业收入 ¥120万，要求 ≥ ¥1,000万"} {
		if !strings.Contains(row, want) {
			t.Errorf("criterion row lacks %q: %q", want, row)
		}
	}
	whatIf, err := textOf(ctx, "#tier-specialized_sme-whatif")
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
	reminders, err := textOf(ctx, "#reminders")
	must("reminders", err)
	if !strings.Contains(reminders, "2024-08-19") {
		t.Errorf("reminders = %q, want the title's last valid day", reminders)
	}
	shotTo("eligibility-zh")
	select {
	case e := <-jsErrors:
		t.Errorf("JavaScript error: %s", e)
	default:
	}
}
