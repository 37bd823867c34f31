package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/industrybrain/ibrain/internal/report"
)

// Summaries maintained by delta. A write of k report rows changes the
// summaries of at most 2k (firm, year, month) units: the row itself and its
// comparable-basis twin a year later. Each unit contributes to one cell of
// agg_month (and of each rollup) when its firm is above scale that year:
// one firm-month (n), whether a year-earlier row exists (n_base), the
// row's values and the year-earlier values. The contributions of the
// affected units are computed before and after the write, from the firms'
// own rows, and the differences are added to the cells in the same
// transaction, so the cost follows the write, not the city.
//
// Writes that change what a unit belongs to (a firm's district, industry,
// above-scale status or titles; a catalogue) still rebuild the affected
// years: they are rare and touch every month of a firm.

// deltaMaxRows is the largest report write maintained by delta; a larger
// one (a month's import) rebuilds its years, which is cheaper than
// thousands of per-firm reads.
const deltaMaxRows = 2000

// unitKey is one (firm, year, month) whose contribution a write may change.
type unitKey struct {
	id          int64
	year, month int
}

// cellKey is one agg_month cell.
type cellKey struct {
	year, month                    int
	region, cluster, tier, section string
	sei, specialized               int
}

// cellOf is the part of a cell a firm-year decides.
type cellOf struct {
	region, cluster, tier, section string
	sei, specialized               int
}

// cellDelta is what a write adds to one cell.
type cellDelta struct {
	n, nBase  int64
	cur, base report.Values
}

func (d *cellDelta) add(sign int64, c contribution) {
	d.n += sign
	if c.hasBase {
		d.nBase += sign
	}
	for i := range d.cur {
		d.cur[i] += sign * c.cur[i]
		d.base[i] += sign * c.base[i]
	}
}

func (d *cellDelta) zero() bool {
	return d.n == 0 && d.nBase == 0 && d.cur == (report.Values{}) && d.base == (report.Values{})
}

// contribution is one unit's share of its cell.
type contribution struct {
	hasBase   bool
	cur, base report.Values
}

// applyReportDeltas maintains the summaries for a write of reports whose
// stored rows before the write are old (keyed by firm, year, month; firms'
// neighbouring years included). It is called after the rows are written,
// inside the same transaction.
func applyReportDeltas(ctx context.Context, tx *sql.Tx, engine Engine, reports []report.Monthly, old map[unitKey]report.Values) error {
	after := make(map[unitKey]report.Values, len(old)+len(reports))
	for k, v := range old {
		after[k] = v
	}
	units := map[unitKey]bool{}
	for _, r := range reports {
		k := unitKey{r.EnterpriseID, r.Period.Year, r.Period.Month}
		after[k] = r.Values
		units[k] = true
		units[unitKey{r.EnterpriseID, r.Period.Year + 1, r.Period.Month}] = true
	}
	cells, err := unitCells(ctx, tx, units)
	if err != nil {
		return err
	}
	deltas := map[cellKey]*cellDelta{}
	for u := range units {
		c, ok := cells[firmYear{u.id, u.year}]
		if !ok {
			continue // not above scale that year: in no cell
		}
		key := cellKey{u.year, u.month, c.region, c.cluster, c.tier, c.section, c.sei, c.specialized}
		d := deltas[key]
		if d == nil {
			d = &cellDelta{}
			deltas[key] = d
		}
		if cb, ok := unitContribution(old, u); ok {
			d.add(-1, cb)
		}
		if ca, ok := unitContribution(after, u); ok {
			d.add(+1, ca)
		}
	}
	return addToCells(ctx, tx, engine, deltas)
}

// unitContribution is u's share of its cell in the rows of state, and
// whether u has a row at all.
func unitContribution(state map[unitKey]report.Values, u unitKey) (contribution, bool) {
	cur, ok := state[u]
	if !ok {
		return contribution{}, false
	}
	base, hasBase := state[unitKey{u.id, u.year - 1, u.month}]
	return contribution{hasBase: hasBase, cur: cur, base: base}, true
}

// firmYear keys a firm's cell in one year.
type firmYear struct {
	id   int64
	year int
}

// cellAttrsSQL resolves the cell of each above-scale firm-year: the same
// expressions refreshAggYear uses for the whole year, so a delta lands in
// the cell a rebuild would put the row in. $1 is the year, $2 its last day.
const cellAttrsSQL = `SELECT ey.enterprise_id, e.region_code,
    COALESCE(m.cluster_code, '') AS cluster_code, COALESCE(m.tier, '') AS tier, COALESCE(m.section, '') AS section,
    CASE WHEN COALESCE(m.sei_domain, 0) > 0 THEN 1 ELSE 0 END AS sei,
    CASE WHEN EXISTS (SELECT 1 FROM title t WHERE t.enterprise_id = e.id AND t.kind IN ('specialized_sme', 'little_giant')
      AND t.granted_on <= $2 AND (t.valid_until = '' OR t.valid_until > $2)) THEN 1 ELSE 0 END AS specialized
  FROM enterprise_year ey
  JOIN enterprise e ON e.id = ey.enterprise_id
  LEFT JOIN industry_map m ON m.year = ey.year AND m.industry_code = e.industry_code
  WHERE ey.year = $1 AND ey.above_scale = 1`

// unitCells reads the cells of the units' firm-years that are above scale.
func unitCells(ctx context.Context, tx *sql.Tx, units map[unitKey]bool) (map[firmYear]cellOf, error) {
	byYear := map[int][]int64{}
	seen := map[firmYear]bool{}
	for u := range units {
		fy := firmYear{u.id, u.year}
		if !seen[fy] {
			seen[fy] = true
			byYear[u.year] = append(byYear[u.year], u.id)
		}
	}
	out := map[firmYear]cellOf{}
	for year, ids := range byYear {
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			list := make([]string, len(chunk))
			for i, id := range chunk {
				list[i] = strconv.FormatInt(id, 10) // integers from the store: no injection
			}
			rows, err := tx.QueryContext(ctx, cellAttrsSQL+` AND ey.enterprise_id IN (`+strings.Join(list, ",")+`)`, year, fmt.Sprintf("%d-12-31", year))
			if err != nil {
				return nil, fmt.Errorf("sqlstore: cells: %w", err)
			}
			for rows.Next() {
				var id int64
				var c cellOf
				if err := rows.Scan(&id, &c.region, &c.cluster, &c.tier, &c.section, &c.sei, &c.specialized); err != nil {
					rows.Close()
					return nil, err
				}
				out[firmYear{id, year}] = c
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// neighbourRows reads, before a write, the stored rows of every written
// (firm, month) in the year before, the year of and the year after each
// written row: all a unit's contribution needs.
func neighbourRows(ctx context.Context, tx *sql.Tx, reports []report.Monthly) (map[unitKey]report.Values, error) {
	type fy struct {
		id   int64
		year int
	}
	want := map[fy]bool{}
	for _, r := range reports {
		for y := r.Period.Year - 1; y <= r.Period.Year+1; y++ {
			want[fy{r.EnterpriseID, y}] = true
		}
	}
	st, err := tx.PrepareContext(ctx, `SELECT month, `+strings.Join(reportColumns, ", ")+` FROM monthly_report WHERE enterprise_id = $1 AND year = $2`)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := map[unitKey]report.Values{}
	for k := range want {
		rows, err := st.QueryContext(ctx, k.id, k.year)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m int
			var v report.Values
			dest := []any{&m}
			for i := range v {
				dest = append(dest, &v[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, err
			}
			out[unitKey{k.id, k.year, m}] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addToCells adds the deltas to agg_month and to every rollup: one upsert
// per non-zero cell and table, inserting the cell when it is new.
func addToCells(ctx context.Context, tx *sql.Tx, engine Engine, deltas map[cellKey]*cellDelta) error {
	sums := append([]string{"n", "n_base"}, reportColumns...)
	for _, c := range reportColumns {
		sums = append(sums, "b_"+c)
	}
	type table struct {
		name string
		keys []string // in the order of the key values
		pk   []string // the table's primary key
		vals func(k cellKey) []any
	}
	all := []string{"year", "month", "region_code", "cluster_code", "tier", "section", "sei", "specialized"}
	tables := []table{
		{"agg_month", all, []string{"year", "month", "region_code", "cluster_code", "section", "sei", "specialized"},
			func(k cellKey) []any {
				return []any{k.year, k.month, k.region, k.cluster, k.tier, k.section, k.sei, k.specialized}
			}},
		{"agg_city", []string{"year", "month", "section", "sei", "specialized"}, []string{"year", "month", "section", "sei", "specialized"},
			func(k cellKey) []any { return []any{k.year, k.month, k.section, k.sei, k.specialized} }},
		{"agg_region", []string{"year", "month", "region_code", "section", "sei", "specialized"}, []string{"year", "region_code", "month", "section", "sei", "specialized"},
			func(k cellKey) []any { return []any{k.year, k.month, k.region, k.section, k.sei, k.specialized} }},
		{"agg_cluster", []string{"year", "month", "cluster_code", "tier", "section", "sei", "specialized"}, []string{"year", "cluster_code", "month", "section", "sei", "specialized"},
			func(k cellKey) []any {
				return []any{k.year, k.month, k.cluster, k.tier, k.section, k.sei, k.specialized}
			}},
	}
	for _, t := range tables {
		cols := append(append([]string(nil), t.keys...), sums...)
		set := make([]string, len(sums))
		for i, c := range sums {
			set[i] = c + " = " + t.name + "." + c + " + excluded." + c
		}
		q := `INSERT INTO ` + t.name + ` (` + strings.Join(cols, ", ") + `) VALUES ` + placeholders(engine, 1, len(cols)) +
			` ON CONFLICT (` + strings.Join(t.pk, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("sqlstore: %s delta: %w", t.name, err)
		}
		for k, d := range deltas {
			if d.zero() {
				continue
			}
			args := append(t.vals(k), d.n, d.nBase)
			for _, v := range d.cur {
				args = append(args, v)
			}
			for _, v := range d.base {
				args = append(args, v)
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				st.Close()
				return fmt.Errorf("sqlstore: %s delta: %w", t.name, err)
			}
		}
		st.Close()
	}
	return nil
}
