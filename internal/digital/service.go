package digital

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/target"
)

// The digital-transformation service: the use cases the pages, the API
// and the demo share. It reads whole record sets through Store and
// computes every figure in this package, so a count on the page, in the
// API and in the task table is one computation.

// RecordFilter narrows the records read.
type RecordFilter struct {
	RegionCode   string // one district; all in scope when empty
	EnterpriseID int64  // one firm; all when zero
}

// WriteOptions tune the store's writes.
type WriteOptions struct {
	Rules *Rules // the rules a write is judged by, inside its transaction
	By    string // who writes (username), kept with the row
	// ActorID is the writing user's id, kept in the review events.
	ActorID int64
	// ExpectEvents, when not negative, is how many events the caller saw;
	// an append to a history that has grown since is refused as stale.
	ExpectEvents int
}

// ImportResult counts what a bulk write did.
type ImportResult struct {
	Inserted, Updated, Unchanged int
}

// FirmRef is the registry facts of a firm a page shows.
type FirmRef struct {
	ID         int64
	CreditCode string
	Name       string
	RegionCode string
}

// Store is what the service needs from storage. A firm or project outside
// the scope is not found, like one that does not exist.
type Store interface {
	DigitalProjects(ctx context.Context, sc auth.Scope, f RecordFilter) ([]Project, error)
	// DigitalProjectPage selects, orders and pages projects as
	// SelectProjects does, reading only the page's histories.
	DigitalProjectPage(ctx context.Context, sc auth.Scope, q ProjectQuery) (ProjectPage, error)
	// DigitalAggregates sums the records for the cockpit (see
	// Aggregates; the goal counts are left to DigitalGoalCounts).
	DigitalAggregates(ctx context.Context, sc auth.Scope, f RecordFilter) (Aggregates, error)
	// DigitalGoalCounts counts the firms with a project accepted in each
	// window and, for each year, the firms whose latest maturity record up
	// to the year says 上云用数赋智.
	DigitalGoalCounts(ctx context.Context, sc auth.Scope, f RecordFilter, accepted []Window, cloudYears []int) (map[Window]int, map[int]int, error)
	DigitalProject(ctx context.Context, sc auth.Scope, id int64) (Project, error)
	// CreateDigitalProject stores a new project (its history being the
	// application); the code must be new.
	CreateDigitalProject(ctx context.Context, sc auth.Scope, p Project, opts WriteOptions) (Project, error)
	// AppendDigitalEvent judges ev against the stored history and appends
	// it, in one transaction.
	AppendDigitalEvent(ctx context.Context, sc auth.Scope, id int64, ev Event, opts WriteOptions) (Project, error)
	// PutDigitalProjects writes whole projects keyed by code, all or
	// nothing; an equal project is left alone.
	PutDigitalProjects(ctx context.Context, sc auth.Scope, ps []Project, opts WriteOptions) (ImportResult, error)
	DigitalMaturity(ctx context.Context, sc auth.Scope, f RecordFilter) ([]Maturity, error)
	// PutDigitalMaturity upserts yearly records (key: firm, year) and
	// marks the firms' cultivation profiles changed.
	PutDigitalMaturity(ctx context.Context, sc auth.Scope, ms []Maturity, opts WriteOptions) (ImportResult, error)
	DigitalRecognitions(ctx context.Context, sc auth.Scope, f RecordFilter) ([]Recognition, error)
	AddDigitalRecognitions(ctx context.Context, sc auth.Scope, rs []Recognition, opts WriteOptions) ([]Recognition, error)
	DigitalFirm(ctx context.Context, sc auth.Scope, id int64) (FirmRef, error)
	// DigitalFirmIDs resolves credit codes to firms in scope.
	DigitalFirmIDs(ctx context.Context, sc auth.Scope, codes []string) (map[string]int64, error)
	Targets(ctx context.Context, year int) ([]target.Target, error)
	// ReviewDigitalProject decides a review step on the stored project
	// (DecideReview) and writes it with its review event, in one
	// transaction.
	ReviewDigitalProject(ctx context.Context, sc auth.Scope, id int64, step ReviewStep, opts WriteOptions) (Project, error)
	// DigitalRungApplications lists rung applications in scope, newest
	// first; DigitalRungApplication reads one.
	DigitalRungApplications(ctx context.Context, sc auth.Scope, q RungAppQuery) ([]RungApplication, error)
	DigitalRungApplication(ctx context.Context, sc auth.Scope, id int64) (RungApplication, error)
	// CreateDigitalRungApplication stores a submitted application with its
	// review event; a second open one for the firm, rung and year is a
	// conflict.
	CreateDigitalRungApplication(ctx context.Context, sc auth.Scope, a RungApplication, opts WriteOptions) (RungApplication, error)
	// ReviewDigitalRungApplication decides a step (DecideRung) and writes
	// it, with the recognition an approval makes, in one transaction.
	ReviewDigitalRungApplication(ctx context.Context, sc auth.Scope, id int64, step RungStep, opts WriteOptions) (RungApplication, error)
	// ReviewEvents is the review workflow's history of a subject.
	ReviewEvents(ctx context.Context, d review.Domain, subject string, p review.Period) ([]review.Event, error)
}

// Service is the module's use cases.
type Service struct {
	store Store
	rules *Rules
}

// NewService returns the service over st with the rules r (Builtin when
// nil; a broken built-in file fails the build's tests, not a request).
func NewService(st Store, r *Rules) *Service {
	if r == nil {
		var err error
		if r, err = Builtin(); err != nil {
			panic(err)
		}
	}
	return &Service{store: st, rules: r}
}

// Rules are the rules the service judges by.
func (s *Service) Rules() *Rules { return s.rules }

// CheckRegion refuses a region filter outside the scope.
func CheckRegion(sc auth.Scope, region string) error {
	if region != "" && !sc.IsAll() && region != sc.RegionCode {
		return apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	return nil
}

// Overview is the cockpit of the module: the years' figures, the
// districts' ladder, the goals and the task-table rows.
type Overview struct {
	From, To int // the years computed
	Region   string
	At       time.Time
	Stats    Stats
	Regions  []RegionRow
	Clusters []ClusterRow
	Goals    []GoalProgress
	Targets  []TargetRow
}

// TargetRow is a task-table row this module computes, against its target.
type TargetRow struct {
	Indicator string
	Measure   string
	Year      int
	Target    float64
	Actual    int
}

// taskIndicators map the task table's indicators to their measures.
var taskIndicators = []struct{ code, measure string }{
	{"NEW_FUTURE_FACTORIES", MeasureNewFutureFactories},
	{"NEW_SMART_FACTORIES", MeasureNewSmartFactories},
	{"NEW_DIGITAL_WORKSHOPS", MeasureNewWorkshops},
	{"TECH_RENOVATION_PROJECTS", MeasureRenovationProjects},
}

// Overview computes the figures from..to (with to negative: the latest
// year with a record up to −to, and from six years before unless given),
// the districts at the end of to, the goals at that day and the task-table
// rows of year to, from the store's aggregates (see Aggregates).
func (s *Service) Overview(ctx context.Context, sc auth.Scope, region string, from, to int) (Overview, error) {
	if err := CheckRegion(sc, region); err != nil {
		return Overview{}, err
	}
	f := RecordFilter{RegionCode: region}
	agg, err := s.store.DigitalAggregates(ctx, sc, f)
	if err != nil {
		return Overview{}, err
	}
	if to < 0 {
		// The latest year with a record, up to −to: a page opened without
		// a year shows the last year the records reach, not an empty one.
		to = agg.LatestYear(-to)
		if from <= 0 || from > to {
			from = to - 6
		}
	}
	at := YearEnd(to)
	windows, cloudYears := s.rules.GoalWindows(at)
	if agg.FirmsAccepted, agg.Cloud, err = s.store.DigitalGoalCounts(ctx, sc, f, windows, cloudYears); err != nil {
		return Overview{}, err
	}
	o := Overview{Region: region, At: at, From: from, To: to, Stats: agg.Stats(from, to), Regions: agg.ByRegion(to), Clusters: agg.ByCluster(to),
		Goals: s.rules.GoalsFrom(agg, at)}
	if region == "" && sc.IsAll() {
		// The task table's targets are the city's.
		ts, err := s.store.Targets(ctx, to)
		if err != nil {
			return o, err
		}
		for _, ti := range taskIndicators {
			for _, t := range ts {
				if t.IndicatorCode == ti.code && t.ScopeKind == target.ScopeCity {
					n, _ := agg.CountMeasure(ti.measure, to)
					o.Targets = append(o.Targets, TargetRow{Indicator: ti.code, Measure: ti.measure, Year: to, Target: t.Value, Actual: n})
				}
			}
		}
	}
	return o, nil
}

// LatestYear is the latest year up to max in which a project was applied
// for or a recognition dated; max when there is none.
func LatestYear(ps []Project, recs []Recognition, max int) int {
	best := 0
	for _, p := range ps {
		for _, e := range p.Events {
			if y := e.Date.Year(); y <= max && y > best {
				best = y
			}
		}
	}
	for _, r := range recs {
		if y := r.RecognisedOn.Year(); y <= max && y > best {
			best = y
		}
	}
	if best == 0 {
		return max
	}
	return best
}

// ProjectQuery selects projects for a list.
type ProjectQuery struct {
	RegionCode string
	Kind       Kind
	Stage      Stage // current stage; any when empty
	Year       int   // applied in the year; any when zero
	Query      string
	Limit      int
	Offset     int
}

// MaxCandidates bounds the candidate list.
const MaxCandidates = 200

// MaxLimit bounds one page.
const MaxLimit = 5000

// ProjectPage is a page of projects and the total matching.
type ProjectPage struct {
	Items []Project
	Total int
}

// Projects lists projects, newest application first.
func (s *Service) Projects(ctx context.Context, sc auth.Scope, q ProjectQuery) (ProjectPage, error) {
	var page ProjectPage
	if err := CheckRegion(sc, q.RegionCode); err != nil {
		return page, err
	}
	if q.Kind != "" && !q.Kind.Valid() {
		return page, apperr.New(apperr.Invalid, "err.digital.kind", string(q.Kind))
	}
	if q.Stage != "" && !q.Stage.Valid() {
		return page, apperr.New(apperr.Invalid, "err.digital.stage", 0, string(q.Stage))
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, MaxLimit)
	return s.store.DigitalProjectPage(ctx, sc, q)
}

// SelectProjects filters, orders (newest application first) and pages
// projects already read, so a page that has them does not read again.
func SelectProjects(ps []Project, q ProjectQuery) ProjectPage {
	var page ProjectPage
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, MaxLimit)
	text := strings.ToUpper(strings.TrimSpace(q.Query))
	var all []Project
	for _, p := range ps {
		switch {
		case q.RegionCode != "" && p.RegionCode != q.RegionCode,
			q.Kind != "" && p.Kind != q.Kind,
			q.Stage != "" && p.Current().Stage != q.Stage,
			q.Year != 0 && p.AppliedOn().Year() != q.Year:
			continue
		case text != "" && !strings.Contains(strings.ToUpper(p.Name), text) && !strings.Contains(strings.ToUpper(p.FirmName), text) &&
			!strings.Contains(strings.ToUpper(p.Code), text) && !strings.Contains(p.CreditCode, text):
			continue
		}
		all = append(all, p)
	}
	slices.SortStableFunc(all, func(a, b Project) int {
		if c := b.AppliedOn().Compare(a.AppliedOn()); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	page.Total = len(all)
	if q.Offset < len(all) {
		page.Items = all[q.Offset:min(len(all), q.Offset+q.Limit)]
	}
	return page
}

// Project returns one project.
func (s *Service) Project(ctx context.Context, sc auth.Scope, id int64) (Project, error) {
	return s.store.DigitalProject(ctx, sc, id)
}

// Apply records a new project with its application event; the store
// fills the firm's cluster when none is given.
func (s *Service) Apply(ctx context.Context, sc auth.Scope, p Project, appliedOn time.Time, by string, actor int64) (Project, error) {
	p.Events = []Event{{Stage: StageApplied, Date: appliedOn}}
	if err := p.Validate(s.rules); err != nil {
		return p, err
	}
	return s.store.CreateDigitalProject(ctx, sc, p, WriteOptions{Rules: s.rules, By: by, ActorID: actor, ExpectEvents: -1})
}

// RecordEvent records a project's next step. A district officer approves
// only district-level projects; a city-level approval needs the city.
func (s *Service) RecordEvent(ctx context.Context, sc auth.Scope, id int64, ev Event, expect int, by string) (Project, error) {
	if ev.Stage == StageApproved && ev.Level == LevelCity && !sc.IsAll() {
		return Project{}, apperr.New(apperr.Forbidden, "err.digital.city_approval")
	}
	return s.store.AppendDigitalEvent(ctx, sc, id, ev, WriteOptions{Rules: s.rules, By: by, ExpectEvents: expect})
}

// Review takes a review step on a project's application: submit (a
// corrected resubmission), return with a reason, or accept (approve at the
// level the threshold names). step.Caps and step.City are the caller's.
func (s *Service) Review(ctx context.Context, sc auth.Scope, id int64, step ReviewStep, expect int, by string, actor int64) (Project, error) {
	return s.store.ReviewDigitalProject(ctx, sc, id, step, WriteOptions{Rules: s.rules, By: by, ActorID: actor, ExpectEvents: expect})
}

// ReviewHistory is a project's review events, oldest first; the project
// must be in scope.
func (s *Service) ReviewHistory(ctx context.Context, sc auth.Scope, id int64) ([]review.Event, error) {
	if _, err := s.store.DigitalProject(ctx, sc, id); err != nil {
		return nil, err
	}
	return s.store.ReviewEvents(ctx, ReviewDomain, strconv.FormatInt(id, 10), review.Period{})
}

// Import writes validated projects (see ParseProjectRows), all or nothing.
func (s *Service) Import(ctx context.Context, sc auth.Scope, ps []Project, by string) (ImportResult, error) {
	for _, p := range ps {
		if err := p.Validate(s.rules); err != nil {
			return ImportResult{}, err
		}
	}
	return s.store.PutDigitalProjects(ctx, sc, ps, WriteOptions{Rules: s.rules, By: by, ExpectEvents: -1})
}

// FirmIDs resolves credit codes in scope.
func (s *Service) FirmIDs(ctx context.Context, sc auth.Scope, codes []string) (map[string]int64, error) {
	return s.store.DigitalFirmIDs(ctx, sc, codes)
}

// FirmPage is one firm's digital record: maturity by year, projects,
// recognitions and the ladder's verdict on its next rung.
type FirmPage struct {
	Firm         FirmRef
	Maturity     []Maturity // newest year first
	Projects     []Project
	Recognitions []Recognition
	Next         *Verdict
	At           time.Time
}

// Firm returns one firm's digital record judged on day at.
func (s *Service) Firm(ctx context.Context, sc auth.Scope, id int64, at time.Time) (FirmPage, error) {
	ref, err := s.store.DigitalFirm(ctx, sc, id)
	if err != nil {
		return FirmPage{}, err
	}
	f := RecordFilter{EnterpriseID: id}
	fp := FirmPage{Firm: ref, At: at}
	if fp.Maturity, err = s.store.DigitalMaturity(ctx, sc, f); err != nil {
		return fp, err
	}
	slices.SortFunc(fp.Maturity, func(a, b Maturity) int { return cmp.Compare(b.Year, a.Year) })
	if fp.Projects, err = s.store.DigitalProjects(ctx, sc, f); err != nil {
		return fp, err
	}
	if fp.Recognitions, err = s.store.DigitalRecognitions(ctx, sc, f); err != nil {
		return fp, err
	}
	firm := Firm{EnterpriseID: id, Maturity: fp.Maturity, Recognitions: fp.Recognitions}
	if rung, ok := s.rules.NextRung(firm, at); ok {
		v := s.rules.Evaluate(firm, rung, at)
		fp.Next = &v
	}
	return fp, nil
}

// SaveMaturity stores a firm's record of a year.
func (s *Service) SaveMaturity(ctx context.Context, sc auth.Scope, m Maturity, by string) error {
	if err := m.Validate(); err != nil {
		return err
	}
	_, err := s.store.PutDigitalMaturity(ctx, sc, []Maturity{m}, WriteOptions{By: by, ExpectEvents: -1})
	return err
}

// Recognise records a recognition entered online. The rung must exist in
// the rules in force on its date and the data-decidable criteria must not
// fail: a firm whose data shows a criterion unmet is refused, naming it;
// missing data leaves the judgement to the reviewer who records it.
// (Historical recognitions loaded in bulk are facts and are not re-judged.)
func (s *Service) Recognise(ctx context.Context, sc auth.Scope, rc Recognition, by string) (Recognition, error) {
	if err := rc.Validate(); err != nil {
		return rc, err
	}
	if _, ok := s.rules.RuleSet(rc.Rung, rc.RecognisedOn); !ok {
		return rc, apperr.New(apperr.Invalid, "err.digital.rung_not_in_force", string(rc.Rung), rc.RecognisedOn.Format(time.DateOnly))
	}
	f := RecordFilter{EnterpriseID: rc.EnterpriseID}
	if _, err := s.store.DigitalFirm(ctx, sc, rc.EnterpriseID); err != nil {
		return rc, err
	}
	mat, err := s.store.DigitalMaturity(ctx, sc, f)
	if err != nil {
		return rc, err
	}
	recs, err := s.store.DigitalRecognitions(ctx, sc, f)
	if err != nil {
		return rc, err
	}
	v := s.rules.Evaluate(Firm{EnterpriseID: rc.EnterpriseID, Maturity: mat, Recognitions: recs}, rc.Rung, rc.RecognisedOn)
	for _, c := range v.Conditions {
		if c.Status == NotMet {
			return rc, apperr.New(apperr.Invalid, "err.digital.criterion_unmet", c.Metric, c.Min, *c.Value)
		}
	}
	out, err := s.store.AddDigitalRecognitions(ctx, sc, []Recognition{rc}, WriteOptions{By: by, ExpectEvents: -1})
	if err != nil {
		return rc, err
	}
	return out[0], nil
}

// Candidates lists the firms in scope close to their next rung on day at.
func (s *Service) Candidates(ctx context.Context, sc auth.Scope, region string, at time.Time) ([]Candidate, map[int64]FirmRef, error) {
	if err := CheckRegion(sc, region); err != nil {
		return nil, nil, err
	}
	f := RecordFilter{RegionCode: region}
	mat, err := s.store.DigitalMaturity(ctx, sc, f)
	if err != nil {
		return nil, nil, err
	}
	recs, err := s.store.DigitalRecognitions(ctx, sc, f)
	if err != nil {
		return nil, nil, err
	}
	byFirm := map[int64]*Firm{}
	refs := map[int64]FirmRef{}
	get := func(id int64) *Firm {
		if byFirm[id] == nil {
			byFirm[id] = &Firm{EnterpriseID: id}
		}
		return byFirm[id]
	}
	for _, m := range mat {
		get(m.EnterpriseID).Maturity = append(get(m.EnterpriseID).Maturity, m)
	}
	for _, r := range recs {
		get(r.EnterpriseID).Recognitions = append(get(r.EnterpriseID).Recognitions, r)
		refs[r.EnterpriseID] = FirmRef{ID: r.EnterpriseID, CreditCode: r.CreditCode, Name: r.FirmName, RegionCode: r.RegionCode}
	}
	// Only firms on the ladder or assessed are judged: the others have no
	// data the criteria could read.
	firms := make([]Firm, 0, len(byFirm))
	for _, f := range byFirm {
		firms = append(firms, *f)
	}
	slices.SortFunc(firms, func(a, b Firm) int { return cmp.Compare(a.EnterpriseID, b.EnterpriseID) })
	cands := s.rules.Candidates(firms, at)
	if len(cands) > MaxCandidates {
		cands = cands[:MaxCandidates]
	}
	for _, c := range cands {
		if _, ok := refs[c.EnterpriseID]; !ok {
			ref, err := s.store.DigitalFirm(ctx, sc, c.EnterpriseID)
			if err != nil {
				return nil, nil, err
			}
			refs[c.EnterpriseID] = ref
		}
	}
	return cands, refs, nil
}
