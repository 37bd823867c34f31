package importer

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/unit"
)

var today = time.Date(2025, 4, 10, 15, 0, 0, 0, time.Local)

func entOpts() EnterpriseOptions {
	return EnterpriseOptions{
		ValidIndustry: func(c string) bool { return c != "9999" },
		Today:         today,
	}
}

// Column positions in the zh template header.
const (
	tCode = iota
	tName
	tRegion
	tIndustry
	tFounded
	tLand
	tYear
	tAbove
	tEmployees
	tRevenue
)

func TestEnterprisesValidRow(t *testing.T) {
	header, ex := EnterpriseTemplate("zh-CN")
	row := replace(ex[0], tCode, strings.ToLower(code(7, false)))
	rows, rep := Enterprises(sheet(header, row), entOpts())
	if !rep.OK() || len(rep.Warnings) != 0 || rep.Rows != 1 || rep.Kind != KindEnterprises {
		t.Fatalf("report %+v", rep)
	}
	want := EnterpriseRow{
		Line: 2,
		Enterprise: enterprise.Enterprise{
			CreditCode: code(7, false), Name: "重庆示例汽车零部件有限公司", RegionCode: "500112", IndustryCode: "3670",
			Founded: time.Date(2015, 6, 18, 0, 0, 0, 0, time.UTC), LandArea: 3550,
		},
		Year: &enterprise.Year{Year: 2024, AboveScale: true, Employees: 320, Revenue: 258005 * unit.Wan / 10, Size: enterprise.SizeMedium},
	}
	if !reflect.DeepEqual(rows, []EnterpriseRow{want}) {
		t.Fatalf("got  %+v %+v\nwant %+v %+v", rows[0], rows[0].Year, want, want.Year)
	}
}

func TestEnterprisesAcceptedForms(t *testing.T) {
	// English headers in another order, with varied case, spacing and units.
	header := []string{"NAME", "Credit Code", " region ", "Industry_Code", "founded", "land_mu (mu)", "Revenue_10K（¥10k）", "Employees", "Above Scale", "YEAR", "序号"}
	base := []string{"Example Co.", code(1, false), "Yubei District", "3670", "2015-06-18", "1.5", "100", "10", "N", "2024", "1"}
	serial := time.Date(2015, 6, 18, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	tests := []struct {
		col       int
		in        string
		check     func(EnterpriseRow) any
		want      any
		noWarning bool
	}{
		{4, "2015/6/18", func(r EnterpriseRow) any { return r.Enterprise.Founded.Format(time.DateOnly) }, "2015-06-18", true},
		{4, "2015年6月18日", func(r EnterpriseRow) any { return r.Enterprise.Founded.Format(time.DateOnly) }, "2015-06-18", true},
		{4, "20150618", func(r EnterpriseRow) any { return r.Enterprise.Founded.Format(time.DateOnly) }, "2015-06-18", true},
		{4, strconv.Itoa(int(serial)), func(r EnterpriseRow) any { return r.Enterprise.Founded.Format(time.DateOnly) }, "2015-06-18", true},
		{4, "2015-06-18 00:00:00", func(r EnterpriseRow) any { return r.Enterprise.Founded.Format(time.DateOnly) }, "2015-06-18", true},
		{2, "梁平县", func(r EnterpriseRow) any { return r.Enterprise.RegionCode }, "500155", true},
		{2, "500103", func(r EnterpriseRow) any { return r.Enterprise.RegionCode }, "500103", true},
		{2, "yubei  district", func(r EnterpriseRow) any { return r.Enterprise.RegionCode }, "500112", true},
		{2, "两江新区", func(r EnterpriseRow) any { return r.Enterprise.RegionCode }, "CQ-LJ", true},
		{5, "", func(r EnterpriseRow) any { return r.Enterprise.LandArea }, unit.Mu100(0), true},
		{5, "１２．５", func(r EnterpriseRow) any { return r.Enterprise.LandArea }, unit.Mu100(1250), true}, // full-width input mode
		{4, "２０１５－０６－１８", func(r EnterpriseRow) any { return r.Enterprise.Founded.Format(time.DateOnly) }, "2015-06-18", true},
		{5, "1,234.5", func(r EnterpriseRow) any { return r.Enterprise.LandArea }, unit.Mu100(123450), true},
		{8, "是", func(r EnterpriseRow) any { return r.Year.AboveScale }, true, false}, // revenue 100 万 < 2000 万: warning
		{8, "true", func(r EnterpriseRow) any { return r.Year.AboveScale }, true, false},
		{8, "0", func(r EnterpriseRow) any { return r.Year.AboveScale }, false, true},
		{6, "12.345678", func(r EnterpriseRow) any { return r.Year.Revenue }, unit.Fen(12_345_678), true},
		{1, code(2, true), func(r EnterpriseRow) any { return r.Enterprise.CreditCode }, code(2, true), false}, // GB 11714 warning only
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rows, rep := Enterprises(sheet(header, replace(base, tt.col, tt.in)), entOpts())
			render(t, rep)
			if !rep.OK() || len(rows) != 1 {
				t.Fatalf("errors %v", keysOf(rep.Errors))
			}
			if got := tt.check(rows[0]); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if tt.noWarning != (len(rep.Warnings) == 0) {
				t.Errorf("warnings %v", keysOf(rep.Warnings))
			}
		})
	}
}

func TestEnterprisesRejections(t *testing.T) {
	header, ex := EnterpriseTemplate("zh-CN")
	good := ex[0]
	h := func(i int) string { return header[i] }
	tests := []struct {
		name   string
		header []string
		rows   [][]string
		line   int
		column string
		key    string
		args   []any
	}{
		{"missing column", without(header, tName), [][]string{without(good, tName)}, 1, "", KeyMissingColumn, []any{"企业名称", "Enterprise name"}},
		{"missing year column", without(header, tYear), [][]string{without(good, tYear)}, 1, "", KeyMissingColumn, []any{"年度", "Year"}},
		{"missing yearly column", without(header, tEmployees), [][]string{without(good, tEmployees)}, 1, "", KeyMissingColumn, []any{"从业人员（人）", "Employees (persons)"}},
		{"duplicate column", append(append([]string(nil), header...), "企业名称"), [][]string{append(append([]string(nil), good...), "x")}, 1, "企业名称", KeyDuplicateColumn, []any{"企业名称"}},
		{"wrong unit", replace(header, tRevenue, "上年营业收入（亿元）"), [][]string{good}, 1, "上年营业收入（亿元）", KeyColumnUnit, []any{"万元", "¥10k"}},
		{"no data", header, nil, 1, "", KeyNoData, nil},
		{"empty cell", header, [][]string{replace(good, tName, "")}, 2, h(tName), KeyEmptyCell, nil},
		{"credit code length", header, [][]string{replace(good, tCode, "91500112MA5U7K0")}, 2, h(tCode), KeyCreditCodeLength, nil},
		{"credit code charset", header, [][]string{replace(good, tCode, "91500112MA5U7K0IX0")}, 2, h(tCode), KeyCreditCodeCharset, nil},
		{"credit code checksum", header, [][]string{replace(good, tCode, code(3, false)[:17]+"0")}, 2, h(tCode), KeyCreditCodeChecksum, nil},
		{"credit code Excel made a number", header, [][]string{replace(good, tCode, "915001015344961000")}, 2, h(tCode), KeyCreditCodeNumber, nil},
		{"credit code in scientific notation", header, [][]string{replace(good, tCode, "9.15001E+17")}, 2, h(tCode), KeyCreditCodeNumber, nil},
		{"duplicate credit code", header, [][]string{good, ex[1], good}, 4, h(tCode), KeyDuplicateCreditCode, []any{2}},
		{"unknown region", header, [][]string{replace(good, tRegion, "成都市")}, 2, h(tRegion), KeyUnknownRegion, nil},
		{"industry format", header, [][]string{replace(good, tIndustry, "367")}, 2, h(tIndustry), KeyIndustryCodeFormat, nil},
		{"unknown industry", header, [][]string{replace(good, tIndustry, "9999")}, 2, h(tIndustry), KeyUnknownIndustry, nil},
		{"bad date", header, [][]string{replace(good, tFounded, "2015-02-30")}, 2, h(tFounded), KeyBadDate, nil},
		{"bare year is not a date", header, [][]string{replace(good, tFounded, "2015")}, 2, h(tFounded), KeyBadDate, nil},
		{"future founding", header, [][]string{replace(good, tFounded, "2025-04-11")}, 2, h(tFounded), KeyFoundedFuture, nil},
		{"bad number", header, [][]string{replace(good, tLand, "三十")}, 2, h(tLand), KeyBadNumber, nil},
		{"too many decimals", header, [][]string{replace(good, tLand, "1.234")}, 2, h(tLand), KeyTooManyDecimals, []any{2}},
		{"negative", header, [][]string{replace(good, tLand, "-1")}, 2, h(tLand), KeyNegative, nil},
		{"number range", header, [][]string{replace(good, tRevenue, "99999999999999999")}, 2, h(tRevenue), KeyNumberRange, []any{int64(100_000_000)}},
		{"fractional employees", header, [][]string{replace(good, tEmployees, "10.5")}, 2, h(tEmployees), KeyTooManyDecimals, []any{0}},
		{"above scale without year", header, [][]string{replace(replace(replace(good, tYear, ""), tEmployees, ""), tRevenue, "")}, 2, h(tAbove), KeyAboveScaleWithoutYear, nil},
		{"yearly without year", header, [][]string{replace(replace(replace(good, tYear, ""), tAbove, ""), tRevenue, "")}, 2, h(tEmployees), KeyYearlyWithoutYear, nil},
		{"year without status", header, [][]string{replace(good, tAbove, "")}, 2, h(tAbove), KeyEmptyCell, nil},
		{"bad bool", header, [][]string{replace(good, tAbove, "可能")}, 2, h(tAbove), KeyBadBool, nil},
		{"bad year", header, [][]string{replace(good, tYear, "1999")}, 2, h(tYear), KeyBadYear, []any{2000, 2025}},
		{"future year", header, [][]string{replace(good, tYear, "2026")}, 2, h(tYear), KeyBadYear, []any{2000, 2025}},
		{"name too long", header, [][]string{replace(good, tName, strings.Repeat("重", 101))}, 2, h(tName), KeyNameTooLong, []any{100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rep := Enterprises(sheet(tt.header, tt.rows...), entOpts())
			render(t, rep)
			if len(rep.Errors) != 1 {
				t.Fatalf("errors %v, want exactly one %s", keysOf(rep.Errors), tt.key)
			}
			e := rep.Errors[0]
			if e.Line != tt.line || e.Column != tt.column || e.Key != tt.key || !reflect.DeepEqual(e.Args, tt.args) {
				t.Fatalf("got %+v\nwant line %d column %q key %s args %v", e, tt.line, tt.column, tt.key, tt.args)
			}
			if tt.line > 1 {
				for _, r := range rows {
					if r.Line == tt.line {
						t.Fatalf("rejected line %d returned", tt.line)
					}
				}
			}
		})
	}
}

func TestEnterprisesOrgCheckIsWarning(t *testing.T) {
	header, ex := EnterpriseTemplate("zh-CN")
	rows, rep := Enterprises(sheet(header, replace(ex[0], tCode, code(4, true))), entOpts())
	if !rep.OK() || len(rows) != 1 {
		t.Fatalf("errors %v", keysOf(rep.Errors))
	}
	if len(rep.Warnings) != 1 || rep.Warnings[0].Key != KeyCreditCodeOrgCheck || rep.Warnings[0].Line != 2 || rep.Warnings[0].Column != "统一社会信用代码" {
		t.Fatalf("warnings %+v", rep.Warnings)
	}
}

func TestEnterprisesWithoutYearlyColumns(t *testing.T) {
	header, ex := EnterpriseTemplate("en")
	rows, rep := Enterprises(sheet(header[:tYear], ex[0][:tYear]), entOpts())
	if !rep.OK() || len(rows) != 1 || rows[0].Year != nil {
		t.Fatalf("rows %+v errors %v", rows, keysOf(rep.Errors))
	}
	if rows[0].Enterprise.RegionCode != "500112" {
		t.Fatalf("region %q", rows[0].Enterprise.RegionCode)
	}
}

func TestEnterprisesCollectsEveryError(t *testing.T) {
	header, ex := EnterpriseTemplate("zh-CN")
	rows, rep := Enterprises(sheet(header,
		ex[0],
		replace(replace(ex[1], tRegion, "火星"), tFounded, "2030-01-01"), // two errors in one row
		replace(replace(ex[1], tIndustry, "ABCD"), tCode, code(5, false)),
		replace(code3(ex[0]), tLand, "-5"),
		ex[0], // duplicate of line 2
	), entOpts())
	render(t, rep)
	want := []string{
		"3/所属区县/" + KeyUnknownRegion,
		"3/成立日期/" + KeyFoundedFuture,
		"4/行业代码/" + KeyIndustryCodeFormat,
		"5/用地面积（亩）/" + KeyNegative,
		"6/统一社会信用代码/" + KeyDuplicateCreditCode,
	}
	if got := keysOf(rep.Errors); !reflect.DeepEqual(got, want) {
		t.Fatalf("errors\n got %v\nwant %v", got, want)
	}
	if len(rows) != 1 || rows[0].Line != 2 || rep.Rows != 5 {
		t.Fatalf("rows %+v", rows)
	}
}

func code3(row []string) []string { return replace(row, tCode, code(3, false)) }

func TestEnterpriseTemplatesPass(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		header, ex := EnterpriseTemplate(lang)
		rows, rep := Enterprises(sheet(header, ex...), EnterpriseOptions{ValidIndustry: func(string) bool { return true }})
		render(t, rep)
		if !rep.OK() || len(rep.Warnings) != 0 || len(rows) != len(ex) {
			t.Errorf("%s: errors %v warnings %v", lang, keysOf(rep.Errors), keysOf(rep.Warnings))
		}
	}
}
