package instruments

import (
	"context"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// OpsStore is the storage of the booking rules' data: unit defaults,
// qualifications, maintenance windows and the bookings they hit,
// violations, bulk imports and the instruments' files.
type OpsStore interface {
	// UnitRules returns a unit's default rules (ok false when it has
	// none of its own).
	UnitRules(ctx context.Context, unitID int64) (r Rules, ok bool, err error)
	PutUnitRules(ctx context.Context, unitID int64, r Rules) error
	PutQualification(ctx context.Context, q Qualification) (Qualification, error)
	RevokeQualification(ctx context.Context, id int64) (Qualification, error)
	Qualification(ctx context.Context, id int64) (Qualification, error)
	// LastUse is the local day (YYYY-MM-DD) of the user's last completed
	// use of an instrument q covers ("" when none).
	LastUse(ctx context.Context, userID int64, q Qualification) (string, error)
	// Qualifications lists a user's qualifications (userID), or those
	// granted at a unit (unitID), newest first.
	Qualifications(ctx context.Context, userID, unitID int64) ([]Qualification, error)
	// AddWindow adds a maintenance or outage window to an instrument's
	// rules and, in the same transaction, flags the live slotted orders
	// it overlaps and writes an order event ("window_hit") for each. It
	// returns the orders hit.
	AddWindow(ctx context.Context, instrumentID, actorID int64, w Window) ([]Order, error)
	// Violations counts a user's violations at a unit since a time,
	// waived ones not.
	Violations(ctx context.Context, userID, unitID int64, since time.Time) (int, error)
	WaiverStore
	ImportStore
	FileStore
}

// EventWindowHit is the kind of the order event a maintenance or outage
// window writes on each booking it overlaps (the notifications read
// order events).
const EventWindowHit = "window_hit"

// UnitRules are the default rules of a unit's new instruments: its own
// when it set them, else the platform's in force today.
func (s *Service) UnitRules(ctx context.Context, unitID int64) (Rules, error) {
	r, ok, err := s.store.UnitRules(ctx, unitID)
	if err != nil || ok {
		return r, err
	}
	return PlatformRulesOn(s.now().In(Zone).Format(time.DateOnly))
}

// PutUnitRules sets a unit's default rules: its administrator or the
// operator. Instruments already enrolled keep theirs.
func (s *Service) PutUnitRules(ctx context.Context, a Actor, unitID int64, r Rules) error {
	id, err := s.importUnit(ctx, a, unitID)
	if err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return s.store.PutUnitRules(ctx, id, r)
}

// SetRules replaces an instrument's rules (its managers, its unit's
// administrator). Orders already placed keep their frozen terms.
func (s *Service) SetRules(ctx context.Context, a Actor, id int64, r Rules) (Instrument, error) {
	if _, err := s.managed(ctx, a, id); err != nil {
		return Instrument{}, err
	}
	if err := r.Validate(); err != nil {
		return Instrument{}, err
	}
	return s.store.UpdateInstrument(ctx, id, func(in Instrument) (Instrument, error) {
		in.Rules = r
		return in, nil
	})
}

// managed reads an instrument the actor manages (Forbidden otherwise).
func (s *Service) managed(ctx context.Context, a Actor, id int64) (Detail, error) {
	d, err := s.store.InstrumentDetail(ctx, id)
	if err != nil {
		return d, err
	}
	ok, err := s.manages(ctx, a, d)
	if err != nil {
		return d, err
	}
	if !ok && !a.Operator {
		return d, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	return d, nil
}

// AddWindow blocks a maintenance or outage window on an instrument (its
// managers). New bookings cannot overlap it; the live bookings it hits
// are flagged and each gets an order event, which notifications pick up;
// the manager then voids or moves them (voiding costs the customer
// nothing).
func (s *Service) AddWindow(ctx context.Context, a Actor, id int64, w Window) ([]Order, error) {
	if _, err := s.managed(ctx, a, id); err != nil {
		return nil, err
	}
	if w.Kind == "" {
		w.Kind = WindowMaintenance
	}
	w.Note = strings.TrimSpace(w.Note)
	w.Start, w.End = w.Start.UTC(), w.End.UTC()
	if (w.Kind != WindowMaintenance && w.Kind != WindowOutage) || !w.End.After(w.Start) {
		return nil, apperr.New(apperr.Invalid, "instruments.err.window")
	}
	return s.store.AddWindow(ctx, id, a.UserID, w)
}

// GrantQualification records a user's qualification: for one instrument
// (its managers) or for a class at the unit (the unit's administrator).
// Without an expiry it lasts the instrument's (or the unit's default)
// QualificationDays from today.
func (s *Service) GrantQualification(ctx context.Context, a Actor, q Qualification) (Qualification, error) {
	today := s.now().In(Zone).Format(time.DateOnly)
	var days int
	if q.InstrumentID != 0 {
		d, err := s.managed(ctx, a, q.InstrumentID)
		if err != nil {
			return q, err
		}
		q.UnitID, q.ClassCode, days = d.UnitID, "", d.Rules.QualificationDays
		if d.Rules.QualificationIdleDays > 0 {
			// Never used, it lapses the idle period after the grant.
			days = d.Rules.QualificationIdleDays
		}
	} else {
		if !a.UnitAdmin && !a.Operator {
			return q, apperr.New(apperr.Forbidden, "api.err.forbidden")
		}
		unitID, err := s.importUnit(ctx, a, q.UnitID)
		if err != nil {
			return q, err
		}
		cs, err := Classes()
		if err != nil {
			return q, err
		}
		if _, ok := ClassByCode(cs, q.ClassCode); !ok {
			return q, apperr.New(apperr.Invalid, "instruments.err.class", q.ClassCode)
		}
		r, err := s.UnitRules(ctx, unitID)
		if err != nil {
			return q, err
		}
		q.UnitID, days = unitID, r.QualificationDays
		if r.QualificationIdleDays > 0 {
			days = r.QualificationIdleDays
		}
	}
	if q.UserID <= 0 {
		return q, apperr.New(apperr.Invalid, "instruments.err.qualification_user")
	}
	q.GrantedOn, q.GrantedBy, q.Revoked = today, a.UserID, false
	if q.ExpiresOn == "" {
		if days <= 0 {
			days = DefaultViolationDays
		}
		q.ExpiresOn = s.now().In(Zone).AddDate(0, 0, days).Format(time.DateOnly)
	}
	if _, err := time.Parse(time.DateOnly, q.ExpiresOn); err != nil || q.ExpiresOn < today {
		return q, apperr.New(apperr.Invalid, "instruments.err.qualification_expiry")
	}
	return s.store.PutQualification(ctx, q)
}

// RevokeQualification ends a qualification early (whoever may grant it).
func (s *Service) RevokeQualification(ctx context.Context, a Actor, id int64) (Qualification, error) {
	q, err := s.store.Qualification(ctx, id)
	if err != nil {
		return q, err
	}
	if q.InstrumentID != 0 {
		if _, err := s.managed(ctx, a, q.InstrumentID); err != nil {
			return q, err
		}
	} else if _, err := s.importUnit(ctx, a, q.UnitID); err != nil {
		return q, err
	}
	return s.store.RevokeQualification(ctx, id)
}

// Qualifications lists the caller's own qualifications, or for a unit's
// administrator or manager (unit true) those granted at their unit.
func (s *Service) Qualifications(ctx context.Context, a Actor, unit bool) ([]Qualification, error) {
	if !unit {
		return s.store.Qualifications(ctx, a.UserID, 0)
	}
	if a.Operator {
		return s.store.Qualifications(ctx, 0, 0)
	}
	if !a.UnitAdmin && !a.Manager {
		return nil, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	m, err := s.store.SharingMember(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	return s.store.Qualifications(ctx, 0, m.UnitID)
}

// checkSuspension refuses a user with too many violations at the
// instrument's unit in the rules' period.
func (s *Service) checkSuspension(ctx context.Context, r bookingReads, d Detail, now time.Time) error {
	if d.Rules.MaxViolations <= 0 {
		return nil
	}
	n, err := r.violations(ctx, d.UnitID, d.Rules.ViolationSince(now))
	if err != nil {
		return err
	}
	return d.Rules.CheckViolations(n)
}

// admit applies the qualification rule and the approval mode to a new
// order: the state it starts in. The qualification must be valid on the
// slot's day (today for samples).
func (s *Service) admit(ctx context.Context, a Actor, r bookingReads, d Detail, item ServiceItem, o Order, now time.Time) (OrderState, error) {
	need := d.Rules.NeedsQualification(item.Mode)
	if !need && d.Rules.Approval != ApproveQualified {
		return d.Rules.InitialState(false), nil
	}
	day := now.In(Zone).Format(time.DateOnly)
	if !o.Start.IsZero() {
		day = o.Start.In(Zone).Format(time.DateOnly)
	}
	qs, err := r.qualifications(ctx)
	if err != nil {
		return "", err
	}
	ok := Qualified(qs, d.Instrument, day)
	if idle := d.Rules.QualificationIdleDays; !ok && idle > 0 {
		// Under "lapse after last use" each use moves the expiry on.
		for _, q := range qs {
			if !q.Scope(d.Instrument) || q.GrantedOn > day {
				continue
			}
			last, err := s.store.LastUse(ctx, a.UserID, q)
			if err != nil {
				return "", err
			}
			if q.LastValidDay(idle, last) >= day {
				ok = true
				break
			}
		}
	}
	if need && !ok {
		return "", apperr.New(apperr.Forbidden, "instruments.err.qualification")
	}
	return d.Rules.InitialState(ok), nil
}

// Manages reports whether the actor manages the instrument: one of its
// managers or its unit's administrator.
func (s *Service) Manages(ctx context.Context, a Actor, d Detail) (bool, error) {
	return s.manages(ctx, a, d)
}
