package reportingweb_test

// The review workflow in a real browser: the 万州 auto firm fills its July
// report with the value-added warning explained and submits it; the 万州
// officer returns it with a reason; the firm sees the reason, corrects and
// resubmits; the officer accepts. The city's July output (the sums the
// cockpit reads) changes only at the acceptance.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestBrowserReviewWorkflow(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{
		// The refused submit answers 400 on purpose; the page shows it.
		Expected: func(e *cdplog.Entry) bool { return strings.Contains(e.Text, "400") },
	})
	ctx, base := b.Ctx, b.Base
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			if buf, e := chromedp.Run(ctx, chromedp.FullScreenshot(100)); e == nil {
				p := filepath.Join(os.TempDir(), "reporting-browser-failure.png")
				_ = os.WriteFile(p, buf, 0o644)
				t.Logf("screenshot: %s", p)
			}
			t.Fatalf("%s: %v", step, err)
		}
	}
	form := env.Expand(base + "/reporting/firms/{" + webtest.EntWanzhouAuto + "}/2024-07?lang=zh-CN")
	signIn := func(user string, first bool) {
		t.Helper()
		steps := []chromedp.Action[chromedp.Void]{}
		if !first {
			steps = append(steps, webtest.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("login-form")))
		} else {
			steps = append(steps, chromedp.Navigate(base+"/login?lang=zh-CN"), chromedp.WaitVisible(chromedp.ID("login-form")))
		}
		steps = append(steps,
			chromedp.SendKeys(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), webtest.FixturePassword),
			webtest.Click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.ID("page-heading")),
			chromedp.Navigate(form),
			chromedp.WaitVisible(chromedp.ID("reporting-form")),
		)
		must("sign in as "+user, chromedp.Do(ctx, steps...))
	}
	state := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('reporting-state').dataset.state`))
		must("state", err)
		return s
	}
	fill := func(explanation string) {
		t.Helper()
		steps := []chromedp.Action[chromedp.Void]{}
		for _, f := range report.Fields {
			v := "77"
			switch f.Code {
			case "energy":
				v = "77000"
			case "employees":
				v = "300"
			}
			steps = append(steps, chromedp.SetValue(chromedp.ID("v-"+f.Code), v))
		}
		explain := chromedp.CSS(`[data-explain="va_ratio.value_added"]`)
		steps = append(steps, chromedp.Clear(explain))
		if explanation != "" {
			steps = append(steps, chromedp.SendKeys(explain, explanation))
		}
		must("fill", chromedp.Do(ctx, steps...))
	}
	julyOutput := func() int64 { return cityJulyOutput(t, env) }

	signIn("firm", true)
	// Last month's and last year's values are on the form.
	row, err := webtest.TextOf(ctx, "#reporting-values tbody tr")
	must("output row", err)
	if !strings.Contains(row, "66") || !strings.Contains(row, "70") {
		t.Errorf("output row %q lacks June's 66 and last July's 70", row)
	}
	// Unexplained: refused, with the rule's explanation on the page.
	fill("")
	must("submit unexplained", chromedp.Do(ctx, webtest.Click(chromedp.ID("reporting-submit"))))
	msg, err := webtest.TextOf(ctx, "#reporting-message")
	must("refusal message", err)
	if !strings.Contains(msg, "va_ratio.value_added") {
		t.Errorf("refusal message %q does not name the warning", msg)
	}
	fill("集团统一核算增加值")
	must("submit", chromedp.Do(ctx, webtest.Click(chromedp.ID("reporting-submit")), chromedp.WaitVisible(chromedp.CSS(`#reporting-state[data-state="submitted"]`))))
	if julyOutput() != 0 {
		t.Fatal("July counted after the submission")
	}

	signIn("wanzhou", false)
	findings, err := webtest.TextOf(ctx, "#reporting-findings")
	must("findings", err)
	if !strings.Contains(findings, "集团统一核算增加值") {
		t.Errorf("the reviewer does not see the explanation: %q", findings)
	}
	must("return", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("reporting-review-reason"), "请核实增加值"),
		webtest.Click(chromedp.ID("reporting-return")),
		chromedp.WaitVisible(chromedp.CSS(`#reporting-state[data-state="returned"]`)),
	))

	signIn("firm", false)
	reason, err := webtest.TextOf(ctx, "#reporting-return-reason")
	must("return reason", err)
	if !strings.Contains(reason, "请核实增加值") {
		t.Errorf("return reason %q", reason)
	}
	fill("增加值由集团统一核算，已与统计局核实")
	must("resubmit", chromedp.Do(ctx, webtest.Click(chromedp.ID("reporting-submit")), chromedp.WaitVisible(chromedp.CSS(`#reporting-state[data-state="submitted"]`))))
	if julyOutput() != 0 {
		t.Fatal("July counted after the resubmission")
	}

	signIn("wanzhou", false)
	must("accept", chromedp.Do(ctx, webtest.Click(chromedp.ID("reporting-accept")), chromedp.WaitVisible(chromedp.CSS(`#reporting-state[data-state="accepted"]`))))
	if got := julyOutput(); got != 77*int64(unit.Wan) {
		t.Fatalf("city July output after acceptance = %d, want 77 万元", got)
	}
	if s := state(); s != "accepted" {
		t.Errorf("state %q", s)
	}
	b.CheckJS(t, "review workflow")
}
