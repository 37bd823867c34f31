package web

import (
	"strings"
	"testing"

	"github.com/industrybrain/ibrain/internal/target"
)

func TestRenderMarkdown(t *testing.T) {
	got := string(renderMarkdown("# 标题 Title\n\n第一段\n接着\n\n- 一 `a<b`\n- **二** [链接](/help/x)\n\n1. one\n2. [bad](javascript:alert)\n\n<script>x</script>\n"))
	for _, want := range []string{`<h1 id="标题-title">标题 Title</h1>`, "<p>第一段 接着</p>", "<ul>\n<li>一 <code>a&lt;b</code></li>", `<li><strong>二</strong> <a href="/help/x">链接</a></li>`,
		"<ol>\n<li>one</li>\n<li>bad</li>\n</ol>", "&lt;script&gt;"} {
		if !strings.Contains(got, want) {
			t.Errorf("markdown lacks %q:\n%s", want, got)
		}
	}
	if zh, en := helpPart("中文\n---\nEnglish", "zh-CN"), helpPart("中文\n---\nEnglish", "en"); zh != "中文" || en != "English" {
		t.Errorf("helpPart = %q, %q", zh, en)
	}
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		v      float64
		digits int
		want   string
	}{{0, 0, "0"}, {1234567.891, 1, "1,234,567.9"}, {-1234.5, 1, "-1,234.5"}, {-0.01, 1, "0.0"}, {999, 0, "999"}, {1000, 0, "1,000"}} {
		if got := formatNumber(c.v, c.digits); got != c.want {
			t.Errorf("formatNumber(%v, %d) = %q, want %q", c.v, c.digits, got, c.want)
		}
	}
	if got := formatSigned(6.6, 1); got != "+6.6" {
		t.Errorf("formatSigned = %q", got)
	}
}

func TestProgressPct(t *testing.T) {
	for _, c := range []struct {
		cmp    target.Comparator
		t, a   float64
		ratio  float64
		wantPc int
	}{
		{target.AtLeast, 8, 7.3, 0, 91}, {target.AtLeast, 400, 200, 0.5, 50}, {target.AtLeast, 8, 9, 0, 100},
		{target.AtMost, 5.5, 5, 0, 100}, {target.AtMost, 5, 10, 0, 50}, {target.About, 5.5, 5.6, 0, 100}, {target.AtLeast, 8, -2, 0, 0},
	} {
		pr := target.Progress{Target: target.Target{Comparator: c.cmp, Value: c.t}, Actual: c.a, Ratio: c.ratio, Known: true}
		if got := progressPct(pr); got != c.wantPc {
			t.Errorf("progressPct(%s %v, actual %v) = %d, want %d", c.cmp, c.t, c.a, got, c.wantPc)
		}
	}
}
