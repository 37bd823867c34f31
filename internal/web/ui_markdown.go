package web

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// renderMarkdown converts the small Markdown subset the help pages use into
// HTML: ATX headings, paragraphs, "-"/"*" and "1." lists, ``` code blocks,
// and inline `code`, **bold** and [links](url). Everything is escaped
// first, so a help file cannot inject markup; link targets are limited to
// relative paths, #fragments and http(s).
func renderMarkdown(src string) template.HTML {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var para []string
	list := "" // "ul", "ol" or ""
	inCode := false
	flushPara := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inline(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	closeList := func() {
		if list != "" {
			b.WriteString("</" + list + ">\n")
			list = ""
		}
	}
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			flushPara()
			closeList()
			if inCode {
				b.WriteString("</code></pre>\n")
			} else {
				b.WriteString("<pre><code>")
			}
			inCode = !inCode
			continue
		}
		if inCode {
			b.WriteString(html.EscapeString(line) + "\n")
			continue
		}
		switch {
		case trimmed == "":
			flushPara()
			closeList()
		case strings.HasPrefix(trimmed, "#"):
			level := len(trimmed) - len(strings.TrimLeft(trimmed, "#"))
			text := strings.TrimSpace(trimmed[level:])
			if level > 6 || text == "" || trimmed[level] != ' ' {
				para = append(para, trimmed)
				continue
			}
			flushPara()
			closeList()
			tag := "h" + string(rune('0'+level))
			b.WriteString("<" + tag + ` id="` + slug(text) + `">` + inline(text) + "</" + tag + ">\n")
		case strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "* "):
			flushPara()
			if list != "ul" {
				closeList()
				b.WriteString("<ul>\n")
				list = "ul"
			}
			b.WriteString("<li>" + inline(trimmed[2:]) + "</li>\n")
		case orderedItem.MatchString(trimmed):
			flushPara()
			if list != "ol" {
				closeList()
				b.WriteString("<ol>\n")
				list = "ol"
			}
			b.WriteString("<li>" + inline(orderedItem.ReplaceAllString(trimmed, "")) + "</li>\n")
		case list != "" && (strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "\t")):
			// A continuation line of the current list item.
			s := b.String()
			if i := strings.LastIndex(s, "</li>\n"); i >= 0 {
				b.Reset()
				b.WriteString(s[:i] + " " + inline(trimmed) + "</li>\n")
			}
		default:
			closeList()
			para = append(para, trimmed)
		}
	}
	if inCode {
		b.WriteString("</code></pre>\n")
	}
	flushPara()
	closeList()
	return template.HTML(b.String())
}

var (
	orderedItem = regexp.MustCompile(`^\d+[.)]\s+`)
	inlineCode  = regexp.MustCompile("`([^`]+)`")
	boldText    = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	linkText    = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
)

// inline escapes text and applies the inline rules. Code spans are cut out
// first so their content is not formatted.
func inline(s string) string {
	var codes []string
	s = inlineCode.ReplaceAllStringFunc(s, func(m string) string {
		codes = append(codes, "<code>"+html.EscapeString(m[1:len(m)-1])+"</code>")
		return "\x00" + string(rune('A'+len(codes)-1)) + "\x00"
	})
	s = html.EscapeString(s)
	s = boldText.ReplaceAllString(s, "<strong>$1</strong>")
	s = linkText.ReplaceAllStringFunc(s, func(m string) string {
		p := linkText.FindStringSubmatch(m)
		href := html.UnescapeString(p[2])
		if !(strings.HasPrefix(href, "/") || strings.HasPrefix(href, "#") || strings.HasPrefix(href, "https://") || strings.HasPrefix(href, "http://")) {
			return p[1]
		}
		return `<a href="` + html.EscapeString(href) + `">` + p[1] + "</a>"
	})
	for i, c := range codes {
		s = strings.Replace(s, "\x00"+string(rune('A'+i))+"\x00", c, 1)
	}
	return s
}

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
