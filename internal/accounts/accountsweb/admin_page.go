package accountsweb

import (
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/web"
)

type adminPage struct {
	web.BasePage
	Rows    []adminRow
	Roles   []option
	Regions []option
	Data    pageData
}

type adminRow struct {
	adminAccount
	RoleName, Scope string
}

type option struct{ Value, Label string }

// adminPage is the system administrator's accounts: each with role and
// scope, a form to create one (the generated password is shown once) and
// one to change an account's role and scope.
func (m *module) adminPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	users, err := m.admin().List(r.Context())
	if err != nil {
		return err
	}
	p := adminPage{Data: pageData{Text: m.core.Prefixed(lang, "js.admin_accounts.")}}
	p.BasePage = m.core.Base(r, c, "admin_accounts.title", "admin-accounts")
	p.Scripts = []string{"app.js", "admin_accounts.js"}
	for _, rl := range auth.Roles {
		p.Roles = append(p.Roles, option{string(rl), m.core.T(lang, "role."+string(rl))})
	}
	for _, rg := range m.core.Regions().Regions {
		p.Regions = append(p.Regions, option{rg.Code, web.RegionName(lang, rg)})
	}
	for _, u := range users {
		row := adminRow{adminAccount: toAdminAccount(u), RoleName: m.core.T(lang, "role."+string(u.Role))}
		switch {
		case u.RegionCode != "":
			row.Scope = u.RegionCode
			if rg, ok := m.core.Regions().ByCode(u.RegionCode); ok {
				row.Scope = web.RegionName(lang, rg)
			}
		case u.EnterpriseID != 0:
			row.Scope = m.core.T(lang, "admin_accounts.enterprise_id", strconv.FormatInt(u.EnterpriseID, 10))
		case u.Department != "":
			row.Scope = u.Department
		}
		p.Rows = append(p.Rows, row)
	}
	return m.core.Render(w, r, c, "admin_accounts.html", p)
}
