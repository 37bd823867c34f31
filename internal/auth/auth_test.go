package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
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

func TestBuiltinPolicy(t *testing.T) {
	p, err := BuiltinPolicy()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Roles {
		if len(p.Granted(r)) == 0 {
			t.Errorf("role %s has no grants", r)
		}
	}
	cases := []struct {
		u    User
		perm Permission
		want bool
	}{
		{User{Role: RoleCityAdmin}, "listing.record", true},
		{User{Role: RoleCityAnalyst}, "listing.record", false}, // the analyst reads, never records
		{User{Role: RoleCityAnalyst}, "listing.read", true},
		{User{Role: RoleDistrict, RegionCode: "500101"}, "mujun.run", false},
		{User{Role: RoleEnterprise, EnterpriseID: 1}, SignedIn, true},
		{User{Role: RoleEnterprise, EnterpriseID: 1}, "stats.read", false},
		{User{Role: RoleCityAdmin, Disabled: true}, "stats.read", false},
		{User{}, Public, true},
		{User{}, SignedIn, false},
	}
	for _, c := range cases {
		if got := p.Allows(c.u, c.perm); got != c.want {
			t.Errorf("Allows(%s, %s) = %v, want %v", c.u.Role, c.perm, got, c.want)
		}
	}
	if p.Declared("listing.recrod") || !p.Declared("listing.record") || !p.Declared(Public) {
		t.Error("Declared does not tell declared permissions from typos")
	}
}

func TestParsePolicyRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown role":          `{"permissions":{"a.b":""},"roles":{"mayor":["a.b"]}}`,
		"undeclared permission": `{"permissions":{"a.b":""},"roles":{"district":["a.c"]}}`,
		"not json":              `{`,
	} {
		if _, err := ParsePolicy([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestScopeDimensions(t *testing.T) {
	// A department or institution scope reaches no enterprise data.
	if !(Scope{Department: "运行监测处"}).Empty() || !(Scope{InstitutionID: 7}).Empty() {
		t.Error("a department or institution scope grants enterprise data")
	}
	sc := Region("500101").InTenant("cq")
	if sc.Tenant != "cq" || sc.RegionCode != "500101" || sc.IsAll() {
		t.Errorf("InTenant changed the scope: %+v", sc)
	}
}

// A department user needs its department and is scoped to it alone: no
// enterprise data.
func TestDepartmentUser(t *testing.T) {
	u := User{Username: "dept1", Role: RoleDepartment}
	if err := u.Validate(); err == nil {
		t.Fatal("a department user without a department validated")
	}
	u.Department = "市统计局"
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	sc := u.ScopeOf()
	if sc.Department != "市统计局" || sc.IsAll() || !sc.Empty() || sc.RegionCode != "" || sc.EnterpriseID != 0 {
		t.Fatalf("scope %+v", sc)
	}
}

// TestSeparationOfDuties (三权分立): in the built-in policy the three
// administrators' permissions are pairwise disjoint, the system
// administrator cannot read or export the audit trail nor manage
// accounts, the audit administrator only reads and exports it, and no
// business role holds an administrator's power. A policy that gives one
// role two duties, or one duty to two roles, is rejected.
func TestSeparationOfDuties(t *testing.T) {
	p, err := BuiltinPolicy()
	if err != nil {
		t.Fatal(err)
	}
	admins := []Role{RoleSysAdmin, RoleSecAdmin, RoleAuditAdmin}
	for i, a := range admins {
		for _, b := range admins[i+1:] {
			for _, perm := range p.Granted(a) {
				if perm != SignedIn && p.Allows(User{Role: b}, perm) {
					t.Errorf("%s and %s both hold %s", a, b, perm)
				}
			}
		}
	}
	denied := map[Role][]Permission{
		RoleSysAdmin:    {"audit.read", "audit.export", "user.manage", "stats.read"},
		RoleSecAdmin:    {"audit.read", "audit.export", "system.config", "stats.read"},
		RoleAuditAdmin:  {"user.manage", "system.config", "stats.read", "mujun.run", "import.reports"},
		RoleCityAdmin:   {"audit.read", "user.manage", "system.config"},
		RoleCityAnalyst: {"audit.read", "user.manage"},
	}
	for r, perms := range denied {
		for _, perm := range perms {
			if p.Allows(User{Role: r}, perm) {
				t.Errorf("%s holds %s", r, perm)
			}
		}
	}
	if got := p.Granted(RoleAuditAdmin); strings.Join(permStrings(got), ",") != "audit.export,audit.read,signed_in" {
		t.Errorf("audit administrator holds %v", got)
	}
	for _, r := range admins {
		if !(User{Role: r}).ScopeOf().Empty() || (User{Role: r}).ScopeOf().IsAll() {
			t.Errorf("%s has a data scope", r)
		}
	}
	const perms = `"permissions":{"x.sys":"","x.sec":"","x.aud":""},"duties":{"system":["x.sys"],"security":["x.sec"],"audit":["x.aud"]}`
	for name, doc := range map[string]string{
		"one role, two duties":   `{` + perms + `,"roles":{"sysadmin":["x.sys","x.aud"]}}`,
		"one duty, two roles":    `{` + perms + `,"roles":{"secadmin":["x.sec"],"auditadmin":["x.sec"]}}`,
		"business role, a duty":  `{` + perms + `,"roles":{"city_admin":["x.aud"]}}`,
		"permission, two duties": `{"permissions":{"x":""},"duties":{"a":["x"],"b":["x"]},"roles":{}}`,
	} {
		if _, err := ParsePolicy([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := ParsePolicy([]byte(`{` + perms + `,"roles":{"sysadmin":["x.sys"],"secadmin":["x.sec"],"auditadmin":["x.aud"]}}`)); err != nil {
		t.Errorf("a separated policy is rejected: %v", err)
	}
}

func permStrings(ps []Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

// The hasher admits hashes while their memory fits the budget of
// concurrent × Params.Memory: a third policy-sized hash waits for one of
// two running ones, and a stored hash dearer than the budget runs alone.
func TestHasherMemoryBudget(t *testing.T) {
	h := NewHasher(TestParams, 2) // budget 2 × 1024 KiB
	ctx := context.Background()
	r1, err := h.acquire(ctx, 1024)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := h.acquire(ctx, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if h.sem.TryAcquire(1) {
		t.Fatal("a third hash was admitted beside two running ones")
	}
	r1()
	if !h.sem.TryAcquire(1024) {
		t.Fatal("a hash was not admitted after one ended")
	}
	h.sem.Release(1024)
	r2()
	big, err := h.acquire(ctx, 64*1024)
	if err != nil {
		t.Fatal(err)
	}
	if h.sem.TryAcquire(1) {
		t.Fatal("a hash was admitted beside one larger than the budget")
	}
	big()
	// A stored hash dearer than the budget still verifies (it takes the
	// whole budget rather than waiting forever).
	dear := NewHasher(Params{Memory: 8 * 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 1)
	hash, err := dear.Hash(ctx, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Verify(ctx, hash, "pw"); err != nil {
		t.Fatalf("verify a dearer hash: %v", err)
	}
	// A cancelled sign-in gives its place back.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.acquire(cctx, 1024); !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire with a cancelled context: %v", err)
	}
	if !h.sem.TryAcquire(2048) {
		t.Fatal("the budget is not whole again")
	}
}

// The dummy hash carries the hasher's parameters, so verifying against it
// costs a real verification, and no password matches it.
func TestDummyHash(t *testing.T) {
	h := NewHasher(Params{Memory: 2048, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}, 1)
	d := h.DummyHash()
	if !strings.HasPrefix(d, "$argon2id$v=19$m=2048,t=2,p=1$") {
		t.Fatalf("dummy hash parameters: %s", d)
	}
	for _, pw := range []string{"", "password", "正确的密码"} {
		if err := h.Verify(context.Background(), d, pw); !errors.Is(err, ErrMismatch) {
			t.Fatalf("Verify(dummy, %q) = %v, want ErrMismatch", pw, err)
		}
	}
	if d != h.DummyHash() {
		t.Fatal("dummy hash differs between calls")
	}
}

// Stored parameters are bounded: a hash claiming 16 GiB is refused before
// any memory is taken.
func TestVerifyRejectsAbsurdParameters(t *testing.T) {
	h := NewHasher(TestParams, 1)
	err := h.Verify(context.Background(), "$argon2id$v=19$m=16777216,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x")
	if err == nil || errors.Is(err, ErrMismatch) {
		t.Fatalf("Verify with m=16 GiB: %v", err)
	}
}

func TestBuiltinHashPolicy(t *testing.T) {
	p, err := BuiltinHashPolicy(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// RFC 9106's second recommended option, one at a time: each spreads over 4 threads already.
	if want := (Params{Memory: 65536, Time: 3, Threads: 4, KeyLen: 32, SaltLen: 16}); p.Params != want || p.Concurrent != 1 {
		t.Fatalf("policy = %+v", p)
	}
	if _, err := BuiltinHashPolicy(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Fatal("a policy before the first effective date")
	}
}

// TestScopeCovers: the city reaches every firm, an enterprise scope its
// own firm wherever it is, a district its firms, and a scope of neither
// (a department's or an institution's) no firm; an enterprise scope wins
// over a district given with it, as in the store's SQL.
func TestScopeCovers(t *testing.T) {
	both := Scope{EnterpriseID: 7, RegionCode: "500101"}
	for _, c := range []struct {
		name   string
		sc     Scope
		id     int64
		region string
		want   bool
	}{
		{"city", All(), 7, "500101", true},
		{"own firm", Enterprise(7), 7, "500102", true},
		{"another firm", Enterprise(7), 8, "500101", false},
		{"own district", Region("500101"), 8, "500101", true},
		{"another district", Region("500101"), 8, "500102", false},
		{"enterprise over district", both, 8, "500101", false},
		{"enterprise over district, own firm", both, 7, "500102", true},
		{"department", Scope{Department: "经信委运行监测处"}, 7, "500101", false},
		{"nothing", Scope{}, 7, "500101", false},
	} {
		if got := c.sc.Covers(c.id, c.region); got != c.want {
			t.Errorf("%s: Covers(%d, %s) = %v, want %v", c.name, c.id, c.region, got, c.want)
		}
	}
}
