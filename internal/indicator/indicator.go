// Package indicator holds the indicator catalogue (指标目录): every figure
// the platform shows or targets, with its unit, frequency, aggregation,
// owning department, data source and alert/excellence thresholds.
package indicator

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// Indicator is one catalogue entry.
type Indicator struct {
	Code           string   `json:"code"`
	NameZh         string   `json:"name_zh"`
	NameEn         string   `json:"name_en"`
	Unit           string   `json:"unit"`
	UnitZh         string   `json:"unit_zh"`
	UnitEn         string   `json:"unit_en"`
	Frequency      string   `json:"frequency"`   // monthly | yearly
	Kind           string   `json:"kind"`        // cumulative | point
	Aggregation    string   `json:"aggregation"` // sum | growth | share | ratio | count | manual
	Measure        string   `json:"measure"`     // statistics-engine measure; empty for manual values
	Department     string   `json:"department"`
	Source         string   `json:"source"` // manual | file | interface | computed
	Alert          *float64 `json:"alert,omitempty"`
	Excellent      *float64 `json:"excellent,omitempty"`
	HigherIsBetter bool     `json:"higher_is_better"`
	DefinitionZh   string   `json:"definition_zh"`
	DefinitionEn   string   `json:"definition_en"`
}

// Catalogue is a versioned indicator catalogue.
type Catalogue struct {
	Version       string      `json:"version"`
	EffectiveFrom string      `json:"effective_from"`
	Indicators    []Indicator `json:"indicators"`
	byCode        map[string]int
}

//go:embed indicators.json
var builtinJSON []byte

// Builtin returns the compiled-in catalogue.
func Builtin() (*Catalogue, error) { return Parse(builtinJSON) }

// Parse reads and validates a catalogue.
func Parse(data []byte) (*Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("indicator: %w", err)
	}
	c.byCode = map[string]int{}
	for i, ind := range c.Indicators {
		if _, dup := c.byCode[ind.Code]; dup {
			return nil, fmt.Errorf("indicator: duplicate code %s", ind.Code)
		}
		c.byCode[ind.Code] = i
	}
	return &c, nil
}

// ByCode returns the indicator with the code.
func (c *Catalogue) ByCode(code string) (Indicator, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Indicator{}, false
	}
	return c.Indicators[i], true
}
