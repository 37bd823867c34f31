// Package region holds Chongqing's statistical units: the 38 districts and
// counties with their GB/T 2260 codes and the three functional zones, which
// official texts treat as equal to districts but which have no GB code.
package region

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// Kind is the administrative kind of a statistical unit.
type Kind string

// Region kinds.
const (
	District         Kind = "district"
	County           Kind = "county"
	AutonomousCounty Kind = "autonomous_county"
	Zone             Kind = "zone" // functional zone (功能区), internal code
)

// Area is the planning area (一区两群): central city, new main-city area,
// north-east Chongqing, south-east Chongqing. The grouping is unverified
// reference data (domain.md marks it ⚪) and kept here as data.
type Area string

// Region is one statistical unit.
type Region struct {
	Code      string   `json:"code"`
	NameZh    string   `json:"name_zh"`
	NameEn    string   `json:"name_en"`
	Kind      Kind     `json:"kind"`
	Area      Area     `json:"area"`
	HostCodes []string `json:"host_codes,omitempty"` // zones: districts whose territory they span
	Aliases   []string `json:"aliases,omitempty"`    // former names (梁平县 → 梁平区)
}

// IsZone reports whether the unit is a functional zone.
func (r Region) IsZone() bool { return r.Kind == Zone }

// Catalogue is a versioned list of statistical units.
type Catalogue struct {
	Version string   `json:"version"`
	Source  string   `json:"source"`
	Regions []Region `json:"regions"`
	byCode  map[string]int
	byName  map[string]int
}

//go:embed regions.json
var builtinJSON []byte

// Builtin returns the compiled-in catalogue (NBS 2023 codes plus the zones).
func Builtin() (*Catalogue, error) { return Parse(builtinJSON) }

// Parse reads a catalogue from JSON and indexes it.
func Parse(data []byte) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("region: %w", err)
	}
	c.byCode = map[string]int{}
	c.byName = map[string]int{}
	for i, r := range c.Regions {
		if _, dup := c.byCode[r.Code]; dup {
			return nil, fmt.Errorf("region: duplicate code %s", r.Code)
		}
		c.byCode[r.Code] = i
		c.byName[r.NameZh] = i
		c.byName[r.NameEn] = i
		for _, a := range r.Aliases {
			c.byName[a] = i
		}
	}
	return &c, nil
}

// ByCode returns the unit with the code.
func (c *Catalogue) ByCode(code string) (Region, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Region{}, false
	}
	return c.Regions[i], true
}

// Lookup finds a unit by code, Chinese or English name, or former name, so
// that imports accept whatever column a bureau's spreadsheet has.
func (c *Catalogue) Lookup(s string) (Region, bool) {
	if r, ok := c.ByCode(s); ok {
		return r, true
	}
	i, ok := c.byName[s]
	if !ok {
		return Region{}, false
	}
	return c.Regions[i], true
}
