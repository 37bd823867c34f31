package reporting

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/review"
)

// Sources of a submission.
const (
	SourceWeb  = "web"
	SourceFile = "file"
	SourceAPI  = "api"
)

// Key names one firm's report of one month.
type Key struct {
	EnterpriseID int64
	Period       report.Period
}

// Submission is a firm's working copy of one month's report and where it
// stands in review. The accepted data itself is monthly_report.
type Submission struct {
	EnterpriseID int64         `json:"enterprise_id"`
	Period       report.Period `json:"-"`
	State        review.State  `json:"state"`
	Revision     bool          `json:"revision"` // of a locked (published) period
	Source       string        `json:"source"`
	Values       report.Values `json:"-"`
	Findings     []Finding     `json:"findings"`
	RulesVersion string        `json:"rules_version"`
	Note         string        `json:"note"` // the submitter's note; a revision's reason
	ReturnReason string        `json:"return_reason"`
	UpdatedBy    int64         `json:"updated_by"`
	UpdatedAt    time.Time     `json:"updated_at"`
	SubmittedBy  int64         `json:"submitted_by"`
	SubmittedAt  time.Time     `json:"submitted_at"`
	ReviewedBy   int64         `json:"reviewed_by"`
	ReviewedAt   time.Time     `json:"reviewed_at"`
	// Set by a decision, not stored: the accepted data was equal to the
	// new values (nothing written) or held other values (overwritten,
	// with both kept in the history).
	Unchanged bool `json:"-"`
	Replaced  bool `json:"-"`
}

// Firm is the identity of a reporting firm.
type Firm struct {
	ID         int64
	CreditCode string
	Name       string
	RegionCode string
}

// Current is everything a decision on one submission reads, as stored at
// the moment of the decision (inside the write transaction).
type Current struct {
	Firm       Firm
	Submission Submission     // State review.Missing when there is none
	Accepted   *report.Values // the accepted values of the period, if any
	History    History
	Locked     bool
}

// Change is what a decision writes: the new submission, its history event
// and, when the values become accepted, the write to the accepted data.
type Change struct {
	Submission    Submission
	Event         review.Event
	WriteAccepted bool
	Skip          bool // nothing to write
}

// Actor is the user acting, with the reporting permissions the user's
// role grants. The data scope is checked by the store: a firm outside it
// is not found.
type Actor struct {
	UserID       int64
	EnterpriseID int64 // an enterprise user's own firm
	CanFill      bool  // reporting.fill: fill the own firm's report
	CanReview    bool  // reporting.review: review firms in scope
	CanPublish   bool  // reporting.publish: lock periods, decide revisions
}

// Caps returns the capabilities of the actor on one firm's submission in
// scope.
func (a Actor) Caps(firmID int64) review.Capability {
	var c review.Capability
	if a.CanFill && a.EnterpriseID != 0 && a.EnterpriseID == firmID {
		c |= review.Fill
	}
	if a.CanReview {
		c |= review.Review
	}
	if a.CanPublish {
		c |= review.Publish
	}
	return c
}

// Request is one action on one submission.
type Request struct {
	Key          Key
	Action       review.Action
	Values       *report.Values    // for save, submit, record; nil keeps the stored values
	Explanations map[string]string // warning key → explanation
	Reason       string            // a return's reason; a revision's reason
	Source       string
	// WarningsToReview: on a record (a reviewer's import), rows with
	// unexplained warnings are submitted for review instead of accepted.
	WarningsToReview bool
	// DraftOnWarnings: on a submit (an enterprise's import), rows with
	// unexplained warnings are kept as drafts for the firm to explain
	// instead of refusing the file.
	DraftOnWarnings bool
}

// Decide applies one request to the stored state: the state machine, the
// rules, and the reasons the workflow requires. It is pure; the store
// runs it inside the write transaction.
func Decide(rules RuleSet, a Actor, cur Current, req Request, now time.Time) (Change, error) {
	sub := cur.Submission
	from := sub.State
	if from == "" {
		from = review.Missing
	}
	action := req.Action
	reason := strings.TrimSpace(req.Reason)
	if action == review.Return && reason == "" {
		return Change{}, apperr.New(apperr.Invalid, "review.err.reason")
	}
	if action == review.Submit && cur.Locked && reason == "" {
		// A change to a published period is a revision request: it says why.
		return Change{}, apperr.New(apperr.Invalid, "reporting.err.revision_reason", req.Key.Period.String())
	}
	caps := a.Caps(cur.Firm.ID)
	to, err := review.Apply(from, action, caps, cur.Locked)
	if err != nil {
		return Change{}, err
	}
	if from == review.Missing {
		sub = Submission{EnterpriseID: cur.Firm.ID, Period: req.Key.Period}
		if cur.Accepted != nil {
			sub.Values = *cur.Accepted
		}
	}
	if req.Values != nil {
		sub.Values = *req.Values
	}
	if req.Source != "" {
		sub.Source = req.Source
	}
	if sub.Source == "" {
		sub.Source = SourceWeb
	}
	sub.Findings = rules.Evaluate(req.Key.Period, sub.Values, cur.History)
	sub.RulesVersion = rules.Version
	expl := req.Explanations
	if expl == nil {
		expl = map[string]string{}
		for _, f := range cur.Submission.Findings { // keep earlier explanations
			if f.Explain != "" {
				expl[f.Key] = f.Explain
			}
		}
	}
	for k, v := range expl {
		expl[k] = strings.TrimSpace(v)
	}
	Explain(sub.Findings, expl)
	switch action {
	case review.Submit, review.Accept, review.Record:
		if Blocking(sub.Findings) {
			return Change{}, &RuleError{Key: req.Key, Firm: cur.Firm, Findings: sub.Findings}
		}
	}
	if action == review.Submit {
		if u := Unexplained(sub.Findings); len(u) > 0 {
			if !req.DraftOnWarnings {
				return Change{}, &RuleError{Key: req.Key, Firm: cur.Firm, Findings: sub.Findings, Unexplained: u}
			}
			to = review.Draft
		}
	}
	if action == review.Record && req.WarningsToReview && len(Unexplained(sub.Findings)) > 0 {
		to = review.Submitted // listed for review instead of accepted
	}
	if action == review.Accept && sub.Revision && reason == "" {
		reason = sub.Note // the history of a revision says why it was made
	}
	ev := review.Event{Domain: review.MonthlyReport, Subject: subject(cur.Firm.ID), Period: review.Period{Year: req.Key.Period.Year, Month: req.Key.Period.Month},
		Action: action, From: from, To: to, Revision: cur.Locked, ActorID: a.UserID, At: now, Reason: reason}
	sub.State = to
	sub.UpdatedBy, sub.UpdatedAt = a.UserID, now
	switch action {
	case review.Save, review.Submit:
		sub.Revision = cur.Locked
		sub.ReturnReason = ""
		if action == review.Submit {
			sub.SubmittedBy, sub.SubmittedAt = a.UserID, now
		}
		if reason != "" || action == review.Submit {
			sub.Note = reason
		}
	case review.Return:
		sub.ReturnReason = reason
		sub.ReviewedBy, sub.ReviewedAt = a.UserID, now
	case review.Accept, review.Record:
		sub.ReviewedBy, sub.ReviewedAt = a.UserID, now
		if action == review.Record {
			sub.SubmittedBy, sub.SubmittedAt = a.UserID, now
			sub.Revision = false
		}
		if reason != "" {
			sub.Note = reason
		}
	}
	ch := Change{Submission: sub, Event: ev, WriteAccepted: to == review.Accepted}
	if ch.WriteAccepted && action == review.Record && cur.Accepted != nil && *cur.Accepted == sub.Values && (from == review.Missing || from == review.Accepted) {
		// A repeated import of accepted data changes nothing.
		ch.Submission.Unchanged, ch.Skip = true, true
		return ch, nil
	}
	if ch.WriteAccepted {
		ch.Submission.Replaced = cur.Accepted != nil && *cur.Accepted != sub.Values
		// Overwriting accepted data is visible: the event keeps the old
		// and the new values.
		ev.NewValues = valuesJSON(sub.Values)
		if cur.Accepted != nil {
			ev.OldValues = valuesJSON(*cur.Accepted)
		}
		ch.Event = ev
	}
	return ch, nil
}

// subject is a firm's key in the shared review history.
func subject(id int64) string { return strconvI(id) }

// RuleError is a report the rules refuse: hard findings, or warnings left
// unexplained on a submission.
type RuleError struct {
	Key         Key
	Firm        Firm
	Findings    []Finding
	Unexplained []string
}

func (e *RuleError) Error() string {
	return "reporting: report of " + strconvI(e.Key.EnterpriseID) + " for " + e.Key.Period.String() + " refused by the rules"
}

// AppErr is the typed error the HTTP layer maps (422-class invalid).
func (e *RuleError) AppErr() *apperr.Error {
	if len(e.Unexplained) > 0 && !Blocking(e.Findings) {
		return apperr.Wrap(e, apperr.Invalid, "reporting.err.unexplained", e.Firm.CreditCode, e.Key.Period.String(), strings.Join(e.Unexplained, ", "))
	}
	var keys []string
	for _, f := range e.Findings {
		if f.Severity == Error {
			keys = append(keys, f.Key)
		}
	}
	return apperr.Wrap(e, apperr.Invalid, "reporting.err.rules", e.Firm.CreditCode, e.Key.Period.String(), strings.Join(keys, ", "))
}

// ValuesMap renders values as {field code: file-unit decimal}.
func ValuesMap(v report.Values) map[string]string {
	out := make(map[string]string, len(v))
	for _, f := range report.Fields {
		out[f.Code] = fv(f.Field, v[f.Field])
	}
	return out
}

func valuesJSON(v report.Values) string {
	b, _ := json.Marshal(ValuesMap(v))
	return string(b)
}

func strconvI(v int64) string { return strconv.FormatInt(v, 10) }
