package accounts

import (
	"context"
	"errors"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

// PermAdmin is the system administrator's account administration (the
// system duty of 三权分立): create accounts, change their role and data
// scope. Lockouts, disabling and sessions stay with PermManage.
const PermAdmin = auth.Permission("account.admin")

// AdminStore is what account administration needs.
type AdminStore interface {
	ListUsers(ctx context.Context) ([]auth.User, error)
	UserByID(ctx context.Context, id int64) (auth.User, error)
	CreateUser(ctx context.Context, u auth.User) (int64, error)
	// SetUserRole stores an account's role and scope fields; a change of
	// role ends the account's sessions.
	SetUserRole(ctx context.Context, u auth.User) error
	// EnterpriseIDByCreditCode returns 0 when no firm has the code.
	EnterpriseIDByCreditCode(ctx context.Context, code string) (int64, error)
}

// AdminOptions are account administration's collaborators.
type AdminOptions struct {
	// KnownRegion and KnownDepartment check a scope against the
	// reference catalogues (districts and zones; the departments the
	// indicator catalogue names).
	KnownRegion     func(code string) bool
	KnownDepartment func(dept string) bool
	// Hasher hashes passwords (the server's, or the CLI's production
	// parameters); Policies check a password that is given, not generated.
	Hasher   *auth.Hasher
	Policies auth.AccountPolicies
}

// Admin creates accounts and changes their role and scope, for the CLI
// ('ibrain user create') and the system administrator's pages alike.
type Admin struct {
	store AdminStore
	o     AdminOptions
}

// NewAdmin returns account administration over st.
func NewAdmin(st AdminStore, o AdminOptions) *Admin { return &Admin{store: st, o: o} }

// Grant is a role with its data scope as entered: the firm by its credit
// code.
type Grant struct {
	Role       auth.Role
	RegionCode string // district
	CreditCode string // enterprise
	Department string // department
}

// NewAccount is an account to create. An empty Password is generated and
// must be changed at the first sign-in.
type NewAccount struct {
	Username, DisplayName string
	Grant
	Password string
}

// Created is a new account with its password when it was generated
// (shown once, never stored in clear).
type Created struct {
	User      auth.User
	Password  string // "" when the caller gave the password
	Generated bool
}

// scope turns g into u's role and scope fields, refusing a scope the role
// does not take or that the catalogues do not know. Every refusal is
// Invalid and changes nothing.
func (a *Admin) scope(ctx context.Context, u *auth.User, g Grant) error {
	if !g.Role.Valid() {
		return apperr.New(apperr.Invalid, "accounts.err.role", string(g.Role))
	}
	want := map[auth.Role]string{auth.RoleDistrict: "region", auth.RoleEnterprise: "enterprise", auth.RoleDepartment: "department"}[g.Role]
	given := map[string]string{"region": g.RegionCode, "enterprise": g.CreditCode, "department": g.Department}
	for _, k := range []string{"region", "enterprise", "department"} {
		if given[k] != "" && k != want {
			return apperr.New(apperr.Invalid, "accounts.err.scope_role", k, string(g.Role))
		}
	}
	if want != "" && given[want] == "" {
		return apperr.New(apperr.Invalid, "accounts.err.scope_missing", want, string(g.Role))
	}
	u.Role, u.RegionCode, u.EnterpriseID, u.Department = g.Role, "", 0, ""
	switch want {
	case "region":
		if a.o.KnownRegion == nil || !a.o.KnownRegion(g.RegionCode) {
			return apperr.New(apperr.Invalid, "accounts.err.region", g.RegionCode)
		}
		u.RegionCode = g.RegionCode
	case "department":
		if a.o.KnownDepartment == nil || !a.o.KnownDepartment(g.Department) {
			return apperr.New(apperr.Invalid, "accounts.err.department", g.Department)
		}
		u.Department = g.Department
	case "enterprise":
		id, err := a.store.EnterpriseIDByCreditCode(ctx, g.CreditCode)
		if err != nil {
			return err
		}
		if id == 0 {
			return apperr.New(apperr.Invalid, "accounts.err.enterprise", g.CreditCode)
		}
		u.EnterpriseID = id
	}
	return nil
}

// Create creates an account. A taken username is a Conflict; a bad role,
// scope, username or given password is Invalid; nothing is stored then.
func (a *Admin) Create(ctx context.Context, n NewAccount) (Created, error) {
	u := auth.User{Username: n.Username, DisplayName: n.DisplayName}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	if err := auth.ValidateUsername(u.Username); err != nil {
		return Created{}, apperr.Wrap(err, apperr.Invalid, "accounts.err.username")
	}
	if err := a.scope(ctx, &u, n.Grant); err != nil {
		return Created{}, err
	}
	pw, generated := n.Password, n.Password == ""
	if generated {
		pw = auth.NewPassword(16)
		// Someone else has seen a generated password: the user picks
		// their own at the first sign-in.
		u.MustChangePassword = true
	} else if a.o.Policies != nil {
		var pe *auth.PasswordError
		if err := a.o.Policies.At(time.Now()).CheckPassword(u.Username, pw); errors.As(err, &pe) {
			return Created{}, apperr.Wrap(err, apperr.Invalid, pe.Key, pe.Args...)
		}
	}
	hash, err := a.o.Hasher.Hash(ctx, pw)
	if err != nil {
		return Created{}, err
	}
	u.PasswordHash = hash
	id, err := a.store.CreateUser(ctx, u)
	if err != nil {
		return Created{}, err
	}
	u.ID, u.PasswordHash = id, ""
	out := Created{User: u, Generated: generated}
	if generated {
		out.Password = pw
	}
	return out, nil
}

// SetRole changes account id's role and scope on behalf of actor. 三权分立:
// an administrator's duty is given only with a new account, so an
// existing account never moves into, out of or between the
// administrators' duties (it would have held two), and no one changes
// their own role.
func (a *Admin) SetRole(ctx context.Context, actor auth.User, id int64, g Grant) (auth.User, error) {
	u, err := a.store.UserByID(ctx, id)
	if err != nil {
		return auth.User{}, err
	}
	if id == actor.ID {
		return auth.User{}, apperr.New(apperr.Invalid, "accounts.err.own_role")
	}
	if (u.Role.Administrator() || g.Role.Administrator()) && u.Role != g.Role {
		return auth.User{}, apperr.New(apperr.Conflict, "accounts.err.duty", string(u.Role), string(g.Role))
	}
	if err := a.scope(ctx, &u, g); err != nil {
		return auth.User{}, err
	}
	if err := a.store.SetUserRole(ctx, u); err != nil {
		return auth.User{}, err
	}
	return a.store.UserByID(ctx, id)
}

// List returns every account.
func (a *Admin) List(ctx context.Context) ([]auth.User, error) { return a.store.ListUsers(ctx) }
