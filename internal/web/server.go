// Package web is the HTTP adapter: sessions and sign-in, CSRF protection,
// the JSON API under /api/v1 with its OpenAPI document, health and metrics
// endpoints, and (in the ui_* files) the server-rendered pages.
//
// Every data read passes the signed-in user's auth.Scope to the store or
// the statistics engine; the store turns it into SQL, so a handler cannot
// widen what a user sees.
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/metrics"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/web/anscache"
)

// Deps is what the server is built from. Store and Hasher are
// required; the rest have defaults.
type Deps struct {
	Store   *sqlstore.Store
	Hasher  *auth.Hasher
	Logger  *slog.Logger      // discarded when nil
	Metrics *metrics.Registry // a private registry when nil
	// Catalog renders messages in the request language. When nil, API
	// errors carry their message key as the message.
	Catalog *i18n.Catalog
	// SecureCookies marks the session cookie Secure; set it when the
	// server is reached over HTTPS.
	SecureCookies bool
	// Policy grants roles their permissions; the built-in roles.json when
	// nil.
	Policy *auth.Policy
	// Modules are the features' HTTP sides, in menu order (internal/app
	// lists them).
	Modules []ModuleFunc
	// Audit receives the audit trail's events; a trail over Store when
	// nil.
	Audit audit.Recorder
	// ClientIP says where client addresses come from (a trusted proxy's
	// header); the peer address when zero.
	ClientIP ClientIP
	// AccountPolicies are the account controls (passwords, lockout,
	// sessions, second factor); the built-in account_policy.json when nil.
	AccountPolicies auth.AccountPolicies
	// Now is the server's clock; time.Now when nil. Tests move it instead
	// of sleeping.
	Now func() time.Time
	// MetricsToken, when set, is required as "Authorization: Bearer …"
	// on /metrics, which is otherwise open (for a scraper on a private
	// network).
	MetricsToken string
	// AnswerCache bounds the cache of the answers of the routes marked
	// Route.Cached (answers.go).
	AnswerCache AnswerCacheOptions
}

// Server serves the platform over HTTP. Build it with New.
type Server struct {
	store   *sqlstore.Store
	hasher  *auth.Hasher
	log     *slog.Logger
	metrics *metrics.Registry
	catalog *i18n.Catalog
	secure  bool
	now     func() time.Time
	policy  *auth.Policy
	modules []Module
	audit   audit.Recorder
	ipConf  ClientIP

	accountPolicies auth.AccountPolicies
	metricsToken    string

	regions   *region.Catalogue
	dummyHash string // verified against for unknown usernames
	limiter   *loginLimiter

	http *metrics.HTTP

	// answers caches the answers of the routes marked Cached; nil when
	// turned off.
	answers *anscache.Cache

	openAPIDoc []byte // merged OpenAPI document, built once in New
	ui         *ui    // the pages, set by registerUI

	mux     *http.ServeMux
	api     []apiRoute // every API route, for the OpenAPI test
	handler http.Handler
}

// New builds a server and its routes.
func New(d Deps) (*Server, error) {
	if d.Store == nil || d.Hasher == nil {
		return nil, errors.New("web: Deps needs Store and Hasher")
	}
	s := &Server{
		store:   d.Store,
		hasher:  d.Hasher,
		log:     d.Logger,
		metrics: d.Metrics,
		catalog: d.Catalog,
		secure:  d.SecureCookies,
		now:     time.Now,
		audit:   d.Audit,
		ipConf:  d.ClientIP,
		limiter: newLoginLimiter(loginLimits{MaxFailures: 5, Window: 15 * time.Minute, MaxKeys: 10000}),
		answers: newAnswerCache(d.AnswerCache),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.metricsToken = d.MetricsToken
	if d.Now != nil {
		s.now = d.Now
	}
	if s.accountPolicies = d.AccountPolicies; s.accountPolicies == nil {
		var err error
		if s.accountPolicies, err = auth.BuiltinAccountPolicies(); err != nil {
			return nil, err
		}
	}
	if s.audit == nil {
		s.audit = audit.NewService(d.Store, audit.Options{})
	}
	if s.metrics == nil {
		s.metrics = metrics.NewRegistry()
	}
	var err error
	if s.policy = d.Policy; s.policy == nil {
		if s.policy, err = auth.BuiltinPolicy(); err != nil {
			return nil, err
		}
	}
	for _, mf := range d.Modules {
		m, err := mf(s)
		if err != nil {
			return nil, err
		}
		s.modules = append(s.modules, m)
	}
	if err := s.checkModules(s.modules); err != nil {
		return nil, err
	}
	if s.regions, err = region.Builtin(); err != nil {
		return nil, err
	}
	if s.openAPIDoc, err = buildOpenAPI(s.openAPIFragments()...); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	// Unknown usernames are verified against this hash so that a failed
	// sign-in costs the same argon2 work whether or not the account exists;
	// it is built, not computed, so starting costs no hash.
	s.dummyHash = s.hasher.DummyHash()
	s.http = metrics.NewHTTP(s.metrics)
	s.registerStoreMetrics()
	s.mux = http.NewServeMux()
	s.routes(s.mux)
	s.handler = s.middleware(s.mux)
	return s, nil
}

// Handler returns the root handler with every middleware applied.
func (s *Server) Handler() http.Handler { return s.handler }

// registerStoreMetrics exports the reader pool's statistics, read at
// scrape time.
func (s *Server) registerStoreMetrics() {
	m := s.metrics
	st := s.store
	m.GaugeFunc("ibrain_db_open_connections", "Open connections of the database reader pool.", func() float64 { return float64(st.Stats().OpenConnections) })
	m.GaugeFunc("ibrain_db_in_use_connections", "Connections of the reader pool in use.", func() float64 { return float64(st.Stats().InUse) })
	m.GaugeFunc("ibrain_db_idle_connections", "Idle connections of the reader pool.", func() float64 { return float64(st.Stats().Idle) })
	m.CounterFunc("ibrain_db_wait_count_total", "Times a query waited for a free reader connection.", func() float64 { return float64(st.Stats().WaitCount) })
	m.CounterFunc("ibrain_db_wait_duration_seconds_total", "Time spent waiting for a free reader connection.", func() float64 { return st.Stats().WaitDuration.Seconds() })
	if c := s.answers; c != nil {
		m.CounterFunc("ibrain_answer_cache_hits_total", "Answers served from the answer cache.", func() float64 { return float64(c.Stats().Hits) })
		m.CounterFunc("ibrain_answer_cache_shared_total", "Answers shared with concurrent requests for the same answer.", func() float64 { return float64(c.Stats().Shared) })
		m.CounterFunc("ibrain_answer_cache_computed_total", "Answers of cached routes computed by their handler.", func() float64 { return float64(c.Stats().Computed) })
		m.CounterFunc("ibrain_answer_cache_evicted_total", "Answers dropped from the answer cache for its bounds.", func() float64 { return float64(c.Stats().Evicted) })
		m.GaugeFunc("ibrain_answer_cache_entries", "Answers in the answer cache.", func() float64 { return float64(c.Stats().Entries) })
		m.GaugeFunc("ibrain_answer_cache_bytes", "Bytes of the answers in the answer cache.", func() float64 { return float64(c.Stats().Bytes) })
	}
}
