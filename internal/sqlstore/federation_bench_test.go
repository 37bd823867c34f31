package sqlstore

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/federation"
	"github.com/industrybrain/ibrain/internal/instruments"
)

// homeTransport answers a puller's requests from a home service in
// process, signed as the HTTP side signs them, so the benchmark measures
// the feed and the mirror without the network.
type homeTransport struct{ home *federation.Service }

func (h homeTransport) Do(ctx context.Context, method, u string, header map[string]string, body []byte) (int, []byte, string, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return 0, nil, "", err
	}
	var v any
	switch pu.Path {
	case "/api/v1/fed/changes":
		since, _ := strconv.ParseInt(pu.Query().Get("since"), 10, 64)
		v, err = h.home.Changes(ctx, since, federation.MaxPage)
	case "/api/v1/fed/checksum":
		v, err = h.home.Checksum(ctx)
	case "/api/v1/fed/orders":
		v = map[string]any{"events": []any{}}
	default:
		return 404, nil, "", nil
	}
	if err != nil {
		return 0, nil, "", err
	}
	b, _ := json.Marshal(v)
	return 200, b, h.home.SignResponse(header[federation.HeaderNonce], 200, b), nil
}

// BenchmarkFederationPull mirrors a home's whole catalogue
// (IBRAIN_BENCH_INSTRUMENTS, or 10,000 instruments) into an empty peer:
// every page of the signed feed read, verified and applied, then the
// checksum compared. It reports the time of one complete first pull.
func BenchmarkFederationPull(b *testing.B) {
	for _, e := range testEngines(b) {
		b.Run(e.name, func(b *testing.B) {
			home := e.open(b, Options{})
			mustMigrate(b, home)
			n := benchSize()
			benchCatalogue(b, home, n)
			cqPub, cqKey, _ := ed25519.GenerateKey(nil)
			_, scKey, _ := ed25519.GenerateKey(nil)
			homeSvc := federation.NewService(federation.Config{Instance: "cq"}, cqKey, home, instruments.NewService(home, instruments.Options{}), nil, federation.Options{})
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				peer := e.open(b, Options{})
				mustMigrate(b, peer)
				cfgJSON := fmt.Sprintf(`{"instance": "sc", "key": %q, "peers": [{"id": "cq", "url": "http://cq.test", "public_key": %q}]}`,
					federation.EncodeKey(scKey.Seed()), federation.EncodeKey(cqPub))
				cfg, key, err := federation.ParseConfig([]byte(cfgJSON), nil)
				if err != nil {
					b.Fatal(err)
				}
				svc := federation.NewService(cfg, key, peer, nil, homeTransport{homeSvc}, federation.Options{})
				b.StartTimer()
				t0 := time.Now()
				res, err := svc.Pull(ctx, "cq", federation.PullOptions{Check: true})
				if err != nil || res.Applied != n || res.Repaired != 0 {
					b.Fatalf("pull: %+v %v", res, err)
				}
				b.ReportMetric(float64(time.Since(t0).Milliseconds()), "ms/full-pull")
			}
			b.ReportMetric(float64(n), "instruments")
		})
	}
}
