package accountsweb

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/accounts"
	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/web"
)

// The system administrator's account administration (三权分立, system
// duty): create accounts, change their role and data scope. Each POST
// records itself in the audit trail as an account change naming the
// account and the role, refused or not (the web core leaves
// /api/v1/admin/users to it).

// adminAccount is an account as the system administrator sees it: role
// and scope, no account-control state (that is the security duty's).
type adminAccount struct {
	ID           int64  `json:"id"`
	Username     string `json:"username"`
	DisplayName  string `json:"display_name"`
	Role         string `json:"role"`
	RegionCode   string `json:"region_code,omitempty"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	Department   string `json:"department,omitempty"`
	Disabled     bool   `json:"disabled"`
}

func toAdminAccount(u auth.User) adminAccount {
	return adminAccount{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role),
		RegionCode: u.RegionCode, EnterpriseID: u.EnterpriseID, Department: u.Department, Disabled: u.Disabled}
}

type adminAccounts struct {
	Accounts []adminAccount `json:"accounts"`
}

// grantBody is a role with its scope on the wire: the firm by its credit
// code.
type grantBody struct {
	Role       string `json:"role"`
	RegionCode string `json:"region_code"`
	CreditCode string `json:"credit_code"`
	Department string `json:"department"`
}

func (g grantBody) grant() accounts.Grant {
	return accounts.Grant{Role: auth.Role(g.Role), RegionCode: g.RegionCode, CreditCode: g.CreditCode, Department: g.Department}
}

type createBody struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	grantBody
}

// createdAccount carries the generated password, shown this once.
type createdAccount struct {
	Account  adminAccount `json:"account"`
	Password string       `json:"password"`
}

func (m *module) admin() *accounts.Admin {
	return m.newAdmin(m.core.Hasher(), m.core.AccountPolicies())
}

// recordAccount writes the account change with its outcome.
func (m *module) recordAccount(r *http.Request, target, detail string, err error) {
	e := audit.Event{Action: audit.AccountChange, Target: target, Detail: detail, Outcome: audit.OK}
	if err != nil {
		e.Outcome = audit.Failed
		e.Detail += ": " + string(apperr.CodeOf(err))
		var ae *apperr.Error
		if errors.As(err, &ae) {
			e.Detail += " " + ae.Key
		}
	}
	m.core.Record(r, e)
}

func (m *module) apiAdminList(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	users, err := m.admin().List(r.Context())
	if err != nil {
		return err
	}
	out := adminAccounts{Accounts: make([]adminAccount, 0, len(users))}
	for _, u := range users {
		out.Accounts = append(out.Accounts, toAdminAccount(u))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) apiAdminCreate(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b createBody
	if err := web.DecodeJSON(w, r, &b, 1<<14); err != nil {
		m.recordAccount(r, "", "create", err)
		return err
	}
	cr, err := m.admin().Create(r.Context(), accounts.NewAccount{Username: b.Username, DisplayName: b.DisplayName, Grant: b.grant()})
	m.recordAccount(r, b.Username, "created with role "+b.Role+scopeDetail(b.grantBody), err)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, createdAccount{Account: toAdminAccount(cr.User), Password: cr.Password})
	return nil
}

func (m *module) apiAdminRole(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil || id <= 0 {
		return web.BadParam("user", "an account id")
	}
	target := "account " + strconv.FormatInt(id, 10)
	var b grantBody
	if err := web.DecodeJSON(w, r, &b, 1<<14); err != nil {
		m.recordAccount(r, target, "role change", err)
		return err
	}
	u, err := m.admin().SetRole(r.Context(), c.User, id, b.grant())
	if err == nil {
		target = u.Username
	}
	m.recordAccount(r, target, "role set to "+b.Role+scopeDetail(b), err)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAdminAccount(u))
	return nil
}

func scopeDetail(g grantBody) string {
	for _, s := range []struct{ k, v string }{{"region", g.RegionCode}, {"enterprise", g.CreditCode}, {"department", g.Department}} {
		if s.v != "" {
			return ", " + s.k + " " + s.v
		}
	}
	return ""
}
