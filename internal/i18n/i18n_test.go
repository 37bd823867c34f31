package i18n

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func readCatalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	data, err := files.ReadFile(lang + ".json")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s.json: %v", lang, err)
	}
	return m
}

// Ensure both catalogues have exactly the same keys, no empty text, and the
// same fmt verbs per key.
func TestCataloguesMatch(t *testing.T) {
	zh, en := readCatalogue(t, ZH), readCatalogue(t, EN)
	for k, v := range zh {
		o, ok := en[k]
		if !ok {
			t.Errorf("key %q is in zh-CN.json but not in en.json", k)
			continue
		}
		if strings.TrimSpace(v) == "" || strings.TrimSpace(o) == "" {
			t.Errorf("key %q has an empty text", k)
		}
		if err := compatible(v, o); err != nil {
			t.Errorf("key %q: %v", k, err)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("key %q is in en.json but not in zh-CN.json", k)
		}
	}
}

func TestLoadAndT(t *testing.T) {
	c, err := Load(map[string][2]string{"test.extra": {"第 %d 行", "row %d"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.T(ZH, "nav.cockpit"), "驾驶舱"; got != want {
		t.Errorf("T(zh, nav.cockpit) = %q, want %q", got, want)
	}
	if got, want := c.T("en-GB", "nav.cockpit"), "Cockpit"; got != want {
		t.Errorf("T(en-GB, nav.cockpit) = %q, want %q", got, want)
	}
	if got, want := c.T(EN, "test.extra", 7), "row 7"; got != want {
		t.Errorf("extra message = %q, want %q", got, want)
	}
	if got, want := c.T(EN, "no.such.key"), "no.such.key"; got != want {
		t.Errorf("missing key = %q, want the key", got)
	}
	if got, want := c.T("fr", "nav.cockpit"), "驾驶舱"; got != want {
		t.Errorf("unsupported language = %q, want the zh-CN text %q", got, want)
	}
	if !c.Has("err.forbidden") || c.Has("no.such.key") {
		t.Error("Has is wrong")
	}
	if got := c.Langs(); !slices.Equal(got, []string{ZH, EN}) {
		t.Errorf("Langs = %v", got)
	}
}

func TestLoadRejectsBadExtras(t *testing.T) {
	if _, err := Load(map[string][2]string{"nav.cockpit": {"别的", "Other"}}); err == nil {
		t.Error("a key redefined with another text was accepted")
	}
	if _, err := Load(map[string][2]string{"x.y": {"第 %d 行", "row"}}); err == nil {
		t.Error("an extra message whose verbs differ was accepted")
	}
	if _, err := Load(map[string][2]string{"nav.cockpit": {"驾驶舱", "Cockpit"}}); err != nil {
		t.Errorf("an identical redefinition was refused: %v", err)
	}
}

func TestNormalizeAndMatch(t *testing.T) {
	for in, want := range map[string]string{"": ZH, "zh-CN": ZH, "zh": ZH, "zh-Hans": ZH, "en": EN, "en-US": EN, "de": ZH, "garbage!": ZH} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"": ZH, "en-US,en;q=0.9": EN, "zh-CN,zh;q=0.9,en;q=0.8": ZH, "fr-FR": ZH, "fr,en;q=0.5": EN} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVerbs(t *testing.T) {
	if got := Verbs("100%% 完成 %d 项，%.1f%s"); !slices.Equal(got, []string{"%d", "%.1f", "%s"}) {
		t.Errorf("Verbs = %v", got)
	}
	for _, c := range []struct {
		a, b string
		ok   bool
	}{
		{"第 %d 行 %s", "row %d %s", true},
		{"第 %d 行", "row %s", false},
		{"%s 和 %s", "%s", false},
		{"列 %[1]s 缺失", "column %[2]s is missing", true}, // Chinese and English column names
		{"%[2]s 的 %[1]d", "%[1]d of %[2]s", true},
		{"%[1]d", "%[1]s", false},
		{"%s %s", "%[2]s", true},
		{"%s", "%[2]s", false}, // the zh text would print %!(EXTRA)
		{"100%", "100%", true},
	} {
		if err := compatible(c.a, c.b); (err == nil) != c.ok {
			t.Errorf("compatible(%q, %q) = %v, want ok=%v", c.a, c.b, err, c.ok)
		}
	}
}
