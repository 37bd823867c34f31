package cultivation

import (
	"context"
	"sync"
	"time"
)

// screenCache keeps city-wide screenings, one per assessment date, each
// tagged with the store's profile generation (Store.ProfileGeneration) it
// was read at. A request reads the generation first and is served a
// screening of that generation or later, narrowed to its scope: a firm's
// verdicts depend only on its own data, so narrowing is exact. Because the
// generation lives in the database and every profile write increments it
// in its own transaction, servers sharing a database never serve a
// screening older than the data they have seen change — with one
// exception, stated: when every firm may have changed (a bulk import, a
// catalogue change), the previous screening is served, with its
// Generation and ReadAt, while the new one is computed in the background.
//
// A newer generation does not discard a screening: it is the base the
// next one is computed from (Service.refresh re-screens only the firms
// the change log names). Concurrent requests for a missing screening wait
// for one computation. At most Options.CachedDates dates are kept, least
// recently used first out.
type screenCache struct {
	cachedDates int

	mu      sync.Mutex
	gen     int64 // newest generation a request has read
	tick    uint64
	entries map[string]*screenEntry
	// latestComplete is LatestCompleteYear at gen (it reads December
	// reports, which the generation covers); valid when haveLatest.
	latestComplete int
	haveLatest     bool
}

// screenEntry is the screening of one date for generation gen, computed
// or being computed.
type screenEntry struct {
	gen  int64
	done chan struct{} // closed when the computation ended (sg or err set)
	// ready is closed when a request can be answered: at done, or earlier
	// when stale is set.
	ready     chan struct{}
	readyShut bool
	sg        *Screening
	err       error
	stale     *Screening   // served while a full computation runs
	prev      *screenEntry // restored when the computation fails
	used      uint64
	waiting   int // requests waiting for ready (under mu), for tests
}

// computeFunc brings base (nil when none) to generation gen; it calls
// slow before a computation that takes long, so base is served meanwhile.
type computeFunc func(ctx context.Context, base *Screening, gen int64, slow func()) (*Screening, error)

// newScreenCache returns a cache keeping at most cachedDates screenings
// (2 when not positive).
func newScreenCache(cachedDates int) *screenCache {
	if cachedDates <= 0 {
		cachedDates = 2
	}
	return &screenCache{cachedDates: cachedDates, entries: map[string]*screenEntry{}}
}

// advance records that generation gen has been read: the latest complete
// year is read again. Call with mu held.
func (c *screenCache) advance(gen int64) {
	if gen > c.gen {
		c.gen, c.haveLatest = gen, false
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

// finished reports whether e's computation has ended. Call with mu held.
func (e *screenEntry) finished() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// shutReady closes ready once. Call with mu held.
func (e *screenEntry) shutReady() {
	if !e.readyShut {
		e.readyShut = true
		close(e.ready)
	}
}

// screening returns the city-wide screening on asOf as of generation gen
// or later (or, while every firm is being re-screened, the previous one),
// computing it with compute when missing. compute runs detached from the
// request, so a caller going away does not fail the others waiting;
// failures are not kept.
func (c *screenCache) screening(ctx context.Context, gen int64, asOf time.Time, compute computeFunc) (*Screening, error) {
	key := asOf.Format(time.RFC3339Nano)
	for {
		c.mu.Lock()
		c.advance(gen)
		c.tick++
		e := c.entries[key]
		switch {
		case e != nil && e.gen >= gen:
			// Current, or being computed: wait below.
		case e != nil && !e.finished():
			// An older generation is being computed: serve what it serves
			// meanwhile, or wait for it and start from its result.
			if e.stale != nil {
				e.used = c.tick
				sg := e.stale
				c.mu.Unlock()
				return sg, nil
			}
		default:
			var base *Screening
			if e != nil {
				base = e.sg
			}
			ne := &screenEntry{gen: gen, done: make(chan struct{}), ready: make(chan struct{}), prev: e}
			if base == nil {
				ne.prev = nil
			}
			c.entries[key] = ne
			c.evict(ne)
			go c.run(context.WithoutCancel(ctx), key, ne, base, compute)
			e = ne
		}
		e.used = c.tick
		e.waiting++
		c.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			c.mu.Lock()
			e.waiting--
			c.mu.Unlock()
			return nil, ctx.Err()
		}
		c.mu.Lock()
		e.waiting--
		sg, stale, err, current := e.sg, e.stale, e.err, e.gen >= gen
		c.mu.Unlock()
		switch {
		case !current:
			continue // waited for an older generation: now start from it
		case sg != nil:
			return sg, nil
		case err != nil:
			return nil, err
		}
		return stale, nil
	}
}

// run computes e from base and publishes it.
func (c *screenCache) run(ctx context.Context, key string, e *screenEntry, base *Screening, compute computeFunc) {
	sg, err := compute(ctx, base, e.gen, func() {
		c.mu.Lock()
		e.stale = base
		e.shutReady()
		c.mu.Unlock()
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	e.sg, e.err = sg, err
	close(e.done)
	e.shutReady()
	if err != nil && c.entries[key] == e {
		if e.prev != nil {
			c.entries[key] = e.prev // keep the base for the next try
		} else {
			delete(c.entries, key)
		}
	}
	e.prev = nil // not needed any more: let it be collected
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
