package scoreboard

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed scoreboard.html
var htmlTemplate string

var statusText = map[string][2]string{
	"met":      {"已完成", "met"},
	"on_track": {"进度正常", "on track"},
	"behind":   {"滞后", "behind"},
	"missed":   {"未完成", "missed"},
	"no_data":  {"暂无数据", "no data"},
}

// WriteHTML writes a standalone bilingual HTML page (no scripts, no external
// assets), suitable for printing or mailing.
func (d Doc) WriteHTML(w io.Writer) error {
	t, err := template.New("sb").Funcs(template.FuncMap{
		"num":    formatValue,
		"pct":    formatSigned,
		"status": func(s string) string { return statusText[s][0] + " / " + statusText[s][1] },
		"cmp":    func(c string) string { return map[string]string{">=": "≥", "<=": "≤", "~": "≈"}[c] },
	}).Parse(htmlTemplate)
	if err != nil {
		return err
	}
	return t.Execute(w, d)
}

// formatValue renders a value with a precision fit for its unit.
func formatValue(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	switch unit {
	case "percent":
		return fmt.Sprintf("%.1f", *v)
	case "yi_yuan":
		return groupThousands(fmt.Sprintf("%.0f", *v))
	default:
		if *v == float64(int64(*v)) {
			return groupThousands(fmt.Sprintf("%.0f", *v))
		}
		return fmt.Sprintf("%.2f", *v)
	}
}

func formatSigned(v *float64) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf("%+.1f%%", *v)
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
