package web

import (
	"context"
	"net/http"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/rules"
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

// ScreenCached is the cached city-wide screening of a data generation.
func ScreenCached(s *Server, ctx context.Context, sc auth.Scope, asOf time.Time, gen int64) (*cultivation.Screening, error) {
	return s.screen(ctx, sc, asOf, gen)
}

// ScreenFresh is a screening computed without the cache.
func ScreenFresh(s *Server, ctx context.Context, sc auth.Scope, asOf time.Time) (*cultivation.Screening, error) {
	return s.screenStore(ctx, sc, asOf)
}

// CacheWaiters counts the requests waiting for a screening of asOf.
func CacheWaiters(s *Server, asOf time.Time) int { return s.cult.waiters(asOf) }

// Eligibility is a firm's eligibility as the page computes it.
func Eligibility(s *Server, ctx context.Context, sc auth.Scope, id int64, asOf time.Time) (cultivation.Eligibility, cultivation.Raw, error) {
	return s.eligibility(ctx, sc, id, asOf)
}

// Rules is the server's rule-set registry.
func Rules(s *Server) *rules.Registry { return s.rules }

// CriterionRows renders a criterion tree as the page's rows.
func CriterionRows(n *rules.Node, lang string) []criterionRow { return criterionRows(n, lang) }

// StatusText is a criterion status in words.
func StatusText(key string) rules.Text { return statusText(key) }

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
