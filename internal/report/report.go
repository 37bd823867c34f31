// Package report holds monthly enterprise reports (数据归集): year-to-date
// cumulative values as official statistics collect them, and the rules that
// derive single-month values from them.
package report

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Field identifies one reported value.
type Field int

// The reported fields. Money is stored in fen, energy in kgce, people as a
// head count.
const (
	Output     Field = iota // 工业总产值 (current prices)
	ValueAdded              // 工业增加值 (current prices)
	Revenue                 // 营业收入
	Profit                  // 利润总额
	RDExpense               // 研发费用
	Investment              // 制造业（固定资产）投资完成额
	Tax                     // 税金总额
	Energy                  // 综合能耗
	Employees               // 期末从业人员
	NumFields
)

// Kind says how a field accumulates over the year.
type Kind int

// Field kinds.
const (
	Cumulative Kind = iota // year-to-date total (1–N月累计)
	Point                  // value at the period end
)

// FieldInfo describes a field for storage, templates and display.
type FieldInfo struct {
	Field      Field
	Code       string // column name in the database and the API
	NameZh     string
	NameEn     string
	Kind       Kind
	Negative   bool   // may be negative (profit)
	FileUnitZh string // the unit used in import/export files
	FileUnitEn string
	FileScale  int64 // stored value = file value × FileScale
}

// Fields lists every field, indexed by Field. The names and file units are
// data, filled in from fields.json when the package loads.
var Fields = [NumFields]FieldInfo{
	{Field: Output, Code: "output", Kind: Cumulative, Negative: false, FileScale: int64(unit.Wan)},
	{Field: ValueAdded, Code: "value_added", Kind: Cumulative, Negative: false, FileScale: int64(unit.Wan)},
	{Field: Revenue, Code: "revenue", Kind: Cumulative, Negative: false, FileScale: int64(unit.Wan)},
	{Field: Profit, Code: "profit", Kind: Cumulative, Negative: true, FileScale: int64(unit.Wan)},
	{Field: RDExpense, Code: "rd_expense", Kind: Cumulative, Negative: false, FileScale: int64(unit.Wan)},
	{Field: Investment, Code: "investment", Kind: Cumulative, Negative: false, FileScale: int64(unit.Wan)},
	{Field: Tax, Code: "tax", Kind: Cumulative, Negative: false, FileScale: int64(unit.Wan)},
	{Field: Energy, Code: "energy", Kind: Cumulative, Negative: false, FileScale: 1000},
	{Field: Employees, Code: "employees", Kind: Point, Negative: false, FileScale: 1},
}

// deadlineDay is the day of the following month by which a month's report
// is due; data in fields.json, set once when the package loads.
var deadlineDay int

// Deadline is the end of the day a period's report is due (UTC+8, the
// statistical calendar's clock): deadline_day of the following month.
func (p Period) Deadline() time.Time {
	cst := time.FixedZone("CST", 8*3600)
	return time.Date(p.Year, time.Month(p.Month)+1, deadlineDay+1, 0, 0, 0, 0, cst)
}

// Next returns the following reporting period (1–2月 follows December).
func (p Period) Next() Period {
	if p.Month == 12 {
		return Period{p.Year + 1, 2}
	}
	return Period{p.Year, p.Month + 1}
}

// Prev returns the preceding period of the same year, and false for 1–2月.
func (p Period) Prev() (Period, bool) {
	if p.Month <= 2 {
		return Period{}, false
	}
	return Period{p.Year, p.Month - 1}, true
}

//go:embed fields.json
var fieldsJSON []byte

func init() {
	var f struct {
		Form struct {
			Version     string `json:"version"`
			DeadlineDay int    `json:"deadline_day"`
		} `json:"form"`
		Fields map[string]struct {
			NameZh     string `json:"name_zh"`
			NameEn     string `json:"name_en"`
			FileUnitZh string `json:"file_unit_zh"`
			FileUnitEn string `json:"file_unit_en"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(fieldsJSON, &f); err != nil {
		panic(fmt.Sprintf("report: fields.json: %v", err)) // compiled in; TestFieldNames reads it
	}
	if f.Form.DeadlineDay < 1 || f.Form.DeadlineDay > 28 {
		panic("report: fields.json: form.deadline_day must be 1..28")
	}
	deadlineDay = f.Form.DeadlineDay
	for i := range Fields {
		d, ok := f.Fields[Fields[i].Code]
		if !ok {
			panic("report: fields.json lacks " + Fields[i].Code)
		}
		Fields[i].NameZh, Fields[i].NameEn, Fields[i].FileUnitZh, Fields[i].FileUnitEn = d.NameZh, d.NameEn, d.FileUnitZh, d.FileUnitEn
	}
}

// Period is a reporting month. Month 2 holds January and February together
// (1–2月); January alone is never reported (1月免报).
type Period struct {
	Year  int
	Month int
}

// ErrJanuary is returned for a January period.
var ErrJanuary = errors.New("january is reported together with february (as January–February)")

// ErrPeriod is returned for a malformed period.
var ErrPeriod = errors.New("period must be YYYY-MM with a month from 02 to 12")

// Validate checks the period against the reporting calendar.
func (p Period) Validate() error {
	if p.Month == 1 {
		return ErrJanuary
	}
	if p.Year < 2000 || p.Year > 2100 || p.Month < 2 || p.Month > 12 {
		return ErrPeriod
	}
	return nil
}

// Key returns YYYYMM, the compact form used for sorting and storage.
func (p Period) Key() int { return p.Year*100 + p.Month }

// String renders YYYY-MM.
func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, p.Month) }

// Label renders the cumulative label used in official releases, 1–N月.
func (p Period) Label(zh bool) string {
	f := periodLabel()
	text := f[1]
	if zh {
		text = f[0]
	}
	return fmt.Sprintf(text, p.Year, p.Month, monthAbbr[p.Month])
}

// periodLabel is {zh-CN, en} of the cumulative label, from the catalogue
// (internal/i18n/report.*.json); it formats year, month and the month's
// English abbreviation.
var periodLabel = sync.OnceValue(func() [2]string { return i18n.Pairs("report")["report.period.cumulative"] })

var monthAbbr = [...]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// ParsePeriod accepts "2023-03", "2023/3", "202303" and "2023年3月".
func ParsePeriod(s string) (Period, error) {
	var digits []int
	cur, in := 0, false
	for _, r := range s {
		if r >= '0' && r <= '9' {
			cur = cur*10 + int(r-'0')
			in = true
			continue
		}
		if in {
			digits = append(digits, cur)
			cur, in = 0, false
		}
	}
	if in {
		digits = append(digits, cur)
	}
	var p Period
	switch {
	case len(digits) == 1 && digits[0] >= 200001 && digits[0] <= 210012:
		p = Period{digits[0] / 100, digits[0] % 100}
	case len(digits) == 2:
		p = Period{digits[0], digits[1]}
	default:
		return Period{}, ErrPeriod
	}
	return p, p.Validate()
}

// Values holds one value per field.
type Values [NumFields]int64

// Monthly is one enterprise's report for one period: year-to-date
// cumulative values for cumulative fields, period-end values for point
// fields.
type Monthly struct {
	EnterpriseID int64
	Period       Period
	Values       Values
}

// Single is a single-month value derived from cumulative reports.
type Single struct {
	Period  Period
	Value   int64
	Derived bool // computed as cum(N) − cum(N−1), not reported
	Known   bool // false when the previous cumulative report is missing
}

// SingleMonth derives single-month values of field f from one enterprise's
// reports of one year (any order). For 1–2月 the value is the reported
// two-month total; for later months it is the difference of consecutive
// cumulative values, marked derived. Point fields are returned as reported.
// The derivation is only valid for level values of a stable enterprise, which
// is why it works on one enterprise's series and never on growth rates.
func SingleMonth(reports []Monthly, f Field) []Single {
	byMonth := map[int]int64{}
	year := 0
	for _, r := range reports {
		byMonth[r.Period.Month] = r.Values[f]
		year = r.Period.Year
	}
	var out []Single
	for m := 2; m <= 12; m++ {
		v, ok := byMonth[m]
		if !ok {
			continue
		}
		s := Single{Period: Period{year, m}, Value: v, Known: true}
		if Fields[f].Kind == Cumulative && m > 2 {
			prev, ok := byMonth[m-1]
			s.Derived = true
			s.Known = ok
			s.Value = v - prev
		}
		out = append(out, s)
	}
	return out
}

// Cumulate is the inverse of SingleMonth for cumulative fields: it rebuilds
// year-to-date values from single-month values of months 2..12 (month 2
// holding Jan–Feb).
func Cumulate(single []int64) []int64 {
	out := make([]int64, len(single))
	var sum int64
	for i, v := range single {
		sum += v
		out[i] = sum
	}
	return out
}
