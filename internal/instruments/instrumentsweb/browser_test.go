package instrumentsweb_test

// The marketplace in a real browser (the harness and skip rules of
// internal/web's browser tests): a firm's researcher searches "电镜",
// opens the microscope and books a slot; the lab's manager approves,
// runs and confirms the usage and invoices and records the payment; the researcher
// rates; the instrument page then shows the use and the review.

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestBrowserBookAndRate(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	marketFixture(t, env)
	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{Timeout: 150 * time.Second})
	ctx, base := b.Ctx, b.Base
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	// waitFor polls js until it holds, across the reload an action starts.
	waitFor := func(step, js string) {
		t.Helper()
		var last error
		for range 150 {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			last = err
			time.Sleep(150 * time.Millisecond)
		}
		msg, _ := webtest.TextOf(ctx, "#instrument-message")
		t.Fatalf("%s: %s never held (last error %v, message %q)", step, js, last, msg)
	}
	signIn := func(user string) {
		t.Helper()
		must("sign in "+user, chromedp.Do(ctx,
			chromedp.Navigate(base+"/login?lang=zh-CN"),
			chromedp.WaitVisible(chromedp.ID("login-form")),
			chromedp.SendKeys(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), webtest.FixturePassword),
			webtest.Click(chromedp.ID("login-submit")),
			chromedp.WaitNotPresent(chromedp.ID("login-form")),
		))
	}
	signOut := func() {
		t.Helper()
		must("sign out", chromedp.Do(ctx,
			webtest.Click(chromedp.CSS(`form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("login-form")),
		))
	}
	state := func(s string) string {
		return `(() => { const e = document.querySelector('.order-state'); return !!e && e.dataset.state === '` + s + `'; })()`
	}
	act := func(action, want string) {
		t.Helper()
		must(action, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(`[data-order-action="`+action+`"]`)),
			webtest.Click(chromedp.CSS(`[data-order-action="`+action+`"]`)),
		))
		waitFor(action, state(want))
		b.CheckJS(t, action)
	}

	// The researcher finds the microscope by "电镜" and books tomorrow
	// 10:00–12:00.
	signIn("firm")
	must("search", chromedp.Do(ctx,
		chromedp.Navigate(base+"/instruments?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.ID("instrument-search")),
		chromedp.SendKeys(chromedp.CSS(`#instrument-search input[name=q]`), "电镜"),
		chromedp.Submit(chromedp.CSS(`#instrument-search input[name=q]`)),
		chromedp.WaitVisible(chromedp.CSS("#instrument-results a.instrument-link")),
	))
	hits, err := webtest.TextOf(ctx, "#instrument-results")
	must("results", err)
	if !strings.Contains(hits, "场发射扫描电镜") || !strings.Contains(hits, "SU8010") {
		t.Fatalf("results: %s", hits)
	}
	must("open", chromedp.Do(ctx,
		webtest.Click(chromedp.CSS("#instrument-results a.instrument-link")),
		chromedp.WaitVisible(chromedp.ID("instrument-book")),
		chromedp.SetValue(chromedp.CSS(`#instrument-book input[name=hours]`), "2"),
		webtest.Click(chromedp.CSS(`#instrument-book button[type=submit]`)),
	))
	waitFor("booked", `(() => { const e = document.getElementById('instrument-slots'); return !!e && e.textContent.includes('10:00–12:00'); })()`)
	b.CheckJS(t, "book")
	signOut()

	// The lab runs the order through to the invoice.
	signIn("semlab")
	must("orders", chromedp.Do(ctx, chromedp.Navigate(base+"/instruments/orders?lang=zh-CN"), chromedp.WaitVisible(chromedp.ID("instrument-orders"))))
	for _, s := range [][2]string{{"approve", "approved"}, {"schedule", "scheduled"}, {"start", "in_progress"}, {"complete", "completed"}, {"confirm_usage", "usage_confirmed"}, {"invoice", "invoiced"}, {"pay", "paid"}} {
		act(s[0], s[1])
	}
	signOut()

	// The researcher rates.
	signIn("firm")
	must("my orders", chromedp.Do(ctx, chromedp.Navigate(base+"/instruments/orders?lang=zh-CN"), chromedp.WaitVisible(chromedp.ID("instrument-orders"))))
	must("rate", chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`[data-order-rate] input[name=comment]`), "图像清晰"),
		webtest.Click(chromedp.CSS(`[data-order-rate] button`)),
	))
	waitFor("rated", state("rated"))
	amount, err := webtest.TextOf(ctx, "#instrument-orders tbody tr")
	must("amount", err)
	// Two hours at the enterprise rate of ¥400, half paid by the voucher
	// only when one was allocated (none here).
	if !strings.Contains(amount, "¥800") {
		t.Errorf("order row: %s", amount)
	}
	must("instrument page", chromedp.Do(ctx, webtest.Click(chromedp.CSS(`#instrument-orders tbody a`)), chromedp.WaitVisible(chromedp.ID("instrument-reviews"))))
	reviews, err := webtest.TextOf(ctx, "#instrument-reviews")
	must("reviews", err)
	rating, err := webtest.TextOf(ctx, "#instrument-rating")
	must("rating", err)
	if !strings.Contains(reviews, "图像清晰") || !strings.Contains(reviews, "5★") || !strings.Contains(rating, "5 (1)") || !strings.Contains(rating, "1") {
		t.Errorf("reviews %q, rating %q", reviews, rating)
	}
	b.CheckJS(t, "rated")

	// The lab replies under the review; the bureau hides it with a reason,
	// after which its rating is gone and the form offers to restore it.
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string]("location.href"))
	must("page url", err)
	signOut()
	signIn("semlab")
	must("reply", chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`form.review-reply-form input[name=reply]`)),
		chromedp.SendKeys(chromedp.CSS(`form.review-reply-form input[name=reply]`), "欢迎再来"),
		webtest.Click(chromedp.CSS(`form.review-reply-form button`)),
	))
	waitFor("replied", `(() => { const e = document.querySelector('#instrument-reviews .review-reply'); return !!e && e.textContent.includes('欢迎再来'); })()`)
	b.CheckJS(t, "reply")
	signOut()
	signIn("bureau")
	must("hide", chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`form.review-moderate-form input[name=reason]`)),
		chromedp.SendKeys(chromedp.CSS(`form.review-moderate-form input[name=reason]`), "测试隐藏"),
		webtest.Click(chromedp.CSS(`form.review-moderate-form button`)),
	))
	waitFor("hidden", `!!document.querySelector('form.review-moderate-form[data-action="restore"]')`)
	marked, err := webtest.TextOf(ctx, "#instrument-reviews")
	must("hidden mark", err)
	if !strings.Contains(marked, "测试隐藏") {
		t.Errorf("hidden review: %q", marked)
	}
	b.CheckJS(t, "hide")
}
