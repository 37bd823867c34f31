package cli

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/audit"
)

// TestAuditKeyedChain: with an audit key (IBRAIN_AUDIT_KEY_FILE) new
// records are sealed with HMAC-SHA256; 'ibrain audit verify --key-file'
// checks them and says from which record the chain is keyed; without the
// key the keyed records cannot be verified; a record edited and re-sealed
// by someone without the key (a plain hash, or an HMAC under another key)
// is named; a short key file is refused.
func TestAuditKeyedChain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ib.db")
	db := "sqlite:" + path
	keyFile := filepath.Join(dir, "audit.key")
	if err := os.WriteFile(keyFile, []byte("6f1c0e6d2b9a4c3e8d7f5a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	create := func(name string) {
		t.Helper()
		if code, _, stderr := run(t, "user", "create", "--db", db, "--username", name, "--role", "city_analyst", "--password", "Secret-Pass-123"); code != 0 {
			t.Fatalf("user create %s: %d %s", name, code, stderr)
		}
	}
	create("alice") // record 1, plain: before the key
	t.Setenv("IBRAIN_AUDIT_KEY_FILE", keyFile)
	create("bob")   // record 2, keyed
	create("carol") // record 3, keyed
	code, out, stderr := run(t, "audit", "verify", "--db", db, "--key-file", keyFile)
	if code != 0 || !strings.Contains(out, "checked 3 records") || !strings.Contains(out, "keyed (HMAC-SHA256) from seq 2") || !strings.Contains(out, "intact") {
		t.Fatalf("verify with the key: %d %q %q", code, out, stderr)
	}
	t.Setenv("IBRAIN_AUDIT_KEY_FILE", "")
	code, out, _ = run(t, "audit", "verify", "--db", db)
	if code != 1 || !strings.Contains(out, "record 2 needs the audit key") {
		t.Errorf("verify without the key: %d %q", code, out)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	read := func(seq int64) audit.Event {
		t.Helper()
		e := audit.Event{Seq: seq}
		var at int64
		var action string
		if err := raw.QueryRow(`SELECT at_ms, actor_id, actor, action, target, outcome, ip, detail, prev_hash FROM audit_event WHERE seq = ?`, seq).
			Scan(&at, &e.ActorID, &e.Actor, &action, &e.Target, &e.Outcome, &e.IP, &e.Detail, &e.PrevHash); err != nil {
			t.Fatal(err)
		}
		e.At, e.Action = time.UnixMilli(at), audit.Action(action)
		return e
	}
	// Without the key, an attacker edits record 3 and re-seals it with a
	// plain hash, moving the head along; and edits record 2 with an HMAC
	// under a key of their own.
	e3 := read(3)
	e3.Target = "mallory"
	h3 := e3.ComputeHash()
	e2 := read(2)
	e2.Detail = "nothing happened"
	h2 := e2.ComputeKeyedHash([]byte("an attacker's own key of 32 bytes!!"))
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE audit_event SET target = ?, hash = ? WHERE seq = 3`, []any{e3.Target, h3}},
		{`UPDATE audit_head SET last_hash = ? WHERE id = 1`, []any{h3}},
		{`UPDATE audit_event SET detail = ?, hash = ? WHERE seq = 2`, []any{e2.Detail, h2}},
	} {
		if _, err := raw.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr = run(t, "audit", "verify", "--db", db, "--key-file", keyFile)
	if code != 1 || !strings.Contains(out, "record 2 edited") || !strings.Contains(out, "record 3 unkeyed after keyed records") {
		t.Errorf("verify the forged chain: %d %q %q", code, out, stderr)
	}

	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("too short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "audit", "verify", "--db", db, "--key-file", short); code == 0 || !strings.Contains(stderr, "want at least 32") {
		t.Errorf("short key: %d %q", code, stderr)
	}
}
