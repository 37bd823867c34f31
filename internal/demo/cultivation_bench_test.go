package demo

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/refdata"
	"github.com/industrybrain/ibrain/internal/rules"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/web"
)

// BenchmarkCultivationScreen measures the cultivation screening on the demo
// dataset (scale 1, about 9,000 firms existing in 2024; loading it takes
// 10–30 s before the timers start):
//
//   - store, profiles+evaluate, total: what computing a city-wide screening
//     costs (read every enterprise's raw facts in five queries, build the
//     profiles, evaluate every firm for every tier): once per assessment
//     date and data generation;
//
//   - request-*: whole HTTP requests to a server, signed in, reusing the
//     cached screening (the funnel, a candidate page, the /cultivation page,
//     a district's funnel), one enterprise's eligibility page, and a funnel
//     request right after a profile write (recomputed).
//
//     go test ./internal/demo/ -run '^$' -bench CultivationScreen -benchtime 10x
//
// IBRAIN_BENCH_DB=sqlite:PATH runs it on an existing demo database instead
// (e.g. one made by `ibrain demo --scale 10`; the benchmark writes a profile
// row for the year 2000 into it).
func BenchmarkCultivationScreen(b *testing.B) {
	ctx := context.Background()
	dsn, existing := os.LookupEnv("IBRAIN_BENCH_DB")
	if !existing {
		dsn = "sqlite:" + filepath.Join(b.TempDir(), "demo.db")
	}
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	ref, err := refdata.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	if !existing {
		if err := refdata.Sync(ctx, st, ref); err != nil {
			b.Fatal(err)
		}
		if _, err := Load(ctx, st, Options{Seed: 1, Scale: 1}); err != nil {
			b.Fatal(err)
		}
	}
	reg, err := rules.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	asOf := CultivationAsOf
	from, to := cultivation.ProfileYears(asOf)
	q := cultivation.ProfileQuery{FromYear: from, ToYear: to}
	raws, err := st.ProfileRaws(ctx, auth.All(), q) // for the sub-benchmarks run alone
	if err != nil {
		b.Fatal(err)
	}
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if raws, err = st.ProfileRaws(ctx, auth.All(), q); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(raws)), "firms")
	})
	b.Run("profiles+evaluate", func(b *testing.B) {
		for b.Loop() {
			if _, err := cultivation.Screen(reg, cultivation.Subjects(raws, asOf), asOf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(raws)*len(cultivation.Tiers())), "evaluations")
	})
	b.Run("total", func(b *testing.B) {
		for b.Loop() {
			rs, err := st.ProfileRaws(ctx, auth.All(), q)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cultivation.Screen(reg, cultivation.Subjects(rs, asOf), asOf); err != nil {
				b.Fatal(err)
			}
		}
	})

	// A server with a signed-in city administrator.
	catalog, err := app.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	hasher := auth.NewHasher(auth.TestParams, 2)
	var computed atomic.Int64
	a := app.NewWith(st, ref, nil, app.Options{Cultivation: cultivation.Options{Rules: reg, OnScreen: func(time.Time, int64) { computed.Add(1) }}})
	srv, err := web.New(web.Deps{Store: st, Hasher: hasher, Catalog: catalog, Modules: a.WebModules()})
	if err != nil {
		b.Fatal(err)
	}
	hash, err := hasher.Hash(ctx, "benchmark password")
	if err != nil {
		b.Fatal(err)
	}
	uid, err := st.CreateUser(ctx, auth.User{Username: fmt.Sprintf("bench_admin_%d", time.Now().UnixNano()), DisplayName: "基准测试", PasswordHash: hash, Role: auth.RoleCityAdmin})
	if err != nil {
		b.Fatal(err)
	}
	tok, _, err := srv.NewSession(ctx, uid)
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	get := func(b *testing.B, url string) {
		req := httptest.NewRequest(http.MethodGet, url, nil)
		req.RemoteAddr = "192.0.2.1:1234"
		req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			body, _ := io.ReadAll(rec.Body)
			b.Fatalf("%s: %d %.300s", url, rec.Code, body)
		}
	}
	date := "?date=" + asOf.Format("2006-01-02")
	get(b, "/api/v1/cultivation/funnel"+date) // computes the screening once
	for _, c := range []struct{ name, url string }{
		{"request-funnel-cached", "/api/v1/cultivation/funnel" + date},
		{"request-candidates-cached", "/api/v1/cultivation/candidates" + date + "&title=specialized_sme&per_page=50"},
		{"request-page-cached", "/cultivation" + date},
		{"request-district-funnel-cached", "/api/v1/cultivation/funnel" + date + "&region=500112"},
		{"request-eligibility-page", fmt.Sprintf("/enterprises/%d/eligibility%s", raws[len(raws)/2].Enterprise.ID, date)},
		{"request-eligibility-api", fmt.Sprintf("/api/v1/enterprises/%d/eligibility%s", raws[len(raws)/2].Enterprise.ID, date)},
	} {
		b.Run(c.name, func(b *testing.B) {
			before := computed.Load()
			for b.Loop() {
				get(b, c.url)
			}
			if n := computed.Load() - before; n != 0 {
				b.Fatalf("%d screenings computed by cached requests", n)
			}
		})
	}
	// After a write the next request brings the screening up to date: it
	// re-screens the firms the change log names (here one). The first
	// measures the write and the request, the second the request alone:
	// the first cultivation view after a one-firm change.
	firm := raws[0].Enterprise.ID
	b.Run("request-funnel-after-one-firm-change", func(b *testing.B) {
		var debt int64 = 5000
		for b.Loop() {
			b.StopTimer()
			debt = debt%9000 + 1
			if _, err := st.PutProfileFacts(ctx, []cultivation.YearFacts{{EnterpriseID: firm, Year: 2000, Source: "benchmark",
				Facts: cultivation.Facts{DebtRatio: &debt}}}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			get(b, "/api/v1/cultivation/funnel"+date)
		}
	})
	b.Run("request-funnel-after-write", func(b *testing.B) {
		before := computed.Load()
		var debt int64
		for b.Loop() {
			debt++
			if _, err := st.PutProfileFacts(ctx, []cultivation.YearFacts{{EnterpriseID: firm, Year: 2000, Source: "benchmark",
				Facts: cultivation.Facts{DebtRatio: &debt}}}); err != nil {
				b.Fatal(err)
			}
			get(b, "/api/v1/cultivation/funnel"+date)
		}
		if n := computed.Load() - before; n != int64(b.N) {
			b.Fatalf("%d screenings for %d writes", n, b.N)
		}
	})
}
