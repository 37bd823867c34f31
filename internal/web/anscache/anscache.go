// Package anscache keeps encoded answers of read-only requests in memory,
// keyed by what the answer depends on and by the data generation they
// were computed at (sqlstore.Store.DataGeneration). An answer is served
// only to a request that read the same generation, so a write committed
// by any process sharing the database makes every older answer unusable
// the next time the generation is read; the cache then drops them all at
// once (a newer generation resets it). Within a generation the least
// recently used answers go first when the cache holds more than its
// entries or bytes allow.
//
// Concurrent requests for an answer that is not cached wait for one
// computation and share its result. The package knows nothing of routes,
// users or scopes: the caller builds the key, and a key must hold
// everything the answer depends on besides the data.
package anscache

import (
	"container/list"
	"context"
	"net/http"
	"sync"
)

// Answer is an encoded answer: its headers and body (status 200). A
// served answer is shared: callers must not modify it.
type Answer struct {
	Header http.Header
	Body   []byte
}

// size is what an answer is counted as against the byte bound: its body,
// its key and a rough allowance for the entry and its headers.
func (a Answer) size(key string) int64 {
	n := int64(len(a.Body)+len(key)) + 256
	for k, vs := range a.Header {
		n += int64(len(k))
		for _, v := range vs {
			n += int64(len(v))
		}
	}
	return n
}

// Reuse says what a computed answer may be used for.
type Reuse int

const (
	// Private: only by the request that computed it (an error, an
	// answer that must not be shared).
	Private Reuse = iota
	// Share: also by the requests that waited for the computation, but
	// not kept (an answer known to be provisional, such as one computed
	// from a screening being refreshed in the background).
	Share
	// Keep: shared and kept for later requests of its generation.
	Keep
)

// Source says where an answer came from.
type Source int

const (
	Computed Source = iota // this call computed it
	Hit                    // the cache held it
	Shared                 // another call's computation, waited for
)

// Options bound the cache.
type Options struct {
	MaxEntries int   // answers kept at most; 1,024 when zero
	MaxBytes   int64 // bytes kept at most (Answer.size); 32 MiB when zero
	// MaxAnswerBytes is the largest answer kept; MaxBytes / 8 when zero,
	// so that one large answer does not push out many small ones.
	MaxAnswerBytes int64
}

// Stats are the cache's counters since it was made.
type Stats struct {
	Hits, Computed, Shared int64 // answers served by Source
	Evicted                int64 // answers dropped for the bounds
	Resets                 int64 // times a newer generation emptied the cache
	Entries                int
	Bytes                  int64
	Generation             int64 // the newest generation read
}

// Cache is a bounded cache of answers. The zero value is not usable; call
// New.
type Cache struct {
	opts Options

	mu      sync.Mutex
	gen     int64 // newest generation a caller has read; entries are of it
	lru     *list.List
	items   map[string]*list.Element
	bytes   int64
	flights map[flightKey]*flight
	stats   Stats
	// waiting counts callers waiting for a flight, for tests that must
	// know every caller has arrived before the computation ends.
	waiting int
}

type entry struct {
	key  string
	ans  Answer
	size int64
}

type flightKey struct {
	gen int64
	key string
}

// flight is a computation in progress; done is closed when it ended,
// after ans and reuse are set.
type flight struct {
	done  chan struct{}
	ans   Answer
	reuse Reuse
}

// New returns an empty cache.
func New(o Options) *Cache {
	if o.MaxEntries <= 0 {
		o.MaxEntries = 1024
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 32 << 20
	}
	if o.MaxAnswerBytes <= 0 {
		o.MaxAnswerBytes = o.MaxBytes / 8
	}
	return &Cache{opts: o, gen: -1 << 63, lru: list.New(), items: map[string]*list.Element{}, flights: map[flightKey]*flight{}}
}

// Do returns the answer of key at generation gen: the cached one, the one
// a concurrent call is computing for the same key and generation, or the
// one compute returns. compute runs in the calling goroutine and says
// what its answer may be used for. A caller whose generation is older
// than one another caller has read is served only by computing (or
// sharing a computation of its own generation), never from or into the
// cache. A caller that waited for a computation whose answer is private
// computes its own, and one whose ctx ends while waiting does too (the
// computation then fails fast on the same ctx).
func (c *Cache) Do(ctx context.Context, gen int64, key string, compute func() (Answer, Reuse)) (Answer, Source) {
	c.mu.Lock()
	if gen > c.gen {
		c.resetLocked(gen)
	}
	if gen == c.gen {
		if el, ok := c.items[key]; ok {
			c.lru.MoveToFront(el)
			c.stats.Hits++
			c.mu.Unlock()
			return el.Value.(*entry).ans, Hit
		}
	}
	fk := flightKey{gen, key}
	if f, ok := c.flights[fk]; ok {
		c.waiting++
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
		}
		c.mu.Lock()
		c.waiting--
		if isDone(f.done) && f.reuse >= Share {
			c.stats.Shared++
			c.mu.Unlock()
			return f.ans, Shared
		}
		c.stats.Computed++
		c.mu.Unlock()
		ans, _ := compute()
		return ans, Computed
	}
	f := &flight{done: make(chan struct{})}
	c.flights[fk] = f
	c.stats.Computed++
	c.mu.Unlock()

	// The flight ends even when compute panics: waiting callers then
	// compute their own answers.
	defer func() {
		c.mu.Lock()
		delete(c.flights, fk)
		if f.reuse == Keep && gen == c.gen {
			c.putLocked(key, f.ans)
		}
		c.mu.Unlock()
		close(f.done)
	}()
	ans, reuse := compute()
	f.ans, f.reuse = ans, reuse
	return ans, Computed
}

func isDone(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// resetLocked empties the cache for generation gen.
func (c *Cache) resetLocked(gen int64) {
	if c.lru.Len() > 0 {
		c.stats.Resets++
	}
	c.gen = gen
	c.lru.Init()
	clear(c.items)
	c.bytes = 0
}

// putLocked keeps ans under key, then drops the least recently used
// answers until the bounds hold.
func (c *Cache) putLocked(key string, ans Answer) {
	size := ans.size(key)
	if size > c.opts.MaxAnswerBytes {
		return
	}
	if el, ok := c.items[key]; ok { // defensive: one flight per key and generation puts
		c.bytes -= el.Value.(*entry).size
		c.lru.Remove(el)
		delete(c.items, key)
	}
	c.items[key] = c.lru.PushFront(&entry{key: key, ans: ans, size: size})
	c.bytes += size
	for c.lru.Len() > c.opts.MaxEntries || c.bytes > c.opts.MaxBytes {
		el := c.lru.Back()
		e := el.Value.(*entry)
		c.lru.Remove(el)
		delete(c.items, e.key)
		c.bytes -= e.size
		c.stats.Evicted++
	}
}

// Stats returns the counters and the current size.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stats
	st.Entries, st.Bytes, st.Generation = c.lru.Len(), c.bytes, c.gen
	return st
}
