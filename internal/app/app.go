// Package app wires the platform together: configuration, the store, the
// reference catalogues and the statistics engine. Every command of the
// ibrain binary starts from Open.
package app

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"os"

	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/cockpit"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/federation/federationweb"
	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/hardtech"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/notify"
	"github.com/industrybrain/ibrain/internal/notify/mailer"
	"github.com/industrybrain/ibrain/internal/refdata"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/sso"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/tasks"
)

// DefaultDB is the embedded database used when no DSN is configured.
const DefaultDB = "sqlite:data/ibrain.db"

// DefaultAddr is the listen address used when none is configured.
const DefaultAddr = "127.0.0.1:8080"

// Config is what every command needs to reach the data.
type Config struct {
	DB     string // sqlite:PATH or postgres:// URL
	Logger *slog.Logger
	// MaxImports caps the imports one server runs at once; the rest are
	// answered 429 (imports.DefaultLimits when ≤ 0).
	MaxImports int
	// SSOConfig is the path of the single sign-on configuration (JSON,
	// see README); none when empty.
	SSOConfig string
	// InstrumentFiles is the directory of the instruments' photos and
	// documents; in the database when empty.
	InstrumentFiles string
	// SMTP is the mail server notifications are sent through; no mail
	// when its Addr is empty.
	SMTP mailer.Config
	// AuditKeyFile is the audit trail's HMAC key file (audit.LoadKey);
	// without one the chain is plain SHA-256.
	AuditKeyFile string
	// FederationConfig is the path of the federation configuration
	// (JSON, see README); not federated when empty.
	FederationConfig string
	// PageCache is the SQLite page cache of all connections together, in
	// bytes; sqlstore.DefaultPageCache when zero.
	PageCache int64
}

// FromEnv returns the environment's value for key, or def.
func FromEnv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// App is an opened platform: migrated store, synced reference data and a
// statistics engine over them.
type App struct {
	Store *sqlstore.Store
	Ref   *refdata.Catalogues
	Stats *stats.Engine
	Log   *slog.Logger

	// The features' services, shared by the CLI, the pages and the API.
	Listing     *listing.Service
	Cockpit     *cockpit.Service
	Cultivation *cultivation.Service
	Registry    *registry.Service
	Goals       *goals.Service
	Hardtech    *hardtech.Service
	Mujun       *mujun.Service
	Imports     *imports.Service
	Tasks       *tasks.Service
	Reporting   *reporting.Service
	// Audit is the audit trail, shared by the web core's hooks, the CLI
	// and other modules (which record through its audit.Recorder side).
	Audit *audit.Service
	// SSO resolves single sign-on identities to accounts.
	SSO *sso.Service
	// Instruments is the large-instrument sharing marketplace.
	Instruments *instruments.Service
	// Notify is the in-app inbox; Mail sends its outbox (nil: no mail
	// configured).
	Notify *notify.Service
	Mail   *mailer.Mailer
	// Federation joins this instance to its peers (川渝); disabled
	// without a configuration.
	Federation *federation.Service
	// Digital is the digital-transformation module (issue 11).
	Digital *digital.Service
}

// Options tune the services New builds; the zero value is the binary's.
type Options struct {
	Cultivation cultivation.Options // rule sets and the screening cache
	Imports     imports.Limits      // imports running at once
	SSO         sso.Config          // single sign-on providers; none when zero
	Instruments instruments.Options // the marketplace's clock, prefix and file directory
	AuditKey    []byte              // the audit chain's HMAC key; plain SHA-256 when nil
	Federation  FederationOptions   // the federation; not federated when zero
}

// FederationOptions configure the federation.
type FederationOptions struct {
	Config    federation.Config
	Key       ed25519.PrivateKey
	Transport federation.Transport // federationweb's HTTP transport when nil
}

// Open connects, migrates and syncs reference data.
func Open(ctx context.Context, cfg Config) (*App, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	st, err := sqlstore.Open(ctx, cfg.DB, sqlstore.Options{PageCache: cfg.PageCache})
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrated database", "versions", applied, "engine", st.Engine())
	}
	ref, err := refdata.Builtin()
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("reference data: %w", err)
	}
	if err := refdata.Sync(ctx, st, ref); err != nil {
		st.Close()
		return nil, fmt.Errorf("reference data: %w", err)
	}
	// Every bureau's task table reaches the target table on start, not
	// only through the demo; a table is rewritten only when its version
	// or content changed.
	synced, err := st.SyncTaskTables(ctx, ref.TaskTables.Syncs())
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("task tables: %w", err)
	}
	if len(synced) > 0 {
		log.Info("synced task tables", "tables", synced, "version", ref.TaskTables.Version)
	}
	if err := st.SeedMujunBuiltins(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("mujun configurations: %w", err)
	}
	opts := Options{Imports: imports.Limits{MaxConcurrent: cfg.MaxImports}, Instruments: instruments.Options{FileDir: cfg.InstrumentFiles}}
	if cfg.AuditKeyFile != "" {
		if opts.AuditKey, err = audit.LoadKey(cfg.AuditKeyFile); err != nil {
			st.Close()
			return nil, err
		}
	}
	if cfg.SSOConfig != "" {
		data, err := os.ReadFile(cfg.SSOConfig)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("single sign-on: %w", err)
		}
		if opts.SSO, err = sso.ParseConfig(data); err != nil {
			st.Close()
			return nil, err
		}
	}
	if cfg.FederationConfig != "" {
		data, err := os.ReadFile(cfg.FederationConfig)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("federation: %w", err)
		}
		if opts.Federation.Config, opts.Federation.Key, err = federation.ParseConfig(data, os.ReadFile); err != nil {
			st.Close()
			return nil, err
		}
	}
	a := NewWith(st, ref, log, opts)
	if cfg.SMTP.Addr != "" {
		if a.Mail, err = mailer.New(cfg.SMTP); err != nil {
			st.Close()
			return nil, err
		}
	}
	return a, nil
}

// New assembles the platform over an opened, migrated store: the
// statistics engine and every feature's service. Tests that open their own
// store use it to get the same wiring as the binary.
func New(st *sqlstore.Store, ref *refdata.Catalogues, log *slog.Logger) *App {
	return NewWith(st, ref, log, Options{})
}

// NewWith is New with the services tuned by opts.
func NewWith(st *sqlstore.Store, ref *refdata.Catalogues, log *slog.Logger, opts Options) *App {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	eng := stats.NewEngine(st, ref.Indicators)
	ck := cockpit.NewService(st, eng, cockpit.Options{OnScoreboard: ref.TaskTables.OnScoreboard,
		Published: stats.NewEngine(st.AsPublished(), ref.Indicators)})
	rep, err := reporting.NewService(st, reporting.Options{})
	if err != nil {
		panic(err) // compiled-in rules; TestRuleSetVersions and the reporting tests read them
	}
	// The federation keeps its own instruments service (no mirror: it
	// serves the home's records); the app's searches the mirror too.
	fed := newFederation(st, opts.Federation)
	io := opts.Instruments
	if io.Prefix == "" {
		io.Prefix = fed.Config().Instance
	}
	io.Mirror = fed
	io.Remote = fed
	io.Holds = fed
	return &App{
		Store: st, Ref: ref, Stats: eng, Log: log,
		Listing:     listing.NewService(st),
		Cockpit:     ck,
		Cultivation: cultivation.NewService(st, opts.Cultivation),
		Registry:    registry.NewService(st, ref.Indicators),
		Goals:       goals.NewService(st, ref.Indicators, ref.Regions),
		Hardtech:    hardtech.NewService(st),
		Mujun:       mujun.NewService(st),
		Imports:     imports.NewServiceWith(st, ref.Regions, ref.Industries, opts.Imports).WithReporting(rep),
		Reporting:   rep,
		Tasks:       tasks.NewService(st, ref.Indicators, ck, tasks.Options{Tables: ref.TaskTables}),
		Audit:       audit.NewService(st, audit.Options{Key: opts.AuditKey}),
		SSO:         sso.NewService(opts.SSO, st),
		Instruments: instruments.NewService(st, io),
		Notify:      notify.NewService(st, notify.Options{}),
		Federation:  fed,
		Digital:     digital.NewService(st, nil),
	}
}

func newFederation(st *sqlstore.Store, o FederationOptions) *federation.Service {
	tr := o.Transport
	if tr == nil {
		tr = federationweb.NewTransport()
	}
	inst := instruments.NewService(st, instruments.Options{Prefix: o.Config.Instance})
	return federation.NewService(o.Config, o.Key, st, inst, tr, federation.Options{Peers: st})
}

// Close releases the store.
func (a *App) Close() error { return a.Store.Close() }
