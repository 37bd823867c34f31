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
