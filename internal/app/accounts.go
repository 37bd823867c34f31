package app

import (
	"github.com/industrybrain/ibrain/internal/accounts"
	"github.com/industrybrain/ibrain/internal/auth"
)

// AccountAdmin is account administration (create, role and scope) with
// hasher h and password policies ps, shared by 'ibrain user create' and
// the system administrator's pages: scopes are checked against the
// app's reference catalogues.
func (a *App) AccountAdmin(h *auth.Hasher, ps auth.AccountPolicies) *accounts.Admin {
	return accounts.NewAdmin(a.Store, accounts.AdminOptions{
		KnownRegion: func(code string) bool {
			_, ok := a.Ref.Regions.ByCode(code)
			return ok
		},
		KnownDepartment: a.KnownDepartment,
		Hasher:          h,
		Policies:        ps,
	})
}

// KnownDepartment reports whether the indicator catalogue names dept as
// an owner, so a department account always has indicators to enter.
func (a *App) KnownDepartment(dept string) bool {
	for _, ind := range a.Ref.Indicators.Indicators {
		if ind.Department == dept {
			return true
		}
	}
	return false
}
