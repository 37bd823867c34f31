package tasks

import (
	"context"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cockpit"
	"github.com/industrybrain/ibrain/internal/indicator"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
)

// Store is what the task tables and the departmental entries need from
// storage.
type Store interface {
	// DeptEntries are the entries of year ("" department: every one), by
	// indicator.
	DeptEntries(ctx context.Context, year int, department string) ([]Entry, error)
	// ApplyDeptChanges applies changes in one transaction, all or nothing:
	// for each it reads the current entry and whether its year is locked
	// (review period lock of Domain, month 0), lets judge decide, and
	// writes the entry, its review event and, when a value was accepted,
	// the indicator value the statistics read.
	ApplyDeptChanges(ctx context.Context, changes []Change, judge func(cur *Entry, ch Change, locked bool) (Entry, review.Event, error)) error
	// ReviewEvents is the history of one subject's period, oldest first.
	ReviewEvents(ctx context.Context, d review.Domain, subject string, p review.Period) ([]review.Event, error)
	// LockPeriod publishes a period (apperr.Conflict when it already is).
	LockPeriod(ctx context.Context, l review.Lock) (review.Lock, error)
	// PeriodLock returns a period's lock and whether there is one.
	PeriodLock(ctx context.Context, d review.Domain, p review.Period) (review.Lock, bool, error)
}

// Service is the task tables' and departmental entries' use-case layer.
type Service struct {
	store   Store
	cat     *indicator.Catalogue
	tables  *Tables
	cockpit *cockpit.Service
	now     func() time.Time
}

// Options tune a Service; the zero value is the binary's.
type Options struct {
	Tables *Tables          // nil: BuiltinTables
	Now    func() time.Time // nil: time.Now
}

// NewService returns the service over tables already checked against cat
// (ParseTables, BuiltinTables).
func NewService(st Store, cat *indicator.Catalogue, ck *cockpit.Service, opts Options) *Service {
	s := &Service{store: st, cat: cat, tables: opts.Tables, cockpit: ck, now: opts.Now}
	if s.tables == nil {
		s.tables = &Tables{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Tables are the task tables the service knows.
func (s *Service) Tables() *Tables { return s.tables }

// Catalogue is the indicator catalogue.
func (s *Service) Catalogue() *indicator.Catalogue { return s.cat }

// RowReport is one row of a task table judged as of the latest data, with
// who owns it and, for a departmental row, where its value is in review.
type RowReport struct {
	Figure     stats.Figure // Progress set
	Department string       // the department that owes the value
	Source     string       // the indicator's source: manual, file, interface, computed
	Entry      *Entry       // the departmental entry, nil for computed rows and rows never entered
	Owed       bool         // no value: Department owes it
}

// TableReport is a task table with every row judged.
type TableReport struct {
	Table Table
	AsOf  report.Period // zero when the year has no reports yet
	Rows  []RowReport
	Owed  int // rows without a value
}

// Report judges a table's rows city-wide as of the latest period of its
// year, as the table defines them.
func (s *Service) Report(ctx context.Context, code string) (TableReport, error) {
	t, ok := s.tables.ByCode(code)
	if !ok {
		return TableReport{}, apperr.New(apperr.NotFound, "tasks.err.table_not_found", code)
	}
	rep := TableReport{Table: t}
	entries, err := s.store.DeptEntries(ctx, t.Year, "")
	if err != nil {
		return rep, err
	}
	byCode := map[string]*Entry{}
	for i := range entries {
		byCode[entries[i].Indicator] = &entries[i]
	}
	var judged []cockpit.Judged
	p, err := s.cockpit.Period(ctx, t.Year, 0)
	switch {
	case apperr.Is(err, apperr.NotFound):
		// No reports at all: every row without data, judged as such.
		for _, tg := range t.targets() {
			ind, ok := s.cat.ByCode(tg.IndicatorCode)
			if !ok {
				continue
			}
			pr := target.Evaluate(tg, stats.KindOf(ind), 0, false, 0)
			judged = append(judged, cockpit.Judged{Target: tg, Figure: stats.Figure{Indicator: ind, Progress: &pr}})
		}
	case err != nil:
		return rep, err
	default:
		rep.AsOf = p
		if judged, err = s.cockpit.Judge(ctx, auth.All(), p, t.targets()); err != nil {
			return rep, err
		}
	}
	for _, j := range judged {
		ind := j.Figure.Indicator
		r := RowReport{Figure: j.Figure, Department: ind.Department, Source: ind.Source, Entry: byCode[ind.Code], Owed: !j.Figure.Known}
		if r.Owed {
			rep.Owed++
		}
		rep.Rows = append(rep.Rows, r)
	}
	return rep, nil
}

func (t Table) targets() []target.Target { return (&Tables{Tables: []Table{t}}).Targets() }

// EntryRow is one departmental indicator of a year with its entry (nil
// when never saved).
type EntryRow struct {
	Indicator indicator.Indicator
	Entry     *Entry
	Locked    bool
}

// Entries lists year's departmental indicators a user works on, in
// catalogue order: a department's own, every one for users of no
// department (the city's reviewers and readers). It also says whether the
// year is published.
func (s *Service) Entries(ctx context.Context, a Actor, year int) ([]EntryRow, bool, error) {
	entries, err := s.store.DeptEntries(ctx, year, a.Department)
	if err != nil {
		return nil, false, err
	}
	_, locked, err := s.store.PeriodLock(ctx, Domain, review.Period{Year: year})
	if err != nil {
		return nil, false, err
	}
	byCode := map[string]*Entry{}
	for i := range entries {
		byCode[entries[i].Indicator] = &entries[i]
	}
	var out []EntryRow
	for _, ind := range s.cat.Indicators {
		if !Departmental(ind) || a.Department != "" && ind.Department != a.Department {
			continue
		}
		out = append(out, EntryRow{Indicator: ind, Entry: byCode[ind.Code], Locked: locked})
	}
	return out, locked, nil
}

// RowError is a refused change of a batch, by its position (0-based).
type RowError struct {
	Index int
	Err   error
}

// BatchError lists every refused change of a batch; nothing was written.
type BatchError struct{ Rows []RowError }

func (e *BatchError) Error() string { return "tasks: changes refused" }

// Apply applies changes for actor, all or nothing. Each change is first
// checked on its own (known indicator, the actor's department, a valid
// value); every refusal is returned at once in a *BatchError. The review
// itself is judged inside the store's transaction on the current entries.
func (s *Service) Apply(ctx context.Context, a Actor, changes []Change) error {
	if len(changes) == 0 {
		return apperr.New(apperr.Invalid, "tasks.err.no_changes")
	}
	var be BatchError
	seen := map[[2]any]bool{}
	for i, ch := range changes {
		ind, ok := s.cat.ByCode(ch.Indicator)
		if !ok {
			be.Rows = append(be.Rows, RowError{i, apperr.New(apperr.Invalid, KeyUnknown, ch.Indicator)})
			continue
		}
		if ch.Year < 2000 || ch.Year > 2100 {
			be.Rows = append(be.Rows, RowError{i, apperr.New(apperr.Invalid, "tasks.err.year", ch.Year)})
			continue
		}
		k := [2]any{ch.Indicator, ch.Year}
		if seen[k] {
			be.Rows = append(be.Rows, RowError{i, apperr.New(apperr.Invalid, "tasks.err.repeated", ch.Indicator, ch.Year)})
			continue
		}
		seen[k] = true
		// The same judgement the store will make, on a fresh entry, so
		// that every row's own problem is reported before any is written.
		if _, _, err := Apply(ind, nil, withValue(ch), a, false, s.now()); err != nil && !apperr.Is(err, apperr.Conflict) {
			be.Rows = append(be.Rows, RowError{i, err})
		}
	}
	if len(be.Rows) > 0 {
		return &be
	}
	now := s.now()
	return s.store.ApplyDeptChanges(ctx, changes, func(cur *Entry, ch Change, locked bool) (Entry, review.Event, error) {
		ind, _ := s.cat.ByCode(ch.Indicator)
		return Apply(ind, cur, ch, a, locked, now)
	})
}

// withValue gives a pre-check of a submit without a value a placeholder,
// since the stored entry may hold one.
func withValue(ch Change) Change {
	if ch.Value == nil && ch.Action == review.Submit {
		zero := int64(0)
		ch.Value = &zero
	}
	return ch
}

// Publish locks year: from now on a change is a revision with a reason,
// decided by the city.
func (s *Service) Publish(ctx context.Context, a Actor, year int, note string) (review.Lock, error) {
	if !a.Review {
		return review.Lock{}, apperr.New(apperr.Forbidden, KeyForbidden)
	}
	return s.store.LockPeriod(ctx, review.Lock{Domain: Domain, Period: review.Period{Year: year}, LockedBy: a.UserID, LockedAt: s.now(), Note: note})
}

// History is the review history of one indicator's value of year, oldest
// first; a department sees its own indicators' only, city users every one.
func (s *Service) History(ctx context.Context, a Actor, year int, code string) ([]review.Event, error) {
	ind, ok := s.cat.ByCode(code)
	if !ok || !Departmental(ind) {
		return nil, apperr.New(apperr.NotFound, KeyUnknown, code)
	}
	if a.Department != "" && a.Department != ind.Department {
		return nil, apperr.New(apperr.Forbidden, KeyForbidden)
	}
	return s.store.ReviewEvents(ctx, Domain, code, review.Period{Year: year})
}
