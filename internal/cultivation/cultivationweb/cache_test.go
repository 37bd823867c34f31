package cultivationweb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/cultivation/cultivationweb"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// cacheEnv is a test server counting its city-wide screenings; while gate
// holds a channel, each computation waits for it to close.
type cacheEnv struct {
	*webtest.Env
	computed atomic.Int64
	gate     atomic.Pointer[chan struct{}]
	asOf     time.Time
}

func newCacheEnv(t *testing.T, dsn string, opts cultivation.Options) *cacheEnv {
	ce := &cacheEnv{asOf: time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)}
	opts.OnScreen = func(time.Time, int64) {
		ce.computed.Add(1)
		if g := ce.gate.Load(); g != nil {
			<-*g
		}
	}
	ce.Env = webtest.NewWith(t, dsn, app.Options{Cultivation: opts})
	webtest.SeedCultivation(t, ce.Env)
	return ce
}

// get requests url as user and decodes the JSON answer into v.
func (ce *cacheEnv) get(t *testing.T, user, url string, v any) string {
	t.Helper()
	res, body := ce.Do(webtest.Scenario{URL: url, User: user})
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
	gen, err := ce.Store.ProfileGeneration(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []auth.Scope{auth.All(), auth.Region("500101"), auth.Region("500103"), auth.Region("500104")} {
		cached, err := ce.App.Cultivation.Screen(ctx, sc, ce.asOf, gen)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := ce.App.Cultivation.ScreenUncached(ctx, sc, ce.asOf)
		if err != nil {
			t.Fatal(err)
		}
		if !sameScreening(cached, fresh) || !reflect.DeepEqual(cached.RuleSets, fresh.RuleSets) || !cached.AsOf.Equal(fresh.AsOf) {
			t.Errorf("scope %+v: the served screening (%d firms) differs from a fresh one (%d firms)", sc, cached.Len(), fresh.Len())
		}
	}
}

// sameScreening reports whether a and b hold the same firms with the same
// verdicts, and rank the same candidates (with their revenue) for every
// tier.
func sameScreening(a, b *cultivation.Screening) bool {
	if a.Len() != b.Len() {
		return false
	}
	for i := range a.Len() {
		if *a.Firm(i) != *b.Firm(i) {
			return false
		}
		for ti := range a.Tiers {
			if a.Verdict(i, ti) != b.Verdict(i, ti) {
				return false
			}
		}
	}
	for _, tier := range a.Tiers {
		ca, cb := a.Candidates(tier.Title, cultivation.Filter{}, cultivation.CandidatesAll), b.Candidates(tier.Title, cultivation.Filter{}, cultivation.CandidatesAll)
		if len(ca) != len(cb) {
			return false
		}
		for i := range ca {
			if ca[i].Rank != cb[i].Rank || *ca[i].Subject != *cb[i].Subject || ca[i].Verdict != cb[i].Verdict || ca[i].Revenue != cb[i].Revenue {
				return false
			}
		}
	}
	return true
}

// TestCultivationCacheFollowsWrites: requests share one screening until a
// write of any kind a profile is built from (December report, enterprise,
// profile facts, title); the next request then shows the write, computed
// once, and equals a screening computed without the cache, for the city
// and narrowed to each district.
func TestCultivationCacheFollowsWrites(t *testing.T) {
	for name, dsn := range webtest.EngineDSNs(t) {
		t.Run(name, func(t *testing.T) {
			ce := newCacheEnv(t, dsn(t), cultivation.Options{})
			ctx := context.Background()
			const candURL = "/api/v1/cultivation/candidates?title=innovative_sme"
			var page candPage
			ce.get(t, "admin", candURL, &page)
			if page.Total != 2 || page.Items[0].Name != webtest.NameWZFood && page.Items[1].Name != webtest.NameWZFood {
				t.Fatalf("before any write: %+v", page)
			}
			// Every screening request of the same date reuses it, whatever
			// the scope or the filter.
			for _, r := range []struct{ user, url string }{
				{"admin", "/api/v1/cultivation/funnel"}, {"wanzhou", "/api/v1/cultivation/funnel"}, {"wanzhou", candURL},
				{"analyst", candURL + "&region=500103"}, {"admin", "/api/v1/cultivation/candidates.xlsx?title=innovative_sme"}, {"admin", "/cultivation"},
				{"admin", "/api/v1/cultivation/funnel?date=" + fixtureAsOf},
			} {
				if res, body := ce.Do(webtest.Scenario{URL: r.url, User: r.user}); res.StatusCode != 200 {
					t.Fatalf("%s as %s: %d %.200s", r.url, r.user, res.StatusCode, body)
				}
			}
			if n := ce.computed.Load(); n != 1 {
				t.Fatalf("%d screenings computed for eight requests of one date, want 1", n)
			}
			ce.checkFresh(t)

			wzFood := ce.IDs[webtest.EntWanzhouFood]
			steps := []struct {
				name  string
				write func() error
				check func(t *testing.T, page candPage, funnel cultivationweb.APIFunnel)
			}{
				{"December report", func() error {
					var v report.Values
					v[report.Revenue], v[report.Employees] = 987_654_321, 300
					_, err := ce.Store.UpsertReports(ctx, []report.Monthly{{EnterpriseID: wzFood, Period: report.Period{Year: 2023, Month: 12}, Values: v}})
					return err
				}, func(t *testing.T, page candPage, _ cultivationweb.APIFunnel) {
					if c := candidate(page, wzFood); c == nil || c.RevenueFen != 987_654_321 {
						t.Errorf("the new December revenue is not shown: %+v", page.Items)
					}
				}},
				{"enterprise", func() error {
					_, err := ce.Store.UpsertEnterprises(ctx, []sqlstore.EnterpriseWithYear{{Enterprise: enterprise.Enterprise{
						CreditCode: webtest.CreditCode(t, "500101", 2), Name: "万州食品集团有限公司", RegionCode: "500101", IndustryCode: "1311",
						Founded: time.Date(2010, 5, 1, 0, 0, 0, 0, time.UTC), LandArea: 5000}}})
					return err
				}, func(t *testing.T, page candPage, _ cultivationweb.APIFunnel) {
					if c := candidate(page, wzFood); c == nil || c.Name != "万州食品集团有限公司" {
						t.Errorf("the new name is not shown: %+v", page.Items)
					}
				}},
				{"profile facts", func() error {
					_, err := ce.Store.PutProfileFacts(ctx, []cultivation.YearFacts{{EnterpriseID: ce.IDs[webtest.EntYuzhongElec], Year: 2023, Source: "test",
						Facts: cultivation.Facts{Honours: []string{}}}})
					return err
				}, func(t *testing.T, page candPage, _ cultivationweb.APIFunnel) {
					if page.Total != 1 || candidate(page, ce.IDs[webtest.EntYuzhongElec]) != nil {
						t.Errorf("渝中电子 without its honour is still a candidate: %+v", page.Items)
					}
				}},
				{"title", func() error {
					return ce.Store.PutTitles(ctx, []enterprise.Title{{EnterpriseID: wzFood, Kind: enterprise.TitleInnovativeSME, Level: enterprise.LevelProvincial,
						GrantedOn: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)}})
				}, func(t *testing.T, page candPage, funnel cultivationweb.APIFunnel) {
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
				g0, _ := ce.Store.ProfileGeneration(ctx)
				if err := st.write(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if g, _ := ce.Store.ProfileGeneration(ctx); g <= g0 {
					t.Fatalf("%s: generation %d after %d", st.name, g, g0)
				}
				var page candPage
				var funnel cultivationweb.APIFunnel
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
	ce := newCacheEnv(t, webtest.EngineDSNs(t)["sqlite"](t), cultivation.Options{})
	users := []string{"admin", "analyst", "wanzhou"}
	for _, u := range users {
		ce.Token(u) // sessions first: the fixture's token map is not for concurrent use
	}
	gate := make(chan struct{})
	ce.gate.Store(&gate)
	const n = 8
	bodies := make([]string, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// A query of its own per request: identical requests would
			// wait for one another in the web core's answer cache
			// before reaching the screening cache this test is about.
			res, body := ce.Do(webtest.Scenario{URL: fmt.Sprintf("/api/v1/cultivation/funnel?region=500101&request=%d", i), User: users[i%len(users)]})
			codes[i], bodies[i] = res.StatusCode, body
		})
	}
	// Hold the computation until every request waits for it (or, were
	// they not sharing it, until a second one starts).
	for ce.App.Cultivation.CacheWaiters(ce.asOf) < n && ce.computed.Load() < 2 {
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

// TestIncrementalScreeningEqualsFull: after each of a random sequence of
// writes (December reports, new firms, renamed and moved firms, yearly
// status, profile facts, titles), the screening the service brings up to
// date by re-screening only the changed firms equals a screening of every
// firm from the store, on both engines.
func TestIncrementalScreeningEqualsFull(t *testing.T) {
	for name, dsn := range webtest.EngineDSNs(t) {
		t.Run(name, func(t *testing.T) {
			ce := newCacheEnv(t, dsn(t), cultivation.Options{})
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(13, 2))
			regions := []string{"500101", "500103", "500104"}
			industries := []string{"3670", "1311", "3911"}
			var ids []int64
			for _, id := range ce.IDs {
				ids = append(ids, id)
			}
			serial := 100
			newFirm := func() sqlstore.EnterpriseWithYear {
				serial++
				r := regions[rng.IntN(len(regions))]
				return sqlstore.EnterpriseWithYear{Enterprise: enterprise.Enterprise{CreditCode: webtest.CreditCode(t, r, serial),
					Name: fmt.Sprintf("随机企业%d有限公司", serial), RegionCode: r, IndustryCode: industries[rng.IntN(len(industries))],
					Founded: time.Date(2005+rng.IntN(15), 3, 1, 0, 0, 0, 0, time.UTC), LandArea: unit.Mu100(1000 + rng.IntN(9000))},
					Year: &enterprise.Year{Year: 2023, AboveScale: true, Employees: 50 + rng.IntN(900), Revenue: unit.Fen(rng.Int64N(5e12)), Size: enterprise.SizeMedium}}
			}
			byID := func(id int64) enterprise.Enterprise {
				d, err := ce.Store.Enterprise(ctx, auth.All(), id)
				if err != nil {
					t.Fatal(err)
				}
				return d.Enterprise
			}
			// A first screening: the base every later one is patched from.
			ce.checkFresh(t)
			writes := []func() error{
				func() error { // new firms
					rows := []sqlstore.EnterpriseWithYear{newFirm(), newFirm()}
					if _, err := ce.Store.UpsertEnterprises(ctx, rows); err != nil {
						return err
					}
					all, err := ce.Store.EnterpriseIDs(ctx)
					for _, r := range rows {
						ids = append(ids, all[r.Enterprise.CreditCode])
					}
					return err
				},
				func() error { // December report
					var v report.Values
					v[report.Revenue], v[report.RDExpense], v[report.Employees] = rng.Int64N(3e12), rng.Int64N(2e11), int64(20+rng.IntN(2000))
					_, err := ce.Store.UpsertReports(ctx, []report.Monthly{{EnterpriseID: ids[rng.IntN(len(ids))], Period: report.Period{Year: 2023, Month: 12}, Values: v}})
					return err
				},
				func() error { // rename or move to another district or industry
					e := byID(ids[rng.IntN(len(ids))])
					e.Name += "集团"
					e.RegionCode, e.IndustryCode = regions[rng.IntN(len(regions))], industries[rng.IntN(len(industries))]
					_, err := ce.Store.UpsertEnterprises(ctx, []sqlstore.EnterpriseWithYear{{Enterprise: e}})
					return err
				},
				func() error { // yearly status
					e := byID(ids[rng.IntN(len(ids))])
					_, err := ce.Store.UpsertEnterprises(ctx, []sqlstore.EnterpriseWithYear{{Enterprise: e, Year: &enterprise.Year{Year: 2023,
						AboveScale: rng.IntN(2) == 0, Employees: 10 + rng.IntN(1000), Revenue: unit.Fen(rng.Int64N(5e12)), Size: enterprise.SizeSmall}}})
					return err
				},
				func() error { // profile facts
					f := cultivation.Facts{Honours: []string{}, NicheYears: rules.Ptr(int64(rng.IntN(12)))}
					if rng.IntN(2) == 0 {
						f.Honours = []string{"high_tech"}
						f.RDInstitution = rules.Ptr(rules.LevelProvincial)
					}
					_, err := ce.Store.PutProfileFacts(ctx, []cultivation.YearFacts{{EnterpriseID: ids[rng.IntN(len(ids))], Year: 2023, Source: "test", Facts: f}})
					return err
				},
				func() error { // a title granted
					kinds := []enterprise.TitleKind{enterprise.TitleInnovativeSME, enterprise.TitleSpecialized, enterprise.TitleGazelle}
					return ce.Store.PutTitles(ctx, []enterprise.Title{{EnterpriseID: ids[rng.IntN(len(ids))], Kind: kinds[rng.IntN(len(kinds))], Level: enterprise.LevelProvincial,
						GrantedOn: time.Date(2023, time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
				},
			}
			for step := range 40 {
				// One to three writes between two screenings.
				for range 1 + rng.IntN(3) {
					if err := writes[rng.IntN(len(writes))](); err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
				}
				ce.checkFresh(t)
			}
			// The screenings after the first were patches: the change log
			// named the firms (a write of every firm would say "all").
			gen, _ := ce.Store.ProfileGeneration(ctx)
			changed, all, err := ce.Store.ProfileChanges(ctx, gen-1, gen)
			if err != nil || all || len(changed) == 0 || len(changed) > 2 {
				t.Fatalf("last write's change log: %v all=%v err=%v", changed, all, err)
			}
		})
	}
}
