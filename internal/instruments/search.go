package instruments

import (
	"strings"
	"unicode"

	"github.com/industrybrain/ibrain/internal/unit"
)

// Terms returns the search terms of a text: the character bigrams of
// every run of Han characters and every run of ASCII letters and digits,
// lowercased, as a whole ("SU8010" → "su8010"). Indexing and querying
// use the same function, so a two-character term (质谱, 电镜) and a model
// number hit. A lone Han character has no bigram: it is returned in
// singles for the caller to match by scanning.
func Terms(s string) (terms, singles []string) {
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	rs := []rune(strings.ToLower(s))
	for i := 0; i < len(rs); {
		switch {
		case unicode.Is(unicode.Han, rs[i]):
			j := i
			for j < len(rs) && unicode.Is(unicode.Han, rs[j]) {
				j++
			}
			if j-i == 1 {
				singles = append(singles, string(rs[i]))
			}
			for k := i; k+1 < j; k++ {
				add(string(rs[k : k+2]))
			}
			i = j
		case rs[i] < 128 && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i])):
			j := i
			for j < len(rs) && rs[j] < 128 && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			add(string(rs[i:j]))
			i = j
		default:
			i++
		}
	}
	return terms, singles
}

// IndexText is the text of an instrument that search reads.
func (in Instrument) IndexText() string {
	return strings.Join([]string{in.Name, in.Model, in.Manufacturer, in.Subclass, in.Capabilities}, " ")
}

// PriceBand is a facet range of the enterprise hourly price.
type PriceBand struct {
	Key      string
	From, To unit.Fen // [From, To); To 0 = no upper bound
}

// PriceBands are the price facet's ranges, on the lowest enterprise price
// per hour or sample.
var PriceBands = []PriceBand{
	{"lt200", 0, 200 * unit.Yuan},
	{"200_500", 200 * unit.Yuan, 500 * unit.Yuan},
	{"500_1000", 500 * unit.Yuan, 1000 * unit.Yuan},
	{"ge1000", 1000 * unit.Yuan, 0},
}

// BandOf returns the band key of a price.
func BandOf(p unit.Fen) string {
	for _, b := range PriceBands {
		if p >= b.From && (b.To == 0 || p < b.To) {
			return b.Key
		}
	}
	return ""
}

// SearchQuery is a catalogue search: text and facet filters.
type SearchQuery struct {
	Text     string
	Class    string
	Region   string
	UnitType UnitType
	Mode     Mode
	Band     string
	Limit    int
	Offset   int
}

// Hit is one search result.
type Hit struct {
	Instrument
	UnitName  string
	UnitType  UnitType
	PriceFrom unit.Fen // the lowest enterprise price, 0 when none is published
	Uses      int
	RatingAvg float64
	RatingN   int
	Home      string // a federation peer's id for a mirrored instrument; "" for this instance's
	GlobalID  string // a mirrored instrument's global id, as its home publishes it
}

// Facet is one value of a facet with its count among the matches.
type Facet struct {
	Value string
	N     int
}

// SearchResult is a page of hits with the total and facet counts.
type SearchResult struct {
	Total  int
	Hits   []Hit
	Facets map[string][]Facet // class, region, unit_type, mode, band
}
