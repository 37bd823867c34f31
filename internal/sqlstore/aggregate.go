package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/report"
	"github.com/industrybrain/ibrain/internal/stats"
	"github.com/industrybrain/ibrain/internal/target"
)

var dimColumn = map[stats.Dim]string{
	stats.ByMonth:       "month",
	stats.ByRegion:      "region_code",
	stats.ByCluster:     "cluster_code",
	stats.ByTier:        "tier",
	stats.BySection:     "section",
	stats.BySEI:         "sei",
	stats.BySpecialized: "specialized",
}

// Aggregate sums agg_month for the query, within scope. Enterprise users
// have no aggregate view: statistics over other firms are not theirs to see.
func (s *Store) Aggregate(ctx context.Context, sc auth.Scope, q stats.Query) ([]stats.Row, error) {
	return s.aggregate(ctx, sc, q, "")
}

// aggregate sums the summaries for q from the table tableFor picks, or
// from the given one (the published basis).
func (s *Store) aggregate(ctx context.Context, sc auth.Scope, q stats.Query, from string) ([]stats.Row, error) {
	if sc.Empty() || (!sc.IsAll() && sc.EnterpriseID != 0) {
		return nil, apperr.New(apperr.Forbidden, "err.forbidden")
	}
	args := []any{q.Year}
	conds := []string{"year = $1"}
	add := func(col string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if !sc.IsAll() {
		add("region_code", sc.RegionCode)
	}
	if q.Month > 0 {
		add("month", q.Month)
	}
	f := q.Filter
	if f.Region != "" {
		add("region_code", f.Region)
	}
	if f.Cluster != "" {
		add("cluster_code", f.Cluster)
	}
	if f.Tier != "" {
		add("tier", f.Tier)
	}
	if f.Section != "" {
		add("section", f.Section)
	}
	if f.SEI != nil {
		add("sei", boolInt(*f.SEI))
	}
	if f.Specialized != nil {
		add("specialized", boolInt(*f.Specialized))
	}
	var groups []string
	for _, d := range q.GroupBy {
		col, ok := dimColumn[d]
		if !ok {
			return nil, apperr.New(apperr.Invalid, "err.bad_dimension", string(d))
		}
		groups = append(groups, col)
	}
	sums := []string{"SUM(n)", "SUM(n_base)"}
	for _, c := range reportColumns {
		sums = append(sums, "SUM("+c+")")
	}
	for _, c := range reportColumns {
		sums = append(sums, "SUM(b_"+c+")")
	}
	sel := strings.Join(sums, ", ")
	query := "SELECT "
	if len(groups) > 0 {
		query += strings.Join(groups, ", ") + ", "
	}
	if from == "" {
		from = tableFor(q, !sc.IsAll())
	}
	query += sel + " FROM " + from + " WHERE " + strings.Join(conds, " AND ")
	if len(groups) > 0 {
		query += " GROUP BY " + strings.Join(groups, ", ") + " ORDER BY " + strings.Join(groups, ", ")
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: aggregate: %w", err)
	}
	defer rows.Close()
	var out []stats.Row
	for rows.Next() {
		var r stats.Row
		keys := make([]any, len(q.GroupBy))
		var ints [2]int
		for i, d := range q.GroupBy {
			switch d {
			case stats.ByMonth:
				keys[i] = &r.Key.Month
			case stats.ByRegion:
				keys[i] = &r.Key.Region
			case stats.ByCluster:
				keys[i] = &r.Key.Cluster
			case stats.ByTier:
				keys[i] = &r.Key.Tier
			case stats.BySection:
				keys[i] = &r.Key.Section
			case stats.BySEI:
				keys[i] = &ints[0]
			case stats.BySpecialized:
				keys[i] = &ints[1]
			}
		}
		// SUM over no rows is NULL, so scan through nullable integers.
		nulls := make([]sql.NullInt64, 2+2*len(reportColumns))
		dest := keys
		for i := range nulls {
			dest = append(dest, &nulls[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		r.Key.SEI, r.Key.Specialized = ints[0] == 1, ints[1] == 1
		r.Sums.N, r.Sums.NBase = nulls[0].Int64, nulls[1].Int64
		for i := 0; i < int(report.NumFields); i++ {
			r.Sums.Cur[i] = nulls[2+i].Int64
			r.Sums.Base[i] = nulls[2+int(report.NumFields)+i].Int64
		}
		if len(q.GroupBy) == 0 && r.Sums.N == 0 {
			// An ungrouped SUM always returns one row; no data is no row.
			continue
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LatestPeriod returns the latest period with summaries.
func (s *Store) LatestPeriod(ctx context.Context) (report.Period, error) {
	var p report.Period
	var key sql.NullInt64
	if err := s.read.QueryRowContext(ctx, `SELECT MAX(year * 100 + month) FROM agg_city`).Scan(&key); err != nil {
		return p, err
	}
	if !key.Valid {
		return p, apperr.New(apperr.NotFound, "err.no_data")
	}
	return report.Period{Year: int(key.Int64 / 100), Month: int(key.Int64 % 100)}, nil
}

// Deflator is one point of a price index series.
type Deflator struct {
	Series  string
	Year    int
	Month   int   // 0 = the annual value
	IndexE4 int64 // same period a year earlier = 100, × 10^4
}

// PutDeflators upserts price index points.
func (s *Store) PutDeflators(ctx context.Context, ds []Deflator) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, d := range ds {
			if d.IndexE4 <= 0 {
				return apperr.New(apperr.Invalid, "err.deflator_nonpositive")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO deflator (series, year, month, index_e4) VALUES ($1, $2, $3, $4)
				ON CONFLICT (series, year, month) DO UPDATE SET index_e4 = excluded.index_e4`, d.Series, d.Year, d.Month, d.IndexE4); err != nil {
				return err
			}
		}
		return nil
	})
}

// Deflator implements stats.Source.
func (s *Store) Deflator(ctx context.Context, series string, year, month int) (int64, bool, error) {
	var v int64
	err := s.read.QueryRowContext(ctx, `SELECT index_e4 FROM deflator WHERE series = $1 AND year = $2 AND month IN ($3, 0) ORDER BY month DESC LIMIT 1`, series, year, month).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return v, err == nil, err
}

// DeflatorsOfYear implements stats.YearDeflators: a series' points of one
// year, month → index (month 0 the annual value).
func (s *Store) DeflatorsOfYear(ctx context.Context, series string, year int) (map[int]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT month, index_e4 FROM deflator WHERE series = $1 AND year = $2`, series, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var m int
		var v int64
		if err := rows.Scan(&m, &v); err != nil {
			return nil, err
		}
		out[m] = v
	}
	return out, rows.Err()
}

// Deflators lists a series, for the reference pages and API.
func (s *Store) Deflators(ctx context.Context, series string) ([]Deflator, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT series, year, month, index_e4 FROM deflator WHERE series = $1 ORDER BY year, month`, series)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Deflator
	for rows.Next() {
		var d Deflator
		if err := rows.Scan(&d.Series, &d.Year, &d.Month, &d.IndexE4); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PutTargets upserts targets.
func (s *Store) PutTargets(ctx context.Context, ts []target.Target) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, t := range ts {
			switch t.Comparator {
			case target.AtLeast, target.AtMost, target.About:
			default:
				return apperr.New(apperr.Invalid, "err.target_comparator", string(t.Comparator))
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO target (indicator_code, scope_kind, scope_code, year, comparator, value_e4, source) VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (indicator_code, scope_kind, scope_code, year) DO UPDATE SET comparator = excluded.comparator, value_e4 = excluded.value_e4, source = excluded.source`,
				t.IndicatorCode, t.ScopeKind, t.ScopeCode, t.Year, string(t.Comparator), toE4(t.Value), t.Source); err != nil {
				return fmt.Errorf("sqlstore: target %s: %w", t.IndicatorCode, err)
			}
		}
		return nil
	})
}

// Targets implements stats.Source: every target of a year.
func (s *Store) Targets(ctx context.Context, year int) ([]target.Target, error) {
	return s.memoTargets(ctx, targetKey{year: year, all: true}, func() (*sql.Rows, error) {
		return s.read.QueryContext(ctx, `SELECT t.indicator_code, t.scope_kind, t.scope_code, t.year, t.comparator, t.value_e4, t.source
			FROM target t JOIN indicator i ON i.code = t.indicator_code WHERE t.year = $1 ORDER BY i.position, t.scope_kind, t.scope_code`, year)
	})
}

// TargetsInScope implements stats.ScopedTargets: the targets of one year
// and scope, through the index target_scope (migration 0016).
func (s *Store) TargetsInScope(ctx context.Context, year int, scopeKind, scopeCode string) ([]target.Target, error) {
	return s.memoTargets(ctx, targetKey{year: year, kind: scopeKind, code: scopeCode}, func() (*sql.Rows, error) {
		return s.read.QueryContext(ctx, `SELECT t.indicator_code, t.scope_kind, t.scope_code, t.year, t.comparator, t.value_e4, t.source
			FROM target t JOIN indicator i ON i.code = t.indicator_code WHERE t.year = $1 AND t.scope_kind = $2 AND t.scope_code = $3 ORDER BY i.position`, year, scopeKind, scopeCode)
	})
}

// targetKey names a memoised target read: a year's every target (all)
// or one scope's.
type targetKey struct {
	year       int
	all        bool
	kind, code string
}

// memoTargets reads targets through the store's memo: the task table, the
// KPIs and the scoreboard read a year's targets on every request (500
// rows at ten times the demo, a fifth of the task table's CPU), and they
// change only with a task table, goal plan or target import. The caller
// gets its own copy of the slice.
func (s *Store) memoTargets(ctx context.Context, key targetKey, query func() (*sql.Rows, error)) ([]target.Target, error) {
	ts, err := s.targets.get(ctx, s, key, func() ([]target.Target, error) {
		rows, err := query()
		if err != nil {
			return nil, err
		}
		return scanTargets(rows)
	})
	return slices.Clone(ts), err
}

func scanTargets(rows *sql.Rows) ([]target.Target, error) {
	defer rows.Close()
	var out []target.Target
	for rows.Next() {
		var t target.Target
		var cmp string
		var v int64
		if err := rows.Scan(&t.IndicatorCode, &t.ScopeKind, &t.ScopeCode, &t.Year, &cmp, &v, &t.Source); err != nil {
			return nil, err
		}
		t.Comparator, t.Value = target.Comparator(cmp), fromE4(v)
		out = append(out, t)
	}
	return out, rows.Err()
}

// IndicatorValue is a manually entered or interfaced indicator value.
type IndicatorValue struct {
	IndicatorCode string
	ScopeKind     string
	ScopeCode     string
	Year, Month   int // Month 0 = annual
	Value         float64
	Source        string
}

// PutIndicatorValues upserts manual indicator values.
func (s *Store) PutIndicatorValues(ctx context.Context, vs []IndicatorValue) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, v := range vs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_value (indicator_code, scope_kind, scope_code, year, month, value_e4, source) VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (indicator_code, scope_kind, scope_code, year, month) DO UPDATE SET value_e4 = excluded.value_e4, source = excluded.source`,
				v.IndicatorCode, v.ScopeKind, v.ScopeCode, v.Year, v.Month, toE4(v.Value), v.Source); err != nil {
				return fmt.Errorf("sqlstore: indicator value %s: %w", v.IndicatorCode, err)
			}
		}
		return nil
	})
}

// IndicatorValue implements stats.Source: the value for the month, falling
// back to the annual value.
func (s *Store) IndicatorValue(ctx context.Context, code, scopeKind, scopeCode string, year, month int) (int64, bool, error) {
	var v int64
	err := s.read.QueryRowContext(ctx, `SELECT value_e4 FROM indicator_value WHERE indicator_code = $1 AND scope_kind = $2 AND scope_code = $3 AND year = $4 AND month IN ($5, 0) ORDER BY month DESC LIMIT 1`,
		code, scopeKind, scopeCode, year, month).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return v, err == nil, err
}

// IndicatorValuesOfYear implements stats.YearValues: every entered value
// of a year, read once for a task table.
func (s *Store) IndicatorValuesOfYear(ctx context.Context, year int) (map[stats.ValueKey]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT indicator_code, scope_kind, scope_code, month, value_e4 FROM indicator_value WHERE year = $1`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[stats.ValueKey]int64{}
	for rows.Next() {
		var k stats.ValueKey
		var v int64
		if err := rows.Scan(&k.Code, &k.ScopeKind, &k.ScopeCode, &k.Month, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// toE4 stores a configuration decimal as an integer × 10^4, rounding to the
// nearest unit (targets and indices have at most four decimals).
func toE4(v float64) int64 {
	if v < 0 {
		return -int64(-v*1e4 + 0.5)
	}
	return int64(v*1e4 + 0.5)
}

func fromE4(v int64) float64 { return float64(v) / 1e4 }

// GetMeta reads a key of the meta table ("" when absent).
func (s *Store) GetMeta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta writes a key of the meta table.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}
