package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/demo"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/metrics"
	"github.com/industrybrain/ibrain/internal/notify"
	"github.com/industrybrain/ibrain/internal/notify/mailer"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/web"
)

func runServe(ctx context.Context, args []string, std IO) error {
	return serveOn(ctx, args, std, nil)
}

// serveOn is 'ibrain serve' on ln when it is not nil (a listener its
// caller holds, so that no one takes the port between choosing and
// serving it), else on --addr.
func serveOn(ctx context.Context, args []string, std IO, ln net.Listener) error {
	fs, db := newFlags("serve", "[--addr HOST:PORT] [--db DSN] [--demo auto|never]", std)
	addr := fs.String("addr", app.FromEnv("IBRAIN_ADDR", app.DefaultAddr), "listen address (env IBRAIN_ADDR)")
	demoMode := fs.String("demo", app.FromEnv("IBRAIN_DEMO", "auto"), "auto: load the demo dataset and accounts into an empty database; never: start empty (env IBRAIN_DEMO)")
	fedConfig := fs.String("federation-config", app.FromEnv("IBRAIN_FEDERATION_CONFIG", ""), "federation (Sichuan–Chongqing) instance, key and peers, a JSON file (env IBRAIN_FEDERATION_CONFIG; see README)")
	ssoConfig := fs.String("sso-config", app.FromEnv("IBRAIN_SSO_CONFIG", ""), "single sign-on providers, a JSON file (env IBRAIN_SSO_CONFIG; see README)")
	instrumentFiles := fs.String("instrument-files", app.FromEnv("IBRAIN_INSTRUMENT_FILES", ""), "directory for the instruments' photos and documents; in the database when empty (env IBRAIN_INSTRUMENT_FILES)")
	auditKey := fs.String("audit-key-file", app.FromEnv("IBRAIN_AUDIT_KEY_FILE", ""), "HMAC key of the audit chain, a file of at least 32 bytes (env IBRAIN_AUDIT_KEY_FILE; see docs/SECURITY.md)")
	trustedHeader := fs.String("client-ip-header", app.FromEnv("IBRAIN_CLIENT_IP_HEADER", ""), "take the client address from this header of a trusted proxy, e.g. X-Forwarded-For (env IBRAIN_CLIENT_IP_HEADER)")
	trustedProxies := fs.String("trusted-proxies", app.FromEnv("IBRAIN_TRUSTED_PROXIES", ""), "comma-separated CIDRs of the proxies whose header is believed (env IBRAIN_TRUSTED_PROXIES)")
	metricsToken := fs.String("metrics-token", app.FromEnv("IBRAIN_METRICS_TOKEN", ""), "require this bearer token on /metrics (env IBRAIN_METRICS_TOKEN)")
	secure := fs.Bool("secure-cookies", app.FromEnv("IBRAIN_SECURE_COOKIES", "") == "1", "mark session cookies Secure (set behind HTTPS; env IBRAIN_SECURE_COOKIES=1)")
	maxImports := fs.Int("max-imports", envInt("IBRAIN_MAX_IMPORTS", imports.DefaultLimits().MaxConcurrent), "imports run at once; further uploads get 429 with Retry-After (env IBRAIN_MAX_IMPORTS)")
	smtpAddr := fs.String("smtp-addr", app.FromEnv("IBRAIN_SMTP_ADDR", ""), "send notification e-mail through this SMTP server, HOST:PORT; none when empty (env IBRAIN_SMTP_ADDR; the password only from env IBRAIN_SMTP_PASSWORD)")
	smtpFrom := fs.String("smtp-from", app.FromEnv("IBRAIN_SMTP_FROM", ""), "sender address of notification e-mail (env IBRAIN_SMTP_FROM)")
	smtpUser := fs.String("smtp-user", app.FromEnv("IBRAIN_SMTP_USER", ""), "SMTP user name for AUTH PLAIN; none when empty (env IBRAIN_SMTP_USER)")
	smtpSecurity := fs.String("smtp-security", app.FromEnv("IBRAIN_SMTP_SECURITY", "starttls"), "starttls (port 587), tls (port 465) or none (env IBRAIN_SMTP_SECURITY)")
	baseURL := fs.String("base-url", app.FromEnv("IBRAIN_BASE_URL", ""), "the platform's public address, for links in e-mail (env IBRAIN_BASE_URL)")
	memLimit := fs.Int("memory-limit", 384, "soft memory limit in MiB for the Go runtime (the garbage collector works harder near it, and returns freed memory to the system); 0 = none; the GOMEMLIMIT environment variable wins when set")
	answerCache := fs.Int("answer-cache", envInt("IBRAIN_ANSWER_CACHE", 32), "MiB of computed cockpit and module answers kept until the data change; 0 turns the cache off (env IBRAIN_ANSWER_CACHE)")
	dbCache := fs.Int("db-cache", envInt("IBRAIN_DB_CACHE", sqlstore.DefaultPageCache>>20), "SQLite page cache in MiB, all database connections together (env IBRAIN_DB_CACHE); it is memory outside --memory-limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbCache < 1 {
		return fmt.Errorf("%w: --db-cache must be at least 1 MiB", errUsage)
	}
	if *maxImports < 1 {
		return fmt.Errorf("%w: --max-imports must be at least 1", errUsage)
	}
	// Without a limit the heap may grow to twice its live size before a
	// collection, so a burst of sign-ins (64 MiB of argon2 memory each)
	// leaves the process hundreds of MB larger than it needs to be.
	if *memLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(*memLimit) << 20)
	}
	if *demoMode != "auto" && *demoMode != "never" {
		return fmt.Errorf("%w: --demo must be auto or never", errUsage)
	}
	log := logger(std.Stderr)
	ipConf := web.ClientIP{Header: *trustedHeader}
	for _, c := range strings.Split(*trustedProxies, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		pfx, err := netip.ParsePrefix(c)
		if err != nil {
			return fmt.Errorf("%w: --trusted-proxies: %v", errUsage, err)
		}
		ipConf.TrustedProxies = append(ipConf.TrustedProxies, pfx)
	}
	var smtpConf mailer.Config
	if *smtpAddr != "" {
		smtpConf = mailer.Config{Addr: *smtpAddr, From: *smtpFrom, Username: *smtpUser, Password: os.Getenv("IBRAIN_SMTP_PASSWORD"), Security: mailer.Security(*smtpSecurity)}
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: log, SSOConfig: *ssoConfig, MaxImports: *maxImports, SMTP: smtpConf, InstrumentFiles: *instrumentFiles, AuditKeyFile: *auditKey, FederationConfig: *fedConfig,
		PageCache: int64(*dbCache) << 20})
	if err != nil {
		return err
	}
	defer a.Close()

	firstStart := false
	if *demoMode == "auto" {
		y, err := a.Registry.LatestYear(ctx)
		if err != nil {
			return err
		}
		// A database with a demo of its own (Sichuan's has no registry)
		// is not empty.
		seeded, err := a.Store.GetMeta(ctx, "demo_seed")
		if err != nil {
			return err
		}
		if y == 0 && seeded == "" {
			firstStart = true
			fmt.Fprintln(std.Stdout, "First start: creating the demo dataset (deterministic, synthetic; about half a minute)…")
			if err := loadDemo(ctx, a, demo.Options{Seed: 1, Scale: 1}, true, std); err != nil {
				return fmt.Errorf("demo dataset: %w", err)
			}
		}
	}

	catalog, err := app.Catalog()
	if err != nil {
		return err
	}
	hasher, err := policyHasher()
	if err != nil {
		return err
	}
	srv, err := web.New(web.Deps{
		Store:         a.Store,
		Hasher:        hasher,
		Logger:        log,
		Metrics:       metrics.NewRegistry(),
		Catalog:       catalog,
		SecureCookies: *secure,
		Modules:       a.WebModules(),
		Audit:         a.Audit,
		ClientIP:      ipConf,
		MetricsToken:  *metricsToken,
		AnswerCache:   answerCacheOptions(*answerCache),
	})
	if err != nil {
		return err
	}
	// The notification worker: booking reminders, and the outbox when
	// mail is configured. It stops with the server.
	wopts := notify.WorkerOptions{Render: catalog.T, BaseURL: *baseURL, Log: log}
	if a.Mail != nil {
		wopts.Sender = a.Mail
	}
	worker, err := notify.NewWorker(a.Store, wopts)
	if err != nil {
		return err
	}
	workerCtx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); worker.Run(workerCtx) }()
	defer func() { stopWorker(); <-workerDone }()
	if ln == nil {
		if ln, err = net.Listen("tcp", *addr); err != nil {
			return err
		}
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // imports upload large files
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          nil,
	}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(std.Stdout, "\nIndustry Brain is running at %s  (engine: %s)\n", url, a.Store.Engine())
	if firstStart {
		fmt.Fprintln(std.Stdout, "Sign in with one of the demo accounts printed above.")
	} else {
		fmt.Fprintln(std.Stdout, "Sign in with your account; 'ibrain user create' or 'ibrain user passwd' manages accounts.")
	}
	fmt.Fprintln(std.Stdout, "Press Ctrl+C to stop.")

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	// The federation pulls its peers and expires holds until shutdown.
	fedCtx, stopFed := context.WithCancel(ctx)
	defer stopFed()
	go a.Federation.Run(fedCtx, func(err error) { log.Warn("federation", "err", err) })
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// envInt reads an integer from the environment; def when unset or not a
// number (the flag's own check then reports a bad value given on the
// command line).
func envInt(key string, def int) int {
	if n, err := strconv.Atoi(app.FromEnv(key, "")); err == nil {
		return n
	}
	return def
}

// answerCacheOptions turns --answer-cache (MiB, 0 off) into the web
// server's options.
func answerCacheOptions(mib int) web.AnswerCacheOptions {
	if mib <= 0 {
		return web.AnswerCacheOptions{MaxBytes: -1}
	}
	return web.AnswerCacheOptions{MaxBytes: int64(mib) << 20}
}
