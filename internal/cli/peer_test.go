package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPeerCommands: keygen writes a key once and prints its public half;
// add appends a valid peer and refuses a bad one without changing the
// file; list shows the peers; status reads their state from the database.
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
	if code, _, errOut := run(t, "peer", "add", "--federation-config", cfg, "--id", "sc", "--url", "https://sc.example", "--public-key", pub[1]); code != 0 {
		t.Fatalf("add: %s", errOut)
	}
	before, _ := os.ReadFile(cfg)
	if code, _, _ := run(t, "peer", "add", "--federation-config", cfg, "--id", "gz", "--url", "ftp://gz.example", "--public-key", pub[1]); code == 0 {
		t.Fatal("a peer with an ftp URL was added")
	}
	if after, _ := os.ReadFile(cfg); string(after) != string(before) {
		t.Fatal("a refused add changed the file")
	}
	if _, out, _ := run(t, "peer", "list", "--federation-config", cfg); !strings.Contains(out, "sc") || !strings.Contains(out, "https://sc.example") {
		t.Fatalf("list: %q", out)
	}
	code, out, errOut = run(t, "peer", "status", "--federation-config", cfg, "--db", "sqlite:"+filepath.Join(dir, "ibrain.db"))
	if code != 0 || !strings.Contains(out, "sc") || !strings.Contains(out, "never") {
		t.Fatalf("status: %d %q %s", code, out, errOut)
	}
}
