package mujun

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/region"
	"github.com/industrybrain/ibrain/internal/unit"
)

// genFacts makes n deterministic firms over the 41 statistical units: two
// thirds above scale, the rest below (some under the 3-mu threshold), ~10 %
// without emissions data, ~3 % new firms, ~1 % utilities, ~0.5 % vetoed.
func genFacts(tb testing.TB, n int, seed uint64) []Facts {
	cat, err := region.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	codes := make([]string, len(cat.Regions))
	for i, r := range cat.Regions {
		codes[i] = r.Code
	}
	if len(codes) != 41 {
		tb.Fatalf("%d regions, want 41", len(codes))
	}
	parks := make([]string, 5)
	for i := range parks {
		parks[i] = fmt.Sprintf("P%d", i)
	}
	rng := rand.New(rand.NewPCG(seed, 2024))
	logn := func(median, sigma float64) float64 { return median * math.Exp(sigma*rng.NormFloat64()) }
	out := make([]Facts, n)
	for i := range out {
		f := &out[i]
		f.EnterpriseID = int64(i + 1)
		f.RegionCode = codes[rng.IntN(len(codes))]
		if rng.IntN(3) > 0 {
			f.ParkCode = f.RegionCode + "-" + parks[rng.IntN(len(parks))]
		}
		landMu := logn(30, 1)
		f.Group = AboveScale
		if i%3 == 2 {
			f.Group = BelowScale
			landMu = logn(8, 0.8)
		}
		f.Land = Some(unit.Mu100(landMu * 100))
		va := logn(130, 0.7) * landMu // 万元
		f.ValueAdded = Some(unit.Fen(va * 1e6))
		f.Tax = Some(unit.Fen(logn(0.18, 0.6) * va * 1e6))
		rev := va * logn(4, 0.3)
		f.Revenue = Some(unit.Fen(rev * 1e6))
		f.RD = Some(unit.Fen(rev * logn(0.02, 0.8) * 1e6))
		f.Energy = Some(unit.KgCE(va / logn(2.5, 0.6) * 1000))
		f.Employees = Some(int64(max(1, va/logn(18, 0.5))))
		f.Electricity = Some(int64(va * 1e4 / logn(0.9, 0.5)))
		if rng.IntN(10) > 0 {
			f.Emissions = Some(int64(va / logn(4900, 1) * 1000))
		}
		f.Section = "C"
		if rng.IntN(100) == 0 {
			f.Section = "D"
		}
		f.Founded = time.Date(2000+rng.IntN(25), time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		if rng.IntN(200) == 0 {
			f.Vetoes = []string{"major_safety_accident"}
		} else if rng.IntN(200) == 0 {
			f.Vetoes = []string{"environmental_penalty"}
		}
	}
	return out
}

// BenchmarkRun150k is a full run of the default Chongqing configuration
// over 150,000 firms in 41 regions, with a prior run for the benchmarks
// and the surcharge escalation.
func BenchmarkRun150k(b *testing.B) {
	cfg, err := Builtin("chongqing_2024")
	if err != nil {
		b.Fatal(err)
	}
	prevCfg := cfg
	prevCfg.Year = 2023
	prior, err := Run(prevCfg, genFacts(b, 150_000, 1), nil)
	if err != nil {
		b.Fatal(err)
	}
	facts := genFacts(b, 150_000, 2)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(cfg, facts, &prior); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLargeRunInvariants checks the generated 150k run: every firm in scope
// has a class, the rank-share quotas hold, and shares are near 20/40/35/5.
func TestLargeRunInvariants(t *testing.T) {
	if testing.Short() {
		t.Skip("large run")
	}
	cfg, _ := Builtin("chongqing_2024")
	facts := genFacts(t, 150_000, 3)
	r := mustRun(t, cfg, facts, nil)
	if len(r.Enterprises)+len(r.Skipped) != len(facts) {
		t.Fatalf("%d + %d != %d", len(r.Enterprises), len(r.Skipped), len(facts))
	}
	if len(r.Regions) != 41 {
		t.Errorf("%d regions", len(r.Regions))
	}
	for _, g := range r.Groups {
		for _, c := range g.Classes {
			if c.Class == "A" && (c.Quota == 0 || math.Abs(float64(c.Quota)/float64(g.Rated)-0.2) > 0.01) {
				t.Errorf("%s: A quota %d of %d", g.Group, c.Quota, g.Rated)
			}
		}
	}
	for _, e := range r.Enterprises {
		if e.Class == "" || (e.Exempt == "" && e.Rank == 0) {
			t.Fatalf("firm %d: class %q rank %d", e.EnterpriseID, e.Class, e.Rank)
		}
	}
	if r.Total.Firms != len(r.Enterprises) {
		t.Errorf("total firms %d", r.Total.Firms)
	}
}
