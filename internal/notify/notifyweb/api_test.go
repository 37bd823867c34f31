package notifyweb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/notify"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// The inbox over HTTP: each user sees their own notifications in the
// request's language, the layout shows the unread count, marking read
// touches only the caller's, settings are checked.
func TestNotificationsAPI(t *testing.T) {
	env := webtest.SQLite(t)
	ctx := context.Background()
	firm, admin := env.Users["firm"], env.Users["admin"]
	if _, err := env.Store.AddNotes(ctx, []notify.Note{
		{UserID: firm, Kind: notify.KindReportingReminder, Args: []string{"2024-07", "万州汽车"}, Link: "/reporting"},
		{UserID: firm, Kind: "order.approved", Args: []string{"3", "场发射扫描电镜 SU8010"}, Link: "/instruments/orders"},
		{UserID: admin, Kind: "order.submitted", Args: []string{"4", "x"}, Link: "/instruments/orders"},
	}, time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ns, err := env.Store.Notifications(ctx, admin, notify.ListFilter{Limit: 10})
	if err != nil || len(ns) != 1 {
		t.Fatalf("admin's: %v, %v", ns, err)
	}
	adminNote := fmt.Sprint(ns[0].ID)
	env.Run(t, []webtest.Scenario{
		{Name: "the firm's inbox in Chinese, newest first", URL: "/api/v1/notifications", User: "firm", WantStatus: 200,
			WantContains:    []string{`"unread":2`, `订单 #3（场发射扫描电镜 SU8010）已审批通过`, `催报：万州汽车 的 2024-07 月报尚未报送`},
			WantNotContains: []string{`"order.submitted"`}},
		{Name: "in English", URL: "/api/v1/notifications?lang=en", User: "firm", WantStatus: 200,
			WantContains: []string{`Order #3 (场发射扫描电镜 SU8010) approved`}},
		{Name: "the layout's badge counts the unread", URL: "/notifications", User: "firm", WantStatus: 200,
			WantContains: []string{`id="badge-notifications"`, `<b class="count">2</b>`, `data-mark-read=`}},
		{Name: "another user's badge", URL: "/notifications", User: "analyst", WantStatus: 200,
			WantContains: []string{`class="langlink badgelink zero"`, `id="notifications-none"`}},
		{Name: "the firm cannot mark the admin's notification", Method: "POST", URL: "/api/v1/notifications/read", User: "firm", ContentType: "application/json",
			Body: `{"ids": [` + adminNote + `]}`, WantStatus: 200, WantContains: []string{`"marked":0`, `"unread":2`}},
		{Name: "marking nothing is refused", Method: "POST", URL: "/api/v1/notifications/read", User: "firm", ContentType: "application/json",
			Body: `{"ids": []}`, WantStatus: 400},
		{Name: "the firm marks all of its own", Method: "POST", URL: "/api/v1/notifications/read", User: "firm", ContentType: "application/json",
			Body: `{"all": true}`, WantStatus: 200, WantContains: []string{`"marked":2`, `"unread":0`}},
		{Name: "unread only is now empty", URL: "/api/v1/notifications?unread=true", User: "firm", WantStatus: 200,
			WantContains: []string{`"unread":0`, `"notifications":[]`}},
		{Name: "the admin's stays unread", URL: "/api/v1/notifications?unread=true", User: "admin", WantStatus: 200,
			WantContains: []string{`"unread":1`}},
		{Name: "settings default: mail off, Chinese", URL: "/api/v1/notification-settings", User: "firm", WantStatus: 200,
			WantContains: []string{`"email":""`, `"lang":"zh-CN"`, `"email_on":false`, `"mail_configured":false`}},
		{Name: "mail on without an address is refused", Method: "POST", URL: "/api/v1/notification-settings", User: "firm", ContentType: "application/json",
			Body: `{"email": "", "lang": "zh-CN", "email_on": true}`, WantStatus: 400},
		{Name: "a bad address is refused", Method: "POST", URL: "/api/v1/notification-settings", User: "firm", ContentType: "application/json",
			Body: `{"email": "Zhang <z@example.org>", "lang": "zh-CN", "email_on": true}`, WantStatus: 400},
		{Name: "settings unchanged by the refusals", URL: "/api/v1/notification-settings", User: "firm", WantStatus: 200,
			WantContains: []string{`"email":""`, `"email_on":false`}},
		{Name: "settings saved", Method: "POST", URL: "/api/v1/notification-settings", User: "firm", ContentType: "application/json",
			Body: `{"email": "z@example.org", "lang": "en", "email_on": true}`, WantStatus: 200, WantContains: []string{`"email":"z@example.org"`, `"lang":"en"`, `"email_on":true`}},
		{Name: "anonymous is refused", URL: "/api/v1/notifications", WantStatus: 401},
	})
	// Saved settings make later notifications go to the outbox.
	if _, err := env.Store.AddNotes(ctx, []notify.Note{{UserID: firm, Kind: "order.closed", Args: []string{"3", "x"}, Link: "/"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, err := env.Store.OutboxCounts(ctx)
	if err != nil || c[notify.OutboxPending] != 1 {
		t.Fatalf("outbox after settings: %v, %v", c, err)
	}
}
