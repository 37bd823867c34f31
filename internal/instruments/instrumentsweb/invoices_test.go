package instrumentsweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/instruments/instrumentsweb"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// Invoices over HTTP: the lab bills the scholar's two usage-confirmed
// orders on one invoice whose totals are their charges; the scholar sees
// and prints it but cannot mark it paid; a second invoice of an order is
// a 409; voiding returns the orders, paying moves them on; the list
// exports as XLSX. Every answer is checked against the OpenAPI document.
func TestInstrumentInvoicesAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		insID, item := marketFixture(t, env)
		svc := instruments.NewService(env.Store, instruments.Options{})
		scholar := instruments.Actor{UserID: env.Users["scholar"], Booker: true}
		manager := instruments.Actor{UserID: env.Users["semlab"], Manager: true, Booker: true}
		var ids []int64
		for i, billable := range []int{60, 90} {
			from, to := slot(9+2*i, 1)
			start, _ := time.Parse(time.RFC3339, from)
			end, _ := time.Parse(time.RFC3339, to)
			o, err := svc.Book(ctx, scholar, instruments.BookRequest{InstrumentID: insID, ItemID: item, Start: start, End: end})
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range []instruments.ActRequest{{Action: "approve"}, {Action: "schedule"}, {Action: "start"}, {Action: "complete"},
				{Action: instruments.OrderConfirm, Usage: instruments.Usage{ActualMinutes: 60, BillableMinutes: billable}}} {
				if _, err := svc.Act(ctx, manager, o.ID, step); err != nil {
					t.Fatalf("%s: %v", step.Action, err)
				}
			}
			ids = append(ids, o.ID)
		}
		js := "application/json"
		body := fmt.Sprintf(`{"order_ids":[%d,%d],"note":"十二月"}`, ids[0], ids[1])
		env.Run(t, []webtest.Scenario{
			{Name: "CustomerCannotIssue", Method: "POST", URL: "/api/v1/instrument-invoices", User: "scholar", ContentType: js, Body: body, WantStatus: http.StatusForbidden},
			{Name: "EmptyInvoice", Method: "POST", URL: "/api/v1/instrument-invoices", User: "semlab", ContentType: js, Body: `{"order_ids":[]}`, WantStatus: http.StatusBadRequest},
			{Name: "OrdersPageOffersBilling", URL: "/instruments/orders", User: "semlab", WantStatus: http.StatusOK, WantContains: []string{"data-invoice-pick", "instrument-invoice-issue"}},
			{Name: "OrdersPageCustomerNoBilling", URL: "/instruments/orders", User: "scholar", WantStatus: http.StatusOK, WantNotContains: []string{"data-invoice-pick"}},
		})
		res, b := env.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/instrument-invoices", User: "semlab", ContentType: js, Body: body})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("%d %s", res.StatusCode, b)
		}
		var inv instrumentsweb.APIInvoice
		if err := json.Unmarshal([]byte(b), &inv); err != nil {
			t.Fatal(err)
		}
		// ¥300/h (external academic) × 1 h + × 1.5 h = ¥750, no voucher.
		if inv.AmountFen != 75000 || inv.DueFen != 75000 || inv.VoucherFen != 0 || len(inv.Lines) != 2 || inv.CustomerName != "scholar" || inv.State != "issued" {
			t.Fatalf("%+v", inv)
		}
		u := func(f string, a ...any) string { return fmt.Sprintf(f, a...) }
		page := u("/instruments/invoices/%d", inv.ID)
		env.Run(t, []webtest.Scenario{
			{Name: "SecondInvoice", Method: "POST", URL: "/api/v1/instrument-invoices", User: "semlab", ContentType: js, Body: u(`{"order_ids":[%d]}`, ids[0]), WantStatus: http.StatusConflict},
			{Name: "CustomerReads", URL: u("/api/v1/instrument-invoices/%d", inv.ID), User: "scholar", WantStatus: http.StatusOK, WantContains: []string{inv.Number}},
			{Name: "CustomerList", URL: "/api/v1/instrument-invoices", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{inv.Number}},
			{Name: "UnitList", URL: "/api/v1/instrument-invoices?view=unit&state=issued", User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{inv.Number}},
			{Name: "BadView", URL: "/api/v1/instrument-invoices?view=all", User: "swuadmin", WantStatus: http.StatusBadRequest},
			{Name: "CustomerUnitViewRefused", URL: "/api/v1/instrument-invoices?view=unit", User: "scholar", WantStatus: http.StatusForbidden},
			{Name: "CustomerCannotPay", Method: "POST", URL: u("/api/v1/instrument-invoices/%d/pay", inv.ID), User: "scholar", ContentType: js, Body: `{}`, WantStatus: http.StatusForbidden},
			{Name: "PrintablePageCustomer", URL: page, User: "scholar", WantStatus: http.StatusOK, WantContains: []string{inv.Number, "750.00", "data-print"}, WantNotContains: []string{"data-invoice-pay"}},
			{Name: "PageStaff", URL: page + "?lang=en", User: "semlab", WantStatus: http.StatusOK, WantContains: []string{"data-invoice-pay", "data-invoice-void", "Mark paid"}},
			{Name: "ListPage", URL: "/instruments/invoices?view=unit", User: "swuadmin", WantStatus: http.StatusOK, WantContains: []string{inv.Number, "已开具"}},
			{Name: "XLSX", URL: "/api/v1/instrument-invoices.xlsx?view=unit", User: "swuadmin", WantStatus: http.StatusOK,
				WantHeader: map[string]string{"Content-Type": "spreadsheetml"}},
			{Name: "VoidWithoutReason", Method: "POST", URL: u("/api/v1/instrument-invoices/%d/void", inv.ID), User: "semlab", ContentType: js, Body: `{"reason":""}`, WantStatus: http.StatusBadRequest},
			{Name: "Void", Method: "POST", URL: u("/api/v1/instrument-invoices/%d/void", inv.ID), User: "semlab", ContentType: js, Body: `{"reason":"金额有误"}`,
				WantStatus: http.StatusOK, WantContains: []string{`"state":"voided"`, "金额有误"}},
			{Name: "PayVoided", Method: "POST", URL: u("/api/v1/instrument-invoices/%d/pay", inv.ID), User: "semlab", ContentType: js, Body: `{}`, WantStatus: http.StatusConflict},
		})
		// Billed again after the void, then paid by the unit.
		res, b = env.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/instrument-invoices", User: "swuadmin", ContentType: js, Body: body})
		if res.StatusCode != http.StatusCreated || !strings.Contains(b, "-0002") {
			t.Fatalf("%d %s", res.StatusCode, b)
		}
		var again instrumentsweb.APIInvoice
		if err := json.Unmarshal([]byte(b), &again); err != nil {
			t.Fatal(err)
		}
		env.Run(t, []webtest.Scenario{
			{Name: "Pay", Method: "POST", URL: u("/api/v1/instrument-invoices/%d/pay", again.ID), User: "semlab", ContentType: js, Body: `{}`,
				WantStatus: http.StatusOK, WantContains: []string{`"state":"paid"`, `"paid_at":"20`}},
			{Name: "OrdersPaid", URL: "/api/v1/instrument-orders", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{`"state":"paid"`}, WantNotContains: []string{`"state":"invoiced"`}},
			{Name: "Stranger", URL: u("/api/v1/instrument-invoices/%d", again.ID), User: "firm", WantStatus: http.StatusNotFound},
		})
	})
}

// Fees over HTTP: the scholar's late cancellation (20 % of 2 h × ¥300 =
// ¥120) and no-show (1 h × ¥300 in full) go on one invoice as lines of
// their own kinds with no voucher; the page, the printed page, the API
// and the XLSX show them; a fee-free cancellation is refused (409).
func TestInstrumentFeeInvoicesAPI(t *testing.T) {
	webtest.ForEachEngine(t, func(t *testing.T, env *webtest.Env) {
		ctx := context.Background()
		insID, item := marketFixture(t, env)
		scholar := instruments.Actor{UserID: env.Users["scholar"], Booker: true}
		manager := instruments.Actor{UserID: env.Users["semlab"], Manager: true, Booker: true}
		book := func(h, n int, at func(start time.Time) time.Time, steps ...instruments.ActRequest) int64 {
			t.Helper()
			from, to := slot(h, n)
			start, _ := time.Parse(time.RFC3339, from)
			end, _ := time.Parse(time.RFC3339, to)
			svc := instruments.NewService(env.Store, instruments.Options{})
			o, err := svc.Book(ctx, scholar, instruments.BookRequest{InstrumentID: insID, ItemID: item, Start: start, End: end})
			if err != nil {
				t.Fatal(err)
			}
			// The cancellation or no-show happens at the time given.
			later := instruments.NewService(env.Store, instruments.Options{Now: func() time.Time { return at(start) }})
			for _, step := range steps {
				a, s := manager, svc
				if step.Action == instruments.OrderCancel {
					a = scholar
				}
				if step.Action == instruments.OrderCancel || step.Action == instruments.OrderNoShow {
					s = later
				}
				if _, err := s.Act(ctx, a, o.ID, step); err != nil {
					t.Fatalf("%s: %v", step.Action, err)
				}
			}
			return o.ID
		}
		approve, schedule := instruments.ActRequest{Action: instruments.OrderApprove}, instruments.ActRequest{Action: instruments.OrderSchedule}
		late := book(14, 2, func(s time.Time) time.Time { return s.Add(-time.Hour) }, approve, instruments.ActRequest{Action: instruments.OrderCancel})
		absent := book(17, 1, func(s time.Time) time.Time { return s.Add(time.Hour) }, approve, schedule, instruments.ActRequest{Action: instruments.OrderNoShow})
		free := book(19, 1, func(s time.Time) time.Time { return s.Add(-time.Hour) }, instruments.ActRequest{Action: instruments.OrderCancel})
		js := "application/json"
		u := func(f string, a ...any) string { return fmt.Sprintf(f, a...) }
		env.Run(t, []webtest.Scenario{
			{Name: "FeeFreeRefused", Method: "POST", URL: "/api/v1/instrument-invoices", User: "semlab", ContentType: js, Body: u(`{"order_ids":[%d]}`, free), WantStatus: http.StatusConflict},
			{Name: "OrdersPageOffersFees", URL: "/instruments/orders", User: "semlab", WantStatus: http.StatusOK,
				WantContains: []string{u(`data-invoice-pick value="%d"`, late), u(`data-invoice-pick value="%d"`, absent)}, WantNotContains: []string{u(`data-invoice-pick value="%d"`, free)}},
		})
		res, b := env.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/instrument-invoices", User: "semlab", ContentType: js, Body: u(`{"order_ids":[%d,%d]}`, late, absent)})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("%d %s", res.StatusCode, b)
		}
		var inv instrumentsweb.APIInvoice
		if err := json.Unmarshal([]byte(b), &inv); err != nil {
			t.Fatal(err)
		}
		if inv.AmountFen != 42000 || inv.PenaltyFen != 42000 || inv.VoucherFen != 0 || inv.DueFen != 42000 || len(inv.Lines) != 2 {
			t.Fatalf("%+v", inv)
		}
		if l := inv.Lines; l[0].Kind != "cancellation_fee" || l[0].DueFen != 12000 || l[0].BookedMinutes != 120 || l[1].Kind != "no_show_fee" || l[1].DueFen != 30000 {
			t.Fatalf("%+v", l)
		}
		page := u("/instruments/invoices/%d", inv.ID)
		env.Run(t, []webtest.Scenario{
			{Name: "PrintablePage", URL: page, User: "scholar", WantStatus: http.StatusOK,
				WantContains: []string{"取消费", "爽约费", "预约 120 分钟", `data-total="penalty">420.00`, "data-print", "创新券不抵扣"}},
			{Name: "PageEnglish", URL: page + "?lang=en", User: "semlab", WantStatus: http.StatusOK, WantContains: []string{"cancellation fee", "no-show charge"}},
			{Name: "ListPage", URL: "/instruments/invoices", User: "scholar", WantStatus: http.StatusOK, WantContains: []string{"data-invoice-penalty"}},
			{Name: "OrderFeeInvoiced", URL: "/api/v1/instrument-orders", User: "scholar", WantStatus: http.StatusOK,
				WantContains: []string{`"state":"cancelled"`, `"state":"no_show"`, `"penalty_state":"invoiced"`}},
			{Name: "Pay", Method: "POST", URL: u("/api/v1/instrument-invoices/%d/pay", inv.ID), User: "semlab", ContentType: js, Body: `{}`, WantStatus: http.StatusOK},
			{Name: "OrderFeePaid", URL: "/api/v1/instrument-orders", User: "scholar", WantStatus: http.StatusOK,
				WantContains: []string{`"penalty_state":"paid"`}, WantNotContains: []string{`"penalty_state":"invoiced"`}},
		})
		res, b = env.Do(webtest.Scenario{URL: "/api/v1/instrument-invoices.xlsx", User: "scholar"})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%d", res.StatusCode)
		}
		sh, err := tabular.Read(bytes.NewReader([]byte(b)), "x.xlsx", tabular.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(sh.Rows) != 1 || sh.Header[9] != "其中取消费、爽约费（元）" || sh.Rows[0].Cells[9] != "420.00" || sh.Rows[0].Cells[5] != "2" {
			t.Fatalf("%v %+v", sh.Header, sh.Rows)
		}
	})
}

// The invoices' schemas match their wire structs.
func TestInstrumentInvoiceSchemas(t *testing.T) {
	webtest.CheckWireSchemas(t, webtest.LoadOpenAPI(t, webtest.SQLite(t)), map[string]any{
		"InstrumentInvoice": instrumentsweb.APIInvoice{}, "InstrumentInvoiceLine": instrumentsweb.APIInvoiceLine{}, "InstrumentInvoices": instrumentsweb.APIInvoices{}},
		map[string]any{"InstrumentInvoiceRequest": instrumentsweb.InvoiceBody{}})
}
