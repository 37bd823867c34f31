// Package imports is the data-collection (数据归集) use case shared by the
// CLI, the upload page and the API: a file of any import kind —
// enterprises, monthly reports, yearly profile facts, 亩均 facts, listing
// events — is validated row by row (internal/importer), checked against
// the importing user's scope, merged with what is stored where the kind
// merges, and written in one store transaction. A file with any error
// writes nothing.
package imports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/industry"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/tabular"
)

// Source is recorded as the origin of imported facts.
const Source = "import"

// KeyScope is the row error of an enterprise-list row outside the
// importing user's scope.
const KeyScope = "api.err.import_scope"

// Merging reports whether kind is one of the kinds merged into stored
// data (profile facts, 亩均 facts, listing events), which a dry run can
// count as it would write them.
func Merging(kind string) bool {
	switch kind {
	case importer.KindProfiles, importer.KindMujunFacts, importer.KindListing:
		return true
	}
	return false
}

// Store is what the imports need from storage. An enterprise outside the
// scope is not found (apperr.NotFound), like one that does not exist.
type Store interface {
	// EnterpriseIDs maps every stored credit code to its enterprise id.
	EnterpriseIDs(ctx context.Context) (map[string]int64, error)
	// EnterpriseIDsOf maps those of codes that belong to firms in sc.
	EnterpriseIDsOf(ctx context.Context, sc auth.Scope, codes []string) (map[string]int64, error)
	// Enterprise reads one enterprise in sc.
	Enterprise(ctx context.Context, sc auth.Scope, id int64) (sqlstore.EnterpriseDetail, error)
	// EnterpriseRefs maps the credit codes of the enterprises in sc.
	EnterpriseRefs(ctx context.Context, sc auth.Scope) (map[string]sqlstore.EnterpriseRef, error)
	UpsertEnterprises(ctx context.Context, rows []sqlstore.EnterpriseWithYear) (sqlstore.UpsertResult, error)
	// ImportDistrictEnterprises writes a district's own firms and sends
	// every other row to the city for confirmation, in one transaction.
	ImportDistrictEnterprises(ctx context.Context, sc auth.Scope, by int64, rows []sqlstore.EnterpriseWithYear, opts sqlstore.ImportOptions) (sqlstore.DistrictImport, error)
	EnterpriseRequests(ctx context.Context, sc auth.Scope, state string) ([]sqlstore.EnterpriseRequest, error)
	DecideEnterpriseRequest(ctx context.Context, id int64, d sqlstore.Decision) (sqlstore.EnterpriseRequest, error)
	ImportReports(ctx context.Context, reports []report.Monthly, opts sqlstore.WriteOptions) (sqlstore.UpsertResult, error)
	MujunParks(ctx context.Context) ([]mujun.Park, error)
	MujunConfigs(ctx context.Context) ([]mujun.ConfigInfo, error)
	MujunConfig(ctx context.Context, id string, version int) (mujun.Config, mujun.ConfigInfo, error)
	UpdateProfileFacts(ctx context.Context, sc auth.Scope, keys []sqlstore.FactsKey,
		merge func(stored func(id int64, year int) (cultivation.Facts, bool)) ([]cultivation.YearFacts, error), opts sqlstore.ImportOptions) (sqlstore.UpsertResult, error)
	UpdateMujunFacts(ctx context.Context, sc auth.Scope, keys []sqlstore.FactsKey,
		merge func(stored func(id int64, year int) (mujun.Supplied, bool)) ([]mujun.Supplied, error), opts sqlstore.ImportOptions) (sqlstore.UpsertResult, error)
	UpdateListingRecords(ctx context.Context, sc auth.Scope, ids []int64,
		merge func(stored func(id int64) listing.Record) ([]listing.Record, error), opts sqlstore.ImportOptions) (sqlstore.UpsertResult, error)
}

// reportStreamer is a Store that writes a report file while it is
// validated (sqlstore.Store); other stores get the validated rows at once.
type reportStreamer interface {
	StreamReports(ctx context.Context, expected int, opts sqlstore.WriteOptions) *sqlstore.ReportStream
}

// Service runs imports over a store.
type Service struct {
	reporter   Reporter
	store      Store
	regions    *region.Catalogue
	industries *industry.Classification
	limits     Limits
	slots      chan struct{} // one token per import running in this process
}

// Limits bound the imports one process runs at once. An import holds a
// parsed file and one write transaction (on SQLite the only writer), so
// a burst of uploads would otherwise queue behind each other holding
// their files in memory until the HTTP timeouts cut them off.
type Limits struct {
	MaxConcurrent int           // imports running at once; DefaultLimits when ≤ 0
	RetryAfter    time.Duration // what a refused caller is told to wait; DefaultLimits when ≤ 0
	// KeyedFirmRows is the size of a report file, in rows, up to which its
	// firms are looked up by their credit codes; a larger file reads every
	// stored firm's code, which at that size costs less than the keyed
	// reads. DefaultLimits when ≤ 0.
	KeyedFirmRows int
}

// DefaultLimits allows two imports at once and asks the others to retry
// after 15 seconds, about the time a large file takes. A report file of up
// to 5,000 rows looks its firms up by code.
func DefaultLimits() Limits {
	return Limits{MaxConcurrent: 2, RetryAfter: 15 * time.Second, KeyedFirmRows: 5000}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxConcurrent <= 0 {
		l.MaxConcurrent = d.MaxConcurrent
	}
	if l.RetryAfter <= 0 {
		l.RetryAfter = d.RetryAfter
	}
	if l.KeyedFirmRows <= 0 {
		l.KeyedFirmRows = d.KeyedFirmRows
	}
	return l
}

// NewService returns the imports over st with DefaultLimits. regions
// resolves the district cells of enterprise lists (nil: the built-in
// catalogue); industries checks their industry codes (nil: the format
// only).
func NewService(st Store, regions *region.Catalogue, industries *industry.Classification) *Service {
	return NewServiceWith(st, regions, industries, Limits{})
}

// NewServiceWith is NewService with limits.
func NewServiceWith(st Store, regions *region.Catalogue, industries *industry.Classification, l Limits) *Service {
	l = l.withDefaults()
	return &Service{store: st, regions: regions, industries: industries, limits: l, slots: make(chan struct{}, l.MaxConcurrent)}
}

// Limits returns the limits in force.
func (s *Service) Limits() Limits { return s.limits }

// Running reports how many imports hold a slot now.
func (s *Service) Running() int { return len(s.slots) }

// TryStart takes one of the import slots without waiting: ok is false when
// Limits.MaxConcurrent imports are running, and the caller should refuse
// (HTTP 429). done gives the slot back. The CLI, one import per process,
// does not need it.
func (s *Service) TryStart() (done func(), ok bool) {
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, true
	default:
		return nil, false
	}
}

// Options tune Run.
type Options struct {
	Kind  string
	Scope auth.Scope // only enterprises in scope can be named; others read as unknown
	Today time.Time  // dates after it are rejected; zero: now
	By    string     // author recorded with listing events
	// UserID is the importing account, recorded on the requests a
	// district's enterprise list sends to the city.
	UserID int64
	// RegionColumn names the district column in the row errors of
	// enterprise-list rows outside Scope, in the language of the report.
	RegionColumn string
	DryRun       bool // validate and count, write nothing
	// Progress, when set, is called with the rows written so far.
	Progress func(done, total int)
	// Actor, when set, sends a monthly-report file through online
	// reporting (the same rules and review as the web form): an
	// enterprise's rows become submissions, a reviewer's rows are
	// recorded and accepted, those with unexplained warnings listed for
	// review. Unset (the CLI, the system) writes directly.
	Actor *reporting.Actor
}

// Reporter is online reporting as the imports use it.
type Reporter interface {
	ActMany(ctx context.Context, sc auth.Scope, a reporting.Actor, reqs []reporting.Request) ([]reporting.Submission, error)
}

// WithReporting returns the service with monthly-report files of users
// going through r.
func (s *Service) WithReporting(r Reporter) *Service {
	c := *s
	c.reporter = r
	return &c
}

// Run validates sheet as o.Kind and writes it. The report lists every
// problem; when it has errors nothing was written and the result is zero.
// A dry run writes nothing: the merging kinds count what they would
// change, the others only validate. err is for failures that are not the
// file's (I/O, database) and for a kind that is not an import kind.
//
// What reading the file decided (the worksheet read, title rows skipped)
// comes first among the warnings; merged cells over the table are
// reported alone, since the empty cells they leave would bury them.
func (s *Service) Run(ctx context.Context, sheet *tabular.Sheet, o Options) (importer.Report, sqlstore.UpsertResult, error) {
	errs, warns := importer.SheetProblems(sheet)
	if len(errs) > 0 {
		return importer.Report{Kind: o.Kind, Rows: len(sheet.Rows), Errors: errs, Warnings: warns}, sqlstore.UpsertResult{}, nil
	}
	var (
		rep importer.Report
		res sqlstore.UpsertResult
		err error
	)
	switch o.Kind {
	case importer.KindEnterprises:
		rep, res, err = s.enterprises(ctx, sheet, o)
	case importer.KindReports:
		rep, res, err = s.reports(ctx, sheet, o)
	default:
		rep, res, err = s.merge(ctx, sheet, o)
	}
	if len(warns) > 0 {
		rep.Warnings = append(warns, rep.Warnings...)
	}
	return rep, res, err
}

// enterprises imports an enterprise list. A user of a district scope may
// write only enterprises of that district, both as the file states them
// and as they are stored (so a firm cannot be moved in from another
// district).
func (s *Service) enterprises(ctx context.Context, sheet *tabular.Sheet, o Options) (importer.Report, sqlstore.UpsertResult, error) {
	var res sqlstore.UpsertResult
	opts := importer.EnterpriseOptions{Regions: s.regions, Today: o.Today}
	if s.industries != nil {
		opts.ValidIndustry = s.validIndustry
	}
	rows, rep := importer.Enterprises(sheet, opts)
	if rep.OK() {
		s.checkEnterpriseScope(o, rows, &rep)
	}
	if !rep.OK() {
		return rep, res, nil
	}
	in := make([]sqlstore.EnterpriseWithYear, len(rows))
	for i, row := range rows {
		in[i] = sqlstore.EnterpriseWithYear{Enterprise: row.Enterprise, Year: row.Year}
	}
	if !o.Scope.IsAll() {
		// A district writes its own firms; the others wait for the city.
		di, err := s.store.ImportDistrictEnterprises(ctx, o.Scope, o.UserID, in, sqlstore.ImportOptions{DryRun: o.DryRun})
		if err != nil {
			return rep, sqlstore.UpsertResult{}, err
		}
		res = di.Written
		res.Pending = di.Pending
		return rep, res, nil
	}
	if o.DryRun {
		return rep, res, nil
	}
	progress(o, 0, len(in))
	res, err := s.store.UpsertEnterprises(ctx, in)
	if err != nil {
		return rep, sqlstore.UpsertResult{}, err
	}
	progress(o, len(in), len(in))
	return rep, res, nil
}

func progress(o Options, done, total int) {
	if o.Progress != nil {
		o.Progress(done, total)
	}
}

// validIndustry accepts the 4-digit industrial classes of GB/T 4754-2017.
func (s *Service) validIndustry(code string) bool {
	c, ok := s.industries.Lookup(code)
	return ok && len(c.Code) == 4
}

// checkEnterpriseScope adds a row error for every row whose district, as
// the file states it, is outside o.Scope. Whether a credit code is
// registered, and where, is not checked here: a district's rows naming a
// firm that is not the district's go to the city for confirmation
// (ImportDistrictEnterprises), so the answer is the same for a new code
// and for one registered in another district.
func (s *Service) checkEnterpriseScope(o Options, rows []importer.EnterpriseRow, rep *importer.Report) {
	sc := o.Scope
	if sc.IsAll() {
		return
	}
	for _, row := range rows {
		e := row.Enterprise
		if sc.RegionCode == "" || e.RegionCode != sc.RegionCode {
			rep.Errors = append(rep.Errors, importer.RowError{Line: row.Line, Column: o.RegionColumn, Key: KeyScope, Value: e.RegionCode})
		}
	}
}

// reportFirms resolves a report file's credit codes to the firms in sc:
// a file of up to Limits.KeyedFirmRows rows looks up its own codes within
// the scope (a correction of a hundred rows at 10× spent more time reading
// all 90,000 firms' codes than writing its rows); a larger one reads every
// code and asks the store for the scope of each firm it names.
func (s *Service) reportFirms(ctx context.Context, sheet *tabular.Sheet, sc auth.Scope) (func(code string) (int64, bool, error), error) {
	if sheet != nil && len(sheet.Rows) <= s.limits.KeyedFirmRows {
		ids, err := s.store.EnterpriseIDsOf(ctx, sc, importer.ReportCodes(sheet))
		if err != nil {
			return nil, err
		}
		return func(code string) (int64, bool, error) {
			id, ok := ids[code]
			return id, ok, nil
		}, nil
	}
	ids, err := s.store.EnterpriseIDs(ctx)
	if err != nil {
		return nil, err
	}
	inScope := s.scopeChecker(ctx, sc)
	return func(code string) (int64, bool, error) {
		id, ok := ids[code]
		if !ok {
			return 0, false, nil
		}
		in, err := inScope(id)
		return id, in, err
	}, nil
}

// reports imports monthly reports. Credit codes outside the scope resolve
// as unknown, so their rows are rejected with the importer's "unknown
// enterprise" error, which also does not tell a district officer whether
// another district's firm is registered.
func (s *Service) reports(ctx context.Context, sheet *tabular.Sheet, o Options) (importer.Report, sqlstore.UpsertResult, error) {
	var res sqlstore.UpsertResult
	firm, err := s.reportFirms(ctx, sheet, o.Scope)
	if err != nil {
		return importer.Report{Kind: o.Kind}, res, err
	}
	var lookupErr error
	// A direct write streams: the rows are written while the file is
	// still being validated, and rolled back if any row fails.
	var stream *sqlstore.ReportStream
	if st, ok := s.store.(reportStreamer); ok && !o.DryRun && (o.Actor == nil || s.reporter == nil) {
		stream = st.StreamReports(ctx, len(sheet.Rows), sqlstore.WriteOptions{Progress: o.Progress})
		defer stream.Abort() // after Commit a no-op; else (a panic) it releases the transaction
	}
	ropts := importer.ReportOptions{
		Today: o.Today,
		EnterpriseID: func(code string) (int64, bool) {
			if lookupErr != nil {
				return 0, false
			}
			id, in, err := firm(code)
			if err != nil {
				lookupErr = err
				return 0, false
			}
			return id, in
		},
	}
	if stream != nil {
		ropts.Rows = stream.Send
	}
	reps, rep := importer.Reports(sheet, ropts)
	if stream != nil {
		if lookupErr != nil || !rep.OK() {
			if err := stream.Abort(); err != nil && lookupErr == nil {
				return rep, res, err
			}
			return rep, res, lookupErr
		}
		res, err = stream.Commit()
		if err != nil {
			return rep, sqlstore.UpsertResult{}, err
		}
		return rep, res, nil
	}
	if lookupErr != nil {
		return rep, res, lookupErr
	}
	if !rep.OK() || o.DryRun {
		return rep, res, nil
	}
	if o.Actor != nil && s.reporter != nil {
		return rep, res, s.submitReports(ctx, reps, o, &res)
	}
	res, err = s.store.ImportReports(ctx, reps, sqlstore.WriteOptions{Progress: o.Progress})
	if err != nil {
		return rep, sqlstore.UpsertResult{}, err
	}
	return rep, res, nil
}

// submitReports sends validated rows through online reporting, all or
// nothing: a rule that blocks any row refuses the file.
func (s *Service) submitReports(ctx context.Context, reps []report.Monthly, o Options, res *sqlstore.UpsertResult) error {
	reqs := make([]reporting.Request, len(reps))
	for i := range reps {
		v := reps[i].Values
		req := reporting.Request{Key: reporting.Key{EnterpriseID: reps[i].EnterpriseID, Period: reps[i].Period}, Values: &v, Source: reporting.SourceFile}
		if o.Actor.CanReview {
			req.Action, req.WarningsToReview = review.Record, true
		} else {
			req.Action, req.DraftOnWarnings = review.Submit, true
		}
		reqs[i] = req
	}
	progress(o, 0, len(reqs))
	subs, err := s.reporter.ActMany(ctx, o.Scope, *o.Actor, reqs)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		switch {
		case sub.State == review.Accepted && sub.Unchanged:
			res.Unchanged++
		case sub.State == review.Accepted && sub.Replaced:
			res.Updated++
		case sub.State == review.Accepted:
			res.Inserted++
		default:
			res.ForReview++
		}
	}
	progress(o, len(reqs), len(reqs))
	return nil
}

// scopeChecker returns a memoised "is enterprise id inside sc" test that
// asks the store, so the scope rule stays the store's.
func (s *Service) scopeChecker(ctx context.Context, sc auth.Scope) func(id int64) (bool, error) {
	seen := map[int64]bool{}
	return func(id int64) (bool, error) {
		if sc.IsAll() {
			return true, nil
		}
		if v, ok := seen[id]; ok {
			return v, nil
		}
		_, err := s.store.Enterprise(ctx, sc, id)
		switch {
		case err == nil:
			seen[id] = true
		case apperr.Is(err, apperr.NotFound):
			seen[id] = false
		default:
			return false, err
		}
		return seen[id], nil
	}
}

// merge runs the kinds merged into stored data: validate every row, then
// read, merge, validate against what is stored and write in one store
// transaction. Credit codes outside the scope resolve as unknown; the
// store checks the scope again in SQL.
func (s *Service) merge(ctx context.Context, sheet *tabular.Sheet, o Options) (importer.Report, sqlstore.UpsertResult, error) {
	var res sqlstore.UpsertResult
	if !Merging(o.Kind) {
		return importer.Report{Kind: o.Kind}, res, fmt.Errorf("imports: %q is not an import kind", o.Kind)
	}
	st := s.store
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
func lookups(ctx context.Context, s Store, sc auth.Scope) (importer.Lookups, error) {
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

// EnterpriseRequests lists the firms districts' imports sent to the city
// for confirmation, in sc (a district sees its own requests).
func (s *Service) EnterpriseRequests(ctx context.Context, sc auth.Scope, state string) ([]sqlstore.EnterpriseRequest, error) {
	switch state {
	case "", sqlstore.RequestPending, sqlstore.RequestConfirmed, sqlstore.RequestRejected:
	default:
		return nil, apperr.New(apperr.Invalid, "import.err.request_state", state)
	}
	return s.store.EnterpriseRequests(ctx, sc, state)
}

// DecideEnterpriseRequest confirms or refuses one request (the city).
func (s *Service) DecideEnterpriseRequest(ctx context.Context, id int64, d sqlstore.Decision) (sqlstore.EnterpriseRequest, error) {
	return s.store.DecideEnterpriseRequest(ctx, id, d)
}

// The city's confirmation queue as the adapters see it (the store keeps
// the requests), so the web side needs only this service.
type (
	// EnterpriseRequest is a firm a district's enterprise list named that
	// is not the district's, waiting for the city.
	EnterpriseRequest = sqlstore.EnterpriseRequest
	// Decision is the city's answer to a request.
	Decision = sqlstore.Decision
)

// The states of a request.
const (
	RequestPending   = sqlstore.RequestPending
	RequestConfirmed = sqlstore.RequestConfirmed
	RequestRejected  = sqlstore.RequestRejected
)
