package digital

import (
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/unit"
)

// A project's application is reviewed on the shared workflow
// (internal/review): the application is the submission, a reviewer returns
// it for correction with a reason or approves it, the applicant corrects
// and resubmits. Approval is the review's accept: it appends the approved
// event at the level the investment threshold in force on the application
// day names, so a district officer cannot accept a city-level project.
// Every step is a review event (domain ReviewDomain, subject the project
// id, period the application year).

// ReviewDomain is the review workflow's domain of project applications.
const ReviewDomain review.Domain = "digital_project"

// ReviewState is where the project's application stands in the review. A
// project without a stored state (history loaded in bulk, or written
// before reviews) is submitted while its history stops at the application
// and accepted once anything follows it.
func (p Project) ReviewState() review.State {
	if p.Review != "" {
		return p.Review
	}
	if n := len(p.Events); n > 0 && p.Events[n-1].Stage == StageApplied {
		return review.Submitted
	}
	return review.Accepted
}

// Correction is what an applicant may change when resubmitting a returned
// application; nil fields stay.
type Correction struct {
	Name      *string
	Planned   *unit.Fen
	Scenarios []string // nil keeps the scenarios
}

// ReviewStep is one review action on a project.
type ReviewStep struct {
	Action review.Action
	Reason string
	Date   time.Time // the approval's date (accept)
	// Caps are the user's capabilities on this project (Fill: the firm or
	// an official entering on its behalf; Review: an official whose scope
	// covers it); City says the user's scope is the city's.
	Caps       review.Capability
	City       bool
	Correction *Correction
}

// ReviewOutcome is a decided step: the project after it, the stage event it
// appends (nil when none) and the review event's states.
type ReviewOutcome struct {
	Project  Project
	Event    *Event
	From, To review.State
}

// reviewActions are the actions a project application takes: no draft
// (an application is entered whole) and no record (an import records).
var reviewActions = []review.Action{review.Submit, review.Return, review.Accept}

// DecideReview judges step on p with the rules r: the review's state
// machine and capabilities first, then the project's own rules (a resubmit
// only answers a return; approval at the level of the threshold in force
// on the application day, within the user's reach; the corrected project
// and the approved history must still be valid).
func DecideReview(p Project, step ReviewStep, r *Rules) (ReviewOutcome, error) {
	from := p.ReviewState()
	out := ReviewOutcome{Project: p, From: from}
	known := false
	for _, a := range reviewActions {
		known = known || a == step.Action
	}
	if !known {
		return out, apperr.New(apperr.Invalid, "review.err.action", string(step.Action))
	}
	if p.Current().Stage != StageApplied || (step.Action == review.Submit && from != review.Returned) {
		// The review is over once anything follows the application.
		return out, apperr.New(apperr.Conflict, "review.err.transition", string(step.Action), string(from))
	}
	to, err := review.Apply(from, step.Action, step.Caps, false)
	if err != nil {
		return out, err
	}
	if review.NeedsReason(step.Action, false) && step.Reason == "" {
		return out, apperr.New(apperr.Invalid, "review.err.reason")
	}
	np := p
	switch step.Action {
	case review.Submit:
		if c := step.Correction; c != nil {
			if c.Name != nil {
				np.Name = *c.Name
			}
			if c.Planned != nil {
				np.Planned = *c.Planned
			}
			if c.Scenarios != nil {
				np.Scenarios = c.Scenarios
			}
		}
		if err := np.Validate(r); err != nil {
			return out, err
		}
	case review.Accept:
		level := r.LevelFor(np.Planned, np.AppliedOn())
		if level == LevelCity && !step.City {
			return out, apperr.New(apperr.Forbidden, "err.digital.city_approval")
		}
		ev := Event{Stage: StageApproved, Date: step.Date, Level: level, Note: step.Reason}
		if np, err = np.Append(ev, r); err != nil {
			return out, err
		}
		out.Event = &ev
	}
	np.Review = to
	np.ReviewReason = ""
	if step.Action == review.Return {
		np.ReviewReason = step.Reason
	}
	out.Project, out.To = np, to
	return out, nil
}

// ReviewActions lists the actions a user with caps may take on p now, for
// the page's buttons.
func ReviewActions(p Project, caps review.Capability) []review.Action {
	from := p.ReviewState()
	var out []review.Action
	if p.Current().Stage != StageApplied {
		return nil
	}
	for _, a := range reviewActions {
		if a == review.Submit && from != review.Returned {
			continue
		}
		if _, err := review.Apply(from, a, caps, false); err == nil {
			out = append(out, a)
		}
	}
	return out
}
