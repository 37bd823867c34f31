package cli

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/audit"
)

func runAudit(ctx context.Context, args []string, std IO) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want 'audit verify', 'audit export' or 'audit archive'", errUsage)
	}
	switch args[0] {
	case "verify":
		return auditVerify(ctx, args[1:], std)
	case "export":
		return auditExport(ctx, args[1:], std)
	case "archive":
		return auditArchive(ctx, args[1:], std)
	case "-h", "--help":
		fmt.Fprintln(std.Stderr, "Usage: ibrain audit verify|export|archive [flags]   (each takes -h)")
		return nil
	}
	return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
}

// auditVerify walks the chain and names every damaged record; exit code 1
// when there is one.
func auditVerify(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("audit verify", "[--key-file FILE] [flags]", std)
	keyFile := fs.String("key-file", app.FromEnv("IBRAIN_AUDIT_KEY_FILE", ""), "the audit chain's HMAC key (env IBRAIN_AUDIT_KEY_FILE): needed to verify keyed records")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: logger(std.Stderr), AuditKeyFile: *keyFile})
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.Audit.Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "checked %d records; head seq %d hash %s; archived through seq %d\n",
		rep.Checked, rep.Head.LastSeq, rep.Head.LastHash, rep.Head.ArchivedSeq)
	if rep.FirstKeyed > 0 {
		fmt.Fprintf(std.Stdout, "keyed (HMAC-SHA256) from seq %d\n", rep.FirstKeyed)
	}
	if rep.OK() {
		fmt.Fprintln(std.Stdout, "audit trail intact")
		return nil
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(std.Stdout, p.String())
	}
	return &exitError{code: 1, msg: fmt.Sprintf("audit trail damaged: %d problem(s)", len(rep.Problems))}
}

// auditExport writes the events of a period as JSON lines.
func auditExport(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("audit export", "--out FILE [--from DATE] [--to DATE] [--actor NAME] [--action ACTION]", std)
	out := fs.String("out", "", "file to write (JSON lines, with hashes)")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "day after the last, YYYY-MM-DD")
	actor := fs.String("actor", "", "only this username")
	action := fs.String("action", "", "only this action, e.g. auth.sign_in_failed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	q := audit.Query{Actor: *actor, Action: audit.Action(*action)}
	for _, d := range []struct {
		s string
		t *time.Time
	}{{*from, &q.From}, {*to, &q.To}} {
		if d.s == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.s, time.Local)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		*d.t = t
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	n := 0
	for {
		page, err := a.Audit.Search(ctx, q)
		if err != nil {
			f.Close()
			return err
		}
		if err := audit.WriteJSONLines(f, page); err != nil {
			f.Close()
			return err
		}
		n += len(page)
		if len(page) < audit.MaxLimit {
			break
		}
		q.AfterSeq = page[len(page)-1].Seq
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := a.Audit.Record(ctx, audit.Event{Action: audit.Export, Actor: cliActor(), Target: *out, Detail: fmt.Sprintf("%d audit records", n)}); err != nil {
		return err
	}
	fmt.Fprintf(std.Stdout, "exported %d records to %s\n", n, *out)
	return nil
}

// auditArchive moves the records past the retention to a file and then
// out of the database.
func auditArchive(ctx context.Context, args []string, std IO) error {
	fs, db := newFlags("audit archive", "--out FILE [--retention-days N]", std)
	out := fs.String("out", "", "archive file to create (JSON lines, with hashes); must not exist")
	days := fs.Int("retention-days", 180, "keep this many days in the database (at least 180)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	if *days < 180 {
		return fmt.Errorf("%w: --retention-days must be at least 180", errUsage)
	}
	a, err := openApp(ctx, *db, std)
	if err != nil {
		return err
	}
	defer a.Close()
	// O_EXCL: an existing archive is never overwritten.
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	svc := audit.NewService(a.Store, audit.Options{Retention: time.Duration(*days) * 24 * time.Hour})
	res, err := svc.Archive(ctx, f, *out)
	// Archive syncs the file before it deletes the rows.
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if res.Count == 0 {
		_ = os.Remove(*out)
		fmt.Fprintln(std.Stdout, "nothing older than the retention")
		return nil
	}
	fmt.Fprintf(std.Stdout, "archived records %d–%d (%d) to %s, sha256 %s\n", res.FromSeq, res.ToSeq, res.Count, *out, res.SHA256)
	return nil
}

// cliActor names who ran a command, for the trail.
func cliActor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}
