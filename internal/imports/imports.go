// Package imports runs the imports that merge a file into stored data —
// yearly profile facts, 亩均 facts and listing events — for the CLI and the
// web alike: validate every row (internal/importer), then read, merge,
// validate against what is stored and write in one store transaction. A
// file with any error writes nothing.
package imports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// Source is recorded as the origin of imported facts.
const Source = "import"

// Merging reports whether kind is one of the kinds Run handles.
func Merging(kind string) bool {
	switch kind {
	case importer.KindProfiles, importer.KindMujunFacts, importer.KindListing:
		return true
	}
	return false
}

// Options tune Run.
type Options struct {
	Kind   string
	Scope  auth.Scope // only enterprises in scope can be named; others read as unknown
	Today  time.Time  // zero: now
	By     string     // author recorded with listing events
	DryRun bool       // validate and count, write nothing
	// Progress, when set, is called with the rows written so far.
	Progress func(done, total int)
}

// Run validates sheet as o.Kind and merges it into st. The report lists
// every problem; when it has errors nothing was written and the result is
// zero. err is for failures that are not the file's (I/O, database).
func Run(ctx context.Context, st *sqlstore.Store, sheet *tabular.Sheet, o Options) (importer.Report, sqlstore.UpsertResult, error) {
	var res sqlstore.UpsertResult
	lk, err := lookups(ctx, st, o.Scope)
	if err != nil {
		return importer.Report{Kind: o.Kind}, res, err
	}
	so := sqlstore.ImportOptions{DryRun: o.DryRun, By: o.By, Progress: o.Progress}
	var rep importer.Report
	switch o.Kind {
	case importer.KindProfiles:
		var rows []importer.ProfileRow
		rows, rep = importer.Profiles(sheet, importer.ProfileOptions{Firm: lk.Firm, Today: o.Today})
		if !rep.OK() {
			return rep, res, nil
		}
		keys := make([]sqlstore.FactsKey, len(rows))
		for i, r := range rows {
			keys[i] = sqlstore.FactsKey{EnterpriseID: r.EnterpriseID, Year: r.Year}
		}
		res, err = st.UpdateProfileFacts(ctx, o.Scope, keys, func(stored func(int64, int) (cultivation.Facts, bool)) ([]cultivation.YearFacts, error) {
			out := importer.MergeProfiles(rows, stored, Source, &rep)
			if !rep.OK() {
				return nil, &importer.Rejected{Report: rep}
			}
			return out, nil
		}, so)
	case importer.KindMujunFacts:
		var rows []importer.MujunRow
		rows, rep = importer.MujunFacts(sheet, importer.MujunOptions{Firm: lk.Firm, Park: lk.Park, Veto: lk.Veto, Today: o.Today})
		if !rep.OK() {
			return rep, res, nil
		}
		keys := make([]sqlstore.FactsKey, len(rows))
		for i, r := range rows {
			keys[i] = sqlstore.FactsKey{EnterpriseID: r.EnterpriseID, Year: r.Year}
		}
		res, err = st.UpdateMujunFacts(ctx, o.Scope, keys, func(stored func(int64, int) (mujun.Supplied, bool)) ([]mujun.Supplied, error) {
			return importer.MergeMujun(rows, stored, Source), nil
		}, so)
	case importer.KindListing:
		var rows []importer.ListingRow
		rows, rep = importer.ListingEvents(sheet, importer.ListingOptions{Firm: lk.Firm, Today: o.Today})
		if !rep.OK() {
			return rep, res, nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.EnterpriseID
		}
		res, err = st.UpdateListingRecords(ctx, o.Scope, ids, func(stored func(int64) listing.Record) ([]listing.Record, error) {
			out := importer.MergeListing(rows, stored, &rep)
			if !rep.OK() {
				return nil, &importer.Rejected{Report: rep}
			}
			return out, nil
		}, so)
	default:
		return importer.Report{Kind: o.Kind}, res, fmt.Errorf("imports: %q is not a merging kind", o.Kind)
	}
	var rej *importer.Rejected
	if errors.As(err, &rej) {
		return rej.Report, sqlstore.UpsertResult{}, nil
	}
	if err != nil {
		return rep, sqlstore.UpsertResult{}, err
	}
	return rep, res, nil
}

// lookups reads what the yearly imports resolve cells against: the
// enterprises in sc, the parks, and the veto items of every stored and
// built-in 亩均 configuration. It lives here, not in sqlstore, so
// the storage adapter does not import the importer adapter.
func lookups(ctx context.Context, s *sqlstore.Store, sc auth.Scope) (importer.Lookups, error) {
	refs, err := s.EnterpriseRefs(ctx, sc)
	if err != nil {
		return importer.Lookups{}, err
	}
	firms := make(map[string]importer.Firm, len(refs))
	for code, r := range refs {
		firms[code] = importer.Firm{ID: r.ID, RegionCode: r.RegionCode}
	}
	parks, err := s.MujunParks(ctx)
	if err != nil {
		return importer.Lookups{}, err
	}
	pe := make([]importer.ParkEntry, len(parks))
	for i, p := range parks {
		pe[i] = importer.ParkEntry{Code: p.Code, RegionCode: p.RegionCode, NameZh: p.NameZh, NameEn: p.NameEn}
	}
	var cfgs []mujun.Config
	for _, name := range mujun.BuiltinNames() {
		c, err := mujun.Builtin(name)
		if err != nil {
			return importer.Lookups{}, err
		}
		cfgs = append(cfgs, c)
	}
	infos, err := s.MujunConfigs(ctx)
	if err != nil {
		return importer.Lookups{}, err
	}
	for _, in := range infos {
		c, _, err := s.MujunConfig(ctx, in.ID, in.Version)
		if err != nil {
			return importer.Lookups{}, err
		}
		cfgs = append(cfgs, c)
	}
	var vetoes []importer.VetoEntry
	for _, c := range cfgs {
		for _, v := range c.Vetoes {
			vetoes = append(vetoes, importer.VetoEntry{Code: v.Code, NameZh: v.Name.Zh, NameEn: v.Name.En})
		}
	}
	return importer.Lookups{Firm: importer.NewFirmLookup(firms), Park: importer.NewParkLookup(pe), Veto: importer.NewVetoLookup(vetoes)}, nil
}
