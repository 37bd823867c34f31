package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
)

// cacheEnv is a test server counting its city-wide screenings; while gate
// holds a channel, each computation waits for it to close.
type cacheEnv struct {
	*testEnv
	computed atomic.Int64
	gate     atomic.Pointer[chan struct{}]
	asOf     time.Time
}

func newCacheEnv(t *testing.T, dsn string, opts CultivationOptions) *cacheEnv {
	ce := &cacheEnv{asOf: time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)}
	opts.OnScreen = func(time.Time, int64) {
		ce.computed.Add(1)
		if g := ce.gate.Load(); g != nil {
			<-*g
		}
	}
	ce.testEnv = newTestEnv(t, dsn, func(d *Deps) { d.Cultivation = opts })
	seedCultivation(t, ce.testEnv)
	return ce
}

// get requests url as user and decodes the JSON answer into v.
func (ce *cacheEnv) get(t *testing.T, user, url string, v any) string {
	t.Helper()
	res, body := ce.do(scenario{url: url, user: user})
	if res.StatusCode != 200 {
		t.Fatalf("%s as %s: status %d: %.300s", url, user, res.StatusCode, body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
	}
	return body
}

// checkFresh compares the screening the server serves (from its cache)
// with one computed from the store without it, city-wide and for each
// district scope: narrowing the cached city-wide screening must equal
// screening just the district.
func (ce *cacheEnv) checkFresh(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	gen, err := ce.store.ProfileGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []auth.Scope{auth.All(), auth.Region("500101"), auth.Region("500103"), auth.Region("500104")} {
		cached, err := ce.srv.screen(ctx, sc, ce.asOf, gen)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := ce.srv.screenStore(ctx, sc, ce.asOf)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cached.Subjects, fresh.Subjects) || !reflect.DeepEqual(cached.Verdicts, fresh.Verdicts) ||
			!reflect.DeepEqual(cached.RuleSets, fresh.RuleSets) || !cached.AsOf.Equal(fresh.AsOf) {
			t.Errorf("scope %+v: the served screening (%d subjects) differs from a fresh one (%d subjects)", sc, len(cached.Subjects), len(fresh.Subjects))
		}
	}
}

// TestCultivationCacheFollowsWrites: requests share one screening until a
// write of any kind a profile is built from (December report, enterprise,
// profile facts, title); the next request then shows the write, computed
// once, and equals a screening computed without the cache, for the city
// and narrowed to each district.
func TestCultivationCacheFollowsWrites(t *testing.T) {
	for name, dsn := range testEngineDSNs(t) {
		t.Run(name, func(t *testing.T) {
			ce := newCacheEnv(t, dsn(t), CultivationOptions{})
			ctx := context.Background()
			const candURL = "/api/v1/cultivation/candidates?title=innovative_sme"
			var page candPage
			ce.get(t, "admin", candURL, &page)
			if page.Total != 2 || page.Items[0].Name != nameWZFood && page.Items[1].Name != nameWZFood {
				t.Fatalf("before any write: %+v", page)
			}
			// Every screening request of the same date reuses it, whatever
			// the scope or the filter.
			for _, r := range []struct{ user, url string }{
				{"admin", "/api/v1/cultivation/funnel"}, {"wanzhou", "/api/v1/cultivation/funnel"}, {"wanzhou", candURL},
				{"analyst", candURL + "&region=500103"}, {"admin", "/api/v1/cultivation/candidates.xlsx?title=innovative_sme"}, {"admin", "/cultivation"},
				{"admin", "/api/v1/cultivation/funnel?date=" + fixtureAsOf},
			} {
				if res, body := ce.do(scenario{url: r.url, user: r.user}); res.StatusCode != 200 {
					t.Fatalf("%s as %s: %d %.200s", r.url, r.user, res.StatusCode, body)
				}
			}
			if n := ce.computed.Load(); n != 1 {
				t.Fatalf("%d screenings computed for eight requests of one date, want 1", n)
			}
			ce.checkFresh(t)

			wzFood := ce.ids[entWanzhouFood]
			steps := []struct {
				name  string
				write func() error
				check func(t *testing.T, page candPage, funnel apiFunnel)
			}{
				{"December report", func() error {
					var v report.Values
					v[report.Revenue], v[report.Employees] = 987_654_321, 300
					_, err := ce.store.UpsertReports(ctx, []report.Monthly{{EnterpriseID: wzFood, Period: report.Period{Year: 2023, Month: 12}, Values: v}})
					return err
				}, func(t *testing.T, page candPage, _ apiFunnel) {
					if c := candidate(page, wzFood); c == nil || c.RevenueFen != 987_654_321 {
						t.Errorf("the new December revenue is not shown: %+v", page.Items)
					}
				}},
				{"enterprise", func() error {
					_, err := ce.store.UpsertEnterprises(ctx, []sqlstore.EnterpriseWithYear{{Enterprise: enterprise.Enterprise{
						CreditCode: testCreditCode(t, "500101", 2), Name: "万州食品集团有限公司", RegionCode: "500101", IndustryCode: "1311",
						Founded: time.Date(2010, 5, 1, 0, 0, 0, 0, time.UTC), LandArea: 5000}}})
					return err
				}, func(t *testing.T, page candPage, _ apiFunnel) {
					if c := candidate(page, wzFood); c == nil || c.Name != "万州食品集团有限公司" {
						t.Errorf("the new name is not shown: %+v", page.Items)
					}
				}},
				{"profile facts", func() error {
					_, err := ce.store.PutProfileFacts(ctx, []cultivation.YearFacts{{EnterpriseID: ce.ids[entYuzhongElec], Year: 2023, Source: "test",
						Facts: cultivation.Facts{Honours: []string{}}}})
					return err
				}, func(t *testing.T, page candPage, _ apiFunnel) {
					if page.Total != 1 || candidate(page, ce.ids[entYuzhongElec]) != nil {
						t.Errorf("渝中电子 without its honour is still a candidate: %+v", page.Items)
					}
				}},
				{"title", func() error {
					return ce.store.PutTitles(ctx, []enterprise.Title{{EnterpriseID: wzFood, Kind: enterprise.TitleInnovativeSME, Level: enterprise.LevelProvincial,
						GrantedOn: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)}})
				}, func(t *testing.T, page candPage, funnel apiFunnel) {
					if page.Total != 0 {
						t.Errorf("a holder is still a candidate: %+v", page.Items)
					}
					if funnel.Steps[0].Title != enterprise.TitleInnovativeSME || funnel.Steps[0].Holders != 1 {
						t.Errorf("万州 funnel after the grant: %+v", funnel.Steps[0])
					}
				}},
			}
			for _, st := range steps {
				before := ce.computed.Load()
				g0, _ := ce.store.ProfileGeneration(ctx)
				if err := st.write(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if g, _ := ce.store.ProfileGeneration(ctx); g <= g0 {
					t.Fatalf("%s: generation %d after %d", st.name, g, g0)
				}
				var page candPage
				var funnel apiFunnel
				ce.get(t, "admin", candURL, &page)
				ce.get(t, "wanzhou", "/api/v1/cultivation/funnel", &funnel)
				st.check(t, page, funnel)
				if n := ce.computed.Load() - before; n != 1 {
					t.Errorf("%s: %d screenings computed after the write, want 1", st.name, n)
				}
				ce.checkFresh(t)
			}
		})
	}
}

// candPage is the part of a candidate page the test reads.
type candPage struct {
	Total int        `json:"total"`
	Items []candItem `json:"items"`
}

type candItem struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Name         string `json:"name"`
	RevenueFen   int64  `json:"revenue_fen"`
}

func candidate(p candPage, id int64) *candItem {
	for i := range p.Items {
		if p.Items[i].EnterpriseID == id {
			return &p.Items[i]
		}
	}
	return nil
}

// TestCultivationCacheConcurrentCompute: requests arriving while the
// screening is being computed wait for that one computation.
func TestCultivationCacheConcurrentCompute(t *testing.T) {
	ce := newCacheEnv(t, testEngineDSNs(t)["sqlite"](t), CultivationOptions{})
	users := []string{"admin", "analyst", "wanzhou"}
	for _, u := range users {
		ce.token(u) // sessions first: the fixture's token map is not for concurrent use
	}
	gate := make(chan struct{})
	ce.gate.Store(&gate)
	const n = 8
	bodies := make([]string, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, body := ce.do(scenario{url: "/api/v1/cultivation/funnel?region=500101", user: users[i%len(users)]})
			codes[i], bodies[i] = res.StatusCode, body
		})
	}
	// Hold the computation until every request waits for it (or, were
	// they not sharing it, until a second one starts).
	for ce.srv.cult.waiters(ce.asOf) < n && ce.computed.Load() < 2 {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	ce.gate.Store(nil)
	if got := ce.computed.Load(); got != 1 {
		t.Errorf("%d concurrent requests computed %d screenings, want 1", n, got)
	}
	for i := range n {
		if codes[i] != 200 || bodies[i] != bodies[0] {
			t.Errorf("request %d: %d %.200s", i, codes[i], bodies[i])
		}
	}
	if !strings.Contains(bodies[0], `"screened":2`) {
		t.Errorf("万州 funnel: %.300s", bodies[0])
	}
}

// TestScreenCache covers the cache on its own: the bound on dates, a
// caller giving up while others wait, failures not kept, generations.
func TestScreenCache(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int64
	c := newScreenCache(CultivationOptions{CachedDates: 2})
	day := func(d int) time.Time { return time.Date(2025, 6, d, 0, 0, 0, 0, time.UTC) }
	ok := func(ctx context.Context, gen int64) (*cultivation.Screening, error) {
		calls.Add(1)
		return &cultivation.Screening{AsOf: time.Unix(gen, 0)}, nil
	}
	get := func(gen int64, d int) *cultivation.Screening {
		t.Helper()
		sg, err := c.screening(ctx, gen, day(d), ok)
		if err != nil {
			t.Fatal(err)
		}
		return sg
	}
	get(1, 1)
	get(1, 2)
	get(1, 1) // 1 is now the most recently used
	get(1, 3) // evicts 2
	if n := calls.Load(); n != 3 {
		t.Errorf("%d computations, want 3", n)
	}
	get(1, 1)
	get(1, 2)
	if n := calls.Load(); n != 4 {
		t.Errorf("%d computations after reusing 1 and recomputing 2, want 4", n)
	}
	// A newer generation replaces everything; an older one is served the
	// newer result.
	if sg := get(5, 1); sg.AsOf.Unix() != 5 {
		t.Errorf("generation 5 served the screening of %d", sg.AsOf.Unix())
	}
	if sg := get(4, 1); sg.AsOf.Unix() != 5 {
		t.Errorf("a request at generation 4 got %d, want the newer 5", sg.AsOf.Unix())
	}
	if n := calls.Load(); n != 5 {
		t.Errorf("%d computations, want 5", n)
	}

	// Failures are returned to the waiters and not kept.
	boom := errors.New("boom")
	if _, err := c.screening(ctx, 5, day(9), func(context.Context, int64) (*cultivation.Screening, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("failure: %v", err)
	}
	get(5, 9)
	if n := calls.Load(); n != 6 {
		t.Errorf("%d computations, want 6: a failure must not be kept", n)
	}

	// A caller that goes away does not cancel the computation for others.
	release := make(chan struct{})
	slow := func(ctx context.Context, gen int64) (*cultivation.Screening, error) {
		<-release
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return ok(ctx, gen)
	}
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error)
	go func() {
		_, err := c.screening(cctx, 5, day(20), slow)
		errc <- err
	}()
	for c.waiters(day(20)) < 1 {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v", err)
	}
	close(release)
	sg, err := c.screening(ctx, 5, day(20), func(context.Context, int64) (*cultivation.Screening, error) {
		return nil, fmt.Errorf("recomputed although a computation was under way")
	})
	if err != nil || sg == nil {
		t.Errorf("after the cancelled caller: %v", err)
	}
}
