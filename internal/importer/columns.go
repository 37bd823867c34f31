package importer

import (
	"strings"
	"unicode"
)

// colSpec describes one column a file may have. Headers match when their
// normalised base (unit suffix removed) equals the zh or en name or an alias.
type colSpec struct {
	zh, en   string // canonical headers: zh for the template, en = API code
	unitZh   string // unit expected in a "(unit)" suffix; "" = any suffix is ignored
	unitEn   string
	required bool
	bareEn   bool // the en name already says the unit (land_mu), so no suffix
	aliases  []string
}

// header returns the canonical header in a language, with its unit.
func (c colSpec) header(lang string) string {
	if isZh(lang) {
		if c.unitZh != "" {
			return c.zh + "（" + c.unitZh + "）"
		}
		return c.zh
	}
	if c.unitEn != "" && !c.bareEn {
		return c.en + " (" + c.unitEn + ")"
	}
	return c.en
}

func isZh(lang string) bool { return !strings.HasPrefix(strings.ToLower(lang), "en") }

// columnSet is a compiled list of specs.
type columnSet struct {
	specs  []colSpec
	byName map[string]int
	ignore map[string]bool // known context columns (序号, 企业名称 in a report) skipped silently
}

func newColumnSet(specs []colSpec, ignore ...string) *columnSet {
	cs := &columnSet{specs: specs, byName: map[string]int{}, ignore: map[string]bool{}}
	for i, s := range specs {
		for _, n := range append([]string{s.zh, s.en}, s.aliases...) {
			base, _, _ := splitUnit(normHeader(n))
			if _, dup := cs.byName[base]; dup {
				panic("importer: ambiguous column name " + n)
			}
			cs.byName[base] = i
		}
	}
	for _, n := range ignore {
		cs.ignore[normHeader(n)] = true
	}
	return cs
}

// resolve maps the header row to column indexes (−1 = absent), reporting
// unknown, duplicate, wrongly-unitised and missing columns once each at the
// header line. Done once per file, so the row loop only indexes slices.
func (cs *columnSet) resolve(header []string, line int, rep *Report) []int {
	idx := make([]int, len(cs.specs))
	for i := range idx {
		idx[i] = -1
	}
	for i, h := range header {
		if h == "" {
			continue
		}
		base, unit, hasUnit := splitUnit(normHeader(h))
		j, ok := cs.byName[base]
		if !ok {
			if !cs.ignore[base] && !cs.ignore[normHeader(h)] {
				rep.warnf(line, h, KeyUnknownColumn, "")
			}
			continue
		}
		if first := idx[j]; first >= 0 {
			rep.errorf(line, h, KeyDuplicateColumn, "", header[first])
			continue
		}
		idx[j] = i
		s := cs.specs[j]
		// A file in 亿元 under a 万元 column would import values 10 000
		// times too small, so a stated unit must be the expected one.
		if hasUnit && s.unitZh != "" && unit != normUnit(s.unitZh) && unit != normUnit(s.unitEn) {
			rep.errorf(line, h, KeyColumnUnit, "", s.unitZh, s.unitEn)
		}
	}
	for j, s := range cs.specs {
		if s.required && idx[j] < 0 {
			rep.errorf(line, "", KeyMissingColumn, "", s.header("zh"), s.header("en"))
		}
	}
	return idx
}

// normHeader folds what users vary in headers: case, spaces, underscores,
// hyphens, required-field stars and full-width brackets.
func normHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '（', '【', '[', '〔':
			r = '('
		case '）', '】', ']', '〕':
			r = ')'
		case '：':
			r = ':'
		case '￥':
			r = '¥'
		case '_', '-', '*', '＊':
			continue
		}
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// splitUnit splits "工业总产值(万元)" into base and unit; a "单位:" or "unit:"
// prefix inside the brackets is dropped.
func splitUnit(n string) (base, unit string, ok bool) {
	if !strings.HasSuffix(n, ")") {
		return n, "", false
	}
	i := strings.LastIndexByte(n, '(')
	if i <= 0 {
		return n, "", false
	}
	unit = n[i+1 : len(n)-1]
	unit = strings.TrimPrefix(strings.TrimPrefix(unit, "单位:"), "unit:")
	return n[:i], unit, true
}

func normUnit(u string) string { return normHeader(u) }
