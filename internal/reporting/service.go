package reporting

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/stats"
)

// Store is what online reporting needs from storage. A firm outside the
// scope is not found, like one that does not exist.
type Store interface {
	// ReportingCurrent reads one submission's current state (read-only).
	ReportingCurrent(ctx context.Context, sc auth.Scope, k Key) (Current, error)
	// ApplySubmissions reads the current state of every key inside one
	// write transaction, lets decide judge them all, and writes the
	// changes: the submissions, their history events and, for accepted
	// ones, the accepted data (monthly_report with its summaries). Any
	// error leaves the database unchanged.
	ApplySubmissions(ctx context.Context, sc auth.Scope, keys []Key, decide func([]Current) ([]Change, error)) error
	// ReportingStatus lists the firms expected to report a period in sc
	// (the year's above-scale firms and any firm with a submission or
	// accepted report) with their state.
	ReportingStatus(ctx context.Context, sc auth.Scope, p report.Period) ([]FirmStatus, error)
	// AddReminders records a reminder to each firm in sc.
	AddReminders(ctx context.Context, sc auth.Scope, p report.Period, ids []int64, by int64, at time.Time) (int, error)
	LockPeriod(ctx context.Context, l review.Lock) (review.Lock, error)
	PeriodLock(ctx context.Context, d review.Domain, p review.Period) (review.Lock, bool, error)
	PeriodLocks(ctx context.Context, d review.Domain) ([]review.Lock, error)
	ReviewEvents(ctx context.Context, d review.Domain, subject string, p review.Period) ([]review.Event, error)
	LatestPeriod(ctx context.Context) (report.Period, error)
	// PeriodRevisions lists the firms in sc whose accepted data of a
	// period was changed by accepted revisions.
	PeriodRevisions(ctx context.Context, sc auth.Scope, p report.Period) ([]FirmRevision, error)
	// Aggregate sums the accepted data (the summaries the cockpit reads).
	Aggregate(ctx context.Context, sc auth.Scope, q stats.Query) ([]stats.Row, error)
}

// FirmRevision is one firm's revisions of a published period.
type FirmRevision struct {
	Firm       Firm
	AboveScale bool          // in the period's above-scale set: its values count in the figures
	Published  report.Values // before the first accepted revision
	Revised    report.Values // as accepted now
	Revisions  int
	LastBy     int64
	LastAt     time.Time
	LastReason string
}

// Revisions is a published period "as published" and "as revised": the
// above-scale totals in scope now, and as they stood at publication (now
// minus every accepted revision's change of an above-scale firm).
type Revisions struct {
	Period      report.Period
	Lock        review.Lock
	Locked      bool
	AsRevised   report.Values
	AsPublished report.Values
	Firms       []FirmRevision
}

// Revisions reads a period as published and as revised.
func (s *Service) Revisions(ctx context.Context, sc auth.Scope, p report.Period) (Revisions, error) {
	if err := p.Validate(); err != nil {
		return Revisions{}, apperr.Wrap(err, apperr.Invalid, "err.period", p.String())
	}
	out := Revisions{Period: p}
	var err error
	if out.Lock, out.Locked, err = s.store.PeriodLock(ctx, review.MonthlyReport, review.Period{Year: p.Year, Month: p.Month}); err != nil {
		return out, err
	}
	rows, err := s.store.Aggregate(ctx, sc, stats.Query{Year: p.Year, Month: p.Month})
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		for f := range out.AsRevised {
			out.AsRevised[f] += r.Sums.Cur[f]
		}
	}
	out.AsPublished = out.AsRevised
	if out.Firms, err = s.store.PeriodRevisions(ctx, sc, p); err != nil {
		return out, err
	}
	for _, fr := range out.Firms {
		if !fr.AboveScale {
			continue
		}
		for f := range out.AsPublished {
			out.AsPublished[f] -= fr.Revised[f] - fr.Published[f]
		}
	}
	return out, nil
}

// FirmStatus is one firm's state for a period.
type FirmStatus struct {
	Firm        Firm
	State       review.State
	Revision    bool
	Warnings    int
	SubmittedAt time.Time
	Reminders   int
	Late        bool // not reported (submitted or accepted) after the deadline
}

// Service is online reporting's use cases.
type Service struct {
	store Store
	rules []RuleSet
	now   func() time.Time
}

// Options tune the service.
type Options struct {
	Rules []RuleSet        // nil: the compiled-in rule sets
	Now   func() time.Time // nil: time.Now
}

// NewService returns the service over st.
func NewService(st Store, o Options) (*Service, error) {
	rules := o.Rules
	if rules == nil {
		var err error
		if rules, err = RuleSets(); err != nil {
			return nil, err
		}
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, rules: rules, now: now}, nil
}

// Form is what the report form shows: the submission (or the stored
// values to start from), last month's and last year's accepted values,
// the findings, the deadline and what the user may do.
type Form struct {
	Firm       Firm
	Period     report.Period
	Submission Submission
	Accepted   *report.Values
	Prev       *report.Values
	LastYear   *report.Values
	Locked     bool
	Deadline   time.Time
	Late       bool
	Actions    []review.Action
	History    []review.Event
}

// Form reads one firm's report form for a period.
func (s *Service) Form(ctx context.Context, sc auth.Scope, a Actor, k Key) (Form, error) {
	if err := k.Period.Validate(); err != nil {
		return Form{}, apperr.Wrap(err, apperr.Invalid, "err.period", k.Period.String())
	}
	cur, err := s.store.ReportingCurrent(ctx, sc, k)
	if err != nil {
		return Form{}, err
	}
	f := Form{Firm: cur.Firm, Period: k.Period, Submission: cur.Submission, Accepted: cur.Accepted, Prev: cur.History.Prev,
		LastYear: cur.History.LastYear, Locked: cur.Locked, Deadline: k.Period.Deadline()}
	if f.Submission.State == review.Missing {
		f.Submission = Submission{EnterpriseID: k.EnterpriseID, Period: k.Period, State: review.Missing}
		switch {
		case cur.Accepted != nil:
			f.Submission.Values = *cur.Accepted
		case cur.History.Prev != nil:
			// Prefill with last month's cumulative values: the user adds
			// this month to them.
			f.Submission.Values = *cur.History.Prev
		}
	}
	rs, err := RuleSetFor(s.rules, k.Period)
	if err != nil {
		return Form{}, err
	}
	if f.Submission.Findings == nil {
		f.Submission.Findings = rs.Evaluate(k.Period, f.Submission.Values, cur.History)
	}
	st := f.Submission.State
	f.Late = s.now().After(f.Deadline) && st != review.Submitted && st != review.Accepted
	f.Actions = review.Allowed(st, a.Caps(k.EnterpriseID), cur.Locked)
	if f.History, err = s.store.ReviewEvents(ctx, review.MonthlyReport, subject(k.EnterpriseID), review.Period{Year: k.Period.Year, Month: k.Period.Month}); err != nil {
		return Form{}, err
	}
	return f, nil
}

// Act applies one request and returns the submission as stored.
func (s *Service) Act(ctx context.Context, sc auth.Scope, a Actor, req Request) (Submission, error) {
	out, err := s.ActMany(ctx, sc, a, []Request{req})
	if err != nil {
		return Submission{}, err
	}
	return out[0], nil
}

// ActMany applies requests all or nothing, in one transaction: the first
// refusal leaves the database unchanged. A rule refusal is returned as an
// apperr.Invalid wrapping a *RuleError (errors.As finds it).
func (s *Service) ActMany(ctx context.Context, sc auth.Scope, a Actor, reqs []Request) ([]Submission, error) {
	keys := make([]Key, len(reqs))
	seen := map[Key]bool{}
	for i, r := range reqs {
		if err := r.Key.Period.Validate(); err != nil {
			return nil, apperr.Wrap(err, apperr.Invalid, "err.period", r.Key.Period.String())
		}
		if seen[r.Key] {
			return nil, apperr.New(apperr.Invalid, "reporting.err.duplicate", r.Key.Period.String())
		}
		seen[r.Key] = true
		keys[i] = r.Key
	}
	now := s.now().UTC().Truncate(time.Second)
	out := make([]Submission, len(reqs))
	err := s.store.ApplySubmissions(ctx, sc, keys, func(curs []Current) ([]Change, error) {
		changes := make([]Change, len(reqs))
		for i, req := range reqs {
			rs, err := RuleSetFor(s.rules, req.Key.Period)
			if err != nil {
				return nil, err
			}
			ch, err := Decide(rs, a, curs[i], req, now)
			if err != nil {
				return nil, err
			}
			changes[i] = ch
			out[i] = ch.Submission
		}
		return changes, nil
	})
	var re *RuleError
	if errors.As(err, &re) {
		if _, ok := err.(*apperr.Error); !ok {
			return nil, re.AppErr()
		}
	}
	return out, err
}

// Status is a period's submission status in scope with the 报送率 per
// district.
type Status struct {
	Period    report.Period
	Deadline  time.Time
	Locked    bool
	Firms     []FirmStatus
	Districts []DistrictRate
}

// DistrictRate counts one district's firms by state.
type DistrictRate struct {
	RegionCode string
	Expected   int
	ByState    map[review.State]int
	Reported   int // submitted or accepted
	RatePct    float64
}

// Status reads a period's status (the latest reported period when p is
// zero).
func (s *Service) Status(ctx context.Context, sc auth.Scope, p report.Period) (Status, error) {
	if p == (report.Period{}) {
		latest, err := s.store.LatestPeriod(ctx)
		if err != nil {
			return Status{}, err
		}
		p = latest
	}
	if err := p.Validate(); err != nil {
		return Status{}, apperr.Wrap(err, apperr.Invalid, "err.period", p.String())
	}
	firms, err := s.store.ReportingStatus(ctx, sc, p)
	if err != nil {
		return Status{}, err
	}
	_, locked, err := s.store.PeriodLock(ctx, review.MonthlyReport, review.Period{Year: p.Year, Month: p.Month})
	if err != nil {
		return Status{}, err
	}
	out := Status{Period: p, Deadline: p.Deadline(), Locked: locked, Firms: firms}
	late := s.now().After(out.Deadline)
	by := map[string]*DistrictRate{}
	for i := range out.Firms {
		f := &out.Firms[i]
		reported := f.State == review.Submitted || f.State == review.Accepted
		f.Late = late && !reported
		d := by[f.Firm.RegionCode]
		if d == nil {
			d = &DistrictRate{RegionCode: f.Firm.RegionCode, ByState: map[review.State]int{}}
			by[f.Firm.RegionCode] = d
		}
		d.Expected++
		d.ByState[f.State]++
		if reported {
			d.Reported++
		}
	}
	for _, d := range by {
		d.RatePct = float64(d.Reported) * 100 / float64(d.Expected)
		out.Districts = append(out.Districts, *d)
	}
	sort.Slice(out.Districts, func(i, j int) bool { return out.Districts[i].RegionCode < out.Districts[j].RegionCode })
	return out, nil
}

// Remind records a reminder to every late firm in scope (or the given
// ones) and returns how many were reminded.
func (s *Service) Remind(ctx context.Context, sc auth.Scope, a Actor, p report.Period, ids []int64) (int, error) {
	if !a.CanReview {
		return 0, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	if len(ids) == 0 {
		st, err := s.Status(ctx, sc, p)
		if err != nil {
			return 0, err
		}
		for _, f := range st.Firms {
			if f.State != review.Submitted && f.State != review.Accepted {
				ids = append(ids, f.Firm.ID)
			}
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return s.store.AddReminders(ctx, sc, p, ids, a.UserID, s.now().UTC())
}

// Publish locks a period: from then on a change is a revision request.
func (s *Service) Publish(ctx context.Context, a Actor, p report.Period, note string) (review.Lock, error) {
	if !a.CanPublish {
		return review.Lock{}, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	if err := p.Validate(); err != nil {
		return review.Lock{}, apperr.Wrap(err, apperr.Invalid, "err.period", p.String())
	}
	return s.store.LockPeriod(ctx, review.Lock{Domain: review.MonthlyReport, Period: review.Period{Year: p.Year, Month: p.Month}, LockedBy: a.UserID, Note: note})
}

// Locks lists the published periods.
func (s *Service) Locks(ctx context.Context) ([]review.Lock, error) {
	return s.store.PeriodLocks(ctx, review.MonthlyReport)
}

// Rules returns the rule set in force for a period.
func (s *Service) Rules(p report.Period) (RuleSet, error) { return RuleSetFor(s.rules, p) }

// The permissions of online reporting (granted in internal/auth/roles.json).
const (
	PermRead    = auth.Permission("reporting.read")    // open a report form in scope
	PermFill    = auth.Permission("reporting.fill")    // fill and submit the own firm's report
	PermStatus  = auth.Permission("reporting.status")  // submission status and 报送率 in scope
	PermReview  = auth.Permission("reporting.review")  // return, accept, remind, record in scope
	PermPublish = auth.Permission("reporting.publish") // publish (lock) periods, decide revisions
)

// ActorFor is the actor of a signed-in user, from the user's permissions.
func ActorFor(u auth.User, can func(auth.Permission) bool) Actor {
	return Actor{UserID: u.ID, EnterpriseID: u.EnterpriseID, CanFill: can(PermFill), CanReview: can(PermReview), CanPublish: can(PermPublish)}
}

// CurrentPeriod is the period being reported now: the month after the
// latest accepted month, or the month before today when nothing is
// stored.
func (s *Service) CurrentPeriod(ctx context.Context) (report.Period, error) {
	latest, err := s.store.LatestPeriod(ctx)
	if err == nil && latest.Year > 0 {
		return latest.Next(), nil
	}
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return report.Period{}, err
	}
	n := s.now().AddDate(0, -1, 0)
	p := report.Period{Year: n.Year(), Month: int(n.Month())}
	if p.Month == 1 {
		p = report.Period{Year: p.Year - 1, Month: 12}
	}
	return p, nil
}

// Now is the service's clock (deadlines and lateness).
func (s *Service) Now() time.Time { return s.now() }
