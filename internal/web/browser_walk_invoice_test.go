package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// seedWalkInvoice gives the walk's enterprise user an invoice for
// /instruments/invoices/{id}: the firm books two slots of the seeded
// instrument through the API; the unit's administrator (an account made
// here, as no walk user runs a unit) runs one to usage confirmed, the
// firm cancels the other late, and the administrator bills both, so the
// page shows a usage line and a cancellation fee line.
func seedWalkInvoice(t *testing.T, env *webtest.Env, instrumentID int64) int64 {
	t.Helper()
	ctx := context.Background()
	d, err := env.Store.InstrumentDetail(ctx, instrumentID)
	if err != nil || len(d.Items) == 0 {
		t.Fatalf("instrument %d: %+v %v", instrumentID, d, err)
	}
	hash, err := auth.NewHasher(auth.TestParams, 1).Hash(ctx, webtest.FixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	adminID, err := env.Store.CreateUser(ctx, auth.User{Username: "walkunit", DisplayName: "西南大学仪器管理员", PasswordHash: hash, Role: auth.RoleUnitAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.PutSharingMember(ctx, instruments.Member{UserID: adminID, UnitID: d.UnitID, Category: instruments.Internal}); err != nil {
		t.Fatal(err)
	}
	unitAdmin := instruments.Actor{UserID: adminID, UnitAdmin: true}
	firm := instruments.Actor{UserID: env.Users["firm"], Booker: true}
	tomorrow := time.Now().In(instruments.Zone).AddDate(0, 0, 1)
	book := func(h0, h1 int) instruments.Order {
		t.Helper()
		at := func(h int) string {
			return time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), h, 0, 0, 0, instruments.Zone).Format(time.RFC3339)
		}
		res, body := env.Do(webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/api/v1/instruments/%d/orders", instrumentID), User: "firm",
			ContentType: "application/json", Body: fmt.Sprintf(`{"item_id": %d, "start": %q, "end": %q}`, d.Items[0].ID, at(h0), at(h1))})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("walk booking: %d %s", res.StatusCode, body)
		}
		var o struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatal(err)
		}
		got, err := env.Store.Order(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	svc := instruments.NewService(env.Store, instruments.Options{})
	used, late := book(9, 10), book(14, 16)
	for _, step := range []instruments.ActRequest{{Action: instruments.OrderApprove}, {Action: instruments.OrderSchedule}, {Action: instruments.OrderStart},
		{Action: instruments.OrderComplete}, {Action: instruments.OrderConfirm, Usage: instruments.Usage{ActualMinutes: 60}}} {
		if _, err := svc.Act(ctx, unitAdmin, used.ID, step); err != nil {
			t.Fatalf("walk order %s: %v", step.Action, err)
		}
	}
	if _, err := svc.Act(ctx, unitAdmin, late.ID, instruments.ActRequest{Action: instruments.OrderApprove}); err != nil {
		t.Fatal(err)
	}
	// An hour before the start: inside the free-cancellation period's end.
	lateClock := instruments.NewService(env.Store, instruments.Options{Now: func() time.Time { return late.Start.Add(-time.Hour) }})
	if c, err := lateClock.Act(ctx, firm, late.ID, instruments.ActRequest{Action: instruments.OrderCancel}); err != nil || c.Penalty == 0 {
		t.Fatalf("walk late cancellation: %+v %v", c, err)
	}
	inv, err := svc.IssueInvoice(ctx, unitAdmin, instruments.InvoiceRequest{OrderIDs: []int64{used.ID, late.ID}, Note: "页面巡检"})
	if err != nil {
		t.Fatal(err)
	}
	return inv.ID
}

// The walk's invoice, without a browser: the firm reads it with its
// usage line and its cancellation fee line; another walk user does not.
func TestWalkInvoiceSeed(t *testing.T) {
	env := webtest.SQLite(t)
	id := seedWalkInvoice(t, env, webtest.SeedInstruments(t, env))
	url := fmt.Sprintf("/instruments/invoices/%d", id)
	env.Run(t, []webtest.Scenario{
		{Name: "Firm", URL: url, User: "firm", WantStatus: http.StatusOK, WantContains: []string{`data-line-kind="charge"`, `data-line-kind="cancellation_fee"`, "取消费", "页面巡检"}},
		{Name: "Other", URL: url, User: "admin", WantStatus: http.StatusForbidden},
	})
}
