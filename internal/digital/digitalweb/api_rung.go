package digitalweb

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/digital"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/web"
)

// The API of applications for rungs of the recognition ladder
// (digital.RungApplication): file, list, read with the rule engine's
// verdict and the review history, and take review steps.

type apiRungApp struct {
	ID            int64             `json:"id"`
	EnterpriseID  int64             `json:"enterprise_id"`
	CreditCode    string            `json:"credit_code"`
	FirmName      string            `json:"firm_name"`
	RegionCode    string            `json:"region_code"`
	Rung          string            `json:"rung"`
	Year          int               `json:"year"`
	Name          string            `json:"name"`
	FutureType    string            `json:"future_type,omitempty"`
	Evidence      string            `json:"evidence"`
	Answers       map[string]string `json:"answers"`
	AppliedOn     string            `json:"applied_on"`
	State         string            `json:"state"`
	Reason        string            `json:"reason,omitempty"`
	RecommendedOn string            `json:"recommended_on,omitempty"`
	DecidedOn     string            `json:"decided_on,omitempty"`
	RecognitionID int64             `json:"recognition_id,omitempty"`
}

// apiRungDetail is an application as its reviewer sees it.
type apiRungDetail struct {
	Application apiRungApp              `json:"application"`
	Verdict     apiDigitalVerdict       `json:"verdict"`
	Allowed     []string                `json:"allowed"`
	Events      []apiDigitalReviewEvent `json:"events"`
}

type apiRungApply struct {
	EnterpriseID int64             `json:"enterprise_id"`
	Rung         string            `json:"rung"`
	Year         int               `json:"year"`
	Name         string            `json:"name"`
	FutureType   string            `json:"future_type,omitempty"`
	Evidence     string            `json:"evidence"`
	Answers      map[string]string `json:"answers,omitempty"`
}

type apiRungStep struct {
	Action   string            `json:"action"`
	Reason   string            `json:"reason,omitempty"`
	Date     string            `json:"date,omitempty"`
	Batch    string            `json:"batch,omitempty"`
	Evidence *string           `json:"evidence,omitempty"`
	Answers  map[string]string `json:"answers,omitempty"`
}

func toAPIRungApp(a digital.RungApplication) apiRungApp {
	out := apiRungApp{ID: a.ID, EnterpriseID: a.EnterpriseID, CreditCode: a.CreditCode, FirmName: a.FirmName, RegionCode: a.RegionCode,
		Rung: string(a.Rung), Year: a.Year, Name: a.Name, FutureType: string(a.FutureType), Evidence: a.Evidence, Answers: a.Answers,
		AppliedOn: web.DateString(a.AppliedOn), State: string(a.State), Reason: a.Reason, RecognitionID: a.RecognitionID}
	if out.Answers == nil {
		out.Answers = map[string]string{}
	}
	if !a.RecommendedOn.IsZero() {
		out.RecommendedOn = web.DateString(a.RecommendedOn)
	}
	if !a.DecidedOn.IsZero() {
		out.DecidedOn = web.DateString(a.DecidedOn)
	}
	return out
}

func trimAnswers(m map[string]string) map[string]string {
	var out map[string]string
	for k, v := range m {
		if v = strings.TrimSpace(v); v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

func (m *module) apiRungApply(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var in apiRungApply
	if err := web.DecodeJSON(w, r, &in, maxBody); err != nil {
		return err
	}
	if c.User.Role == auth.RoleEnterprise && in.EnterpriseID == 0 {
		in.EnterpriseID = c.User.EnterpriseID
	}
	a := digital.RungApplication{EnterpriseID: in.EnterpriseID, Rung: digital.Rung(in.Rung), Year: in.Year, Name: strings.TrimSpace(in.Name),
		FutureType: digital.FutureType(in.FutureType), Evidence: strings.TrimSpace(in.Evidence), Answers: trimAnswers(in.Answers), AppliedOn: m.core.Today()}
	out, err := m.svc.ApplyRung(r.Context(), c.Scope(), a, c.User.Username, c.User.ID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, toAPIRungApp(out))
	return nil
}

func rungQuery(r *http.Request) (digital.RungAppQuery, error) {
	qv := r.URL.Query()
	q := digital.RungAppQuery{RegionCode: qv.Get("region"), State: review.State(qv.Get("state"))}
	if q.State != "" && !q.State.Valid() && q.State != digital.AppRejected {
		return q, web.BadParam("state", "submitted, returned, accepted or rejected")
	}
	var err error
	if q.Year, err = web.IntParam(qv, "year", 0, 0, 2100); err != nil {
		return q, err
	}
	if s := qv.Get("enterprise_id"); s != "" {
		if q.EnterpriseID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return q, web.BadParam("enterprise_id", "an id")
		}
	}
	return q, nil
}

func (m *module) apiRungApps(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q, err := rungQuery(r)
	if err != nil {
		return err
	}
	apps, err := m.svc.RungApplications(r.Context(), c.Scope(), q)
	if err != nil {
		return err
	}
	out := struct {
		Items []apiRungApp `json:"items"`
	}{Items: []apiRungApp{}}
	for _, a := range apps {
		out.Items = append(out.Items, toAPIRungApp(a))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// rungCaps are the caller's capabilities on an application in scope (as
// reviewCaps for projects) and whether the caller is the city.
func rungCaps(c web.Ctx) (review.Capability, bool) { return reviewCaps(c) }

func (m *module) rungDetail(r *http.Request, c web.Ctx, id int64) (apiRungDetail, digital.RungDetail, error) {
	d, err := m.svc.RungApplication(r.Context(), c.Scope(), id)
	if err != nil {
		return apiRungDetail{}, d, err
	}
	caps, city := rungCaps(c)
	out := apiRungDetail{Application: toAPIRungApp(d.App), Verdict: toAPIVerdict(c.Lang, d.Verdict), Allowed: []string{}, Events: []apiDigitalReviewEvent{}}
	for _, a := range digital.RungActions(d.App, caps, city) {
		out.Allowed = append(out.Allowed, string(a))
	}
	for _, e := range d.History {
		out.Events = append(out.Events, apiDigitalReviewEvent{Action: string(e.Action), From: string(e.From), To: string(e.To), ActorID: e.ActorID,
			At: e.At.UTC().Format(time.RFC3339), Reason: e.Reason})
	}
	return out, d, nil
}

func (m *module) apiRungApp(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	out, _, err := m.rungDetail(r, c, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (m *module) apiRungStep(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var in apiRungStep
	if err := web.DecodeJSON(w, r, &in, maxBody); err != nil {
		return err
	}
	caps, city := rungCaps(c)
	step := digital.RungStep{Action: review.Action(in.Action), Reason: strings.TrimSpace(in.Reason), Batch: strings.TrimSpace(in.Batch),
		Caps: caps, City: city, Date: m.core.Today(), Answers: trimAnswers(in.Answers)}
	if in.Date != "" {
		if step.Date, err = parseDay("date", in.Date); err != nil {
			return err
		}
	}
	if in.Evidence != nil {
		ev := strings.TrimSpace(*in.Evidence)
		step.Evidence = &ev
	}
	a, err := m.svc.ReviewRung(r.Context(), c.Scope(), id, step, c.User.Username, c.User.ID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIRungApp(a))
	return nil
}
