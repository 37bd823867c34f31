package digitalweb

import (
	"strconv"

	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/web"
)

// The cockpit's district map: the districts' projects, investment and
// ladder at the end of the year shown, drawn on the shared district shapes
// (/static/map/chongqing.json, as the 亩均 map) by digital_map.js with its
// table beside; a click opens the district's own figures (the page with
// region=…). The figures are the same ByRegion rows as the ladder table.

// mapURL is the shared district shapes.
const mapURL = "/static/map/chongqing.json"

// mapDistrict is one district on the map (page data, JSON).
type mapDistrict struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	URL       string  `json:"url"`
	Zone      bool    `json:"zone,omitempty"` // a functional zone: no shape, table only
	Approved  int     `json:"approved"`
	Accepted  int     `json:"accepted"`
	ActualYi  float64 `json:"actual_yi"`
	Workshops int     `json:"workshops"`
	Smart     int     `json:"smart"`
	Future    int     `json:"future"`
}

// mapDistricts turns the districts' rows into the map's data; every
// district of the catalogue is listed (a district without records shows
// zeros, not a blank).
func (m *module) mapDistricts(lang string, rows []digital.RegionRow, to int) []mapDistrict {
	by := map[string]digital.RegionRow{}
	for _, r := range rows {
		by[r.RegionCode] = r
	}
	out := []mapDistrict{}
	for _, rg := range m.core.Regions().Regions {
		r := by[rg.Code]
		out = append(out, mapDistrict{Code: rg.Code, Name: web.RegionName(lang, rg), URL: "/digital?region=" + rg.Code + "&to=" + strconv.Itoa(to),
			Zone: rg.IsZone(), Approved: r.Approved, Accepted: r.Accepted, ActualYi: roundTo(r.Actual.Yi100m(), 2),
			Workshops: r.Held[digital.RungWorkshop], Smart: r.Held[digital.RungSmart], Future: r.Held[digital.RungFuture]})
	}
	return out
}
