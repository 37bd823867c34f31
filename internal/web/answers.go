package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/industrybrain/ibrain/internal/web/anscache"
)

// Cached answers (issue 13). A module marks a read-only GET route
// Route.Cached when its JSON answer depends only on the request's path
// and query, the language, the user's role and data scope, the server's
// date, and the stored data. The core then serves it from a bounded
// in-memory cache keyed by all of those and by the store's data
// generation, which every committed write of the data advances in the
// database (sqlstore.Store.DataGeneration): a request reads the
// generation first — one keyed read — so it is never answered from data
// older than what it could have read itself, whichever process wrote.
// Concurrent requests for an answer not yet cached wait for one
// computation.
//
// A route must not be marked when its answer depends on the user beyond
// role and scope (their id, name, notifications), on time finer than the
// day, or on data the generation does not cover (sqlstore's opsTx: the
// instrument market, accounts, the audit trail, federation). A handler
// whose answer is provisional calls KeepUncached.

// AnswerCacheOptions bound the answer cache.
type AnswerCacheOptions struct {
	// MaxBytes bounds the bytes kept (32 MiB when zero); negative turns
	// the cache off.
	MaxBytes int64
	// MaxEntries bounds the answers kept (1,024 when zero).
	MaxEntries int
}

// uncachedKey marks a request whose answer must not be kept.
type uncachedKey struct{}

// KeepUncached tells the answer cache not to keep the answer r is being
// served: it is provisional (computed from data being refreshed in the
// background, say), so later requests must compute their own. Requests
// waiting for the same answer still share it. A no-op on a route that is
// not cached.
func KeepUncached(r *http.Request) {
	if p, ok := r.Context().Value(uncachedKey{}).(*bool); ok {
		*p = true
	}
}

// newAnswerCache builds the cache from the options; nil when turned off.
func newAnswerCache(o AnswerCacheOptions) *anscache.Cache {
	if o.MaxBytes < 0 {
		return nil
	}
	return anscache.New(anscache.Options{MaxBytes: o.MaxBytes, MaxEntries: o.MaxEntries})
}

// cachedHandler serves h through the answer cache.
func (s *Server) cachedHandler(h Handler) Handler {
	if s.answers == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request, c Ctx) error {
		if r.Method != http.MethodGet {
			return h(w, r, c)
		}
		gen, err := s.store.DataGeneration(r.Context())
		if err != nil {
			// The cache is a speed-up; the answer stands without it.
			s.log.WarnContext(r.Context(), "answer cache: data generation", "err", err)
			return h(w, r, c)
		}
		var rec *answerRecorder
		var herr error
		ans, src := s.answers.Do(r.Context(), gen, answerKey(r, c, s.Today()), func() (anscache.Answer, anscache.Reuse) {
			rec = &answerRecorder{header: http.Header{}}
			uncached := false
			herr = h(rec, r.WithContext(context.WithValue(r.Context(), uncachedKey{}, &uncached)), c)
			return rec.answer(herr, uncached)
		})
		if src == anscache.Computed {
			rec.replay(w)
			return herr
		}
		dst := w.Header()
		for k, vs := range ans.Header {
			dst[k] = slices.Clone(vs) // the cached slices are shared
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(ans.Body)
		return nil
	}
}

// answerKey is everything a cached answer depends on besides the data:
// the path and query, the language, the day, the role and the scope (all
// of its fields, exported or not, so that no two scopes share a key).
func answerKey(r *http.Request, c Ctx, today time.Time) string {
	return fmt.Sprintf("%s?%s\x00%s\x00%s\x00%s\x00%#v", r.URL.Path, r.URL.RawQuery, c.Lang, today.Format(time.DateOnly), c.User.Role, c.Scope())
}

// answerRecorder holds what a handler wrote, to be cached and replayed.
type answerRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answerRecorder) Header() http.Header { return a.header }

func (a *answerRecorder) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
}

func (a *answerRecorder) Write(p []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(p)
}

// answer is what the handler wrote and what it may be used for: a 200
// without error is shared, and kept unless the handler said not to; an
// answer setting a cookie is never shared, whatever route it is on.
func (a *answerRecorder) answer(err error, uncached bool) (anscache.Answer, anscache.Reuse) {
	ans := anscache.Answer{Header: a.header.Clone(), Body: bytes.Clone(a.body.Bytes())}
	switch {
	case err != nil || a.status != http.StatusOK || len(a.header.Values("Set-Cookie")) > 0:
		return ans, anscache.Private
	case uncached:
		return ans, anscache.Share
	}
	return ans, anscache.Keep
}

// replay writes what the handler wrote to w.
func (a *answerRecorder) replay(w http.ResponseWriter) {
	dst := w.Header()
	for k, vs := range a.header {
		dst[k] = vs
	}
	if a.status != 0 {
		w.WriteHeader(a.status)
	}
	if a.body.Len() > 0 {
		_, _ = w.Write(a.body.Bytes())
	}
}

// AnswerCacheStats returns the answer cache's counters (zero when it is
// turned off), for tests and diagnostics.
func (s *Server) AnswerCacheStats() anscache.Stats {
	if s.answers == nil {
		return anscache.Stats{}
	}
	return s.answers.Stats()
}
