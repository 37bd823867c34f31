package pdfprint

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
)

func requireChromium(t *testing.T) Printer {
	t.Helper()
	p := Printer{Path: DefaultPath}
	if err := p.Available(); err != nil {
		if os.Getenv("IBRAIN_REQUIRE_BROWSER") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	if testing.Short() && os.Getenv("IBRAIN_REQUIRE_BROWSER") == "" {
		t.Skip("-short: printing starts a browser")
	}
	return p
}

func TestPrintTwoPages(t *testing.T) {
	p := requireChromium(t)
	html := []byte(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>简报 Briefing 2024</title></head>
<body><h1>第一页</h1><div style="break-before:page">第二页</div></body></html>`)
	pdf, err := p.Print(context.Background(), html)
	if err != nil {
		t.Fatal(err)
	}
	info := Inspect(pdf)
	if info.Pages != 2 || info.Title != "简报 Briefing 2024" {
		t.Errorf("printed %d bytes: %+v, want 2 pages titled 简报 Briefing 2024", len(pdf), info)
	}
}

func TestUnavailable(t *testing.T) {
	p := Printer{Path: t.TempDir() + "/no-chromium"}
	if err := p.Available(); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Available() = %v, want ErrUnavailable", err)
	}
	if _, err := p.Print(context.Background(), []byte("<p>x</p>")); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Print() = %v, want ErrUnavailable", err)
	}
	dir := Printer{Path: t.TempDir()}
	if err := dir.Available(); !errors.Is(err, ErrUnavailable) {
		t.Errorf("a directory: %v", err)
	}
}

func TestInspectLiteralTitle(t *testing.T) {
	info := Inspect([]byte("%PDF-1.4\n1 0 obj <</Title (A \\(b\\))>> endobj 2 0 obj <</Type /Pages /Count 1>> 3 0 obj <</Type /Page /Parent 2 0 R>>"))
	if info.Pages != 1 || info.Title != `A \(b\)` {
		t.Errorf("%+v", info)
	}
	if !bytes.Equal([]byte(decodeText([]byte{0xFE, 0xFF, 0x7B, 0x80})), []byte("简")) {
		t.Errorf("UTF-16 title not decoded")
	}
}
