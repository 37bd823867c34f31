package instrumentsweb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/instruments/instrumentsweb"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// Waivers over HTTP: the scholar's no-show is listed for the unit's
// administrator and the scholar; the manager and the scholar cannot
// waive it, the administrator does once, with a reason.
func TestWaiveViolationAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		insID, item := marketFixture(t, env)
		scholar := instruments.Actor{UserID: env.Users["scholar"], Booker: true}
		manager := instruments.Actor{UserID: env.Users["semlab"], Manager: true, Booker: true}
		from, to := slot(10, 1)
		start, _ := time.Parse(time.RFC3339, from)
		end, _ := time.Parse(time.RFC3339, to)
		o, err := instruments.NewService(env.Store, instruments.Options{}).Book(ctx, scholar, instruments.BookRequest{InstrumentID: insID, ItemID: item, Start: start, End: end})
		if err != nil {
			t.Fatal(err)
		}
		// The manager marks the no-show an hour into the slot.
		later := instruments.NewService(env.Store, instruments.Options{Now: func() time.Time { return start.Add(time.Hour) }})
		for _, a := range []string{instruments.OrderApprove, instruments.OrderSchedule, instruments.OrderNoShow} {
			if _, err := later.Act(ctx, manager, o.ID, instruments.ActRequest{Action: a}); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
		_, b := env.Do(webtest.Scenario{URL: "/api/v1/instrument-violations", User: "swuadmin"})
		var list instrumentsweb.APIViolations
		if err := json.Unmarshal([]byte(b), &list); err != nil || len(list.Violations) != 1 || list.Violations[0].OrderID != o.ID || list.Violations[0].Waived {
			t.Fatalf("%v %s", err, b)
		}
		waive := fmt.Sprintf("/api/v1/instrument-violations/%d/waive", list.Violations[0].ID)
		js := "application/json"
		env.Run(t, []webtest.Scenario{
			{Name: "OwnList", URL: "/api/v1/instrument-violations", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{`"kind":"no_show"`}},
			{Name: "BadUser", URL: "/api/v1/instrument-violations?user_id=x", User: "swuadmin", WantStatus: http.StatusBadRequest},
			{Name: "ScholarCannot", Method: "POST", URL: waive, User: "scholar", ContentType: js, Body: `{"reason":"x"}`, WantStatus: http.StatusForbidden},
			{Name: "ManagerCannot", Method: "POST", URL: waive, User: "semlab", ContentType: js, Body: `{"reason":"x"}`, WantStatus: http.StatusForbidden},
			{Name: "NoReason", Method: "POST", URL: waive, User: "swuadmin", ContentType: js, Body: `{"reason":""}`, WantStatus: http.StatusBadRequest},
			{Name: "Waive", Method: "POST", URL: waive, User: "swuadmin", ContentType: js, Body: `{"reason":"仪器故障"}`, WantStatus: http.StatusOK,
				WantContains: []string{`"waived":true`, "仪器故障"}},
			{Name: "Again", Method: "POST", URL: waive, User: "bureau", ContentType: js, Body: `{"reason":"x"}`, WantStatus: http.StatusConflict},
		})
	})
}

// The violations' schemas match their wire structs.
func TestViolationSchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"InstrumentViolation": instrumentsweb.APIViolation{}, "InstrumentViolations": instrumentsweb.APIViolations{}},
		map[string]any{"InstrumentWaive": instrumentsweb.WaiveBody{}})
}
