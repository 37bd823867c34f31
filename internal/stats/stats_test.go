package stats

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestGrowthPct(t *testing.T) {
	if g, ok := GrowthPct(1066, 1000); !ok || !near(g, 6.6) {
		t.Fatalf("GrowthPct=%v,%v", g, ok)
	}
	if _, ok := GrowthPct(5, 0); ok {
		t.Fatal("zero base must be unknown")
	}
}

func TestRealGrowthPct(t *testing.T) {
	// Current-price value 1044.68 against a base of 1000 with prices down
	// 2 % (index 98.0): real volume 1066, real growth 6.6 %.
	g, ok := RealGrowthPct(104468, 100000, 980000)
	if !ok || !near(g, 6.6) {
		t.Fatalf("RealGrowthPct=%v,%v", g, ok)
	}
	// Index 100 means no price change: real equals nominal.
	g2, _ := RealGrowthPct(1100, 1000, 1000000)
	g3, _ := GrowthPct(1100, 1000)
	if !near(g2, g3) {
		t.Fatalf("index 100: real %v nominal %v", g2, g3)
	}
	if _, ok := RealGrowthPct(1, 1, 0); ok {
		t.Fatal("missing index must be unknown")
	}
}

func TestComparableBasisDiffersFromPublishedTotals(t *testing.T) {
	// Last year's published total included a firm that left the
	// above-scale set; this year's set has a newcomer with no base. The
	// comparable basis uses only this year's set a year earlier.
	publishedLastYear := int64(100 + 50 + 30) // A, B and leaver C
	var s Sums
	s.Add(Sums{N: 1, NBase: 1, Cur: vals(110), Base: vals(100)}) // A
	s.Add(Sums{N: 1, NBase: 1, Cur: vals(60), Base: vals(50)})   // B
	s.Add(Sums{N: 1, NBase: 0, Cur: vals(20), Base: vals(0)})    // newcomer D
	comparable, _ := GrowthPct(s.Cur[0], s.Base[0])
	naive, _ := GrowthPct(s.Cur[0], publishedLastYear)
	if !near(comparable, 26.666666666666668) || near(comparable, naive) {
		t.Fatalf("comparable=%v naive=%v", comparable, naive)
	}
	if s.N != 3 || s.NBase != 2 {
		t.Fatalf("counts %d/%d", s.N, s.NBase)
	}
}

func vals(v int64) (out [9]int64) {
	out[0] = v
	return out
}

func TestSharePct(t *testing.T) {
	if v, ok := SharePct(322, 1000); !ok || !near(v, 32.2) {
		t.Fatalf("SharePct=%v", v)
	}
	if _, ok := SharePct(1, 0); ok {
		t.Fatal("zero whole must be unknown")
	}
}
