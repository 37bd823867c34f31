package importer

import (
	"sync"
	"time"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/creditcode"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// MaxNameRunes is the longest enterprise name accepted; registered Chinese
// names are far shorter, so anything longer is a pasted paragraph.
const MaxNameRunes = 100

// MinStatusYear is the earliest yearly status year accepted.
const MinStatusYear = 2000

// Enterprise columns, indexes into enterpriseCols.specs.
const (
	eCode = iota
	eName
	eRegion
	eIndustry
	eFounded
	eLand
	eYear
	eAbove
	eEmployees
	eRevenue
)

var enterpriseCols = newColumnSet([]colSpec{
	eCode:      {zh: "统一社会信用代码", en: "credit_code", required: true, aliases: []string{"信用代码", "社会信用代码", "unified social credit code", "uscc"}},
	eName:      {zh: "企业名称", en: "name", required: true, aliases: []string{"单位名称", "企业全称", "enterprise name", "company name"}},
	eRegion:    {zh: "所属区县", en: "region", required: true, aliases: []string{"区县", "所属区域", "区县代码", "district", "region code"}},
	eIndustry:  {zh: "行业代码", en: "industry_code", required: true, aliases: []string{"国民经济行业代码", "行业小类代码", "industry"}},
	eFounded:   {zh: "成立日期", en: "founded", required: true, aliases: []string{"成立时间", "founding date", "founded on"}},
	eLand:      {zh: "用地面积", en: "land_mu", unitZh: "亩", unitEn: "mu", bareEn: true, required: true, aliases: []string{"land area", "land"}},
	eYear:      {zh: "年度", en: "year", aliases: []string{"年份", "统计年度"}},
	eAbove:     {zh: "是否规上", en: "above_scale", aliases: []string{"是否规模以上", "规上", "规模以上"}},
	eEmployees: {zh: "从业人员", en: "employees", unitZh: "人", unitEn: "persons", aliases: []string{"从业人员数", "年平均从业人员"}},
	eRevenue:   {zh: "上年营业收入", en: "revenue_10k", unitZh: "万元", unitEn: "¥10k", bareEn: true, aliases: []string{"上年营业收入额", "prior-year revenue", "revenue"}},
}, "序号", "no", "no.", "#", "备注", "remarks", "note")

// EnterpriseOptions supplies the lookups of an enterprise import.
type EnterpriseOptions struct {
	Regions *region.Catalogue // nil: the built-in catalogue
	// ValidIndustry reports whether a 4-digit code is a GB/T 4754-2017
	// industrial class; nil checks the format only.
	ValidIndustry func(code string) bool
	Today         time.Time // founding dates after it are rejected; zero: now
}

// EnterpriseRow is one valid row of an enterprise list.
type EnterpriseRow struct {
	Line       int
	Enterprise enterprise.Enterprise
	Year       *enterprise.Year // nil when the row has no yearly status
}

var builtinRegions = sync.OnceValues(region.Builtin)

// regionIndex adds case- and space-insensitive lookup ("yubei district") on
// top of Catalogue.Lookup, which matches exactly.
type regionIndex struct {
	c      *region.Catalogue
	folded map[string]string // folded name → code
}

func newRegionIndex(c *region.Catalogue) *regionIndex {
	ri := &regionIndex{c: c, folded: map[string]string{}}
	for _, r := range c.Regions {
		for _, n := range append([]string{r.Code, r.NameZh, r.NameEn}, r.Aliases...) {
			ri.folded[normHeader(n)] = r.Code
		}
	}
	return ri
}

func (ri *regionIndex) lookup(s string) (string, bool) {
	if r, ok := ri.c.Lookup(s); ok {
		return r.Code, true
	}
	code, ok := ri.folded[normHeader(s)]
	return code, ok
}

// Enterprises validates an enterprise list. It returns the valid rows and
// a report of every problem; only a report without errors may be stored.
func Enterprises(s *tabular.Sheet, opts EnterpriseOptions) ([]EnterpriseRow, Report) {
	rep := Report{Kind: KindEnterprises}
	if s == nil {
		rep.errorf(0, "", KeyFileEmpty, "")
		return nil, rep
	}
	s = padded(s)
	rep.Rows = len(s.Rows)
	cat := opts.Regions
	if cat == nil {
		var err error
		if cat, err = builtinRegions(); err != nil {
			panic("importer: built-in region catalogue: " + err.Error())
		}
	}
	regions := newRegionIndex(cat)
	today := dateOf(opts.Today)

	idx := enterpriseCols.resolve(s.Header, s.HeaderLine, &rep)
	// Yearly columns come as a group: a size class needs employees and
	// revenue, and none of them means anything without the year.
	hasYear := idx[eYear] >= 0
	for _, c := range []int{eAbove, eEmployees, eRevenue} {
		sp := enterpriseCols.specs[c]
		if hasYear && idx[c] < 0 {
			rep.errorf(s.HeaderLine, "", KeyMissingColumn, "", sp.header("zh"), sp.header("en"))
		}
	}
	if !hasYear && (idx[eAbove] >= 0 || idx[eEmployees] >= 0 || idx[eRevenue] >= 0) {
		sp := enterpriseCols.specs[eYear]
		rep.errorf(s.HeaderLine, "", KeyMissingColumn, "", sp.header("zh"), sp.header("en"))
	}
	if len(s.Rows) == 0 {
		rep.errorf(s.HeaderLine, "", KeyNoData, "")
	}

	out := make([]EnterpriseRow, 0, len(s.Rows))
	seen := make(map[string]int, len(s.Rows))
	for _, row := range s.Rows {
		rc := rowCtx{rep: &rep, line: row.Line, cells: row.Cells, header: s.Header, idx: idx, ok: true}
		var e enterprise.Enterprise

		if v, ok := rc.requiredASCII(eCode); ok {
			res, err := creditcode.Parse(v)
			if err != nil {
				rc.fail(eCode, creditCodeError(v, err))
			} else {
				e.CreditCode = string(res.Code)
				if len(res.Warnings) > 0 {
					rc.warn(eCode, KeyCreditCodeOrgCheck)
				}
				if first, dup := seen[e.CreditCode]; dup {
					rc.fail(eCode, KeyDuplicateCreditCode, first)
				} else {
					seen[e.CreditCode] = row.Line
				}
			}
		}
		if v, ok := rc.required(eName); ok {
			if utf8.RuneCountInString(v) > MaxNameRunes {
				rc.fail(eName, KeyNameTooLong, MaxNameRunes)
			}
			e.Name = v
		}
		if v, ok := rc.required(eRegion); ok {
			if code, found := regions.lookup(v); found {
				e.RegionCode = code
			} else if code, found := regions.lookup(foldWidth(v)); found {
				e.RegionCode = code
			} else {
				rc.fail(eRegion, KeyUnknownRegion)
			}
		}
		if v, ok := rc.requiredASCII(eIndustry); ok {
			switch {
			case len(v) != 4 || !allDigits(v):
				rc.fail(eIndustry, KeyIndustryCodeFormat)
			case opts.ValidIndustry != nil && !opts.ValidIndustry(v):
				rc.fail(eIndustry, KeyUnknownIndustry)
			default:
				e.IndustryCode = v
			}
		}
		if v, ok := rc.requiredASCII(eFounded); ok {
			d, valid := parseDate(v)
			switch {
			case !valid:
				rc.fail(eFounded, KeyBadDate)
			case d.After(today):
				rc.fail(eFounded, KeyFoundedFuture)
			default:
				e.Founded = d
			}
		}
		// Land is optional per row: firms in leased premises have none.
		if v := foldWidth(rc.cell(eLand)); v != "" {
			if n, ok := rc.number(eLand, v, 100, false); ok {
				e.LandArea = unit.Mu100(n)
			}
		}
		y := rc.year(today)
		if rc.ok {
			if y != nil && y.AboveScale && y.Revenue < enterprise.AboveScaleThreshold {
				rc.warn(eRevenue, KeyAboveScaleRevenue, unit.FormatScaled(int64(enterprise.AboveScaleThreshold), int64(unit.Wan)))
			}
			out = append(out, EnterpriseRow{Line: row.Line, Enterprise: e, Year: y})
		}
	}
	rep.sort()
	return out, rep
}

// year validates the yearly status columns of one row; nil when the row
// has none.
func (rc *rowCtx) year(today time.Time) *enterprise.Year {
	if rc.idx[eYear] < 0 {
		// Yearly columns without a year column were reported once at the
		// header; repeating it on every row would bury other errors.
		if rc.idx[eAbove] >= 0 || rc.idx[eEmployees] >= 0 || rc.idx[eRevenue] >= 0 {
			rc.ok = false
		}
		return nil
	}
	yv := foldWidth(rc.cell(eYear))
	if yv == "" {
		if rc.cell(eAbove) != "" {
			rc.fail(eAbove, KeyAboveScaleWithoutYear)
		}
		for _, c := range []int{eEmployees, eRevenue} {
			if rc.cell(c) != "" {
				rc.fail(c, KeyYearlyWithoutYear)
			}
		}
		return nil
	}
	y := &enterprise.Year{}
	if yr := atoi(yv); len(yv) != 4 || !allDigits(yv) || yr < MinStatusYear || yr > today.Year() {
		rc.fail(eYear, KeyBadYear, MinStatusYear, today.Year())
	} else {
		y.Year = yr
	}
	if v, ok := rc.requiredASCII(eAbove); ok {
		if b, valid := parseBool(v); valid {
			y.AboveScale = b
		} else {
			rc.fail(eAbove, KeyBadBool)
		}
	}
	if v, ok := rc.requiredASCII(eEmployees); ok {
		if n, ok := rc.number(eEmployees, v, 1, false); ok {
			y.Employees = int(n)
		}
	}
	if v, ok := rc.requiredASCII(eRevenue); ok {
		if n, ok := rc.number(eRevenue, v, int64(unit.Wan), false); ok {
			y.Revenue = unit.Fen(n)
		}
	}
	y.Size = enterprise.IndustrySize2017.Classify(y.Employees, y.Revenue)
	return y
}

// rowCtx carries one row through validation without closures, which would
// allocate per row.
type rowCtx struct {
	rep    *Report
	line   int
	cells  []string
	header []string
	idx    []int
	ok     bool
}

// cell returns the cell of column c, "" when the column is absent.
func (rc *rowCtx) cell(c int) string {
	if i := rc.idx[c]; i >= 0 {
		return rc.cells[i]
	}
	return ""
}

// requiredASCII is required for code, date and number columns, with
// full-width characters folded to ASCII.
func (rc *rowCtx) requiredASCII(c int) (string, bool) {
	v, ok := rc.required(c)
	return foldWidth(v), ok
}

// required returns a present, non-empty cell; an empty one is an error. An
// absent column was reported once at the header.
func (rc *rowCtx) required(c int) (string, bool) {
	i := rc.idx[c]
	if i < 0 {
		rc.ok = false
		return "", false
	}
	v := rc.cells[i]
	if v == "" {
		rc.fail(c, KeyEmptyCell)
		return "", false
	}
	return v, true
}

func (rc *rowCtx) fail(c int, key string, args ...any) {
	i := rc.idx[c]
	rc.rep.errorf(rc.line, rc.header[i], key, rc.cells[i], args...)
	rc.ok = false
}

func (rc *rowCtx) warn(c int, key string, args ...any) {
	i := rc.idx[c]
	rc.rep.warnf(rc.line, rc.header[i], key, rc.cells[i], args...)
}

// number parses v exactly at scale, reporting format, precision, range and
// sign problems against column c.
func (rc *rowCtx) number(c int, v string, scale int64, negOK bool) (int64, bool) {
	d := scaleDigits(scale)
	if key, arg, bad := commaProblem(v); bad {
		rc.fail(c, key, arg)
		return 0, false
	}
	n, err := parseScaled(v, scale, d)
	if err == nil && (n > MaxValue || n < -MaxValue) {
		err = unit.ErrRange
	}
	if err != nil {
		switch key := numberError(err); key {
		case KeyTooManyDecimals:
			rc.fail(c, key, max(d, 0))
		case KeyNumberRange:
			rc.fail(c, key, MaxValue/scale)
		default:
			rc.fail(c, key)
		}
		return 0, false
	}
	if n < 0 && !negOK {
		rc.fail(c, KeyNegative)
		return 0, false
	}
	return n, true
}

// dateOf returns the calendar day of t (now when zero) as UTC midnight,
// the form parsed dates take.
func dateOf(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// EnterpriseTemplate returns the header and example rows of an enterprise
// list in lang ("zh-CN" or "en"); the examples pass Enterprises.
func EnterpriseTemplate(lang string) (header []string, example [][]string) {
	for _, sp := range enterpriseCols.specs {
		header = append(header, sp.header(lang))
	}
	zh := isZh(lang)
	pick := func(z, e string) string {
		if zh {
			return z
		}
		return e
	}
	example = [][]string{
		{exampleCodes[0], pick("重庆示例汽车零部件有限公司", "Chongqing Example Auto Parts Co., Ltd."), pick("渝北区", "Yubei District"), "3670", "2015-06-18", "35.5", "2024", pick("是", "Y"), "320", "25800.5"},
		{exampleCodes[1], pick("重庆示例电子科技有限公司", "Chongqing Example Electronics Co., Ltd."), pick("两江新区", "Liangjiang New Area"), "3982", "2019-03-08", "0", "2024", pick("否", "N"), "45", "1800"},
	}
	return header, example
}

// exampleCodes are synthetic credit codes that pass both GB 32100 and the
// inner GB 11714 check, so templates show no warning.
var exampleCodes = [2]string{exampleCode("91500112", "MA5U7K0X"), exampleCode("91500000", "MA60W2K1")}

func exampleCode(prefix, orgBody string) string {
	oc, ok := creditcode.OrgCheckChar(orgBody)
	if !ok {
		panic("importer: bad example organisation code")
	}
	first17 := prefix + orgBody + string(oc)
	cc, err := creditcode.CheckChar(first17)
	if err != nil {
		panic("importer: bad example credit code: " + err.Error())
	}
	return first17 + string(cc)
}
