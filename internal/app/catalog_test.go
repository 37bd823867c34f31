package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// templateKey finds {{t "key"}} and (t "key" …) calls in templates.
var templateKey = regexp.MustCompile(`[{(]\s*-?\s*t\s+"([^"]+)"`)

// Ensure every key the templates use exists in the catalogue the binary
// loads: the core's templates (internal/web/templates) and every feature's
// (internal/<feature>/<feature>web/templates), read from disk so that a
// missing key fails here as well as at render time.
func TestTemplateKeysExist(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	n := 0
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || !strings.Contains(filepath.ToSlash(p), "/templates/") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(data), -1) {
			n++
			if !c.Has(m[1]) {
				missing = append(missing, p+": "+m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(missing)
	for _, m := range slices.Compact(missing) {
		t.Errorf("template key missing from the catalogue: %s", m)
	}
	if n == 0 {
		t.Error("found no {{t \"key\"}} calls in the templates; is the pattern out of date?")
	}
}
