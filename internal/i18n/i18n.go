// Package i18n is the platform's message catalogue: one flat key → text map
// per language, zh-CN first and English second, embedded from JSON. Texts may
// hold fmt verbs; T formats them with the caller's arguments. Packages that
// own their own messages (the importer's row errors) hand them to Load, so
// pages, API errors and import reports all read from ONE catalogue.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// The supported languages. ZH is the default and the fallback.
const (
	ZH = "zh-CN"
	EN = "en"
)

// langs lists the languages in display order.
var langs = []string{ZH, EN}

// The core catalogue is zh-CN.json and en.json; a module may add its own
// pair, <module>.zh-CN.json and <module>.en.json, merged at Load with the
// same duplicate and parity checks.
//
//go:embed *.json
var files embed.FS

// Catalog holds every message in every supported language. It is read-only
// after Load and safe for concurrent use.
type Catalog struct {
	msgs map[string]map[string]string // lang → key → text
}

// Load reads the embedded catalogues and merges extra messages, each given
// as key → {zh-CN, en}. A key defined twice with different texts is an
// error, as is a key whose two texts disagree on fmt verbs.
func Load(extra ...map[string][2]string) (*Catalog, error) {
	return LoadWith(nil, extra...)
}

// LoadWith is Load with the feature modules' catalogues: each source holds
// <name>.<lang>.json files at its root (a feature's i18n folder), merged
// with the core's under the same duplicate and parity checks.
func LoadWith(sources []fs.FS, extra ...map[string][2]string) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	all := append([]fs.FS{files}, sources...)
	for _, l := range langs {
		m := map[string]string{}
		for _, src := range all {
			if err := loadLang(src, l, m); err != nil {
				return nil, err
			}
		}
		c.msgs[l] = m
	}
	for _, ex := range extra {
		for key, texts := range ex {
			for i, l := range langs {
				if have, ok := c.msgs[l][key]; ok && have != texts[i] {
					return nil, fmt.Errorf("i18n: key %q defined twice with different %s texts", key, l)
				}
				c.msgs[l][key] = texts[i]
			}
		}
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// loadLang adds the texts of lang in src to m.
func loadLang(src fs.FS, lang string, m map[string]string) error {
	names, err := fs.Glob(src, "*"+lang+".json")
	if err != nil {
		return fmt.Errorf("i18n: %w", err)
	}
	for _, name := range names {
		if name != lang+".json" && !strings.HasSuffix(name, "."+lang+".json") {
			continue
		}
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return fmt.Errorf("i18n: %w", err)
		}
		part := map[string]string{}
		if err := json.Unmarshal(data, &part); err != nil {
			return fmt.Errorf("i18n: %s: %w", name, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				return fmt.Errorf("i18n: key %q defined twice (again in %s)", k, name)
			}
			m[k] = v
		}
	}
	return nil
}

// check verifies that every language has the same keys with the same fmt
// verbs, so a message never renders "%!d(MISSING)" in one language only.
func (c *Catalog) check() error {
	zh := c.msgs[ZH]
	for _, l := range langs[1:] {
		other := c.msgs[l]
		for k, v := range zh {
			o, ok := other[k]
			if !ok {
				return fmt.Errorf("i18n: key %q missing in %s", k, l)
			}
			if err := compatible(v, o); err != nil {
				return fmt.Errorf("i18n: key %q: %s and %s texts %w", k, ZH, l, err)
			}
		}
		for k := range other {
			if _, ok := zh[k]; !ok {
				return fmt.Errorf("i18n: key %q missing in %s", k, ZH)
			}
		}
	}
	return nil
}

var verbRE = regexp.MustCompile(`%(\[(\d+)\])?[-+# 0]*(\d+)?(\.\d+)?([a-zA-Z%])`)

// Verbs returns the fmt verbs of a text in order, "%%" excluded.
func Verbs(s string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// args maps each argument a text formats (1-based) to its verb letter,
// following fmt's rule that a verb after %[n] takes argument n+1. reordered
// says the text uses explicit indexes, which lets it skip arguments.
func args(s string) (map[int]byte, bool, error) {
	out := map[int]byte{}
	next, reordered := 1, false
	for _, m := range verbRE.FindAllStringSubmatch(s, -1) {
		if m[0] == "%%" {
			continue
		}
		if m[2] != "" {
			next, _ = strconv.Atoi(m[2])
			reordered = true
		}
		verb := m[5][0]
		if have, ok := out[next]; ok && have != verb {
			return nil, false, fmt.Errorf("format argument %d both as %%%c and %%%c", next, have, verb)
		}
		out[next] = verb
		next++
	}
	return out, reordered, nil
}

// compatible reports whether two translations of one message can be
// formatted with the same arguments: where both use an argument they use
// the same verb, and a text without explicit indexes uses every argument
// the other one does (fmt would print %!(EXTRA …) or %!v(MISSING)).
func compatible(a, b string) error {
	aa, ar, err := args(a)
	if err != nil {
		return err
	}
	ba, br, err := args(b)
	if err != nil {
		return err
	}
	n := 0
	for i, v := range aa {
		n = max(n, i)
		if w, ok := ba[i]; ok && w != v {
			return fmt.Errorf("format argument %d as %%%c and %%%c", i, v, w)
		}
	}
	for i := range ba {
		n = max(n, i)
	}
	for _, t := range []struct {
		m         map[int]byte
		reordered bool
	}{{aa, ar}, {ba, br}} {
		if !t.reordered && len(t.m) != n {
			return fmt.Errorf("format %d and %d arguments", len(aa), len(ba))
		}
	}
	return nil
}

// T returns the text of key in lang, formatted with args. A missing text
// falls back to zh-CN, then to the key itself, so a gap shows up on screen
// rather than as an empty label.
func (c *Catalog) T(lang, key string, args ...any) string {
	text, ok := c.msgs[Normalize(lang)][key]
	if !ok {
		if text, ok = c.msgs[ZH][key]; !ok {
			text = key
		}
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// Has reports whether key is defined.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[ZH][key]
	return ok
}

// Keys returns every key, sorted.
func (c *Catalog) Keys() []string {
	keys := make([]string, 0, len(c.msgs[ZH]))
	for k := range c.msgs[ZH] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Prefixed returns key → text in lang for every key starting with prefix;
// pages hand such subsets to their scripts as JSON.
func (c *Catalog) Prefixed(lang, prefix string) map[string]string {
	out := map[string]string{}
	for k := range c.msgs[ZH] {
		if strings.HasPrefix(k, prefix) {
			out[k] = c.T(lang, k)
		}
	}
	return out
}

// Langs returns the supported languages, default first.
func (c *Catalog) Langs() []string { return slices.Clone(langs) }

// Langs returns the supported languages, default first.
func Langs() []string { return slices.Clone(langs) }

var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

// Normalize maps a language tag ("en-US", "zh", "zh-Hans-CN") to a
// supported language; anything unrecognised becomes ZH.
func Normalize(tag string) string {
	switch tag {
	case ZH, EN:
		return tag
	case "":
		return ZH
	}
	t, err := language.Parse(tag)
	if err != nil {
		return ZH
	}
	_, i, conf := matcher.Match(t)
	if conf == language.No {
		return ZH
	}
	return langs[i]
}

// Match picks a supported language from an Accept-Language header, ZH when
// nothing matches.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ZH
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return ZH
	}
	return langs[i]
}

// Pairs returns one module's catalogue, <module>.zh-CN.json and
// <module>.en.json, as key → {zh-CN, en}. Packages that look their own keys
// up without a Catalog (the importer's row errors, the web layer's errors)
// read their texts here, so the texts live in the catalogue files only;
// Load merges the same files, so handing Pairs to Load again is harmless.
// The files are compiled in and checked by the tests, so a missing or
// malformed pair is a programming error and panics.
func Pairs(module string) map[string][2]string {
	out := map[string][2]string{}
	for i, l := range langs {
		data, err := files.ReadFile(module + "." + l + ".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: catalogue %s: %v", module, err))
		}
		part := map[string]string{}
		if err := json.Unmarshal(data, &part); err != nil {
			panic(fmt.Sprintf("i18n: %s.%s.json: %v", module, l, err))
		}
		for k, v := range part {
			p := out[k]
			p[i] = v
			out[k] = p
		}
	}
	return out
}

var defaultCatalog = sync.OnceValues(func() (*Catalog, error) { return Load() })

// Default returns the embedded catalogue without extra messages, loaded
// once. Domain packages whose results carry text in both languages (the
// 亩均 engine's configuration problems and class-change explanations) take
// their texts from it, so no user-facing text is written in Go. A catalogue
// that fails to load (its tests catch that) yields nil; Pair then returns
// the key itself.
func Default() *Catalog {
	c, err := defaultCatalog()
	if err != nil {
		return nil
	}
	return c
}

// Pair renders key in zh-CN and in English with args; a nil catalogue
// returns the key in both.
func (c *Catalog) Pair(key string, args ...any) (zh, en string) {
	if c == nil {
		return key, key
	}
	return c.T(ZH, key, args...), c.T(EN, key, args...)
}
