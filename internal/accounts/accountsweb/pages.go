package accountsweb

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/accounts"
	"github.com/industrybrain/ibrain/internal/web"
)

type usersPage struct {
	web.BasePage
	Rows []userRow
	Data pageData
}

type pageData struct {
	Text map[string]string `json:"text"`
}

type userRow struct {
	apiAccount
	RoleName  string
	State     string // active | disabled | locked
	StateText string
	LastLogin string
	Actions   []actionButton
}

type actionButton struct {
	Action, Label string
}

func (m *module) usersPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	list, err := m.svc.List(r.Context())
	if err != nil {
		return err
	}
	p := usersPage{Data: pageData{Text: m.core.Prefixed(lang, "js.")}}
	p.BasePage = m.core.Base(r, c, "security.users_title", "security")
	p.Scripts = []string{"app.js", "accounts.js"}
	for _, a := range list {
		row := userRow{apiAccount: toAPIAccount(a), RoleName: m.core.T(lang, "role."+string(a.User.Role))}
		switch {
		case a.User.Disabled:
			row.State = "disabled"
		case a.Locked:
			row.State = "locked"
		default:
			row.State = "active"
		}
		row.StateText = m.core.T(lang, "security.state_"+row.State)
		if a.Locked {
			row.StateText += " · " + m.core.T(lang, "security.until", a.User.LockedUntil.UTC().Format("2006-01-02 15:04 UTC"))
		}
		if !a.User.LastLoginAt.IsZero() {
			row.LastLogin = strings.TrimSpace(a.User.LastLoginAt.UTC().Format("2006-01-02 15:04 UTC") + " " + a.User.LastLoginIP)
		}
		var acts []accounts.Action
		if a.Locked || a.User.FailedLogins > 0 {
			acts = append(acts, accounts.Unlock)
		}
		if a.User.Disabled {
			acts = append(acts, accounts.Enable)
		} else if a.User.ID != c.User.ID {
			acts = append(acts, accounts.Disable)
		}
		if a.Sessions > 0 {
			acts = append(acts, accounts.EndSessions)
		}
		for _, x := range acts {
			row.Actions = append(row.Actions, actionButton{Action: string(x), Label: m.core.T(lang, "security.action_"+strings.ReplaceAll(string(x), "-", "_"))})
		}
		p.Rows = append(p.Rows, row)
	}
	return m.core.Render(w, r, c, "security_users.html", p)
}

type policyPage struct {
	web.BasePage
	Version, EffectiveFrom, Source string
	Rows                           []policyRow
	Versions                       []string
}

type policyRow struct{ Label, Value string }

func (m *module) policyPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	ps := m.core.AccountPolicies()
	pol := ps.At(time.Now())
	p := policyPage{Version: pol.Version, EffectiveFrom: pol.EffectiveFrom, Source: pol.Source}
	p.BasePage = m.core.Base(r, c, "security.policy_title", "security")
	n := func(v int) string { return strconv.Itoa(v) }
	var roles []string
	for _, rl := range pol.SecondFactorRoles {
		roles = append(roles, t("role."+string(rl)))
	}
	p.Rows = []policyRow{
		{t("security.pw_min_length"), n(pol.Password.MinLength)},
		{t("security.pw_min_classes"), n(pol.Password.MinClasses)},
		{t("security.pw_history"), n(pol.Password.History)},
		{t("security.pw_max_age"), n(pol.Password.MaxAgeDays)},
		{t("security.lock_failures"), n(pol.Lockout.MaxFailures)},
		{t("security.lock_minutes"), n(pol.Lockout.Minutes)},
		{t("security.idle_minutes"), n(pol.Session.IdleMinutes)},
		{t("security.absolute_hours"), n(pol.Session.AbsoluteHours)},
		{t("security.max_concurrent"), n(pol.Session.MaxConcurrent)},
		{t("security.second_factor_roles"), strings.Join(roles, web.ListSep(lang))},
	}
	for _, v := range ps {
		p.Versions = append(p.Versions, v.Version+" ("+v.EffectiveFrom+")")
	}
	return m.core.Render(w, r, c, "security_policy.html", p)
}
