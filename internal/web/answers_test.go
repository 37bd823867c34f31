package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// The answer cache (answers.go) is checked against an oracle: a second
// server over the same store and app with the cache turned off. Whatever
// the order of requests, users and writes, the cached server must answer
// exactly as the uncached one.

// cachedPaths are cached routes over the fixture (status and body are
// compared, so a 403 for a role without the permission counts too).
var cachedPaths = []string{
	"/api/v1/stats/kpis?year=2024&month=6",
	"/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024",
	"/api/v1/stats/breakdown?by=region&year=2024&month=6",
	"/api/v1/stats/breakdown?by=cluster&year=2024&month=6",
	"/api/v1/stats/spans?span=ytd&a=2024-06&b=2023-06",
	"/api/v1/targets?year=2024",
	"/api/v1/scoreboard?year=2023",
	"/api/v1/goals?year=2024",
	"/api/v1/hardtech?year=2024",
	"/api/v1/listing/summary",
	"/api/v1/listing/years",
	"/api/v1/cultivation/funnel",
	"/api/v1/mujun/targets",
	"/api/v1/listing/firms",
	"/api/v1/enterprises?per_page=5",
	"/api/v1/enterprises?q=%E9%87%8D%E5%BA%86&per_page=5",
	"/api/v1/enterprises?region=500101&per_page=5",
	"/api/v1/listing/firms?stage=listed",
	"/api/v1/mujun/runs/1/enterprises?per_page=5",
	"/api/v1/mujun/runs/1/diff/2",
}

// oracle is a server with the answer cache off over env's store.
type oracle struct {
	env *webtest.Env
	h   http.Handler
}

func newOracle(t *testing.T, env *webtest.Env) *oracle {
	t.Helper()
	cat, err := app.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Deps{Store: env.Store, Hasher: auth.NewHasher(auth.TestParams, 4), Modules: env.App.WebModules(), Catalog: cat,
		AnswerCache: web.AnswerCacheOptions{MaxBytes: -1}})
	if err != nil {
		t.Fatal(err)
	}
	return &oracle{env: env, h: srv.Handler()}
}

// get asks h for path as user (sessions live in the shared store).
func (o *oracle) get(h http.Handler, user, path string) (int, string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "192.0.2.1:1234"
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: o.env.Token(user)})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

// check compares the cached server with the oracle on every path for
// every user, and returns the cached answers by user and path.
func (o *oracle) check(t *testing.T, users ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range cachedPaths {
		for _, u := range users {
			code, body := o.get(o.env.H, u, p)
			wantCode, want := o.get(o.h, u, p)
			if code != wantCode || body != want {
				t.Errorf("%s as %s: cached %d %.300s\nuncached %d %.300s", p, u, code, body, wantCode, want)
			}
			out[u+" "+p] = body
		}
	}
	return out
}

// TestAnswerCacheScopes: users of different scopes and roles, asking in
// turns, each get their own answer — a district official never the
// city's or another district's.
func TestAnswerCacheScopes(t *testing.T) {
	env := webtest.SQLite(t)
	o := newOracle(t, env)
	users := []string{"admin", "wanzhou", "yuzhong", "analyst", "tongji", "wanzhou", "admin", "yuzhong"}
	got := o.check(t, users...)
	o.check(t, users...)
	if st := env.Srv.AnswerCacheStats(); st.Hits == 0 || st.Entries == 0 {
		t.Fatalf("the cache served nothing (%+v): the comparison proves nothing", st)
	}
	kpis := "/api/v1/stats/kpis?year=2024&month=6"
	if got["admin "+kpis] == got["wanzhou "+kpis] || got["wanzhou "+kpis] == got["yuzhong "+kpis] {
		t.Fatalf("the fixture's city and district figures coincide; the scope check is void:\n%s\n%s", got["admin "+kpis], got["wanzhou "+kpis])
	}
}

// TestAnswerCacheWrites: a report imported and a firm edited, through the
// server's store or through a second store on the same database (another
// process: the command-line import next to the server), change the next
// answers.
func TestAnswerCacheWrites(t *testing.T) {
	for name, newDSN := range webtest.EngineDSNs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dsn := newDSN(t)
			env := webtest.New(t, dsn)
			o := newOracle(t, env)
			other, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { other.Close() })
			users := []string{"admin", "wanzhou"}
			before := o.check(t, users...)
			o.check(t, users...) // now from the cache
			hits := env.Srv.AnswerCacheStats().Hits
			if hits == 0 {
				t.Fatal("the cache served nothing")
			}

			// A report row: June 2024 of the 万州 car-parts firm, larger.
			var v report.Values
			for i := range v {
				v[i] = 987_654 * int64(unit.Wan)
			}
			v[report.Employees] = 300
			row := []report.Monthly{{EnterpriseID: env.IDs[webtest.EntWanzhouAuto], Period: report.Period{Year: 2024, Month: 6}, Values: v}}
			if _, err := env.Store.UpsertReports(ctx, row); err != nil {
				t.Fatal(err)
			}
			afterReport := o.check(t, users...)
			kpis := "/api/v1/stats/kpis?year=2024&month=6"
			for _, u := range users {
				if afterReport[u+" "+kpis] == before[u+" "+kpis] {
					t.Errorf("%s: the KPIs did not change after a report was imported: %.300s", u, before[u+" "+kpis])
				}
			}

			// The same firm's July report, written by another process.
			row[0].Period.Month = 7
			if _, err := other.UpsertReports(ctx, row); err != nil {
				t.Fatal(err)
			}
			trend := "/api/v1/stats/trend?indicator=IND_OUTPUT&year=2024"
			afterOther := o.check(t, users...)
			if afterOther["admin "+trend] == afterReport["admin "+trend] {
				t.Errorf("the trend did not change after another process imported July: %.300s", afterReport["admin "+trend])
			}

			// A firm edited by the other process: the food firm moves to 渝中.
			if _, err := other.UpsertEnterprises(ctx, []sqlstore.EnterpriseWithYear{{
				Enterprise: enterprise.Enterprise{CreditCode: webtest.CreditCode(t, "500101", 2), Name: webtest.NameWZFood, RegionCode: "500103",
					IndustryCode: "1311", Founded: time.Date(2010, 5, 1, 0, 0, 0, 0, time.UTC), LandArea: 5000},
				Year: &enterprise.Year{Year: 2024, AboveScale: true, Employees: 300, Revenue: 50_000 * unit.Wan, Size: enterprise.SizeMedium},
			}}); err != nil {
				t.Fatal(err)
			}
			afterEdit := o.check(t, users...)
			changed := 0
			for k, b := range afterEdit {
				if b != afterOther[k] {
					changed++
				}
			}
			if changed == 0 {
				t.Error("no answer changed after a firm moved district")
			}
		})
	}
}

// TestAnswerCacheComputesOnce: identical concurrent requests run the
// handler once; the others wait for it or find its answer cached.
func TestAnswerCacheComputesOnce(t *testing.T) {
	env := webtest.SQLite(t)
	o := newOracle(t, env)
	const n = 16
	path := "/api/v1/stats/breakdown?by=region&year=2024&month=6"
	_, want := o.get(o.h, "admin", path)
	before := env.Srv.AnswerCacheStats()
	var wg sync.WaitGroup
	bodies := make([]string, n)
	for i := range n {
		wg.Go(func() {
			code, body := o.get(env.H, "admin", path)
			bodies[i] = fmt.Sprint(code, " ", body)
		})
	}
	wg.Wait()
	for i, b := range bodies {
		if b != "200 "+want {
			t.Fatalf("request %d: %.300s, want 200 %.300s", i, b, want)
		}
	}
	after := env.Srv.AnswerCacheStats()
	if c := after.Computed - before.Computed; c != 1 {
		t.Errorf("%d identical requests computed the answer %d times, want 1 (%+v)", n, c, after)
	}
	if got := (after.Hits - before.Hits) + (after.Shared - before.Shared); got != n-1 {
		t.Errorf("hits + shared = %d, want %d", got, n-1)
	}
	if !strings.Contains(want, `"slices"`) {
		t.Fatalf("unexpected answer: %.300s", want)
	}
}
