package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
)

// The server-rendered pages. Each page is a typed struct embedding
// basePage, rendered through templates/layout.html plus the page's own
// file in templates/pages/. Templates are parsed once per language with a
// `t` function bound to that language, so a template says {{t "nav.cockpit"}}.
//
// Pages carry no inline script: data for a page's scripts travels as JSON in
// <script type="application/json"> elements and the code lives in
// static/*.js, so the Content-Security-Policy can forbid inline scripts.

//go:embed templates
var templateFS embed.FS

// contentSecurityPolicy allows only same-origin scripts, styles, data
// (fetch) and images. ECharts' tooltips are drawn in rich-text mode on the
// canvas, so no inline style attributes are needed either.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// ui is the page side of a Server: parsed templates, static files, the
// district map and help pages.
type ui struct {
	s      *Server
	assets *assets
	dmap   *districtMap
	pages  map[string]map[string]*template.Template // lang → page file → template
	help   map[string]string                        // module → Markdown source
	nav    []NavItem                                // the main menu's entries, in order
	tabs   []EntTab                                 // the enterprise tab row, in order
}

func uiOf(s *Server) *ui { return s.ui }

// registerUI adds the pages and static files to mux. Its inputs are all
// embedded, so a failure is a build defect and panics at start-up (and in
// every test) rather than serving broken pages.
func (s *Server) registerUI(mux *http.ServeMux) {
	u, err := newUI(s)
	if err != nil {
		panic(err)
	}
	s.ui = u

	mux.HandleFunc("GET /static/{hash}/{path...}", u.assets.serve)
	mux.HandleFunc("GET /static/map/chongqing.json", u.dmap.serve)
	mux.HandleFunc("GET /login", u.loginPage)

	for _, m := range s.modules {
		for _, pg := range m.Pages {
			mux.Handle(pg.Pattern(), s.guard(pg.Perm, s.serve(pg.Handler)))
		}
	}
	mux.Handle("GET /account", s.guard(signedIn, s.serve(u.accountPage)))
	mux.Handle("POST /account/password", s.guard(signedIn, s.serve(u.changePassword)))
	mux.Handle("GET /help", s.guard(signedIn, s.serve(u.helpIndex)))
	mux.Handle("GET /help/{module}", s.guard(signedIn, s.serve(u.helpPage)))

	// Anything else outside /api/ is a page that does not exist.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u.renderError(w, r, http.StatusNotFound, "err.not_found")
	})
}

func newUI(s *Server) (*ui, error) {
	u := &ui{s: s, pages: map[string]map[string]*template.Template{}, help: map[string]string{}, nav: s.navItems(), tabs: s.entTabList()}
	var err error
	var statics []fs.FS
	for _, m := range s.modules {
		if m.Static != nil {
			statics = append(statics, m.Static)
		}
	}
	if u.assets, err = loadAssets(statics...); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	raw, err := staticFS.ReadFile("static/vendor/chongqing.geojson")
	if err != nil {
		return nil, err
	}
	if u.dmap, err = buildDistrictMap(raw, s.regions); err != nil {
		return nil, err
	}
	for _, m := range s.modules {
		pages := map[string][]byte{}
		for name, md := range m.MoreHelp {
			pages[name] = md
		}
		if len(m.Help) > 0 {
			pages[m.Name] = m.Help
		}
		for name, md := range pages {
			if _, dup := u.help[name]; dup {
				return nil, fmt.Errorf("web: help page %s defined twice", name)
			}
			u.help[name] = string(md)
		}
	}
	// Every help page is listed under its title: a missing title would show
	// the raw key in the help menu.
	for m := range u.help {
		if s.catalog != nil && !s.catalog.Has("help."+m) {
			return nil, fmt.Errorf("web: help page %s has no title (catalogue key help.%s)", m, m)
		}
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, lang := range i18n.Langs() {
		u.pages[lang] = map[string]*template.Template{}
		for _, f := range files {
			name := path.Base(f)
			t, err := template.New(name).Funcs(u.funcs(lang)).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", f)
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			u.pages[lang][name] = t
		}
		// A module's pages are parsed with the same layout and partials.
		for _, m := range s.modules {
			if m.Templates == nil {
				continue
			}
			mfiles, err := fs.Glob(m.Templates, "*.html")
			if err != nil {
				return nil, err
			}
			for _, name := range mfiles {
				if _, dup := u.pages[lang][name]; dup {
					return nil, fmt.Errorf("web: module %s: template %s defined twice", m.Name, name)
				}
				t, err := template.New(name).Funcs(u.funcs(lang)).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
				if err == nil {
					t, err = t.ParseFS(m.Templates, name)
				}
				if err != nil {
					return nil, fmt.Errorf("web: module %s: template %s: %w", m.Name, name, err)
				}
				u.pages[lang][name] = t
			}
		}
	}
	return u, nil
}

// t translates in lang, through the server's catalogue.
func (u *ui) t(lang, key string, args ...any) string {
	if u.s.catalog == nil {
		return key
	}
	return u.s.catalog.T(lang, key, args...)
}

// prefixed returns the catalogue texts under prefix in lang, for scripts.
func (u *ui) prefixed(lang, prefix string) map[string]string {
	if u.s.catalog == nil {
		return map[string]string{}
	}
	return u.s.catalog.Prefixed(lang, prefix)
}

// funcs are the template functions for one language.
func (u *ui) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":     func(key string, args ...any) string { return u.t(lang, key, args...) },
		"asset": u.assets.url,
		"num":   func(v float64, digits int) string { return formatNumber(v, digits) },
		"int":   func(v int64) string { return formatNumber(float64(v), 0) },
		// count formats a count of firms and the like with separators.
		"count": func(v int) string { return formatNumber(float64(v), 0) },
		"signed": func(v float64) string {
			return formatSigned(v, 1)
		},
		"add": func(a, b int) int { return a + b },
		// enttabs renders the tab row of a page about one enterprise.
		"enttabs": func(t *entTabs) []entTabView { return u.entTabRow(lang, t) },
		"pick": func(zh, en string) string {
			if lang == i18n.EN && en != "" {
				return en
			}
			return zh
		},
	}
}

// pageCtx is the request's language and signed-in user as the core's
// rendering (base, renderError) reads them; handlers get a Ctx.
type pageCtx struct {
	lang string
	user auth.User
}

// basePage is embedded in every page struct: what the layout needs.
type basePage struct {
	Lang       string
	Title      string
	Nav        string // active navigation item
	Module     string // help module for the page's "?" link
	User       *userView
	SwitchURL  string // this page in the other language
	SwitchLang string
	Crumbs     []crumb
	Scripts    []string  // static files to load, in order
	EntTabs    *entTabs  // the tab row of a page about one enterprise
	Menu       *menuView // the main navigation for the signed-in user
	Badges     []badgeView
}

// badgeView is a module's badge as the layout shows it.
type badgeView struct {
	ID, Label, Title, URL string
	N                     int
}

// userView is the signed-in user as the layout shows them.
type userView struct {
	Name      string
	Role      string
	City      bool // a city-wide role
	District  bool
	Company   bool // an enterprise user
	CanImport bool
	HomeURL   string
	OwnURL    string // the enterprise user's profile
}

type crumb struct {
	Label string
	URL   string // empty for the current page
}

// base fills the common part of a page.
func (u *ui) base(r *http.Request, pc pageCtx, titleKey, nav string) basePage {
	// app.js on every page: the navigation menus use it; pages with their
	// own scripts list it again with them.
	b := basePage{Lang: pc.lang, Title: u.t(pc.lang, titleKey), Nav: nav, Module: nav, Scripts: []string{"app.js"}}
	b.SwitchLang = i18n.EN
	if pc.lang == i18n.EN {
		b.SwitchLang = i18n.ZH
	}
	b.SwitchURL = withQuery(r.URL, "lang", b.SwitchLang)
	if pc.user.ID != 0 || pc.user.Username != "" {
		usr := pc.user
		v := &userView{Name: usr.DisplayName, Role: u.t(pc.lang, "role."+string(usr.Role)), CanImport: usr.CanImport(), HomeURL: homeURL(usr)}
		if v.Name == "" {
			v.Name = usr.Username
		}
		switch usr.Role {
		case auth.RoleCityAdmin, auth.RoleCityAnalyst:
			v.City = true
		case auth.RoleDistrict:
			v.District = true
		case auth.RoleEnterprise:
			v.Company = true
			v.OwnURL = v.HomeURL
		}
		b.User = v
		b.Menu = u.menu(pc.lang, usr)
		for _, m := range u.s.modules {
			for _, bg := range m.Badges {
				n, err := bg.Count(r.Context(), usr)
				if err != nil {
					n = 0
				}
				b.Badges = append(b.Badges, badgeView{ID: bg.ID, Label: u.t(pc.lang, bg.Label), Title: u.t(pc.lang, bg.Title, n), URL: bg.Path, N: n})
			}
		}
	}
	return b
}

// homeURL is where a user lands: district officers on their district,
// enterprise users on their own profile, city roles on the city cockpit.
func homeURL(usr auth.User) string {
	switch usr.Role {
	case auth.RoleDistrict:
		return "/districts/" + url.PathEscape(usr.RegionCode)
	case auth.RoleEnterprise:
		return "/enterprises/" + strconv.FormatInt(usr.EnterpriseID, 10)
	case auth.RoleDepartment:
		// A department sees no enterprise data: it lands on its entry
		// page (module tasks).
		return "/tasks/entry"
	case auth.RoleSecAdmin:
		// The three administrators see no business data: each lands on
		// the page of their duty ("/" would send them back to "/").
		return "/security/users"
	case auth.RoleAuditAdmin:
		return "/audit"
	case auth.RoleSysAdmin:
		return "/admin/accounts"
	case auth.RoleSharingOperator, auth.RoleUnitAdmin, auth.RoleInstrumentManager, auth.RoleAcademic:
		return "/instruments"
	}
	return "/"
}

// withQuery returns u's path and query with key set to value.
func withQuery(u *url.URL, key, value string) string {
	q := u.Query()
	q.Set(key, value)
	return u.Path + "?" + q.Encode()
}

// render executes a page into a buffer first, so a template error becomes a
// clean error page instead of half a page.
func (u *ui) render(w http.ResponseWriter, r *http.Request, status int, lang, page string, data any) {
	t := u.pages[i18n.Normalize(lang)][page]
	if t == nil {
		u.s.log.ErrorContext(r.Context(), "unknown page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		u.s.log.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		if page != "error.html" {
			u.renderError(w, r, http.StatusInternalServerError, "err.internal")
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Cache-Control", "no-store") // pages hold scoped data
	h.Set("Content-Language", i18n.Normalize(lang))
	h.Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is the page for a failed request.
type errorPage struct {
	basePage
	Status  int
	Message string
}

// renderErrorPage renders the error page for a failed non-API request.
// msg is a catalogue key or a message already in the request language (the
// API code's writeError passes the latter).
func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if u := uiOf(s); u != nil {
		u.renderError(w, r, status, msg)
		return
	}
	http.Error(w, msg, status)
}

// renderError shows the error page; msg is a catalogue key (formatted with
// args) or, when the catalogue lacks it, a finished message.
func (u *ui) renderError(w http.ResponseWriter, r *http.Request, status int, msg string, args ...any) {
	pc := pageCtx{lang: Lang(r)}
	if usr, ok := UserFrom(r.Context()); ok {
		pc.user = usr
	}
	if u.s.catalog != nil && u.s.catalog.Has(msg) {
		msg = u.t(pc.lang, msg, args...)
	}
	p := errorPage{basePage: u.base(r, pc, "err.page_title", ""), Status: status, Message: msg}
	u.render(w, r, status, pc.lang, "error.html", p)
}

// formatNumber renders v with digits decimals and thousands separators,
// which both languages use for statistics.
func formatNumber(v float64, digits int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', digits, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// formatSigned renders a change with an explicit sign.
func formatSigned(v float64, digits int) string {
	s := formatNumber(v, digits)
	if !strings.HasPrefix(s, "-") && strings.Trim(s, "0.,") != "" {
		s = "+" + s
	}
	return s
}
