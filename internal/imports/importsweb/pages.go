package importsweb

import (
	"net/http"
	"slices"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/web"
)

// importPage is GET /import?kind=…: a selector of the kinds the user may
// import and the upload form of the chosen one, posting with fetch() to
// POST /api/v1/imports/{kind}; import.js shows the result or the
// row-by-row error report the API returns, in the request language.
type importPage struct {
	web.BasePage
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

// mayImport lists the kinds the request's user may import, in menu order.
func mayImport(c web.Ctx) []string {
	if !c.User.CanImport() {
		return nil
	}
	var kinds []string
	for _, k := range imports.Kinds {
		if c.Can(perms[k]) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

func (m *module) importPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	lang := c.Lang
	kinds := mayImport(c)
	if len(kinds) == 0 {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	p := importPage{Data: importData{Text: m.core.Prefixed(lang, "js.")}}
	p.BasePage = m.core.Base(r, c, "import.title", "import")
	p.Scripts = []string{"app.js", "import.js"}
	selected := r.URL.Query().Get("kind")
	if !slices.Contains(kinds, selected) {
		selected = kinds[0]
	}
	sep := web.ListSep(lang)
	for _, k := range kinds {
		ik := importKind{Kind: k, Title: m.core.T(lang, "import."+k), Help: m.core.T(lang, "import."+k+"_help"),
			TemplateXLS: "/api/v1/imports/" + k + "/template.xlsx?lang=" + lang, TemplateCSV: "/api/v1/imports/" + k + "/template.csv?lang=" + lang,
			URL: "/import?kind=" + k + "&lang=" + lang, Current: k == selected}
		switch k {
		case imports.KindReports:
			var fields []string
			for _, f := range report.Fields {
				fields = append(fields, web.PickLang(lang, f.NameZh, f.NameEn)+"（"+web.PickLang(lang, f.FileUnitZh, f.FileUnitEn)+"）")
			}
			ik.Columns = m.core.T(lang, "import.report_key_columns") + sep + strings.Join(fields, sep)
		case imports.KindEnterprises:
			ik.Columns = m.core.T(lang, "import.enterprise_columns")
		default:
			header, _, _ := imports.Template(k, lang)
			ik.Columns = strings.Join(header, sep)
		}
		p.Kinds = append(p.Kinds, ik)
		if ik.Current {
			p.Selected = ik
		}
	}
	return m.core.Render(w, r, c, "import.html", p)
}
