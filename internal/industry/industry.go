// Package industry holds the industrial part of GB/T 4754-2017
// 《国民经济行业分类》 — sections B (mining, divisions 06–12), C
// (manufacturing, 13–43) and D (electricity, heat, gas and water, 44–46) —
// and the 2018 strategic-emerging-industry (SEI) mapping onto it.
//
// Both are embedded JSON reference data, validated when loaded. Only the
// industrial sections are kept: the platform's statistics cover 规上工业
// (above-scale industry), which is exactly B+C+D (41 divisions).
//
// # SEI approximation
//
// 《战略性新兴产业分类（2018）》 (国家统计局令第23号) is defined at product
// and service level and points to 485 GB/T 4754 classes, many of them only
// in part (marked * in the official table). The platform knows an
// enterprise's industry class, not its products, so SEI membership is
// approximated per class: a B–D class is listed in a domain when its core
// activity belongs there. Classes the official table covers only in part
// and whose output is mostly traditional (for example 3670 auto parts, 3130
// steel rolling, 2651 plastics resins) are deliberately left out, so the
// approximation errs on the low side. See sei_2018.json for the list.
package industry

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

//go:embed gbt4754_2017.json
var classificationJSON []byte

// Class is one entry of the classification: a division (大类, 2 digits), a
// group (中类, 3 digits) or a class (小类, 4 digits).
type Class struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en,omitempty"` // divisions only
	Level  int    `json:"-"`                 // number of digits: 2, 3 or 4
}

// Classification is the loaded B–D part of GB/T 4754-2017.
type Classification struct {
	Standard string // "GB/T 4754-2017"
	Source   string // where the data was transcribed from

	entries []Class // file order: division, its groups, their classes
	byCode  map[string]Class
	classes []Class // 4-digit classes, sorted by code
}

type classificationFile struct {
	Standard string  `json:"standard"`
	Source   string  `json:"source"`
	Classes  []Class `json:"classes"`
}

// Builtin returns the embedded classification. It is parsed once and shared;
// a Classification is never modified after loading.
func Builtin() (*Classification, error) { return builtin() }

var builtin = sync.OnceValues(func() (*Classification, error) {
	return parseClassification(classificationJSON)
})

func parseClassification(data []byte) (*Classification, error) {
	var f classificationFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("industry: classification: %w", err)
	}
	c := &Classification{Standard: f.Standard, Source: f.Source, byCode: make(map[string]Class, len(f.Classes))}
	for _, e := range f.Classes {
		if !isDigits(e.Code) || len(e.Code) < 2 || len(e.Code) > 4 {
			return nil, fmt.Errorf("industry: classification: bad code %q", e.Code)
		}
		if _, ok := Section(e.Code); !ok {
			return nil, fmt.Errorf("industry: classification: %s is outside sections B–D", e.Code)
		}
		if _, dup := c.byCode[e.Code]; dup {
			return nil, fmt.Errorf("industry: classification: duplicate code %s", e.Code)
		}
		if e.NameZh == "" {
			return nil, fmt.Errorf("industry: classification: %s has no Chinese name", e.Code)
		}
		e.Level = len(e.Code)
		if e.Level == 2 && e.NameEn == "" {
			return nil, fmt.Errorf("industry: classification: division %s has no English name", e.Code)
		}
		// The file lists parents before children, so a missing parent is
		// caught here rather than by a second pass.
		if e.Level > 2 {
			if _, ok := c.byCode[e.Code[:e.Level-1]]; !ok {
				return nil, fmt.Errorf("industry: classification: %s has no parent %s", e.Code, e.Code[:e.Level-1])
			}
		}
		c.byCode[e.Code] = e
		c.entries = append(c.entries, e)
		if e.Level == 4 {
			c.classes = append(c.classes, e)
		}
	}
	// Every division and group must end in at least one class, or an
	// enterprise could be filed under a code that is not a leaf.
	for _, e := range c.entries {
		if e.Level < 4 && !slices.ContainsFunc(c.classes, func(k Class) bool { return k.Code[:e.Level] == e.Code }) {
			return nil, fmt.Errorf("industry: classification: %s has no classes", e.Code)
		}
	}
	slices.SortFunc(c.classes, func(a, b Class) int { return cmp.Compare(a.Code, b.Code) })
	return c, nil
}

// Lookup finds a division, group or class by its code.
func (c *Classification) Lookup(code string) (Class, bool) {
	k, ok := c.byCode[code]
	return k, ok
}

// Classes returns the 4-digit classes (小类), sorted by code. The slice is a
// copy.
func (c *Classification) Classes() []Class { return slices.Clone(c.classes) }

// Divisions returns the 2-digit divisions (大类), sorted by code.
func (c *Classification) Divisions() []Class {
	var out []Class
	for _, e := range c.entries {
		if e.Level == 2 {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Class) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// Division returns the division a code belongs to, e.g. 36 汽车制造业 for
// 3612. Classes carry no English name, so the division's is the fallback.
func (c *Classification) Division(code string) (Class, bool) {
	if len(code) < 2 {
		return Class{}, false
	}
	return c.Lookup(code[:2])
}

// Section returns the GB/T 4754 section letter of a division, group or
// class code, derived from the division range: 'B' for 06–12, 'C' for
// 13–43, 'D' for 44–46. Codes of other sections, or malformed codes, give
// false. It does not check that the code exists.
func Section(code string) (byte, bool) {
	if len(code) < 2 || len(code) > 4 || !isDigits(code) {
		return 0, false
	}
	switch d := int(code[0]-'0')*10 + int(code[1]-'0'); {
	case d >= 6 && d <= 12:
		return 'B', true
	case d >= 13 && d <= 43:
		return 'C', true
	case d >= 44 && d <= 46:
		return 'D', true
	}
	return 0, false
}

// IsManufacturing reports whether code lies in section C (divisions 13–43).
func IsManufacturing(code string) bool {
	s, ok := Section(code)
	return ok && s == 'C'
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
