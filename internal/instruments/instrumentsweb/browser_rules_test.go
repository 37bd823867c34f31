package instrumentsweb_test

// The rules form in a real browser: the instrument's manager opens the
// form from the instrument page, is shown a refused field beside itself,
// sets the longest booking to an hour, and a customer's two-hour booking
// through the instrument page is then refused while an hour is booked.

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestBrowserEditRules(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	id, _ := marketFixture(t, env)
	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{Timeout: 120 * time.Second})
	ctx, base := b.Ctx, b.Base
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	waitFor := func(step, js string) {
		t.Helper()
		for range 150 {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			time.Sleep(150 * time.Millisecond)
		}
		msg, _ := webtest.TextOf(ctx, "#instrument-message")
		t.Fatalf("%s: %s never held (message %q)", step, js, msg)
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
	// expected drains the browser's log, which may hold only the refusal
	// the step provoked (the browser logs a 4xx answer as an error).
	expected := func(step, status string) {
		t.Helper()
		for {
			select {
			case e := <-b.JSErrors:
				if !strings.Contains(e, "status of "+status) {
					t.Errorf("%s: %s", step, e)
				}
			default:
				return
			}
		}
	}
	setField := func(name, v string) chromedp.Action[chromedp.Void] {
		return chromedp.SetValue(chromedp.CSS(`#rules-form [name=`+name+`]`), v)
	}

	signIn("semlab")
	must("open rules", chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/instruments/%d?lang=zh-CN", base, id)),
		chromedp.WaitVisible(chromedp.ID("instrument-edit-rules")),
		webtest.Click(chromedp.ID("instrument-edit-rules")),
		chromedp.WaitVisible(chromedp.ID("rules-form")),
	))
	// A shortest booking over the longest is refused beside the field,
	// with what was typed kept.
	must("refused", chromedp.Do(ctx,
		setField("min_block_minutes", "120"), setField("max_block_minutes", "60"),
		webtest.Click(chromedp.ID("rules-save")),
		chromedp.WaitVisible(chromedp.ID("err-max_block_minutes")),
	))
	msg, err := webtest.TextOf(ctx, "#err-max_block_minutes")
	must("field error", err)
	if !strings.Contains(msg, "最长预约时长不能短于最短预约时长") {
		t.Fatalf("field error: %q", msg)
	}
	expected("refused", "422")
	must("saved", chromedp.Do(ctx,
		setField("min_block_minutes", "30"), setField("max_block_minutes", "60"),
		webtest.Click(chromedp.ID("rules-save")),
		chromedp.WaitVisible(chromedp.ID("rules-done")),
	))
	waitFor("kept", `document.querySelector('#rules-form [name=max_block_minutes]').value === '60'`)
	must("sign out", chromedp.Do(ctx,
		webtest.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("login-form")),
	))

	// The customer: two hours refused by the new limit, one hour booked.
	signIn("firm")
	must("book two hours", chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/instruments/%d?lang=zh-CN", base, id)),
		chromedp.WaitVisible(chromedp.ID("instrument-book")),
		chromedp.SetValue(chromedp.CSS(`#instrument-book input[name=hours]`), "2"),
		webtest.Click(chromedp.CSS(`#instrument-book button[type=submit]`)),
	))
	waitFor("refused", `(() => { const e = document.getElementById('instrument-message'); return !!e && e.textContent.includes('单次预约不能超过 60 分钟'); })()`)
	expected("two hours", "400")
	must("book an hour", chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#instrument-book input[name=hours]`), "1"),
		webtest.Click(chromedp.CSS(`#instrument-book button[type=submit]`)),
	))
	waitFor("booked", `(() => { const e = document.getElementById('instrument-slots'); return !!e && e.textContent.includes('10:00–11:00'); })()`)
	b.CheckJS(t, "book")
}
