package cultivation

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestScreenCache covers the cache on its own: the bound on dates, a
// caller giving up while others wait, failures not kept, generations.
func TestScreenCache(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int64
	c := newScreenCache(2)
	day := func(d int) time.Time { return time.Date(2025, 6, d, 0, 0, 0, 0, time.UTC) }
	ok := func(ctx context.Context, gen int64) (*Screening, error) {
		calls.Add(1)
		return &Screening{AsOf: time.Unix(gen, 0)}, nil
	}
	get := func(gen int64, d int) *Screening {
		t.Helper()
		sg, err := c.screening(ctx, gen, day(d), ok)
		if err != nil {
			t.Fatal(err)
		}
		return sg
	}
	get(1, 1)
	get(1, 2)
	get(1, 1) // 1 is now the most recently used
	get(1, 3) // evicts 2
	if n := calls.Load(); n != 3 {
		t.Errorf("%d computations, want 3", n)
	}
	get(1, 1)
	get(1, 2)
	if n := calls.Load(); n != 4 {
		t.Errorf("%d computations after reusing 1 and recomputing 2, want 4", n)
	}
	// A newer generation replaces everything; an older one is served the
	// newer result.
	if sg := get(5, 1); sg.AsOf.Unix() != 5 {
		t.Errorf("generation 5 served the screening of %d", sg.AsOf.Unix())
	}
	if sg := get(4, 1); sg.AsOf.Unix() != 5 {
		t.Errorf("a request at generation 4 got %d, want the newer 5", sg.AsOf.Unix())
	}
	if n := calls.Load(); n != 5 {
		t.Errorf("%d computations, want 5", n)
	}

	// Failures are returned to the waiters and not kept.
	boom := errors.New("boom")
	if _, err := c.screening(ctx, 5, day(9), func(context.Context, int64) (*Screening, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("failure: %v", err)
	}
	get(5, 9)
	if n := calls.Load(); n != 6 {
		t.Errorf("%d computations, want 6: a failure must not be kept", n)
	}

	// A caller that goes away does not cancel the computation for others.
	release := make(chan struct{})
	slow := func(ctx context.Context, gen int64) (*Screening, error) {
		<-release
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return ok(ctx, gen)
	}
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error)
	go func() {
		_, err := c.screening(cctx, 5, day(20), slow)
		errc <- err
	}()
	for c.waiters(day(20)) < 1 {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v", err)
	}
	close(release)
	sg, err := c.screening(ctx, 5, day(20), func(context.Context, int64) (*Screening, error) {
		return nil, fmt.Errorf("recomputed although a computation was under way")
	})
	if err != nil || sg == nil {
		t.Errorf("after the cancelled caller: %v", err)
	}
}
