package cli

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditVerifyNamesEditedAndDeletedRecords: account changes made with
// the CLI are recorded; `ibrain audit verify` passes on the intact trail,
// and after one record is edited and another deleted behind the
// platform's back it exits 1 naming both.
func TestAuditVerifyNamesEditedAndDeletedRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ib.db")
	db := "sqlite:" + path
	for _, name := range []string{"alice", "bob", "carol"} {
		if code, _, stderr := run(t, "user", "create", "--db", db, "--username", name, "--role", "city_analyst", "--password", "Secret-Pass-123"); code != 0 {
			t.Fatalf("user create %s: %d %s", name, code, stderr)
		}
	}
	if code, _, stderr := run(t, "user", "disable", "--db", db, "--username", "bob"); code != 0 {
		t.Fatalf("user disable: %d %s", code, stderr)
	}
	code, out, stderr := run(t, "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "checked 4 records") || !strings.Contains(out, "intact") {
		t.Fatalf("verify intact: %d %q %q", code, out, stderr)
	}

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE audit_event SET target = 'mallory' WHERE seq = 2`,
		`DELETE FROM audit_event WHERE seq = 3`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr = run(t, "audit", "verify", "--db", db)
	if code != 1 || !strings.Contains(out, "record 2 edited") || !strings.Contains(out, "record 3 deleted") || !strings.Contains(stderr, "damaged") {
		t.Errorf("verify damaged: %d %q %q", code, out, stderr)
	}
}
