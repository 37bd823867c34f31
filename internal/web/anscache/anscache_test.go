package anscache_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/industrybrain/ibrain/internal/web/anscache"
)

func answer(body string) anscache.Answer { return anscache.Answer{Body: []byte(body)} }

// counted returns a compute func answering body with reuse, and its count.
func counted(body string, reuse anscache.Reuse) (func() (anscache.Answer, anscache.Reuse), *atomic.Int64) {
	var n atomic.Int64
	return func() (anscache.Answer, anscache.Reuse) {
		n.Add(1)
		return answer(body), reuse
	}, &n
}

func do(c *anscache.Cache, gen int64, key string, fn func() (anscache.Answer, anscache.Reuse)) (string, anscache.Source) {
	a, src := c.Do(context.Background(), gen, key, fn)
	return string(a.Body), src
}

func TestGenerations(t *testing.T) {
	c := anscache.New(anscache.Options{})
	fn, n := counted("a", anscache.Keep)
	if b, src := do(c, 5, "k", fn); b != "a" || src != anscache.Computed {
		t.Fatalf("first: %q %v", b, src)
	}
	if b, src := do(c, 5, "k", fn); b != "a" || src != anscache.Hit || n.Load() != 1 {
		t.Fatalf("same generation: %q %v, computed %d", b, src, n.Load())
	}
	// A write: generation 6 computes anew and drops generation 5.
	fn6, n6 := counted("b", anscache.Keep)
	if b, src := do(c, 6, "k", fn6); b != "b" || src != anscache.Computed || n6.Load() != 1 {
		t.Fatalf("newer generation: %q %v", b, src)
	}
	if st := c.Stats(); st.Entries != 1 || st.Resets != 1 || st.Generation != 6 {
		t.Fatalf("after the reset: %+v", st)
	}
	// A request that read generation 5 before the write committed is
	// neither served generation 6's answer nor stored.
	fn5, n5 := counted("old", anscache.Keep)
	if b, src := do(c, 5, "k", fn5); b != "old" || src != anscache.Computed {
		t.Fatalf("older generation: %q %v", b, src)
	}
	do(c, 5, "k", fn5)
	if n5.Load() != 2 {
		t.Fatalf("an older generation was cached: computed %d times", n5.Load())
	}
	if b, src := do(c, 6, "k", fn6); b != "b" || src != anscache.Hit {
		t.Fatalf("generation 6 after an older request: %q %v", b, src)
	}
}

func TestKeysAreSeparate(t *testing.T) {
	c := anscache.New(anscache.Options{})
	do(c, 1, "city", func() (anscache.Answer, anscache.Reuse) { return answer("city"), anscache.Keep })
	if b, _ := do(c, 1, "district", func() (anscache.Answer, anscache.Reuse) { return answer("district"), anscache.Keep }); b != "district" {
		t.Fatalf("district got %q", b)
	}
	if b, src := do(c, 1, "city", nil); b != "city" || src != anscache.Hit {
		t.Fatalf("city got %q %v", b, src)
	}
}

func TestOnlyKeepIsKept(t *testing.T) {
	for _, reuse := range []anscache.Reuse{anscache.Private, anscache.Share} {
		c := anscache.New(anscache.Options{})
		fn, n := counted("x", reuse)
		do(c, 1, "k", fn)
		do(c, 1, "k", fn)
		if n.Load() != 2 || c.Stats().Entries != 0 {
			t.Errorf("reuse %d: computed %d times, %d entries", reuse, n.Load(), c.Stats().Entries)
		}
	}
}

// concurrent starts n callers of key whose computation blocks until
// every other caller waits for it, and returns their answers and sources.
func concurrent(t *testing.T, c *anscache.Cache, n int, reuse anscache.Reuse) ([]string, []anscache.Source, int64) {
	t.Helper()
	var computed atomic.Int64
	release := make(chan struct{})
	fn := func() (anscache.Answer, anscache.Reuse) {
		k := computed.Add(1)
		if k == 1 {
			<-release
		}
		return answer(fmt.Sprint("answer ", k)), reuse
	}
	bodies, srcs := make([]string, n), make([]anscache.Source, n)
	var wg sync.WaitGroup
	wg.Go(func() { bodies[0], srcs[0] = do(c, 1, "k", fn) })
	for computed.Load() == 0 {
		runtime.Gosched()
	}
	for i := 1; i < n; i++ {
		wg.Go(func() { bodies[i], srcs[i] = do(c, 1, "k", fn) })
	}
	for c.Waiting() < n-1 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	return bodies, srcs, computed.Load()
}

func TestConcurrentMissesComputeOnce(t *testing.T) {
	c := anscache.New(anscache.Options{})
	bodies, srcs, computed := concurrent(t, c, 16, anscache.Keep)
	if computed != 1 {
		t.Fatalf("computed %d times, want 1", computed)
	}
	shared := 0
	for i, b := range bodies {
		if b != "answer 1" {
			t.Errorf("caller %d got %q", i, b)
		}
		if srcs[i] == anscache.Shared {
			shared++
		}
	}
	if shared != 15 {
		t.Errorf("%d callers shared the computation, want 15", shared)
	}
	if _, src := do(c, 1, "k", nil); src != anscache.Hit {
		t.Errorf("afterwards: %v, want a hit", src)
	}
}

func TestConcurrentShareIsSharedNotKept(t *testing.T) {
	c := anscache.New(anscache.Options{})
	bodies, _, computed := concurrent(t, c, 8, anscache.Share)
	if computed != 1 || strings.Count(strings.Join(bodies, ","), "answer 1") != 8 {
		t.Fatalf("computed %d times: %v", computed, bodies)
	}
	if c.Stats().Entries != 0 {
		t.Fatal("a provisional answer was kept")
	}
}

func TestConcurrentPrivateIsComputedByEach(t *testing.T) {
	c := anscache.New(anscache.Options{})
	bodies, _, computed := concurrent(t, c, 8, anscache.Private)
	if computed != 8 {
		t.Fatalf("computed %d times, want 8 (each caller its own): %v", computed, bodies)
	}
}

func TestPanicEndsTheFlight(t *testing.T) {
	c := anscache.New(anscache.Options{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer func() { _ = recover() }()
		c.Do(context.Background(), 1, "k", func() (anscache.Answer, anscache.Reuse) {
			<-release
			panic("handler failed")
		})
	})
	for c.Waiting() == 0 && !started(c) {
		runtime.Gosched()
	}
	var got string
	wg.Go(func() {
		got, _ = do(c, 1, "k", func() (anscache.Answer, anscache.Reuse) { return answer("own"), anscache.Keep })
	})
	for c.Waiting() < 1 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if got != "own" {
		t.Fatalf("the waiter got %q, want its own answer", got)
	}
}

// started reports whether a computation is in flight (a second caller
// would wait).
func started(c *anscache.Cache) bool { return c.Stats().Computed > 0 }

func TestBounds(t *testing.T) {
	keep := func(body string) func() (anscache.Answer, anscache.Reuse) {
		return func() (anscache.Answer, anscache.Reuse) { return answer(body), anscache.Keep }
	}
	c := anscache.New(anscache.Options{MaxEntries: 2})
	do(c, 1, "a", keep("a"))
	do(c, 1, "b", keep("b"))
	do(c, 1, "a", nil) // a is now the most recently used
	do(c, 1, "c", keep("c"))
	if _, src := do(c, 1, "a", keep("a")); src != anscache.Hit {
		t.Error("the recently used answer was evicted")
	}
	if _, src := do(c, 1, "b", keep("b")); src != anscache.Computed {
		t.Error("the least recently used answer was kept past MaxEntries")
	}
	if st := c.Stats(); st.Entries != 2 || st.Evicted < 1 {
		t.Errorf("stats %+v", st)
	}

	big := strings.Repeat("x", 1000)
	c = anscache.New(anscache.Options{MaxBytes: 4000, MaxAnswerBytes: 2000})
	for _, k := range []string{"1", "2", "3", "4", "5"} {
		do(c, 1, k, keep(big))
	}
	if st := c.Stats(); st.Bytes > 4000 || st.Entries >= 5 || st.Entries == 0 {
		t.Errorf("byte bound: %+v", st)
	}
	do(c, 1, "huge", keep(strings.Repeat("y", 3000)))
	if _, src := do(c, 1, "huge", keep("")); src != anscache.Computed {
		t.Error("an answer above MaxAnswerBytes was kept")
	}
}
