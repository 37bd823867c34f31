package cockpitweb

import (
	"testing"

	"github.com/industrybrain/ibrain/internal/target"
)

func TestProgressPct(t *testing.T) {
	for _, c := range []struct {
		cmp    target.Comparator
		t, a   float64
		ratio  float64
		wantPc int
	}{
		{target.AtLeast, 8, 7.3, 0, 91}, {target.AtLeast, 400, 200, 0.5, 50}, {target.AtLeast, 8, 9, 0, 100},
		{target.AtMost, 5.5, 5, 0, 100}, {target.AtMost, 5, 10, 0, 50}, {target.About, 5.5, 5.6, 0, 100}, {target.AtLeast, 8, -2, 0, 0},
	} {
		pr := target.Progress{Target: target.Target{Comparator: c.cmp, Value: c.t}, Actual: c.a, Ratio: c.ratio, Known: true}
		if got := progressPct(pr); got != c.wantPc {
			t.Errorf("progressPct(%s %v, actual %v) = %d, want %d", c.cmp, c.t, c.a, got, c.wantPc)
		}
	}
}
