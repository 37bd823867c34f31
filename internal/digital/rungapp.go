package digital

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
)

// Applications for a rung of the recognition ladder (a digital workshop, a
// smart factory tier, a future factory) go through the shared review
// workflow (internal/review): the application is the submission, a
// reviewer returns it for correction with a reason, the applicant corrects
// and resubmits, the city accepts it and the recognition is written with
// the approval's date.
//
// Two steps are not states of internal/review, and are decided here:
//   - recommend (推荐): the district's officer recommends a submitted
//     application to the city. It is an event, not a state: the
//     application stays submitted (the city may still return it), and the
//     city is the only one who approves, as the recognitions are the
//     city's (or the ministries') act, not a district's;
//   - reject: the shared machine has no rejection (a monthly report is
//     returned, never refused), but a rung application can be refused for
//     good. The city rejects a submitted or returned application with a
//     reason; AppRejected is a terminal state of this domain only.

// RungReviewDomain is the review workflow's domain of rung applications.
const RungReviewDomain review.Domain = "digital_rung"

// The steps of this domain beyond internal/review's actions.
const (
	ActionRecommend review.Action = "recommend"
	ActionReject    review.Action = "reject"
)

// AppRejected is a rejected application: closed, no recognition.
const AppRejected review.State = "rejected"

// rungActions are the steps a rung application takes, in display order.
var rungActions = []review.Action{review.Submit, ActionRecommend, review.Return, review.Accept, ActionReject}

// RungApplication is a firm's application for one rung in one year.
type RungApplication struct {
	ID           int64
	EnterpriseID int64
	Rung         Rung
	Year         int        // the recognition year applied for
	Name         string     // the workshop's or factory's name
	FutureType   FutureType // future factories only
	Evidence     string     // what the applicant offers as proof
	// Answers are the applicant's answers to the rule set's manual
	// questions, by question id; advisory for the reviewer.
	Answers   map[string]string
	AppliedOn time.Time
	State     review.State // submitted, returned, accepted or AppRejected
	Reason    string       // the last return's or the rejection's reason
	// RecommendedOn is the district's recommendation's day (zero: none
	// since the last submission).
	RecommendedOn time.Time
	DecidedOn     time.Time // approval or rejection day
	RecognitionID int64     // the recognition an approval wrote

	CreditCode string
	FirmName   string
	RegionCode string
}

// Open reports whether the application is still under review: a firm
// holds at most one open application per rung and year.
func (a RungApplication) Open() bool {
	return a.State == review.Submitted || a.State == review.Returned
}

// MaxEvidence bounds the evidence text.
const MaxEvidence = 4000

// Validate checks the application's own fields against the rules r: the
// rung must be in force on the application day, the year the application
// day's or the next, manual answers only to the rung's questions.
func (a RungApplication) Validate(r *Rules) error {
	switch {
	case !a.Rung.Valid():
		return apperr.New(apperr.Invalid, "err.digital.rung", string(a.Rung))
	case strings.TrimSpace(a.Name) == "":
		return apperr.New(apperr.Invalid, "err.digital.rungapp_name")
	case strings.TrimSpace(a.Evidence) == "" || len(a.Evidence) > MaxEvidence:
		return apperr.New(apperr.Invalid, "err.digital.rungapp_evidence", MaxEvidence)
	case a.AppliedOn.IsZero() || a.Year < a.AppliedOn.Year() || a.Year > a.AppliedOn.Year()+1:
		return apperr.New(apperr.Invalid, "err.digital.rungapp_year", a.Year)
	case (a.Rung == RungFuture) != (a.FutureType != ""):
		return apperr.New(apperr.Invalid, "err.digital.future_type")
	case a.FutureType != "" && !slices.Contains(FutureTypes, a.FutureType):
		return apperr.New(apperr.Invalid, "err.digital.future_type")
	}
	if _, ok := r.RuleSet(a.Rung, a.AppliedOn); !ok {
		return apperr.New(apperr.Invalid, "err.digital.rung_not_in_force", string(a.Rung), a.AppliedOn.Format(time.DateOnly))
	}
	v := r.Evaluate(Firm{}, a.Rung, a.AppliedOn)
	for id := range a.Answers {
		if !slices.Contains(v.Manual, id) {
			return apperr.New(apperr.Invalid, "err.digital.rungapp_question", id)
		}
	}
	return nil
}

// Recognition is the recognition an approval on day d writes.
func (a RungApplication) Recognition(d time.Time, batch string) Recognition {
	return Recognition{EnterpriseID: a.EnterpriseID, Rung: a.Rung, Name: a.Name, RecognisedOn: d, Batch: batch, FutureType: a.FutureType,
		Note: "rung application " + strconv.FormatInt(a.ID, 10), CreditCode: a.CreditCode, FirmName: a.FirmName, RegionCode: a.RegionCode}
}

// RungStep is one review step on a rung application.
type RungStep struct {
	Action review.Action
	Reason string
	Date   time.Time // the step's day: the approval's is the recognition's date
	Batch  string    // the recognising notice or batch (approval)
	// Caps are the user's capabilities on this application; City says
	// the user's scope is the city's.
	Caps review.Capability
	City bool
	// Correction replaces the evidence and answers on a resubmission
	// (nil keeps them).
	Evidence *string
	Answers  map[string]string
}

// RungOutcome is a decided step: the application after it, the review
// event's states, and on approval the recognition to write.
type RungOutcome struct {
	App         RungApplication
	From, To    review.State
	Recognition *Recognition
}

// DecideRung judges step on a with the rules r and the firm's records f
// (for the criteria at approval). Recommend: a district reviewer, once per
// submission. Accept: the city only, and refused when a data-decidable
// criterion fails on the approval day. Reject: the city, with a reason.
func DecideRung(a RungApplication, f Firm, step RungStep, r *Rules) (RungOutcome, error) {
	out := RungOutcome{App: a, From: a.State}
	if !slices.Contains(rungActions, step.Action) {
		return out, apperr.New(apperr.Invalid, "review.err.action", string(step.Action))
	}
	na := a
	na.Reason = ""
	switch step.Action {
	case ActionRecommend:
		if !step.Caps.Has(review.Review) || step.City {
			return out, apperr.New(apperr.Forbidden, "review.err.forbidden", string(step.Action))
		}
		if a.State != review.Submitted || !a.RecommendedOn.IsZero() {
			return out, apperr.New(apperr.Conflict, "review.err.transition", string(step.Action), string(a.State))
		}
		na.RecommendedOn, na.Reason = step.Date, a.Reason
		out.App, out.To = na, a.State
		return out, nil
	case ActionReject:
		if !step.Caps.Has(review.Review) || !step.City {
			return out, apperr.New(apperr.Forbidden, "review.err.forbidden", string(step.Action))
		}
		if !a.Open() {
			return out, apperr.New(apperr.Conflict, "review.err.transition", string(step.Action), string(a.State))
		}
		if step.Reason == "" {
			return out, apperr.New(apperr.Invalid, "review.err.reason")
		}
		na.State, na.Reason, na.DecidedOn = AppRejected, step.Reason, step.Date
		out.App, out.To = na, AppRejected
		return out, nil
	}
	if !a.Open() || (step.Action == review.Submit && a.State != review.Returned) {
		return out, apperr.New(apperr.Conflict, "review.err.transition", string(step.Action), string(a.State))
	}
	if step.Action == review.Accept && !step.City {
		return out, apperr.New(apperr.Forbidden, "err.digital.city_approval")
	}
	to, err := review.Apply(a.State, step.Action, step.Caps, false)
	if err != nil {
		return out, err
	}
	if review.NeedsReason(step.Action, false) && step.Reason == "" {
		return out, apperr.New(apperr.Invalid, "review.err.reason")
	}
	switch step.Action {
	case review.Return:
		na.Reason = step.Reason
	case review.Submit:
		// A corrected application is recommended afresh.
		na.RecommendedOn = time.Time{}
		if step.Evidence != nil {
			na.Evidence = *step.Evidence
		}
		if step.Answers != nil {
			na.Answers = step.Answers
		}
		if err := na.Validate(r); err != nil {
			return out, err
		}
	case review.Accept:
		if step.Date.Before(a.AppliedOn) {
			return out, apperr.New(apperr.Invalid, "err.digital.rungapp_date", step.Date.Format(time.DateOnly))
		}
		if _, ok := r.RuleSet(a.Rung, step.Date); !ok {
			return out, apperr.New(apperr.Invalid, "err.digital.rung_not_in_force", string(a.Rung), step.Date.Format(time.DateOnly))
		}
		for _, c := range r.Evaluate(f, a.Rung, step.Date).Conditions {
			if c.Status == NotMet {
				return out, apperr.New(apperr.Invalid, "err.digital.criterion_unmet", c.Metric, c.Min, *c.Value)
			}
		}
		rc := a.Recognition(step.Date, step.Batch)
		out.Recognition = &rc
		na.DecidedOn = step.Date
	}
	na.State = to
	out.App, out.To = na, to
	return out, nil
}

// RungActions lists the steps a user with caps (city or not) may take on a
// now, for the page's buttons.
func RungActions(a RungApplication, caps review.Capability, city bool) []review.Action {
	var out []review.Action
	for _, act := range rungActions {
		step := RungStep{Action: act, Caps: caps, City: city, Reason: "-", Date: a.AppliedOn}
		// Judged without the firm's records and rules: only who and from
		// which state; the criteria are checked when the step is taken.
		if rungAllowed(a, step) {
			out = append(out, act)
		}
	}
	return out
}

// rungAllowed is DecideRung's role and state checks alone.
func rungAllowed(a RungApplication, s RungStep) bool {
	switch s.Action {
	case ActionRecommend:
		return s.Caps.Has(review.Review) && !s.City && a.State == review.Submitted && a.RecommendedOn.IsZero()
	case ActionReject:
		return s.Caps.Has(review.Review) && s.City && a.Open()
	case review.Accept:
		if !s.City {
			return false
		}
	case review.Submit:
		if a.State != review.Returned {
			return false
		}
	}
	if !a.Open() {
		return false
	}
	_, err := review.Apply(a.State, s.Action, s.Caps, false)
	return err == nil
}

// RungAppQuery narrows a list of rung applications.
type RungAppQuery struct {
	RegionCode   string
	EnterpriseID int64
	State        review.State // any when empty
	Year         int          // any when zero
}
