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
	"github.com/industrybrain/ibrain/internal/target"
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
	Progress *Progress `json:"progress,omitempty"`
}

// Progress is the wire form of a target and the progress against it.
type Progress struct {
	ScopeKind  string   `json:"scope_kind"`
	ScopeCode  string   `json:"scope_code,omitempty"`
	Comparator string   `json:"comparator"`
	Target     float64  `json:"target"`
	Actual     *float64 `json:"actual"`
	Month      int      `json:"month"`
	Ratio      *float64 `json:"ratio,omitempty"`
	Projection *float64 `json:"projection"`
	Status     string   `json:"status"` // met | on_track | behind | missed | no_data
	Source     string   `json:"source"`
}

// FromProgress converts target progress to its wire form.
func FromProgress(p target.Progress) *Progress {
	out := &Progress{
		ScopeKind: p.Target.ScopeKind, ScopeCode: p.Target.ScopeCode, Comparator: string(p.Target.Comparator),
		Target: p.Target.Value, Month: p.Month, Status: string(p.Status), Source: p.Target.Source,
	}
	if p.Known {
		out.Actual, out.Projection = finite(p.Actual), finite(p.Projection)
		if p.Ratio != 0 {
			out.Ratio = finite(p.Ratio)
		}
	}
	return out
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
	if f.Progress != nil {
		out.Progress = FromProgress(*f.Progress)
	}
	return out
}

// FromFigures converts a list of figures.
func FromFigures(fs []stats.Figure) []Figure {
	out := make([]Figure, 0, len(fs))
	for _, f := range fs {
		out = append(out, FromFigure(f))
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
	TaskTable  []Figure `json:"target_table"`
}

// FromStats converts an engine scoreboard.
func FromStats(sb stats.Scoreboard) Doc {
	d := Doc{Year: sb.Year, TargetYear: sb.TargetYear, Results: FromFigures(sb.Results), TaskTable: FromFigures(sb.TargetTable)}
	if sb.Period.Year != 0 {
		d.Period = sb.Period.String()
	}
	if sb.TargetAsOf.Year != 0 {
		d.TargetAsOf = sb.TargetAsOf.String()
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
