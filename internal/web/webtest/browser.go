package webtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The browser harness: a real server on loopback over a test environment,
// and Debian's headless chromium driven through the DevTools protocol,
// with every script error collected.

const chromiumPath = "/usr/bin/chromium"

// RequireChromium skips the test without chromium, unless
// IBRAIN_REQUIRE_BROWSER is set (CI), where a missing browser fails it.
// Under -short it skips too (a browser session takes seconds), again
// unless IBRAIN_REQUIRE_BROWSER is set.
func RequireChromium(t *testing.T) {
	t.Helper()
	if testing.Short() && os.Getenv("IBRAIN_REQUIRE_BROWSER") == "" {
		t.Skip("-short: browser tests run without -short or with IBRAIN_REQUIRE_BROWSER=1")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("IBRAIN_REQUIRE_BROWSER") == "" {
			t.Skipf("%s not installed (apt-get install chromium fonts-noto-cjk); set IBRAIN_REQUIRE_BROWSER=1 to make this a failure", chromiumPath)
		}
		t.Fatalf("IBRAIN_REQUIRE_BROWSER is set but %s is missing: %v", chromiumPath, err)
	}
}

// BrowserOptions tune a browser session.
type BrowserOptions struct {
	Timeout time.Duration // for the whole session; 90 s when zero
	// Expected reports a browser log error the test causes on purpose
	// (a rejected upload, say); other log errors are script errors.
	Expected func(e *cdplog.Entry) bool
}

// BrowserSession is a signed-out browser on a served test environment.
type BrowserSession struct {
	Ctx      context.Context // the browser tab, with the session's deadline
	Base     string          // the server's URL
	JSErrors chan string     // uncaught exceptions, console errors, log errors
}

// StartBrowser serves env on a loopback port and opens a tab in headless
// chromium; both stop when the test ends. Uncaught exceptions, console
// errors and browser log errors (CSP violations, failed loads of scripts,
// styles or API calls) are collected in jsErrors.
func StartBrowser(t *testing.T, env *Env, opts BrowserOptions) *BrowserSession {
	t.Helper()
	RequireChromium(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: env.H, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	})

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 1000),
		// The machine has no network: without these, chromium keeps
		// trying to reach its update and sync services.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
	)
	ctx, cancelCtx := chromedp.NewContext(actx)
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 90 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancel(); cancelCtx(); cancelAlloc() })

	b := &BrowserSession{Ctx: ctx, Base: "http://" + ln.Addr().String(), JSErrors: make(chan string, 64)}
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	consoles := chromedp.Events(ctx, runtime.ConsoleAPICalled)
	logs := chromedp.Events(ctx, cdplog.EntryAdded)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			msg := ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
			b.JSErrors <- "exception: " + msg
		}
	}()
	go func() {
		for ev, err := range consoles {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.JSErrors <- "console.error: " + strings.Join(parts, " ")
			}
		}
	}()
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError {
				if opts.Expected != nil && opts.Expected(e) {
					continue
				}
				b.JSErrors <- "log (" + string(e.Source) + "): " + e.Text + " " + e.URL
			}
		}
	}()
	return b
}

// CheckJS fails the test for every script error collected so far.
func (b *BrowserSession) CheckJS(t *testing.T, step string) {
	t.Helper()
	for {
		select {
		case e := <-b.JSErrors:
			t.Errorf("%s: %s", step, e)
		default:
			return
		}
	}
}

// TextOf waits up to 10 s for selector to have text and returns it.
func TextOf(ctx context.Context, selector string) (string, error) {
	return chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText.trim() : ''; })()`, selector),
		chromedp.WithPollingTimeout(10*time.Second)))
}

// Click is chromedp.Click tried again, up to three times, when the node
// it found is gone before the click. chromedp loads the document again on
// every DOM.documentUpdated event, which a navigation can send late; that
// invalidates the node ids of a query in flight, and the click fails with
// "Could not find node with given id" (it did in one CI run, after a map
// click had opened a new page). The error comes before any mouse event,
// so trying again never clicks twice.
func Click[S chromedp.Selectable](sel S, opts ...chromedp.QueryOption) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var err error
		for range 3 {
			_, err = chromedp.Click(sel, opts...)(ctx, t)
			var ce *cdproto.Error
			if !errors.As(err, &ce) || ce.Message != "Could not find node with given id" {
				break
			}
		}
		return chromedp.Void{}, err
	}
}
