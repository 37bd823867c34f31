package web

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
)

// The main navigation groups the pages by what an official does with them
// (monitor, cultivate, evaluate, data) so the bar stays one line at 1280 px
// and on a phone; every page about one enterprise carries the same row of
// tabs (profile, title eligibility, 亩均 result, listing timeline) so the
// four views of a firm link to each other wherever one lands.

// NavItem is one entry of the main navigation, contributed by a module
// (Module.Nav) or the core. The menu a user sees is built from every
// module's items, filtered by permission and audience, so adding a feature
// never touches the layout.
type NavItem struct {
	Group string // GroupMonitor, GroupCultivate, GroupEvaluate or GroupData
	ID    string // what pages set as BasePage.Nav to mark it current
	Label string // catalogue key
	Path  string // the link; see URL
	// URL, when set, gives the link per user instead of Path (the cockpit
	// is a district officer's own district, say).
	URL   func(u auth.User) string
	Perm  auth.Permission // shown only to users who hold it
	Order int             // position in its group (and in the enterprise menu)
	// Audience is who sees it: officials (city and district roles),
	// enterprise users, or both.
	Audience Audience
}

// Audience says whose menu a NavItem is in.
type Audience int

// Audiences. Officials get the grouped menu, enterprise users a flat one.
const (
	Officials Audience = 1 << iota
	Enterprises
	Everyone = Officials | Enterprises
)

// The navigation groups, in menu order: what an official does with the
// pages.
const (
	GroupMonitor   = "monitor"
	GroupCultivate = "cultivate"
	GroupEvaluate  = "evaluate"
	GroupData      = "data"
)

// navGroups are the groups in menu order.
func navGroups() []string { return []string{GroupMonitor, GroupCultivate, GroupEvaluate, GroupData} }

// menuView is the main navigation as the layout renders it.
type menuView struct {
	Groups []navGroupView // officials: grouped
	Flat   []navLink      // enterprise users: one row
}

type navGroupView struct {
	ID, Label string
	Items     []navLink
}

// navLink is one link of the menu; the layout marks the one whose ID is
// the page's Nav.
type navLink struct {
	ID, Label, URL string
}

// navItems are every module's menu entries and the core's, by order.
func (s *Server) navItems() []NavItem {
	var items []NavItem
	for _, m := range s.modules {
		items = append(items, m.Nav...)
	}
	slices.SortStableFunc(items, func(a, b NavItem) int { return cmp.Compare(a.Order, b.Order) })
	return items
}

// menu builds usr's menu.
func (u *ui) menu(lang string, usr auth.User) *menuView {
	enterprise := usr.Role == auth.RoleEnterprise
	m := &menuView{}
	groups := map[string]*navGroupView{}
	for _, g := range navGroups() {
		groups[g] = &navGroupView{ID: g, Label: u.t(lang, "nav.group."+g)}
	}
	for _, it := range u.nav {
		if enterprise && it.Audience&Enterprises == 0 || !enterprise && it.Audience&Officials == 0 || !u.s.policy.Allows(usr, it.Perm) {
			continue
		}
		link := navLink{ID: it.ID, Label: u.t(lang, it.Label), URL: it.Path}
		if it.URL != nil {
			link.URL = it.URL(usr)
		}
		if enterprise {
			m.Flat = append(m.Flat, link)
			continue
		}
		g, ok := groups[it.Group]
		if !ok {
			continue
		}
		g.Items = append(g.Items, link)
	}
	for _, g := range navGroups() {
		if len(groups[g].Items) > 0 {
			m.Groups = append(m.Groups, *groups[g])
		}
	}
	return m
}

// EntTab is one tab of the row every page about one enterprise carries
// (profile, title eligibility, 亩均 result, listing timeline), contributed
// by the module that owns the view, so the views of a firm link to each
// other wherever one lands.
type EntTab struct {
	ID    string // what the page passes to WithEntTabs; the link's id is ID+"-link"
	Label string // catalogue key
	// Path is the tab's URL for an enterprise id.
	Path  func(id int64) string
	Order int
}

// entTabs says which enterprise a page is about and which of its views.
type entTabs struct {
	ID     int64
	Active string
}

type entTabView struct {
	ID, Label, URL string
	Current        bool
}

// withEntTabs sets the enterprise tab row on a page's base; the tabs are
// filled when the page is rendered.
func (b *basePage) withEntTabs(id int64, active string) {
	b.EntTabs = &entTabs{ID: id, Active: active}
}

// entTabRow renders the tab row of a page about one enterprise in lang.
func (u *ui) entTabRow(lang string, t *entTabs) []entTabView {
	if t == nil {
		return nil
	}
	out := make([]entTabView, 0, len(u.tabs))
	for _, tab := range u.tabs {
		out = append(out, entTabView{ID: tab.ID, Label: u.t(lang, tab.Label), URL: tab.Path(t.ID), Current: tab.ID == t.Active})
	}
	return out
}

// entTabList are every module's enterprise tabs and the core's, by order.
func (s *Server) entTabList() []EntTab {
	var tabs []EntTab
	for _, m := range s.modules {
		tabs = append(tabs, m.EntTabs...)
	}
	slices.SortStableFunc(tabs, func(a, b EntTab) int { return cmp.Compare(a.Order, b.Order) })
	return tabs
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
