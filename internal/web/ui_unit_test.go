package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderMarkdown(t *testing.T) {
	got := string(renderMarkdown("# 标题 Title\n\n第一段\n接着\n\n- 一 `a<b`\n- **二** [链接](/help/x)\n\n1. one\n2. [bad](javascript:alert)\n\n<script>x</script>\n\n## 标题 Title\n"))
	for _, want := range []string{`<h1 id="标题-title">标题 Title</h1>`, "<p>第一段\n接着</p>", "<ul>\n<li>一 <code>a&lt;b</code></li>", `<li><strong>二</strong> <a href="/help/x">链接</a></li>`,
		"<ol>\n<li>one</li>\n<li><a href=\"\">bad</a></li>\n</ol>", `<h2 id="标题-title-1">`} {
		if !strings.Contains(got, want) {
			t.Errorf("markdown lacks %q:\n%s", want, got)
		}
	}
	if zh, en := helpPart("中文\n---\nEnglish", "zh-CN"), helpPart("中文\n---\nEnglish", "en"); zh != "中文" || en != "English" {
		t.Errorf("helpPart = %q, %q", zh, en)
	}
}

// A help file cannot inject markup or script: raw HTML is dropped and
// script-bearing link targets are emptied, whatever their case.
func TestRenderMarkdownIsSafe(t *testing.T) {
	src := "<script>alert(1)</script>\n\n<div onclick=\"x()\">d</div>\n\ntext <img src=x onerror=alert(1)> end\n\n" +
		"[a](javascript:alert(1)) [b](JavaScript:alert(1)) [c](vbscript:x) [d](data:text/html,x) ![e](javascript:alert(1))\n\n" +
		"[ok](https://example.com/a?b=1&c=2) [rel](/help/listing#阶段)\n"
	got := string(renderMarkdown(src))
	for _, bad := range []string{"<script", "<div", "onclick", "<img src=\"x\"", "onerror", "javascript:", "JavaScript:", "vbscript:", "data:text"} {
		if strings.Contains(got, bad) {
			t.Errorf("rendered help contains %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{`<a href="https://example.com/a?b=1&amp;c=2">ok</a>`, `<a href="/help/listing#%E9%98%B6%E6%AE%B5">rel</a>`} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered help lacks %q:\n%s", want, got)
		}
	}
}

// The listing help's stage table is a GFM table; it must render as one,
// not as a paragraph of pipes, and its Chinese heading keeps a readable id.
func TestHelpListingTable(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "listing", "listingweb", "help.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		got := string(renderMarkdown(helpPart(string(src), lang)))
		if !strings.Contains(got, "<table>") || !strings.Contains(got, "<th>") || strings.Contains(got, "|---|") {
			t.Errorf("%s: the stage table is not a <table>:\n%s", lang, got)
		}
	}
	got := string(renderMarkdown(helpPart(string(src), "zh-CN")))
	for _, want := range []string{`<h2 id="阶段">阶段</h2>`, "<td>辅导备案</td>"} {
		if !strings.Contains(got, want) {
			t.Errorf("listing help lacks %q", want)
		}
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
