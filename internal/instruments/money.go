package instruments

import (
	"sort"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Category is a user category a rate card prices for.
type Category string

// User categories: the owning unit's own staff, other academic users,
// enterprises, and users of a partner region (川渝).
const (
	Internal         Category = "internal"
	ExternalAcademic Category = "academic"
	EnterpriseUser   Category = "enterprise"
	PartnerRegion    Category = "partner"
)

// Categories lists the user categories.
var Categories = []Category{Internal, ExternalAcademic, EnterpriseUser, PartnerRegion}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}

// ChargeUnit is what a service item charges by.
type ChargeUnit string

// Charge units.
const (
	PerHour   ChargeUnit = "hour"
	PerSample ChargeUnit = "sample"
)

// ServiceItem is what an instrument offers (a measurement, machine time)
// with its charge unit and mode.
type ServiceItem struct {
	ID           int64
	InstrumentID int64
	Name         string
	Mode         Mode
	Unit         ChargeUnit
	Rates        []Rate
}

// Rate is a price for one user category from a date; a later rate of the
// same category supersedes it, none is overwritten.
type Rate struct {
	Category      Category
	EffectiveFrom string // YYYY-MM-DD
	Price         unit.Fen
}

// PriceFor returns the item's price for a category on a day.
func (s ServiceItem) PriceFor(c Category, day time.Time) (unit.Fen, error) {
	d := day.In(Zone).Format(time.DateOnly)
	rates := append([]Rate(nil), s.Rates...)
	sort.Slice(rates, func(i, j int) bool { return rates[i].EffectiveFrom > rates[j].EffectiveFrom })
	for _, r := range rates {
		if r.Category == c && r.EffectiveFrom <= d {
			return r.Price, nil
		}
	}
	return 0, apperr.New(apperr.Invalid, "instruments.err.no_rate", string(c))
}

// Charge is the fee for a quantity: minutes for hourly items (rounded up
// to whole charging quarters of an hour) and samples for per-sample
// items. Integer fen throughout.
func Charge(u ChargeUnit, price unit.Fen, minutes, samples int) unit.Fen {
	if u == PerSample {
		return price * unit.Fen(samples)
	}
	quarters := (minutes + 14) / 15
	// price per hour × quarters / 4, rounded half up to the fen.
	return (price*unit.Fen(quarters) + 2) / 4
}
