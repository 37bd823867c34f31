package cultivation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/rules"
)

// The cultivation service: the use cases the pages, the API and the
// `ibrain evaluate` command share — the rule sets, the assessment date,
// one enterprise's eligibility and the screening of every enterprise
// (funnel and candidates), kept in a cache keyed by the data generation.

// ProfileQuery selects the raw facts for a batch of profiles.
type ProfileQuery struct {
	FromYear, ToYear int    // years of reports, status and facts to read (inclusive)
	ClusterYear      int    // statistical year whose industry map gives the cluster; ToYear when zero
	EnterpriseID     int64  // one enterprise; 0 = every enterprise in scope
	RegionCode       string // narrows the scope further
	// EnterpriseIDs narrows to these enterprises when not nil.
	EnterpriseIDs []int64
	// AfterID and Limit page through the enterprises in id order: those
	// with an id above AfterID, at most Limit of them (no bound when 0).
	AfterID int64
	Limit   int
}

// sameBasis reports whether q reads the same years and clusters as o.
func (q ProfileQuery) sameBasis(o ProfileQuery) bool {
	return q.FromYear == o.FromYear && q.ToYear == o.ToYear && q.ClusterYear == o.ClusterYear
}

// Store is what the service needs from storage. An enterprise outside the
// scope is not found, like one that does not exist.
type Store interface {
	// ProfileGeneration is the data generation of what profiles are built
	// from; every write of such data increments it.
	ProfileGeneration(ctx context.Context) (int64, error)
	// ProfileChanges returns the enterprises whose profile inputs changed
	// after generation from up to generation to, in id order; all when
	// every enterprise may have (a catalogue change, a bulk write, a
	// generation older than the change log keeps).
	ProfileChanges(ctx context.Context, from, to int64) (ids []int64, all bool, err error)
	// LatestCompleteYear is the latest year with December reports, or 0.
	LatestCompleteYear(ctx context.Context) (int, error)
	// LatestYear is the latest year with enterprise status, or 0.
	LatestYear(ctx context.Context) (int, error)
	// ProfileRaws returns the raw facts of every enterprise in scope
	// matching q, ordered by id.
	ProfileRaws(ctx context.Context, sc auth.Scope, q ProfileQuery) ([]Raw, error)
	// ProfileRaw returns one enterprise's raw facts if it is in scope.
	ProfileRaw(ctx context.Context, sc auth.Scope, id int64, q ProfileQuery) (Raw, error)
	// EnterpriseIDs maps every credit code to its enterprise id.
	EnterpriseIDs(ctx context.Context) (map[string]int64, error)
}

// Options tune the service.
type Options struct {
	// Rules are the title rule sets; the built-in ones when nil.
	Rules *rules.Registry
	// CachedDates bounds the city-wide screenings kept, one per assessment
	// date, all of the current data generation; 2 when zero (the default
	// date and one chosen). One holds about 300 bytes per enterprise
	// (27 MB at ten times the demo's size).
	CachedDates int
	// OnScreen, when set, is called each time a city-wide screening is
	// computed (not when one is reused), with its date and generation.
	OnScreen func(asOf time.Time, generation int64)
	// Now is the clock the default assessment date is taken from;
	// time.Now when nil.
	Now func() time.Time
}

// Service is tiered cultivation's use cases.
type Service struct {
	store    Store
	rules    *rules.Registry
	rulesErr error // loading the built-in rule sets failed
	cache    *screenCache
	onScreen func(time.Time, int64)
	now      func() time.Time
}

// NewService returns the service over st. A service without a store (nil)
// lists rule sets and evaluates given profiles only.
func NewService(st Store, opts Options) *Service {
	s := &Service{store: st, rules: opts.Rules, cache: newScreenCache(opts.CachedDates), onScreen: opts.OnScreen, now: opts.Now}
	if s.rules == nil {
		s.rules, s.rulesErr = rules.Builtin()
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Rules returns the rule-set registry.
func (s *Service) Rules() (*rules.Registry, error) { return s.rules, s.rulesErr }

// RuleSets lists the rule sets.
func (s *Service) RuleSets() ([]rules.RuleSetInfo, error) {
	if s.rulesErr != nil {
		return nil, s.rulesErr
	}
	return s.rules.List(), nil
}

// RuleSet returns one rule set by id (apperr.NotFound when unknown).
func (s *Service) RuleSet(id string) (*rules.RuleSet, error) {
	if s.rulesErr != nil {
		return nil, s.rulesErr
	}
	return s.rules.Get(id)
}

// KindError is a rule set asked to judge a kind of application it does
// not judge.
type KindError struct {
	RuleSetID string
	Kind      rules.Kind
}

func (e *KindError) Error() string {
	return fmt.Sprintf("rule set %s does not judge %s applications", e.RuleSetID, e.Kind)
}

// ProfileKind is the application kind a given profile is judged as: kind
// when given, else new, or review for a rule set judging only reviews.
func ProfileKind(rs *rules.RuleSet, kind rules.Kind) (rules.Kind, error) {
	if kind == "" {
		if rs.Supports(rules.KindNew) {
			return rules.KindNew, nil
		}
		return rules.KindReview, nil
	}
	if !rs.Supports(kind) {
		return kind, &KindError{RuleSetID: rs.Info().ID, Kind: kind}
	}
	return kind, nil
}

// EvaluateProfile judges a given profile (the JSON of `ibrain evaluate
// --input` or of the API) with rule set rs on asOf; kind as ProfileKind.
// Nothing is stored.
func EvaluateProfile(rs *rules.RuleSet, p rules.Profile, asOf time.Time, kind rules.Kind) (rules.Result, error) {
	kind, err := ProfileKind(rs, kind)
	if err != nil {
		return rules.Result{}, err
	}
	return rs.Evaluate(p, rules.Context{AssessmentDate: asOf, Kind: kind})
}

// Today is the service's date: the day a given profile is assessed on
// when no date is asked for.
func (s *Service) Today() time.Time { return rules.NewDate(s.now()).Time() }

// Generation reads the store's profile generation; a screening computed
// at it or later reflects every write the caller has seen.
func (s *Service) Generation(ctx context.Context) (int64, error) {
	return s.store.ProfileGeneration(ctx)
}

// DefaultDate is the assessment date when none is asked for, as of
// generation gen: today unless the prior year's December reports are not
// in yet (DefaultAsOf). The latest complete year is read once per
// generation.
func (s *Service) DefaultDate(ctx context.Context, gen int64) (time.Time, error) {
	y, err := s.cache.latestCompleteYear(ctx, gen, s.store.LatestCompleteYear)
	if err != nil {
		return time.Time{}, err
	}
	return DefaultAsOf(s.now(), y), nil
}

// AsOf is date, or the default assessment date when date is zero.
func (s *Service) AsOf(ctx context.Context, date time.Time) (time.Time, error) {
	if !date.IsZero() {
		return date, nil
	}
	gen, err := s.Generation(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return s.DefaultDate(ctx, gen)
}

// CheckRegion refuses a region filter outside the scope, so a district
// officer's filter can never name another district.
func CheckRegion(sc auth.Scope, region string) error {
	if region != "" && !sc.IsAll() && region != sc.RegionCode {
		return apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	return nil
}

// profileQuery is the store query for profiles on asOf; clusters come from
// the prior year's industry map, or the latest year with status.
func (s *Service) profileQuery(ctx context.Context, asOf time.Time) (ProfileQuery, error) {
	from, to := ProfileYears(asOf)
	q := ProfileQuery{FromYear: from, ToYear: to, ClusterYear: to}
	latest, err := s.store.LatestYear(ctx)
	if err != nil {
		return q, err
	}
	if latest != 0 && latest < to {
		q.ClusterYear = latest
	}
	return q, nil
}

// Screen returns the screening of every enterprise in scope on asOf, as of
// profile generation gen or later: the city-wide screening (reused while
// the generation holds, see screenCache) narrowed to the scope. The result
// is shared and read-only.
func (s *Service) Screen(ctx context.Context, sc auth.Scope, asOf time.Time, gen int64) (*Screening, error) {
	city, err := s.cache.screening(ctx, gen, asOf, func(ctx context.Context, base *Screening, gen int64, slow func()) (*Screening, error) {
		if s.onScreen != nil {
			s.onScreen(asOf, gen)
		}
		return s.refresh(ctx, asOf, base, gen, slow)
	})
	if err != nil {
		return nil, err
	}
	if sc.IsAll() {
		return city, nil
	}
	return city.Select(func(sub *Firm) bool { return sc.Covers(sub.ID, sub.RegionCode) }), nil
}

// maxIncremental is the most changed enterprises a screening is patched
// for; beyond it (and after catalogue changes) the city is screened anew
// in the background while the previous screening is served.
const maxIncremental = 2000

// refresh brings the city-wide screening base (nil when none) to
// generation gen: it re-screens only the enterprises the store's change
// log names, or, when every enterprise may have changed, screens the city
// anew, first calling slow so that base is served meanwhile.
func (s *Service) refresh(ctx context.Context, asOf time.Time, base *Screening, gen int64, slow func()) (*Screening, error) {
	if s.rulesErr != nil {
		return nil, s.rulesErr
	}
	readAt := s.now()
	q, err := s.profileQuery(ctx, asOf)
	if err != nil {
		return nil, err
	}
	if base != nil && q.sameBasis(base.query) {
		ids, all, err := s.store.ProfileChanges(ctx, base.Generation, gen)
		if err != nil {
			return nil, err
		}
		if !all && len(ids) <= maxIncremental {
			q.EnterpriseIDs = ids
			fresh := &Screening{}
			if len(ids) > 0 {
				if fresh, err = s.screen(ctx, auth.All(), q, asOf); err != nil {
					return nil, err
				}
			}
			out := base.with(ids, fresh)
			out.Generation, out.ReadAt = gen, readAt
			return out, nil
		}
	}
	if base != nil {
		slow()
	}
	sg, err := s.screen(ctx, auth.All(), q, asOf)
	if err != nil {
		return nil, err
	}
	sg.Generation, sg.ReadAt = gen, readAt
	return sg, nil
}

// ScreenUncached judges every enterprise in scope on asOf from the store,
// without the cache.
func (s *Service) ScreenUncached(ctx context.Context, sc auth.Scope, asOf time.Time) (*Screening, error) {
	if s.rulesErr != nil {
		return nil, s.rulesErr
	}
	q, err := s.profileQuery(ctx, asOf)
	if err != nil {
		return nil, err
	}
	return s.screen(ctx, sc, q, asOf)
}

// screenBatch is how many enterprises a screening reads and judges at a
// time. Their raw facts and profiles (a few kB each) are dropped once
// judged, so the batch bounds a screening's transient memory instead of
// the city's size (at ten times the demo, reading every firm at once took
// the server from 190 to 610 MB).
const screenBatch = 4096

// screen judges the enterprises in scope matching q on asOf, reading them
// a batch at a time.
func (s *Service) screen(ctx context.Context, sc auth.Scope, q ProfileQuery, asOf time.Time) (*Screening, error) {
	j := newJudge(s.rules, asOf, 0)
	bq := q
	bq.Limit = screenBatch
	for {
		raws, err := s.store.ProfileRaws(ctx, sc, bq)
		if err != nil {
			return nil, err
		}
		for i := range raws {
			if err := j.addRaw(&raws[i]); err != nil {
				return nil, err
			}
		}
		if len(raws) < screenBatch {
			break
		}
		last := raws[len(raws)-1].Enterprise.ID
		if last <= bq.AfterID {
			return nil, fmt.Errorf("cultivation: the store returned enterprise %d after %d", last, bq.AfterID)
		}
		bq.AfterID = last
	}
	sg, err := j.done()
	if errors.Is(err, ErrNoRuleSets) {
		return nil, apperr.Wrap(err, apperr.NotFound, rules.MsgRuleSetNotFound)
	}
	if sg != nil {
		q.EnterpriseIDs = nil
		sg.query = q
	}
	return sg, err
}

// CacheWaiters counts the requests waiting for the screening of asOf.
func (s *Service) CacheWaiters(asOf time.Time) int { return s.cache.waiters(asOf) }

// raw reads one enterprise in scope for a profile on asOf.
func (s *Service) raw(ctx context.Context, sc auth.Scope, id int64, asOf time.Time) (Raw, error) {
	q, err := s.profileQuery(ctx, asOf)
	if err != nil {
		return Raw{}, err
	}
	return s.store.ProfileRaw(ctx, sc, id, q)
}

// Eligibility evaluates one enterprise in scope on asOf for every tier,
// with the reminders for the titles it holds; it returns the raw facts
// read too.
func (s *Service) Eligibility(ctx context.Context, sc auth.Scope, id int64, asOf time.Time) (Eligibility, Raw, error) {
	if s.rulesErr != nil {
		return Eligibility{}, Raw{}, s.rulesErr
	}
	raw, err := s.raw(ctx, sc, id, asOf)
	if err != nil {
		return Eligibility{}, raw, err
	}
	el, err := Evaluate(s.rules, BuildProfile(&raw, asOf), raw.Enterprise.Titles, asOf)
	return el, raw, err
}

// EvaluateEnterprise judges one enterprise in scope with rule set rs on
// asOf. With no kind, an enterprise holding the title is re-reviewed when
// the rule set judges reviews, else judged as a new application.
func (s *Service) EvaluateEnterprise(ctx context.Context, sc auth.Scope, id int64, rs *rules.RuleSet, asOf time.Time, kind rules.Kind) (rules.Result, error) {
	raw, err := s.raw(ctx, sc, id, asOf)
	if err != nil {
		return rules.Result{}, err
	}
	if kind == "" {
		kind = rules.KindNew
		if Holds(raw.Enterprise.Titles, rs.Info().TitleKind, asOf) && rs.Supports(rules.KindReview) {
			kind = rules.KindReview
		}
	}
	if !rs.Supports(kind) {
		return rules.Result{}, &KindError{RuleSetID: rs.Info().ID, Kind: kind}
	}
	return rs.Evaluate(BuildProfile(&raw, asOf), rules.Context{AssessmentDate: asOf, Kind: kind})
}

// EnterpriseByCode resolves a credit code to an enterprise id; false when
// no enterprise has it.
func (s *Service) EnterpriseByCode(ctx context.Context, code string) (int64, bool, error) {
	ids, err := s.store.EnterpriseIDs(ctx)
	if err != nil {
		return 0, false, err
	}
	id, ok := ids[strings.ToUpper(strings.TrimSpace(code))]
	return id, ok, nil
}
