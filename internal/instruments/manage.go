package instruments

import (
	"context"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// What the management pages read (issue 9): the instruments whose rules
// a caller may edit, and the qualifications at their unit with the day
// each lapses.

// ManagedInstruments lists the instruments whose rules the actor may
// edit, with the unit they are listed for: the operator a chosen unit's
// (unitID; none when 0), a unit's administrator every instrument of the
// unit, a manager those assigned to them.
func (s *Service) ManagedInstruments(ctx context.Context, a Actor, unitID int64) (int64, []Detail, error) {
	switch {
	case a.Operator:
		if unitID <= 0 {
			return 0, nil, nil
		}
	case a.UnitAdmin || a.Manager:
		m, err := s.store.SharingMember(ctx, a.UserID)
		if apperr.Is(err, apperr.NotFound) {
			return 0, nil, apperr.New(apperr.Forbidden, "instruments.err.no_member")
		}
		if err != nil {
			return 0, nil, err
		}
		unitID = m.UnitID
	default:
		return 0, nil, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	ds, err := s.store.UnitInstruments(ctx, unitID)
	if err != nil || a.Operator || a.UnitAdmin {
		return unitID, ds, err
	}
	// A manager: the unit's instruments they are assigned to, from one
	// read of their assignments (a unit may hold a thousand instruments).
	ids, err := s.store.ManagedInstrumentIDs(ctx, a.UserID)
	if err != nil {
		return 0, nil, err
	}
	mine := make(map[int64]bool, len(ids))
	for _, id := range ids {
		mine[id] = true
	}
	var out []Detail
	for _, d := range ds {
		if mine[d.ID] {
			out = append(out, d)
		}
	}
	return unitID, out, nil
}

// ManagedInstrument reads an instrument whose rules the actor may edit
// (Forbidden otherwise).
func (s *Service) ManagedInstrument(ctx context.Context, a Actor, id int64) (Detail, error) {
	return s.managed(ctx, a, id)
}

// QualificationStatus is a qualification with the day it lapses under
// the rules of what it covers: with qualification_idle_days the later of
// its stored expiry and the last completed use plus the idle days.
type QualificationStatus struct {
	Qualification
	IdleDays  int    // the covering rules' qualification_idle_days (0: a fixed expiry)
	LastUse   string // YYYY-MM-DD of the last completed use ("" when none or not looked up)
	LastValid string // the last valid day
	Valid     bool   // valid today
}

// QualificationStatuses lists the qualifications granted at the actor's
// unit (the operator: every one) with the day each lapses.
func (s *Service) QualificationStatuses(ctx context.Context, a Actor) ([]QualificationStatus, error) {
	qs, err := s.Qualifications(ctx, a, true)
	if err != nil {
		return nil, err
	}
	today := s.now().In(Zone).Format(time.DateOnly)
	type scope struct{ instrument, unit int64 }
	idleOf := map[scope]int{} // each instrument's or unit's rules read once
	idle := func(q Qualification) (int, error) {
		key := scope{q.InstrumentID, q.UnitID}
		if v, ok := idleOf[key]; ok {
			return v, nil
		}
		var r Rules
		var err error
		if q.InstrumentID != 0 {
			d, err := s.store.InstrumentDetail(ctx, q.InstrumentID)
			if err != nil {
				return 0, err
			}
			r = d.Rules
		} else if r, err = s.UnitRules(ctx, q.UnitID); err != nil {
			return 0, err
		}
		idleOf[key] = r.QualificationIdleDays
		return r.QualificationIdleDays, nil
	}
	out := make([]QualificationStatus, 0, len(qs))
	for _, q := range qs {
		st := QualificationStatus{Qualification: q, LastValid: q.ExpiresOn}
		if !q.Revoked {
			if st.IdleDays, err = idle(q); err != nil {
				return nil, err
			}
			if st.IdleDays > 0 {
				if st.LastUse, err = s.store.LastUse(ctx, q.UserID, q); err != nil {
					return nil, err
				}
				st.LastValid = q.LastValidDay(st.IdleDays, st.LastUse)
			}
		}
		st.Valid = !q.Revoked && q.GrantedOn <= today && today <= st.LastValid
		out = append(out, st)
	}
	return out, nil
}

// Units lists the platform's sharing units (the operator's choice of
// unit on the management pages).
func (s *Service) Units(ctx context.Context) ([]Unit, error) {
	return s.store.Units(ctx)
}
