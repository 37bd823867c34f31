package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/registry"
)

// searchEnterprises answers an enterprise list with a name or credit-code
// query. Its work is bounded by the page and Filter.CountLimit rather than
// by the matches: a two-character word such as "重庆" is in every name,
// and counting and sorting 90,000 matches per request (as the list did
// before) cost 250 ms at ten times the demo.
//
// The order is the list's: firms with a statistics row for the year by
// revenue then name, then (without a size or above-scale filter) the
// registry firms without one, by name. So the reported firms are read
// first, and the unreported ones only when the page reaches past them.
//
//   - The matches are walked from the rarest of the query's bigrams in
//     the name index (enterprise_gram), the exact substring checked per
//     firm, so a count with a LIMIT stops after that many matches. A
//     two-character query in the city's scope is counted in the index
//     alone. A district's search walks the district's names (index
//     enterprise_region) unless the rarest bigram has at most
//     districtWalkEntries firms in the city.
//   - With few matches (not more than selectiveList) they are collected
//     in one walk with their sort keys, sorted and counted here, and the
//     page's firms read whole; with more, the year's firms are walked by
//     revenue (index enterprise_year_revenue) and the walk stops at the
//     page's end.
func (s *Store) searchEnterprises(ctx context.Context, sc auth.Scope, f registry.Filter, q string) (registry.Page, error) {
	var page registry.Page
	scopeCond, args := scopeClause(sc, "e", 1)
	econds := []string{scopeCond} // conditions on the enterprise alone
	var yconds []string           // conditions on its statistics row
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	// from is where the matches start: the rarest bigram's index entries,
	// or every enterprise when the query cannot use the index. driverCond
	// is the same restriction as a condition, for the walk by revenue.
	from, fromCond, driverCond, gramCond := "enterprise e", "1 = 1", "1 = 1", ""
	// gramOnly: the driver bigram alone decides a match (a two-character
	// query, the commonest Chinese search, in the city's scope with no
	// filter), so the matches can be counted from the index without
	// reading a firm.
	gramOnly := false
	like := func() string { return `e.name LIKE ` + arg("%"+escapeLike(q)+"%") + ` ESCAPE '\'` }
	// contains is like for a query without ASCII letters (whose case LIKE
	// ignores): a plain substring test, without LIKE's pattern matching,
	// which was an eighth of a district's search.
	contains := func() string {
		if s.engine == Postgres {
			return `strpos(e.name, ` + arg(q) + `) > 0`
		}
		return `instr(e.name, ` + arg(q) + `) > 0`
	}
	district := sc.RegionCode != "" || f.RegionCode != ""
	// nDriver bounds the matches when the walk starts from a bigram with
	// at most selectiveList firms (more: not known before counting).
	nDriver := selectiveList + 1
	if gramSearchable(q) {
		// A district only needs to know whether a bigram has more firms
		// than it walks; the city whether it has more than it sorts.
		bound := selectiveList
		if district {
			bound = s.districtWalk
		}
		// One bigram in the city needs no count: it is the driver, and
		// the count decides the walk.
		grams := nameGrams(q)
		driver, n := grams[0], bound+1
		if len(grams) > 1 || district {
			var err error
			if driver, n, err = s.rarestGram(ctx, grams, bound); err != nil {
				return page, err
			}
		}
		// The substring test keeps the exact semantics, the index only
		// narrows: the other bigrams are not looked up (a lookup per
		// firm costs more than matching its name), and a two-character
		// query is its one bigram, the index entry the substring.
		twoChars := utf8.RuneCountInString(q) == 2
		switch {
		case district && n > s.districtWalk:
			// A district's firms, walked in the index on (region_code,
			// name), are fewer reads than a common bigram's firms of the
			// whole city, each read to learn its district.
			econds = append(econds, contains())
		default:
			if !twoChars {
				econds = append(econds, contains())
			}
			nDriver = n
			d := arg(driver)
			gramCond = "g0.gram = " + d
			from = "enterprise_gram g0 CROSS JOIN enterprise e"
			fromCond = gramCond + " AND e.id = g0.enterprise_id"
			driverCond = "EXISTS (SELECT 1 FROM enterprise_gram g0 WHERE g0.gram = " + d + " AND g0.enterprise_id = e.id)"
			gramOnly = twoChars && sc.IsAll() && f.RegionCode == "" && f.ClusterCode == "" && f.Tier == "" && f.Title == ""
		}
	} else {
		name := like()
		up := arg(strings.ToUpper("%" + escapeLike(q) + "%"))
		econds = append(econds, `(`+name+` OR e.credit_code LIKE `+up+` ESCAPE '\')`)
	}
	if f.RegionCode != "" {
		econds = append(econds, "e.region_code = "+arg(f.RegionCode))
	}
	if f.ClusterCode != "" {
		econds = append(econds, fmt.Sprintf("e.industry_code IN (SELECT industry_code FROM industry_map WHERE year = %d AND cluster_code = %s)", f.Year, arg(f.ClusterCode)))
	}
	if f.Tier != "" {
		econds = append(econds, fmt.Sprintf("e.industry_code IN (SELECT industry_code FROM industry_map WHERE year = %d AND tier = %s)", f.Year, arg(f.Tier)))
	}
	if f.Title != "" {
		k, d := arg(string(f.Title)), arg(fmt.Sprintf("%d-12-31", f.Year))
		econds = append(econds, "e.id IN (SELECT t.enterprise_id FROM title t WHERE t.kind = "+k+" AND t.granted_on <= "+d+" AND (t.valid_until = '' OR t.valid_until > "+d+"))")
	}
	eargs := len(args) // the arguments of the conditions on the firm alone
	year := arg(f.Year)
	if f.Size != "" {
		yconds = append(yconds, "ey.size = "+arg(string(f.Size)))
	}
	if f.AboveScale != nil {
		v := 0
		if *f.AboveScale {
			v = 1
		}
		yconds = append(yconds, "ey.above_scale = "+arg(v))
	}
	// A search also finds registry firms without a statistics row for the
	// year (a firm in the listing pipeline, a new registration), unless a
	// filter reads that row.
	unreported := len(yconds) == 0
	ewhere := strings.Join(econds, " AND ")
	reported := "ey.enterprise_id = e.id AND ey.year = " + year + " AND " + ewhere
	if len(yconds) > 0 {
		reported += " AND " + strings.Join(yconds, " AND ")
	}
	unreportedWhere := fromCond + " AND " + ewhere + " AND NOT EXISTS (SELECT 1 FROM enterprise_year ey WHERE ey.enterprise_id = e.id AND ey.year = " + year + ")"

	// limit is where counting stops (0: never); a page always learns
	// whether a next one exists.
	limit := 0
	if f.CountLimit > 0 {
		limit = max(f.CountLimit, f.Offset+f.Limit+1)
	}
	count := func(q string, args []any, limit int, dest ...any) error {
		if limit > 0 {
			q += fmt.Sprintf(" LIMIT %d", limit)
		}
		if err := s.read.QueryRowContext(ctx, q+`) c`, args...).Scan(dest...); err != nil {
			return fmt.Errorf("sqlstore: count enterprises: %w", err)
		}
		return nil
	}
	countReported := func(limit int) (int, error) {
		var n int
		err := count(`SELECT COUNT(*) FROM (SELECT 1 FROM `+from+` CROSS JOIN enterprise_year ey WHERE `+fromCond+` AND `+reported, args, limit, &n)
		return n, err
	}
	// collect finds few matches in one walk: each match's sort key is read
	// and sorted here, the count is the number of matches, and only the
	// page's firms are then read whole. Sorting in the database took a
	// count and a sorted walk, two reads of every match.
	collect := func() (registry.Page, error) {
		var q string
		if unreported {
			q = `SELECT e.id, e.name, COALESCE(ey.revenue, 0), CASE WHEN ey.enterprise_id IS NULL THEN 0 ELSE 1 END FROM ` + from + `
				LEFT JOIN enterprise_year ey ON ey.enterprise_id = e.id AND ey.year = ` + year + ` WHERE ` + fromCond + ` AND ` + ewhere
		} else {
			q = `SELECT e.id, e.name, ey.revenue, 1 FROM ` + from + ` CROSS JOIN enterprise_year ey WHERE ` + fromCond + ` AND ` + reported
		}
		ms, err := s.searchMatches(ctx, q, args)
		if err != nil {
			return page, err
		}
		page.Total = len(ms)
		if limit > 0 && page.Total >= limit {
			page.Total, page.TotalCapped = limit, true
		}
		ids := make([]int64, 0, f.Limit)
		for _, m := range ms[min(f.Offset, len(ms)):min(f.Offset+f.Limit, len(ms))] {
			ids = append(ids, m.id)
		}
		if page.Items, err = s.enterpriseItemsByID(ctx, ids, f.Year); err != nil {
			return page, err
		}
		return page, s.attachItemDetails(ctx, page.Items, f.Year)
	}
	if nDriver <= selectiveList {
		return collect()
	}

	// nReported is how many matches have a statistics row (-1: unknown,
	// when counting stopped before it knew).
	nReported := -1
	var err error
	switch {
	case unreported && gramOnly:
		if err := count(`SELECT COUNT(*) FROM (SELECT 1 FROM enterprise_gram g0 WHERE `+gramCond, args[:eargs], limit, &page.Total); err != nil {
			return page, err
		}
	case unreported:
		// The count does not split the matches by statistics row: that
		// is one more read per match, and only a page reaching past the
		// reported matches needs it (counted below, up to its end).
		if err := count(`SELECT COUNT(*) FROM (SELECT 1 FROM `+from+` WHERE `+fromCond+` AND `+ewhere, args[:eargs], limit, &page.Total); err != nil {
			return page, err
		}
	default:
		if page.Total, err = countReported(limit); err != nil {
			return page, err
		}
		nReported = page.Total
	}
	page.TotalCapped = limit > 0 && page.Total >= limit
	if page.Total <= f.Offset {
		return page, nil
	}
	if !page.TotalCapped && page.Total <= selectiveList {
		return collect()
	}

	// The page's ids are chosen first, then only its firms are read whole
	// (with their cluster): on PostgreSQL, which plans this statement
	// afresh for every request (a generic plan walks the driver bigram's
	// every firm: 161 ms for 科技), planning the walk joined to the firm's
	// columns and industry_map took longer than running it.
	pageItems := func(q string) error {
		ids, err := s.int64s(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("sqlstore: search enterprises: %w", err)
		}
		items, err := s.enterpriseItemsByID(ctx, ids, f.Year)
		page.Items = append(page.Items, items...)
		return err
	}
	if nReported < 0 || f.Offset < nReported {
		// Many matches: found walking the year by revenue.
		q := `SELECT e.id FROM enterprise_year ey CROSS JOIN enterprise e WHERE ` + driverCond + ` AND ` + reported
		q += fmt.Sprintf(` ORDER BY ey.revenue DESC, e.name LIMIT %d OFFSET %d`, f.Limit, f.Offset)
		if err := pageItems(q); err != nil {
			return page, err
		}
	}
	if unreported && len(page.Items) < f.Limit {
		if nReported < 0 {
			// The page reaches past the reported matches, so fewer than
			// its end have a statistics row: count them exactly.
			if nReported, err = countReported(f.Offset + f.Limit); err != nil {
				return page, err
			}
		}
		q := `SELECT e.id FROM ` + from + ` WHERE ` + unreportedWhere +
			fmt.Sprintf(` ORDER BY e.name LIMIT %d OFFSET %d`, f.Limit-len(page.Items), max(0, f.Offset-nReported))
		if err := pageItems(q); err != nil {
			return page, err
		}
	}
	return page, s.attachItemDetails(ctx, page.Items, f.Year)
}

// districtWalkEntries is the most index entries of a bigram a district's
// search walks before it walks the district's firms by name instead: 200
// firms read one by one cost about as much as a few thousand names read
// in index order.
const districtWalkEntries = 200

// rarestGram returns the bigram of grams with the fewest index entries,
// and that number, counting each only up to bound+1: where a search's
// walk of the matches starts. "重庆天地" starts from 天地, not from 重庆,
// which every name has.
func (s *Store) rarestGram(ctx context.Context, grams []string, bound int) (string, int, error) {
	grams = grams[:min(len(grams), 8)]
	sel := make([]string, len(grams))
	args := make([]any, len(grams))
	counts := make([]any, len(grams))
	ns := make([]int, len(grams))
	for i, g := range grams {
		sel[i] = fmt.Sprintf("(SELECT COUNT(*) FROM (SELECT 1 FROM enterprise_gram WHERE gram = $%d LIMIT %d) c)", i+1, bound+1)
		args[i], counts[i] = g, &ns[i]
	}
	if err := s.read.QueryRowContext(ctx, `SELECT `+strings.Join(sel, ", "), args...).Scan(counts...); err != nil {
		return "", 0, fmt.Errorf("sqlstore: name index: %w", err)
	}
	best := 0
	for i, n := range ns {
		if n < ns[best] {
			best = i
		}
	}
	return grams[best], ns[best], nil
}

// searchMatch is a search match's sort key.
type searchMatch struct {
	id       int64
	name     string
	revenue  int64
	reported bool
}

// searchMatches reads q's matches (id, name, revenue, reported) and sorts
// them in the list's order: the firms with a statistics row by revenue,
// then the others, each by name (byte order, the same on both engines),
// then id.
func (s *Store) searchMatches(ctx context.Context, q string, args []any) ([]searchMatch, error) {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: search enterprises: %w", err)
	}
	defer rows.Close()
	var ms []searchMatch
	for rows.Next() {
		var m searchMatch
		var rep int
		if err := rows.Scan(&m.id, &m.name, &m.revenue, &rep); err != nil {
			return nil, fmt.Errorf("sqlstore: search enterprises: %w", err)
		}
		m.reported = rep == 1
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: search enterprises: %w", err)
	}
	slices.SortFunc(ms, func(a, b searchMatch) int {
		if a.reported != b.reported {
			if a.reported {
				return -1
			}
			return 1
		}
		if a.reported && a.revenue != b.revenue {
			return cmp.Compare(b.revenue, a.revenue)
		}
		return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(a.id, b.id))
	})
	return ms, nil
}

// enterpriseItemsByID reads the list items of ids for year, in the order
// of ids; a firm without a statistics row for year has Year 0.
func (s *Store) enterpriseItemsByID(ctx context.Context, ids []int64, year int) ([]registry.Item, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{year}
	ph := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	var page registry.Page
	if err := s.scanEnterpriseItems(ctx, &page, `SELECT e.id, e.credit_code, e.name, e.region_code, e.industry_code, e.founded, e.land_mu100,
		COALESCE(ey.year, 0), COALESCE(ey.above_scale, 0), COALESCE(ey.size, ''), COALESCE(ey.employees, 0), COALESCE(ey.revenue, 0),
		COALESCE(m.cluster_code, ''), COALESCE(m.tier, '')
		FROM enterprise e LEFT JOIN enterprise_year ey ON ey.enterprise_id = e.id AND ey.year = $1
		LEFT JOIN industry_map m ON m.year = $1 AND m.industry_code = e.industry_code
		WHERE e.id IN (`+strings.Join(ph, ", ")+`)`, args); err != nil {
		return nil, err
	}
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	items := make([]registry.Item, len(ids))
	for _, it := range page.Items {
		items[at[it.ID]] = it
	}
	return items, nil
}
