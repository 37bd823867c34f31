package app

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDomainImportsNoAdapters keeps the layering of docs/ARCHITECTURE.md:
// domain packages own their types and rules and import no database, HTTP
// or adapter code; adapters depend on the domain, never the reverse.
func TestDomainImportsNoAdapters(t *testing.T) {
	const module = "github.com/industrybrain/ibrain/internal/"
	domain := []string{"creditcode", "unit", "region", "industry", "cluster", "indicator", "enterprise", "report",
		"target", "stats", "auth", "apperr", "rules", "mujun", "cultivation", "goals", "hardtech", "listing"}
	forbidden := []string{"database/sql", "net/http", module + "sqlstore", module + "web", module + "cli",
		module + "app", module + "demo", module + "importer", module + "tabular", module + "refdata"}
	fset := token.NewFileSet()
	for _, pkg := range domain {
		dir := filepath.Join("..", pkg)
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("domain package %s: no Go files in %s (%v)", pkg, dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			file, err := parser.ParseFile(fset, f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if path == bad || strings.HasPrefix(path, bad+"/") {
						t.Errorf("%s imports %s: domain packages import no adapter code", f, path)
					}
				}
			}
		}
	}
}
