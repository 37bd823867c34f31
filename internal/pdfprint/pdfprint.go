// Package pdfprint prints a standalone HTML document to PDF with headless
// Chromium (the Debian chromium the browser tests use), for briefings:
// the scoreboard ('ibrain report scoreboard --format pdf') and its
// download on the scoreboard page. Chromium is an optional runtime tool,
// not a Go dependency; without it Available says why.
package pdfprint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// DefaultPath is Debian's chromium; IBRAIN_CHROMIUM overrides it.
const DefaultPath = "/usr/bin/chromium"

// ErrUnavailable is returned when no browser can print.
var ErrUnavailable = errors.New("pdfprint: chromium is not available")

// Printer prints HTML with the browser at Path.
type Printer struct {
	Path    string
	Timeout time.Duration // per document; 60 s when zero
}

// FromEnv is a Printer for IBRAIN_CHROMIUM, or DefaultPath when unset.
func FromEnv() Printer {
	if p := os.Getenv("IBRAIN_CHROMIUM"); p != "" {
		return Printer{Path: p}
	}
	return Printer{Path: DefaultPath}
}

// Available reports whether the browser exists and can be run; the error
// wraps ErrUnavailable and names the path.
func (p Printer) Available() error {
	st, err := os.Stat(p.Path)
	if err != nil {
		return fmt.Errorf("%w at %s: %v", ErrUnavailable, p.Path, err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("%w: %s is not an executable", ErrUnavailable, p.Path)
	}
	return nil
}

// Print renders html (a complete document without external assets) to a
// PDF on A4 and returns its bytes.
func (p Printer) Print(ctx context.Context, html []byte) ([]byte, error) {
	if err := p.Available(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ibrain-pdf-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "doc.html"), filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, html, 0o600); err != nil {
		return nil, err
	}
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.Path,
		"--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		// No network on the servers this runs on; no update or sync calls.
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--print-to-pdf="+out, "file://"+in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("pdfprint: %s: %w (%s)", p.Path, err, lastLine(stderr.Bytes()))
	}
	pdf, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("pdfprint: %s wrote no PDF: %w", p.Path, err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, fmt.Errorf("pdfprint: %s wrote something other than a PDF", p.Path)
	}
	return pdf, nil
}

func lastLine(b []byte) string {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	if len(b) > 300 {
		b = b[:300]
	}
	return string(b)
}
