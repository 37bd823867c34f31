package scoreboard

import (
	"io"
	"strconv"

	"github.com/industrybrain/ibrain/internal/tabular"
)

// Rows returns the panel as one table: section, code, names, value, unit,
// YoY, target and status, for XLSX and CSV.
func (d Doc) Rows() (header []string, rows [][]string) {
	header = []string{"板块 Section", "指标代码 Code", "指标 Indicator", "Indicator", "数值 Value", "单位 Unit", "同比% YoY", "目标 Target", "状态 Status", "期间 Period"}
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	add := func(section string, f Figure) {
		tgt, status := "", ""
		if p := f.Progress; p != nil {
			tgt, status = p.Comparator+" "+strconv.FormatFloat(p.Target, 'f', -1, 64), p.Status
		}
		rows = append(rows, []string{section, f.Code, f.NameZh, f.NameEn, num(f.Value), f.UnitZh, num(f.YoYPct), tgt, status, f.Period})
	}
	for _, f := range d.Results {
		add(strconv.Itoa(d.Year)+" 成绩单 results", f)
	}
	for _, f := range d.TaskTable {
		add(strconv.Itoa(d.TargetYear)+" 任务表 task table", f)
	}
	return header, rows
}

// WriteXLSX writes the panel as a spreadsheet.
func (d Doc) WriteXLSX(w io.Writer) error {
	header, rows := d.Rows()
	return tabular.WriteXLSX(w, "数读", header, rows)
}
