package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h := NewHasher(TestParams, 2)
	ctx := context.Background()
	hash, err := h.Hash(ctx, "正确的密码 correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash not PHC: %s", hash)
	}
	if err := h.Verify(ctx, hash, "正确的密码 correct horse"); err != nil {
		t.Fatalf("Verify right password: %v", err)
	}
	if err := h.Verify(ctx, hash, "wrong"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("Verify wrong password: %v", err)
	}
	if err := h.Verify(ctx, "$bcrypt$x", "x"); err == nil {
		t.Fatal("Verify accepted a foreign hash")
	}
	other, _ := h.Hash(ctx, "正确的密码 correct horse")
	if other == hash {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestScopeOf(t *testing.T) {
	if !(User{Role: RoleCityAnalyst}).ScopeOf().IsAll() {
		t.Error("analyst not city-wide")
	}
	s := User{Role: RoleDistrict, RegionCode: "500101"}.ScopeOf()
	if s.IsAll() || s.RegionCode != "500101" {
		t.Errorf("district scope = %+v", s)
	}
	if !(User{Role: "nobody"}).ScopeOf().Empty() {
		t.Error("unknown role got a scope")
	}
}

func TestValidate(t *testing.T) {
	for _, u := range []User{
		{Username: "ab", Role: RoleCityAdmin},
		{Username: "Upper", Role: RoleCityAdmin},
		{Username: "officer", Role: RoleDistrict},
		{Username: "firm", Role: RoleEnterprise},
		{Username: "who", Role: "root"},
	} {
		if u.Validate() == nil {
			t.Errorf("Validate(%+v) accepted", u)
		}
	}
	if err := (User{Username: "wanzhou.officer", Role: RoleDistrict, RegionCode: "500101"}).Validate(); err != nil {
		t.Errorf("valid user rejected: %v", err)
	}
}

func TestNewPassword(t *testing.T) {
	a, b := NewPassword(16), NewPassword(16)
	if len(a) != 16 || a == b || strings.ContainsAny(a, "0O1lI") {
		t.Fatalf("NewPassword gave %q and %q", a, b)
	}
}
