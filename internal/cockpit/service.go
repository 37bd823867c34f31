// Package cockpit holds the cockpit's use cases (驾驶舱): the reporting
// period a request asks for, the task table (任务表) judged against the
// statistics engine's figures, and the city-wide scoreboard (数读). The
// figures themselves (KPIs, trend, breakdown) come from stats.Engine,
// which already is the service over stats.Source; this package adds what
// the pages, the API and the CLI assembled on top of it.
package cockpit

import (
	"context"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
)

// Store is what the cockpit reads besides the engine's figures.
type Store interface {
	// LatestPeriod is the latest reported period (apperr.NotFound when
	// there are no reports).
	LatestPeriod(ctx context.Context) (report.Period, error)
	// ReportYears are the years with reports, ascending.
	ReportYears(ctx context.Context) ([]int, error)
	// Targets are the targets set for year.
	Targets(ctx context.Context, year int) ([]target.Target, error)
	// PeriodLock is a period's publication (lock), if any.
	PeriodLock(ctx context.Context, d review.Domain, p review.Period) (review.Lock, bool, error)
}

// Service is the cockpit's use-case layer over the store and the engine.
type Service struct {
	store Store
	stats *stats.Engine
	opts  Options
}

// Options tune the service; the zero value shows every city target.
type Options struct {
	// OnScoreboard says whether the targets of a task table, named by its
	// source, belong on the 数读 panel (the manufacturing table does, the
	// other bureaus' tables have their own pages); nil keeps every one.
	OnScoreboard func(source string) bool
	// Published is the engine over the figures as published (the
	// snapshots taken when the city published a month); nil: the
	// published basis reads the current data.
	Published *stats.Engine
}

// Basis says which data the cockpit's reported figures are computed from.
type Basis string

// The bases: as revised is the accepted data now, the default; as
// published is each month as it stood when the city published it (a
// month not published yet reads as revised).
const (
	Revised   Basis = "revised"
	Published Basis = "published"
)

// ParseBasis reads a basis parameter; empty is Revised.
func ParseBasis(s string) (Basis, error) {
	switch Basis(s) {
	case "", Revised:
		return Revised, nil
	case Published:
		return Published, nil
	}
	return "", apperr.New(apperr.Invalid, "cockpit.err.basis", s)
}

// On returns the service computing reported figures on basis b.
func (s *Service) On(b Basis) *Service {
	if b != Published || s.opts.Published == nil {
		return s
	}
	c := *s
	c.stats = s.opts.Published
	return &c
}

// PublishedAt says whether the city has published period p, and when.
func (s *Service) PublishedAt(ctx context.Context, p report.Period) (review.Lock, bool, error) {
	return s.store.PeriodLock(ctx, review.MonthlyReport, review.Period{Year: p.Year, Month: p.Month})
}

// NewService returns the cockpit service.
func NewService(st Store, eng *stats.Engine, opts Options) *Service {
	return &Service{store: st, stats: eng, opts: opts}
}

// Stats is the statistics engine the cockpit's figures come from.
func (s *Service) Stats() *stats.Engine { return s.stats }

// Latest returns the latest reported period; ok is false when there are
// no reports yet.
func (s *Service) Latest(ctx context.Context) (report.Period, bool, error) {
	p, err := s.store.LatestPeriod(ctx)
	if apperr.Is(err, apperr.NotFound) {
		return report.Period{}, false, nil
	}
	return p, err == nil, err
}

// ReportYears are the years with reports, ascending.
func (s *Service) ReportYears(ctx context.Context) ([]int, error) { return s.store.ReportYears(ctx) }

// Period resolves a requested year and month (0 = not given) to a
// reporting period. Without a year it is the latest period with data;
// with a year but no month it is the latest month reported in that year
// (December for past years). With no data at all it is apperr.NotFound.
func (s *Service) Period(ctx context.Context, year, month int) (report.Period, error) {
	if year != 0 && month != 0 {
		return report.Period{Year: year, Month: month}, nil
	}
	latest, err := s.store.LatestPeriod(ctx)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return report.Period{}, err
	}
	switch {
	case year == 0 && latest.Year == 0:
		return report.Period{}, err // NotFound: no data at all
	case year == 0:
		year = latest.Year
		if month == 0 {
			month = latest.Month
		}
	case month == 0 && year == latest.Year:
		month = latest.Month
	case month == 0:
		month = 12
	}
	return report.Period{Year: year, Month: month}, nil
}

// Judged is one target of the task table with the engine figure that
// judges it; Figure.Progress is set.
type Judged struct {
	Target target.Target
	Figure stats.Figure
}

// Targets judges the targets of p's year that are visible in sc, as of
// p, in the store's order. City scopes see every target; a district
// scope sees the targets set for its district, because the others are
// judged on figures outside it. A target whose indicator the catalogue no
// longer has is left out.
func (s *Service) Targets(ctx context.Context, sc auth.Scope, p report.Period) ([]Judged, error) {
	ts, err := s.store.Targets(ctx, p.Year)
	if err != nil {
		return nil, err
	}
	return s.Judge(ctx, sc, p, ts)
}

// Judge judges the given targets visible in sc as of p, in their order,
// the way Targets judges the stored ones (a task table defined as data
// is judged here).
func (s *Service) Judge(ctx context.Context, sc auth.Scope, p report.Period, ts []target.Target) ([]Judged, error) {
	figs := s.stats.NewFigureSet(sc, p)
	regions := 0
	for _, t := range ts {
		if t.ScopeKind == target.ScopeRegion && Visible(sc, t) {
			regions++
		}
	}
	if regions > 1 {
		// With targets for several districts, their sums are read in one
		// query.
		if err := figs.PrefetchRegions(ctx); err != nil {
			return nil, err
		}
		codes := make([]string, len(ts))
		for i, t := range ts {
			codes[i] = t.IndicatorCode
		}
		figs.ExpectIndicators(codes)
	}
	var out []Judged
	for _, t := range ts {
		if !Visible(sc, t) {
			continue
		}
		f := stats.Filter{}
		switch t.ScopeKind {
		case target.ScopeRegion:
			f.Region = t.ScopeCode
		case target.ScopeCluster:
			f.Cluster = t.ScopeCode
		}
		fig, err := figs.Figure(ctx, t.IndicatorCode, f)
		if apperr.Is(err, apperr.NotFound) {
			continue // a target for an indicator the catalogue no longer has
		}
		if err != nil {
			return nil, err
		}
		month := p.Month
		if fig.Indicator.Measure == "" && fig.Known {
			month = 12 // manually entered values are annual
		}
		pr := target.Evaluate(t, stats.KindOf(fig.Indicator), fig.Value, fig.Known, month)
		fig.Progress = &pr
		out = append(out, Judged{Target: t, Figure: fig})
	}
	return out, nil
}

// Visible reports whether a target is judged on data inside sc.
func Visible(sc auth.Scope, t target.Target) bool {
	if sc.IsAll() {
		return true
	}
	return sc.RegionCode != "" && t.ScopeKind == target.ScopeRegion && t.ScopeCode == sc.RegionCode
}

// Scoreboard is the city-wide "数读" panel of year: its results (成绩单)
// and the next year's task table with progress (任务表). Year 0 is the
// default year (stats.Engine.DefaultScoreboardYear). The page, the API and
// 'ibrain report scoreboard' all read it here.
func (s *Service) Scoreboard(ctx context.Context, year int) (stats.Scoreboard, error) {
	if year == 0 {
		var err error
		if year, err = s.stats.DefaultScoreboardYear(ctx); err != nil {
			return stats.Scoreboard{}, err
		}
	}
	sb, err := s.stats.Scoreboard(ctx, year)
	if err != nil || s.opts.OnScoreboard == nil {
		return sb, err
	}
	kept := sb.TargetTable[:0]
	for _, f := range sb.TargetTable {
		if f.Progress == nil || s.opts.OnScoreboard(f.Progress.Target.Source) {
			kept = append(kept, f)
		}
	}
	sb.TargetTable = kept
	return sb, nil
}

// DefaultScoreboardYear is the year the panel shows when none is asked for.
func (s *Service) DefaultScoreboardYear(ctx context.Context) (int, error) {
	return s.stats.DefaultScoreboardYear(ctx)
}
