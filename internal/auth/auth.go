// Package auth holds accounts, roles and data scopes. A Scope travels with
// every store query, so what a user may read is decided in SQL, not in the
// page that happens to show it.
package auth

import (
	"errors"
	"strings"
	"time"
)

// Role is a user's role.
type Role string

// Roles.
const (
	RoleCityAdmin   Role = "city_admin"   // the commission's business administrator: reference data, targets, evaluations; sees everything
	RoleCityAnalyst Role = "city_analyst" // sees everything, changes nothing but imports
	RoleDistrict    Role = "district"     // one district or zone
	RoleEnterprise  Role = "enterprise"   // one enterprise
	// RoleDepartment: a bureau or commission department that enters the
	// values of the indicators it owns (部门填报), e.g. the statistics bureau.
	RoleDepartment Role = "department"

	// The three administrators of 三权分立 (等保 L3 separation of duties):
	// each holds one duty's permissions only, no data permission and no
	// data scope, and an account has exactly one role, so no account can
	// hold two of them.
	RoleSysAdmin   Role = "sysadmin"   // 系统管理员: operates the platform, creates accounts and assigns roles
	RoleSecAdmin   Role = "secadmin"   // 安全管理员: lockouts, disabling, sessions, account-control policy
	RoleAuditAdmin Role = "auditadmin" // 审计管理员: reads and exports the audit trail

	// The instrument-sharing marketplace's roles (module instruments):
	// the platform operator (the science bureau), an owning unit's
	// administrator, an instrument manager (the instruments assigned to
	// them) and an academic user. Their unit is kept by the module.
	RoleSharingOperator   Role = "sharing_operator"
	RoleUnitAdmin         Role = "unit_admin"
	RoleInstrumentManager Role = "instrument_manager"
	RoleAcademic          Role = "academic"
)

// Roles lists every role.
var Roles = []Role{RoleCityAdmin, RoleCityAnalyst, RoleDistrict, RoleEnterprise, RoleDepartment, RoleSysAdmin, RoleSecAdmin, RoleAuditAdmin,
	RoleSharingOperator, RoleUnitAdmin, RoleInstrumentManager, RoleAcademic}

// Administrator reports whether r is one of the three administrator
// roles, which must use a second factor.
func (r Role) Administrator() bool {
	return r == RoleSysAdmin || r == RoleSecAdmin || r == RoleAuditAdmin
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is an account.
type User struct {
	ID           int64
	Username     string
	DisplayName  string
	PasswordHash string
	Role         Role
	RegionCode   string // RoleDistrict only
	EnterpriseID int64  // RoleEnterprise only
	Department   string // RoleDepartment only: the department as the indicator catalogue names it
	Disabled     bool

	// Account controls (AccountPolicy), kept by the store.
	FailedLogins       int       // consecutive failed sign-ins
	LockedUntil        time.Time // zero when not locked
	LastLoginAt        time.Time // the successful sign-in before the latest (zero: none)
	LastLoginIP        string
	PasswordChangedAt  time.Time
	MustChangePassword bool   // set by a reset or a generated password
	TOTPSecret         string // base32; empty when no second factor is enrolled

	// ScopePending allows creating a district or enterprise account whose
	// region or firm is not known yet (single sign-on): its scope is empty
	// and grants nothing until an administrator sets it. Not stored.
	ScopePending bool
}

// External reports whether the account signs in only through a single
// sign-on provider (it has no password, so no password rule applies).
func (u User) External() bool { return strings.HasPrefix(u.PasswordHash, "!") }

// Scope limits which data a query may touch. The zero Scope sees nothing;
// use All for city-wide roles. RegionCode and EnterpriseID scope the
// enterprise data (the store turns them into SQL); the other dimensions
// scope what the next modules own: a department's workflow tasks (the
// reporting review), an institution's instruments and bookings (the
// marketplace), and an instance of a federation (Tenant, e.g. "cq" or
// "sc"). A dimension a store method does not know grants nothing there.
type Scope struct {
	all           bool
	RegionCode    string
	EnterpriseID  int64
	Department    string // a commission department or bureau, e.g. "经信委运行监测处"
	InstitutionID int64  // a university, institute or other owning unit
	Tenant        string // the federation instance the data belongs to
}

// All is the city-wide scope.
func All() Scope { return Scope{all: true} }

// Region returns a scope of one district or zone.
func Region(code string) Scope { return Scope{RegionCode: code} }

// Enterprise returns a scope of one enterprise.
func Enterprise(id int64) Scope { return Scope{EnterpriseID: id} }

// IsAll reports whether the scope is city-wide.
func (s Scope) IsAll() bool { return s.all }

// Empty reports whether the scope grants no enterprise data. A scope of
// only a department or an institution is Empty here: it reaches its own
// module's records, never a firm's statistics.
func (s Scope) Empty() bool { return !s.all && s.RegionCode == "" && s.EnterpriseID == 0 }

// Covers reports whether the scope reaches an enterprise of a district:
// the rule the store applies in SQL (an enterprise scope first, then a
// district), for sets filtered in memory.
func (s Scope) Covers(enterpriseID int64, regionCode string) bool {
	switch {
	case s.all:
		return true
	case s.EnterpriseID != 0:
		return enterpriseID == s.EnterpriseID
	case s.RegionCode != "":
		return regionCode == s.RegionCode
	}
	return false
}

// InTenant returns the scope limited to one federation instance.
func (s Scope) InTenant(id string) Scope { s.Tenant = id; return s }

// ScopeOf returns the data scope of a user.
func (u User) ScopeOf() Scope {
	switch u.Role {
	case RoleCityAdmin, RoleCityAnalyst:
		return All()
	case RoleDistrict:
		return Region(u.RegionCode)
	case RoleEnterprise:
		return Enterprise(u.EnterpriseID)
	case RoleDepartment:
		return Scope{Department: u.Department}
	}
	return Scope{}
}

// CanImport reports whether the user may import data files.
func (u User) CanImport() bool { return u.Role != RoleEnterprise || u.EnterpriseID != 0 }

// CanAdmin reports whether the user is the business administrator
// (targets, reference data); accounts and roles are the system
// administrator's, their lockouts and sessions the security administrator's.
func (u User) CanAdmin() bool { return u.Role == RoleCityAdmin }

// ErrUsername is returned for a username outside [a-z0-9._-]{3,32}.
var ErrUsername = errors.New("username must be 3–32 characters of a-z, 0-9, '.', '_' or '-'")

// ValidateUsername checks the username alphabet.
func ValidateUsername(name string) error {
	if len(name) < 3 || len(name) > 32 {
		return ErrUsername
	}
	if strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
	}) >= 0 {
		return ErrUsername
	}
	return nil
}

// Validate checks that the role and its scope fields agree.
func (u User) Validate() error {
	if err := ValidateUsername(u.Username); err != nil {
		return err
	}
	if !u.Role.Valid() {
		return errors.New("unknown role")
	}
	if u.ScopePending {
		return nil
	}
	if u.Role == RoleDistrict && u.RegionCode == "" {
		return errors.New("a district officer needs a region")
	}
	if u.Role == RoleEnterprise && u.EnterpriseID == 0 {
		return errors.New("an enterprise user needs an enterprise")
	}
	if u.Role == RoleDepartment && u.Department == "" {
		return errors.New("a department user needs a department")
	}
	return nil
}
