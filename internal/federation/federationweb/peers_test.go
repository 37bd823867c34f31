package federationweb_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestPeerAddedAtRunTime: Chongqing starts with no peer in its
// configuration, so Sichuan's signed requests are refused; a peer stored
// in Chongqing's database (what 'ibrain peer add' does against a running
// server's database) is used by the same running service from its next
// request: Sichuan's pull succeeds, and Chongqing lists, pulls and
// reports the new peer. Removing the row ends it again.
func TestPeerAddedAtRunTime(t *testing.T) {
	for name, dsn := range webtest.EngineDSNs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cqPub, cqKey, _ := ed25519.GenerateKey(rand.Reader)
			scPub, scKey, _ := ed25519.GenerateKey(rand.Reader)
			tr := handlers{}
			opts := func(self string, key ed25519.PrivateKey, peers string) app.Options {
				cfg := fmt.Sprintf(`{"instance": %q, "key": %q, "trusted_issuers": [%q], "peers": [%s]}`, self, federation.EncodeKey(key.Seed()), issuer, peers)
				c, k, err := federation.ParseConfig([]byte(cfg), nil)
				if err != nil {
					t.Fatal(err)
				}
				return app.Options{Federation: app.FederationOptions{Config: c, Key: k, Transport: tr}}
			}
			cq := webtest.NewWith(t, dsn(t), opts("cq", cqKey, ""))
			sc := webtest.NewWith(t, dsn(t), opts("sc", scKey, fmt.Sprintf(`{"id": "cq", "url": "http://cq.test", "public_key": %q}`, federation.EncodeKey(cqPub))))
			tr["cq.test"], tr["sc.test"] = cq.H, sc.H

			// cq refuses the unknown peer; its refusal is not one sc can
			// verify either, so sc records an error and applies nothing.
			if r, err := sc.App.Federation.Pull(ctx, "cq", federation.PullOptions{}); err == nil || r.Error == "" || r.Applied != 0 {
				t.Fatalf("pull of cq before cq knows sc: %+v %v; want refused", r, err)
			}
			if st, err := cq.App.Federation.Status(ctx); err != nil || len(st) != 0 {
				t.Fatalf("cq's peers before the add: %+v %v", st, err)
			}

			sp, err := federation.CheckPeer(federation.Peer{ID: "sc", URL: "http://sc.test", PublicKey: federation.EncodeKey(scPub)})
			if err != nil {
				t.Fatal(err)
			}
			if err := cq.Store.AddFedPeer(ctx, sp, time.Now()); err != nil {
				t.Fatal(err)
			}
			if r, err := sc.App.Federation.Pull(ctx, "cq", federation.PullOptions{Check: true}); err != nil || r.Error != "" || !r.Checked {
				t.Fatalf("pull of cq after the add: %+v %v", r, err)
			}
			if rs := cq.App.Federation.PullAll(ctx, federation.PullOptions{}); len(rs) != 1 || rs[0].Peer != "sc" || rs[0].Error != "" {
				t.Fatalf("cq's pull round after the add: %+v; want sc pulled", rs)
			}
			st, err := cq.App.Federation.Status(ctx)
			if err != nil || len(st) != 1 || st[0].Peer.ID != "sc" || st[0].State.LastOK.IsZero() {
				t.Fatalf("cq's peers after the add: %+v %v", st, err)
			}

			if err := cq.Store.RemoveFedPeer(ctx, "sc"); err != nil {
				t.Fatal(err)
			}
			if r, err := sc.App.Federation.Pull(ctx, "cq", federation.PullOptions{}); err == nil || r.Error == "" {
				t.Fatalf("pull of cq after the removal: %+v; want refused", r)
			}
		})
	}
}
