package mujun

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestNoChineseLiterals keeps user-facing text out of the engine's Go code
// (issue 6, point 7): indicator names, configuration problems, run errors
// and class-change explanations come from the catalogue
// (internal/i18n/mujun.*.json), the 2027 targets from configs/. A string
// literal with Han characters in a non-test file fails; comments may
// explain in Chinese.
func TestNoChineseLiterals(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if strings.IndexFunc(lit.Value, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
				t.Errorf("%s: Chinese string literal %s; put the text in internal/i18n/mujun.*.json", fset.Position(lit.Pos()), lit.Value)
			}
			// Every whole catalogue key written in the code exists.
			key := strings.Trim(lit.Value, "\"`")
			if (strings.HasPrefix(key, "err.mujun_") || strings.HasPrefix(key, "mujun.")) && !strings.HasSuffix(key, ".") && !strings.HasSuffix(key, "_") {
				if msg(key).Zh == key {
					t.Errorf("%s: catalogue key %s is not defined", fset.Position(lit.Pos()), key)
				}
			}
			return true
		})
	}
}

// TestCatalogueKeysResolve: every key the engine renders exists in the
// catalogue (a missing one would show the key itself).
func TestCatalogueKeysResolve(t *testing.T) {
	for _, c := range IndicatorCodes() {
		for _, k := range []string{IndicatorKey(c), IndicatorKey(c) + ".unit", IndicatorKey(c) + ".formula"} {
			if zh, en := msg(k).Zh, msg(k).En; zh == k || en == k {
				t.Errorf("catalogue lacks %s", k)
			}
		}
	}
	for _, g := range []BenchmarkGap{GapNoPrior, GapPriorTooFew, GapCurrentTooFew, GapZeroMean} {
		if k := (&BenchmarkError{Gap: g}).Key(); msg(k).Zh == k {
			t.Errorf("catalogue lacks %s", k)
		}
	}
	for _, m := range []BenchmarkMethod{PriorMean, MeanMultiple, Fixed, MinMax} {
		if k := "mujun.method." + string(m); msg(k).Zh == k {
			t.Errorf("catalogue lacks %s", k)
		}
	}
	if s := Chongqing2027(); len(s.Targets) != 6 || s.Targets[0].Name.Zh == "" {
		t.Errorf("2027 targets %+v", s)
	}
}
