package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Catalogue search from memory. In SQL a two-character term such as 电镜
// matches a twelfth of a 100,000-instrument catalogue: counting the
// facets read every match's row and ranking sorted them all, 760 ms on
// average and 4.2 s at the 99th percentile on SQLite. The search index
// holds what search needs of each findable instrument (terms as posting
// lists, facet values, rank) in memory, so that intersection, facet
// counts and ranking are loops over integers; only the page's rows are
// read from the database, by key.
//
// The database stays the truth. Every write that changes what search
// sees (insertTerms, rerank, order history imports) appends the
// instrument to instrument_search_change in its transaction; a search
// first reads that log's last id (one index probe) and, when the index is
// behind, applies the instruments changed since, or rebuilds it when
// many changed. Writes that log are serialised (SQLite's single writer,
// PostgreSQL's writer lock in inTx), so the log's ids commit in order and
// other processes' writes are seen too.

// searchRebuildAt is the number of changed instruments past which the
// index is rebuilt rather than patched.
const searchRebuildAt = 5000

// instrumentSearch is the Store's search index and its locks.
type instrumentSearch struct {
	catchUp sync.Mutex   // one catch-up at a time
	mu      sync.RWMutex // queries read, patches write
	idx     *searchIndex
	// pages holds the prepared page query per page size: parsing it
	// cost more than running it.
	pagesMu sync.Mutex
	pages   map[int]*sql.Stmt
	// forget turns the remembered answers off (the benchmark measures
	// both).
	forget bool
}

// pageStmt returns the prepared query of a page of n ids.
func (s *Store) pageStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	sx := &s.search
	sx.pagesMu.Lock()
	defer sx.pagesMu.Unlock()
	if st, ok := sx.pages[n]; ok {
		return st, nil
	}
	ph := make([]string, n)
	for k := range ph {
		ph[k] = "$" + strconv.Itoa(k+1)
	}
	st, err := s.read.PrepareContext(ctx, `SELECT `+instrumentColumns+`, u.name, i.unit_type, i.price_from FROM instrument i JOIN sharing_unit u ON u.id = i.unit_id
		WHERE i.id IN (`+strings.Join(ph, ", ")+`)`)
	if err != nil {
		return nil, err
	}
	if sx.pages == nil {
		sx.pages = map[int]*sql.Stmt{}
	}
	sx.pages[n] = st
	return st, nil
}

type searchDoc struct {
	id                   int64
	class, region, utype string
	price                int64
	modes                uint8 // 1 self-operation, 2 assisted, 4 sample sending
	rank                 int64
	name                 string // lower-cased (ASCII) for the name match
	text                 string // name, model, maker and capabilities, for lone characters
	dead                 bool
	// Facet values as small codes (index into searchIndex.values), so
	// counting is array arithmetic, not map updates.
	code [searchFacets]uint16
}

// The facets counted, in this order.
const (
	facetClass = iota
	facetRegion
	facetUnitType
	facetBand
	searchFacets
)

var facetNames = [searchFacets]string{"class", "region", "unit_type", "band"}

// hotDoc is what filtering, counting and ranking read of a document,
// kept apart from its strings: small and free of pointers, so a pass
// over thousands of matches stays in cache and the collector has little
// to scan.
type hotDoc struct {
	id, rank, price int64
	code            [searchFacets]uint16
	modes           uint8
	dead            bool
}

type searchIndex struct {
	mark   int64 // the last change applied
	hot    []hotDoc
	docs   []searchDoc // name and text only
	byID   map[int64]int32
	post   map[string][]int32 // term → ascending doc positions
	dead   int
	values [searchFacets][]string          // code → value ("" is code 0)
	codes  [searchFacets]map[string]uint16 // value → code
	// answers remembers the answers of this state of the index, by
	// query: a catalogue is searched for the same few terms again and
	// again (the search page's links are facet filters of the last
	// query), and an answer from here costs a map lookup instead of a
	// pass over thousands of matches. A patch empties it; a rebuild
	// makes a new index.
	answersMu sync.Mutex
	answers   map[instruments.SearchQuery]searchAnswer
}

type searchAnswer struct {
	total  int
	facets map[string][]instruments.Facet
	ids    []int64
}

// searchAnswersMax bounds the remembered answers; past it they are
// forgotten all at once (simpler than an eviction order, and refilled by
// the next searches).
const searchAnswersMax = 1024

// answer is query through the remembered answers. The facets map is the
// caller's own (the service merges a mirror's facets into it); the
// slices in it and ids are shared and must not be changed. The caller
// holds the read lock.
func (ix *searchIndex) answer(q instruments.SearchQuery, remember bool) (int, map[string][]instruments.Facet, []int64) {
	if remember {
		ix.answersMu.Lock()
		a, ok := ix.answers[q]
		ix.answersMu.Unlock()
		if ok {
			return a.total, maps.Clone(a.facets), a.ids
		}
	}
	total, facets, ids := ix.query(q)
	if remember {
		ix.answersMu.Lock()
		if ix.answers == nil || len(ix.answers) >= searchAnswersMax {
			ix.answers = map[instruments.SearchQuery]searchAnswer{}
		}
		ix.answers[q] = searchAnswer{total, maps.Clone(facets), ids}
		ix.answersMu.Unlock()
	}
	return total, facets, ids
}

func newSearchIndex(mark int64, n int) *searchIndex {
	ix := &searchIndex{mark: mark, byID: make(map[int64]int32, n), post: map[string][]int32{}}
	for f := range ix.values {
		ix.values[f] = []string{""}
		ix.codes[f] = map[string]uint16{"": 0}
	}
	return ix
}

// searchChanged logs that instruments changed for the search index.
func searchChanged(ctx context.Context, tx *sql.Tx, ids ...int64) error {
	for i := 0; i < len(ids); i += 500 {
		chunk := ids[i:min(i+500, len(ids))]
		args := make([]any, len(chunk))
		for k, id := range chunk {
			args[k] = id
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO instrument_search_change (instrument_id) VALUES `+numbered(len(chunk), 1), args...); err != nil {
			return fmt.Errorf("sqlstore: search change: %w", err)
		}
	}
	return nil
}

func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

const searchDocColumns = `id, name, model, manufacturer, subclass, capabilities, class_code, region_code, unit_type, price_from, mode_self, mode_assisted, mode_sample, rank_score, status`

// readSearchDocs reads instruments as search documents; unfindable ones
// come back with found false.
func (s *Store) readSearchDocs(ctx context.Context, where string, args ...any) ([]searchDoc, []bool, []string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+searchDocColumns+` FROM instrument WHERE `+where, args...)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	var docs []searchDoc
	var found []bool
	var texts []string
	for rows.Next() {
		var d searchDoc
		var in instruments.Instrument
		var ms, ma, mp int
		var status string
		if err := rows.Scan(&d.id, &in.Name, &in.Model, &in.Manufacturer, &in.Subclass, &in.Capabilities, &d.class, &d.region, &d.utype, &d.price, &ms, &ma, &mp, &d.rank, &status); err != nil {
			return nil, nil, nil, err
		}
		if ms != 0 {
			d.modes |= 1
		}
		if ma != 0 {
			d.modes |= 2
		}
		if mp != 0 {
			d.modes |= 4
		}
		d.name = lowerASCII(in.Name)
		d.text = in.Name + "\x00" + in.Model + "\x00" + in.Manufacturer + "\x00" + in.Capabilities
		docs = append(docs, d)
		found = append(found, status == string(instruments.Open) || status == string(instruments.Offline))
		texts = append(texts, in.IndexText())
	}
	return docs, found, texts, rows.Err()
}

func (ix *searchIndex) add(d searchDoc, text string) {
	band := ""
	if d.price > 0 {
		band = instruments.BandOf(unit.Fen(d.price))
	}
	for f, v := range [searchFacets]string{d.class, d.region, d.utype, band} {
		c, ok := ix.codes[f][v]
		if !ok {
			c = uint16(len(ix.values[f]))
			ix.values[f] = append(ix.values[f], v)
			ix.codes[f][v] = c
		}
		d.code[f] = c
	}
	pos := int32(len(ix.docs))
	ix.hot = append(ix.hot, hotDoc{id: d.id, rank: d.rank, price: d.price, code: d.code, modes: d.modes})
	ix.docs = append(ix.docs, searchDoc{name: d.name, text: d.text})
	ix.byID[d.id] = pos
	terms, _ := instruments.Terms(text)
	for _, t := range terms {
		ix.post[t] = append(ix.post[t], pos)
	}
}

// freshSearch brings the index up to the change log and returns it.
func (s *Store) freshSearch(ctx context.Context) error {
	var mark int64
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM instrument_search_change`).Scan(&mark); err != nil {
		return err
	}
	sx := &s.search
	sx.mu.RLock()
	current := sx.idx != nil && sx.idx.mark >= mark
	sx.mu.RUnlock()
	if current {
		return nil
	}
	sx.catchUp.Lock()
	defer sx.catchUp.Unlock()
	sx.mu.RLock()
	ix := sx.idx
	sx.mu.RUnlock()
	if ix != nil && ix.mark >= mark {
		return nil
	}
	var changed []int64
	if ix != nil {
		rows, err := s.read.QueryContext(ctx, `SELECT id, instrument_id FROM instrument_search_change WHERE id > $1 AND id <= $2 ORDER BY id`, ix.mark, mark)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for rows.Next() {
			var cid, id int64
			if err := rows.Scan(&cid, &id); err != nil {
				rows.Close()
				return err
			}
			if !seen[id] {
				seen[id] = true
				changed = append(changed, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if ix == nil || len(changed) > searchRebuildAt || ix.dead+len(changed) > len(ix.docs)/4+searchRebuildAt {
		docs, found, texts, err := s.readSearchDocs(ctx, `status IN ('open', 'offline') ORDER BY id`)
		if err != nil {
			return err
		}
		nx := newSearchIndex(mark, len(docs))
		for i, d := range docs {
			if found[i] {
				nx.add(d, texts[i])
			}
		}
		sx.mu.Lock()
		sx.idx = nx
		sx.mu.Unlock()
		return nil
	}
	// Patch: the changed instruments' old documents die, their current
	// ones (when findable) are appended, so posting lists stay sorted.
	var docs []searchDoc
	var found []bool
	var texts []string
	for i := 0; i < len(changed); i += 500 {
		chunk := changed[i:min(i+500, len(changed))]
		ph := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for k, id := range chunk {
			ph[k], args[k] = "$"+strconv.Itoa(k+1), id
		}
		d, f, t, err := s.readSearchDocs(ctx, `id IN (`+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return err
		}
		docs, found, texts = append(docs, d...), append(found, f...), append(texts, t...)
	}
	sx.mu.Lock()
	defer sx.mu.Unlock()
	for _, id := range changed {
		if p, ok := ix.byID[id]; ok && !ix.hot[p].dead {
			ix.hot[p].dead = true
			ix.dead++
			delete(ix.byID, id)
		}
	}
	for i, d := range docs {
		if found[i] {
			ix.add(d, texts[i])
		}
	}
	ix.mark = mark
	ix.answersMu.Lock()
	ix.answers = nil
	ix.answersMu.Unlock()
	return nil
}

// query answers a search from the index: the total, the facet counts and
// the ids of the requested page, ranked by a name match, then rank, then
// id. The caller holds the read lock.
func (ix *searchIndex) query(q instruments.SearchQuery) (int, map[string][]instruments.Facet, []int64) {
	terms, singles := instruments.Terms(q.Text)
	var cand []int32
	if len(terms) > 0 {
		lists := make([][]int32, len(terms))
		for i, t := range terms {
			lists[i] = ix.post[t]
			if len(lists[i]) == 0 {
				return 0, map[string][]instruments.Facet{}, nil
			}
		}
		sort.Slice(lists, func(a, b int) bool { return len(lists[a]) < len(lists[b]) })
		cand = lists[0]
		for _, l := range lists[1:] {
			var out []int32
			for _, p := range cand {
				if _, ok := slices.BinarySearch(l, p); ok {
					out = append(out, p)
				}
			}
			cand = out
		}
	}
	var lo, hi int64 = -1, -1
	for _, b := range instruments.PriceBands {
		if b.Key == q.Band {
			lo, hi = int64(b.From), int64(b.To)
		}
	}
	// Filters as codes; a value the index has never seen matches nothing.
	code := func(f int, v string) (int, bool) {
		if v == "" {
			return -1, true
		}
		c, ok := ix.codes[f][v]
		return int(c), ok
	}
	class, ok1 := code(facetClass, q.Class)
	region, ok2 := code(facetRegion, q.Region)
	utype, ok3 := code(facetUnitType, string(q.UnitType))
	if !ok1 || !ok2 || !ok3 {
		return 0, map[string][]instruments.Facet{}, nil
	}
	var mode uint8
	switch q.Mode {
	case instruments.SelfOperation:
		mode = 1
	case instruments.Assisted:
		mode = 2
	case instruments.SampleSending:
		mode = 4
	}
	var counts [searchFacets][]int
	for f := range counts {
		counts[f] = make([]int, len(ix.values[f]))
	}
	var modeCounts [3]int
	var matches []int32
	test := func(p int32) {
		h := &ix.hot[p]
		if h.dead || (class >= 0 && int(h.code[facetClass]) != class) || (region >= 0 && int(h.code[facetRegion]) != region) ||
			(utype >= 0 && int(h.code[facetUnitType]) != utype) || (mode != 0 && h.modes&mode == 0) ||
			(lo >= 0 && (h.price <= 0 || h.price < lo || (hi > 0 && h.price >= hi))) {
			return
		}
		for _, c := range singles {
			if !strings.Contains(ix.docs[p].text, c) {
				return
			}
		}
		matches = append(matches, p)
		for f := range counts {
			counts[f][h.code[f]]++
		}
		for b := range modeCounts {
			if h.modes&(1<<b) != 0 {
				modeCounts[b]++
			}
		}
	}
	if len(terms) > 0 {
		for _, p := range cand {
			test(p)
		}
	} else {
		for p := range ix.hot {
			test(int32(p))
		}
	}
	facets := map[string][]instruments.Facet{}
	add := func(name, v string, n int) {
		if v != "" && n > 0 {
			facets[name] = append(facets[name], instruments.Facet{Value: v, N: n})
		}
	}
	for f, cs := range counts {
		for c, n := range cs {
			add(facetNames[f], ix.values[f][c], n)
		}
	}
	for b, m := range []instruments.Mode{instruments.SelfOperation, instruments.Assisted, instruments.SampleSending} {
		add("mode", string(m), modeCounts[b])
	}
	for _, fs := range facets {
		sort.Slice(fs, func(a, b int) bool { return fs[a].N > fs[b].N || fs[a].N == fs[b].N && fs[a].Value < fs[b].Value })
	}
	if len(matches) == 0 || q.Offset >= len(matches) {
		return len(matches), facets, nil
	}
	text := lowerASCII(strings.TrimSpace(q.Text))
	// The order: a name match first, then rank (higher first), then id.
	type key struct {
		miss bool
		rank int64
		id   int64
		pos  int32
	}
	less := func(a, b key) int {
		switch {
		case a.miss != b.miss:
			if a.miss {
				return 1
			}
			return -1
		case a.rank != b.rank:
			if a.rank > b.rank {
				return -1
			}
			return 1
		case a.id < b.id:
			return -1
		}
		return 1
	}
	// The page only: a bounded selection keeps the first offset+limit.
	k := min(len(matches), q.Offset+q.Limit)
	top := make([]key, 0, k+1)
	for _, p := range matches {
		h := &ix.hot[p]
		c := key{rank: h.rank, id: h.id, pos: p}
		// Cannot enter even with a name match: the last kept matches too
		// (or there is no text) and comes first by rank, then id.
		if len(top) == k && (!top[k-1].miss || text == "") && (c.rank < top[k-1].rank || c.rank == top[k-1].rank && c.id > top[k-1].id) {
			continue
		}
		c.miss = text == "" || !strings.Contains(ix.docs[p].name, text)
		if len(top) == k && less(c, top[k-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, c, less)
		top = slices.Insert(top, i, c)
		if len(top) > k {
			top = top[:k]
		}
	}
	ids := make([]int64, 0, len(top)-q.Offset)
	for _, c := range top[q.Offset:] {
		ids = append(ids, c.id)
	}
	return len(matches), facets, ids
}

// SearchInstruments answers a catalogue search: the instruments that
// are open or offline, hold every term of the text and pass the facet
// filters, ranked by a name match, then use, then rating, with the facet
// counts of the matches. The index answers; the page's rows come from
// the database.
func (s *Store) SearchInstruments(ctx context.Context, q instruments.SearchQuery) (instruments.SearchResult, error) {
	if err := s.freshSearch(ctx); err != nil {
		return instruments.SearchResult{}, fmt.Errorf("sqlstore: search index: %w", err)
	}
	s.search.mu.RLock()
	total, facets, ids := s.search.idx.answer(q, !s.search.forget)
	s.search.mu.RUnlock()
	res := instruments.SearchResult{Total: total, Facets: facets, Hits: []instruments.Hit{}}
	if len(ids) == 0 {
		return res, nil
	}
	// The ids padded to the page size with 0 (no instrument has it), so
	// one prepared statement serves every page of that size.
	n := max(q.Limit, len(ids))
	args := make([]any, n)
	for k := range args {
		args[k] = int64(0)
		if k < len(ids) {
			args[k] = ids[k]
		}
	}
	stmt, err := s.pageStmt(ctx, n)
	if err != nil {
		return res, fmt.Errorf("sqlstore: search: %w", err)
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return res, fmt.Errorf("sqlstore: search: %w", err)
	}
	defer rows.Close()
	byID := map[int64]instruments.Hit{}
	for rows.Next() {
		var h instruments.Hit
		var price, rsum int64
		h.Instrument, h.Uses, rsum, h.RatingN, err = scanInstrument(rows, &h.UnitName, &h.UnitType, &price)
		if err != nil {
			return res, err
		}
		h.PriceFrom = unit.Fen(price)
		if h.RatingN > 0 {
			h.RatingAvg = float64(rsum) / float64(h.RatingN)
		}
		byID[h.ID] = h
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	for _, id := range ids {
		if h, ok := byID[id]; ok {
			res.Hits = append(res.Hits, h)
		}
	}
	return res, nil
}
