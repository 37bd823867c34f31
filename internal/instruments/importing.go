package instruments

import (
	"context"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// Bulk import of a unit's instruments. The file's cells are validated by
// internal/importer (through internal/imports); what depends on the
// stored instruments is judged here, inside the store's write
// transaction, so a file is written whole or not at all.

// ImportRow is one validated row: an instrument of the unit and
// optionally one service item with prices. Column names the file's
// header of a field ("item", a category, or the asset number's) for the
// problems PlanImport reports.
type ImportRow struct {
	Line       int
	Instrument Instrument
	Item       *ServiceItem
	Column     func(field string) string
}

// ImportProblem is a row the stored instruments refuse.
type ImportProblem struct {
	Line   int
	Column string
	Key    string
	Args   []any
	Value  string
}

// Import problem keys (messages in the module's catalogue).
const (
	KeyImportRetired  = "instruments.import.retired"
	KeyImportRateDay  = "instruments.import.rate_day" // category label key, day
	KeyImportNotValid = "instruments.import.invalid"  // the rule's message key
)

// ImportOptions say whose instruments a file holds and whether to write.
type ImportOptions struct {
	UnitID int64 // the operator names the unit; a unit administrator imports into their own
	DryRun bool  // validate against the stored instruments, write nothing
}

// ImportResult counts what an import changed (or would).
type ImportResult struct {
	UnitID    int64
	Inserted  int
	Updated   int
	Unchanged int
}

// InstrumentChange updates a stored instrument: its catalogue fields,
// new service items and new rates of stored items (rates are never
// overwritten; a later one supersedes).
type InstrumentChange struct {
	Instrument Instrument // the stored one with the file's catalogue fields
	NewItems   []ServiceItem
	NewRates   map[int64][]Rate // by stored item id
}

// ImportPlan is what a file writes.
type ImportPlan struct {
	Create []NewInstrument
	Update []InstrumentChange
	Result ImportResult
}

// NewInstrument is an instrument to enrol as a draft with its items.
type NewInstrument struct {
	Instrument Instrument
	Items      []ServiceItem
}

// RateOn is the rate of a category in force on day (YYYY-MM-DD).
func RateOn(rates []Rate, c Category, day string) (Rate, bool) {
	var best Rate
	found := false
	for _, r := range rates {
		if r.Category == c && r.EffectiveFrom <= day && (!found || r.EffectiveFrom > best.EffectiveFrom) {
			best, found = r, true
		}
	}
	return best, found
}

// sameCatalogue reports whether two instruments have the same catalogue
// fields (what a file sets).
func sameCatalogue(a, b Instrument) bool {
	return a.Name == b.Name && a.ClassCode == b.ClassCode && a.Subclass == b.Subclass && a.Model == b.Model &&
		a.Manufacturer == b.Manufacturer && a.Country == b.Country && a.OriginalValue == b.OriginalValue &&
		a.PurchaseDate == b.PurchaseDate && a.Location == b.Location && a.RegionCode == b.RegionCode && a.Specs == b.Specs &&
		a.Capabilities == b.Capabilities && a.SampleReq == b.SampleReq && a.Contact == b.Contact && slices.Equal(a.Modes, b.Modes)
}

// withCatalogue returns stored with the catalogue fields of row.
func withCatalogue(stored, row Instrument) Instrument {
	stored.Name, stored.ClassCode, stored.Subclass, stored.Model = row.Name, row.ClassCode, row.Subclass, row.Model
	stored.Manufacturer, stored.Country, stored.OriginalValue, stored.PurchaseDate = row.Manufacturer, row.Country, row.OriginalValue, row.PurchaseDate
	stored.Location, stored.RegionCode, stored.Specs, stored.Capabilities = row.Location, row.RegionCode, row.Specs, row.Capabilities
	stored.SampleReq, stored.Contact, stored.Modes = row.SampleReq, row.Contact, row.Modes
	return stored
}

// PlanImport judges a file's rows against the unit's stored instruments
// (by asset number): a new asset number enrols a draft with the unit's
// default rules, a stored one takes the row's catalogue fields, item and
// prices. A retired instrument cannot change; a price for a category and
// day that already has another price is refused (rates are versioned,
// never rewritten). Rows without a district take the unit's.
func PlanImport(u Unit, stored map[string]Detail, rows []ImportRow, defaults Rules, classes []Class) (ImportPlan, []ImportProblem) {
	plan := ImportPlan{Result: ImportResult{UnitID: u.ID}}
	var probs []ImportProblem
	col := func(r ImportRow, field string) string {
		if r.Column == nil {
			return ""
		}
		return r.Column(field)
	}
	for _, r := range rows {
		in := r.Instrument
		in.UnitID = u.ID
		if in.RegionCode == "" {
			in.RegionCode = u.RegionCode
		}
		d, ok := stored[in.LocalID]
		if !ok {
			in.Status, in.Rules = Draft, defaults
			if err := in.Validate(classes); err != nil {
				probs = append(probs, ImportProblem{Line: r.Line, Column: col(r, "local_id"), Key: KeyImportNotValid, Args: []any{errKey(err)}, Value: in.LocalID})
				continue
			}
			n := NewInstrument{Instrument: in}
			if r.Item != nil {
				n.Items = []ServiceItem{*r.Item}
			}
			plan.Create = append(plan.Create, n)
			plan.Result.Inserted++
			continue
		}
		ch := InstrumentChange{Instrument: withCatalogue(d.Instrument, in), NewRates: map[int64][]Rate{}}
		changed := !sameCatalogue(d.Instrument, in)
		if r.Item != nil {
			var have *ServiceItem
			for i := range d.Items {
				if d.Items[i].Name == r.Item.Name {
					have = &d.Items[i]
					break
				}
			}
			if have == nil {
				ch.NewItems = append(ch.NewItems, *r.Item)
				changed = true
			} else {
				for _, rt := range r.Item.Rates {
					if cur, ok := RateOn(have.Rates, rt.Category, rt.EffectiveFrom); ok && cur.Price == rt.Price {
						continue
					}
					fixed := false
					for _, x := range have.Rates {
						fixed = fixed || x.Category == rt.Category && x.EffectiveFrom == rt.EffectiveFrom
					}
					if fixed {
						probs = append(probs, ImportProblem{Line: r.Line, Column: col(r, string(rt.Category)), Key: KeyImportRateDay,
							Args: []any{rt.EffectiveFrom}, Value: rt.EffectiveFrom})
						continue
					}
					ch.NewRates[have.ID] = append(ch.NewRates[have.ID], rt)
					changed = true
				}
			}
		}
		switch {
		case !changed:
			plan.Result.Unchanged++
		case d.Status == Retired:
			probs = append(probs, ImportProblem{Line: r.Line, Column: col(r, "local_id"), Key: KeyImportRetired, Value: in.LocalID})
		default:
			if err := ch.Instrument.Validate(classes); err != nil {
				probs = append(probs, ImportProblem{Line: r.Line, Column: col(r, "local_id"), Key: KeyImportNotValid, Args: []any{errKey(err)}, Value: in.LocalID})
				continue
			}
			plan.Update = append(plan.Update, ch)
			plan.Result.Updated++
		}
	}
	return plan, probs
}

// errKey is the message key of a typed error, for a problem's text.
func errKey(err error) string {
	if e, ok := err.(*apperr.Error); ok {
		return e.Key
	}
	return err.Error()
}

// ImportStore is what an import needs from storage.
type ImportStore interface {
	// ImportInstruments runs fn over the unit's stored instruments (by
	// asset number) in one write transaction and writes its plan, unless
	// dryRun; an error from fn writes nothing.
	ImportInstruments(ctx context.Context, opts ImportOptions, fn func(u Unit, stored map[string]Detail) (ImportPlan, error)) (ImportResult, error)
	// UnitInstruments lists a unit's instruments with their items.
	UnitInstruments(ctx context.Context, unitID int64) ([]Detail, error)
}

// ImportRejected is the error of a file the stored instruments refuse.
type ImportRejected struct{ Problems []ImportProblem }

func (e *ImportRejected) Error() string { return "instruments: import rejected" }

// importUnit is the unit whose instruments the actor imports or exports:
// the operator names it, a unit administrator has their own.
func (s *Service) importUnit(ctx context.Context, a Actor, unitID int64) (int64, error) {
	if a.Operator {
		if unitID <= 0 {
			return 0, apperr.New(apperr.Invalid, "instruments.err.unit")
		}
		return unitID, nil
	}
	if !a.UnitAdmin {
		return 0, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	m, err := s.store.SharingMember(ctx, a.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return 0, apperr.New(apperr.Forbidden, "instruments.err.no_member")
	}
	if err != nil {
		return 0, err
	}
	if unitID != 0 && unitID != m.UnitID {
		return 0, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	return m.UnitID, nil
}

// ImportInstruments writes a unit's validated rows: all of them or, when
// a row is refused by what is stored, none (an *ImportRejected listing
// every refused row).
func (s *Service) ImportInstruments(ctx context.Context, a Actor, rows []ImportRow, opts ImportOptions) (ImportResult, error) {
	unitID, err := s.importUnit(ctx, a, opts.UnitID)
	if err != nil {
		return ImportResult{}, err
	}
	classes, err := Classes()
	if err != nil {
		return ImportResult{}, err
	}
	defaults, err := s.UnitRules(ctx, unitID)
	if err != nil {
		return ImportResult{}, err
	}
	return s.store.ImportInstruments(ctx, ImportOptions{UnitID: unitID, DryRun: opts.DryRun}, func(u Unit, stored map[string]Detail) (ImportPlan, error) {
		plan, probs := PlanImport(u, stored, rows, defaults, classes)
		if len(probs) > 0 {
			return plan, &ImportRejected{Problems: probs}
		}
		return plan, nil
	})
}

// UnitInstruments lists the instruments of the unit the actor may export
// (see ImportInstruments), with the day their prices are read on.
func (s *Service) UnitInstruments(ctx context.Context, a Actor, unitID int64) ([]Detail, string, error) {
	unitID, err := s.importUnit(ctx, a, unitID)
	if err != nil {
		return nil, "", err
	}
	ds, err := s.store.UnitInstruments(ctx, unitID)
	return ds, s.now().In(Zone).Format(time.DateOnly), err
}
