package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// staticFile is one embedded front-end file with its content hash.
type staticFile struct {
	name string // path under static/, e.g. "vendor/echarts.min.js"
	hash string // first 12 hex digits of the sha256
	data []byte
	gz   []byte // gzip of data for text files, nil otherwise
	mime string
}

// assets indexes the embedded static files by path and by base name, so a
// template can say {{asset "echarts.min.js"}} and get a content-hashed URL
// that browsers may cache for a year: a changed file gets a new URL.
type assets struct {
	byPath map[string]*staticFile
	byBase map[string]*staticFile
}

// loadAssets indexes the core's static files and the modules' (each
// module FS holds its files at its root, served beside the core's).
func loadAssets(modules ...fs.FS) (*assets, error) {
	a := &assets{byPath: map[string]*staticFile{}, byBase: map[string]*staticFile{}}
	dup := map[string]bool{}
	core, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	for i, fsys := range append([]fs.FS{core}, modules...) {
		if err := a.add(fsys, i > 0, dup); err != nil {
			return nil, err
		}
	}
	for b := range dup {
		delete(a.byBase, b) // ambiguous: templates must use the full path
	}
	return a, nil
}

// add indexes the files of fsys; a module's file may not shadow another's
// path.
func (a *assets) add(fsys fs.FS, module bool, dup map[string]bool) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := p
		if _, taken := a.byPath[name]; taken && module {
			return fmt.Errorf("web: static file %s defined twice", name)
		}
		ct := mime.TypeByExtension(path.Ext(name))
		switch path.Ext(name) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".geojson", ".json":
			ct = "application/json"
		case ".md", ".txt":
			ct = "text/plain; charset=utf-8"
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		f := &staticFile{name: name, hash: hex.EncodeToString(sum[:])[:12], data: data, mime: ct}
		if len(data) > 1024 && (strings.HasPrefix(ct, "text/") || ct == "application/json") {
			f.gz = gzipBytes(data)
		}
		a.byPath[name] = f
		base := path.Base(name)
		if _, ok := a.byBase[base]; ok {
			dup[base] = true
		}
		a.byBase[base] = f
		return nil
	})
}

// lookup finds a file by path under static/ or by unique base name.
func (a *assets) lookup(name string) (*staticFile, bool) {
	if f, ok := a.byPath[name]; ok {
		return f, true
	}
	f, ok := a.byBase[name]
	return f, ok
}

// url returns the hashed URL of a file; it panics on an unknown file so a
// typo in a template fails the first render in tests, not in a browser.
func (a *assets) url(name string) string {
	f, ok := a.lookup(name)
	if !ok {
		panic("web: unknown static asset " + name)
	}
	return "/static/" + f.hash + "/" + f.name
}

// serve answers GET /static/{hash}/{path...}. A current hash is cached for a
// year; a stale hash (a page rendered before a deploy) still gets the file,
// uncached.
func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byPath[r.PathValue("path")]
	if !ok || strings.HasSuffix(f.name, ".md") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.mime)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.PathValue("hash") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("Vary", "Accept-Encoding")
	if f.gz != nil && acceptsGzip(r) {
		h.Set("ETag", `"`+f.hash+`-gz"`)
		if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, f.hash) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(f.gz)))
		if r.Method != http.MethodHead {
			_, _ = w.Write(f.gz)
		}
		return
	}
	h.Set("ETag", `"`+f.hash+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

func gzipBytes(data []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(data)
	_ = zw.Close()
	return b.Bytes()
}
