package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
)

func TestDefaultURLIsTheServersDefault(t *testing.T) {
	if defaultURL != "http://"+app.DefaultAddr {
		t.Errorf("defaultURL = %s, serve listens on %s", defaultURL, app.DefaultAddr)
	}
}

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	cfg, err := parseFlags([]string{"-password", "pw", "-url", "http://127.0.0.1:9/", "-paths", "/a, /b,", "-concurrency", "2", "-duration", "1s"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.base != "http://127.0.0.1:9" || cfg.user != "analyst" || strings.Join(cfg.paths, " ") != "/a /b" || cfg.concurrency != 2 || cfg.duration != time.Second {
		t.Errorf("config = %+v", cfg)
	}
	if cfg, err := parseFlags([]string{"--password", "pw"}, &stderr); err != nil || len(cfg.paths) != len(defaultLoadPaths) {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
	for _, bad := range [][]string{
		{}, // no password
		{"-password", "pw", "-url", "http://example.com"}, // not loopback
		{"-password", "pw", "-url", "http://10.0.0.1:8080"},
		{"-password", "pw", "-url", "ftp://127.0.0.1"},
		{"-password", "pw", "-concurrency", "0"},
		{"-password", "pw", "-concurrency", "257"},
		{"-password", "pw", "-duration", "6m"},
		{"-password", "pw", "-paths", ","},
		{"-password", "pw", "extra"},
	} {
		if _, err := parseFlags(bad, &stderr); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
	for _, ok := range []string{"http://localhost:8080", "http://127.0.0.2:1", "http://[::1]:8080"} {
		if err := checkLoopback(ok); err != nil {
			t.Errorf("checkLoopback(%s): %v", ok, err)
		}
	}
}

// fakeServer answers the login form with a session cookie and GETs with
// 200 when the bearer token is right; /fail answers 500.
func fakeServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/login":
			if r.FormValue("username") != "admin" || r.FormValue("password") != "pw" {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "ibrain_session", Value: "tok"})
			http.Redirect(w, r, "/", http.StatusSeeOther)
		case r.Header.Get("Authorization") != "Bearer tok":
			http.Error(w, "no", http.StatusUnauthorized)
		case r.URL.Path == "/fail":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			gets.Add(1)
			w.Write([]byte(`{}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &gets
}

func TestRun(t *testing.T) {
	srv, gets := fakeServer(t)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-url", srv.URL, "-user", "admin", "-password", "pw", "-paths", "/a,/b",
		"-concurrency", "2", "-requests", "10", "-duration", "10s"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if gets.Load() != 10 {
		t.Errorf("%d requests sent, want 10", gets.Load())
	}
	for _, want := range []string{"p50 ms", "/a", "/b", "10 requests in", "0 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	errOut.Reset()
	code = run(context.Background(), []string{"-url", srv.URL, "-user", "admin", "-password", "pw", "-paths", "/a,/fail",
		"-concurrency", "1", "-requests", "4", "-duration", "10s"}, &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "2 failed") || !strings.Contains(out.String(), "first failure: /fail: 500") {
		t.Errorf("exit %d with failures:\n%s%s", code, out.String(), errOut.String())
	}

	errOut.Reset()
	if code := run(context.Background(), []string{"-url", srv.URL, "-user", "admin", "-password", "wrong"}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "sign-in as admin failed") {
		t.Errorf("wrong password: exit %d, %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"-url", "http://example.com"}, &out, &errOut); code != 2 {
		t.Errorf("bad flags: exit %d", code)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[int]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := pct(ds, p); got != want {
			t.Errorf("pct(%d) = %s, want %s", p, got, want)
		}
	}
	if got := pct(ds[:1], 99); got != time.Millisecond {
		t.Errorf("pct of one sample = %s", got)
	}
}
