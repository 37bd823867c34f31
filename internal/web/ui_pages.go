package web

import (
	"html/template"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/report"
)

// importPage is GET /import?kind=…: a selector of the kinds the user may
// import and the upload form of the chosen one, posting with fetch() to
// POST /api/v1/imports/{kind}; import.js shows the result or the
// row-by-row error report the API returns, in the request language.
type importPage struct {
	basePage
	Kinds    []importKind
	Selected importKind
	Data     importData
}

type importKind struct {
	Kind        string
	Title       string
	Help        string
	TemplateCSV string
	TemplateXLS string
	Columns     string
	URL         string // the selector link
	Current     bool
}

type importData struct {
	Text map[string]string `json:"text"`
}

func (u *ui) importPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	lang := pc.lang
	if !pc.user.CanImport() {
		u.renderError(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	p := importPage{Data: importData{Text: u.prefixed(lang, "js.")}}
	p.basePage = u.base(r, pc, "import.title", "import")
	p.Scripts = []string{"app.js", "import.js"}
	var kinds []string
	for _, k := range importer.Kinds {
		if !importKindForbidden(pc.user, k) && (k != importer.KindEnterprises || pc.user.Role != auth.RoleEnterprise) {
			kinds = append(kinds, k)
		}
	}
	selected := r.URL.Query().Get("kind")
	if !slices.Contains(kinds, selected) {
		selected = kinds[0]
	}
	for _, k := range kinds {
		ik := importKind{Kind: k, Title: u.t(lang, "import."+k), Help: u.t(lang, "import."+k+"_help"),
			TemplateXLS: "/api/v1/imports/" + k + "/template.xlsx?lang=" + lang, TemplateCSV: "/api/v1/imports/" + k + "/template.csv?lang=" + lang,
			URL: "/import?kind=" + k + "&lang=" + lang, Current: k == selected}
		switch k {
		case importer.KindReports:
			var fields []string
			for _, f := range report.Fields {
				fields = append(fields, pickLang(lang, f.NameZh, f.NameEn)+"（"+pickLang(lang, f.FileUnitZh, f.FileUnitEn)+"）")
			}
			ik.Columns = u.t(lang, "import.report_key_columns") + lang2sep(lang) + strings.Join(fields, lang2sep(lang))
		case importer.KindEnterprises:
			ik.Columns = u.t(lang, "import.enterprise_columns")
		default:
			header, _, _ := importer.Template(k, lang)
			ik.Columns = strings.Join(header, lang2sep(lang))
		}
		p.Kinds = append(p.Kinds, ik)
		if ik.Current {
			p.Selected = ik
		}
	}
	u.render(w, r, http.StatusOK, lang, "import.html", p)
}

func lang2sep(lang string) string {
	if lang == i18n.EN {
		return ", "
	}
	return "、"
}

// helpPage renders docs/help/{module}.md in the request language.
type helpPage struct {
	basePage
	Modules []helpLink
	Body    template.HTML // from renderMarkdown, which escapes the source
}

type helpLink struct {
	Module, Title string
	Current       bool
}

// helpModules are the help pages in menu order.
var helpModules = []string{"cockpit", "enterprises", "import", "targets", "reference"}

func (u *ui) helpLinks(lang, current string) []helpLink {
	var out []helpLink
	mods := append([]string(nil), helpModules...)
	for m := range u.help {
		if !containsString(mods, m) {
			mods = append(mods, m)
		}
	}
	sort.SliceStable(mods[len(helpModules):], func(i, j int) bool { return mods[len(helpModules)+i] < mods[len(helpModules)+j] })
	for _, m := range mods {
		if _, ok := u.help[m]; ok {
			out = append(out, helpLink{Module: m, Title: u.t(lang, "help."+m), Current: m == current})
		}
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (u *ui) helpIndex(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	http.Redirect(w, r, "/help/"+helpModules[0], http.StatusSeeOther)
}

func (u *ui) helpPage(w http.ResponseWriter, r *http.Request, pc pageCtx) {
	mod := r.PathValue("module")
	src, ok := u.help[mod]
	if !ok {
		u.renderError(w, r, http.StatusNotFound, "err.help_not_found")
		return
	}
	p := helpPage{Modules: u.helpLinks(pc.lang, mod), Body: renderMarkdown(helpPart(src, pc.lang))}
	p.basePage = u.base(r, pc, "help."+mod, "help")
	p.Module = mod
	p.Crumbs = []crumb{{Label: u.t(pc.lang, "nav.help"), URL: "/help"}, {Label: p.Title}}
	u.render(w, r, http.StatusOK, pc.lang, "help.html", p)
}
