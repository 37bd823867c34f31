package accountsweb

import (
	"net/http"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/accounts"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/web"
)

// apiAccount is one account on the wire: no password hash, no second
// factor secret, only whether one is enrolled.
type apiAccount struct {
	ID           int64  `json:"id"`
	Username     string `json:"username"`
	DisplayName  string `json:"display_name"`
	Role         string `json:"role"`
	Disabled     bool   `json:"disabled"`
	Locked       bool   `json:"locked"`
	LockedUntil  string `json:"locked_until,omitempty"`
	FailedLogins int    `json:"failed_logins"`
	LastLoginAt  string `json:"last_login_at,omitempty"`
	LastLoginIP  string `json:"last_login_ip,omitempty"`
	SecondFactor bool   `json:"second_factor"`
	Sessions     int    `json:"sessions"`
}

type apiAccounts struct {
	Accounts []apiAccount `json:"accounts"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func toAPIAccount(a accounts.Account) apiAccount {
	u := a.User
	out := apiAccount{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), Disabled: u.Disabled, Locked: a.Locked,
		FailedLogins: u.FailedLogins, LastLoginAt: stamp(u.LastLoginAt), LastLoginIP: u.LastLoginIP, SecondFactor: u.TOTPSecret != "", Sessions: a.Sessions}
	if a.Locked {
		out.LockedUntil = stamp(u.LockedUntil)
	}
	return out
}

func (m *module) apiList(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	list, err := m.svc.List(r.Context())
	if err != nil {
		return err
	}
	out := apiAccounts{Accounts: make([]apiAccount, 0, len(list))}
	for _, a := range list {
		out.Accounts = append(out.Accounts, toAPIAccount(a))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) apiAct(a accounts.Action) web.Handler {
	return func(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
		// {user}, not {id}: an account id is not an enterprise id.
		id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
		if err != nil || id <= 0 {
			return web.BadParam("user", "an account id")
		}
		acc, err := m.svc.Act(r.Context(), c.User, id, a)
		if err != nil {
			return err
		}
		web.WriteJSON(w, http.StatusOK, toAPIAccount(acc))
		return nil
	}
}

// apiPolicy is the account policy in force and every version.
type apiPolicy struct {
	InForce  auth.AccountPolicy   `json:"in_force"`
	Versions []auth.AccountPolicy `json:"versions"`
}

func (m *module) apiPolicy(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ps := m.core.AccountPolicies()
	web.WriteJSON(w, http.StatusOK, apiPolicy{InForce: ps.At(time.Now()), Versions: ps})
	return nil
}
