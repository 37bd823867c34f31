package instrumentsweb_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// The owner's reply and the operator's moderation over HTTP (issue 9
// item 5): the scholar's review of a paid order gets the manager's reply;
// the customer, a manager of another unit and the unit cannot moderate;
// the bureau hides it, after which the reply is fixed, other users no
// longer see it and its author sees it marked hidden.
func TestReviewReplyAndModerationAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		insID, item := marketFixture(t, env)
		// A manager of another unit.
		us, err := env.Store.PutUnits(ctx, []instruments.Unit{{Name: "重庆某大学", Type: instruments.University, RegionCode: "500106"}})
		if err != nil {
			t.Fatal(err)
		}
		hash, err := auth.NewHasher(auth.TestParams, 1).Hash(ctx, webtest.FixturePassword)
		if err != nil {
			t.Fatal(err)
		}
		otherID, err := env.Store.CreateUser(ctx, auth.User{Username: "otherlab", DisplayName: "otherlab", PasswordHash: hash, Role: auth.RoleUnitAdmin})
		if err != nil {
			t.Fatal(err)
		}
		env.Users["otherlab"] = otherID
		if err := env.Store.PutSharingMember(ctx, instruments.Member{UserID: otherID, UnitID: us[0].ID, Category: instruments.Internal}); err != nil {
			t.Fatal(err)
		}
		// The scholar's order, served and paid, rated 3 stars through the service.
		svc := instruments.NewService(env.Store, instruments.Options{})
		scholar := instruments.Actor{UserID: env.Users["scholar"], Booker: true}
		manager := instruments.Actor{UserID: env.Users["semlab"], Manager: true, Booker: true}
		from, to := slot(10, 1)
		start, _ := time.Parse(time.RFC3339, from)
		end, _ := time.Parse(time.RFC3339, to)
		o, err := svc.Book(ctx, scholar, instruments.BookRequest{InstrumentID: insID, ItemID: item, Start: start, End: end})
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []instruments.ActRequest{{Action: "approve"}, {Action: "schedule"}, {Action: "start"}, {Action: "complete"},
			{Action: instruments.OrderConfirm, Usage: instruments.Usage{ActualMinutes: 60, BillableMinutes: 60}}, {Action: "invoice"}} {
			if o.State == instruments.Approved && step.Action == "approve" {
				continue
			}
			if _, err := svc.Act(ctx, manager, o.ID, step); err != nil {
				t.Fatalf("%s: %v", step.Action, err)
			}
		}
		if _, err := svc.Act(ctx, manager, o.ID, instruments.ActRequest{Action: "pay"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Rate(ctx, scholar, o.ID, 3, []string{"service"}, "排队较久"); err != nil {
			t.Fatal(err)
		}
		js := "application/json"
		list := fmt.Sprintf("/api/v1/instruments/%d/reviews", insID)
		page := fmt.Sprintf("/instruments/%d", insID)
		reply := fmt.Sprintf("/api/v1/instrument-orders/%d/review/reply", o.ID)
		moderate := fmt.Sprintf("/api/v1/instrument-orders/%d/review/moderation", o.ID)
		env.Run(t, []webtest.Scenario{
			{Name: "Listed", URL: list, User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{`"comment":"排队较久"`, `"own":false`, `"hidden":false`}},
			{Name: "NoInstrument", URL: "/api/v1/instruments/999999/reviews", User: "scholar", WantStatus: http.StatusNotFound},
			{Name: "CustomerCannotReply", Method: "PUT", URL: reply, User: "scholar", ContentType: js, Body: `{"reply":"x"}`, WantStatus: http.StatusForbidden},
			{Name: "OtherUnitCannotReply", Method: "PUT", URL: reply, User: "otherlab", ContentType: js, Body: `{"reply":"x"}`, WantStatus: http.StatusForbidden},
			{Name: "EmptyReply", Method: "PUT", URL: reply, User: "semlab", ContentType: js, Body: `{"reply":" "}`, WantStatus: http.StatusBadRequest},
			{Name: "Unchanged", URL: list, User: "scholar", WantStatus: http.StatusOK, WantNotContains: []string{`"reply"`}},
			{Name: "ManagerReplies", Method: "PUT", URL: reply, User: "semlab", ContentType: js, Body: `{"reply":"已增加开放机时"}`, WantStatus: http.StatusOK, WantContains: []string{`"reply":"已增加开放机时"`, `"moderated":false`}},
			{Name: "AdminEdits", Method: "PUT", URL: reply, User: "swuadmin", ContentType: js, Body: `{"reply":"已增加周末机时"}`, WantStatus: http.StatusOK, WantContains: []string{`"reply":"已增加周末机时"`}},
			{Name: "ReplyOnPage", URL: page, User: "scholar", WantStatus: http.StatusOK, WantContains: []string{"已增加周末机时"}},
			{Name: "ReplyForm", URL: page, User: "semlab", WantStatus: http.StatusOK, WantContains: []string{`class="toolbar review-reply-form" data-order="` + fmt.Sprint(o.ID) + `"`}, WantNotContains: []string{"review-moderate-form"}},
			{Name: "HideForm", URL: page, User: "bureau", WantStatus: http.StatusOK, WantContains: []string{"review-moderate-form", `data-action="hide"`}, WantNotContains: []string{"review-reply-form"}},
			{Name: "NoFormsForCustomer", URL: page, User: "scholar", WantStatus: http.StatusOK, WantNotContains: []string{"review-reply-form", "review-moderate-form"}},
			{Name: "UnitCannotModerate", Method: "POST", URL: moderate, User: "swuadmin", ContentType: js, Body: `{"action":"hide","reason":"x"}`, WantStatus: http.StatusForbidden},
			{Name: "HideNeedsReason", Method: "POST", URL: moderate, User: "bureau", ContentType: js, Body: `{"action":"hide"}`, WantStatus: http.StatusBadRequest},
			{Name: "BadAction", Method: "POST", URL: moderate, User: "bureau", ContentType: js, Body: `{"action":"delete","reason":"x"}`, WantStatus: http.StatusBadRequest},
			{Name: "Hide", Method: "POST", URL: moderate, User: "bureau", ContentType: js, Body: `{"action":"hide","reason":"含与服务无关内容"}`, WantStatus: http.StatusOK, WantContains: []string{`"hidden":true`, `"hidden_reason":"含与服务无关内容"`, `"moderated":true`}},
			{Name: "HideAgain", Method: "POST", URL: moderate, User: "bureau", ContentType: js, Body: `{"action":"hide","reason":"x"}`, WantStatus: http.StatusConflict},
			{Name: "ReplyFixed", Method: "PUT", URL: reply, User: "semlab", ContentType: js, Body: `{"reply":"改"}`, WantStatus: http.StatusConflict},
			{Name: "GoneForOthers", URL: list, User: "swuadmin", WantStatus: http.StatusOK, WantNotContains: []string{"排队较久"}},
			{Name: "GoneFromPage", URL: page, User: "swuadmin", WantStatus: http.StatusOK, WantNotContains: []string{"排队较久"}},
			{Name: "AuthorSeesHidden", URL: list, User: "scholar", WantStatus: http.StatusOK, WantContains: []string{"排队较久", `"own":true`, `"hidden":true`}},
			{Name: "AuthorPage", URL: page, User: "scholar", WantStatus: http.StatusOK, WantContains: []string{"排队较久", "含与服务无关内容"}},
			{Name: "RestoreForm", URL: page, User: "bureau", WantStatus: http.StatusOK, WantContains: []string{"排队较久", `data-action="restore"`}},
			{Name: "OperatorSeesHidden", URL: list, User: "bureau", WantStatus: http.StatusOK, WantContains: []string{"排队较久", `"hidden":true`}},
			{Name: "Restore", Method: "POST", URL: moderate, User: "bureau", ContentType: js, Body: `{"action":"restore"}`, WantStatus: http.StatusOK, WantContains: []string{`"hidden":false`}},
			{Name: "BackForOthers", URL: list, User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{"排队较久"}},
			{Name: "NoReplyFormAfterModeration", URL: page, User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{"排队较久", "已增加周末机时"}, WantNotContains: []string{"review-reply-form"}},
		})
	})
}
