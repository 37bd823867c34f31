package importer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// sheet builds a Sheet as tabular.Read would: header on line 1, data rows
// from line 2, padded to one width.
func sheet(header []string, rows ...[]string) *tabular.Sheet {
	w := len(header)
	for _, r := range rows {
		w = max(w, len(r))
	}
	pad := func(c []string) []string {
		out := make([]string, w)
		copy(out, c)
		return out
	}
	s := &tabular.Sheet{Header: pad(header), HeaderLine: 1}
	for i, r := range rows {
		s.Rows = append(s.Rows, tabular.Row{Line: i + 2, Cells: pad(r)})
	}
	return s
}

// code returns the n-th synthetic credit code; its organisation code
// passes GB 11714 unless badOrg.
func code(n int, badOrg bool) string {
	body := fmt.Sprintf("%08d", n)
	oc, _ := creditcode.OrgCheckChar(body)
	if badOrg {
		if oc == '0' {
			oc = '1'
		} else {
			oc = '0'
		}
	}
	first17 := "91500112" + body + string(oc)
	cc, err := creditcode.CheckChar(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(cc)
}

// render formats every problem in both languages, failing on a missing
// key or a verb without its argument.
func render(t *testing.T, rep Report) {
	t.Helper()
	msgs := Messages()
	for _, list := range [][]RowError{rep.Errors, rep.Warnings} {
		for _, e := range list {
			texts, ok := msgs[e.Key]
			if !ok {
				t.Errorf("line %d: key %q has no message", e.Line, e.Key)
				continue
			}
			for _, txt := range texts {
				if s := fmt.Sprintf(txt, e.Args...); strings.Contains(s, "%!") {
					t.Errorf("line %d %s: bad rendering %q", e.Line, e.Key, s)
				}
			}
		}
	}
}

// replace returns a copy of row with cell i set to v.
func replace(row []string, i int, v string) []string {
	out := append([]string(nil), row...)
	out[i] = v
	return out
}

// without returns a copy of s without element i.
func without(s []string, i int) []string {
	out := append([]string(nil), s[:i]...)
	return append(out, s[i+1:]...)
}

func keysOf(list []RowError) []string {
	var out []string
	for _, e := range list {
		out = append(out, fmt.Sprintf("%d/%s/%s", e.Line, e.Column, e.Key))
	}
	return out
}

func TestRaggedSheetDoesNotPanic(t *testing.T) {
	header, ex := ReportTemplate("zh-CN")
	s := &tabular.Sheet{Header: header, HeaderLine: 1, Rows: []tabular.Row{{Line: 2, Cells: ex[0][:3]}}}
	if _, rep := Reports(s, ReportOptions{EnterpriseID: func(string) (int64, bool) { return 1, true }}); rep.OK() {
		t.Fatal("short row accepted")
	}
	eh, ee := EnterpriseTemplate("zh-CN")
	s = &tabular.Sheet{Header: eh, HeaderLine: 1, Rows: []tabular.Row{{Line: 2, Cells: ee[0][:2]}}}
	if _, rep := Enterprises(s, EnterpriseOptions{}); rep.OK() {
		t.Fatal("short row accepted")
	}
}
