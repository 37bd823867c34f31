package auth

import (
	"encoding/base32"
	"testing"
	"time"
)

// TestTOTPRFC6238Vectors: the SHA-1 test vectors of RFC 6238 appendix B
// (secret "12345678901234567890"), last six digits.
func TestTOTPRFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{
		59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130",
	} {
		got, err := TOTPCode(secret, time.Unix(unix, 0))
		if err != nil || got != want {
			t.Errorf("T=%d: %q %v, want %q", unix, got, err, want)
		}
	}
	now := time.Unix(1111111111, 0)
	code, _ := TOTPCode(secret, now)
	if !VerifyTOTP(secret, code, now.Add(25*time.Second)) {
		t.Error("the code of the previous step is refused")
	}
	if VerifyTOTP(secret, code, now.Add(2*time.Minute)) {
		t.Error("a code two minutes old is accepted")
	}
	if VerifyTOTP(secret, "", now) || VerifyTOTP(secret, "12345", now) {
		t.Error("a malformed code is accepted")
	}
}

func TestAccountPolicy(t *testing.T) {
	ps, err := BuiltinAccountPolicies()
	if err != nil {
		t.Fatal(err)
	}
	p := ps.At(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
	for pw, wantKey := range map[string]string{
		"Short1!":              "err.password_short",
		"alllowercaseletters":  "err.password_classes",
		"lowercaseanddigit123": "err.password_classes",
		"Zhangwei-Secret-2026": "err.password_username",
		"Correct-Horse-42":     "",
		"正确的马电池订书钉-Aa1":        "",
	} {
		err := p.CheckPassword("zhangwei", pw)
		got := ""
		if pe, ok := err.(*PasswordError); ok {
			got = pe.Key
		}
		if got != wantKey {
			t.Errorf("%q: %v, want %q", pw, err, wantKey)
		}
	}
	for _, r := range []Role{RoleSysAdmin, RoleSecAdmin, RoleAuditAdmin} {
		if !p.NeedsSecondFactor(r) {
			t.Errorf("%s needs no second factor", r)
		}
	}
	if p.NeedsSecondFactor(RoleDistrict) {
		t.Error("district officers must use a second factor")
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if p.PasswordExpired(now.AddDate(0, 0, -89), now) || !p.PasswordExpired(now.AddDate(0, 0, -91), now) || !p.PasswordExpired(time.Time{}, now) {
		t.Error("password expiry after 90 days")
	}
	two, err := ParseAccountPolicies([]byte(`{"policies":[
	 {"version":"b","effective_from":"2027-01-01","password":{"min_length":14,"min_classes":3},"lockout":{"max_failures":3,"minutes":60},"session":{"idle_minutes":15,"absolute_hours":8}},
	 {"version":"a","effective_from":"2026-01-01","password":{"min_length":12,"min_classes":3},"lockout":{"max_failures":5,"minutes":30},"session":{"idle_minutes":30,"absolute_hours":12}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if v := two.At(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)).Version; v != "a" {
		t.Errorf("2026-12-31: version %s, want a", v)
	}
	if v := two.At(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)).Version; v != "b" {
		t.Errorf("2027-01-01: version %s, want b", v)
	}
	if _, err := ParseAccountPolicies([]byte(`{"policies":[{"version":"x","effective_from":"2026-01-01","password":{"min_length":6,"min_classes":1},"lockout":{"max_failures":5,"minutes":30},"session":{"idle_minutes":30,"absolute_hours":12}}]}`)); err == nil {
		t.Error("min_length 6 accepted")
	}
}
