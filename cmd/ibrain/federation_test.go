package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/sqlstore"
	"github.com/industrybrain/ibrain/internal/testkit"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web/webtest"

	_ "modernc.org/sqlite"
)

// TestFederationTwoProcesses runs the 川渝 federation as it runs in
// production: this package's binary is built, and a Chongqing (cq) and a
// Sichuan (sc) server run as two processes on loopback, each with its
// own SQLite database, both trusting one OpenID provider that runs in
// the test process (zitadel's example OP). Sichuan reaches Chongqing
// through a proxy in the test process that can tamper with or replay
// answers. The test walks the scenario: a Sichuan researcher
// signs in through the shared provider, finds a Chongqing microscope in
// Sichuan's search beside Sichuan's own instruments, books it (a retry
// with the same key books nothing more), confirms it; Chongqing sees the
// order, approves it and counts it as external service, and the state
// flows back; racing clients on both instances get one booking of a
// slot; a tampered or replayed feed page is refused and changes nothing;
// a retirement propagates; drift in the mirror is repaired; with
// Chongqing killed the mirror stays, marked with its age, and a booking
// answers 503 and creates nothing; after a restart it works again.
// Chongqing starts without Sichuan in its configuration: Sichuan is added
// with 'ibrain peer add' against the running server's database and used
// without a restart. The joint figures on both sides are the sum of each
// instance's own.
func TestFederationTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and starts two servers")
	}
	dir := t.TempDir()
	twoProcesses(t, dir, func(id string) string { return "sqlite:" + filepath.Join(dir, id+".db") })
}

// TestFederationTwoProcessesPostgres is the same with each instance on
// its own PostgreSQL database (created and dropped like testkit's), when
// IBRAIN_TEST_POSTGRES names a server.
func TestFederationTwoProcessesPostgres(t *testing.T) {
	base := testkit.PostgresURL()
	if testing.Short() || base == "" {
		t.Skip("needs " + testkit.PostgresEnv + "; builds the binary and starts two servers")
	}
	twoProcesses(t, t.TempDir(), func(id string) string { return testkit.Postgres(t, base, "ibrain_fed_"+id+"_") })
}

// twoProcesses runs the scenario with the instances' databases at
// dsn("cq") and dsn("sc").
func twoProcesses(t *testing.T, dir string, dsn func(id string) string) {
	bin := filepath.Join(dir, "ibrain")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cqPort, scPort := freePort(t), freePort(t)
	cqURL, scURL := "http://127.0.0.1:"+cqPort, "http://127.0.0.1:"+scPort
	issuer, clients := sharedProvider(t, map[string]string{"cq": cqURL, "sc": scURL})

	// Sichuan reaches Chongqing through this proxy.
	px := &peerProxy{target: cqURL}
	proxy := httptest.NewServer(px)
	t.Cleanup(proxy.Close)

	cqPub, cqKey := newKey(t)
	scPub, scKey := newKey(t)
	inst := map[string]*instance{
		"cq": {id: "cq", url: cqURL, port: cqPort, db: dsn("cq")},
		"sc": {id: "sc", url: scURL, port: scPort, db: dsn("sc")},
	}
	// Chongqing's configuration names no peer: Sichuan is added at run
	// time below.
	writeJSON(t, filepath.Join(dir, "cq-fed.json"), federation.Config{Instance: "cq", Key: federation.EncodeKey(cqKey.Seed()), TrustedIssuers: []string{issuer},
		PullSeconds: 3600, HoldMinutes: 15})
	writeJSON(t, filepath.Join(dir, "sc-fed.json"), federation.Config{Instance: "sc", Key: federation.EncodeKey(scKey.Seed()), TrustedIssuers: []string{issuer},
		PullSeconds: 3600, HoldMinutes: 15, Peers: []federation.Peer{{ID: "cq", URL: proxy.URL, PublicKey: federation.EncodeKey(cqPub)}}})
	for id, in := range inst {
		writeJSON(t, filepath.Join(dir, id+"-sso.json"), map[string]any{"base_url": in.url, "providers": []map[string]any{{
			"id": "gov", "label_zh": "统一身份认证", "label_en": "Shared identity", "issuer": issuer, "client_id": clients[id], "client_secret": "secret",
			"scopes": []string{"profile"}, "on_first_sign_in": "create", "default_role": "academic"}}})
		in.args = []string{"serve", "--addr", "127.0.0.1:" + in.port, "--db", in.db, "--demo", "never",
			"--sso-config", filepath.Join(dir, id+"-sso.json"), "--federation-config", filepath.Join(dir, id+"-fed.json")}
	}
	ids := seed(t, inst["cq"].db, inst["sc"].db)
	firmID := seedFirm(t, inst["sc"].db, issuer)
	for _, in := range inst {
		in.start(t, bin)
	}

	// Accounts: Chongqing's instrument manager and operator, each
	// instance's system administrator; the researcher signs in at Sichuan
	// through the shared provider.
	cqManager := login(t, cqURL, "cq-manager")
	cqOperator := login(t, cqURL, "cq-operator")
	scAdmin := login(t, scURL, "sc-operator")
	researcher := ssoLogin(t, scURL, "chenjing")

	// 0. Peers at run time: Chongqing refuses Sichuan until 'ibrain peer
	// add' stores it in the running server's database; then both
	// directions work without a restart.
	if pull := scAdmin.pull(t, "cq", false); pull.Error == "" {
		t.Fatalf("pull before cq knows sc: %+v; want refused", pull)
	}
	add := exec.Command(bin, "peer", "add", "--federation-config", filepath.Join(dir, "cq-fed.json"), "--db", inst["cq"].db,
		"--id", "sc", "--url", scURL, "--public-key", federation.EncodeKey(scPub))
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ibrain peer add: %v\n%s", err, out)
	}
	if pull := cqOperator.pull(t, "sc", false); pull.Error != "" {
		t.Fatalf("cq's pull of sc after the add: %+v", pull)
	}

	// 1. Catalogue: Sichuan pulls Chongqing's signed feed; Sichuan's
	// search shows Chongqing's microscopes next to its own, marked with
	// home cq.
	if pull := scAdmin.pull(t, "cq", false); pull.Error != "" {
		t.Fatalf("first pull: %+v", pull)
	}
	var search struct {
		Total int `json:"total"`
		Hits  []struct {
			ID       int64  `json:"id"`
			Home     string `json:"home"`
			GlobalID string `json:"global_id"`
			Name     string `json:"name"`
		} `json:"hits"`
	}
	researcher.getJSON(t, "/api/v1/instruments?q="+url.QueryEscape("电镜"), 200, &search)
	homes := map[string]int{}
	for _, h := range search.Hits {
		homes[h.Home]++
		if h.Home == "cq" && !strings.HasPrefix(h.GlobalID, "cq.") {
			t.Errorf("mirrored hit's global id %q does not name its home", h.GlobalID)
		}
	}
	if search.Total != 3 || homes[""] != 1 || homes["cq"] != 2 {
		t.Fatalf("search at sc: total %d, homes %v; want sc's own microscope and cq's two", search.Total, homes)
	}

	// 2. Booking: hold at the home with an idempotency key; the retry
	// returns the same booking; then confirm.
	slot := nextDay(10)
	book := map[string]any{"home": "cq", "instrument_id": ids.sem, "item_id": ids.semItem, "start": slot.Format(time.RFC3339),
		"end": slot.Add(time.Hour).Format(time.RFC3339), "idempotency_key": "sc-book-0001"}
	var b1, b2 bookingView
	researcher.postJSON(t, "/api/v1/federation/bookings", book, 200, &b1)
	researcher.postJSON(t, "/api/v1/federation/bookings", book, 200, &b2)
	if b1.ID == 0 || b1.ID != b2.ID || b1.RemoteOrder != b2.RemoteOrder || b1.State != "held" {
		t.Fatalf("booking and its retry: %+v / %+v; want one held booking", b1, b2)
	}
	if b1.UnitPrice != 300_00 {
		t.Errorf("unit price %d fen, want the partner-region rate 30000", b1.UnitPrice)
	}
	var conf bookingView
	researcher.postJSON(t, fmt.Sprintf("/api/v1/federation/bookings/%d/confirm", b1.ID), map[string]any{}, 200, &conf)
	if conf.State != "submitted" {
		t.Fatalf("confirmed booking state %q, want the home order's submitted", conf.State)
	}

	// Chongqing sees one order of the instrument, the remote user's, at the
	// partner price, and approves it.
	var orders struct {
		Orders []struct {
			ID           int64  `json:"id"`
			InstrumentID int64  `json:"instrument_id"`
			State        string `json:"state"`
			Category     string `json:"category"`
		} `json:"orders"`
	}
	cqOperator.getJSON(t, "/api/v1/instrument-orders", 200, &orders)
	if len(orders.Orders) != 1 || orders.Orders[0].ID != b1.RemoteOrder || orders.Orders[0].Category != "partner" {
		t.Fatalf("orders at cq: %+v; want exactly the remote booking %d, category partner", orders.Orders, b1.RemoteOrder)
	}
	cqManager.postJSON(t, fmt.Sprintf("/api/v1/instrument-orders/%d/actions", b1.RemoteOrder), map[string]any{"action": "approve"}, 200, nil)
	if p := scAdmin.pull(t, "cq", false); p.Error != "" || p.Events == 0 {
		t.Fatalf("pull after approval: %+v", p)
	}
	var mine struct {
		Bookings []bookingView `json:"bookings"`
	}
	researcher.getJSON(t, "/api/v1/federation/bookings", 200, &mine)
	if len(mine.Bookings) != 1 || mine.Bookings[0].State != "approved" {
		t.Fatalf("my bookings at sc: %+v; want the one booking, approved", mine.Bookings)
	}
	// The marketplace's own "my orders" at sc lists the Chongqing booking
	// beside the local orders, with its home and the pulled state.
	var myOrders struct {
		Orders       []json.RawMessage `json:"orders"`
		RemoteOrders []struct {
			ID           int64  `json:"id"`
			Home         string `json:"home"`
			InstrumentID int64  `json:"instrument_id"`
			State        string `json:"state"`
			URL          string `json:"url"`
		} `json:"remote_orders"`
	}
	researcher.getJSON(t, "/api/v1/instrument-orders", 200, &myOrders)
	if len(myOrders.RemoteOrders) != 1 || myOrders.RemoteOrders[0].ID != b1.ID || myOrders.RemoteOrders[0].Home != "cq" ||
		myOrders.RemoteOrders[0].InstrumentID != ids.sem || myOrders.RemoteOrders[0].State != "approved" ||
		myOrders.RemoteOrders[0].URL != fmt.Sprintf("/federation/instruments/cq/%d", ids.sem) {
		t.Fatalf("my orders at sc: %+v; want the Chongqing booking %d, home cq, approved", myOrders.RemoteOrders, b1.ID)
	}
	var joint struct {
		Instances []struct {
			Instance    string `json:"instance"`
			Own         bool   `json:"own"`
			Instruments int    `json:"instruments"`
			ValueFen    int64  `json:"value_fen"`
			External    []struct {
				Origin      string  `json:"origin"`
				Orders      int     `json:"orders"`
				BookedHours float64 `json:"booked_hours"`
			} `json:"external_service"`
		} `json:"instances"`
		Instruments int   `json:"instruments"`
		ValueFen    int64 `json:"value_fen"`
	}
	cqOperator.getJSON(t, "/api/v1/federation/stats", 200, &joint)
	if len(joint.Instances) < 1 || !joint.Instances[0].Own || len(joint.Instances[0].External) != 1 ||
		joint.Instances[0].External[0].Origin != "sc" || joint.Instances[0].External[0].Orders != 1 || joint.Instances[0].External[0].BookedHours != 1 {
		t.Fatalf("cq's joint view: %+v; want sc's one order of one hour as external service", joint)
	}
	// The joint figures on both sides are the sum of each instance's own
	// (cq pulled sc at step 0; each side's mirror is current).
	scJoint := joint
	scJoint.Instances = nil // a fresh slice: decoding must not write into cq's
	scAdmin.getJSON(t, "/api/v1/federation/stats", 200, &scJoint)
	if len(joint.Instances) != 2 || len(scJoint.Instances) != 2 || !scJoint.Instances[0].Own {
		t.Fatalf("joint views: cq %+v, sc %+v; want each with its own figures and the peer's", joint, scJoint)
	}
	cqOwn, scOwn := joint.Instances[0], scJoint.Instances[0]
	for _, j := range []struct {
		n int
		v int64
	}{{joint.Instruments, joint.ValueFen}, {scJoint.Instruments, scJoint.ValueFen}} {
		if j.n != cqOwn.Instruments+scOwn.Instruments || j.v != cqOwn.ValueFen+scOwn.ValueFen || cqOwn.Instruments != 2 || scOwn.Instruments != 1 {
			t.Fatalf("joint %d instruments, %d fen; own cq %+v, sc %+v", j.n, j.v, cqOwn, scOwn)
		}
	}

	// 3. Race: 12 Sichuan requests (distinct keys) and 12 Chongqing
	// requests for one slot: exactly one booking.
	race := nextDay(14)
	var wins, losses atomic.Int32
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			req := map[string]any{"home": "cq", "instrument_id": ids.sem, "item_id": ids.semItem, "start": race.Format(time.RFC3339),
				"end": race.Add(30 * time.Minute).Format(time.RFC3339), "idempotency_key": fmt.Sprintf("race-sc-%04d", i)}
			st, _ := researcher.do("POST", "/api/v1/federation/bookings", req)
			count(st, &wins, &losses)
		}()
		go func() {
			defer wg.Done()
			req := map[string]any{"item_id": ids.semItem, "start": race.Format(time.RFC3339), "end": race.Add(30 * time.Minute).Format(time.RFC3339)}
			st, _ := cqManager.do("POST", fmt.Sprintf("/api/v1/instruments/%d/orders", ids.sem), req)
			count(st, &wins, &losses)
		}()
	}
	wg.Wait()
	if wins.Load() != 1 || losses.Load() != 23 {
		t.Fatalf("race for one slot: %d bookings, %d refusals; want 1 and 23", wins.Load(), losses.Load())
	}

	// 4. A tampered feed page and a replayed one are refused; the mirror
	// stays as it was.
	px.set("tamper")
	if p := scAdmin.pull(t, "cq", false); !strings.Contains(p.Error, "signature") {
		t.Fatalf("tampered pull: %+v; want refused for its signature", p)
	}
	px.set("replay")
	if p := scAdmin.pull(t, "cq", false); !strings.Contains(p.Error, "signature") {
		t.Fatalf("replayed pull: %+v; want refused for its signature", p)
	}
	px.set("")
	researcher.getJSON(t, "/api/v1/instruments?q="+url.QueryEscape("电镜"), 200, &search)
	if search.Total != 3 {
		t.Fatalf("after the refused pulls the search has %d hits, want the 3 as before", search.Total)
	}

	// 5. A retirement propagates as a tombstone.
	cqManager.postJSON(t, fmt.Sprintf("/api/v1/instruments/%d/lifecycle", ids.tem), map[string]any{"action": "retire", "reason": "报废"}, 200, nil)
	if p := scAdmin.pull(t, "cq", false); p.Error != "" || p.Applied != 1 {
		t.Fatalf("pull after the retirement: %+v; want 1 change", p)
	}
	researcher.getJSON(t, fmt.Sprintf("/api/v1/federation/instruments/cq/%d", ids.tem), 404, nil)

	// 6. Drift: the mirror is damaged behind the feed's back (a record
	// changed, a foreign row added); the checksum finds it and the repair
	// restores the home's catalogue.
	driver, src := "pgx", inst["sc"].db
	if path, ok := strings.CutPrefix(src, "sqlite:"); ok {
		driver, src = "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)"
	}
	mirror, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	defer mirror.Close()
	mustExec(t, mirror, `UPDATE fed_mirror SET name = 'X', record_hash = 'x' WHERE home = 'cq' AND remote_id = $1`, ids.sem)
	mustExec(t, mirror, `INSERT INTO fed_mirror SELECT home, 999, global_id, name, unit_name, unit_type, class_code, region_code, status, original_value, price_from,
		mode_self, mode_assisted, mode_sample, enrolled_on, search_text, record, record_hash, avail, avail_at, updated_at FROM fed_mirror WHERE home = 'cq' AND remote_id = $1`, ids.sem)
	if p := scAdmin.pull(t, "cq", true); p.Error != "" || !p.Checked || p.Repaired == 0 {
		t.Fatalf("checked pull: %+v; want the drift repaired", p)
	}
	var n int
	var name string
	if err := mirror.QueryRow(`SELECT COUNT(*), MAX(name) FROM fed_mirror WHERE home = 'cq'`).Scan(&n, &name); err != nil {
		t.Fatal(err)
	}
	if n != 1 || name != "场发射扫描电镜" {
		t.Fatalf("repaired mirror: %d rows, name %q; want the one live cq instrument as published", n, name)
	}
	if p := scAdmin.pull(t, "cq", true); p.Error != "" || p.Repaired != 0 {
		t.Fatalf("second checked pull: %+v; want nothing to repair", p)
	}

	// 7. Chongqing down: the mirror stays, marked with its age; a booking
	// answers 503 and creates nothing anywhere.
	inst["cq"].stop(t)
	if p := scAdmin.pull(t, "cq", false); p.Error == "" {
		t.Fatalf("pull with cq down: %+v; want an error", p)
	}
	var peers struct {
		Peers []struct {
			ID        string  `json:"id"`
			LastOK    string  `json:"last_ok"`
			LastError string  `json:"last_error"`
			AgeSec    float64 `json:"age_seconds"`
		} `json:"peers"`
	}
	scAdmin.getJSON(t, "/api/v1/federation/peers", 200, &peers)
	if len(peers.Peers) != 1 || peers.Peers[0].LastError == "" || peers.Peers[0].LastOK == "" || peers.Peers[0].AgeSec < 0 {
		t.Fatalf("peer status with cq down: %+v; want the last error and the mirror's age", peers)
	}
	researcher.getJSON(t, "/api/v1/instruments?q="+url.QueryEscape("电镜"), 200, &search)
	if search.Total != 2 {
		t.Fatalf("search with cq down: %d hits, want sc's own and the mirrored cq microscope", search.Total)
	}
	researcher.getJSON(t, "/api/v1/federation/bookings", 200, &mine)
	before := len(mine.Bookings)
	down := map[string]any{"home": "cq", "instrument_id": ids.sem, "item_id": ids.semItem, "start": nextDay(16).Format(time.RFC3339),
		"end": nextDay(16).Add(time.Hour).Format(time.RFC3339), "idempotency_key": "sc-book-down-01"}
	if st, body := researcher.do("POST", "/api/v1/federation/bookings", down); st != 503 {
		t.Fatalf("booking with cq down: %d %s; want 503", st, body)
	}
	researcher.getJSON(t, "/api/v1/federation/bookings", 200, &mine)
	if len(mine.Bookings) != before {
		t.Fatalf("bookings after the 503: %d, want %d as before", len(mine.Bookings), before)
	}

	// 8. Recovery: Chongqing restarts on its database; the same request
	// now books once, and its retry returns the same booking.
	inst["cq"].start(t, bin)
	var b3, b4 bookingView
	researcher.postJSON(t, "/api/v1/federation/bookings", down, 200, &b3)
	researcher.postJSON(t, "/api/v1/federation/bookings", down, 200, &b4)
	if b3.ID != b4.ID || b3.RemoteOrder != b4.RemoteOrder {
		t.Fatalf("after recovery: %+v / %+v; want one booking", b3, b4)
	}
	researcher.getJSON(t, "/api/v1/federation/bookings", 200, &mine)
	if len(mine.Bookings) != before+1 {
		t.Fatalf("bookings after recovery: %d, want %d", len(mine.Bookings), before+1)
	}

	// 9. Money: a Sichuan firm's voucher on its Chongqing booking. Sichuan's
	// bureau funds and allocates; the firm's engineer books with the
	// voucher (¥300 an hour at the partner rate: ¥150 reserved at sc);
	// Chongqing runs the order to the confirmed usage; the next pull
	// brings Chongqing's signed evidence and sc settles the redemption.
	year := time.Now().In(instruments.Zone).Year()
	scAdmin.postJSON(t, "/api/v1/instrument-vouchers", map[string]any{"kind": "fund", "year": year, "amount_fen": 1_000_000_00}, 204, nil)
	scAdmin.postJSON(t, "/api/v1/instrument-vouchers", map[string]any{"kind": "allocate", "year": year, "enterprise_id": firmID, "amount_fen": 50_000_00}, 204, nil)
	engineer := ssoLogin(t, scURL, "wanggong")
	vslot := nextDay(18)
	var vb struct {
		bookingView
		VoucherState string `json:"voucher_state"`
		VoucherFen   int64  `json:"voucher_fen"`
	}
	engineer.postJSON(t, "/api/v1/federation/bookings", map[string]any{"home": "cq", "instrument_id": ids.sem, "item_id": ids.semItem,
		"start": vslot.Format(time.RFC3339), "end": vslot.Add(time.Hour).Format(time.RFC3339), "idempotency_key": "sc-voucher-01", "voucher": true}, 200, &vb)
	engineer.postJSON(t, fmt.Sprintf("/api/v1/federation/bookings/%d/confirm", vb.ID), map[string]any{}, 200, &vb)
	if vb.VoucherState != "reserved" || vb.VoucherFen != 150_00 {
		t.Fatalf("confirmed voucher booking: %+v; want ¥150 reserved", vb)
	}
	for _, a := range []map[string]any{{"action": "approve"}, {"action": "schedule"}, {"action": "start"}, {"action": "complete"},
		{"action": "confirm_usage", "actual_minutes": 60, "billable_minutes": 60}} {
		cqManager.postJSON(t, fmt.Sprintf("/api/v1/instrument-orders/%d/actions", vb.RemoteOrder), a, 200, nil)
	}
	if p := scAdmin.pull(t, "cq", false); p.Error != "" {
		t.Fatalf("pull with the evidence: %+v", p)
	}
	var settlements struct {
		Settlements []struct {
			ID           int64  `json:"id"`
			EnterpriseID int64  `json:"enterprise_id"`
			VoucherState string `json:"voucher_state"`
			SettledFen   int64  `json:"settled_fen"`
			EvidenceFen  int64  `json:"evidence_amount_fen"`
		} `json:"settlements"`
	}
	scAdmin.getJSON(t, "/api/v1/federation/vouchers", 200, &settlements)
	if len(settlements.Settlements) != 1 || settlements.Settlements[0].ID != vb.ID || settlements.Settlements[0].EnterpriseID != firmID ||
		settlements.Settlements[0].VoucherState != "settled" || settlements.Settlements[0].EvidenceFen != 300_00 || settlements.Settlements[0].SettledFen != 150_00 {
		t.Fatalf("sc's settlements: %+v; want booking %d settled ¥150 on cq's evidence of ¥300", settlements.Settlements, vb.ID)
	}
}

// seedFirm gives Sichuan a firm and its engineer, linked to the shared
// provider's identity sc-7002, so that their bookings can carry the
// firm's voucher.
func seedFirm(t *testing.T, db, issuer string) int64 {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	code := webtest.CreditCode(t, "500101", 7002)
	if _, err := a.Store.UpsertEnterprises(ctx, []sqlstore.EnterpriseWithYear{{Enterprise: enterprise.Enterprise{CreditCode: code, Name: "成都测试仪器有限公司",
		RegionCode: "500101", IndustryCode: "3670", Founded: time.Date(2015, 5, 1, 0, 0, 0, 0, time.UTC)}}}); err != nil {
		t.Fatal(err)
	}
	id, err := a.Store.EnterpriseIDByCreditCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.CreateLinkedUser(ctx, auth.User{Username: "wanggong", DisplayName: "王工", PasswordHash: "!sso", Role: auth.RoleEnterprise,
		EnterpriseID: id}, issuer, "sc-7002"); err != nil {
		t.Fatal(err)
	}
	return id
}

type bookingView struct {
	ID          int64  `json:"id"`
	RemoteOrder int64  `json:"remote_order_id"`
	State       string `json:"state"`
	UnitPrice   int64  `json:"unit_price_fen"`
}

func count(status int, wins, losses *atomic.Int32) {
	switch {
	case status == 200 || status == 201:
		wins.Add(1)
	case status == 409 || status == 400:
		losses.Add(1)
	}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// nextDay is hour:00 local time (UTC+8) two days ahead.
func nextDay(hour int) time.Time {
	d := time.Now().In(instruments.Zone).AddDate(0, 0, 2)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, instruments.Zone)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// idpUsers is the shared provider's user list.
type idpUsers map[string]*storage.User

func (u idpUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u idpUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u idpUsers) ExampleClientID() string { return storage.ServiceUserID }

// sharedProvider starts the OpenID provider both instances trust, with a
// client per instance.
func sharedProvider(t *testing.T, bases map[string]string) (string, map[string]string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String() + "/"
	clients := map[string]string{}
	for id, base := range bases {
		clients[id] = "ibrain-fed-" + id
		storage.RegisterClients(storage.WebClient(clients[id], "secret", base+"/sso/gov/callback"))
	}
	users := idpUsers{"sc-7001": {ID: "sc-7001", Username: "chenjing", Password: "idp-pass", FirstName: "静", LastName: "陈"},
		"sc-7002": {ID: "sc-7002", Username: "wanggong", Password: "idp-pass", FirstName: "工", LastName: "王"}}
	srv := httptest.NewUnstartedServer(exampleop.SetupServer(issuer, storage.NewStorage(users), nil, false))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer, clients
}

// peerProxy forwards to the target, or tampers with the answers'
// bodies, or answers with the last answer it saw (a replay).
type peerProxy struct {
	target string
	mu     sync.Mutex
	mode   string
	last   []byte
	lastH  http.Header
}

func (p *peerProxy) set(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
}

func (p *peerProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	mode, last, lastH := p.mode, p.last, p.lastH
	p.mu.Unlock()
	if mode == "replay" && last != nil {
		for k, v := range lastH {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(200)
		_, _ = w.Write(last)
		return
	}
	body, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if mode == "tamper" {
		out = append(out, ' ') // still valid JSON, no longer what was signed
	}
	if res.StatusCode == 200 && strings.HasPrefix(r.URL.Path, "/api/v1/fed/changes") {
		p.mu.Lock()
		p.last, p.lastH = out, res.Header.Clone()
		p.mu.Unlock()
	}
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length") // the body may have changed
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(out)
}

type instance struct {
	id, url, port, db string
	args              []string
	cmd               *exec.Cmd
	log               *bytes.Buffer
}

func (in *instance) start(t *testing.T, bin string) {
	t.Helper()
	in.log = &bytes.Buffer{}
	in.cmd = exec.Command(bin, in.args...)
	in.cmd.Stdout, in.cmd.Stderr = in.log, in.log
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmd := in.cmd
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_, _ = cmd.Process.Wait()
		}
	})
	for range 600 {
		res, err := http.Get(in.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not start:\n%s", in.id, in.log)
}

// stop kills the process: no graceful shutdown, as a crash.
func (in *instance) stop(t *testing.T) {
	t.Helper()
	if err := in.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_, _ = in.cmd.Process.Wait()
}

type seeded struct {
	sem, semItem, tem int64
}

// seed prepares both databases before the servers start: Chongqing with
// a unit, two open instruments (rates for enterprise and partner-region
// users) and its staff; Sichuan with one instrument of its own and its
// system administrator.
func seed(t *testing.T, cqDB, scDB string) seeded {
	t.Helper()
	ctx := context.Background()
	h := auth.NewHasher(auth.TestParams, 1)
	var out seeded
	for _, db := range []string{cqDB, scDB} {
		a, err := app.Open(ctx, app.Config{DB: db})
		if err != nil {
			t.Fatal(err)
		}
		st := a.Store
		hash, err := h.Hash(ctx, "Fed-pass-2026!")
		if err != nil {
			t.Fatal(err)
		}
		if db == cqDB {
			mgr, err := st.CreateUser(ctx, auth.User{Username: "cq-manager", DisplayName: "manager", Role: auth.RoleInstrumentManager, PasswordHash: hash})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateUser(ctx, auth.User{Username: "cq-operator", DisplayName: "operator", Role: auth.RoleSharingOperator, PasswordHash: hash}); err != nil {
				t.Fatal(err)
			}
			us, err := st.PutUnits(ctx, []instruments.Unit{{Name: "重庆大学", Type: instruments.University, RegionCode: "500106"}})
			if err != nil {
				t.Fatal(err)
			}
			rates := []instruments.Rate{{Category: instruments.EnterpriseUser, EffectiveFrom: "2024-01-01", Price: 400 * unit.Yuan},
				{Category: instruments.PartnerRegion, EffectiveFrom: "2024-01-01", Price: 300 * unit.Yuan},
				{Category: instruments.ExternalAcademic, EffectiveFrom: "2024-01-01", Price: 350 * unit.Yuan}}
			for i, name := range []string{"场发射扫描电镜", "透射电镜"} {
				in := instruments.Instrument{UnitID: us[0].ID, LocalID: fmt.Sprintf("EM-%02d", i+1), Name: name, ClassCode: "01", Subclass: "电子光学仪器",
					Model: "SU8010", Manufacturer: "日立", Country: "日本", OriginalValue: 3_000_000 * unit.Yuan, RegionCode: "500106",
					Status: instruments.Open, EnrolledOn: "2023-05-01", Modes: []instruments.Mode{instruments.SelfOperation}, Rules: instruments.DefaultRules()}
				items := []instruments.ServiceItem{{Name: "机时", Mode: instruments.SelfOperation, Unit: instruments.PerHour, Rates: rates}}
				c, err := st.CreateInstrument(ctx, in, items, []int64{mgr})
				if err != nil {
					t.Fatal(err)
				}
				d, err := st.InstrumentDetail(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					out.sem, out.semItem = c.ID, d.Items[0].ID
				} else {
					out.tem = c.ID
				}
			}
		} else {
			if _, err := st.CreateUser(ctx, auth.User{Username: "sc-operator", DisplayName: "operator", Role: auth.RoleSharingOperator, PasswordHash: hash}); err != nil {
				t.Fatal(err)
			}
			us, err := st.PutUnits(ctx, []instruments.Unit{{Name: "四川大学", Type: instruments.University, RegionCode: "510107"}})
			if err != nil {
				t.Fatal(err)
			}
			in := instruments.Instrument{UnitID: us[0].ID, LocalID: "SEM-SC-1", Name: "扫描电镜", ClassCode: "01", Model: "Sigma 300",
				Manufacturer: "蔡司", Country: "德国", OriginalValue: 2_500_000 * unit.Yuan, RegionCode: "510107", Status: instruments.Open,
				EnrolledOn: "2022-03-01", Modes: []instruments.Mode{instruments.SelfOperation}, Rules: instruments.DefaultRules()}
			if _, err := st.CreateInstrument(ctx, in, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		a.Close()
	}
	return out
}

// client is a signed-in HTTP client of one instance.
type client struct {
	base string
	http *http.Client
}

func newClient(base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, http: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func login(t *testing.T, base, username string) *client {
	t.Helper()
	c := newClient(base)
	res, err := c.http.PostForm(base+"/login", url.Values{"username": {username}, "password": {"Fed-pass-2026!"}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || len(c.http.Jar.Cookies(res.Request.URL)) == 0 {
		t.Fatalf("sign-in of %s at %s: %d", username, base, res.StatusCode)
	}
	return c
}

var idField = regexp.MustCompile(`name="id" value="([^"]+)"`)

// ssoLogin signs in at base through the shared provider, as a browser.
func ssoLogin(t *testing.T, base, user string) *client {
	t.Helper()
	c := newClient(base)
	loc := base + "/sso/gov?next=/"
	var form string
	for range 10 {
		res, err := c.http.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if m := idField.FindSubmatch(body); m != nil {
			form = string(m[1])
			break
		}
		next, err := res.Request.URL.Parse(res.Header.Get("Location"))
		if err != nil || res.StatusCode/100 != 3 {
			t.Fatalf("sso start at %s: %d", loc, res.StatusCode)
		}
		loc = next.String()
	}
	if form == "" {
		t.Fatal("no login form at the provider")
	}
	res, err := c.http.PostForm(loc, url.Values{"username": {user}, "password": {"idp-pass"}, "id": {form}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for range 10 {
		next, err := res.Request.URL.Parse(res.Header.Get("Location"))
		if err != nil || res.StatusCode/100 != 3 {
			t.Fatalf("after the provider's login: %d", res.StatusCode)
		}
		if res, err = c.http.Get(next.String()); err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if strings.HasPrefix(next.String(), base+"/sso/gov/callback") {
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("callback: %d", res.StatusCode)
			}
			return c
		}
	}
	t.Fatal("the provider did not return to the callback")
	return nil
}

func (c *client) do(method, path string, body any) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (c *client) call(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	st, b := c.do(method, path, body)
	if st != want {
		t.Fatalf("%s %s%s: %d, want %d: %s", method, c.base, path, st, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

func (c *client) getJSON(t *testing.T, path string, want int, out any) {
	t.Helper()
	c.call(t, "GET", path, nil, want, out)
}

func (c *client) postJSON(t *testing.T, path string, body any, want int, out any) {
	t.Helper()
	c.call(t, "POST", path, body, want, out)
}

func (c *client) pull(t *testing.T, peer string, check bool) federation.PullResult {
	t.Helper()
	var r federation.PullResult
	path := "/api/v1/federation/peers/" + peer + "/pull"
	if check {
		path += "?check=1"
	}
	c.postJSON(t, path, map[string]any{}, 200, &r)
	return r
}
