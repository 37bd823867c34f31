package sqlstore

import (
	"context"
	"sync"
)

// genMemo keeps small read-mostly answers of the store (the listing
// pipeline, a year's targets, the goal plans) as of a data generation
// (generation.go), for every caller whatever its page, filter or
// language: the answer cache in front of the handlers keys on the whole
// request, so it does not share these between requests that differ.
//
// A value is tagged with the generation read before it was loaded, so it
// is at least as new as its tag; every write that could change it
// advances the generation in its transaction (inTx), and the next get
// loads again. Values are dropped together when the generation moves.
type genMemo[K comparable, V any] struct {
	mu  sync.Mutex
	gen int64
	m   map[K]V
}

// genMemoKeys bounds the keys a memo holds within one generation (a key
// is a year or a year and scope, which requests choose); past it the
// memo starts again.
const genMemoKeys = 256

// get returns the value of key as of the current data generation, loading
// it when the generation has moved or the key is new. Concurrent misses
// each load; only the first store is kept.
func (m *genMemo[K, V]) get(ctx context.Context, s *Store, key K, load func() (V, error)) (V, error) {
	gen, err := s.DataGeneration(ctx)
	if err != nil {
		var zero V
		return zero, err
	}
	m.mu.Lock()
	v, ok := m.m[key]
	ok = ok && m.gen == gen
	m.mu.Unlock()
	if ok {
		return v, nil
	}
	if v, err = load(); err != nil {
		return v, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case gen < m.gen:
		return v, nil // a newer generation's values are kept
	case gen > m.gen || m.m == nil || len(m.m) >= genMemoKeys:
		m.gen, m.m = gen, map[K]V{}
	}
	if _, have := m.m[key]; !have {
		m.m[key] = v
	}
	return v, nil
}
