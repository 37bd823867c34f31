// Package webtest is the test kit of the HTTP side: a real server, wired as
// the binary wires it (internal/app), over a real store in t.TempDir()
// (and on PostgreSQL when IBRAIN_TEST_POSTGRES is set), a small fixture
// written through the store's own methods, PocketBase-style HTTP
// scenarios, and a headless-chromium harness. Feature modules test their
// routes with it from their own packages.
package webtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
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

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/metrics"
	"github.com/industrybrain/ibrain/internal/refdata"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/testkit"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// testPostgresEnv names a postgres:// URL; when set, suites that use
// forEachTestEngine also run on PostgreSQL in a fresh database per test.
const PostgresEnv = "IBRAIN_TEST_POSTGRES"

// Env is a booted server with its fixture.
type Env struct {
	T      *testing.T
	Srv    *web.Server
	H      http.Handler
	Store  *sqlstore.Store
	App    *app.App
	IDs    map[string]int64 // enterprise label → id
	Users  map[string]int64 // username → id
	Log    *strings.Builder // the server's log
	tokens map[string]string
}

// EngineDSNs returns the DSNs to run on: SQLite in a temp dir, plus a
// fresh PostgreSQL database when configured.
func EngineDSNs(t *testing.T) map[string]func(t *testing.T) string {
	out := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "ibrain.db") },
	}
	if base := os.Getenv(PostgresEnv); base != "" {
		out["postgres"] = func(t *testing.T) string { return FreshPostgresDB(t, base) }
	}
	return out
}

// ForEachEngine runs fn with a booted server on every engine.
func ForEachEngine(t *testing.T, fn func(t *testing.T, env *Env)) {
	t.Helper()
	for name, dsn := range EngineDSNs(t) {
		t.Run(name, func(t *testing.T) { fn(t, New(t, dsn(t))) })
	}
}

// SQLite boots a server on a fresh SQLite database.
func SQLite(t *testing.T, opts ...func(*web.Deps)) *Env {
	return New(t, "sqlite:"+filepath.Join(t.TempDir(), "ibrain.db"), opts...)
}

// FreshPostgresDB creates a database with a random name on the server of
// base and drops it when the test ends.
func FreshPostgresDB(t *testing.T, base string) string {
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
	EntWanzhouAuto = "wz-auto"
	EntWanzhouFood = "wz-food"
	EntYuzhongElec = "yz-elec"
)

// Fixture firm names; the 渝中 one is what scope tests look for in
// responses they must not appear in.
const (
	NameWZAuto = "万州汽车零部件有限公司"
	NameWZFood = "万州食品加工有限公司"
	NameYZElec = "渝中电子信息有限公司"
)

// fixtureName is a fixture firm's name by label.
func fixtureName(label string) string {
	return map[string]string{EntWanzhouAuto: NameWZAuto, EntWanzhouFood: NameWZFood, EntYuzhongElec: NameYZElec}[label]
}

// FixturePassword is every fixture account's password.
const FixturePassword = "correct horse battery"

// New boots a server on a migrated store with reference data and the
// fixture, wired with every feature module as the binary is; opts adjust
// the Deps before web.New.
func New(t *testing.T, dsn string, opts ...func(*web.Deps)) *Env {
	t.Helper()
	return NewWith(t, dsn, app.Options{}, opts...)
}

// NewWith is New with the app's services tuned by ao.
func NewWith(t *testing.T, dsn string, ao app.Options, opts ...func(*web.Deps)) *Env {
	t.Helper()
	ctx := context.Background()
	// A new SQLite file starts as a copy of the migrated database with the
	// reference data that testkit builds once per test binary; other
	// databases are migrated and synced here.
	prepared := false
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			testkit.SQLiteAt(t, path)
			prepared = true
		}
	}
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ref, err := refdata.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if !prepared {
		if err := testkit.Prepare(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := app.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	logBuf := &strings.Builder{}
	hasher := auth.NewHasher(auth.TestParams, 4)
	a := app.NewWith(st, ref, nil, ao)
	deps := web.Deps{
		Store: st, Hasher: hasher, Modules: a.WebModules(),
		Logger:  slog.New(slog.NewTextHandler(&lockedWriter{w: logBuf}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: metrics.NewRegistry(), Catalog: cat,
	}
	for _, o := range opts {
		o(&deps)
	}
	srv, err := web.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	// Every API response a test receives is checked against the OpenAPI
	// document the server serves (schema.go).
	v, err := apiValidator(srv)
	if err != nil {
		t.Fatal(err)
	}
	noteRoutes(srv.RouteTable())
	env := &Env{T: t, Srv: srv, H: SchemaChecked(srv.Handler(), v, t.Errorf), Store: st, App: a, IDs: map[string]int64{}, Users: map[string]int64{}, tokens: map[string]string{}, Log: logBuf}
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

// CreditCode builds a valid credit code in region with serial n.
func CreditCode(t *testing.T, region string, n int) string {
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
func (env *Env) seed(ctx context.Context, hasher *auth.Hasher) {
	t := env.T
	type firm struct {
		label, region, industry string
		serial                  int
	}
	firms := []firm{
		{EntWanzhouAuto, "500101", "3670", 1},
		{EntWanzhouFood, "500101", "1311", 2},
		{EntYuzhongElec, "500103", "3911", 3},
	}
	var rows []sqlstore.EnterpriseWithYear
	for _, f := range firms {
		for _, y := range []int{2023, 2024} {
			rows = append(rows, sqlstore.EnterpriseWithYear{
				Enterprise: enterprise.Enterprise{CreditCode: CreditCode(t, f.region, f.serial), Name: fixtureName(f.label), RegionCode: f.region,
					IndustryCode: f.industry, Founded: time.Date(2010, 5, 1, 0, 0, 0, 0, time.UTC), LandArea: 5000},
				Year: &enterprise.Year{Year: y, AboveScale: true, Employees: 300, Revenue: 50_000 * unit.Wan, Size: enterprise.SizeMedium},
			})
		}
	}
	if _, err := env.Store.UpsertEnterprises(ctx, rows); err != nil {
		t.Fatalf("UpsertEnterprises: %v", err)
	}
	ids, err := env.Store.EnterpriseIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range firms {
		env.IDs[f.label] = ids[CreditCode(t, f.region, f.serial)]
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
				reps = append(reps, report.Monthly{EnterpriseID: env.IDs[f.label], Period: report.Period{Year: p.year, Month: m}, Values: v})
			}
		}
	}
	// March 2024 of the food firm is missing, so April's single month is
	// unknown there.
	kept := reps[:0]
	for _, r := range reps {
		if !(r.EnterpriseID == env.IDs[EntWanzhouFood] && r.Period == (report.Period{Year: 2024, Month: 3})) {
			kept = append(kept, r)
		}
	}
	if _, err := env.Store.UpsertReports(ctx, kept); err != nil {
		t.Fatalf("UpsertReports: %v", err)
	}
	if err := env.Store.PutTargets(ctx, []target.Target{
		{IndicatorCode: "IND_OUTPUT", ScopeKind: target.ScopeCity, Year: 2024, Comparator: target.AtLeast, Value: 1, Source: "test city"},
		{IndicatorCode: "IND_OUTPUT", ScopeKind: target.ScopeRegion, ScopeCode: "500101", Year: 2024, Comparator: target.AtLeast, Value: 0.5, Source: "test wanzhou"},
		{IndicatorCode: "IND_OUTPUT", ScopeKind: target.ScopeRegion, ScopeCode: "500103", Year: 2024, Comparator: target.AtLeast, Value: 0.5, Source: "test yuzhong"},
	}); err != nil {
		t.Fatalf("PutTargets: %v", err)
	}
	hash, err := hasher.Hash(ctx, FixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []auth.User{
		{Username: "admin", Role: auth.RoleCityAdmin},
		{Username: "analyst", Role: auth.RoleCityAnalyst},
		{Username: "wanzhou", Role: auth.RoleDistrict, RegionCode: "500101"},
		{Username: "yuzhong", Role: auth.RoleDistrict, RegionCode: "500103"},
		{Username: "firm", Role: auth.RoleEnterprise, EnterpriseID: env.IDs[EntWanzhouAuto]},
		{Username: "tongji", Role: auth.RoleDepartment, Department: "市统计局"},
		{Username: "keji", Role: auth.RoleDepartment, Department: "市科技局"},
		{Username: "gone", Role: auth.RoleCityAdmin, Disabled: true},
		{Username: "sysadmin", Role: auth.RoleSysAdmin},
		{Username: "secadmin", Role: auth.RoleSecAdmin},
		{Username: "auditor", Role: auth.RoleAuditAdmin},
	} {
		u.DisplayName, u.PasswordHash = u.Username, hash
		id, err := env.Store.CreateUser(ctx, u)
		if err != nil {
			t.Fatalf("CreateUser %s: %v", u.Username, err)
		}
		env.Users[u.Username] = id
	}
}

// Token returns a session token for a fixture user.
func (env *Env) Token(username string) string {
	env.T.Helper()
	if tok, ok := env.tokens[username]; ok {
		return tok
	}
	id, ok := env.Users[username]
	if !ok {
		env.T.Fatalf("no fixture user %q", username)
	}
	tok, _, err := env.Srv.NewSession(context.Background(), id)
	if err != nil {
		env.T.Fatal(err)
	}
	env.tokens[username] = tok
	return tok
}

// Expand replaces {wz-auto}-style labels in s with enterprise ids.
func (env *Env) Expand(s string) string {
	for label, id := range env.IDs {
		s = strings.ReplaceAll(s, "{"+label+"}", fmt.Sprint(id))
	}
	return s
}

// Scenario is one HTTP request and what its answer must (not) contain.
type Scenario struct {
	Name            string
	Method          string
	URL             string // {label} is replaced by the fixture enterprise id
	User            string // fixture username; "" for anonymous
	Bearer          bool   // send the token as a bearer token instead of the cookie
	Body            string
	ContentType     string
	Headers         map[string]string
	WantStatus      int
	WantContains    []string
	WantNotContains []string
	WantHeader      map[string]string // header → substring
}

// Do performs sc and returns the response with its body read.
func (env *Env) Do(sc Scenario) (*http.Response, string) {
	env.T.Helper()
	method := sc.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if sc.Body != "" {
		body = strings.NewReader(env.Expand(sc.Body))
	}
	req := httptest.NewRequest(method, env.Expand(sc.URL), body)
	req.RemoteAddr = "192.0.2.1:1234"
	if sc.ContentType != "" {
		req.Header.Set("Content-Type", sc.ContentType)
	}
	for k, v := range sc.Headers {
		req.Header.Set(k, v)
	}
	if sc.User != "" {
		tok := env.Token(sc.User)
		if sc.Bearer {
			req.Header.Set("Authorization", "Bearer "+tok)
		} else {
			req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: tok})
		}
	}
	rec := httptest.NewRecorder()
	env.H.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// Run runs scenarios as subtests.
func (env *Env) Run(t *testing.T, scs []Scenario) {
	t.Helper()
	for _, sc := range scs {
		t.Run(sc.Name, func(t *testing.T) {
			res, body := env.Do(sc)
			if res.StatusCode != sc.WantStatus {
				t.Errorf("%s %s as %q: status %d, want %d; body: %.400s", sc.Method, sc.URL, sc.User, res.StatusCode, sc.WantStatus, body)
			}
			for _, want := range sc.WantContains {
				if !strings.Contains(body, env.Expand(want)) {
					t.Errorf("body lacks %q: %.600s", env.Expand(want), body)
				}
			}
			for _, bad := range sc.WantNotContains {
				if strings.Contains(body, env.Expand(bad)) {
					t.Errorf("body contains %q: %.600s", env.Expand(bad), body)
				}
			}
			for h, want := range sc.WantHeader {
				if got := strings.Join(res.Header.Values(h), "\n"); !strings.Contains(got, want) {
					t.Errorf("header %s = %q, want it to contain %q", h, got, want)
				}
			}
		})
	}
}
