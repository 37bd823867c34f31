package digital

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/unit"
)

//go:embed columns.json
var columnsJSON []byte

// Column is one column of the project import.
type Column struct {
	Code     string `json:"code"`
	Zh       string `json:"zh"`
	Required bool   `json:"required"`
}

type columnFile struct {
	Note    string            `json:"note"`
	Columns []Column          `json:"columns"`
	Yes     []string          `json:"yes"`
	No      []string          `json:"no"`
	Sheets  []string          `json:"sheets"`
	Kinds   map[string]string `json:"kinds"`
}

// ImportSheets are the worksheet names an import file's projects are read
// from, preferred in order.
func ImportSheets() []string { return loadColumns().Sheets }

// ImportColumns are the project import's columns, in template order.
func ImportColumns() []Column { return loadColumns().Columns }

func loadColumns() columnFile {
	var cf columnFile
	dec := json.NewDecoder(bytes.NewReader(columnsJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cf); err != nil {
		panic("digital: columns.json: " + err.Error()) // compiled in; a test loads it
	}
	return cf
}

// RowError is one problem of an import row.
type RowError struct {
	Line   int
	Column string
	Err    error // an *apperr.Error with the message
}

// ImportRow is one data row with its line as the user sees it.
type ImportRow struct {
	Line  int
	Cells []string
}

// ParseProjectRows turns an import sheet into projects: every row is
// checked, every problem collected with its line and column, and the
// projects are returned only when there is none (the import is all or
// nothing). ids resolves credit codes to firms in the importer's scope.
func ParseProjectRows(r *Rules, header []string, rows []ImportRow, ids map[string]int64) ([]Project, []RowError) {
	cf := loadColumns()
	pos := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		for _, c := range cf.Columns {
			if strings.EqualFold(h, c.Code) || h == c.Zh {
				pos[c.Code] = i
			}
		}
	}
	var errs []RowError
	for _, c := range cf.Columns {
		if _, ok := pos[c.Code]; c.Required && !ok {
			errs = append(errs, RowError{Line: 1, Column: c.Code, Err: apperr.New(apperr.Invalid, "err.digital.import.missing_column", c.Code)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(rows) == 0 {
		return nil, []RowError{{Line: 1, Err: apperr.New(apperr.Invalid, "err.digital.import.empty")}}
	}
	seen := map[string]int{}
	var out []Project
	for _, row := range rows {
		cell := func(code string) string {
			if i, ok := pos[code]; ok && i < len(row.Cells) {
				return strings.TrimSpace(row.Cells[i])
			}
			return ""
		}
		bad := func(col, key string, args ...any) {
			errs = append(errs, RowError{Line: row.Line, Column: col, Err: apperr.New(apperr.Invalid, key, args...)})
		}
		date := func(col string) time.Time {
			s := cell(col)
			if s == "" {
				return time.Time{}
			}
			d, err := time.Parse(time.DateOnly, strings.ReplaceAll(s, "/", "-"))
			if err != nil {
				bad(col, "err.digital.import.date", s)
			}
			return d
		}
		wan := func(col string) unit.Fen {
			s := cell(col)
			if s == "" {
				return 0
			}
			v, err := unit.ParseScaled(s, int64(unit.Wan))
			if err != nil || v < 0 {
				bad(col, "err.digital.import.amount", s)
			}
			return unit.Fen(v)
		}
		before := len(errs)
		p := Project{Code: cell("project_code"), Name: cell("project_name"), ClusterCode: cell("cluster"), CreditCode: cell("credit_code")}
		if prev, dup := seen[p.Code]; dup && p.Code != "" {
			bad("project_code", "err.digital.import.duplicate", p.Code, prev)
		}
		seen[p.Code] = row.Line
		if id, ok := ids[strings.ToUpper(p.CreditCode)]; ok {
			p.EnterpriseID = id
		} else {
			bad("credit_code", "err.digital.import.firm", p.CreditCode)
		}
		k := cell("kind")
		if v, ok := cf.Kinds[k]; ok {
			k = v
		}
		p.Kind = Kind(strings.ToLower(k))
		for _, s := range strings.FieldsFunc(cell("scenarios"), func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '、' || r == '；' || r == '，' }) {
			p.Scenarios = append(p.Scenarios, strings.ToUpper(s))
		}
		p.Planned = wan("planned_wan")
		p.StartOn, p.EndOn = date("start_on"), date("end_on")
		switch d := strings.ToLower(cell("demonstration")); {
		case slices.Contains(cf.Yes, d):
			p.Demonstration = true
		case !slices.Contains(cf.No, d):
			bad("demonstration", "err.digital.import.flag", d)
		}
		for _, ind := range Indicators {
			b, a := cell(string(ind)+"_before"), cell(string(ind)+"_after")
			if b == "" && a == "" {
				continue
			}
			bv, err1 := unit.ParseScaled(b, 100)
			av, err2 := unit.ParseScaled(a, 100)
			if err := errors.Join(err1, err2); err != nil {
				bad(string(ind)+"_before", "err.digital.import.measure", string(ind))
				continue
			}
			p.Measures = append(p.Measures, Measure{Indicator: ind, Before: bv, After: av})
		}
		applied, approved, accepted, subsidised := date("applied_on"), date("approved_on"), date("accepted_on"), date("subsidised_on")
		actual, subsidy := wan("actual_wan"), wan("subsidy_wan")
		if len(errs) > before {
			continue
		}
		if applied.IsZero() {
			bad("applied_on", "err.digital.import.date", "")
			continue
		}
		p.Events = []Event{{Stage: StageApplied, Date: applied}}
		if !approved.IsZero() {
			p.Events = append(p.Events, Event{Stage: StageApproved, Date: approved, Level: r.LevelFor(p.Planned, applied)})
		}
		if !accepted.IsZero() {
			p.Events = append(p.Events, Event{Stage: StageAccepted, Date: accepted, Amount: actual})
		}
		if !subsidised.IsZero() {
			p.Events = append(p.Events, Event{Stage: StageSubsidised, Date: subsidised, Amount: subsidy})
		}
		if err := p.Validate(r); err != nil {
			errs = append(errs, RowError{Line: row.Line, Err: err})
			continue
		}
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// Message renders a row error's message in lang.
func (e RowError) Message(cat *i18n.Catalog, lang string) string {
	var ae *apperr.Error
	if errors.As(e.Err, &ae) {
		return cat.T(lang, ae.Key, ae.Args...)
	}
	return e.Err.Error()
}
