// Package scoreboard renders the "数读" panel — a year's results (成绩单)
// and the next year's task table (任务表) with progress — as JSON, HTML and
// XLSX. The JSON figure objects are the platform's one wire form of a
// figure; the API serves the same structs.
package scoreboard

import (
	"encoding/json"
	"io"
	"math"

	"github.com/industrybrain/ibrain/internal/stats"
)

// Figure is the wire form of a computed figure.
type Figure struct {
	Code     string    `json:"code"`
	NameZh   string    `json:"name_zh"`
	NameEn   string    `json:"name_en"`
	Value    *float64  `json:"value"` // null when there is no data
	Unit     string    `json:"unit"`
	UnitZh   string    `json:"unit_zh"`
	UnitEn   string    `json:"unit_en"`
	YoYPct   *float64  `json:"yoy_pct,omitempty"`
	Period   string    `json:"period,omitempty"` // YYYY-MM the value covers
	Nominal  bool      `json:"nominal,omitempty"`
	Mark     string    `json:"mark,omitempty"` // alert | excellent
	Target   *Target   `json:"target,omitempty"`
	Progress *Progress `json:"progress,omitempty"`
}

// Target is the wire form of a target.
type Target struct {
	Year       int     `json:"year"`
	Comparator string  `json:"comparator"`
	Value      float64 `json:"value"`
	Source     string  `json:"source,omitempty"`
}

// Progress is the wire form of target progress.
type Progress struct {
	Status     string   `json:"status"` // met | on_track | behind | missed | no_data
	Ratio      *float64 `json:"ratio,omitempty"`
	Projection *float64 `json:"projection,omitempty"`
	Month      int      `json:"month,omitempty"`
}

// FromFigure converts an engine figure to its wire form.
func FromFigure(f stats.Figure) Figure {
	out := Figure{
		Code: f.Indicator.Code, NameZh: f.Indicator.NameZh, NameEn: f.Indicator.NameEn,
		Unit: f.Indicator.Unit, UnitZh: f.Indicator.UnitZh, UnitEn: f.Indicator.UnitEn,
		Nominal: f.Nominal, Mark: string(f.Mark),
	}
	if f.Period.Year != 0 {
		out.Period = f.Period.String()
	}
	if f.Known {
		out.Value = finite(f.Value)
		if f.YoYPct != nil {
			out.YoYPct = finite(*f.YoYPct)
		}
	}
	if p := f.Progress; p != nil {
		t := p.Target
		out.Target = &Target{Year: t.Year, Comparator: string(t.Comparator), Value: t.Value, Source: t.Source}
		out.Progress = &Progress{Status: string(p.Status), Month: p.Month}
		if p.Known {
			if p.Ratio != 0 {
				out.Progress.Ratio = finite(p.Ratio)
			}
			out.Progress.Projection = finite(p.Projection)
		}
	}
	return out
}

// finite returns a pointer to v, or nil for NaN and ±Inf, which JSON
// cannot carry.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// Doc is the wire form of the panel.
type Doc struct {
	Year       int      `json:"year"`
	Period     string   `json:"period"`
	Results    []Figure `json:"results"`
	TargetYear int      `json:"target_year"`
	TargetAsOf string   `json:"target_as_of,omitempty"`
	TaskTable  []Figure `json:"task_table"`
}

// FromStats converts an engine scoreboard.
func FromStats(sb stats.Scoreboard) Doc {
	d := Doc{Year: sb.Year, Period: sb.Period.String(), TargetYear: sb.TargetYear, Results: []Figure{}, TaskTable: []Figure{}}
	if sb.TargetAsOf.Year != 0 {
		d.TargetAsOf = sb.TargetAsOf.String()
	}
	for _, f := range sb.Results {
		d.Results = append(d.Results, FromFigure(f))
	}
	for _, f := range sb.TargetTable {
		d.TaskTable = append(d.TaskTable, FromFigure(f))
	}
	return d
}

// WriteJSON writes the document as indented JSON.
func (d Doc) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(d)
}
