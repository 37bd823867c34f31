package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// User-facing text comes from the message catalogue (internal/i18n/*.json),
// never from Go string literals, so every text exists in zh-CN and en and
// can be reviewed in one place. TestNoHanLiterals parses every non-test Go
// file of the module and fails on a string literal holding a Han character,
// unless its path is listed below. A path is a file or a prefix ending in
// "/" (a directory) or in a partial file name.

// hanData are paths whose Han literals are data, not messages.
var hanData = map[string]string{
	// The import file formats: Chinese column headers and their aliases,
	// the cell values accepted (是/否, 规上, stage and board names …) and the
	// template's sample rows, as the files in the field are written. The
	// importer's messages are in internal/i18n/importer.*.json.
	"internal/importer/columns.go":       "import file format: the 单位: unit suffix of a header",
	"internal/importer/enterprise.go":    "import file format: enterprise-list headers, aliases and sample rows",
	"internal/importer/reports.go":       "import file format: monthly-report headers and aliases",
	"internal/importer/profiles.go":      "import file format: profile-fact headers, aliases and accepted values",
	"internal/importer/listingevents.go": "import file format: listing-event headers, stage/board/kind names accepted, sample rows",
	"internal/importer/mujunfacts.go":    "import file format: 亩均 fact headers, aliases and accepted values",
	"internal/importer/kinds.go":         "import file format: the words accepted for none (无, 没有, 否)",
	"internal/importer/parse.go":         "import file format: date separators (年月日) and yes/no words accepted in cells",
	"internal/importer/instruments.go":   "import file format: instrument-list headers, aliases, service modes and charge units accepted, sample rows",
	// Official citations and names that are data.
	"internal/rules/value.go":     "zh-CN number formatting (the 万/亿 magnitudes, 美元) and the same suffixes in rule-set thresholds; locale data like CLDR's",
	"internal/enterprise/size.go": "the official document number of the 2017 size-class rules (国统字〔2017〕213号)",
	// The synthetic dataset: generated firm, park and sponsor names, the demo
	// plan's name and the calibration targets' labels (developer-facing
	// errors naming the source document's figures). Data, not UI text.
	"internal/demo/": "synthetic demo data (names, plans) and calibration labels",
	// The HTTP test kit's fixture: synthetic firm names and the sponsors
	// (real securities firms, as listing records name them).
	"internal/web/webtest/": "test fixture data",
	// A developer tool's request data: the search term it sends.
	"scripts/loadtest/": "the search query the load generator sends",
}

// hanPending are user-facing literals not yet moved into the catalogue.
// Each entry is a debt: move the texts and delete the entry (the test fails
// on an entry that no longer matches anything).
var hanPending = map[string]string{}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func allowedHan(path string) (string, bool) {
	for _, list := range []map[string]string{hanData, hanPending} {
		for p := range list {
			if path == p || (strings.HasSuffix(p, "/") || !strings.HasSuffix(p, ".go")) && strings.HasPrefix(path, p) {
				return p, true
			}
		}
	}
	return "", false
}

func TestNoHanLiterals(t *testing.T) {
	root := filepath.Join("..", "..")
	used := map[string]bool{}
	var bad []string
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		files++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || (lit.Kind != token.STRING && lit.Kind != token.CHAR) {
				return true
			}
			v, err := strconv.Unquote(lit.Value)
			if err != nil || !hasHan(v) {
				return true
			}
			if entry, ok := allowedHan(rel); ok {
				used[entry] = true
				return true
			}
			pos := fset.Position(lit.Pos())
			bad = append(bad, rel+":"+strconv.Itoa(pos.Line)+": "+lit.Value)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("parsed only %d Go files under %s", files, root)
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("%s\n\ta Chinese string literal in Go: user-facing text belongs in the message catalogue (internal/i18n/*.json); genuine data gets an entry in hanData with its reason", b)
	}
	for _, list := range []map[string]string{hanData, hanPending} {
		for p := range list {
			if !used[p] {
				t.Errorf("allowlist entry %q matches no Chinese literal any more: delete it from internal/app/hanliterals_test.go", p)
			}
		}
	}
}
