package digitalweb_test

// A rung application in a real browser: the firm files it on its digital
// page, the 万州 officer recommends it, the city approves it, and the
// recognition is stored with the approval day.

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestBrowserDigitalRungApplication(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	webtest.SeedDigital(t, env)
	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{})
	ctx, base := b.Ctx, b.Base
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	signIn := func(user string, first bool) {
		t.Helper()
		must("sign in as "+user, browserSignIn(ctx, base, user, first))
	}
	signIn("firm", true)
	must("apply", chromedp.Do(ctx, chromedp.Navigate(env.Expand(base+"/digital/firms/{"+webtest.EntWanzhouAuto+"}?lang=zh-CN")),
		chromedp.WaitVisible(chromedp.ID("digital-rung-apply-form")),
		chromedp.SetValue(chromedp.CSS(`#digital-rung-apply-form select[name="rung"]`), string(digital.RungWorkshop)),
		chromedp.SendKeys(chromedp.CSS(`#digital-rung-apply-form input[name="name"]`), "涂装数字化车间"),
		chromedp.SendKeys(chromedp.CSS(`#digital-rung-apply-form textarea[name="evidence"]`), "数控化率 72%，评测报告 2024-118"),
		webtest.Click(chromedp.CSS(`#digital-rung-apply-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#digital-rungapp-state[data-state="submitted"]`)),
		chromedp.WaitVisible(chromedp.ID("digital-rungapp-criteria"))))
	url, err := chromedp.Run(ctx, chromedp.Location())
	must("location", err)

	signIn("wanzhou", false)
	must("recommend", chromedp.Do(ctx, chromedp.Navigate(url),
		webtest.Click(chromedp.ID("digital-rung-recommend")), chromedp.WaitVisible(chromedp.ID("digital-rungapp-recommended"))))

	signIn("admin", false)
	var apps []digital.RungApplication
	must("approve", chromedp.Do(ctx, chromedp.Navigate(url),
		chromedp.SetValue(chromedp.CSS(`#digital-rung-review input[name="batch"]`), "第一批"),
		webtest.Click(chromedp.ID("digital-rung-accept")), chromedp.WaitVisible(chromedp.CSS(`#digital-rungapp-state[data-state="accepted"]`))))

	apps, err = env.Store.DigitalRungApplications(context.Background(), auth.All(), digital.RungAppQuery{State: review.Accepted})
	if err != nil || len(apps) != 1 || apps[0].RecognitionID == 0 || apps[0].RecommendedOn.IsZero() {
		t.Fatalf("after the approval: %v %+v", err, apps)
	}
	recs, err := env.Store.DigitalRecognitions(context.Background(), auth.All(), digital.RecordFilter{EnterpriseID: apps[0].EnterpriseID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rc := range recs {
		found = found || (rc.ID == apps[0].RecognitionID && rc.Name == "涂装数字化车间" && rc.Batch == "第一批" && rc.RecognisedOn.Equal(apps[0].DecidedOn))
	}
	if !found {
		t.Errorf("the recognition: %+v", recs)
	}
}

// browserSignIn signs user in on the login page (first) or after signing
// the current user out.
func browserSignIn(ctx context.Context, base, user string, first bool) error {
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
	)
	return chromedp.Do(ctx, steps...)
}
