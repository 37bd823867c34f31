package instrumentsweb

import (
	"net/http"
	"strconv"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web"
)

// Violations and their waivers (issue 9 item 3).

type (
	apiViolation struct {
		ID          int64  `json:"id"`
		UserID      int64  `json:"user_id"`
		UnitID      int64  `json:"unit_id"`
		OrderID     int64  `json:"order_id"`
		Kind        string `json:"kind"`
		At          string `json:"at"`
		Waived      bool   `json:"waived"`
		WaivedBy    int64  `json:"waived_by,omitempty"`
		WaivedAt    string `json:"waived_at,omitempty"`
		WaiveReason string `json:"waive_reason,omitempty"`
	}
	apiViolations struct {
		Violations []apiViolation `json:"violations"`
	}
	waiveBody struct {
		Reason string `json:"reason"`
	}
)

func toAPIViolation(v instruments.Violation) apiViolation {
	return apiViolation{ID: v.ID, UserID: v.UserID, UnitID: v.UnitID, OrderID: v.OrderID, Kind: v.Kind, At: rfc(v.At), Waived: v.WaivedBy != 0,
		WaivedBy: v.WaivedBy, WaivedAt: rfc(v.WaivedAt), WaiveReason: v.WaiveReason}
}

// apiViolations is GET /api/v1/instrument-violations[?user_id=].
func (m *module) apiViolations(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var userID int64
	if v := r.URL.Query().Get("user_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return web.BadParam("user_id", "a positive integer")
		}
		userID = id
	}
	vs, err := m.svc.ViolationsOf(r.Context(), actor(c), userID)
	if err != nil {
		return err
	}
	out := apiViolations{Violations: []apiViolation{}}
	for _, v := range vs {
		out.Violations = append(out.Violations, toAPIViolation(v))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiWaive is POST /api/v1/instrument-violations/{id}/waive.
func (m *module) apiWaive(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var b waiveBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	v, err := m.svc.WaiveViolation(r.Context(), actor(c), id, b.Reason)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIViolation(v))
	return nil
}
