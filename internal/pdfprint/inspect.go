package pdfprint

import (
	"bytes"
	"encoding/hex"
	"regexp"
	"unicode/utf16"
)

// Info is what a quick look at a PDF finds: its page count and the title
// in its document information. Enough to check a printed briefing
// without a PDF library.
type Info struct {
	Pages int
	Title string
}

var (
	pageObj  = regexp.MustCompile(`/Type\s*/Page[^s]`)
	titleHex = regexp.MustCompile(`/Title\s*<([0-9A-Fa-f]+)>`)
	titleLit = regexp.MustCompile(`/Title\s*\(((?:[^()\\]|\\.)*)\)`)
)

// Inspect reads the page count and title of a PDF as Chromium writes it
// (uncompressed page and info objects; the title as UTF-16 hex or a
// literal string).
func Inspect(pdf []byte) Info {
	info := Info{Pages: len(pageObj.FindAll(pdf, -1))}
	if m := titleHex.FindSubmatch(pdf); m != nil {
		if b, err := hex.DecodeString(string(m[1])); err == nil {
			info.Title = decodeText(b)
		}
	} else if m := titleLit.FindSubmatch(pdf); m != nil {
		info.Title = string(m[1])
	}
	return info
}

// decodeText decodes a PDF text string: UTF-16BE after a byte-order mark,
// otherwise bytes as they are.
func decodeText(b []byte) string {
	if !bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return string(b)
	}
	b = b[2:]
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return string(utf16.Decode(u))
}
