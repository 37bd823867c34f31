package webtest

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/instruments"
)

// unreachable is a federation transport that reaches no peer.
type unreachable struct{}

func (unreachable) Do(context.Context, string, string, map[string]string, []byte) (int, []byte, string, error) {
	return 0, nil, "", errors.New("no peer is reachable in this test")
}

// FederationOptions federate a test server as cq with one peer, sc, that
// no request reaches: the pages show the mirror as SeedMirror left it.
func FederationOptions(t *testing.T) app.Options {
	t.Helper()
	pub := ed25519.NewKeyFromSeed(seedOf(2)).Public().(ed25519.PublicKey)
	cfg := `{"instance": "cq", "key": "` + federation.EncodeKey(seedOf(1)) + `", "trusted_issuers": ["https://idp.example.gov.cn/"],
		"peers": [{"id": "sc", "url": "http://sc.invalid", "public_key": "` + federation.EncodeKey(pub) + `"}]}`
	c, k, err := federation.ParseConfig([]byte(cfg), nil)
	if err != nil {
		t.Fatal(err)
	}
	return app.Options{Federation: app.FederationOptions{Config: c, Key: k, Transport: unreachable{}}}
}

func seedOf(b byte) []byte {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = b
	}
	return s
}

// SeedMirror puts one Sichuan instrument (id 1 at its home, sc) into a
// federated server's mirror.
func SeedMirror(t *testing.T, env *Env) {
	t.Helper()
	rules := instruments.DefaultRules()
	rec := federation.Record{Home: "sc", ID: 1, GlobalID: "sc.1/SEM-SC-1", Unit: "四川大学", UnitType: "university", Name: "场发射扫描电镜",
		ClassCode: "01", Model: "Sigma 300", Manufacturer: "蔡司", Country: "德国", OriginalValue: 250_000_000, RegionCode: "510107",
		Location: "成都市武侯区", Modes: []string{"self"}, Status: "open", EnrolledOn: "2022-03-01", PriceFrom: 30000,
		Items: []federation.Item{{ID: 1, Name: "机时", Mode: "self", Unit: "hour", Rates: []federation.Rate{{Category: "partner", EffectiveFrom: "2024-01-01", PriceFen: 30000}}}},
		Rules: &rules}
	av := federation.AvailabilityOf(rules, nil, time.Now())
	if err := env.Store.ApplyMirror(context.Background(), "sc", []federation.MirrorRow{{Record: rec, Avail: &av}}, 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A booking of it by the firm user, so "my orders" shows its table of
	// bookings at peers.
	if id, ok := env.Users["firm"]; ok {
		start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		if _, err := env.Store.PutRemoteBooking(context.Background(), federation.RemoteBooking{UserID: id, Home: "sc", Key: "u1:walk-booking-1", HoldID: 1,
			RemoteOrder: 1, InstrumentID: 1, InstrumentName: rec.Name, Start: start, End: start.Add(time.Hour), State: "approved", UnitPrice: 30000,
			ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
}
