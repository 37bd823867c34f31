package cultivation

import (
	"context"
	"sync"
	"time"
)

// screenCache keeps city-wide screenings tagged with the store's profile
// generation (Store.ProfileGeneration). A request reads the generation,
// reuses the screening of its date computed at that generation or later,
// and narrows it to the caller's scope: a firm's verdicts depend only on
// its own data, so narrowing is exact. Because the generation lives in the
// database and every profile write increments it in its own transaction,
// servers sharing a database never serve a screening older than the data
// they have seen change.
//
// Concurrent requests for a missing screening wait for one computation.
// Only the newest generation is kept, for at most Options.CachedDates dates,
// least recently used first out.
type screenCache struct {
	cachedDates int

	mu      sync.Mutex
	gen     int64 // generation of every entry
	tick    uint64
	entries map[string]*screenEntry
	// latestComplete is LatestCompleteYear at gen (it reads December
	// reports, which the generation covers); valid when haveLatest.
	latestComplete int
	haveLatest     bool
}

type screenEntry struct {
	done chan struct{} // closed when sg and err are set
	sg   *Screening
	err  error
	used uint64
	// waiting counts the requests waiting for done (under mu), so tests
	// can tell that concurrent requests share one computation.
	waiting int
}

// newScreenCache returns a cache keeping at most cachedDates screenings
// (2 when not positive).
func newScreenCache(cachedDates int) *screenCache {
	if cachedDates <= 0 {
		cachedDates = 2
	}
	return &screenCache{cachedDates: cachedDates, entries: map[string]*screenEntry{}}
}

// advance moves the cache to generation gen, dropping older screenings.
// A request that read an older generation than the cache holds is served
// the newer data: its data changed while it ran. Call with mu held.
func (c *screenCache) advance(gen int64) {
	if gen > c.gen {
		c.gen, c.entries, c.haveLatest = gen, map[string]*screenEntry{}, false
	}
}

// latestCompleteYear returns the latest year with December reports as of
// generation gen, loading it once per generation.
func (c *screenCache) latestCompleteYear(ctx context.Context, gen int64, load func(context.Context) (int, error)) (int, error) {
	c.mu.Lock()
	c.advance(gen)
	if c.haveLatest {
		y := c.latestComplete
		c.mu.Unlock()
		return y, nil
	}
	at := c.gen
	c.mu.Unlock()
	y, err := load(ctx)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.gen == at { // read after the generation: current for it
		c.latestComplete, c.haveLatest = y, true
	}
	c.mu.Unlock()
	return y, nil
}

// screening returns the city-wide screening on asOf as of generation gen
// or later, computing it with compute when missing. compute runs detached
// from the request, so a caller going away does not fail the others
// waiting; failures are not kept.
func (c *screenCache) screening(ctx context.Context, gen int64, asOf time.Time, compute func(ctx context.Context, gen int64) (*Screening, error)) (*Screening, error) {
	key := asOf.Format(time.RFC3339Nano)
	c.mu.Lock()
	c.advance(gen)
	c.tick++
	e, ok := c.entries[key]
	if !ok {
		e = &screenEntry{done: make(chan struct{})}
		c.entries[key] = e
		c.evict(e)
		// Tagged with the cache's generation: the store was at it or
		// later before the read starts.
		at := c.gen
		go func() {
			sg, err := compute(context.WithoutCancel(ctx), at)
			e.sg, e.err = sg, err
			close(e.done)
			if err != nil {
				c.mu.Lock()
				if c.entries[key] == e {
					delete(c.entries, key)
				}
				c.mu.Unlock()
			}
		}()
	}
	e.used = c.tick
	e.waiting++
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		e.waiting--
		c.mu.Unlock()
	}()
	select {
	case <-e.done:
		return e.sg, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// waiters returns how many requests wait for the screening on asOf.
func (c *screenCache) waiters(asOf time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[asOf.Format(time.RFC3339Nano)]; ok {
		return e.waiting
	}
	return 0
}

// evict drops the least recently used entries beyond the bound, never
// keep. Call with mu held.
func (c *screenCache) evict(keep *screenEntry) {
	for len(c.entries) > c.cachedDates {
		var oldest string
		var at uint64
		for k, e := range c.entries {
			if e != keep && (oldest == "" || e.used < at) {
				oldest, at = k, e.used
			}
		}
		delete(c.entries, oldest)
	}
}
