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
	ok := func(ctx context.Context, _ *Screening, gen int64, _ func()) (*Screening, error) {
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
	if _, err := c.screening(ctx, 5, day(9), func(context.Context, *Screening, int64, func()) (*Screening, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("failure: %v", err)
	}
	get(5, 9)
	if n := calls.Load(); n != 6 {
		t.Errorf("%d computations, want 6: a failure must not be kept", n)
	}

	// A caller that goes away does not cancel the computation for others.
	release := make(chan struct{})
	slow := func(ctx context.Context, base *Screening, gen int64, _ func()) (*Screening, error) {
		<-release
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return ok(ctx, base, gen, nil)
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
	sg, err := c.screening(ctx, 5, day(20), func(context.Context, *Screening, int64, func()) (*Screening, error) {
		return nil, fmt.Errorf("recomputed although a computation was under way")
	})
	if err != nil || sg == nil {
		t.Errorf("after the cancelled caller: %v", err)
	}
}

// A newer generation is computed from the previous screening; while a
// computation that declared itself slow runs, the previous screening is
// served (with its generation), and a failure keeps it as the base.
func TestScreenCacheServesPreviousWhileRefreshing(t *testing.T) {
	ctx := context.Background()
	c := newScreenCache(2)
	day := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	first, err := c.screening(ctx, 1, day, func(context.Context, *Screening, int64, func()) (*Screening, error) {
		return &Screening{Generation: 1}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var gotBase *Screening
	release := make(chan struct{})
	full := func(_ context.Context, base *Screening, gen int64, slow func()) (*Screening, error) {
		gotBase = base
		slow()
		<-release
		return &Screening{Generation: gen}, nil
	}
	sg, err := c.screening(ctx, 2, day, full)
	if err != nil || sg != first {
		t.Fatalf("during a slow refresh: %+v, %v; want the previous screening", sg, err)
	}
	if gotBase != first {
		t.Fatal("the refresh did not start from the previous screening")
	}
	// A later write while the refresh runs: still the previous one, and no
	// second computation (it would fail the test by calling this).
	sg, err = c.screening(ctx, 3, day, func(context.Context, *Screening, int64, func()) (*Screening, error) {
		return nil, errors.New("a second computation while one runs")
	})
	if err != nil || sg != first {
		t.Fatalf("a newer generation during the refresh: %+v, %v", sg, err)
	}
	close(release)
	for {
		c.mu.Lock()
		done := c.entries[day.Format(time.RFC3339Nano)].finished()
		c.mu.Unlock()
		if done {
			break
		}
		runtime.Gosched()
	}
	sg, err = c.screening(ctx, 2, day, nil)
	if err != nil || sg.Generation != 2 {
		t.Fatalf("after the refresh: %+v, %v", sg, err)
	}
	// Generation 3 is computed from 2's result; a failure keeps 2 as base.
	boom := errors.New("boom")
	if _, err := c.screening(ctx, 3, day, func(_ context.Context, base *Screening, _ int64, _ func()) (*Screening, error) {
		if base != sg {
			t.Errorf("base %+v, want generation 2's", base)
		}
		return nil, boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failure: %v", err)
	}
	if _, err := c.screening(ctx, 3, day, func(_ context.Context, base *Screening, gen int64, _ func()) (*Screening, error) {
		if base != sg {
			t.Errorf("after a failure, base %+v, want generation 2's", base)
		}
		return &Screening{Generation: gen}, nil
	}); err != nil {
		t.Fatal(err)
	}
}
