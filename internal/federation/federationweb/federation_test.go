package federationweb_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestMain fails the run when a route of this module had no success
// response validated against the OpenAPI document.
func TestMain(m *testing.M) { os.Exit(webtest.Main(m, "federation", nil)) }

const issuer = "https://idp.example.gov.cn/"

// handlers routes the transport's requests to the in-process servers by
// host (cq.test, sc.test), through their schema-checked handlers, so the
// peer protocol's answers are validated like every other answer.
type handlers map[string]http.Handler

func (h handlers) Do(ctx context.Context, method, u string, header map[string]string, body []byte) (int, []byte, string, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return 0, nil, "", err
	}
	hd, ok := h[pu.Host]
	if !ok {
		return 0, nil, "", fmt.Errorf("%s: connection refused", pu.Host)
	}
	req := httptest.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	hd.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, b, rec.Header().Get(federation.HeaderSignature), nil
}

type pair struct {
	cq, sc         *webtest.Env
	scKey          ed25519.PrivateKey
	instrument     int64
	item           int64
	tr             handlers
	researcherName string
}

// twoInstances boots Chongqing and Sichuan in process on the engine's
// databases: cq with a university, an open microscope managed by semlab
// and priced for partner-region users; sc with a researcher who signed
// in through the shared provider (chen) and one who did not (plain);
// both with the sharing operator bureau.
func twoInstances(t *testing.T, dsn func(t *testing.T) string) *pair {
	t.Helper()
	cqPub, cqKey, _ := ed25519.GenerateKey(rand.Reader)
	scPub, scKey, _ := ed25519.GenerateKey(rand.Reader)
	tr := handlers{}
	opts := func(self string, key ed25519.PrivateKey, peer string, peerKey ed25519.PublicKey) app.Options {
		cfg := fmt.Sprintf(`{"instance": %q, "key": %q, "trusted_issuers": [%q], "peers": [{"id": %q, "url": "http://%s.test", "public_key": %q}]}`,
			self, federation.EncodeKey(key.Seed()), issuer, peer, peer, federation.EncodeKey(peerKey))
		c, k, err := federation.ParseConfig([]byte(cfg), nil)
		if err != nil {
			t.Fatal(err)
		}
		return app.Options{Federation: app.FederationOptions{Config: c, Key: k, Transport: tr}}
	}
	p := &pair{tr: tr, scKey: scKey}
	p.cq = webtest.NewWith(t, dsn(t), opts("cq", cqKey, "sc", scPub))
	p.sc = webtest.NewWith(t, dsn(t), opts("sc", scKey, "cq", cqPub))
	tr["cq.test"], tr["sc.test"] = p.cq.H, p.sc.H

	ctx := context.Background()
	hash, err := auth.NewHasher(auth.TestParams, 1).Hash(ctx, webtest.FixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	user := func(env *webtest.Env, name string, role auth.Role) int64 {
		id, err := env.Store.CreateUser(ctx, auth.User{Username: name, DisplayName: name, PasswordHash: hash, Role: role})
		if err != nil {
			t.Fatal(err)
		}
		env.Users[name] = id
		return id
	}
	mgr := user(p.cq, "semlab", auth.RoleInstrumentManager)
	user(p.cq, "bureau", auth.RoleSharingOperator)
	user(p.sc, "bureau", auth.RoleSharingOperator)
	user(p.sc, "plain", auth.RoleAcademic)
	chen, err := p.sc.Store.CreateLinkedUser(ctx, auth.User{Username: "chen", DisplayName: "陈静", PasswordHash: "!sso", Role: auth.RoleAcademic}, issuer, "sc-7001")
	if err != nil {
		t.Fatal(err)
	}
	p.sc.Users["chen"] = chen.ID
	us, err := p.cq.Store.PutUnits(ctx, []instruments.Unit{{Name: "重庆大学", Type: instruments.University, RegionCode: "500106"}})
	if err != nil {
		t.Fatal(err)
	}
	in := instruments.Instrument{UnitID: us[0].ID, LocalID: "EM-01", Name: "场发射扫描电镜", ClassCode: "01", Subclass: "电子光学仪器", Model: "SU8010",
		Manufacturer: "日立", Country: "日本", OriginalValue: 3_000_000 * unit.Yuan, RegionCode: "500106", Status: instruments.Open, EnrolledOn: "2023-05-01",
		Modes: []instruments.Mode{instruments.SelfOperation}, Rules: instruments.DefaultRules()}
	items := []instruments.ServiceItem{{Name: "机时", Mode: instruments.SelfOperation, Unit: instruments.PerHour, Rates: []instruments.Rate{
		{Category: instruments.EnterpriseUser, EffectiveFrom: "2024-01-01", Price: 400 * unit.Yuan},
		{Category: instruments.PartnerRegion, EffectiveFrom: "2024-01-01", Price: 300 * unit.Yuan}}}}
	c, err := p.cq.Store.CreateInstrument(ctx, in, items, []int64{mgr})
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.cq.Store.InstrumentDetail(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.instrument, p.item = c.ID, d.Items[0].ID
	return p
}

func slot(hour int) (string, string) {
	d := time.Now().In(instruments.Zone).AddDate(0, 0, 2)
	s := time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, instruments.Zone)
	return s.Format(time.RFC3339), s.Add(time.Hour).Format(time.RFC3339)
}

func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}

// TestFederationInProcess runs the protocol between two servers in one
// process on each engine: pull, mirrored search and page, booking with a
// retried key, confirmation, the order at the home, events back, joint
// statistics, and the refusals (no shared identity, bad key, unsigned or
// replayed peer request, unknown peer).
func TestFederationInProcess(t *testing.T) {
	for name, dsn := range webtest.EngineDSNs(t) {
		t.Run(name, func(t *testing.T) {
			p := twoInstances(t, dsn)
			sc, cq := p.sc, p.cq
			res, body := sc.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/federation/peers/cq/pull?check=1", User: "bureau"})
			var pr federation.PullResult
			decode(t, body, &pr)
			if res.StatusCode != 200 || pr.Error != "" || pr.Applied != 1 || !pr.Checked || pr.Repaired != 0 {
				t.Fatalf("pull: %d %s", res.StatusCode, body)
			}
			start, end := slot(10)
			book := fmt.Sprintf(`{"home": "cq", "instrument_id": %d, "item_id": %d, "start": %q, "end": %q, "idempotency_key": "key-0000001"}`, p.instrument, p.item, start, end)
			sc.Run(t, []webtest.Scenario{
				{Name: "search includes the mirror", URL: "/api/v1/instruments?q=" + url.QueryEscape("电镜"), User: "chen", WantStatus: 200, WantContains: []string{`"home":"cq"`, `"global_id":"cq.`}},
				{Name: "mirrored record", URL: fmt.Sprintf("/api/v1/federation/instruments/cq/%d", p.instrument), User: "chen", WantStatus: 200, WantContains: []string{`"partner"`, `"free_hours"`}},
				{Name: "mirrored page", URL: fmt.Sprintf("/federation/instruments/cq/%d", p.instrument), User: "chen", WantStatus: 200, WantContains: []string{"federation-age", "SU8010"}},
				{Name: "unknown mirrored record", URL: "/api/v1/federation/instruments/cq/999", User: "chen", WantStatus: 404},
				{Name: "no shared identity", Method: "POST", URL: "/api/v1/federation/bookings", User: "plain", Body: book, ContentType: "application/json", WantStatus: 403},
				{Name: "bad key", Method: "POST", URL: "/api/v1/federation/bookings", User: "chen", Body: strings.Replace(book, "key-0000001", "k", 1), ContentType: "application/json", WantStatus: 400},
				{Name: "unknown peer", Method: "POST", URL: "/api/v1/federation/bookings", User: "chen", Body: strings.Replace(book, `"cq"`, `"gz"`, 1), ContentType: "application/json", WantStatus: 404},
				{Name: "peer status", URL: "/api/v1/federation/peers", User: "bureau", WantStatus: 200, WantContains: []string{`"id":"cq"`, `"last_ok":"20`}},
			})
			var b1, b2, conf struct {
				ID          int64  `json:"id"`
				RemoteOrder int64  `json:"remote_order_id"`
				State       string `json:"state"`
				UnitPrice   int64  `json:"unit_price_fen"`
			}
			res, body = sc.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/federation/bookings", User: "chen", Body: book, ContentType: "application/json"})
			decode(t, body, &b1)
			_, body = sc.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/federation/bookings", User: "chen", Body: book, ContentType: "application/json"})
			decode(t, body, &b2)
			if res.StatusCode != 200 || b1.ID == 0 || b1 != b2 || b1.State != "held" || b1.UnitPrice != 30000 {
				t.Fatalf("booking and retry: %+v / %+v", b1, b2)
			}
			// Unconfirmed, the hold may still expire: the home's staff
			// cannot approve it (or advance it otherwise) yet.
			cq.Run(t, []webtest.Scenario{
				{Name: "approve before the confirmation", Method: "POST", URL: fmt.Sprintf("/api/v1/instrument-orders/%d/actions", b1.RemoteOrder), User: "semlab",
					Body: `{"action":"approve"}`, ContentType: "application/json", WantStatus: 409},
			})
			// The mirrored page's picker lists the home's free starts as it
			// answers now: the held 10:00 hour is gone, 12:00 is offered.
			st10, _ := time.Parse(time.RFC3339, start)
			pick := func(h int) string {
				return fmt.Sprintf(`<option value="%s">`, st10.In(instruments.Zone).Add(time.Duration(h-10)*time.Hour).Format("2006-01-02T15:04"))
			}
			sc.Run(t, []webtest.Scenario{
				{Name: "free-slot picker", URL: fmt.Sprintf("/federation/instruments/cq/%d", p.instrument), User: "chen", WantStatus: 200,
					WantContains: []string{`id="federation-free"`, pick(12), pick(9)}, WantNotContains: []string{pick(10), "federation-free-unknown"}},
			})
			_, body = sc.Do(webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/api/v1/federation/bookings/%d/confirm", b1.ID), User: "chen", Body: "{}", ContentType: "application/json"})
			decode(t, body, &conf)
			if conf.State != string(instruments.Submitted) {
				t.Fatalf("confirm: %s", body)
			}
			// The home: one order, the partner-region user's, which the
			// manager approves; the state flows back with the next pull.
			cq.Run(t, []webtest.Scenario{
				{Name: "order at home", URL: "/api/v1/instrument-orders", User: "bureau", WantStatus: 200, WantContains: []string{`"category":"partner"`, fmt.Sprintf(`"id":%d`, b1.RemoteOrder)}},
				{Name: "approve", Method: "POST", URL: fmt.Sprintf("/api/v1/instrument-orders/%d/actions", b1.RemoteOrder), User: "semlab", Body: `{"action":"approve"}`, ContentType: "application/json", WantStatus: 200},
				{Name: "external service", URL: "/api/v1/federation/stats", User: "bureau", WantStatus: 200, WantContains: []string{`"origin":"sc","orders":1,"booked_hours":1`}},
				{Name: "federation page", URL: "/federation", User: "bureau", WantStatus: 200, WantContains: []string{"federation-joint", "federation-peers", "federation-external-sc"}},
			})
			sc.Do(webtest.Scenario{Method: "POST", URL: "/api/v1/federation/peers/cq/pull", User: "bureau"})
			sc.Run(t, []webtest.Scenario{
				{Name: "my bookings", URL: "/api/v1/federation/bookings", User: "chen", WantStatus: 200, WantContains: []string{`"state":"approved"`, `"home":"cq"`}},
				{Name: "my bookings on the page", URL: "/federation", User: "chen", WantStatus: 200, WantContains: []string{"federation-bookings", "approved"}, WantNotContains: []string{"federation-peers"}},
				{Name: "my orders page lists the remote booking", URL: "/instruments/orders", User: "chen", WantStatus: 200,
					WantContains: []string{"instrument-remote-orders", fmt.Sprintf(`data-remote-order="%d" data-home="cq"`, b1.ID),
						fmt.Sprintf(`href="/federation/instruments/cq/%d"`, p.instrument), `data-state="approved"`}},
				{Name: "the home's staff see no remote orders of theirs", URL: "/instruments/orders", User: "bureau", WantStatus: 200, WantNotContains: []string{"instrument-remote-orders"}},
				{Name: "joint figures", URL: "/api/v1/federation/stats", User: "bureau", WantStatus: 200, WantContains: []string{`"instance":"cq","own":false,"instruments":1`, `"instruments":1,"value_fen":300000000`}},
			})

			// The marketplace's "my orders" API: the remote booking beside
			// the local orders, with its home and the state as last pulled.
			_, body = sc.Do(webtest.Scenario{URL: "/api/v1/instrument-orders", User: "chen"})
			var mine struct {
				Orders       []json.RawMessage `json:"orders"`
				RemoteOrders []struct {
					ID           int64  `json:"id"`
					Home         string `json:"home"`
					InstrumentID int64  `json:"instrument_id"`
					State        string `json:"state"`
					AmountFen    int64  `json:"amount_fen"`
				} `json:"remote_orders"`
			}
			decode(t, body, &mine)
			if len(mine.RemoteOrders) != 1 || mine.RemoteOrders[0].ID != b1.ID || mine.RemoteOrders[0].Home != "cq" ||
				mine.RemoteOrders[0].InstrumentID != p.instrument || mine.RemoteOrders[0].State != string(instruments.Approved) {
				t.Fatalf("my orders at sc: %s; want the booking %d at cq, approved", body, b1.ID)
			}
			_, body = cq.Do(webtest.Scenario{URL: "/api/v1/instrument-orders", User: "bureau"})
			if !strings.Contains(body, `"remote_orders":[]`) {
				t.Fatalf("orders at the home list remote orders: %s", body)
			}

			// The mirrored page's booking form: hold and confirm at the
			// home, then "my orders"; a resubmitted form (same key) is the
			// same booking; bad input goes back to the page and books nothing.
			s13, _ := slot(13)
			st13, _ := time.Parse(time.RFC3339, s13)
			form := url.Values{"home": {"cq"}, "instrument_id": {fmt.Sprint(p.instrument)}, "item_id": {fmt.Sprint(p.item)},
				"start": {st13.In(instruments.Zone).Format("2006-01-02T15:04")}, "hours": {"1"}, "idempotency_key": {"form-key-0001"}}
			bad := url.Values{"home": {"cq"}, "instrument_id": {fmt.Sprint(p.instrument)}, "item_id": {fmt.Sprint(p.item)},
				"start": {"tomorrow"}, "hours": {"1"}, "idempotency_key": {"form-key-0002"}}
			formURL := "/api/v1/federation/bookings?form=1"
			sc.Run(t, []webtest.Scenario{
				{Name: "booking form on the mirrored page", URL: fmt.Sprintf("/federation/instruments/cq/%d", p.instrument), User: "chen", WantStatus: 200,
					WantContains: []string{`id="federation-book"`, `name="idempotency_key" value="form-`}},
				{Name: "form: bad start", Method: "POST", URL: formURL, User: "chen", Body: bad.Encode(), ContentType: "application/x-www-form-urlencoded",
					WantStatus: 303, WantHeader: map[string]string{"Location": fmt.Sprintf("/federation/instruments/cq/%d?error=", p.instrument)}},
				{Name: "form: book and confirm", Method: "POST", URL: formURL, User: "chen", Body: form.Encode(), ContentType: "application/x-www-form-urlencoded",
					WantStatus: 303, WantHeader: map[string]string{"Location": "/instruments/orders?booked="}},
				{Name: "form: resubmitted", Method: "POST", URL: formURL, User: "chen", Body: form.Encode(), ContentType: "application/x-www-form-urlencoded",
					WantStatus: 303, WantHeader: map[string]string{"Location": "/instruments/orders?booked="}},
			})
			_, body = sc.Do(webtest.Scenario{URL: "/api/v1/instrument-orders", User: "chen"})
			mine.RemoteOrders = nil
			decode(t, body, &mine)
			if len(mine.RemoteOrders) != 2 || mine.RemoteOrders[0].State == mine.RemoteOrders[1].State {
				t.Fatalf("my orders after the form: %s; want the approved booking and one submitted (confirmed) from the form", body)
			}
			for _, o := range mine.RemoteOrders {
				if o.ID != b1.ID && o.State != string(instruments.Submitted) {
					t.Fatalf("form booking %+v: want confirmed at the home (submitted)", o)
				}
			}

			// Peer requests: unsigned, signed and replayed.
			sign := func(pathQuery, nonce string) map[string]string {
				date := time.Now().Unix()
				return map[string]string{federation.HeaderPeer: "sc", federation.HeaderDate: fmt.Sprint(date), federation.HeaderNonce: nonce,
					federation.HeaderSignature: federation.Sign(p.scKey, federation.RequestSigningString("GET", pathQuery, "sc", date, nonce, nil))}
			}
			signed := sign("/api/v1/fed/changes?since=0", "nonce-test-1")
			cq.Run(t, []webtest.Scenario{
				{Name: "unsigned", URL: "/api/v1/fed/changes?since=0", WantStatus: 401},
				{Name: "signed", URL: "/api/v1/fed/changes?since=0", Headers: signed, WantStatus: 200, WantContains: []string{`"origin":"cq"`}},
				{Name: "replayed", URL: "/api/v1/fed/changes?since=0", Headers: signed, WantStatus: 401},
				{Name: "signed for another path", URL: "/api/v1/fed/changes?since=5", Headers: sign("/api/v1/fed/changes?since=0", "nonce-test-2"), WantStatus: 401},
				{Name: "checksum", URL: "/api/v1/fed/checksum", Headers: sign("/api/v1/fed/checksum", "nonce-test-3"), WantStatus: 200, WantContains: []string{`"count":1`}},
			})

			// The home unreachable: 503 and nothing created.
			delete(p.tr, "cq.test")
			s2, e2 := slot(15)
			down := fmt.Sprintf(`{"home": "cq", "instrument_id": %d, "item_id": %d, "start": %q, "end": %q, "idempotency_key": "key-0000002"}`, p.instrument, p.item, s2, e2)
			sc.Run(t, []webtest.Scenario{
				{Name: "home down", Method: "POST", URL: "/api/v1/federation/bookings", User: "chen", Body: down, ContentType: "application/json", WantStatus: 503},
				{Name: "form with home down", Method: "POST", URL: formURL, User: "chen", Body: strings.Replace(form.Encode(), "form-key-0001", "form-key-0003", 1),
					ContentType: "application/x-www-form-urlencoded", WantStatus: 303, WantHeader: map[string]string{"Location": "?error="}},
				{Name: "pull with home down", Method: "POST", URL: "/api/v1/federation/peers/cq/pull", User: "bureau", WantStatus: 200, WantContains: []string{"connection refused"}},
				{Name: "mirror kept", URL: "/api/v1/instruments?q=" + url.QueryEscape("电镜"), User: "chen", WantStatus: 200, WantContains: []string{`"home":"cq"`}},
				{Name: "picker with home down", URL: fmt.Sprintf("/federation/instruments/cq/%d", p.instrument), User: "chen", WantStatus: 200,
					WantContains: []string{"federation-free-unknown", `type="datetime-local" name="start"`}, WantNotContains: []string{`id="federation-free"`}},
				{Name: "metrics", URL: "/metrics", WantStatus: 200, WantContains: []string{`ibrain_federation_last_pull_ok_timestamp_seconds{peer="cq"} 1`,
					`ibrain_federation_pull_failing{peer="cq"} 1`, `ibrain_federation_last_pull_attempt_timestamp_seconds{peer="cq"} 1`, `ibrain_federation_feed_cursor{peer="cq"} `}},
			})
			_, body = sc.Do(webtest.Scenario{URL: "/api/v1/federation/bookings", User: "chen"})
			if n := strings.Count(body, `"hold_id"`); n != 2 { // the API's and the form's
				t.Fatalf("bookings after the 503: %d, want 2: %s", n, body)
			}
		})
	}
}

// TestFederationDisabled: without a configuration the pages say so and
// the API answers not found.
func TestFederationDisabled(t *testing.T) {
	env := webtest.SQLite(t)
	env.Run(t, []webtest.Scenario{
		{Name: "page", URL: "/federation", User: "admin", WantStatus: 200, WantContains: []string{"federation-off"}},
		{Name: "api", URL: "/api/v1/federation/stats", User: "admin", WantStatus: 404},
		{Name: "peer route", URL: "/api/v1/fed/changes", WantStatus: 404},
	})
}
