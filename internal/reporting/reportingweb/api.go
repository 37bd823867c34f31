package reportingweb

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/reporting"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// maxBody bounds a request body: nine values, explanations and a reason.
const maxBody = 64 << 10

// apiFinding is one rule finding with its text in the request's language.
type apiFinding struct {
	Key         string `json:"key"`
	Rule        string `json:"rule"`
	Severity    string `json:"severity"`
	Field       string `json:"field"`
	Text        string `json:"text"`
	Explanation string `json:"explanation"`
}

// apiEvent is one step of the history.
type apiEvent struct {
	Action    string `json:"action"`
	From      string `json:"from"`
	To        string `json:"to"`
	Revision  bool   `json:"revision"`
	ActorID   int64  `json:"actor_id"`
	At        string `json:"at"`
	Reason    string `json:"reason"`
	OldValues string `json:"old_values"`
	NewValues string `json:"new_values"`
}

// apiForm is a firm's report of one period.
type apiForm struct {
	EnterpriseID int64             `json:"enterprise_id"`
	CreditCode   string            `json:"credit_code"`
	Name         string            `json:"name"`
	Region       string            `json:"region"`
	Period       string            `json:"period"`
	State        string            `json:"state"`
	Revision     bool              `json:"revision"`
	Locked       bool              `json:"locked"`
	Deadline     string            `json:"deadline"`
	Late         bool              `json:"late"`
	Values       map[string]string `json:"values"`
	Accepted     map[string]string `json:"accepted,omitempty"`
	PrevMonth    map[string]string `json:"prev_month,omitempty"`
	LastYear     map[string]string `json:"last_year,omitempty"`
	Findings     []apiFinding      `json:"findings"`
	RulesVersion string            `json:"rules_version"`
	Note         string            `json:"note"`
	ReturnReason string            `json:"return_reason"`
	Actions      []string          `json:"actions"`
	History      []apiEvent        `json:"history"`
}

func findings(lang string, fs []reporting.Finding) []apiFinding {
	out := []apiFinding{}
	for _, f := range fs {
		out = append(out, apiFinding{Key: f.Key, Rule: f.Rule, Severity: string(f.Severity), Field: f.Field, Text: f.Text(lang), Explanation: f.Explain})
	}
	return out
}

func valuesOrNil(v *report.Values) map[string]string {
	if v == nil {
		return nil
	}
	return reporting.ValuesMap(*v)
}

func toAPIForm(lang string, f reporting.Form) apiForm {
	out := apiForm{EnterpriseID: f.Firm.ID, CreditCode: f.Firm.CreditCode, Name: f.Firm.Name, Region: f.Firm.RegionCode, Period: f.Period.String(),
		State: string(f.Submission.State), Revision: f.Submission.Revision, Locked: f.Locked, Deadline: f.Deadline.Format("2006-01-02"), Late: f.Late,
		Values: reporting.ValuesMap(f.Submission.Values), Accepted: valuesOrNil(f.Accepted), PrevMonth: valuesOrNil(f.Prev), LastYear: valuesOrNil(f.LastYear),
		Findings: findings(lang, f.Submission.Findings), RulesVersion: f.Submission.RulesVersion, Note: f.Submission.Note, ReturnReason: f.Submission.ReturnReason,
		Actions: []string{}, History: []apiEvent{}}
	// The deadline is the end of the due day (the stored instant is the
	// next midnight, UTC+8).
	out.Deadline = f.Deadline.AddDate(0, 0, -1).Format("2006-01-02")
	for _, a := range f.Actions {
		out.Actions = append(out.Actions, string(a))
	}
	for _, e := range f.History {
		out.History = append(out.History, apiEvent{Action: string(e.Action), From: string(e.From), To: string(e.To), Revision: e.Revision, ActorID: e.ActorID,
			At: e.At.Format("2006-01-02T15:04:05Z"), Reason: e.Reason, OldValues: e.OldValues, NewValues: e.NewValues})
	}
	return out
}

// key reads {id} and {period}.
func key(r *http.Request) (reporting.Key, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return reporting.Key{}, web.BadParam("id", "not an enterprise id")
	}
	p, err := report.ParsePeriod(r.PathValue("period"))
	if err != nil {
		return reporting.Key{}, apperr.Wrap(err, apperr.Invalid, "err.period", r.PathValue("period"))
	}
	return reporting.Key{EnterpriseID: id, Period: p}, nil
}

func (m *module) form(r *http.Request, c web.Ctx) (reporting.Form, error) {
	k, err := key(r)
	if err != nil {
		return reporting.Form{}, err
	}
	return m.svc.Form(r.Context(), c.Scope(), reporting.ActorFor(c.User, c.Can), k)
}

// apiForm is GET /api/v1/reporting/firms/{id}/{period}.
func (m *module) apiForm(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	f, err := m.form(r, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIForm(c.Lang, f))
	return nil
}

// actionBody is the body of the submission and review routes. Values are
// exact decimals in the file units (万元, tce, persons).
type actionBody struct {
	Action       string            `json:"action"`
	Values       map[string]string `json:"values"`
	Explanations map[string]string `json:"explanations"`
	Reason       string            `json:"reason"`
}

func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return web.DecodeJSON(w, r, v, maxBody)
}

// parseValues reads every field; a value that does not fit (the int64
// limit) or is not a decimal is a 400 naming the field.
func parseValues(in map[string]string) (*report.Values, error) {
	if in == nil {
		return nil, nil
	}
	var v report.Values
	for code := range in {
		if _, ok := reporting.FieldByCode(code); !ok {
			return nil, web.BadParam("values."+code, "unknown field")
		}
	}
	for _, f := range report.Fields {
		s, ok := in[f.Code]
		if !ok || strings.TrimSpace(s) == "" {
			return nil, apperr.New(apperr.Invalid, "reporting.err.value_missing", f.Code)
		}
		x, err := unit.ParseScaled(s, f.FileScale)
		if err != nil {
			if errors.Is(err, unit.ErrRange) {
				return nil, apperr.Wrap(err, apperr.Invalid, "reporting.err.value_range", f.Code, s)
			}
			return nil, apperr.Wrap(err, apperr.Invalid, "reporting.err.value", f.Code, s)
		}
		v[f.Field] = x
	}
	return &v, nil
}

func (m *module) act(w http.ResponseWriter, r *http.Request, c web.Ctx, allowed ...review.Action) error {
	k, err := key(r)
	if err != nil {
		return err
	}
	var b actionBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	a := review.Action(b.Action)
	ok := false
	for _, x := range allowed {
		ok = ok || x == a
	}
	if !ok {
		return web.BadParam("action", "not allowed on this route")
	}
	vals, err := parseValues(b.Values)
	if err != nil {
		return err
	}
	actor := reporting.ActorFor(c.User, c.Can)
	if _, err := m.svc.Act(r.Context(), c.Scope(), actor, reporting.Request{Key: k, Action: a, Values: vals, Explanations: b.Explanations,
		Reason: b.Reason, Source: reporting.SourceAPI}); err != nil {
		return err
	}
	f, err := m.svc.Form(r.Context(), c.Scope(), actor, k)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIForm(c.Lang, f))
	return nil
}

// apiSubmission is POST /api/v1/reporting/firms/{id}/{period}/submission:
// save a draft or submit.
func (m *module) apiSubmission(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.act(w, r, c, review.Save, review.Submit)
}

// apiReview is POST /api/v1/reporting/firms/{id}/{period}/review: return
// or accept.
func (m *module) apiReview(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	return m.act(w, r, c, review.Return, review.Accept)
}

// apiStatus is one period's status in scope.
type apiStatus struct {
	Period    string        `json:"period"`
	Deadline  string        `json:"deadline"`
	Locked    bool          `json:"locked"`
	Districts []apiDistrict `json:"districts"`
	Firms     []apiFirm     `json:"firms"`
}

type apiDistrict struct {
	Region   string         `json:"region"`
	Expected int            `json:"expected"`
	Reported int            `json:"reported"`
	RatePct  float64        `json:"rate_pct"`
	ByState  map[string]int `json:"by_state"`
}

type apiFirm struct {
	EnterpriseID int64  `json:"enterprise_id"`
	CreditCode   string `json:"credit_code"`
	Name         string `json:"name"`
	Region       string `json:"region"`
	State        string `json:"state"`
	Revision     bool   `json:"revision"`
	Warnings     int    `json:"warnings"`
	Late         bool   `json:"late"`
	Reminders    int    `json:"reminders"`
}

// periodParam reads ?period= (the current reporting period when absent).
func (m *module) periodParam(r *http.Request) (report.Period, error) {
	s := strings.TrimSpace(r.URL.Query().Get("period"))
	if s == "" {
		return m.svc.CurrentPeriod(r.Context())
	}
	p, err := report.ParsePeriod(s)
	if err != nil {
		return p, apperr.Wrap(err, apperr.Invalid, "err.period", s)
	}
	return p, nil
}

func (m *module) status(r *http.Request, c web.Ctx) (reporting.Status, error) {
	p, err := m.periodParam(r)
	if err != nil {
		return reporting.Status{}, err
	}
	return m.svc.Status(r.Context(), c.Scope(), p)
}

func toAPIStatus(st reporting.Status) apiStatus {
	out := apiStatus{Period: st.Period.String(), Deadline: st.Deadline.AddDate(0, 0, -1).Format("2006-01-02"), Locked: st.Locked, Districts: []apiDistrict{}, Firms: []apiFirm{}}
	for _, d := range st.Districts {
		ad := apiDistrict{Region: d.RegionCode, Expected: d.Expected, Reported: d.Reported, RatePct: float64(int(d.RatePct*10+0.5)) / 10, ByState: map[string]int{}}
		for s, n := range d.ByState {
			ad.ByState[string(s)] = n
		}
		out.Districts = append(out.Districts, ad)
	}
	for _, f := range st.Firms {
		out.Firms = append(out.Firms, apiFirm{EnterpriseID: f.Firm.ID, CreditCode: f.Firm.CreditCode, Name: f.Firm.Name, Region: f.Firm.RegionCode,
			State: string(f.State), Revision: f.Revision, Warnings: f.Warnings, Late: f.Late, Reminders: f.Reminders})
	}
	return out
}

// apiStatus is GET /api/v1/reporting/status.
func (m *module) apiStatus(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	st, err := m.status(r, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIStatus(st))
	return nil
}

type periodBody struct {
	Period string `json:"period"`
	Note   string `json:"note"`
}

// apiRemind is POST /api/v1/reporting/remind: a reminder to every firm
// in scope that has not reported the period.
func (m *module) apiRemind(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b periodBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	p, err := report.ParsePeriod(b.Period)
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "err.period", b.Period)
	}
	n, err := m.svc.Remind(r.Context(), c.Scope(), reporting.ActorFor(c.User, c.Can), p, nil)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"period": p.String(), "reminded": n})
	return nil
}

type apiLock struct {
	Period   string `json:"period"`
	LockedAt string `json:"locked_at"`
	LockedBy int64  `json:"locked_by"`
	Note     string `json:"note"`
}

// apiPublish is POST /api/v1/reporting/publish: lock a period.
func (m *module) apiPublish(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b periodBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	p, err := report.ParsePeriod(b.Period)
	if err != nil {
		return apperr.Wrap(err, apperr.Invalid, "err.period", b.Period)
	}
	l, err := m.svc.Publish(r.Context(), reporting.ActorFor(c.User, c.Can), p, b.Note)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiLock{Period: l.Period.String(), LockedAt: l.LockedAt.Format("2006-01-02T15:04:05Z"), LockedBy: l.LockedBy, Note: l.Note})
	return nil
}

// apiLocks is GET /api/v1/reporting/locks: the published periods.
func (m *module) apiLocks(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	ls, err := m.svc.Locks(r.Context())
	if err != nil {
		return err
	}
	out := []apiLock{}
	for _, l := range ls {
		out = append(out, apiLock{Period: l.Period.String(), LockedAt: l.LockedAt.Format("2006-01-02T15:04:05Z"), LockedBy: l.LockedBy, Note: l.Note})
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"locks": out})
	return nil
}

// apiRevisions is a published period as published and as revised.
type apiRevisions struct {
	Period      string            `json:"period"`
	Locked      bool              `json:"locked"`
	LockedAt    string            `json:"locked_at"`
	AsPublished map[string]string `json:"as_published"`
	AsRevised   map[string]string `json:"as_revised"`
	Firms       []apiRevisionFirm `json:"firms"`
}

type apiRevisionFirm struct {
	EnterpriseID int64             `json:"enterprise_id"`
	CreditCode   string            `json:"credit_code"`
	Name         string            `json:"name"`
	Region       string            `json:"region"`
	AboveScale   bool              `json:"above_scale"`
	Revisions    int               `json:"revisions"`
	LastAt       string            `json:"last_at"`
	LastBy       int64             `json:"last_by"`
	LastReason   string            `json:"last_reason"`
	Published    map[string]string `json:"published"`
	Revised      map[string]string `json:"revised"`
}

func toAPIRevisions(rv reporting.Revisions) apiRevisions {
	out := apiRevisions{Period: rv.Period.String(), Locked: rv.Locked, AsPublished: reporting.ValuesMap(rv.AsPublished), AsRevised: reporting.ValuesMap(rv.AsRevised), Firms: []apiRevisionFirm{}}
	if rv.Locked {
		out.LockedAt = rv.Lock.LockedAt.Format("2006-01-02T15:04:05Z")
	}
	for _, f := range rv.Firms {
		out.Firms = append(out.Firms, apiRevisionFirm{EnterpriseID: f.Firm.ID, CreditCode: f.Firm.CreditCode, Name: f.Firm.Name, Region: f.Firm.RegionCode,
			AboveScale: f.AboveScale, Revisions: f.Revisions, LastAt: f.LastAt.Format("2006-01-02T15:04:05Z"), LastBy: f.LastBy, LastReason: f.LastReason,
			Published: reporting.ValuesMap(f.Published), Revised: reporting.ValuesMap(f.Revised)})
	}
	return out
}

// apiRevisions is GET /api/v1/reporting/revisions: a period's above-scale
// totals in scope as published and as revised, with the revised firms.
func (m *module) apiRevisions(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, err := m.periodParam(r)
	if err != nil {
		return err
	}
	rv, err := m.svc.Revisions(r.Context(), c.Scope(), p)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIRevisions(rv))
	return nil
}
