package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUserCreateUsesAccountAdministration: 'ibrain user create' goes
// through the same checks as the system administrator's page: a scope
// the role does not take, an unknown region or role, a weak given
// password and a taken username are refused (exit 2 or 1) and create
// nothing; a generated password is printed once.
func TestUserCreateUsesAccountAdministration(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ib.db")
	code, out, stderr := run(t, "user", "create", "--db", db, "--username", "wzofficer", "--role", "district", "--region", "500101")
	if code != 0 || !strings.Contains(out, "created wzofficer (district)") || !strings.Contains(out, "password: ") {
		t.Fatalf("create: %d %q %q", code, out, stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--username", "analyst1", "--role", "city_analyst", "--region", "500101"}, "does not apply to role city_analyst"},
		{[]string{"--username", "analyst1", "--role", "district", "--region", "999999"}, "Unknown district: 999999"},
		{[]string{"--username", "analyst1", "--role", "superuser"}, "Unknown role: superuser"},
		{[]string{"--username", "analyst1", "--role", "city_analyst", "--password", "a"}, "usage"},
		{[]string{"--username", "wzofficer", "--role", "city_analyst"}, "username_taken"},
	} {
		code, _, stderr := run(t, append([]string{"user", "create", "--db", db}, c.args...)...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want a refusal with %q", c.args, code, stderr, c.want)
		}
	}
	_, out, _ = run(t, "user", "list", "--db", db)
	if strings.Contains(out, "analyst1") || strings.Count(out, "\n") != 2 {
		t.Errorf("refused creations left accounts: %q", out)
	}
}

// TestUserActionsThroughAccountsService: the console's disable, enable,
// unlock and end-sessions act on the account as the security page does:
// a disabled account is listed as disabled and loses its sessions, and
// enable brings it back.
func TestUserActionsThroughAccountsService(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ib.db")
	if code, _, stderr := run(t, "user", "create", "--db", db, "--username", "dora", "--role", "city_analyst", "--password", "Secret-Pass-123"); code != 0 {
		t.Fatalf("user create: %d %s", code, stderr)
	}
	disabled := func() string {
		t.Helper()
		_, out, _ := run(t, "user", "list", "--db", db)
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == "dora" {
				return f[len(f)-1]
			}
		}
		t.Fatalf("dora not listed: %q", out)
		return ""
	}
	for _, step := range []struct{ action, want string }{
		{"disable", "true"}, {"enable", "false"}, {"unlock", "false"}, {"end-sessions", "false"},
	} {
		code, out, stderr := run(t, "user", step.action, "--db", db, "--username", "dora")
		if code != 0 || !strings.Contains(out, step.action+" done") {
			t.Fatalf("user %s: %d %q %q", step.action, code, out, stderr)
		}
		if got := disabled(); got != step.want {
			t.Errorf("after %s: disabled %s, want %s", step.action, got, step.want)
		}
	}
	if code, _, _ := run(t, "user", "disable", "--db", db, "--username", "nobody"); code == 0 {
		t.Error("disabling an unknown account succeeded")
	}
}
