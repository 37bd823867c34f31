package web

import (
	"net/http"
	"time"
)

// Hooks into a server's internals for the external tests.

// APIRoutes is the server's machine route table.
func APIRoutes(s *Server) []apiRoute { return s.api }

// MuxPattern is the pattern the server's mux matches r with.
func MuxPattern(s *Server, r *http.Request) string {
	_, p := s.mux.Handler(r)
	return p
}

// SetNow replaces the server's clock.
func SetNow(s *Server, now func() time.Time) { s.now = now }

// AssetURL is the content-hashed URL of a static file.
func AssetURL(s *Server, name string) string { return s.ui.assets.url(name) }

// AssetHash is the content hash of a static file by base name.
func AssetHash(s *Server, base string) string { return s.ui.assets.byBase[base].hash }

// HelpModules are the core's help pages in menu order.
func HelpModules() []string { return helpModules }

// HelpSource is a help page's Markdown.
func HelpSource(s *Server, module string) (string, bool) {
	src, ok := s.ui.help[module]
	return src, ok
}

// BuildDistrictMap builds the served district map from GeoJSON.
var BuildDistrictMap = buildDistrictMap

// PageRoutes are the page patterns the modules contribute, plus the core's
// help pages.
func PageRoutes(s *Server) []string {
	out := []string{"GET /help", "GET /help/{module}"}
	for _, m := range s.modules {
		for _, pg := range m.Pages {
			out = append(out, pg.Pattern())
		}
	}
	return out
}

// HelpNames are the help pages served, by name.
func HelpNames(s *Server) []string {
	out := make([]string, 0, len(s.ui.help))
	for name := range s.ui.help {
		out = append(out, name)
	}
	return out
}

// CatalogKeys are the message catalogue's keys.
func CatalogKeys(s *Server) []string { return s.catalog.Keys() }
