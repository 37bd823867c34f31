package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/unit"
)

// PutProfileFacts writes yearly profile facts keyed by (enterprise, year)
// in one transaction: every row is validated first, and one bad row or
// unknown enterprise writes nothing. Rows equal to what is stored are left
// alone and counted as unchanged.
func (s *Store) PutProfileFacts(ctx context.Context, rows []cultivation.YearFacts) (UpsertResult, error) {
	var res UpsertResult
	docs := make([]string, len(rows))
	for i, r := range rows {
		if err := r.Validate(); err != nil {
			return res, apperr.Wrap(err, apperr.Invalid, cultivation.MsgBadFacts, r.EnterpriseID, r.Year, err.Error())
		}
		b, err := encodeFacts(&r.Facts)
		if err != nil {
			return res, err
		}
		docs[i] = b
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.putProfileFactsTx(ctx, tx, rows, docs)
		return err
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

// putProfileFactsTx writes validated rows (docs are their encoded facts)
// inside tx, skipping rows equal to what is stored.
func (s *Store) putProfileFactsTx(ctx context.Context, tx *sql.Tx, rows []cultivation.YearFacts, docs []string) (UpsertResult, error) {
	if s.engine == Postgres && len(rows) >= s.bulkMin {
		return s.putProfileFactsBulk(ctx, tx, rows, docs)
	}
	var res UpsertResult
	exists, err := tx.PrepareContext(ctx, `SELECT COUNT(*) FROM enterprise WHERE id = $1`)
	if err != nil {
		return res, err
	}
	defer exists.Close()
	sel, err := tx.PrepareContext(ctx, `SELECT facts, source FROM enterprise_profile WHERE enterprise_id = $1 AND year = $2`)
	if err != nil {
		return res, err
	}
	defer sel.Close()
	up, err := tx.PrepareContext(ctx, `INSERT INTO enterprise_profile (enterprise_id, year, facts, source, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (enterprise_id, year) DO UPDATE SET facts = excluded.facts, source = excluded.source, updated_at = excluded.updated_at`)
	if err != nil {
		return res, err
	}
	defer up.Close()
	now := s.unix()
	checked := map[int64]bool{}
	var changed []int64
	for i, r := range rows {
		if !checked[r.EnterpriseID] {
			var n int
			if err := exists.QueryRowContext(ctx, r.EnterpriseID).Scan(&n); err != nil {
				return res, err
			}
			if n == 0 {
				return res, apperr.New(apperr.NotFound, "err.enterprise_not_found")
			}
			checked[r.EnterpriseID] = true
		}
		var facts, source string
		err := sel.QueryRowContext(ctx, r.EnterpriseID, r.Year).Scan(&facts, &source)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res.Inserted++
		case err != nil:
			return res, err
		case facts == docs[i] && source == r.Source:
			res.Unchanged++
			continue
		default:
			res.Updated++
		}
		if _, err := up.ExecContext(ctx, r.EnterpriseID, r.Year, docs[i], r.Source, now); err != nil {
			return res, fmt.Errorf("sqlstore: profile facts %d/%d: %w", r.EnterpriseID, r.Year, err)
		}
		changed = append(changed, r.EnterpriseID)
	}
	// Changed facts change profiles: cached screenings must go (the
	// file imports write through here too).
	if res.Inserted+res.Updated > 0 {
		return res, bumpProfileGeneration(ctx, tx, changed)
	}
	return res, nil
}

// encodeFacts is the stored form: compact JSON without HTML escaping, the
// same bytes for the same facts (maps are written with sorted keys), so
// unchanged rows are recognised.
func encodeFacts(f *cultivation.Facts) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return "", err
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func decodeFacts(s string, f *cultivation.Facts) error {
	if err := json.Unmarshal([]byte(s), f); err != nil {
		return fmt.Errorf("sqlstore: stored profile facts: %w", err)
	}
	return nil
}

// ProfileFacts returns one enterprise's stored facts, oldest year first,
// if the enterprise is in scope.
func (s *Store) ProfileFacts(ctx context.Context, sc auth.Scope, id int64) ([]cultivation.YearFacts, error) {
	where, args := scopeClause(sc, "e", 2)
	rows, err := s.read.QueryContext(ctx, `SELECT p.year, p.facts, p.source FROM enterprise_profile p JOIN enterprise e ON e.id = p.enterprise_id
		WHERE p.enterprise_id = $1 AND `+where+` ORDER BY p.year`, append([]any{id}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cultivation.YearFacts
	for rows.Next() {
		yf := cultivation.YearFacts{EnterpriseID: id}
		var doc string
		if err := rows.Scan(&yf.Year, &doc, &yf.Source); err != nil {
			return nil, err
		}
		if err := decodeFacts(doc, &yf.Facts); err != nil {
			return nil, err
		}
		out = append(out, yf)
	}
	return out, rows.Err()
}

// ProfileRaws returns the raw facts of every enterprise in scope matching
// q, ordered by id: the registry record with its titles, its cluster, its
// yearly status, its December reports and its profile facts, each by year.
// It runs five queries whatever the number of enterprises, so a city-wide
// screening reads the store once.
//
// The four detail reads run concurrently on the reader pool and append
// straight into the enterprise they belong to (each into its own field, so
// they never write the same memory). The year bounds are written +year: that
// keeps SQLite off the year-leading indexes, which for a city-wide read
// cost a table lookup per row where a plain scan reads every page once;
// narrower reads go through the primary keys via the enterprise filter.
// December reports come from the covering partial index of migration 0008.
func (s *Store) ProfileRaws(ctx context.Context, sc auth.Scope, q cultivation.ProfileQuery) ([]cultivation.Raw, error) {
	if q.ClusterYear == 0 {
		q.ClusterYear = q.ToYear
	}
	where, args := scopeClause(sc, "e", 1)
	conds := []string{where}
	if q.EnterpriseID != 0 {
		args = append(args, q.EnterpriseID)
		conds = append(conds, fmt.Sprintf("e.id = $%d", len(args)))
	}
	if q.RegionCode != "" {
		args = append(args, q.RegionCode)
		conds = append(conds, fmt.Sprintf("e.region_code = $%d", len(args)))
	}
	if q.EnterpriseIDs != nil {
		if len(q.EnterpriseIDs) == 0 {
			return nil, nil
		}
		ph := make([]string, len(q.EnterpriseIDs))
		for i, id := range q.EnterpriseIDs {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		conds = append(conds, "e.id IN ("+strings.Join(ph, ", ")+")")
	}
	cond := strings.Join(conds, " AND ")

	var out []cultivation.Raw
	var ids []int64
	a := append(append([]any{}, args...), q.ClusterYear)
	page := ""
	if q.AfterID > 0 {
		a = append(a, q.AfterID)
		page = fmt.Sprintf(" AND e.id > $%d", len(a))
	}
	page += " ORDER BY e.id"
	if q.Limit > 0 {
		page += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, e.credit_code, e.name, e.region_code, e.industry_code, e.founded, e.land_mu100, COALESCE(m.cluster_code, '')
		FROM enterprise e LEFT JOIN industry_map m ON m.year = $`+fmt.Sprint(len(args)+1)+` AND m.industry_code = e.industry_code
		WHERE `+cond+page, a...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: profile enterprises: %w", err)
	}
	for rows.Next() {
		out = append(out, cultivation.Raw{})
		r := &out[len(out)-1]
		e := &r.Enterprise
		var founded string
		var land int64
		if err := rows.Scan(&e.ID, &e.CreditCode, &e.Name, &e.RegionCode, &e.IndustryCode, &founded, &land, &r.ClusterCode); err != nil {
			rows.Close()
			return nil, err
		}
		e.Founded, e.LandArea = parseDate(founded), unit.Mu100(land)
		ids = append(ids, e.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	at := func(id int64) *cultivation.Raw {
		if i, ok := slices.BinarySearch(ids, id); ok {
			return &out[i]
		}
		return nil
	}
	nYears := max(q.ToYear-q.FromYear+1, 1)

	in := ""
	if cond != "1 = 1" {
		in = " AND %s.enterprise_id IN (SELECT e.id FROM enterprise e WHERE " + cond + ")"
	}
	// A page reads the facts of its id range only, through each table's
	// key (they all lead with enterprise_id).
	idRange := ""
	if q.AfterID > 0 || q.Limit > 0 {
		args = append(args, ids[0], ids[len(ids)-1])
		idRange = fmt.Sprintf(" AND %%[1]s.enterprise_id BETWEEN $%d AND $%d", len(args)-1, len(args))
	}
	filter := func(alias string) string {
		f := ""
		if in != "" {
			f = fmt.Sprintf(in, alias)
		}
		if idRange != "" {
			f += fmt.Sprintf(idRange, alias)
		}
		return f
	}
	yearArgs := append(append([]any{}, args...), q.FromYear, q.ToYear)
	yearCond := func(alias string) string {
		return fmt.Sprintf(" AND +%s.year >= $%d AND +%s.year <= $%d", alias, len(args)+1, alias, len(args)+2)
	}

	var (
		errs [5]error
		wg   sync.WaitGroup
	)
	wg.Add(5)
	go func() {
		defer wg.Done()
		errs[0] = s.eachRow(ctx, `SELECT ey.enterprise_id, ey.year, ey.above_scale, ey.employees, ey.revenue, ey.size FROM enterprise_year ey
			WHERE 1 = 1`+yearCond("ey")+filter("ey"), yearArgs, func(rows *sql.Rows) error {
			var y enterprise.Year
			var above int
			var revenue int64
			var size string
			if err := rows.Scan(&y.EnterpriseID, &y.Year, &above, &y.Employees, &revenue, &size); err != nil {
				return err
			}
			y.AboveScale, y.Revenue, y.Size = above == 1, unit.Fen(revenue), enterprise.Size(size)
			if r := at(y.EnterpriseID); r != nil {
				if r.Years == nil {
					r.Years = make([]enterprise.Year, 0, nYears)
				}
				r.Years = append(r.Years, y)
			}
			return nil
		})
	}()
	go func() {
		defer wg.Done()
		errs[1] = s.eachRow(ctx, `SELECT t.enterprise_id, t.kind, t.level, t.granted_on, t.valid_until FROM title t WHERE 1 = 1`+filter("t")+
			` ORDER BY t.granted_on, t.kind`, args, func(rows *sql.Rows) error {
			var t enterprise.Title
			var kind, level, g, v string
			if err := rows.Scan(&t.EnterpriseID, &kind, &level, &g, &v); err != nil {
				return err
			}
			t.Kind, t.Level, t.GrantedOn, t.ValidUntil = enterprise.TitleKind(kind), enterprise.TitleLevel(level), parseDate(g), parseDate(v)
			if r := at(t.EnterpriseID); r != nil {
				r.Enterprise.Titles = append(r.Enterprise.Titles, t)
			}
			return nil
		})
	}()
	go func() {
		defer wg.Done()
		errs[2] = s.eachRow(ctx, `SELECT r.enterprise_id, r.year, r.revenue, r.profit, r.rd_expense, r.employees FROM monthly_report r
			WHERE r.month = 12`+yearCond("r")+filter("r"), yearArgs, func(rows *sql.Rows) error {
			var id int64
			var a cultivation.Annual
			var rev, profit, rd int64
			if err := rows.Scan(&id, &a.Year, &rev, &profit, &rd, &a.Employees); err != nil {
				return err
			}
			a.Revenue, a.Profit, a.RDExpense = unit.Fen(rev), unit.Fen(profit), unit.Fen(rd)
			if r := at(id); r != nil {
				if r.Annual == nil {
					r.Annual = make([]cultivation.Annual, 0, nYears)
				}
				r.Annual = append(r.Annual, a)
			}
			return nil
		})
	}()
	go func() {
		defer wg.Done()
		errs[3] = s.eachRow(ctx, `SELECT p.enterprise_id, p.year, p.facts, p.source FROM enterprise_profile p WHERE 1 = 1`+yearCond("p")+filter("p"),
			yearArgs, func(rows *sql.Rows) error {
				var id int64
				var year int
				var doc sql.RawBytes // decoded in place: no copy of the document
				var source string
				if err := rows.Scan(&id, &year, &doc, &source); err != nil {
					return err
				}
				r := at(id)
				if r == nil {
					return nil
				}
				if r.Facts == nil {
					r.Facts = make([]cultivation.YearFacts, 0, nYears)
				}
				r.Facts = append(r.Facts, cultivation.YearFacts{EnterpriseID: id, Year: year, Source: source})
				if err := json.Unmarshal(doc, &r.Facts[len(r.Facts)-1].Facts); err != nil {
					return fmt.Errorf("sqlstore: stored profile facts %d/%d: %w", id, year, err)
				}
				return nil
			})
	}()
	go func() {
		defer wg.Done()
		// The SME digital levels of the maturity records (internal/digital).
		errs[4] = s.eachRow(ctx, `SELECT m.enterprise_id, m.year, m.sme_level FROM digital_maturity m WHERE m.sme_level > 0`+yearCond("m")+filter("m"),
			yearArgs, func(rows *sql.Rows) error {
				var id int64
				var l cultivation.YearLevel
				if err := rows.Scan(&id, &l.Year, &l.Level); err != nil {
					return err
				}
				if r := at(id); r != nil {
					r.DigitalLevels = append(r.DigitalLevels, l)
				}
				return nil
			})
	}()
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("sqlstore: profile facts: %w", err)
	}
	// The scans follow the tables' storage order; each list is by year.
	for i := range out {
		r := &out[i]
		sortByYear(r.Years, func(y enterprise.Year) int { return y.Year })
		sortByYear(r.Annual, func(a cultivation.Annual) int { return a.Year })
		sortByYear(r.Facts, func(f cultivation.YearFacts) int { return f.Year })
		sortByYear(r.DigitalLevels, func(l cultivation.YearLevel) int { return l.Year })
	}
	return out, nil
}

// sortByYear sorts a short per-enterprise list by year unless it already is.
func sortByYear[T any](s []T, year func(T) int) {
	if !slices.IsSortedFunc(s, func(a, b T) int { return year(a) - year(b) }) {
		slices.SortStableFunc(s, func(a, b T) int { return year(a) - year(b) })
	}
}

// eachRow runs a read query and calls scan for every row.
func (s *Store) eachRow(ctx context.Context, query string, args []any, scan func(rows *sql.Rows) error) error {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ProfileRaw returns one enterprise's raw facts if it is in scope; outside
// the scope it is not found, like a missing id.
func (s *Store) ProfileRaw(ctx context.Context, sc auth.Scope, id int64, q cultivation.ProfileQuery) (cultivation.Raw, error) {
	q.EnterpriseID = id
	raws, err := s.ProfileRaws(ctx, sc, q)
	if err != nil {
		return cultivation.Raw{}, err
	}
	if len(raws) == 0 {
		return cultivation.Raw{}, apperr.New(apperr.NotFound, "err.enterprise_not_found")
	}
	return raws[0], nil
}

// LatestCompleteYear returns the latest year with December reports, or 0:
// the last full year the rules can read.
func (s *Store) LatestCompleteYear(ctx context.Context) (int, error) {
	var y sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT MAX(year) FROM monthly_report WHERE month = 12`).Scan(&y)
	return int(y.Int64), err
}
