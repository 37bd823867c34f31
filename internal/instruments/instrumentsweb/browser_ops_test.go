package instrumentsweb_test

// The manager's operations in a real browser: a photo uploaded on the
// instrument page is served and drawn (the browser decodes it with the
// stored content type), and a maintenance window blocked from the page
// flags the booking it hits, which the customer sees on their orders.

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestBrowserPhotoAndWindow(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	id, item := marketFixture(t, env)
	// The firm books tomorrow 10:00–12:00 through the API.
	s1, e1 := slot(10, 2)
	if res, body := env.Do(webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/api/v1/instruments/%d/orders", id), User: "firm", ContentType: "application/json",
		Body: fmt.Sprintf(`{"item_id":%d,"start":%q,"end":%q}`, item, s1, e1)}); res.StatusCode != 201 {
		t.Fatalf("book: %d %s", res.StatusCode, body)
	}
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := range 32 {
		img.Set(x, x%24, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "sem.png")
	if err := os.WriteFile(photo, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
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
	signIn("semlab")
	page := fmt.Sprintf("%s/instruments/%d?lang=zh-CN", base, id)
	must("upload", chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.ID("instrument-upload")),
		chromedp.SetUploadFiles(chromedp.CSS(`#instrument-upload input[name=file]`), []string{photo}),
		webtest.Click(chromedp.CSS(`#instrument-upload button[type=submit]`)),
	))
	// Drawn: the browser decoded the bytes it was served.
	waitFor("photo drawn", `(() => { const i = document.querySelector('#instrument-photos img'); return !!i && i.complete && i.naturalWidth === 32; })()`)
	b.CheckJS(t, "upload")

	// The window 11:00–12:00 tomorrow hits the firm's booking.
	d := time.Now().In(instruments.Zone).AddDate(0, 0, 1).Format(time.DateOnly)
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#instrument-window [name=kind]').value = 'outage';
		document.querySelector('#instrument-window [name=start]').value = '`+d+`T11:00';
		document.querySelector('#instrument-window [name=end]').value = '`+d+`T12:00';
		document.querySelector('#instrument-window [name=note]').value = '电子枪更换'; true`))
	must("window form", err)
	must("window", chromedp.Do(ctx, webtest.Click(chromedp.CSS(`#instrument-window button[type=submit]`))))
	waitFor("window hits", `(() => { const e = document.getElementById('instrument-message'); return !!e && e.textContent.includes('受影响的预约：1'); })()`)
	b.CheckJS(t, "window")
	must("sign out", chromedp.Do(ctx,
		webtest.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("login-form")),
	))
	signIn("firm")
	must("orders", chromedp.Do(ctx, chromedp.Navigate(base+"/instruments/orders?lang=zh-CN"), chromedp.WaitVisible(chromedp.ID("instrument-orders"))))
	text, err := webtest.TextOf(ctx, "#instrument-orders")
	must("orders text", err)
	if !strings.Contains(text, "故障停机") || !strings.Contains(text, "电子枪更换") {
		t.Fatalf("orders: %s", text)
	}
}
