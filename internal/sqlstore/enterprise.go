package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/registry"
	"github.com/industrybrain/ibrain/internal/unit"
)

const dateLayout = "2006-01-02"

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

func parseDate(s string) time.Time {
	t, _ := time.Parse(dateLayout, s)
	return t
}

// EnterpriseWithYear is one row of an enterprise import: the registry record
// and, optionally, its statistical status for one year.
type EnterpriseWithYear struct {
	Enterprise enterprise.Enterprise
	Year       *enterprise.Year
}

// UpsertResult counts what a write changed.
type UpsertResult struct {
	Inserted  int
	Updated   int
	Unchanged int
	// ForReview counts monthly-report rows that became submissions
	// awaiting review (or drafts to explain) rather than accepted data.
	ForReview int
	// Pending counts enterprise-list rows of a district user sent to the
	// city for confirmation (ImportDistrictEnterprises).
	Pending int
}

// UpsertEnterprises writes enterprises keyed by credit code, and their yearly
// status, in one transaction: either every row is written or none. Rows
// identical to what is stored are left alone and counted as unchanged, so
// importing the same file twice changes nothing. Yearly status changes
// refresh the summaries of the affected years.
func (s *Store) UpsertEnterprises(ctx context.Context, rows []EnterpriseWithYear) (UpsertResult, error) {
	var res UpsertResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.upsertEnterprisesTx(ctx, tx, rows)
		return err
	})
	return res, err
}

func (s *Store) upsertEnterprisesTx(ctx context.Context, tx *sql.Tx, rows []EnterpriseWithYear) (UpsertResult, error) {
	if s.engine == Postgres && len(rows) >= s.bulkMin {
		return s.upsertEnterprisesBulk(ctx, tx, rows)
	}
	var res UpsertResult
	now := s.unix()
	sel, err := tx.PrepareContext(ctx, `SELECT id, name, region_code, industry_code, founded, land_mu100 FROM enterprise WHERE credit_code = $1`)
	if err != nil {
		return res, err
	}
	defer sel.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO enterprise (credit_code, name, region_code, industry_code, founded, land_mu100, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`)
	if err != nil {
		return res, err
	}
	defer ins.Close()
	upd, err := tx.PrepareContext(ctx, `UPDATE enterprise SET name = $2, region_code = $3, industry_code = $4, founded = $5, land_mu100 = $6, updated_at = $7 WHERE id = $1`)
	if err != nil {
		return res, err
	}
	defer upd.Close()
	yearUp, err := tx.PrepareContext(ctx, `INSERT INTO enterprise_year (enterprise_id, year, above_scale, employees, revenue, size, region_code) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (enterprise_id, year) DO UPDATE SET above_scale = excluded.above_scale, employees = excluded.employees, revenue = excluded.revenue, size = excluded.size
		WHERE enterprise_year.above_scale <> excluded.above_scale OR enterprise_year.employees <> excluded.employees OR enterprise_year.revenue <> excluded.revenue OR enterprise_year.size <> excluded.size`)
	if err != nil {
		return res, err
	}
	defer yearUp.Close()

	changedYears := map[int]bool{}
	cells := countCells{}         // list counts to recount
	moved := map[int64][]string{} // firms that changed district: every district they were in
	var touched []int64           // enterprises whose profile inputs changed
	names := newNameIndexer(s.engine)
	for _, r := range rows {
		e := r.Enterprise
		var id int64
		var name, regionCode, industryCode, founded string
		var land int64
		err := sel.QueryRowContext(ctx, e.CreditCode).Scan(&id, &name, &regionCode, &industryCode, &founded, &land)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := ins.QueryRowContext(ctx, e.CreditCode, e.Name, e.RegionCode, e.IndustryCode, formatDate(e.Founded), int64(e.LandArea), now).Scan(&id); err != nil {
				return res, fmt.Errorf("insert enterprise %s: %w", e.CreditCode, err)
			}
			if err := names.add(ctx, tx, id, e.Name); err != nil {
				return res, err
			}
			res.Inserted++
			touched = append(touched, id)
		case err != nil:
			return res, err
		default:
			same := name == e.Name && regionCode == e.RegionCode && industryCode == e.IndustryCode && founded == formatDate(e.Founded) && land == int64(e.LandArea)
			if same {
				res.Unchanged++
			} else {
				if _, err := upd.ExecContext(ctx, id, e.Name, e.RegionCode, e.IndustryCode, formatDate(e.Founded), int64(e.LandArea), now); err != nil {
					return res, err
				}
				res.Updated++
				touched = append(touched, id)
				if name != e.Name {
					if err := names.replace(ctx, tx, id, e.Name); err != nil {
						return res, err
					}
				}
				if regionCode != e.RegionCode {
					if _, err := tx.ExecContext(ctx, `UPDATE enterprise_year SET region_code = $2 WHERE enterprise_id = $1`, id, e.RegionCode); err != nil {
						return res, err
					}
					if _, err := tx.ExecContext(ctx, `UPDATE title SET region_code = $2 WHERE enterprise_id = $1`, id, e.RegionCode); err != nil {
						return res, err
					}
					if len(moved[id]) == 0 {
						moved[id] = []string{regionCode}
					}
					moved[id] = append(moved[id], e.RegionCode)
				}
				// Region or industry moves the enterprise between summary cells.
				if regionCode != e.RegionCode || industryCode != e.IndustryCode {
					if err := s.yearsOfEnterprise(ctx, tx, id, changedYears); err != nil {
						return res, err
					}
				}
			}
		}
		if y := r.Year; y != nil {
			ab := 0
			if y.AboveScale {
				ab = 1
			}
			out, err := yearUp.ExecContext(ctx, id, y.Year, ab, y.Employees, int64(y.Revenue), string(y.Size), e.RegionCode)
			if err != nil {
				return res, err
			}
			if n, _ := out.RowsAffected(); n > 0 {
				changedYears[y.Year] = true
				cells.add(y.Year, e.RegionCode)
				touched = append(touched, id)
			}
		}
	}
	if err := names.flush(ctx, tx); err != nil {
		return res, err
	}
	if len(touched) > 0 {
		if len(touched) > changeLogMaxIDs {
			touched = nil // every enterprise
		}
		if err := bumpProfileGeneration(ctx, tx, touched); err != nil {
			return res, err
		}
	}
	for id, regions := range moved {
		if err := yearsOfRows(ctx, tx, id, regions, cells); err != nil {
			return res, err
		}
	}
	if err := refreshYearCounts(ctx, tx, cells); err != nil {
		return res, err
	}
	return res, s.refreshYears(ctx, tx, changedYears)
}

func (s *Store) yearsOfEnterprise(ctx context.Context, tx *sql.Tx, id int64, into map[int]bool) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT year FROM monthly_report WHERE enterprise_id = $1`, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			return err
		}
		into[y] = true
	}
	return rows.Err()
}

// EnterpriseIDs maps every credit code to its enterprise id, for resolving
// report imports.
func (s *Store) EnterpriseIDs(ctx context.Context) (map[string]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT credit_code, id FROM enterprise`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			return nil, err
		}
		out[code] = id
	}
	return out, rows.Err()
}

// EnterpriseIDsOf maps those of codes that belong to firms in sc to their
// ids, by key: what a small import needs, instead of every stored firm's
// code (90,000 at 10×) and a read per firm for the scope.
func (s *Store) EnterpriseIDsOf(ctx context.Context, sc auth.Scope, codes []string) (map[string]int64, error) {
	out := make(map[string]int64, len(codes))
	for start := 0; start < len(codes); start += idChunk {
		chunk := codes[start:min(start+idChunk, len(codes))]
		args := make([]any, len(chunk), len(chunk)+2)
		for i, c := range chunk {
			args[i] = c
		}
		where, sargs := scopeClause(sc, "e", len(args)+1)
		rows, err := s.read.QueryContext(ctx, `SELECT e.credit_code, e.id FROM enterprise e WHERE e.credit_code IN (`+inList(1, len(args))+`) AND `+where, append(args, sargs...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var code string
			var id int64
			if err := rows.Scan(&code, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[code] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PutTitles inserts or updates titles, keyed by (enterprise, kind, granted
// date), and refreshes the summaries of the years whose year-end status can
// change.
func (s *Store) PutTitles(ctx context.Context, titles []enterprise.Title) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.engine == Postgres && len(titles) >= s.bulkMin {
			return s.putTitlesBulk(ctx, tx, titles)
		}
		// A title carries its firm's district; a firm that does not
		// exist has none, and the NOT NULL refuses the row.
		st, err := tx.PrepareContext(ctx, `INSERT INTO title (enterprise_id, kind, level, granted_on, valid_until, region_code)
			VALUES ($1, $2, $3, $4, $5, (SELECT e.region_code FROM enterprise e WHERE e.id = $1))
			ON CONFLICT (enterprise_id, kind, granted_on) DO UPDATE SET level = excluded.level, valid_until = excluded.valid_until
			WHERE title.level <> excluded.level OR title.valid_until <> excluded.valid_until`)
		if err != nil {
			return err
		}
		defer st.Close()
		years := map[int]bool{}
		var changed []int64
		for _, t := range titles {
			if !t.Kind.Valid() {
				return apperr.New(apperr.Invalid, "err.title_kind", string(t.Kind))
			}
			out, err := st.ExecContext(ctx, t.EnterpriseID, string(t.Kind), string(t.Level), formatDate(t.GrantedOn), formatDate(t.ValidUntil))
			if err != nil {
				return err
			}
			if n, _ := out.RowsAffected(); n > 0 {
				changed = append(changed, t.EnterpriseID)
			}
			if t.Kind.Specialized() {
				if err := s.yearsOfEnterprise(ctx, tx, t.EnterpriseID, years); err != nil {
					return err
				}
			}
		}
		if len(changed) > 0 {
			if len(changed) > changeLogMaxIDs {
				changed = nil // every enterprise
			}
			if err := bumpProfileGeneration(ctx, tx, changed); err != nil {
				return err
			}
		}
		return s.refreshYears(ctx, tx, years)
	})
}

// scopeClause returns a SQL condition restricting enterprise alias e to the
// scope, with its arguments numbered from next. An empty scope matches
// nothing.
func scopeClause(sc auth.Scope, alias string, next int) (string, []any) {
	return scopeOn(sc, alias+".id", alias+".region_code", next)
}

// scopeOn is scopeClause on any table that names its enterprise (idCol)
// and carries the enterprise's district (regionCol).
func scopeOn(sc auth.Scope, idCol, regionCol string, next int) (string, []any) {
	switch {
	case sc.IsAll():
		return "1 = 1", nil
	case sc.EnterpriseID != 0:
		return fmt.Sprintf("%s = $%d", idCol, next), []any{sc.EnterpriseID}
	case sc.RegionCode != "":
		return fmt.Sprintf("%s = $%d", regionCol, next), []any{sc.RegionCode}
	}
	return "1 = 0", nil
}

// The registry's view and filter types live in package registry; these
// names remain for the callers that still spell them the store's way.
type (
	EnterpriseFilter = registry.Filter
	EnterpriseItem   = registry.Item
	EnterprisePage   = registry.Page
	EnterpriseDetail = registry.Detail
)

// LatestYear returns the latest statistical year with yearly status, or 0.
func (s *Store) LatestYear(ctx context.Context) (int, error) {
	var y sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT MAX(year) FROM enterprise_year`).Scan(&y)
	return int(y.Int64), err
}

// ListEnterprises returns the enterprises in scope matching f, ordered by
// revenue then name.
func (s *Store) ListEnterprises(ctx context.Context, sc auth.Scope, f registry.Filter) (registry.Page, error) {
	var page registry.Page
	if f.Year == 0 {
		y, err := s.LatestYear(ctx)
		if err != nil {
			return page, err
		}
		f.Year = y
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 5000)
	if q := strings.TrimSpace(f.Query); q != "" {
		return s.searchEnterprises(ctx, sc, f, q)
	}
	scopeCond, args := scopeClause(sc, "e", 1)
	conds := []string{scopeCond}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	add("ey.year = ?", f.Year)
	// A district (filter or scope) is also a condition on the yearly rows
	// (which carry it), so the list walks index enterprise_year_region_revenue.
	if !sc.IsAll() && sc.RegionCode != "" && sc.EnterpriseID == 0 {
		add("ey.region_code = ?", sc.RegionCode)
	}
	if f.RegionCode != "" {
		add("e.region_code = ?", f.RegionCode)
		add("ey.region_code = ?", f.RegionCode)
	}
	// Cluster and tier select industry classes, so the enterprises are
	// found through their industry index rather than by probing the map
	// for each of them.
	if f.ClusterCode != "" {
		add(fmt.Sprintf("e.industry_code IN (SELECT industry_code FROM industry_map WHERE year = %d AND cluster_code = ?)", f.Year), f.ClusterCode)
	}
	if f.Tier != "" {
		add(fmt.Sprintf("e.industry_code IN (SELECT industry_code FROM industry_map WHERE year = %d AND tier = ?)", f.Year), f.Tier)
	}
	if f.Size != "" {
		add("ey.size = ?", string(f.Size))
	}
	if f.AboveScale != nil {
		v := 0
		if *f.AboveScale {
			v = 1
		}
		add("ey.above_scale = ?", v)
	}
	if f.Title != "" {
		args = append(args, string(f.Title), fmt.Sprintf("%d-12-31", f.Year))
		// An IN list from the title index rather than a probe per firm.
		conds = append(conds, fmt.Sprintf("e.id IN (SELECT t.enterprise_id FROM title t WHERE t.kind = $%d AND t.granted_on <= $%d AND (t.valid_until = '' OR t.valid_until > $%d))", len(args)-1, len(args), len(args)))
	}
	where := strings.Join(conds, " AND ")
	from := ` FROM enterprise e
		JOIN enterprise_year ey ON ey.enterprise_id = e.id
		LEFT JOIN industry_map m ON m.year = ey.year AND m.industry_code = e.industry_code
		WHERE ` + where
	// The count joins only what its conditions read: the industry map
	// adds no rows (one per year and class), and without conditions on
	// the enterprise it is a count of the year's index entries. With
	// them, CROSS JOIN makes SQLite start from the enterprises the
	// conditions select (PostgreSQL plans it freely); walking the year's
	// rows and probing each enterprise cost 400 ms at 90,000 firms.
	countFrom := ` FROM enterprise_year ey WHERE ` + where
	if !sc.IsAll() || f.RegionCode != "" || f.Title != "" || f.ClusterCode != "" || f.Tier != "" {
		countFrom = ` FROM enterprise e CROSS JOIN enterprise_year ey WHERE ey.enterprise_id = e.id AND ` + where
	}
	// The city's and a district's totals, by size and above-scale flag,
	// are kept counted (enterprise_year_count): counting the year's rows
	// was most of a page's CPU at ten times the demo.
	total, counted, err := s.countFromCells(ctx, sc, f)
	if err != nil {
		return page, err
	}
	page.Total = total
	if !counted {
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*)`+countFrom, args...).Scan(&page.Total); err != nil {
			return page, fmt.Errorf("sqlstore: count enterprises: %w", err)
		}
	}
	if page.Total <= f.Offset {
		return page, nil
	}
	// The list walks the year's firms by revenue and stops at the page's
	// end, which is quick when many firms match. When few match, that walk
	// passes nearly every firm, so the matching firms are collected first
	// and sorted.
	if page.Total <= selectiveList {
		from = ` FROM enterprise e CROSS JOIN enterprise_year ey
		LEFT JOIN industry_map m ON m.year = ey.year AND m.industry_code = e.industry_code
		WHERE ey.enterprise_id = e.id AND ` + where
	}
	q := `SELECT e.id, e.credit_code, e.name, e.region_code, e.industry_code, e.founded, e.land_mu100,
		ey.year, ey.above_scale, ey.size, ey.employees, ey.revenue,
		COALESCE(m.cluster_code, ''), COALESCE(m.tier, '')` + from +
		` ORDER BY ey.revenue DESC, e.name` + pageClause(f.Limit, f.Offset)
	if err := s.scanEnterpriseItems(ctx, &page, q, args); err != nil {
		return page, err
	}
	return page, s.attachItemDetails(ctx, page.Items, f.Year)
}

// scanEnterpriseItems appends the rows of a list query to page.
func (s *Store) scanEnterpriseItems(ctx context.Context, page *registry.Page, q string, args []any) error {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: list enterprises: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it registry.Item
		var founded, size string
		var land, revenue int64
		var above int
		if err := rows.Scan(&it.ID, &it.CreditCode, &it.Name, &it.RegionCode, &it.IndustryCode, &founded, &land,
			&it.Year, &above, &size, &it.Employees, &revenue, &it.ClusterCode, &it.Tier); err != nil {
			return err
		}
		it.Founded, it.LandArea, it.AboveScale, it.Size, it.Revenue = parseDate(founded), unit.Mu100(land), above == 1, enterprise.Size(size), unit.Fen(revenue)
		page.Items = append(page.Items, it)
	}
	return rows.Err()
}

// attachItemDetails fills the listed items' titles held at the end of
// year and their personal data.
func (s *Store) attachItemDetails(ctx context.Context, items []registry.Item, year int) error {
	ids := make(map[int64]int, len(items))
	for i, it := range items {
		ids[it.ID] = i
	}
	if err := s.attachTitleKinds(ctx, items, ids, fmt.Sprintf("%d-12-31", year)); err != nil {
		return err
	}
	return s.attachContacts(ctx, items, ids)
}

// attachContacts fills the listed items' personal data.
func (s *Store) attachContacts(ctx context.Context, items []registry.Item, ids map[int64]int) error {
	if len(ids) == 0 {
		return nil
	}
	ph := make([]string, 0, len(ids))
	args := make([]any, 0, len(ids))
	for id := range ids {
		args = append(args, id)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := s.read.QueryContext(ctx, `SELECT enterprise_id, legal_rep, contact_name, contact_phone FROM enterprise_contact WHERE enterprise_id IN (`+strings.Join(ph, ",")+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c enterprise.Contact
		if err := rows.Scan(&c.EnterpriseID, &c.LegalRep, &c.Name, &c.Phone); err != nil {
			return err
		}
		items[ids[c.EnterpriseID]].Contact = c
	}
	return rows.Err()
}

// PutContacts writes enterprises' personal data (legal representative,
// contact person and phone), replacing what was stored, in one
// transaction.
func (s *Store) PutContacts(ctx context.Context, cs []enterprise.Contact) error {
	now := s.now().UTC().Unix()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range cs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO enterprise_contact (enterprise_id, legal_rep, contact_name, contact_phone, updated_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (enterprise_id) DO UPDATE SET legal_rep = excluded.legal_rep, contact_name = excluded.contact_name, contact_phone = excluded.contact_phone, updated_at = excluded.updated_at`,
				c.EnterpriseID, c.LegalRep, c.Name, c.Phone, now); err != nil {
				return fmt.Errorf("sqlstore: contact of %d: %w", c.EnterpriseID, err)
			}
		}
		return nil
	})
}

func (s *Store) attachTitleKinds(ctx context.Context, items []registry.Item, ids map[int64]int, day string) error {
	if len(ids) == 0 {
		return nil
	}
	ph := make([]string, 0, len(ids))
	args := []any{day}
	for id := range ids {
		args = append(args, id)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := s.read.QueryContext(ctx, `SELECT enterprise_id, kind FROM title WHERE granted_on <= $1 AND (valid_until = '' OR valid_until > $1) AND enterprise_id IN (`+strings.Join(ph, ",")+`) ORDER BY enterprise_id, kind`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return err
		}
		i := ids[id]
		items[i].TitleKinds = append(items[i].TitleKinds, enterprise.TitleKind(kind))
	}
	return rows.Err()
}

// selectiveList is the match count up to which ListEnterprises sorts the
// matching firms rather than walking all firms in revenue order: either
// way at most a few thousand rows are touched.
const selectiveList = 2000

// escapeLike makes a user's text literal in a LIKE pattern used with
// ESCAPE '\' (both engines honour the clause): "%" and "_" typed in a
// search are characters, not wildcards.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// Enterprise returns one enterprise if it is in scope. An enterprise outside
// the scope is reported as not found, so its existence does not leak.
func (s *Store) Enterprise(ctx context.Context, sc auth.Scope, id int64) (registry.Detail, error) {
	var d registry.Detail
	where, args := scopeClause(sc, "e", 2)
	var founded string
	var land int64
	err := s.read.QueryRowContext(ctx, `SELECT e.id, e.credit_code, e.name, e.region_code, e.industry_code, e.founded, e.land_mu100 FROM enterprise e WHERE e.id = $1 AND `+where, append([]any{id}, args...)...).
		Scan(&d.ID, &d.CreditCode, &d.Name, &d.RegionCode, &d.IndustryCode, &founded, &land)
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.New(apperr.NotFound, "err.enterprise_not_found")
	}
	if err != nil {
		return d, err
	}
	d.Founded, d.LandArea = parseDate(founded), unit.Mu100(land)
	d.Contact.EnterpriseID = id
	err = s.read.QueryRowContext(ctx, `SELECT legal_rep, contact_name, contact_phone FROM enterprise_contact WHERE enterprise_id = $1`, id).
		Scan(&d.Contact.LegalRep, &d.Contact.Name, &d.Contact.Phone)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return d, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT year, above_scale, employees, revenue, size FROM enterprise_year WHERE enterprise_id = $1 ORDER BY year`, id)
	if err != nil {
		return d, err
	}
	for rows.Next() {
		y := enterprise.Year{EnterpriseID: id}
		var above int
		var revenue int64
		var size string
		if err := rows.Scan(&y.Year, &above, &y.Employees, &revenue, &size); err != nil {
			rows.Close()
			return d, err
		}
		y.AboveScale, y.Revenue, y.Size = above == 1, unit.Fen(revenue), enterprise.Size(size)
		d.Years = append(d.Years, y)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	trows, err := s.read.QueryContext(ctx, `SELECT kind, level, granted_on, valid_until FROM title WHERE enterprise_id = $1 ORDER BY granted_on, kind`, id)
	if err != nil {
		return d, err
	}
	defer trows.Close()
	for trows.Next() {
		t := enterprise.Title{EnterpriseID: id}
		var kind, level, g, v string
		if err := trows.Scan(&kind, &level, &g, &v); err != nil {
			return d, err
		}
		t.Kind, t.Level, t.GrantedOn, t.ValidUntil = enterprise.TitleKind(kind), enterprise.TitleLevel(level), parseDate(g), parseDate(v)
		d.Titles = append(d.Titles, t)
	}
	return d, trows.Err()
}

// CountTitlesGranted counts titles of kind granted in year to enterprises in
// scope: the actual behind "newly cultivated" targets.
func (s *Store) CountTitlesGranted(ctx context.Context, sc auth.Scope, kind enterprise.TitleKind, year int) (int, error) {
	// A range of the covering index title_kind: titles carry their
	// firm's district (migration 0047).
	where, args := scopeOn(sc, "t.enterprise_id", "t.region_code", 4)
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM title t WHERE t.kind = $1 AND t.granted_on >= $2 AND t.granted_on <= $3 AND `+where,
		append([]any{string(kind), fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)}, args...)...).Scan(&n)
	return n, err
}

// The store serves the registry's use cases.
var _ registry.Store = (*Store)(nil)
