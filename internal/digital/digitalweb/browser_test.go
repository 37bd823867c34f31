package digitalweb_test

// The digital module's pages in a real browser: the overview, a firm's
// ladder (the rule engine's criteria), and a project application's review:
// the 万州 officer returns it with a reason, the firm corrects the planned
// investment and resubmits, the officer approves it at district level.

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestBrowserDigitalReview(t *testing.T) {
	webtest.RequireChromium(t)
	env := webtest.New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"))
	webtest.SeedDigital(t, env)
	ps, err := env.Store.DigitalProjects(context.Background(), auth.All(), digital.RecordFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var pid int64
	for _, p := range ps {
		if p.Code == "WZ-2024-002" {
			pid = p.ID
		}
	}
	if pid == 0 {
		t.Fatal("the fixture's pending application is missing")
	}
	b := webtest.StartBrowser(t, env, webtest.BrowserOptions{})
	ctx, base := b.Ctx, b.Base
	must := func(step string, err error) {
		t.Helper()
		if err != nil {
			if buf, e := chromedp.Run(ctx, chromedp.FullScreenshot(100)); e == nil {
				p := filepath.Join(os.TempDir(), "digital-browser-failure.png")
				_ = os.WriteFile(p, buf, 0o644)
				t.Logf("screenshot: %s", p)
			}
			t.Fatalf("%s: %v", step, err)
		}
	}
	page := base + "/digital/projects/" + strconv.FormatInt(pid, 10) + "?lang=zh-CN"
	signIn := func(user string, first bool) {
		t.Helper()
		must("sign in as "+user, browserSignIn(ctx, base, user, first))
	}
	state := func(want string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.CSS(`#digital-review-state[data-state="` + want + `"]`))
	}

	signIn("wanzhou", true)
	must("overview", chromedp.Do(ctx, chromedp.Navigate(base+"/digital?to=2024&lang=zh-CN"), chromedp.WaitVisible(chromedp.ID("page-heading"))))
	must("firm ladder", chromedp.Do(ctx, chromedp.Navigate(env.Expand(base+"/digital/firms/{"+webtest.EntWanzhouAuto+"}?lang=zh-CN")),
		chromedp.WaitVisible(chromedp.ID("digital-next")), chromedp.WaitVisible(chromedp.ID("digital-criteria"))))
	must("return", chromedp.Do(ctx, chromedp.Navigate(page), state("submitted"),
		chromedp.SetValue(chromedp.CSS(`#digital-review-form input[name="reason"]`), "请补充可行性研究报告"),
		webtest.Click(chromedp.ID("digital-review-return")), state("returned"), chromedp.WaitVisible(chromedp.ID("digital-review-reason"))))

	signIn("firm", false)
	must("resubmit", chromedp.Do(ctx, chromedp.Navigate(page), state("returned"),
		chromedp.SetValue(chromedp.CSS(`#digital-resubmit-form input[name="planned_wan"]`), "480"),
		webtest.Click(chromedp.CSS(`#digital-resubmit-form button`)), state("submitted")))
	if n := len(mustReview(t, env, pid)); n != 3 {
		t.Fatalf("%d review events after the resubmission", n)
	}

	signIn("wanzhou", false)
	must("approve", chromedp.Do(ctx, chromedp.Navigate(page), state("submitted"),
		webtest.Click(chromedp.ID("digital-review-accept")), state("accepted"),
		chromedp.WaitVisible(chromedp.CSS(`#digital-current.stage-approved`)), chromedp.WaitVisible(chromedp.ID("digital-review-history"))))
	p, err := env.Store.DigitalProject(context.Background(), auth.All(), pid)
	if err != nil {
		t.Fatal(err)
	}
	if st := p.Current(); st.Stage != digital.StageApproved || st.Level != digital.LevelDistrict || p.Planned != 480*unit.Wan {
		t.Errorf("after the review: %s %s, planned %d fen", st.Stage, st.Level, p.Planned)
	}
}

func mustReview(t *testing.T, env *webtest.Env, id int64) []string {
	t.Helper()
	evs, err := env.Store.ReviewEvents(context.Background(), digital.ReviewDomain, strconv.FormatInt(id, 10), review.Period{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Action))
	}
	return out
}
