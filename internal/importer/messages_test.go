package importer

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// usedKeys returns every "import.…" string constant declared in the
// package's non-test sources.
func usedKeys(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && strings.HasPrefix(s, "import.") {
					keys = append(keys, s)
				}
			}
			return true
		})
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

var verb = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// argsUsed returns the 1-based argument numbers a format text consumes.
func argsUsed(format string) []int {
	var used []int
	next := 1
	for _, m := range verb.FindAllStringSubmatch(format, -1) {
		if strings.HasSuffix(m[0], "%") {
			continue
		}
		if m[2] != "" {
			next, _ = strconv.Atoi(m[2])
		}
		used = append(used, next)
		next++
	}
	slices.Sort(used)
	return slices.Compact(used)
}

// perLanguageArgs are keys whose args come as a (zh, en) pair, of which
// each language uses its own.
var perLanguageArgs = pairArgKeys

func TestMessagesComplete(t *testing.T) {
	msgs := Messages()
	used := usedKeys(t)
	if len(used) == 0 {
		t.Fatal("no keys found in the sources")
	}
	zh, en := 0, 0
	for _, k := range used {
		m, ok := msgs[k]
		if !ok {
			t.Errorf("%s: used but has no message", k)
			continue
		}
		if m[0] != "" {
			zh++
		}
		if m[1] != "" {
			en++
		}
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s: missing text zh=%q en=%q", k, m[0], m[1])
		}
		// Both languages must consume the same arguments, or one of them
		// renders %!(MISSING) or drops a fact.
		if a, b := argsUsed(m[0]), argsUsed(m[1]); !slices.Equal(a, b) && !perLanguageArgs[k] {
			t.Errorf("%s: zh uses args %v, en uses %v", k, a, b)
		}
	}
	if zh != en || zh != len(used) {
		t.Errorf("%d keys used, %d with zh text, %d with en text", len(used), zh, en)
	}
	for k := range msgs {
		if !slices.Contains(used, k) {
			t.Errorf("%s: message for a key no code uses", k)
		}
		if !strings.HasPrefix(k, "import.err.") && !strings.HasPrefix(k, "import.warn.") {
			t.Errorf("%s: keys are import.err.* or import.warn.*", k)
		}
	}
}

func TestArgsUsed(t *testing.T) {
	for in, want := range map[string][]int{
		"none":                     nil,
		"100%% sure":               nil,
		"%d of %s":                 {1, 2},
		"%[2]s then %[1]s":         {1, 2},
		"%[1]s, line %[3]d: %[2]s": {1, 2, 3},
		"only %[2]q":               {2},
	} {
		if got := argsUsed(in); !slices.Equal(got, want) {
			t.Errorf("argsUsed(%q) = %v, want %v", in, got, want)
		}
	}
}
