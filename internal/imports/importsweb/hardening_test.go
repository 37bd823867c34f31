package importsweb_test

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestImportValueAtInt64Limit is the regression test of a report value at
// the int64 limit in fen (9223372036854.775807 万元): it was stored, and
// the totals it fed overflowed into an HTTP 500. Now every such row gets a
// row error and the file writes nothing.
func TestImportValueAtInt64Limit(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		header, _ := importer.ReportTemplate("zh-CN")
		a, b := webtest.CreditCode(t, "500101", 1), webtest.CreditCode(t, "500101", 2)
		row := func(code, output string) []string {
			return []string{code, "2024-07", output, "1310.2", "5102.75", "-12.5", "160.3", "820", "210.45", "1234.567", "318"}
		}
		env.Run(t, []webtest.Scenario{
			importScenario(t, "two rows at the int64 limit", "reports", "admin", header,
				[][]string{row(a, "9223372036854.775807"), row(b, "9223372036854.775807")}, 422,
				[]string{`"row":2`, `"row":3`, importer.KeyNumberRange, "100000000"}, []string{`"inserted"`}),
			importScenario(t, "a value that overflows when scaled to fen", "reports", "admin", header,
				[][]string{row(a, "9223372036854775807")}, 422,
				[]string{`"row":2`, importer.KeyNumberRange}, nil),
			importScenario(t, "the hostile 9,000,000,000,000 万元", "reports", "admin", header,
				[][]string{row(a, "9,000,000,000,000")}, 422,
				[]string{`"row":2`, importer.KeyNumberRange}, nil),
			{Name: "the cockpit totals still answer", URL: "/api/v1/stats/kpis?year=2024&month=7", User: "admin", WantStatus: 200},
		})
	})
}
