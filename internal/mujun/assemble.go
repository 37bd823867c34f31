package mujun

import (
	"cmp"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/unit"
)

// Registered is what the platform's registry and monthly reports know of
// one enterprise for an evaluation year.
type Registered struct {
	EnterpriseID int64
	RegionCode   string
	Land         unit.Mu100 // 0 when not registered
	Founded      time.Time
	Section      string // GB/T 4754 section of the industry class that year
	AboveScale   bool   // in the year's above-scale set
	// December is the year-to-date December report; nil when the firm
	// filed none for the year.
	December *Annual
}

// Annual are the year's totals from December's year-to-date report.
type Annual struct {
	Tax, ValueAdded, Revenue, RD unit.Fen
	Energy                       unit.KgCE
	Employees                    int64 // at the year end (a point value)
}

// Supplied are the yearly facts departments supply for the evaluation and
// monthly reports do not hold: park, electricity, emissions and veto items
// for every firm, and for below-scale firms, which file no monthly reports,
// their tax, revenue, value added, R&D, energy and employees.
type Supplied struct {
	EnterpriseID int64          `json:"enterprise_id"`
	Year         int            `json:"year"`
	ParkCode     string         `json:"park_code,omitempty"`
	Electricity  Opt[int64]     `json:"electricity_kwh"`
	Emissions    Opt[int64]     `json:"emissions_kg"`
	Vetoes       []string       `json:"vetoes,omitempty"`
	Tax          Opt[unit.Fen]  `json:"tax_fen"`
	Revenue      Opt[unit.Fen]  `json:"revenue_fen"`
	ValueAdded   Opt[unit.Fen]  `json:"value_added_fen"`
	RD           Opt[unit.Fen]  `json:"rd_fen"`
	Energy       Opt[unit.KgCE] `json:"energy_kgce"`
	Employees    Opt[int64]     `json:"employees"`
	Source       string         `json:"source"` // supplying department or file
}

// AssembleCounts says what Assemble took and left.
type AssembleCounts struct {
	AboveScale int `json:"above_scale"` // above-scale firms with a December report
	BelowScale int `json:"below_scale"` // below-scale firms with supplied facts
	// NoDecember are above-scale firms without a December report: their
	// year's totals are unknown, so they are left out rather than scored 0.
	NoDecember int `json:"no_december"`
	// NoFacts are below-scale firms nobody supplied facts for.
	NoFacts int `json:"no_facts"`
}

// Assemble builds the evaluation's facts for one year:
//   - group: above scale when in the year's above-scale set;
//   - land, region, founding date and industry section from the registry
//     (land 0 is unknown);
//   - tax, value added, revenue, energy, employees and R&D of above-scale
//     firms from December's year-to-date report; supplied values for them
//     are ignored, because the statistics are the official figures;
//   - everything else (park, electricity, emissions, vetoes) and the whole
//     data of below-scale firms from the supplied facts.
//
// Above-scale firms without a December report and below-scale firms
// without supplied facts are counted and left out. The result is sorted by
// enterprise ID. Supplied rows of other years or unknown firms are ignored.
func Assemble(year int, reg []Registered, supplied []Supplied) ([]Facts, AssembleCounts) {
	byID := make(map[int64]*Supplied, len(supplied))
	for i := range supplied {
		if supplied[i].Year == year {
			byID[supplied[i].EnterpriseID] = &supplied[i]
		}
	}
	var cnt AssembleCounts
	out := make([]Facts, 0, len(reg))
	for i := range reg {
		r := &reg[i]
		sp := byID[r.EnterpriseID]
		f := Facts{EnterpriseID: r.EnterpriseID, RegionCode: r.RegionCode, Founded: r.Founded, Section: r.Section}
		if r.Land > 0 {
			f.Land = Some(r.Land)
		}
		switch {
		case r.AboveScale && r.December == nil:
			cnt.NoDecember++
			continue
		case r.AboveScale:
			d := r.December
			f.Group = AboveScale
			f.Tax, f.ValueAdded, f.Revenue, f.RD = Some(d.Tax), Some(d.ValueAdded), Some(d.Revenue), Some(d.RD)
			f.Energy, f.Employees = Some(d.Energy), Some(d.Employees)
			cnt.AboveScale++
		case sp == nil:
			cnt.NoFacts++
			continue
		default:
			f.Group = BelowScale
			f.Tax, f.ValueAdded, f.Revenue, f.RD = sp.Tax, sp.ValueAdded, sp.Revenue, sp.RD
			f.Energy, f.Employees = sp.Energy, sp.Employees
			cnt.BelowScale++
		}
		if sp != nil {
			f.ParkCode = sp.ParkCode
			f.Electricity, f.Emissions = sp.Electricity, sp.Emissions
			if len(sp.Vetoes) > 0 {
				f.Vetoes = slices.Clone(sp.Vetoes)
			}
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Facts) int { return cmp.Compare(a.EnterpriseID, b.EnterpriseID) })
	return out, cnt
}
