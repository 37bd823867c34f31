package web

import (
	"html/template"
	"net/http"
	"sort"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/i18n"
)

func lang2sep(lang string) string {
	if lang == i18n.EN {
		return ", "
	}
	return "、"
}

// helpPage renders a module's help page in the request language.
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

func (u *ui) helpIndex(w http.ResponseWriter, r *http.Request, c Ctx) error {
	http.Redirect(w, r, "/help/"+helpModules[0], http.StatusSeeOther)
	return nil
}

func (u *ui) helpPage(w http.ResponseWriter, r *http.Request, c Ctx) error {
	pc := pageCtx{lang: c.Lang, user: c.User}
	mod := r.PathValue("module")
	src, ok := u.help[mod]
	if !ok {
		return apperr.New(apperr.NotFound, "err.help_not_found")
	}
	p := helpPage{Modules: u.helpLinks(pc.lang, mod), Body: renderMarkdown(helpPart(src, pc.lang))}
	p.basePage = u.base(r, pc, "help."+mod, "help")
	p.Module = mod
	p.Crumbs = []crumb{{Label: u.t(pc.lang, "nav.help"), URL: "/help"}, {Label: p.Title}}
	u.render(w, r, http.StatusOK, pc.lang, "help.html", p)
	return nil
}
