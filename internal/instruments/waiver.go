package instruments

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// Waiving a violation (issue 9 item 3): the unit's administrator or the
// platform operator takes a recorded no-show out of the count with a
// reason (the route is audited, and the row keeps who, when and why).
// A suspension is the count reaching the limit, so it lifts by itself
// once a waiver brings the count below it.

// WaiverStore is the storage of violations' waivers.
type WaiverStore interface {
	Violation(ctx context.Context, id int64) (Violation, error)
	// ViolationList lists violations, newest first: a user's (userID),
	// a unit's (unitID), or both filters together; waived ones included.
	ViolationList(ctx context.Context, userID, unitID int64) ([]Violation, error)
	// WaiveViolation records a waiver of a violation not yet waived
	// (Conflict when it is).
	WaiveViolation(ctx context.Context, id, by int64, at time.Time, reason string) (Violation, error)
}

// Waiver fields of a violation.
type Waiver struct {
	WaivedBy    int64
	WaivedAt    time.Time
	WaiveReason string
}

// WaiveViolation waives a violation with a reason: the administrator of
// the unit it was recorded at, or the operator.
func (s *Service) WaiveViolation(ctx context.Context, a Actor, id int64, reason string) (Violation, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReplyRunes {
		return Violation{}, apperr.New(apperr.Invalid, "instruments.err.waive_reason")
	}
	v, err := s.store.Violation(ctx, id)
	if err != nil {
		return v, err
	}
	if _, err := s.importUnit(ctx, a, v.UnitID); err != nil {
		return Violation{}, err
	}
	return s.store.WaiveViolation(ctx, id, a.UserID, s.now(), reason)
}

// ViolationsOf lists violations: the operator's every one (or one
// user's), a unit administrator's those at their unit, anyone else their
// own.
func (s *Service) ViolationsOf(ctx context.Context, a Actor, userID int64) ([]Violation, error) {
	switch {
	case a.Operator:
		return s.store.ViolationList(ctx, userID, 0)
	case a.UnitAdmin:
		unitID, err := s.importUnit(ctx, a, 0)
		if err != nil {
			return nil, err
		}
		return s.store.ViolationList(ctx, userID, unitID)
	}
	return s.store.ViolationList(ctx, a.UserID, 0)
}
