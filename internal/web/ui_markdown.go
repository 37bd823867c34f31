package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// helpMarkdown renders the help pages: CommonMark plus the GitHub extensions
// (tables, strikethrough, autolinks, task lists). goldmark's defaults keep
// the output safe: raw HTML in a help file is omitted, and javascript:,
// vbscript:, file: and data: link targets are emptied. Headings get ids from
// slug (see headingIDs), not goldmark's ASCII-only default.
var helpMarkdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
)

// renderMarkdown converts a help file's Markdown into HTML.
func renderMarkdown(src string) template.HTML {
	var b bytes.Buffer
	ctx := parser.NewContext(parser.WithIDs(&headingIDs{seen: map[string]bool{}}))
	if err := helpMarkdown.Convert([]byte(src), &b, parser.WithContext(ctx)); err != nil {
		// Convert fails only when writing to the buffer fails, which it does not.
		return template.HTML("<pre>" + template.HTMLEscapeString(src) + "</pre>")
	}
	return template.HTML(b.String())
}

// headingIDs is the parser.IDs of the help pages: ids come from slug, so a
// Chinese heading keeps its characters ("## 阶段" gets id="阶段") where
// goldmark's default would make it "heading"; a repeated id gets "-1",
// "-2"… appended, as goldmark does.
type headingIDs struct{ seen map[string]bool }

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	base := slug(string(value))
	if base == "" {
		base = "section"
	}
	id := base
	for i := 1; h.seen[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	h.seen[id] = true
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.seen[string(value)] = true }

// slug makes a heading id: ASCII letters and digits lowercased, CJK kept,
// everything else collapsed to "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 0x2e80:
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// helpPart returns the language's half of a help file: the zh-CN text comes
// first and the English text follows a line holding only "---".
func helpPart(src, lang string) string {
	zh, en, ok := strings.Cut(strings.ReplaceAll(src, "\r\n", "\n"), "\n---\n")
	if !ok {
		return src
	}
	if lang == "en" {
		return en
	}
	return zh
}
