package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
)

// upsertEnterprisesBulk is upsertEnterprisesTx for large writes on
// PostgreSQL: the stored records of every credit code are read in one
// query, the rows are applied to them in order in memory (the same
// decisions, in the same order, as the row-at-a-time path, so the counts
// agree), and the outcome is written with COPY and set-based merges.
func (s *Store) upsertEnterprisesBulk(ctx context.Context, tx *sql.Tx, rows []EnterpriseWithYear) (UpsertResult, error) {
	var res UpsertResult
	now := s.unix()
	type rec struct {
		id                                     int64 // 0 until inserted
		name, region, industry, founded        string
		land                                   int64
		storedName, storedRegion, storedIndust string
		stored, changed                        bool
		order                                  int // first appearance, for new firms' ids
	}
	codes := make([]string, 0, len(rows))
	seen := map[string]bool{}
	for _, r := range rows {
		if c := r.Enterprise.CreditCode; !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	state := make(map[string]*rec, len(codes))
	q, err := tx.QueryContext(ctx, `SELECT id, credit_code, name, region_code, industry_code, founded, land_mu100 FROM enterprise WHERE credit_code = ANY($1)`, codes)
	if err != nil {
		return res, err
	}
	for q.Next() {
		var code string
		r := &rec{stored: true}
		if err := q.Scan(&r.id, &code, &r.name, &r.region, &r.industry, &r.founded, &r.land); err != nil {
			q.Close()
			return res, err
		}
		r.storedName, r.storedRegion, r.storedIndust = r.name, r.region, r.industry
		state[code] = r
	}
	q.Close()
	if err := q.Err(); err != nil {
		return res, err
	}
	var fresh []string // credit codes to insert, in order
	for _, row := range rows {
		e := row.Enterprise
		cur, ok := state[e.CreditCode]
		if !ok {
			state[e.CreditCode] = &rec{name: e.Name, region: e.RegionCode, industry: e.IndustryCode, founded: formatDate(e.Founded), land: int64(e.LandArea), order: len(fresh)}
			fresh = append(fresh, e.CreditCode)
			res.Inserted++
			continue
		}
		if cur.name == e.Name && cur.region == e.RegionCode && cur.industry == e.IndustryCode && cur.founded == formatDate(e.Founded) && cur.land == int64(e.LandArea) {
			res.Unchanged++
			continue
		}
		cur.name, cur.region, cur.industry, cur.founded, cur.land = e.Name, e.RegionCode, e.IndustryCode, formatDate(e.Founded), int64(e.LandArea)
		cur.changed = true
		res.Updated++
	}

	// New firms, in order of first appearance so ids follow the input.
	if len(fresh) > 0 {
		if err := stageTable(ctx, tx, "stage_enterprise", "seq INTEGER, credit_code TEXT, name TEXT, region_code TEXT, industry_code TEXT, founded TEXT, land_mu100 BIGINT"); err != nil {
			return res, err
		}
		cp := make([][]any, len(fresh))
		for i, code := range fresh {
			r := state[code]
			cp[i] = []any{int32(i), code, r.name, r.region, r.industry, r.founded, r.land}
		}
		if _, err := s.copyFrom(ctx, tx, "stage_enterprise", []string{"seq", "credit_code", "name", "region_code", "industry_code", "founded", "land_mu100"}, cp); err != nil {
			return res, err
		}
		ins, err := tx.QueryContext(ctx, `INSERT INTO enterprise (credit_code, name, region_code, industry_code, founded, land_mu100, created_at, updated_at)
			SELECT credit_code, name, region_code, industry_code, founded, land_mu100, $1, $1 FROM stage_enterprise ORDER BY seq RETURNING id, credit_code`, now)
		if err != nil {
			return res, fmt.Errorf("sqlstore: insert enterprises: %w", err)
		}
		for ins.Next() {
			var id int64
			var code string
			if err := ins.Scan(&id, &code); err != nil {
				ins.Close()
				return res, err
			}
			state[code].id = id
		}
		ins.Close()
		if err := ins.Err(); err != nil {
			return res, fmt.Errorf("sqlstore: insert enterprises: %w", err)
		}
	}

	// Changed firms: one UPDATE from a staging table; the name index of
	// renamed ones is rebuilt; a move between districts or industries
	// rebuilds the years the firm reported in.
	var upd [][]any
	var renamed, moved []int64
	for _, code := range codes {
		r := state[code]
		if !r.stored || !r.changed {
			continue
		}
		upd = append(upd, []any{r.id, r.name, r.region, r.industry, r.founded, r.land})
		if r.name != r.storedName {
			renamed = append(renamed, r.id)
		}
		if r.region != r.storedRegion || r.industry != r.storedIndust {
			moved = append(moved, r.id)
		}
	}
	if len(upd) > 0 {
		if err := stageTable(ctx, tx, "stage_enterprise_upd", "id BIGINT, name TEXT, region_code TEXT, industry_code TEXT, founded TEXT, land_mu100 BIGINT"); err != nil {
			return res, err
		}
		if _, err := s.copyFrom(ctx, tx, "stage_enterprise_upd", []string{"id", "name", "region_code", "industry_code", "founded", "land_mu100"}, upd); err != nil {
			return res, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE enterprise e SET name = u.name, region_code = u.region_code, industry_code = u.industry_code,
			founded = u.founded, land_mu100 = u.land_mu100, updated_at = $1 FROM stage_enterprise_upd u WHERE e.id = u.id`, now); err != nil {
			return res, fmt.Errorf("sqlstore: update enterprises: %w", err)
		}
	}
	if len(moved) > 0 {
		// The yearly rows carry the firm's district (the lists' index).
		if _, err := tx.ExecContext(ctx, `UPDATE enterprise_year ey SET region_code = e.region_code FROM enterprise e
			WHERE e.id = ey.enterprise_id AND ey.enterprise_id = ANY($1)`, moved); err != nil {
			return res, fmt.Errorf("sqlstore: move yearly rows: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE title t SET region_code = e.region_code FROM enterprise e
			WHERE e.id = t.enterprise_id AND t.enterprise_id = ANY($1)`, moved); err != nil {
			return res, fmt.Errorf("sqlstore: move titles: %w", err)
		}
	}
	if len(renamed) > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM enterprise_gram WHERE enterprise_id = ANY($1)`, renamed); err != nil {
			return res, fmt.Errorf("sqlstore: name index: %w", err)
		}
	}
	var grams [][]any
	for _, code := range codes {
		r := state[code]
		if !r.stored || (r.changed && r.name != r.storedName) {
			for _, g := range nameGrams(r.name) {
				grams = append(grams, []any{g, r.id})
			}
		}
	}
	if len(grams) > 0 {
		if _, err := s.copyFrom(ctx, tx, "enterprise_gram", []string{"gram", "enterprise_id"}, grams); err != nil {
			return res, err
		}
	}
	changedYears := map[int]bool{}
	cells := countCells{} // list counts to recount: whole years, a bulk write touches most districts
	if len(moved) > 0 {
		yr, err := tx.QueryContext(ctx, `SELECT DISTINCT year FROM enterprise_year WHERE enterprise_id = ANY($1)`, moved)
		if err != nil {
			return res, err
		}
		for yr.Next() {
			var y int
			if err := yr.Scan(&y); err != nil {
				yr.Close()
				return res, err
			}
			cells.addYear(y)
		}
		yr.Close()
		if err := yr.Err(); err != nil {
			return res, err
		}
	}
	if len(moved) > 0 {
		yr, err := tx.QueryContext(ctx, `SELECT DISTINCT year FROM monthly_report WHERE enterprise_id = ANY($1)`, moved)
		if err != nil {
			return res, err
		}
		for yr.Next() {
			var y int
			if err := yr.Scan(&y); err != nil {
				yr.Close()
				return res, err
			}
			changedYears[y] = true
		}
		yr.Close()
		if err := yr.Err(); err != nil {
			return res, err
		}
	}

	// Yearly status: the last row of each firm and year wins, as it would
	// row by row; the merge returns the years it changed.
	type fy struct {
		id   int64
		year int
	}
	last := map[fy]*enterprise.Year{}
	var order []fy
	for _, row := range rows {
		if row.Year == nil {
			continue
		}
		k := fy{state[row.Enterprise.CreditCode].id, row.Year.Year}
		if _, ok := last[k]; !ok {
			order = append(order, k)
		}
		last[k] = row.Year
	}
	yearsChanged := false
	if len(order) > 0 {
		if err := stageTable(ctx, tx, "stage_enterprise_year", "enterprise_id BIGINT, year INTEGER, above_scale INTEGER, employees INTEGER, revenue BIGINT, size TEXT"); err != nil {
			return res, err
		}
		cp := make([][]any, len(order))
		for i, k := range order {
			y := last[k]
			ab := int32(0)
			if y.AboveScale {
				ab = 1
			}
			cp[i] = []any{k.id, int32(k.year), ab, int32(y.Employees), int64(y.Revenue), string(y.Size)}
		}
		if _, err := s.copyFrom(ctx, tx, "stage_enterprise_year", []string{"enterprise_id", "year", "above_scale", "employees", "revenue", "size"}, cp); err != nil {
			return res, err
		}
		yr, err := tx.QueryContext(ctx, `WITH up AS (
			INSERT INTO enterprise_year (enterprise_id, year, above_scale, employees, revenue, size, region_code)
			SELECT s.enterprise_id, s.year, s.above_scale, s.employees, s.revenue, s.size, e.region_code FROM stage_enterprise_year s JOIN enterprise e ON e.id = s.enterprise_id
			ON CONFLICT (enterprise_id, year) DO UPDATE SET above_scale = excluded.above_scale, employees = excluded.employees, revenue = excluded.revenue, size = excluded.size
			WHERE enterprise_year.above_scale <> excluded.above_scale OR enterprise_year.employees <> excluded.employees OR enterprise_year.revenue <> excluded.revenue OR enterprise_year.size <> excluded.size
			RETURNING year)
			SELECT DISTINCT year FROM up`)
		if err != nil {
			return res, fmt.Errorf("sqlstore: enterprise years: %w", err)
		}
		for yr.Next() {
			var y int
			if err := yr.Scan(&y); err != nil {
				yr.Close()
				return res, err
			}
			changedYears[y] = true
			cells.addYear(y)
			yearsChanged = true
		}
		yr.Close()
		if err := yr.Err(); err != nil {
			return res, fmt.Errorf("sqlstore: enterprise years: %w", err)
		}
	}
	if err := s.analyzeGrown(ctx, tx, len(rows), "enterprise", "enterprise_year", "enterprise_gram"); err != nil {
		return res, err
	}
	if res.Inserted > 0 || res.Updated > 0 || yearsChanged {
		if err := bumpProfileGeneration(ctx, tx, nil); err != nil { // a bulk write: every firm
			return res, err
		}
	}
	if err := refreshYearCounts(ctx, tx, cells); err != nil {
		return res, err
	}
	return res, s.refreshYears(ctx, tx, changedYears)
}

// putTitlesBulk is PutTitles for large writes on PostgreSQL: COPY into a
// staging table, one merge, and one query for the years whose year-end
// specialized status may have changed.
func (s *Store) putTitlesBulk(ctx context.Context, tx *sql.Tx, titles []enterprise.Title) error {
	type key struct {
		id      int64
		kind    string
		granted string
	}
	last := map[key]int{} // the last row of a key wins, as row by row
	var order []key
	var specialized []int64
	for i, t := range titles {
		if !t.Kind.Valid() {
			return apperr.New(apperr.Invalid, "err.title_kind", string(t.Kind))
		}
		k := key{t.EnterpriseID, string(t.Kind), formatDate(t.GrantedOn)}
		if _, ok := last[k]; !ok {
			order = append(order, k)
		}
		last[k] = i
		if t.Kind.Specialized() {
			specialized = append(specialized, t.EnterpriseID)
		}
	}
	if err := stageTable(ctx, tx, "stage_title", "enterprise_id BIGINT, kind TEXT, level TEXT, granted_on TEXT, valid_until TEXT"); err != nil {
		return err
	}
	cp := make([][]any, len(order))
	for i, k := range order {
		t := titles[last[k]]
		cp[i] = []any{k.id, k.kind, string(t.Level), k.granted, formatDate(t.ValidUntil)}
	}
	if _, err := s.copyFrom(ctx, tx, "stage_title", []string{"enterprise_id", "kind", "level", "granted_on", "valid_until"}, cp); err != nil {
		return err
	}
	out, err := tx.ExecContext(ctx, `INSERT INTO title (enterprise_id, kind, level, granted_on, valid_until, region_code)
		SELECT s.enterprise_id, s.kind, s.level, s.granted_on, s.valid_until, (SELECT e.region_code FROM enterprise e WHERE e.id = s.enterprise_id) FROM stage_title s
		ON CONFLICT (enterprise_id, kind, granted_on) DO UPDATE SET level = excluded.level, valid_until = excluded.valid_until
		WHERE title.level <> excluded.level OR title.valid_until <> excluded.valid_until`)
	if err != nil {
		return fmt.Errorf("sqlstore: titles: %w", err)
	}
	if err := s.analyzeGrown(ctx, tx, len(order), "title"); err != nil {
		return err
	}
	if n, _ := out.RowsAffected(); n > 0 {
		if err := bumpProfileGeneration(ctx, tx, nil); err != nil { // a bulk write: every firm
			return err
		}
	}
	years := map[int]bool{}
	if len(specialized) > 0 {
		yr, err := tx.QueryContext(ctx, `SELECT DISTINCT year FROM monthly_report WHERE enterprise_id = ANY($1)`, specialized)
		if err != nil {
			return err
		}
		for yr.Next() {
			var y int
			if err := yr.Scan(&y); err != nil {
				yr.Close()
				return err
			}
			years[y] = true
		}
		yr.Close()
		if err := yr.Err(); err != nil {
			return err
		}
	}
	return s.refreshYears(ctx, tx, years)
}

// putProfileFactsBulk is putProfileFactsTx for large writes on
// PostgreSQL: existence and stored facts are read in two queries, the rows
// are replayed in order against them in memory (so the counts agree with
// the row path), and what changed is written with COPY and one merge.
func (s *Store) putProfileFactsBulk(ctx context.Context, tx *sql.Tx, rows []cultivation.YearFacts, docs []string) (UpsertResult, error) {
	var res UpsertResult
	ids := make([]int64, 0, len(rows))
	seen := map[int64]bool{}
	for _, r := range rows {
		if !seen[r.EnterpriseID] {
			seen[r.EnterpriseID] = true
			ids = append(ids, r.EnterpriseID)
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprise WHERE id = ANY($1)`, ids).Scan(&n); err != nil {
		return res, err
	}
	if n != len(ids) {
		return res, apperr.New(apperr.NotFound, "err.enterprise_not_found")
	}
	type stored struct{ facts, source string }
	state := map[FactsKey]stored{}
	q, err := tx.QueryContext(ctx, `SELECT enterprise_id, year, facts, source FROM enterprise_profile WHERE enterprise_id = ANY($1)`, ids)
	if err != nil {
		return res, err
	}
	for q.Next() {
		var k FactsKey
		var v stored
		if err := q.Scan(&k.EnterpriseID, &k.Year, &v.facts, &v.source); err != nil {
			q.Close()
			return res, err
		}
		state[k] = v
	}
	q.Close()
	if err := q.Err(); err != nil {
		return res, err
	}
	write := map[FactsKey]int{} // key → the last row to write
	var order []FactsKey
	for i, r := range rows {
		k := FactsKey{r.EnterpriseID, r.Year}
		v, ok := state[k]
		switch {
		case !ok:
			res.Inserted++
		case v.facts == docs[i] && v.source == r.Source:
			res.Unchanged++
			continue
		default:
			res.Updated++
		}
		state[k] = stored{docs[i], r.Source}
		if _, ok := write[k]; !ok {
			order = append(order, k)
		}
		write[k] = i
	}
	if len(order) == 0 {
		return res, nil
	}
	if err := stageTable(ctx, tx, "stage_profile", "enterprise_id BIGINT, year INTEGER, facts TEXT, source TEXT"); err != nil {
		return res, err
	}
	cp := make([][]any, len(order))
	for j, k := range order {
		i := write[k]
		cp[j] = []any{k.EnterpriseID, int32(k.Year), docs[i], rows[i].Source}
	}
	if _, err := s.copyFrom(ctx, tx, "stage_profile", []string{"enterprise_id", "year", "facts", "source"}, cp); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO enterprise_profile (enterprise_id, year, facts, source, updated_at)
		SELECT enterprise_id, year, facts, source, $1 FROM stage_profile
		ON CONFLICT (enterprise_id, year) DO UPDATE SET facts = excluded.facts, source = excluded.source, updated_at = excluded.updated_at`, s.unix()); err != nil {
		return res, fmt.Errorf("sqlstore: profile facts: %w", err)
	}
	// No ANALYZE: profiles are read by key, and sampling their JSON
	// documents after each batch cost more than the batch.
	return res, bumpProfileGeneration(ctx, tx, nil) // a bulk write: every firm
}
