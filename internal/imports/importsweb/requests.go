package importsweb

import (
	"net/http"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/web"
)

// The city's confirmation queue of new firms (新增企业确认). A district
// officer's enterprise list writes the district's own firms; a row naming
// any other credit code — new, or registered in another district — is
// sent here with the same answer, so the import does not tell a district
// whether a code is registered elsewhere. The city sees where a code is
// registered and confirms (the firm is written as the district stated
// it) or refuses with a reason; the district sees its own requests.

// permConfirm decides requests (the city administrator, roles.json).
const permConfirm auth.Permission = "import.confirm"

// apiRequest is one request on the wire; registered_in is set for city
// users only.
type apiRequest struct {
	ID           int64  `json:"id"`
	CreditCode   string `json:"credit_code"`
	Name         string `json:"name"`
	RegionCode   string `json:"region_code"`
	RequestedBy  int64  `json:"requested_by"`
	RequestedAt  string `json:"requested_at"`
	State        string `json:"state"`
	DecidedBy    int64  `json:"decided_by,omitempty"`
	DecidedAt    string `json:"decided_at,omitempty"`
	Reason       string `json:"reason,omitempty"`
	RegisteredIn string `json:"registered_in,omitempty"`
}

type apiRequests struct {
	Requests []apiRequest `json:"requests"`
}

type apiDecision struct {
	Action string `json:"action"` // confirm | reject
	Reason string `json:"reason"`
}

func toAPIRequest(q imports.EnterpriseRequest) apiRequest {
	out := apiRequest{ID: q.ID, CreditCode: q.Row.Enterprise.CreditCode, Name: q.Row.Enterprise.Name, RegionCode: q.Row.Enterprise.RegionCode,
		RequestedBy: q.RequestedBy, RequestedAt: q.RequestedAt.Format(time.RFC3339), State: q.State, DecidedBy: q.DecidedBy, Reason: q.Reason,
		RegisteredIn: q.RegisteredIn}
	if !q.DecidedAt.IsZero() {
		out.DecidedAt = q.DecidedAt.Format(time.RFC3339)
	}
	return out
}

// apiRequestList is GET /api/v1/enterprise-requests?state=.
func (m *module) apiRequestList(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	qs, err := m.svc.EnterpriseRequests(r.Context(), c.Scope(), r.URL.Query().Get("state"))
	if err != nil {
		return err
	}
	out := apiRequests{Requests: []apiRequest{}}
	for _, q := range qs {
		out.Requests = append(out.Requests, toAPIRequest(q))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiRequestDecide is POST /api/v1/enterprise-requests/{id}/decision.
func (m *module) apiRequestDecide(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var d apiDecision
	if err := web.DecodeJSON(w, r, &d, 8<<10); err != nil {
		return err
	}
	var confirm bool
	switch d.Action {
	case "confirm":
		confirm = true
	case "reject":
	default:
		return web.BadParam("action", "confirm or reject")
	}
	q, err := m.svc.DecideEnterpriseRequest(r.Context(), id, imports.Decision{Confirm: confirm, Reason: strings.TrimSpace(d.Reason), By: c.User.ID})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIRequest(q))
	return nil
}

// requestsPage is GET /import/requests.
type requestsPage struct {
	web.BasePage
	Rows      []requestRow
	CanDecide bool
	City      bool
	Data      importData
}

type requestRow struct {
	apiRequest
	District     string
	RegisteredIn string
	StateText    string
	Pending      bool
}

func (m *module) requestsPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(perms[imports.KindEnterprises]) || c.User.EnterpriseID != 0 {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	lang := c.Lang
	qs, err := m.svc.EnterpriseRequests(r.Context(), c.Scope(), "")
	if err != nil {
		return err
	}
	p := requestsPage{CanDecide: c.Can(permConfirm), City: c.Scope().IsAll(), Data: importData{Text: m.core.Prefixed(lang, "js.")}}
	p.BasePage = m.core.Base(r, c, "import.requests_title", "import")
	p.Scripts = []string{"app.js", "import.js"}
	name := func(code string) string {
		if rg, ok := m.core.Regions().ByCode(code); ok {
			return web.RegionName(lang, rg)
		}
		return code
	}
	for _, q := range qs {
		row := requestRow{apiRequest: toAPIRequest(q), District: name(q.Row.Enterprise.RegionCode), StateText: m.core.T(lang, "import.request_"+q.State),
			Pending: q.State == imports.RequestPending}
		if q.RegisteredIn != "" {
			row.RegisteredIn = name(q.RegisteredIn)
		}
		p.Rows = append(p.Rows, row)
	}
	return m.core.Render(w, r, c, "import_requests.html", p)
}
