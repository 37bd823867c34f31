package auth

import "testing"

func TestMasking(t *testing.T) {
	p, err := BuiltinPolicy()
	if err != nil {
		t.Fatal(err)
	}
	masked := MaskerFor(p, User{Role: RoleCityAnalyst})
	for got, want := range map[string]string{
		masked.Phone("13812345678"):           "138****5678",
		masked.Phone("023-6388"):              "****6388",
		masked.IDNumber("50010119900101123X"): "5****************X",
		masked.Name("张伟"):                     "张*",
		masked.Name("欧阳娜娜"):                   "欧***",
		masked.Name(""):                       "",
	} {
		if got != want {
			t.Errorf("masked %q, want %q", got, want)
		}
	}
	for _, r := range []Role{RoleCityAdmin, RoleDistrict, RoleEnterprise} {
		u := User{Role: r, RegionCode: "500101", EnterpriseID: 1}
		if got := MaskerFor(p, u).Phone("13812345678"); got != "13812345678" {
			t.Errorf("%s (personal.read) sees %q", r, got)
		}
	}
	for _, r := range []Role{RoleCityAnalyst, RoleSysAdmin, RoleSecAdmin, RoleAuditAdmin} {
		if p.Allows(User{Role: r}, PersonalRead) {
			t.Errorf("%s holds personal.read", r)
		}
	}
}
