package demo

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/registry"
)

// TestSearchPlaceholderExamplesFind reads the enterprise search box's
// placeholder in both catalogues and searches the demo for each example it
// gives: an example that finds nothing (长安, a real trade name the
// generator excludes) teaches a new user that search is broken.
func TestSearchPlaceholderExamplesFind(t *testing.T) {
	t.Parallel()
	st := openLoadedSQLite(t)
	for _, file := range []string{"registry.zh-CN.json", "registry.en.json"} {
		b, err := os.ReadFile("../registry/registryweb/i18n/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]string
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatal(err)
		}
		ph := cat["enterprises.search_placeholder"]
		_, list, ok := strings.Cut(ph, "：")
		if !ok {
			_, list, ok = strings.Cut(ph, "e.g. ")
		}
		if !ok {
			t.Fatalf("%s: placeholder %q gives no examples", file, ph)
		}
		examples := strings.FieldsFunc(strings.TrimRight(list, "…. "), func(r rune) bool { return r == '、' || r == ',' })
		if len(examples) < 2 {
			t.Fatalf("%s: placeholder %q: examples %q", file, ph, examples)
		}
		for _, ex := range examples {
			ex = strings.TrimSpace(ex)
			p, err := st.ListEnterprises(context.Background(), auth.All(), registry.Filter{Query: ex, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if p.Total == 0 {
				t.Errorf("%s: the placeholder's example %q finds no firm in the demo", file, ex)
			}
		}
	}
}
