package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/mujun"
	"github.com/industrybrain/ibrain/internal/registry"
)

// countCells are the (year, district) cells of enterprise_year_count that
// a write touched; a year mapped to nil is touched in every district.
type countCells map[int]map[string]bool

// add marks one district of a year.
func (c countCells) add(year int, region string) {
	rs, ok := c[year]
	if ok && rs == nil {
		return // the whole year already
	}
	if rs == nil {
		rs = map[string]bool{}
		c[year] = rs
	}
	rs[region] = true
}

// addYear marks every district of a year.
func (c countCells) addYear(year int) { c[year] = nil }

// wholeYearCells is how many districts of a year a write may touch before
// the year is recounted whole: one GROUP BY over the year's rows instead
// of a count per district.
const wholeYearCells = 8

// refreshYearCounts recounts the touched cells of enterprise_year_count
// from enterprise_year in tx: the list's totals then match what a count of
// the rows would say, in the same transaction as the write.
func refreshYearCounts(ctx context.Context, tx *sql.Tx, cells countCells) error {
	years := make([]int, 0, len(cells))
	for y := range cells {
		years = append(years, y)
	}
	slices.Sort(years)
	for _, y := range years {
		args := []any{y}
		del := `DELETE FROM enterprise_year_count WHERE year = $1`
		ins := `INSERT INTO enterprise_year_count (year, region_code, above_scale, size, n)
			SELECT ey.year, e.region_code, ey.above_scale, ey.size, COUNT(*) FROM enterprise_year ey JOIN enterprise e ON e.id = ey.enterprise_id
			WHERE ey.year = $1 GROUP BY ey.year, e.region_code, ey.above_scale, ey.size`
		if rs := cells[y]; rs != nil && len(rs) <= wholeYearCells {
			ph := make([]string, 0, len(rs))
			for _, r := range slices.Sorted(maps.Keys(rs)) {
				args = append(args, r)
				ph = append(ph, fmt.Sprintf("$%d", len(args)))
			}
			in := strings.Join(ph, ", ")
			del += ` AND region_code IN (` + in + `)`
			// From the districts' firms (index enterprise_region), each
			// probing its year row, rather than the whole year.
			ins = `INSERT INTO enterprise_year_count (year, region_code, above_scale, size, n)
				SELECT ey.year, e.region_code, ey.above_scale, ey.size, COUNT(*) FROM enterprise e CROSS JOIN enterprise_year ey
				WHERE e.region_code IN (` + in + `) AND ey.enterprise_id = e.id AND ey.year = $1 GROUP BY ey.year, e.region_code, ey.above_scale, ey.size`
		}
		if _, err := tx.ExecContext(ctx, del, args...); err != nil {
			return fmt.Errorf("sqlstore: list counts of %d: %w", y, err)
		}
		if _, err := tx.ExecContext(ctx, ins, args...); err != nil {
			return fmt.Errorf("sqlstore: list counts of %d: %w", y, err)
		}
	}
	return nil
}

// yearsOfRows adds every year with a statistics row of enterprise id to
// cells, in each of regions: a firm that moved between districts
// leaves one cell and enters another in each of its years.
func yearsOfRows(ctx context.Context, tx *sql.Tx, id int64, regions []string, cells countCells) error {
	rows, err := tx.QueryContext(ctx, `SELECT year FROM enterprise_year WHERE enterprise_id = $1`, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return err
		}
		for _, r := range regions {
			cells.add(y, r)
		}
	}
	return rows.Err()
}

// countFromCells answers ListEnterprises' total from enterprise_year_count
// when the filters are all columns of it (district, above-scale, size, in
// the city's or a district's scope); ok is false otherwise and the caller
// counts the rows.
func (s *Store) countFromCells(ctx context.Context, sc auth.Scope, f registry.Filter) (n int, ok bool, err error) {
	if f.ClusterCode != "" || f.Tier != "" || f.Title != "" || (!sc.IsAll() && sc.RegionCode == "") {
		return 0, false, nil
	}
	conds, args := []string{"year = $1"}, []any{f.Year}
	add := func(col string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if sc.RegionCode != "" {
		add("region_code", sc.RegionCode)
	}
	if f.RegionCode != "" {
		add("region_code", f.RegionCode)
	}
	if f.Size != "" {
		add("size", string(f.Size))
	}
	if f.AboveScale != nil {
		v := 0
		if *f.AboveScale {
			v = 1
		}
		add("above_scale", v)
	}
	var total sql.NullInt64
	if err := s.read.QueryRowContext(ctx, `SELECT SUM(n) FROM enterprise_year_count WHERE `+strings.Join(conds, " AND "), args...).Scan(&total); err != nil {
		return 0, false, fmt.Errorf("sqlstore: count enterprises: %w", err)
	}
	return int(total.Int64), true, nil
}

// insertMujunResultCounts writes a run's result counts per district,
// park, group and class (mujun_result_count) in tx, from the results
// being saved: the result list's total is then a sum of a few rows rather
// than a count of the run (82,000 index entries at ten times the demo).
func (s *Store) insertMujunResultCounts(ctx context.Context, tx *sql.Tx, runID int64, es []mujun.EnterpriseResult) error {
	type cell struct{ region, park, grp, class string }
	counts := map[cell]int{}
	var order []cell
	for i := range es {
		e := &es[i]
		c := cell{e.RegionCode, e.ParkCode, string(e.Group), e.Class}
		if counts[c] == 0 {
			order = append(order, c)
		}
		counts[c]++
	}
	const per = 6
	for start := 0; start < len(order); start += resultChunk {
		chunk := order[start:min(start+resultChunk, len(order))]
		args := make([]any, 0, len(chunk)*per)
		for _, c := range chunk {
			args = append(args, runID, c.region, c.park, c.grp, c.class, counts[c])
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mujun_result_count (run_id, region_code, park_code, grp, class, n) VALUES `+
			placeholders(s.engine, len(chunk), per), args...); err != nil {
			return fmt.Errorf("sqlstore: insert result counts: %w", err)
		}
	}
	return nil
}

// mujunResultTotal is how many of a run's results in the city's scope
// match f, from mujun_result_count.
func (s *Store) mujunResultTotal(ctx context.Context, runID int64, f mujun.ResultFilter) (int, error) {
	conds, args := []string{"run_id = $1"}, []any{runID}
	for _, c := range []struct{ col, v string }{{"region_code", f.RegionCode}, {"park_code", f.ParkCode}, {"class", f.Class}, {"grp", string(f.Group)}} {
		if c.v != "" {
			args = append(args, c.v)
			conds = append(conds, fmt.Sprintf("%s = $%d", c.col, len(args)))
		}
	}
	var n sql.NullInt64
	if err := s.read.QueryRowContext(ctx, `SELECT SUM(n) FROM mujun_result_count WHERE `+strings.Join(conds, " AND "), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count results: %w", err)
	}
	return int(n.Int64), nil
}

// insertMujunDiffMoves writes the changes' counts per district and class
// move (mujun_diff_move) in tx, with the changes.
func (s *Store) insertMujunDiffMoves(ctx context.Context, tx *sql.Tx, from, to int64, changes []mujun.ClassChange) error {
	type cell struct{ region, old, cur string }
	counts := map[cell]int{}
	var order []cell
	for i := range changes {
		c := &changes[i]
		k := cell{c.RegionCode, c.OldClass, c.NewClass}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	const per = 6
	for start := 0; start < len(order); start += resultChunk {
		chunk := order[start:min(start+resultChunk, len(order))]
		args := make([]any, 0, len(chunk)*per)
		for _, k := range chunk {
			args = append(args, from, to, k.region, k.old, k.cur, counts[k])
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mujun_diff_move (from_run, to_run, region_code, old_class, new_class, n) VALUES `+
			placeholders(s.engine, len(chunk), per), args...); err != nil {
			return fmt.Errorf("sqlstore: insert diff moves: %w", err)
		}
	}
	return nil
}
