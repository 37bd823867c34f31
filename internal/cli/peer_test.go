package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPeerCommands: keygen writes a key once and prints its public half;
// add --to-file appends a valid peer and refuses a bad one without
// changing the file; add without it stores the peer in the database
// (once; not the instance's own id); list shows both kinds; status reads
// their state from the database; remove deletes a database peer.
func TestPeerCommands(t *testing.T) {
	dir := t.TempDir()
	keyFile, scKey := filepath.Join(dir, "cq.key"), filepath.Join(dir, "sc.key")
	code, out, errOut := run(t, "peer", "keygen", "--out", keyFile)
	if code != 0 {
		t.Fatalf("keygen: %d %s", code, errOut)
	}
	if code, _, _ := run(t, "peer", "keygen", "--out", keyFile); code == 0 {
		t.Fatal("keygen overwrote an existing key")
	}
	_, out2, _ := run(t, "peer", "keygen", "--out", scKey)
	pub := regexp.MustCompile(`public key \(give it to the peers\): (\S+)`).FindStringSubmatch(out2)
	if pub == nil || !strings.Contains(out, "public key") {
		t.Fatalf("keygen output: %q", out2)
	}
	cfg := filepath.Join(dir, "fed.json")
	if err := os.WriteFile(cfg, []byte(`{"instance": "cq", "key_file": "`+keyFile+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	db := "sqlite:" + filepath.Join(dir, "ibrain.db")
	if code, _, errOut := run(t, "peer", "add", "--to-file", "--federation-config", cfg, "--id", "sc", "--url", "https://sc.example", "--public-key", pub[1]); code != 0 {
		t.Fatalf("add: %s", errOut)
	}
	before, _ := os.ReadFile(cfg)
	if code, _, _ := run(t, "peer", "add", "--to-file", "--federation-config", cfg, "--id", "gz", "--url", "ftp://gz.example", "--public-key", pub[1]); code == 0 {
		t.Fatal("a peer with an ftp URL was added")
	}
	if after, _ := os.ReadFile(cfg); string(after) != string(before) {
		t.Fatal("a refused add changed the file")
	}
	// Into the database: gz once; not again, not as cq (the instance) nor
	// as sc (the file's), not with a bad URL.
	if code, _, errOut := run(t, "peer", "add", "--federation-config", cfg, "--db", db, "--id", "gz", "--url", "https://gz.example/", "--public-key", pub[1]); code != 0 {
		t.Fatalf("add to the database: %s", errOut)
	}
	for _, bad := range [][]string{{"gz", "https://gz.example"}, {"cq", "https://cq.example"}, {"sc", "https://sc.example"}, {"sh", "ftp://sh.example"}} {
		if code, _, _ := run(t, "peer", "add", "--federation-config", cfg, "--db", db, "--id", bad[0], "--url", bad[1], "--public-key", pub[1]); code == 0 {
			t.Errorf("peer %s (%s) was added to the database", bad[0], bad[1])
		}
	}
	if after, _ := os.ReadFile(cfg); string(after) != string(before) {
		t.Fatal("an add to the database changed the file")
	}
	_, out, _ = run(t, "peer", "list", "--federation-config", cfg, "--db", db)
	if !regexp.MustCompile(`sc\s+file\s+https://sc.example`).MatchString(out) || !regexp.MustCompile(`gz\s+database\s+https://gz.example\s`).MatchString(out) ||
		strings.Contains(out, "sh.example") {
		t.Fatalf("list: %q", out)
	}
	code, out, errOut = run(t, "peer", "status", "--federation-config", cfg, "--db", db)
	if code != 0 || !regexp.MustCompile(`(?m)^sc\s+never`).MatchString(out) || !regexp.MustCompile(`(?m)^gz\s+never`).MatchString(out) {
		t.Fatalf("status: %d %q %s", code, out, errOut)
	}
	if code, _, errOut := run(t, "peer", "remove", "--db", db, "--id", "gz"); code != 0 {
		t.Fatalf("remove: %s", errOut)
	}
	if code, _, _ := run(t, "peer", "remove", "--db", db, "--id", "gz"); code == 0 {
		t.Error("a second remove succeeded")
	}
	if _, out, _ = run(t, "peer", "list", "--federation-config", cfg, "--db", db); regexp.MustCompile(`(?m)^gz\s`).MatchString(out) {
		// A row of its own: the random public keys may contain "gz".
		t.Fatalf("list after remove: %q", out)
	}
}
