package auditweb

import (
	"net/http"

	"github.com/industrybrain/ibrain/internal/audit"
	"github.com/industrybrain/ibrain/internal/web"
)

// auditPage is GET /audit: the search form, the chain's state, the
// matching records and the export link.
type auditPage struct {
	web.BasePage
	From, To, Actor, Action, Outcome string
	Actions, Outcomes                []string
	Verify                           apiVerify
	Rows                             []apiEvent
	ExportURL                        string
	CanExport                        bool
	NextURL                          string
}

var actions = []audit.Action{audit.SignIn, audit.SignInFailed, audit.SignOut, audit.Locked, audit.Denied, audit.AccountChange,
	audit.Import, audit.Export, audit.DataChange, audit.ConfigChange, audit.EvaluationRun, audit.Review, audit.Archived}

func (m *module) page(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p := auditPage{BasePage: m.core.Base(r, c, "audit.title", "audit")}
	uq := r.URL.Query()
	q, err := query(uq)
	if err != nil {
		return err
	}
	p.From, p.To, p.Actor, p.Action, p.Outcome = uq.Get("from"), uq.Get("to"), q.Actor, string(q.Action), q.Outcome
	p.Outcomes = []string{audit.OK, audit.Failed, audit.Refused}
	for _, a := range actions {
		p.Actions = append(p.Actions, string(a))
	}
	rep, err := m.svc.Verify(r.Context())
	if err != nil {
		return err
	}
	p.Verify = toVerify(rep)
	events, err := m.svc.Search(r.Context(), q)
	if err != nil {
		return err
	}
	for _, e := range events {
		p.Rows = append(p.Rows, toAPI(e))
	}
	clean := web.CleanQuery(uq)
	clean.Del("after")
	clean.Del("limit")
	p.ExportURL = "/api/v1/audit/events.jsonl?" + clean.Encode()
	p.CanExport = c.Can(permExport)
	if len(events) == q.Limit {
		next := web.CleanQuery(uq)
		next.Set("after", web.FormatNumber(float64(events[len(events)-1].Seq), 0))
		p.NextURL = "/audit?" + next.Encode()
	}
	return m.core.Render(w, r, c, "audit.html", p)
}
