package importer

import (
	"fmt"
	"strings"
)

// The yearly kinds: profile facts for the title rules, the 亩均 facts
// departments supply, and listing pipeline events.
const (
	KindProfiles   = "profiles"
	KindMujunFacts = "mujun-facts"
	KindListing    = "listing"
)

// Kinds lists every import kind in the order pages and help show them.
var Kinds = []string{KindEnterprises, KindReports, KindProfiles, KindMujunFacts, KindListing}

// Firm is what an import needs to know about a stored enterprise.
type Firm struct {
	ID         int64
	RegionCode string
}

// FirmLookup resolves a credit code to a stored enterprise the importing
// user may write. Codes outside the user's scope must resolve as unknown,
// so a rejection does not tell whether another district's firm exists.
type FirmLookup func(creditCode string) (Firm, bool)

// Rejected is the error a merge step returns inside a store transaction
// when the file's rows, combined with what is stored, break a rule: the
// transaction rolls back and the caller reports Report.
type Rejected struct{ Report Report }

func (e *Rejected) Error() string {
	return fmt.Sprintf("import %s rejected: %d errors", e.Report.Kind, len(e.Report.Errors))
}

// Template returns the header and example rows of kind in lang; ok is
// false for an unknown kind.
func Template(kind, lang string) (header []string, example [][]string, ok bool) {
	switch kind {
	case KindEnterprises:
		header, example = EnterpriseTemplate(lang)
	case KindReports:
		header, example = ReportTemplate(lang)
	case KindProfiles:
		header, example = ProfileTemplate(lang)
	case KindMujunFacts:
		header, example = MujunTemplate(lang)
	case KindListing:
		header, example = ListingTemplate(lang)
	default:
		return nil, nil, false
	}
	return header, example, true
}

// TemplateTextColumns are the 0-based columns of kind's template (in any
// language) that hold codes: credit codes and industry codes, which Excel
// would turn into numbers (losing digits or a leading zero) unless the
// column is formatted as Text.
func TemplateTextColumns(kind string) []int {
	header, _, ok := Template(kind, "zh-CN")
	if !ok {
		return nil
	}
	var out []int
	for i, h := range header {
		switch h {
		case enterpriseCols.specs[eCode].zh, enterpriseCols.specs[eIndustry].zh:
			out = append(out, i)
		}
	}
	return out
}

// firm validates the credit code in column c and resolves it; the GB 11714
// warning belongs to the enterprise list import.
func (rc *rowCtx) firm(c int, lookup FirmLookup) (Firm, bool) {
	v, ok := rc.required(c)
	if !ok {
		return Firm{}, false
	}
	res, err := parseCode(v)
	if err != nil {
		rc.fail(c, creditCodeError(v, err))
		return Firm{}, false
	}
	f, found := lookup(string(res.Code))
	if !found {
		rc.fail(c, KeyUnknownEnterprise)
		return Firm{}, false
	}
	return f, true
}

// yearCell validates a required four-digit year within [lo, hi].
func (rc *rowCtx) yearCell(c, lo, hi int) (int, bool) {
	v, ok := rc.requiredASCII(c)
	if !ok {
		return 0, false
	}
	if y := atoi(v); len(v) == 4 && allDigits(v) && y >= lo && y <= hi {
		return y, true
	}
	rc.fail(c, KeyBadYear, lo, hi)
	return 0, false
}

// optNumber parses an optional cell at scale: ok is false for an empty
// cell or an invalid one (reported).
func (rc *rowCtx) optNumber(c int, scale int64, negOK bool) (int64, bool) {
	v := foldWidth(rc.cell(c))
	if v == "" {
		return 0, false
	}
	return rc.number(c, v, scale, negOK)
}

// splitList splits a cell listing several items (veto items, honours) on
// the separators Chinese and English sheets use.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ',', '，', '、', ';', '；', '|', '\n':
			return true
		}
		return false
	}) {
		if item = trimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// trimSpace trims ASCII and ideographic spaces.
func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	const ideo = "\u3000"
	for len(s) >= len(ideo) && s[:len(ideo)] == ideo {
		s = s[len(ideo):]
	}
	for len(s) >= len(ideo) && s[len(s)-len(ideo):] == ideo {
		s = s[:len(s)-len(ideo)]
	}
	return s
}

// isNone reports whether a list cell says "known to be none".
func isNone(s string) bool {
	switch normHeader(s) {
	case "无", "没有", "none", "no", "n/a", "-", "—", "0", "否":
		return true
	}
	return false
}

// vocab maps the spellings of a small closed vocabulary (stages, boards,
// levels) to codes, case- and space-insensitively via normHeader.
type vocab map[string]string

func newVocab(entries ...[]string) vocab {
	v := vocab{}
	for _, e := range entries {
		code := e[0]
		for _, n := range e {
			k := normHeader(n)
			if have, dup := v[k]; dup && have != code {
				panic("importer: ambiguous vocabulary entry " + n)
			}
			v[k] = code
		}
	}
	return v
}

func (v vocab) lookup(s string) (string, bool) {
	c, ok := v[normHeader(foldWidth(s))]
	return c, ok
}

// Lookups are the stored names the yearly imports resolve cells against.
type Lookups struct {
	Firm FirmLookup
	Park func(codeOrName string) (Park, bool)
	Veto func(codeOrName string) (string, bool)
}

// NewFirmLookup resolves credit codes in firms.
func NewFirmLookup(firms map[string]Firm) FirmLookup {
	return func(code string) (Firm, bool) { f, ok := firms[code]; return f, ok }
}

// ParkEntry is a stored park with its names.
type ParkEntry struct {
	Code, RegionCode, NameZh, NameEn string
}

// NewParkLookup resolves park codes and names, case- and
// space-insensitively. A name two parks share resolves to neither.
func NewParkLookup(parks []ParkEntry) func(string) (Park, bool) {
	byName := map[string]Park{}
	ambiguous := map[string]bool{}
	for _, p := range parks {
		for _, n := range []string{p.Code, p.NameZh, p.NameEn} {
			if n == "" {
				continue
			}
			k := normHeader(n)
			if have, dup := byName[k]; dup && have.Code != p.Code {
				ambiguous[k] = true
			}
			byName[k] = Park{Code: p.Code, RegionCode: p.RegionCode}
		}
	}
	return func(s string) (Park, bool) {
		k := normHeader(s)
		if ambiguous[k] {
			return Park{}, false
		}
		p, ok := byName[k]
		return p, ok
	}
}

// VetoEntry is a veto or deduction item of a 亩均 configuration.
type VetoEntry struct {
	Code, NameZh, NameEn string
}

// NewVetoLookup resolves veto item codes and names.
func NewVetoLookup(items []VetoEntry) func(string) (string, bool) {
	byName := map[string]string{}
	for _, v := range items {
		for _, n := range []string{v.Code, v.NameZh, v.NameEn} {
			if n != "" {
				byName[normHeader(n)] = v.Code
			}
		}
	}
	return func(s string) (string, bool) { c, ok := byName[normHeader(s)]; return c, ok }
}
