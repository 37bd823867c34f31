package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// defaultURL is where `ibrain serve` listens by default (app.DefaultAddr).
const defaultURL = "http://127.0.0.1:8080"

// defaultLoadPaths are the cockpit's API calls, as the city overview page
// makes them.
var defaultLoadPaths = []string{
	"/api/v1/stats/kpis?year=2024&month=12",
	"/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024",
	"/api/v1/stats/trend?indicator=IND_VA_GROWTH&year=2024",
	"/api/v1/stats/breakdown?by=region&year=2024&month=12",
	"/api/v1/stats/breakdown?by=cluster&year=2024&month=12",
	"/api/v1/stats/breakdown?by=tier&year=2024&month=12",
	"/api/v1/enterprises?q=科技&per_page=20",
	"/api/v1/scoreboard?year=2023",
}

// config is a parsed command line.
type config struct {
	base        string
	user        string
	password    string
	paths       []string
	duration    time.Duration
	concurrency int
	maxRequests int
}

// parseFlags reads and checks the command line.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: go run ./scripts/loadtest -password PW [-url URL] [-user NAME] [-duration 10s] [-concurrency 8] [-paths P1,P2]\n\nFlags:")
		fs.PrintDefaults()
	}
	base := fs.String("url", defaultURL, "base URL of a running ibrain (loopback only)")
	user := fs.String("user", "analyst", "account to sign in with")
	password := fs.String("password", "", "its password (required)")
	duration := fs.Duration("duration", 10*time.Second, "how long to send requests (at most 5m)")
	concurrency := fs.Int("concurrency", 8, "parallel clients (1–256)")
	maxRequests := fs.Int("requests", 200000, "stop after this many requests")
	paths := fs.String("paths", strings.Join(defaultLoadPaths, ","), "comma-separated paths to cycle through")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := checkLoopback(*base); err != nil {
		return config{}, err
	}
	if *password == "" || *concurrency < 1 || *concurrency > 256 || *duration <= 0 || *duration > 5*time.Minute || *maxRequests < 1 {
		return config{}, errors.New("need -password, -concurrency 1–256, -duration up to 5m and -requests ≥ 1")
	}
	var ps []string
	for _, p := range strings.Split(*paths, ",") {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return config{}, errors.New("-paths names no path")
	}
	return config{base: strings.TrimRight(*base, "/"), user: *user, password: *password, paths: ps,
		duration: *duration, concurrency: *concurrency, maxRequests: *maxRequests}, nil
}

// checkLoopback accepts only a URL on this machine: a load test is not a
// tool for someone else's server.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("bad -url: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("bad -url %q: want http:// or https://", base)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return errors.New("-url must be a loopback address (127.0.0.0/8, ::1 or localhost)")
	}
	return nil
}

// run signs in and sends the load.
func (c config) run(ctx context.Context) (*loadResult, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.concurrency}}
	token, err := signIn(ctx, client, c.base, c.user, c.password)
	if err != nil {
		return nil, err
	}
	return loadRun(ctx, client, loadSpec{base: c.base, token: token, paths: c.paths,
		duration: c.duration, concurrency: c.concurrency, maxRequests: c.maxRequests})
}

// signIn posts the login form and returns the session token, which API
// requests then send as a bearer token.
func signIn(ctx context.Context, c *http.Client, base, user, password string) (string, error) {
	form := url.Values{"username": {user}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(base, "/")+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	noRedirect := *c
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "ibrain_session" && ck.Value != "" {
			return ck.Value, nil
		}
	}
	return "", fmt.Errorf("sign-in as %s failed (HTTP %d)", user, resp.StatusCode)
}

type loadSpec struct {
	base        string
	token       string
	paths       []string
	duration    time.Duration
	concurrency int
	maxRequests int
}

type loadResult struct {
	elapsed   time.Duration
	byPath    map[string][]time.Duration
	failed    int
	firstFail string
}

func loadRun(ctx context.Context, c *http.Client, spec loadSpec) (*loadResult, error) {
	ctx, cancel := context.WithTimeout(ctx, spec.duration)
	defer cancel()
	var mu sync.Mutex
	res := &loadResult{byPath: map[string][]time.Duration{}}
	var sent int
	next := func() (string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if sent >= spec.maxRequests {
			return "", false
		}
		p := spec.paths[sent%len(spec.paths)]
		sent++
		return p, true
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < spec.concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				p, ok := next()
				if !ok {
					return
				}
				t0 := time.Now()
				err := get(ctx, c, spec.base+p, spec.token)
				d := time.Since(t0)
				if ctx.Err() != nil {
					return // a request cut off by the deadline is not a sample
				}
				mu.Lock()
				if err != nil {
					res.failed++
					if res.firstFail == "" {
						res.firstFail = p + ": " + err.Error()
					}
				} else {
					res.byPath[p] = append(res.byPath[p], d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res, nil
}

func get(ctx context.Context, c *http.Client, u, token string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

func (r *loadResult) print(w io.Writer) {
	total := 0
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "requests\tp50 ms\tp95 ms\tp99 ms\tmax ms\tpath\t")
	paths := make([]string, 0, len(r.byPath))
	for p := range r.byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		ds := r.byPath[p]
		total += len(ds)
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		fmt.Fprintf(tw, "%d\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t\n", len(ds), ms(pct(ds, 50)), ms(pct(ds, 95)), ms(pct(ds, 99)), ms(ds[len(ds)-1]), p)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d requests in %s: %.0f req/s; %d failed\n", total, r.elapsed.Round(time.Millisecond), float64(total)/r.elapsed.Seconds(), r.failed)
	if r.firstFail != "" {
		fmt.Fprintln(w, "first failure:", r.firstFail)
	}
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
