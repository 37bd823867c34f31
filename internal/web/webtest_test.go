package web

// Test helpers: a real Server over a real store in t.TempDir() (and on
// PostgreSQL when IBRAIN_TEST_POSTGRES is set), a small fixture built
// through the store's own write methods, and PocketBase-style HTTP
// scenarios.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/metrics"
	"github.com/industrybrain/ibrain/internal/refdata"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/unit"
)

// testPostgresEnv names a postgres:// URL; when set, suites that use
// forEachTestEngine also run on PostgreSQL in a fresh database per test.
const testPostgresEnv = "IBRAIN_TEST_POSTGRES"

// testEnv is a booted server with its fixture.
type testEnv struct {
	t      *testing.T
	srv    *Server
	h      http.Handler
	store  *sqlstore.Store
	ids    map[string]int64  // enterprise label → id
	users  map[string]int64  // username → id
	tokens map[string]string // username → session token (created lazily)
	log    *strings.Builder
}

// testEngineDSNs returns the DSNs to run on: SQLite in a temp dir, plus a
// fresh PostgreSQL database when configured.
func testEngineDSNs(t *testing.T) map[string]func(t *testing.T) string {
	out := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "ibrain.db") },
	}
	if base := os.Getenv(testPostgresEnv); base != "" {
		out["postgres"] = func(t *testing.T) string { return freshPostgresDB(t, base) }
	}
	return out
}

// forEachTestEngine runs fn with a booted server on every engine.
func forEachTestEngine(t *testing.T, fn func(t *testing.T, env *testEnv)) {
	t.Helper()
	for name, dsn := range testEngineDSNs(t) {
		t.Run(name, func(t *testing.T) { fn(t, newTestEnv(t, dsn(t))) })
	}
}

// freshPostgresDB creates a database with a random name on the server of
// base and drops it when the test ends.
func freshPostgresDB(t *testing.T, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "ibrain_webtest_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Fixture labels. Two firms in 万州 (500101), one in 渝中 (500103).
const (
	entWanzhouAuto = "wz-auto"
	entWanzhouFood = "wz-food"
	entYuzhongElec = "yz-elec"
)

// Fixture firm names; the 渝中 one is what scope tests look for in
// responses they must not appear in.
var fixtureNames = map[string]string{
	entWanzhouAuto: "万州汽车零部件有限公司",
	entWanzhouFood: "万州食品加工有限公司",
	entYuzhongElec: "渝中电子信息有限公司",
}

// fixturePassword is every fixture account's password.
const fixturePassword = "correct horse battery"

// newTestEnv boots a server on a migrated store with reference data and
// the fixture; opts adjust the Deps before New.
func newTestEnv(t *testing.T, dsn string, opts ...func(*Deps)) *testEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ref, err := refdata.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if err := refdata.Sync(ctx, st, ref); err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load(testCatalogExtras()...)
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &strings.Builder{}
	hasher := auth.NewHasher(auth.TestParams, 4)
	deps := Deps{
		Store: st, Stats: stats.NewEngine(st, ref.Indicators), Hasher: hasher,
		Logger:  slog.New(slog.NewTextHandler(&lockedWriter{w: logBuf}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: metrics.NewRegistry(), Catalog: cat,
	}
	for _, o := range opts {
		o(&deps)
	}
	srv, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	// Every API response a test receives is checked against the OpenAPI
	// document (apischema_hook_test.go).
	v, err := apiValidator(srv)
	if err != nil {
		t.Fatal(err)
	}
	noteRoutes(srv.api)
	env := &testEnv{t: t, srv: srv, h: schemaChecked(srv.Handler(), v, t.Errorf), store: st, ids: map[string]int64{}, users: map[string]int64{}, tokens: map[string]string{}, log: logBuf}
	env.seed(ctx, hasher)
	return env
}

// lockedWriter serialises log writes from concurrent handlers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// testCatalogExtras are the message sets merged into the test catalogue,
// as the serve command does.
func testCatalogExtras() []map[string][2]string {
	return []map[string][2]string{Messages(), importer.Messages()}
}

// testCreditCode builds a valid credit code in region with serial n.
func testCreditCode(t *testing.T, region string, n int) string {
	t.Helper()
	body := fmt.Sprintf("MA%06d", n)
	oc, ok := creditcode.OrgCheckChar(body)
	if !ok {
		t.Fatalf("org check char for %s", body)
	}
	first := "91" + region + body + string(oc)
	cc, err := creditcode.CheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(cc)
}

// seed writes three firms with 2023 and 2024 status and reports, a city
// and a district target, and one account per role.
func (env *testEnv) seed(ctx context.Context, hasher *auth.Hasher) {
	t := env.t
	type firm struct {
		label, region, industry string
		serial                  int
	}
	firms := []firm{
		{entWanzhouAuto, "500101", "3670", 1},
		{entWanzhouFood, "500101", "1311", 2},
		{entYuzhongElec, "500103", "3911", 3},
	}
	var rows []sqlstore.EnterpriseWithYear
	for _, f := range firms {
		for _, y := range []int{2023, 2024} {
			rows = append(rows, sqlstore.EnterpriseWithYear{
				Enterprise: enterprise.Enterprise{CreditCode: testCreditCode(t, f.region, f.serial), Name: fixtureNames[f.label], RegionCode: f.region,
					IndustryCode: f.industry, Founded: time.Date(2010, 5, 1, 0, 0, 0, 0, time.UTC), LandArea: 5000},
				Year: &enterprise.Year{Year: y, AboveScale: true, Employees: 300, Revenue: 50_000 * unit.Wan, Size: enterprise.SizeMedium},
			})
		}
	}
	if _, err := env.store.UpsertEnterprises(ctx, rows); err != nil {
		t.Fatalf("UpsertEnterprises: %v", err)
	}
	ids, err := env.store.EnterpriseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range firms {
		env.ids[f.label] = ids[testCreditCode(t, f.region, f.serial)]
	}
	var reps []report.Monthly
	for i, f := range firms {
		for _, p := range []struct{ year, last int }{{2023, 12}, {2024, 6}} {
			for m := 2; m <= p.last; m++ {
				var v report.Values
				// Cumulative values grow each month, 2024 10% above 2023.
				scale := int64(100 + 10*(p.year-2023))
				for fi := range v {
					v[fi] = int64(m) * int64(i+1) * 1000 * int64(unit.Wan) / 100 * scale / 100
				}
				v[report.Employees] = 300
				reps = append(reps, report.Monthly{EnterpriseID: env.ids[f.label], Period: report.Period{Year: p.year, Month: m}, Values: v})
			}
		}
	}
	// March 2024 of the food firm is missing, so April's single month is
	// unknown there.
	kept := reps[:0]
	for _, r := range reps {
		if !(r.EnterpriseID == env.ids[entWanzhouFood] && r.Period == (report.Period{Year: 2024, Month: 3})) {
			kept = append(kept, r)
		}
	}
	if _, err := env.store.UpsertReports(ctx, kept); err != nil {
		t.Fatalf("UpsertReports: %v", err)
	}
	if err := env.store.PutTargets(ctx, []target.Target{
		{IndicatorCode: "IND_OUTPUT", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 1, Source: "test city"},
		{IndicatorCode: "IND_OUTPUT", ScopeKind: target.ScopeRegion, ScopeCode: "500101", Year: 2024, Comparator: target.AtLeast, Value: 0.5, Source: "test wanzhou"},
		{IndicatorCode: "IND_OUTPUT", ScopeKind: target.ScopeRegion, ScopeCode: "500103", Year: 2024, Comparator: target.AtLeast, Value: 0.5, Source: "test yuzhong"},
	}); err != nil {
		t.Fatalf("PutTargets: %v", err)
	}
	hash, err := hasher.Hash(ctx, fixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []auth.User{
		{Username: "admin", Role: auth.RoleCityAdmin},
		{Username: "analyst", Role: auth.RoleCityAnalyst},
		{Username: "wanzhou", Role: auth.RoleDistrict, RegionCode: "500101"},
		{Username: "yuzhong", Role: auth.RoleDistrict, RegionCode: "500103"},
		{Username: "firm", Role: auth.RoleEnterprise, EnterpriseID: env.ids[entWanzhouAuto]},
		{Username: "gone", Role: auth.RoleCityAdmin, Disabled: true},
	} {
		u.DisplayName, u.PasswordHash = u.Username, hash
		id, err := env.store.CreateUser(ctx, u)
		if err != nil {
			t.Fatalf("CreateUser %s: %v", u.Username, err)
		}
		env.users[u.Username] = id
	}
}

// token returns a session token for a fixture user.
func (env *testEnv) token(username string) string {
	env.t.Helper()
	if tok, ok := env.tokens[username]; ok {
		return tok
	}
	id, ok := env.users[username]
	if !ok {
		env.t.Fatalf("no fixture user %q", username)
	}
	tok, _, err := env.srv.NewSession(context.Background(), id)
	if err != nil {
		env.t.Fatal(err)
	}
	env.tokens[username] = tok
	return tok
}

// expand replaces {wz-auto}-style labels in s with enterprise ids.
func (env *testEnv) expand(s string) string {
	for label, id := range env.ids {
		s = strings.ReplaceAll(s, "{"+label+"}", fmt.Sprint(id))
	}
	return s
}

// scenario is one HTTP request and what its answer must (not) contain.
type scenario struct {
	name            string
	method          string
	url             string // {label} is replaced by the fixture enterprise id
	user            string // fixture username; "" for anonymous
	bearer          bool   // send the token as a bearer token instead of the cookie
	body            string
	contentType     string
	headers         map[string]string
	wantStatus      int
	wantContains    []string
	wantNotContains []string
	wantHeader      map[string]string // header → substring
}

// do performs sc and returns the response with its body read.
func (env *testEnv) do(sc scenario) (*http.Response, string) {
	env.t.Helper()
	method := sc.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if sc.body != "" {
		body = strings.NewReader(env.expand(sc.body))
	}
	req := httptest.NewRequest(method, env.expand(sc.url), body)
	req.RemoteAddr = "192.0.2.1:1234"
	if sc.contentType != "" {
		req.Header.Set("Content-Type", sc.contentType)
	}
	for k, v := range sc.headers {
		req.Header.Set(k, v)
	}
	if sc.user != "" {
		tok := env.token(sc.user)
		if sc.bearer {
			req.Header.Set("Authorization", "Bearer "+tok)
		} else {
			req.AddCookie(&http.Cookie{Name: SessionCookie, Value: tok})
		}
	}
	rec := httptest.NewRecorder()
	env.h.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// run runs scenarios as subtests.
func (env *testEnv) run(t *testing.T, scs []scenario) {
	t.Helper()
	for _, sc := range scs {
		t.Run(sc.name, func(t *testing.T) {
			res, body := env.do(sc)
			if res.StatusCode != sc.wantStatus {
				t.Errorf("%s %s as %q: status %d, want %d; body: %.400s", sc.method, sc.url, sc.user, res.StatusCode, sc.wantStatus, body)
			}
			for _, want := range sc.wantContains {
				if !strings.Contains(body, env.expand(want)) {
					t.Errorf("body lacks %q: %.600s", env.expand(want), body)
				}
			}
			for _, bad := range sc.wantNotContains {
				if strings.Contains(body, env.expand(bad)) {
					t.Errorf("body contains %q: %.600s", env.expand(bad), body)
				}
			}
			for h, want := range sc.wantHeader {
				if got := strings.Join(res.Header.Values(h), "\n"); !strings.Contains(got, want) {
					t.Errorf("header %s = %q, want it to contain %q", h, got, want)
				}
			}
		})
	}
}
