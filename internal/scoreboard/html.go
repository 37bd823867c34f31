package scoreboard

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/industrybrain/ibrain/internal/i18n"
)

//go:embed scoreboard.html
var htmlTemplate string

// texts are the scoreboard's labels, from the message catalogue
// (internal/i18n/scoreboard.{zh-CN,en}.json, keys scoreboard.*), as
// key → {zh-CN, en}.
var texts = sync.OnceValue(func() map[string][2]string { return i18n.Pairs("scoreboard") })

// zh returns the zh-CN text of scoreboard.<key>; the bilingual outputs'
// zh-CN texts carry their English glosses.
func zh(key string) string { return texts()["scoreboard."+key][0] }

// WriteHTML writes a standalone bilingual HTML page (no scripts, no external
// assets), suitable for printing or mailing.
func (d Doc) WriteHTML(w io.Writer) error {
	t, err := template.New("sb").Funcs(template.FuncMap{
		"num": formatValue,
		"pct": formatSigned,
		"status": func(s string) string {
			t := texts()["scoreboard.status."+s]
			return t[0] + " / " + t[1]
		},
		"cmp": func(c string) string { return map[string]string{">=": "≥", "<=": "≤", "~": "≈"}[c] },
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
