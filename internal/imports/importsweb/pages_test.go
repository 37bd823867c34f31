package importsweb_test

import (
	"net/http"
	"testing"

	"github.com/industrybrain/ibrain/internal/web/webtest"
)

func TestImportPage(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		env.Run(t, []webtest.Scenario{
			{Name: "import page needs sign-in", URL: "/import", WantStatus: http.StatusSeeOther},
			{Name: "import page", URL: "/import", User: "admin", WantStatus: 200,
				WantContains:    []string{`data-import="enterprises"`, `data-kind="reports"`, `data-kind="profiles"`, `data-kind="mujun-facts"`, `data-kind="listing"`, "import.js"},
				WantNotContains: []string{`data-import="reports"`}},
			{Name: "import page, kind selected", URL: "/import?kind=reports", User: "admin", WantStatus: 200,
				WantContains: []string{`data-import="reports"`, "/api/v1/imports/reports/template.xlsx"}, WantNotContains: []string{`data-import="enterprises"`}},
			{Name: "import page, listing events in English", URL: "/import?kind=listing&lang=en", User: "wanzhou", WantStatus: 200,
				WantContains: []string{`data-import="listing"`, "/api/v1/imports/listing/template.csv?lang=en", "Listing pipeline events", "Credit code", "IPO proceeds (¥10k)"}},
			{Name: "an enterprise imports reports and its profile only", URL: "/import?kind=mujun-facts", User: "firm", WantStatus: 200,
				WantContains:    []string{`data-import="reports"`, `data-kind="profiles"`},
				WantNotContains: []string{`data-import="enterprises"`, `data-kind="enterprises"`, `data-kind="mujun-facts"`, `data-kind="listing"`}},
		})
	})
}
