package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/industrybrain/ibrain"

// Every package of the module, found with `go list`, falls in one layer.
// A package not named below is a domain package, so a new package starts
// under the strictest rules.
//
//   - domain (the default: creditcode, unit, region, industry, cluster,
//     indicator, enterprise, report, target, stats, auth, apperr, rules,
//     cultivation, goals, hardtech, mujun, listing, …): types and rules.
//     Imports no database/sql or SQL driver, no net/http, no html/template,
//     and of the module's packages only domain packages and i18n (a leaf
//     holding the compiled-in message catalogue, where the labels a domain
//     package produces live).
//   - library: feature-agnostic helpers any non-domain layer may use, which
//     themselves import no adapter, service or composition package:
//     i18n (catalogue), tabular (XLSX/CSV files), metrics (Prometheus text),
//     scoreboard (renders the scoreboard as JSON/XLSX/HTML), web/apischema (checks an HTTP response
//     against the OpenAPI document; used by the tests), web/anscache (the
//     bounded cache of computed answers the web core keeps per data
//     generation).
//   - adapter: sqlstore (SQL), importer (file rows → domain values), web
//     and every package whose name ends in "web" (HTTP). Adapters do not
//     import each other, except the pairs in adapterExceptions.
//   - service: use cases over the store: imports (check → merge → write of
//     every import kind), refdata (syncs the compiled-in catalogues), demo
//     (seeds the synthetic dataset). They may use adapters but never an
//     HTTP adapter or a composition package.
//   - composition: app, cli (one file per command, wiring app, store and
//     web; see docs/ARCHITECTURE.md), cmd/… and scripts/… (main packages),
//     web/webtest (the HTTP test kit, which wires the whole app as the
//     binary does; only tests import it) and testkit (test databases built
//     once per test binary; no command depends on it). They may import
//     anything.
var (
	libraryPkgs     = []string{"internal/i18n", "internal/tabular", "internal/metrics", "internal/scoreboard", "internal/web/apischema", "internal/web/anscache"}
	adapterPkgs     = []string{"internal/sqlstore", "internal/importer"} // + web and *web, see layerOf
	servicePkgs     = []string{"internal/imports", "internal/refdata", "internal/demo"}
	compositionPkgs = []string{"internal/app", "internal/cli", "internal/web/webtest", "internal/testkit"} // + cmd/… and scripts/…
)

// adapterExceptions are the adapter → adapter imports allowed today, each
// with its reason. "*web" stands for every package whose name ends in "web"
// (the per-feature HTTP packages), including internal/web.
var adapterExceptions = []struct{ from, to, why string }{
	{"*web", "internal/web", "feature HTTP packages plug their routes and pages into the web core"},
	{"internal/web", "internal/sqlstore", "the web core reads sessions and accounts (and the district map's clusters) from the store; feature web packages reach data only through their services"},
}

// webCoreFeatureImports switches on the rule "the web core (package
// internal/web itself) imports no feature package". The web core may
// import the domain-free platform (webCorePlatform); every other package
// of the module is a feature package. The list held the features the core
// still imported while they moved into their <feature>web packages; it is
// empty since every feature has, and must stay empty.
var webCoreFeatureImports = []string{}

// webCorePlatform are the module packages the web core may always import:
// errors, sessions and users, messages, metrics, quantities, file formats,
// and the store (sessions, users and audit live there).
var webCorePlatform = []string{"internal/apperr", "internal/auth", "internal/i18n", "internal/metrics", "internal/unit",
	// The audit trail: the core records sign-in, sign-out, refusals and
	// classified routes itself (等保 L3 安全审计), like it keeps sessions.
	"internal/audit",
	"internal/tabular", "internal/sqlstore",
	// The answer cache: a feature-agnostic library the core's route
	// wrapper uses for routes marked Cached.
	"internal/web/anscache",
	// The reference catalogues (districts, the 33618 clusters, indicators):
	// data every page's breadcrumbs, district map and tier names render,
	// not a feature.
	"internal/region", "internal/cluster", "internal/indicator"}

// forbiddenInDomain are the standard-library and third-party imports a
// domain package may not have (a path or a path prefix).
var forbiddenInDomain = []string{"database/sql", "net/http", "html/template",
	"modernc.org/sqlite", "github.com/jackc/pgx", "github.com/lib/pq", "github.com/mattn/go-sqlite3"}

type layer string

const (
	domain      layer = "domain"
	library     layer = "library"
	adapter     layer = "adapter"
	service     layer = "service"
	composition layer = "composition"
)

// layerOf classifies a module-relative package path (e.g. "internal/web").
func layerOf(rel string) layer {
	switch {
	case slices.Contains(libraryPkgs, rel):
		return library
	case slices.Contains(adapterPkgs, rel), isWeb(rel):
		return adapter
	case slices.Contains(servicePkgs, rel):
		return service
	case slices.Contains(compositionPkgs, rel), strings.HasPrefix(rel, "cmd/"), strings.HasPrefix(rel, "scripts/"):
		return composition
	}
	return domain
}

// isWeb reports whether rel is an HTTP package: internal/web or any
// package whose name ends in "web".
func isWeb(rel string) bool { return strings.HasSuffix(filepath.Base(rel), "web") }

type listedPackage struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string
}

// modulePackages lists the module's packages with `go list -json ./...`,
// run from the module root.
func modulePackages(t *testing.T) []listedPackage {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the layers test needs the go command to list packages: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-json", "./...")
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -json ./...: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// where names the file and line of p's import of path, for the message.
func where(p listedPackage, path string) string {
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, imp := range f.Imports {
			if v, _ := strconv.Unquote(imp.Path.Value); v == path {
				pos := fset.Position(imp.Pos())
				return fmt.Sprintf("%s:%d", filepath.Join(strings.TrimPrefix(p.ImportPath, module+"/"), name), pos.Line)
			}
		}
	}
	return strings.TrimPrefix(p.ImportPath, module+"/")
}

func hasPrefixPath(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

func adapterExceptionFor(from, to string) bool {
	for _, e := range adapterExceptions {
		fromOK := e.from == from || (e.from == "*web" && isWeb(from))
		toOK := e.to == to || (e.to == "*web" && isWeb(to))
		if fromOK && toOK && from != to {
			return true
		}
	}
	return false
}

// TestLayers keeps the layering of docs/ARCHITECTURE.md on every package
// of the module (see the layer list above).
func TestLayers(t *testing.T) {
	pkgs := modulePackages(t)
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		from := layerOf(rel)
		for _, imp := range p.Imports {
			if !hasPrefixPath(imp, module) {
				if from != domain {
					continue
				}
				for _, bad := range forbiddenInDomain {
					if hasPrefixPath(imp, bad) {
						t.Errorf("%s: domain package %s imports %s; domain packages import no SQL, HTTP or HTML template code", where(p, imp), rel, imp)
					}
				}
				continue
			}
			to := strings.TrimPrefix(imp, module+"/")
			toLayer := layerOf(to)
			switch from {
			case domain:
				if toLayer != domain && to != "internal/i18n" {
					t.Errorf("%s: domain package %s imports %s (layer %s); domain packages import only domain packages and i18n", where(p, imp), rel, to, toLayer)
				}
			case library:
				if toLayer != domain && toLayer != library {
					t.Errorf("%s: library %s imports %s (layer %s); libraries import only domain packages and libraries", where(p, imp), rel, to, toLayer)
				}
			case adapter:
				if toLayer == composition || (toLayer == adapter && !adapterExceptionFor(rel, to)) {
					t.Errorf("%s: adapter %s imports %s (layer %s); adapters do not import each other (or list a justified exception in adapterExceptions)", where(p, imp), rel, to, toLayer)
				}
			case service:
				if toLayer == composition || isWeb(to) {
					t.Errorf("%s: service %s imports %s; services import no HTTP adapter and no composition package", where(p, imp), rel, to)
				}
			}
		}
	}
}

// TestWebCoreImportsNoFeature: the web core imports no feature package
// beyond those still listed in webCoreFeatureImports.
func TestWebCoreImportsNoFeature(t *testing.T) {
	var core *listedPackage
	pkgs := modulePackages(t)
	for i := range pkgs {
		if pkgs[i].ImportPath == module+"/internal/web" {
			core = &pkgs[i]
		}
	}
	if core == nil {
		t.Fatal("go list did not find internal/web")
	}
	imported := map[string]bool{}
	for _, imp := range core.Imports {
		if !hasPrefixPath(imp, module) {
			continue
		}
		to := strings.TrimPrefix(imp, module+"/")
		imported[to] = true
		if !slices.Contains(webCorePlatform, to) && !slices.Contains(webCoreFeatureImports, to) {
			t.Errorf("%s: the web core imports feature package %s; move the code that needs it into the feature's own web package", where(*core, imp), to)
		}
	}
	for _, f := range webCoreFeatureImports {
		if !imported[f] {
			t.Errorf("internal/web no longer imports %s: remove it from webCoreFeatureImports in internal/app/layers_test.go so the rule stays tight", f)
		}
	}
}

// The rules themselves: a few classifications and violations that must be
// caught, so a broken classifier cannot pass silently.
func TestLayerClassification(t *testing.T) {
	for rel, want := range map[string]layer{
		"internal/listing": domain, "internal/newthing": domain, "internal/web": adapter,
		"internal/listing/listingweb": adapter, "internal/sqlstore": adapter, "internal/i18n": library,
		"internal/imports": service, "internal/cli": composition, "cmd/ibrain": composition, "scripts/loadtest": composition,
	} {
		if got := layerOf(rel); got != want {
			t.Errorf("layerOf(%s) = %s, want %s", rel, got, want)
		}
	}
	if adapterExceptionFor("internal/sqlstore", "internal/importer") {
		t.Error("sqlstore → importer is allowed")
	}
	if !adapterExceptionFor("internal/listing/listingweb", "internal/web") {
		t.Error("a feature web package may not plug into the web core")
	}
	if adapterExceptionFor("internal/web", "internal/listing/listingweb") {
		t.Error("the web core may import a feature web package")
	}
}
