package importer

import (
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
)

// The yearly 亩均 facts departments supply (mujun.Supplied): park,
// electricity, emissions and veto items for every firm, and for below-scale
// firms, which file no monthly reports, their tax, revenue, value added,
// R&D, energy and employees. An empty cell is "not supplied": it neither
// reads as zero nor erases what another department supplied earlier, so
// the power company's and the environment bureau's files can be imported
// one after the other.

// Mujun facts columns.
const (
	mfCode = iota
	mfYear
	mfPark
	mfElectricity
	mfEmissions
	mfVetoes
	mfTax
	mfRevenue
	mfValueAdded
	mfRD
	mfEnergy
	mfEmployees
	mfCount
)

var mujunCols = newColumnSet([]colSpec{
	mfCode:        enterpriseCols.specs[eCode],
	mfYear:        yearSpec,
	mfPark:        {zh: "所在园区", en: "park", aliases: []string{"园区", "工业园区", "所属园区", "园区代码", "park code"}},
	mfElectricity: {zh: "用电量", en: "electricity_kwh", unitZh: "千瓦时", unitEn: "kWh", bareEn: true, aliases: []string{"年用电量", "总用电量", "electricity"}},
	mfEmissions:   {zh: "主要污染物排放量", en: "emissions_kg", unitZh: "千克", unitEn: "kg", bareEn: true, aliases: []string{"排放量", "污染物排放量", "emissions"}},
	mfVetoes:      {zh: "否决及扣分事项", en: "vetoes", aliases: []string{"否决事项", "扣分事项", "一票否决", "veto items"}},
	mfTax:         wan("税收实际贡献", "tax_10k", "实缴税金", "税金总额", "tax"),
	mfRevenue:     wan("营业收入", "revenue_10k", "revenue", "operating revenue"),
	mfValueAdded:  wan("工业增加值", "value_added_10k", "增加值", "value added"),
	mfRD:          wan("研发费用", "rd_expense_10k", "研发经费支出", "r&d expense"),
	mfEnergy:      {zh: "综合能耗", en: "energy_tce", unitZh: "吨标准煤", unitEn: "tce", bareEn: true, aliases: []string{"能耗", "energy use"}},
	mfEmployees:   {zh: "从业人员", en: "employees", unitZh: "人", unitEn: "persons", aliases: []string{"年平均从业人员", "从业人员数"}},
}, contextColumns...)

// Park is a stored industrial park.
type Park struct {
	Code       string
	RegionCode string
}

// MujunOptions supplies the lookups of a 亩均 facts import.
type MujunOptions struct {
	Firm FirmLookup // required
	// Park resolves a park code or name; required.
	Park func(codeOrName string) (Park, bool)
	// Veto resolves a veto item code or name of the stored and built-in
	// configurations; required.
	Veto  func(codeOrName string) (string, bool)
	Today time.Time // years after its year are rejected; zero: now
}

// mujunValue is one parsed cell.
type mujunValue struct {
	n    int64
	s    string
	list []string
}

type mujunAssign struct {
	col int
	v   mujunValue
}

// MujunRow is one valid row: the facts it supplies about one enterprise
// and year. Apply them over the stored facts with MergeMujun.
type MujunRow struct {
	Line         int
	EnterpriseID int64
	Year         int
	set          []mujunAssign
}

func (r MujunRow) apply(f *mujun.Supplied) {
	for _, a := range r.set {
		v := a.v
		switch a.col {
		case mfPark:
			f.ParkCode = v.s
		case mfElectricity:
			f.Electricity = mujun.Some(v.n)
		case mfEmissions:
			f.Emissions = mujun.Some(v.n)
		case mfVetoes:
			f.Vetoes = slices.Clone(v.list)
		case mfTax:
			f.Tax = mujun.Some(unit.Fen(v.n))
		case mfRevenue:
			f.Revenue = mujun.Some(unit.Fen(v.n))
		case mfValueAdded:
			f.ValueAdded = mujun.Some(unit.Fen(v.n))
		case mfRD:
			f.RD = mujun.Some(unit.Fen(v.n))
		case mfEnergy:
			f.Energy = mujun.Some(unit.KgCE(v.n))
		case mfEmployees:
			f.Employees = mujun.Some(v.n)
		}
	}
	if len(f.Vetoes) == 0 {
		f.Vetoes = nil // stored as "", read back as nil
	}
}

// MujunFacts validates a 亩均 facts file. It returns the valid rows and a
// report of every problem; only a report without errors may be merged.
func MujunFacts(s *tabular.Sheet, opts MujunOptions) ([]MujunRow, Report) {
	if opts.Firm == nil || opts.Park == nil || opts.Veto == nil {
		panic("importer: MujunOptions.Firm, Park and Veto are required")
	}
	rep := Report{Kind: KindMujunFacts}
	if s == nil {
		rep.errorf(0, "", KeyFileEmpty, "")
		return nil, rep
	}
	s = padded(s)
	rep.Rows = len(s.Rows)
	today := dateOf(opts.Today)
	idx := mujunCols.resolve(s.Header, s.HeaderLine, &rep)
	if len(s.Rows) == 0 {
		rep.errorf(s.HeaderLine, "", KeyNoData, "")
	}
	out := make([]MujunRow, 0, len(s.Rows))
	seen := map[yearKey]int{}
	for _, row := range s.Rows {
		rc := rowCtx{rep: &rep, line: row.Line, cells: row.Cells, header: s.Header, idx: idx, ok: true}
		mr := MujunRow{Line: row.Line}
		f, known := rc.firm(mfCode, opts.Firm)
		mr.EnterpriseID = f.ID
		y, yok := rc.yearCell(mfYear, MinStatusYear, today.Year())
		mr.Year = y
		stated := 0
		for c := mfPark; c < mfCount; c++ {
			raw := rc.cell(c)
			if raw == "" {
				continue
			}
			stated++
			v := foldWidth(raw)
			var mv mujunValue
			ok := true
			switch c {
			case mfPark:
				p, found := opts.Park(trimSpace(raw))
				if !found {
					p, found = opts.Park(v)
				}
				if !found {
					rc.fail(c, KeyUnknownPark)
					ok = false
					break
				}
				if known && f.RegionCode != "" && p.RegionCode != f.RegionCode {
					rc.warn(c, KeyParkOtherRegion)
				}
				mv.s = p.Code
			case mfVetoes:
				mv.list = []string{}
				if isNone(v) {
					break
				}
				for _, item := range splitList(raw) {
					code, found := opts.Veto(item)
					if !found {
						rep.errorf(row.Line, s.Header[idx[c]], KeyUnknownVeto, raw, item)
						rc.ok, ok = false, false
						continue
					}
					if !slices.Contains(mv.list, code) {
						mv.list = append(mv.list, code)
					}
				}
			case mfTax, mfRevenue, mfValueAdded, mfRD:
				mv.n, ok = rc.number(c, v, int64(unit.Wan), false)
			case mfEnergy:
				mv.n, ok = rc.number(c, v, 1000, false) // tce → kgce
			default: // kWh, kg, persons
				mv.n, ok = rc.number(c, v, 1, false)
			}
			if ok {
				mr.set = append(mr.set, mujunAssign{col: c, v: mv})
			}
		}
		if stated == 0 {
			rep.errorf(row.Line, "", KeyNoFacts, "")
			rc.ok = false
		}
		if known && yok {
			k := yearKey{f.ID, y}
			if first, dup := seen[k]; dup {
				rc.fail(mfYear, KeyDuplicateYearRow, first)
			} else {
				seen[k] = row.Line
			}
		}
		if rc.ok {
			out = append(out, mr)
		}
	}
	rep.sort()
	return out, rep
}

// MergeMujun applies each row over the facts stored for its enterprise
// and year (stored returns false when there are none).
func MergeMujun(rows []MujunRow, stored func(id int64, year int) (mujun.Supplied, bool), source string) []mujun.Supplied {
	out := make([]mujun.Supplied, 0, len(rows))
	for _, r := range rows {
		f, ok := stored(r.EnterpriseID, r.Year)
		if !ok {
			f = mujun.Supplied{EnterpriseID: r.EnterpriseID, Year: r.Year}
		}
		f.Vetoes = slices.Clone(f.Vetoes)
		r.apply(&f)
		f.Source = source
		out = append(out, f)
	}
	return out
}

// MujunTemplate returns the header and example rows of a 亩均 facts file
// in lang. parkCode is a stored park to show (the template must import).
// The first example is an above-scale firm (its amounts come from the
// monthly reports, so only park, electricity, emissions and vetoes); the
// second a below-scale firm with its amounts.
func MujunTemplate(lang string) (header []string, example [][]string) {
	for _, sp := range mujunCols.specs {
		header = append(header, sp.header(lang))
	}
	none := "无"
	if !isZh(lang) {
		none = "none"
	}
	example = [][]string{
		{exampleCodes[0], "2024", "", "3250000", "1520", none, "", "", "", "", "", ""},
		{exampleCodes[1], "2024", "", "420000", "", "environmental_penalty", "86.5", "1800", "420.25", "35", "260.5", "45"},
	}
	return header, example
}
