package digital

import (
	"context"
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/review"
)

// ApplyRung files an application for a rung: a firm for itself or an
// official for a firm in scope (the store refuses one outside it).
func (s *Service) ApplyRung(ctx context.Context, sc auth.Scope, a RungApplication, by string, actor int64) (RungApplication, error) {
	if err := a.Validate(s.rules); err != nil {
		return a, err
	}
	a.State = review.Submitted
	return s.store.CreateDigitalRungApplication(ctx, sc, a, WriteOptions{Rules: s.rules, By: by, ActorID: actor, ExpectEvents: -1})
}

// RungApplications lists the applications in scope, newest first.
func (s *Service) RungApplications(ctx context.Context, sc auth.Scope, q RungAppQuery) ([]RungApplication, error) {
	if err := CheckRegion(sc, q.RegionCode); err != nil {
		return nil, err
	}
	return s.store.DigitalRungApplications(ctx, sc, q)
}

// RungDetail is an application with what its reviewer sees: the rule
// engine's verdict for the firm and rung on the application day
// (criteria met / not met / unknown, the manual questions advisory) and
// the review history.
type RungDetail struct {
	App     RungApplication
	Verdict Verdict
	History []review.Event
}

// RungApplication returns one application in scope with its verdict and
// history.
func (s *Service) RungApplication(ctx context.Context, sc auth.Scope, id int64) (RungDetail, error) {
	a, err := s.store.DigitalRungApplication(ctx, sc, id)
	if err != nil {
		return RungDetail{}, err
	}
	f := Firm{EnterpriseID: a.EnterpriseID}
	rf := RecordFilter{EnterpriseID: a.EnterpriseID}
	if f.Maturity, err = s.store.DigitalMaturity(ctx, sc, rf); err != nil {
		return RungDetail{}, err
	}
	if f.Recognitions, err = s.store.DigitalRecognitions(ctx, sc, rf); err != nil {
		return RungDetail{}, err
	}
	d := RungDetail{App: a, Verdict: s.rules.Evaluate(f, a.Rung, a.AppliedOn)}
	d.History, err = s.store.ReviewEvents(ctx, RungReviewDomain, strconv.FormatInt(id, 10), review.Period{})
	return d, err
}

// ReviewRung takes a step on an application; step.Caps and step.City are
// the caller's.
func (s *Service) ReviewRung(ctx context.Context, sc auth.Scope, id int64, step RungStep, by string, actor int64) (RungApplication, error) {
	return s.store.ReviewDigitalRungApplication(ctx, sc, id, step, WriteOptions{Rules: s.rules, By: by, ActorID: actor, ExpectEvents: -1})
}
