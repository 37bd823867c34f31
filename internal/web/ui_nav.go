package web

import (
	"net/url"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
)

// The main navigation groups the pages by what an official does with them
// (monitor, cultivate, evaluate, data) so the bar stays one line at 1280 px
// and on a phone; every page about one enterprise carries the same row of
// tabs (profile, title eligibility, 亩均 result, listing timeline) so the
// four views of a firm link to each other wherever one lands.

// NavGroup is the main-navigation group holding the page's Nav item, for
// the layout to mark the group of the current page.
func (b basePage) NavGroup() string {
	switch b.Nav {
	case "cockpit", "enterprises", "targets", "scoreboard":
		return "monitor"
	case "cultivation", "goals", "hardtech", "listing":
		return "cultivate"
	case "mujun", "mujun_targets":
		return "evaluate"
	case "import", "reference":
		return "data"
	}
	return ""
}

// entTabs is the tab row of the pages about one enterprise.
type entTabs struct {
	ID     int64
	Active string // profile, eligibility, mujun or listing
}

// withEntTabs sets the enterprise tab row on a page's base.
func (b *basePage) withEntTabs(id int64, active string) {
	b.EntTabs = &entTabs{ID: id, Active: active}
}

// entCrumbs is the breadcrumb trail of a page about one enterprise: the
// same trail as the profile (city, district, enterprise list, the firm),
// then section when the page is one of the firm's other views.
func (u *ui) entCrumbs(lang string, usr auth.User, id int64, name, regionCode, section string) []crumb {
	profile := "/enterprises/" + strconv.FormatInt(id, 10)
	firm := crumb{Label: name}
	if section != "" {
		firm.URL = profile
	}
	var out []crumb
	reg, hasReg := u.s.regions.ByCode(regionCode)
	regionURL := ""
	if hasReg && canSeeRegion(usr, reg.Code) {
		regionURL = districtURL(reg.Code)
	}
	switch usr.Role {
	case auth.RoleEnterprise:
	case auth.RoleDistrict:
		if hasReg {
			out = append(out, crumb{Label: regionName(lang, reg), URL: regionURL})
		}
		out = append(out, crumb{Label: u.t(lang, "enterprises.title"), URL: "/enterprises"})
	default:
		out = append(out, crumb{Label: u.t(lang, "scope.city"), URL: "/"})
		if hasReg {
			out = append(out, crumb{Label: regionName(lang, reg), URL: regionURL})
		}
		out = append(out, crumb{Label: u.t(lang, "enterprises.title"), URL: "/enterprises?region=" + url.QueryEscape(regionCode)})
	}
	out = append(out, firm)
	if section != "" {
		out = append(out, crumb{Label: section})
	}
	return out
}

// relLink is one link of a page's "related pages" row.
type relLink struct {
	ID, Label, URL string
}

// districtLinks are the module pages filtered to one district, linked
// from that district's cockpit so an officer reaches the district's
// goals, 亩均 ranking, cultivation candidates, pool and listings in one
// click.
func (u *ui) districtLinks(lang, code string) []relLink {
	q := "?region=" + url.QueryEscape(code)
	return []relLink{
		{ID: "rel-enterprises", Label: u.t(lang, "nav.enterprises"), URL: "/enterprises" + q},
		{ID: "rel-goals", Label: u.t(lang, "nav.goals"), URL: "/goals" + q},
		{ID: "rel-mujun", Label: u.t(lang, "nav.mujun"), URL: "/mujun" + q + "#ranking"},
		{ID: "rel-cultivation", Label: u.t(lang, "nav.cultivation"), URL: "/cultivation" + q},
		{ID: "rel-hardtech", Label: u.t(lang, "nav.hardtech"), URL: "/hardtech" + q},
		{ID: "rel-listing", Label: u.t(lang, "nav.listing"), URL: "/listing" + q},
	}
}
