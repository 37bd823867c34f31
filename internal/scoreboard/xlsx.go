package scoreboard

import (
	"fmt"
	"io"
	"strconv"

	"github.com/industrybrain/ibrain/internal/tabular"
)

// Rows returns the panel as one table: section, code, names, value, unit,
// YoY, target and status, for XLSX and CSV.
func (d Doc) Rows() (header []string, rows [][]string) {
	for _, c := range []string{"section", "code", "indicator_zh", "indicator_en", "value", "unit", "yoy", "target", "status", "period"} {
		header = append(header, zh("col."+c))
	}
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
		add(fmt.Sprintf(zh("section.results"), d.Year), f)
	}
	for _, f := range d.TaskTable {
		add(fmt.Sprintf(zh("section.tasks"), d.TargetYear), f)
	}
	return header, rows
}

// WriteXLSX writes the panel as a spreadsheet.
func (d Doc) WriteXLSX(w io.Writer) error {
	header, rows := d.Rows()
	return tabular.WriteXLSX(w, zh("sheet"), header, rows)
}
