package federationweb_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

type booking struct {
	ID           int64  `json:"id"`
	HoldID       int64  `json:"hold_id"`
	RemoteOrder  int64  `json:"remote_order_id"`
	State        string `json:"state"`
	VoucherState string `json:"voucher_state"`
	VoucherFen   int64  `json:"voucher_fen"`
	PenaltyFen   int64  `json:"penalty_fen"`
}

// TestFederationVouchers: a Sichuan firm's voucher on its order at a
// Chongqing instrument, on each engine. The issuer (sc) reserves the
// covered share at the confirmation and settles it on the home's signed
// evidence of the confirmed usage; the home's ledger is untouched; a
// tampered or replayed evidence is refused and changes nothing; a
// cancelled booking (a signed call to the home, its terms applying)
// releases its reservation; the user pays and rates at the home through
// their own instance; the bureau sees the settlements.
func TestFederationVouchers(t *testing.T) {
	for name, dsn := range webtest.EngineDSNs(t) {
		t.Run(name, func(t *testing.T) {
			p := twoInstances(t, dsn)
			sc, cq := p.sc, p.cq
			ctx := context.Background()
			firm := sc.IDs[webtest.EntWanzhouAuto]
			wang, err := sc.Store.CreateLinkedUser(ctx, auth.User{Username: "wang", DisplayName: "王工", PasswordHash: "!sso", Role: auth.RoleEnterprise, EnterpriseID: firm}, issuer, "sc-7002")
			if err != nil {
				t.Fatal(err)
			}
			sc.Users["wang"] = wang.ID
			year := time.Now().In(instruments.Zone).Year()
			js := "application/json"
			sc.Run(t, []webtest.Scenario{
				{Name: "fund", Method: "POST", URL: "/api/v1/instrument-vouchers", User: "bureau", ContentType: js, Body: fmt.Sprintf(`{"kind":"fund","year":%d,"amount_fen":100000000}`, year), WantStatus: 204},
				{Name: "allocate", Method: "POST", URL: "/api/v1/instrument-vouchers", User: "bureau", ContentType: js,
					Body: fmt.Sprintf(`{"kind":"allocate","year":%d,"enterprise_id":%d,"amount_fen":5000000}`, year, firm), WantStatus: 204},
				{Name: "pull", Method: "POST", URL: "/api/v1/federation/peers/cq/pull", User: "bureau", WantStatus: 200},
			})
			book := func(user, key string, hour int, voucher bool) booking {
				t.Helper()
				start, end := slot(hour)
				var b booking
				res, body := sc.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/federation/bookings", User: user, ContentType: js,
					Body: fmt.Sprintf(`{"home":"cq","instrument_id":%d,"item_id":%d,"start":%q,"end":%q,"idempotency_key":%q,"voucher":%t}`, p.instrument, p.item, start, end, key, voucher)})
				decode(t, body, &b)
				if res.StatusCode != 200 {
					t.Fatalf("book %s: %d %s", key, res.StatusCode, body)
				}
				_, body = sc.Do(webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/confirm", b.ID), User: user, Body: "{}", ContentType: js})
				decode(t, body, &b)
				return b
			}
			balance := func(env *webtest.Env, account string) int64 {
				t.Helper()
				v, err := env.Store.VoucherBalance(ctx, account)
				if err != nil {
					t.Fatal(err)
				}
				return int64(v)
			}
			firmAcct := instruments.FirmAccount(firm, year)
			pols, _ := instruments.VoucherPolicies()
			pol, _ := instruments.VoucherPolicyOn(pols, time.Now().In(instruments.Zone).Format(time.DateOnly))

			sc.Run(t, []webtest.Scenario{
				{Name: "a voucher needs a firm", Method: "POST", URL: "/api/v1/federation/bookings", User: "chen", ContentType: js, WantStatus: 400,
					Body: fmt.Sprintf(`{"home":"cq","instrument_id":%d,"item_id":%d,"start":%q,"end":%q,"idempotency_key":"key-novoucher","voucher":true}`, p.instrument, p.item, "2030-01-01T10:00:00+08:00", "2030-01-01T11:00:00+08:00")},
			})
			// One hour at the partner rate of ¥300: the voucher covers
			// half, ¥150, reserved from the firm's ¥50,000.
			b1 := book("wang", "key-v-000001", 9, true)
			if b1.State != string(instruments.Submitted) || b1.VoucherState != federation.VoucherReserved || b1.VoucherFen != 15000 {
				t.Fatalf("confirmed booking: %+v; want submitted, ¥150 reserved", b1)
			}
			if got := balance(sc, firmAcct); got != 5000000-15000 {
				t.Fatalf("firm balance after the reservation: %d", got)
			}
			b2 := book("wang", "key-v-000002", 11, true)
			b3 := book("wang", "key-v-000003", 14, true)

			// The home runs the order to the confirmed usage: 90 actual
			// minutes, 120 billable, so ¥600, of which the voucher pays ¥300
			// (¥150 reserved, ¥150 more from the firm's allocation).
			act := func(order int64, action, extra string) {
				t.Helper()
				res, body := cq.Do(webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/api/v1/instrument-orders/%d/actions", order), User: "semlab", ContentType: js,
					Body: fmt.Sprintf(`{"action":%q%s}`, action, extra)})
				if res.StatusCode != 200 {
					t.Fatalf("%s order %d: %d %s", action, order, res.StatusCode, body)
				}
			}
			for _, a := range []string{"approve", "schedule", "start", "complete"} {
				act(b1.RemoteOrder, a, "")
			}
			act(b1.RemoteOrder, "confirm_usage", `,"actual_minutes":90,"billable_minutes":120`)
			act(b3.RemoteOrder, "approve", "")
			cqLedger := func() int64 { return balance(cq, instruments.RedeemedAccount(pol.Issuer, year)) }
			if n := cqLedger(); n != 0 {
				t.Fatalf("the home redeemed %d", n)
			}

			// The evidence as the home signs it, read with a signed
			// request as sc would.
			nonce := fmt.Sprintf("nonce-ev-%d", time.Now().UnixNano())
			date := time.Now().Unix()
			hdr := map[string]string{federation.HeaderPeer: "sc", federation.HeaderDate: fmt.Sprint(date), federation.HeaderNonce: nonce,
				federation.HeaderSignature: federation.Sign(p.scKey, federation.RequestSigningString("GET", "/api/v1/fed/orders?since=0", "sc", date, nonce, nil))}
			_, body := cq.Do(webtest.Scenario{URL: "/api/v1/fed/orders?since=0", Headers: hdr})
			var page struct {
				Events []federation.OrderEvent `json:"events"`
			}
			decode(t, body, &page)
			var ev, other federation.OrderEvent
			for _, e := range page.Events {
				if e.HoldID == b1.HoldID && e.Evidence != "" {
					ev = e
				}
				if e.HoldID == b3.HoldID {
					other = e
				}
			}
			if ev.Evidence == "" || !strings.Contains(ev.Evidence, `"amount_fen":60000`) || other.HoldID == 0 {
				t.Fatalf("no evidence of ¥600 for hold %d in %s", b1.HoldID, body)
			}
			fed := sc.App.Federation
			tampered := ev
			tampered.Evidence = strings.Replace(ev.Evidence, `"amount_fen":60000`, `"amount_fen":90000`, 1)
			replayed := other
			replayed.Evidence, replayed.EvidenceSig = ev.Evidence, ev.EvidenceSig // b1's evidence for b3's order
			for name, e := range map[string]federation.OrderEvent{"tampered": tampered, "replayed for another order": replayed} {
				if _, err := fed.ReceiveOrderEvents(ctx, "cq", []federation.OrderEvent{e}); err == nil {
					t.Fatalf("%s evidence accepted", name)
				}
			}
			if got := balance(sc, firmAcct); got != 5000000-15000*3 {
				t.Fatalf("firm balance after refused evidence: %d; want three reservations", got)
			}

			// The pull brings the real evidence: settled once, however often
			// the event comes again.
			sc.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/federation/peers/cq/pull", User: "bureau"})
			if _, err := fed.ReceiveOrderEvents(ctx, "cq", []federation.OrderEvent{ev}); err != nil {
				t.Fatal(err)
			}
			want := int64(60000) * pol.CoveredPermille / 1000
			if got := balance(sc, instruments.RedeemedAccount(pol.Issuer, year)); got != want {
				t.Fatalf("redeemed %d, want %d", got, want)
			}
			if got := balance(sc, firmAcct); got != 5000000-want-15000*2 {
				t.Fatalf("firm balance after the settlement: %d", got)
			}
			if got := balance(sc, instruments.ReservedAccount(pol.Issuer, year)); got != 15000*2 {
				t.Fatalf("still reserved %d, want the two open bookings' ¥150", got)
			}

			// Cancel b2 from "my orders" (the home's free cancellation, days
			// ahead): the reservation goes back to the firm.
			res, body := sc.Do(webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/actions", b2.ID), User: "wang", ContentType: js, Body: `{"action":"cancel"}`})
			var c2 booking
			decode(t, body, &c2)
			if res.StatusCode != 200 || c2.State != string(instruments.Cancelled) || c2.VoucherState != federation.VoucherReleased || c2.PenaltyFen != 0 {
				t.Fatalf("cancel: %d %s", res.StatusCode, body)
			}
			if got := balance(sc, firmAcct); got != 5000000-want-15000 {
				t.Fatalf("firm balance after the release: %d", got)
			}
			o2, err := cq.Store.Order(ctx, b2.RemoteOrder)
			if err != nil || o2.State != instruments.Cancelled {
				t.Fatalf("the home's order after the cancel: %+v %v", o2, err)
			}
			sc.Run(t, []webtest.Scenario{
				{Name: "cancel twice", Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/actions", b2.ID), User: "wang", ContentType: js, Body: `{"action":"cancel"}`, WantStatus: 409},
				{Name: "not the user's booking", Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/actions", b3.ID), User: "chen", ContentType: js, Body: `{"action":"cancel"}`, WantStatus: 404},
				{Name: "not a customer action", Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/actions", b3.ID), User: "wang", ContentType: js, Body: `{"action":"approve"}`, WantStatus: 400},
			})

			// Invoiced at the home, which records the payment (the unit's
			// step, not the customer's); the user rates from "my orders".
			sc.Run(t, []webtest.Scenario{
				{Name: "pay is not a remote action", Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/actions", b1.ID), User: "wang", ContentType: js,
					Body: `{"action":"pay"}`, WantStatus: 400},
			})
			act(b1.RemoteOrder, "invoice", "")
			act(b1.RemoteOrder, "pay", "")
			sc.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/federation/peers/cq/pull", User: "bureau"})
			sc.Run(t, []webtest.Scenario{
				{Name: "my orders offer rate", URL: "/instruments/orders", User: "wang", WantStatus: 200,
					WantContains:    []string{fmt.Sprintf(`action="/api/v1/federation/bookings/%d/actions?form=1" data-remote-action="rate"`, b1.ID), `data-voucher-state="settled"`},
					WantNotContains: []string{`data-remote-action="pay"`}},
				{Name: "rate", Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/actions", b1.ID), User: "wang", ContentType: js,
					Body: `{"action":"rate","stars":4,"tags":["service"],"comment":"远程预约顺利"}`, WantStatus: 200, WantContains: []string{`"state":"rated"`, `"voucher_state":"settled"`}},
				{Name: "rate again", Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/actions", b1.ID), User: "wang", ContentType: js,
					Body: `{"action":"rate","stars":5}`, WantStatus: 409},
				{Name: "rate again from the page", Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/actions?form=1", b1.ID), User: "wang",
					ContentType: "application/x-www-form-urlencoded", Body: url.Values{"action": {"rate"}, "stars": {"5"}}.Encode(), WantStatus: 303,
					WantHeader: map[string]string{"Location": "/instruments/orders?error="}},
				{Name: "the refusal on the page", URL: "/instruments/orders?remote=1&error=refused-here", User: "wang", WantStatus: 200,
					WantContains: []string{`id="instrument-remote-error"`, "refused-here"}},
				{Name: "my remote orders with the voucher", URL: "/api/v1/instrument-orders", User: "wang", WantStatus: 200,
					WantContains: []string{fmt.Sprintf(`"voucher_fen":%d,"voucher_state":"settled"`, want)}},
				{Name: "the bureau's settlements", URL: "/api/v1/federation/vouchers", User: "bureau", WantStatus: 200,
					WantContains: []string{fmt.Sprintf(`"enterprise_id":%d`, firm), fmt.Sprintf(`"settled_fen":%d`, want), `"evidence_amount_fen":60000`, `"voucher_state":"released"`}},
				{Name: "settlements are the bureau's", URL: "/api/v1/federation/vouchers", User: "wang", WantStatus: 403},
				{Name: "the federation page", URL: "/federation", User: "bureau", WantStatus: 200, WantContains: []string{"federation-settlements", `data-voucher-state="settled"`}},
			})
			// Statistics: the home counts the remote user's hours as its
			// external service (actual time of the used order; the
			// cancelled one not at all) and paid no voucher; the issuer,
			// owning no instrument, counts none of them.
			s9, _ := slot(9)
			usage := fmt.Sprintf("/api/v1/instruments/usage?year=%s", s9[:4])
			cq.Run(t, []webtest.Scenario{
				{Name: "home: external service by origin", URL: "/api/v1/federation/stats", User: "bureau", WantStatus: 200,
					WantContains: []string{`"origin":"sc","orders":2,"booked_hours":2,"actual_hours":1.5,"amount_fen":60000`}},
				{Name: "home: usage statistics", URL: usage, User: "bureau", WantStatus: 200,
					WantContains: []string{`"external_hours":1.5`, `"income_fen":60000,"voucher_fen":0`}},
			})
			sc.Run(t, []webtest.Scenario{
				{Name: "issuer: no hours of the home's instrument", URL: usage, User: "bureau", WantStatus: 200, WantNotContains: []string{`"external_hours":1.5`}},
			})
			rv, err := cq.Store.Review(ctx, b1.RemoteOrder)
			if err != nil || rv.Stars != 4 {
				t.Fatalf("the review at the home: %+v %v", rv, err)
			}
			// The whole issuer ledger still sums to zero; the home posted
			// nothing.
			var total int64
			for _, a := range []string{"issuer:" + pol.Issuer, instruments.BudgetAccount(pol.Issuer, year), firmAcct,
				instruments.RedeemedAccount(pol.Issuer, year), instruments.ReservedAccount(pol.Issuer, year)} {
				total += balance(sc, a)
			}
			if total != 0 {
				t.Fatalf("issuer ledger sums to %d", total)
			}
			if n := cqLedger(); n != 0 {
				t.Fatalf("the home redeemed %d", n)
			}
		})
	}
}
