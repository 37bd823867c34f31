package sqlstore

import (
	"context"
	"fmt"
	"strings"

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
//     the name index (enterprise_gram), the other bigrams and the exact
//     substring (LIKE) checked per firm, so a count with a LIMIT stops
//     after that many matches.
//   - With few matches (not more than selectiveList) they are sorted;
//     with more, the year's firms are walked by revenue (index
//     enterprise_year_revenue) and the walk stops at the page's end.
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
	from, fromCond, driverCond := "enterprise e", "1 = 1", "1 = 1"
	pattern := "%" + escapeLike(q) + "%"
	if gramSearchable(q) {
		grams := nameGrams(q)
		driver, err := s.rarestGram(ctx, grams)
		if err != nil {
			return page, err
		}
		for _, g := range grams {
			if g != driver {
				econds = append(econds, "EXISTS (SELECT 1 FROM enterprise_gram g WHERE g.gram = "+arg(g)+" AND g.enterprise_id = e.id)")
			}
		}
		d := arg(driver)
		from = "enterprise_gram g0 CROSS JOIN enterprise e"
		fromCond = "g0.gram = " + d + " AND e.id = g0.enterprise_id"
		driverCond = "EXISTS (SELECT 1 FROM enterprise_gram g0 WHERE g0.gram = " + d + " AND g0.enterprise_id = e.id)"
		// The index narrows the firms; LIKE keeps the exact substring
		// semantics (the same bigrams in another order match the index).
		econds = append(econds, `e.name LIKE `+arg(pattern)+` ESCAPE '\'`)
	} else {
		p, up := arg(pattern), arg(strings.ToUpper(pattern))
		econds = append(econds, `(e.name LIKE `+p+` ESCAPE '\' OR e.credit_code LIKE `+up+` ESCAPE '\')`)
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
	count := func(q string, limit int, dest ...any) error {
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
		err := count(`SELECT COUNT(*) FROM (SELECT 1 FROM `+from+` CROSS JOIN enterprise_year ey WHERE `+fromCond+` AND `+reported, limit, &n)
		return n, err
	}
	// nReported is how many matches have a statistics row (-1: unknown,
	// when counting stopped before it knew).
	nReported := -1
	var err error
	if unreported {
		// One walk counts both kinds of match.
		err := count(`SELECT COUNT(*), COUNT(c.y) FROM (SELECT ey.year AS y FROM `+from+`
			LEFT JOIN enterprise_year ey ON ey.enterprise_id = e.id AND ey.year = `+year+` WHERE `+fromCond+` AND `+ewhere, limit, &page.Total, &nReported)
		if err != nil {
			return page, err
		}
	} else {
		if page.Total, err = countReported(limit); err != nil {
			return page, err
		}
		nReported = page.Total
	}
	page.TotalCapped = limit > 0 && page.Total >= limit
	if page.TotalCapped && unreported {
		nReported = -1
	}
	if page.Total <= f.Offset {
		return page, nil
	}

	const cols = `e.id, e.credit_code, e.name, e.region_code, e.industry_code, e.founded, e.land_mu100, `
	if nReported < 0 || f.Offset < nReported {
		q := `SELECT ` + cols + `ey.year, ey.above_scale, ey.size, ey.employees, ey.revenue, COALESCE(m.cluster_code, ''), COALESCE(m.tier, '') FROM `
		if nReported < 0 || nReported > selectiveList || page.TotalCapped {
			q += `enterprise_year ey CROSS JOIN enterprise e LEFT JOIN industry_map m ON m.year = ey.year AND m.industry_code = e.industry_code
				WHERE ` + driverCond + ` AND ` + reported
		} else {
			q += from + ` CROSS JOIN enterprise_year ey LEFT JOIN industry_map m ON m.year = ey.year AND m.industry_code = e.industry_code
				WHERE ` + fromCond + ` AND ` + reported
		}
		if err := s.scanEnterpriseItems(ctx, &page, q+fmt.Sprintf(` ORDER BY ey.revenue DESC, e.name LIMIT %d OFFSET %d`, f.Limit, f.Offset), args); err != nil {
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
		q := `SELECT ` + cols + `0, 0, '', 0, 0, COALESCE(m.cluster_code, ''), COALESCE(m.tier, '') FROM ` + from + `
			LEFT JOIN industry_map m ON m.year = ` + year + ` AND m.industry_code = e.industry_code
			WHERE ` + unreportedWhere + fmt.Sprintf(` ORDER BY e.name LIMIT %d OFFSET %d`, f.Limit-len(page.Items), max(0, f.Offset-nReported))
		if err := s.scanEnterpriseItems(ctx, &page, q, args); err != nil {
			return page, err
		}
	}
	return page, s.attachItemDetails(ctx, page.Items, f.Year)
}

// rarestGram returns the bigram of grams with the fewest index entries,
// counting each only up to a bound: where a search's walk of the matches
// starts. "重庆天地" starts from 天地, not from 重庆, which every name has.
func (s *Store) rarestGram(ctx context.Context, grams []string) (string, error) {
	if len(grams) == 1 {
		return grams[0], nil
	}
	grams = grams[:min(len(grams), 8)]
	sel := make([]string, len(grams))
	args := make([]any, len(grams))
	counts := make([]any, len(grams))
	ns := make([]int, len(grams))
	for i, g := range grams {
		sel[i] = fmt.Sprintf("(SELECT COUNT(*) FROM (SELECT 1 FROM enterprise_gram WHERE gram = $%d LIMIT %d) c)", i+1, selectiveList+1)
		args[i], counts[i] = g, &ns[i]
	}
	if err := s.read.QueryRowContext(ctx, `SELECT `+strings.Join(sel, ", "), args...).Scan(counts...); err != nil {
		return "", fmt.Errorf("sqlstore: name index: %w", err)
	}
	best := 0
	for i, n := range ns {
		if n < ns[best] {
			best = i
		}
	}
	return grams[best], nil
}
