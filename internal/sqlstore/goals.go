package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/enterprise"
	"github.com/industrybrain/ibrain/internal/goals"
	"github.com/industrybrain/ibrain/internal/target"
)

// PutGoalPlan stores one version of a goal plan and brings the target
// table in line with the version in force today, in one transaction.
//
// The plan must validate (allocations summing to the city goal, known
// regions). Storing a version again with the same content changes nothing;
// a different content under an existing version is a conflict, because a
// published version is never rewritten. Where the task table already has a
// city target for a goal (the 2024 task table's 400 / 30 / 4), the plan's
// city goal must equal it.
func (s *Store) PutGoalPlan(ctx context.Context, p goals.Plan, userID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		regions := map[string]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT code FROM region`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			regions[c] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := p.Validate(func(c string) bool { return regions[c] }); err != nil {
			return err
		}
		for _, g := range p.Goals {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM indicator WHERE code = $1`, g.IndicatorCode).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.New(apperr.Invalid, "err.indicator_not_found", g.IndicatorCode)
			}
		}
		have, err := goalPlansTx(ctx, tx, p.ID, p.Version)
		if err != nil {
			return err
		}
		if len(have) > 0 {
			if !samePlan(have[0], p) {
				return apperr.New(apperr.Conflict, "goals.err.version_exists", p.ID, p.Version)
			}
		} else if err := insertGoalPlan(ctx, tx, p, userID, s.unix()); err != nil {
			return err
		}
		return s.syncGoalTargets(ctx, tx, p.ID)
	})
}

func insertGoalPlan(ctx context.Context, tx *sql.Tx, p goals.Plan, userID, now int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO goal_plan (id, version, effective_from, name_zh, name_en, source, measure, base_year, goal_year, alert_pct_e4, excellent_pct_e4, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		p.ID, p.Version, formatDate(p.EffectiveFrom), p.NameZh, p.NameEn, p.Source, string(p.Measure), p.BaseYear, p.GoalYear,
		toE4(p.AlertPct), toE4(p.ExcellentPct), now, userID); err != nil {
		return fmt.Errorf("sqlstore: goal plan %s v%d: %w", p.ID, p.Version, err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO goal_value (plan_id, version, indicator_code, scope_kind, scope_code, value) VALUES ($1, $2, $3, $4, $5, $6)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, g := range p.Goals {
		if _, err := st.ExecContext(ctx, p.ID, p.Version, g.IndicatorCode, target.ScopeCity, "", g.City); err != nil {
			return err
		}
		for code, v := range g.Districts {
			if _, err := st.ExecContext(ctx, p.ID, p.Version, g.IndicatorCode, target.ScopeRegion, code, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncGoalTargets writes the version of plan id in force today to the
// target table: the city goal where the task table has none (and a check
// where it has one), and the district rows replacing those of the goal's
// indicator and year.
func (s *Store) syncGoalTargets(ctx context.Context, tx *sql.Tx, id string) error {
	all, err := goalPlansTx(ctx, tx, id, 0)
	if err != nil {
		return err
	}
	p, ok := goals.InForce(all, id, s.now())
	if !ok {
		return nil // no version in force yet: the task table keeps what it has
	}
	for _, t := range p.Targets() {
		if t.ScopeKind == target.ScopeCity {
			var v int64
			var source string
			err := tx.QueryRowContext(ctx, `SELECT value_e4, source FROM target WHERE indicator_code = $1 AND scope_kind = $2 AND scope_code = '' AND year = $3`,
				t.IndicatorCode, target.ScopeCity, t.Year).Scan(&v, &source)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.ExecContext(ctx, `INSERT INTO target (indicator_code, scope_kind, scope_code, year, comparator, value_e4, source) VALUES ($1, $2, '', $3, $4, $5, $6)`,
					t.IndicatorCode, target.ScopeCity, t.Year, string(t.Comparator), toE4(t.Value), t.Source); err != nil {
					return err
				}
			case err != nil:
				return err
			case strings.Contains(source, " · "+id+" v"):
				// Written by an earlier version of this plan: the new one replaces it.
				if _, err := tx.ExecContext(ctx, `UPDATE target SET value_e4 = $1, source = $2 WHERE indicator_code = $3 AND scope_kind = $4 AND scope_code = '' AND year = $5`,
					toE4(t.Value), t.Source, t.IndicatorCode, target.ScopeCity, t.Year); err != nil {
					return err
				}
			case v != toE4(t.Value):
				return apperr.New(apperr.Invalid, "goals.err.city_mismatch", t.IndicatorCode, t.Year, t.Value, fromE4(v))
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM target WHERE indicator_code = $1 AND scope_kind = $2 AND year = $3`, t.IndicatorCode, target.ScopeRegion, t.Year); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO target (indicator_code, scope_kind, scope_code, year, comparator, value_e4, source) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			t.IndicatorCode, t.ScopeKind, t.ScopeCode, t.Year, string(t.Comparator), toE4(t.Value), t.Source); err != nil {
			return err
		}
	}
	return nil
}

func samePlan(a, b goals.Plan) bool {
	if a.ID != b.ID || a.Version != b.Version || !a.EffectiveFrom.Equal(b.EffectiveFrom) || a.NameZh != b.NameZh || a.NameEn != b.NameEn ||
		a.Source != b.Source || a.Measure != b.Measure || a.BaseYear != b.BaseYear || a.GoalYear != b.GoalYear ||
		toE4(a.AlertPct) != toE4(b.AlertPct) || toE4(a.ExcellentPct) != toE4(b.ExcellentPct) || len(a.Goals) != len(b.Goals) {
		return false
	}
	for _, ga := range a.Goals {
		gb, ok := b.Goal(ga.IndicatorCode)
		if !ok || ga.City != gb.City || nonZero(ga.Districts) != nonZero(gb.Districts) {
			return false
		}
		for k, v := range ga.Districts {
			if gb.Districts[k] != v {
				return false
			}
		}
	}
	return true
}

func nonZero(m map[string]int) int {
	n := 0
	for _, v := range m {
		if v != 0 {
			n++
		}
	}
	return n
}

// GoalPlans returns every stored version of every goal plan, by id and
// version.
//
// The plans are kept per data generation (genMemo): the goals page reads
// them on every request, a quarter of its CPU at ten times the demo, and
// they change only when a plan is stored. Each caller gets its own copy.
func (s *Store) GoalPlans(ctx context.Context) ([]goals.Plan, error) {
	ps, err := s.goalPlans.get(ctx, s, struct{}{}, func() ([]goals.Plan, error) {
		tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, err
		}
		defer tx.Rollback()
		return goalPlansTx(ctx, tx, "", 0)
	})
	if err != nil {
		return nil, err
	}
	out := make([]goals.Plan, len(ps))
	for i, p := range ps {
		out[i] = p.Clone()
	}
	return out, nil
}

// goalPlansTx reads plans; id "" means all, version 0 means every version.
func goalPlansTx(ctx context.Context, tx *sql.Tx, id string, version int) ([]goals.Plan, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, version, effective_from, name_zh, name_en, source, measure, base_year, goal_year, alert_pct_e4, excellent_pct_e4
		FROM goal_plan WHERE ($1 = '' OR id = $1) AND ($2 = 0 OR version = $2) ORDER BY id, version`, id, version)
	if err != nil {
		return nil, err
	}
	var out []goals.Plan
	for rows.Next() {
		var p goals.Plan
		var eff, measure string
		var alert, excellent int64
		if err := rows.Scan(&p.ID, &p.Version, &eff, &p.NameZh, &p.NameEn, &p.Source, &measure, &p.BaseYear, &p.GoalYear, &alert, &excellent); err != nil {
			rows.Close()
			return nil, err
		}
		p.EffectiveFrom, p.Measure, p.AlertPct, p.ExcellentPct = parseDate(eff), goals.Measure(measure), fromE4(alert), fromE4(excellent)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		p := &out[i]
		vs, err := tx.QueryContext(ctx, `SELECT v.indicator_code, v.scope_kind, v.scope_code, v.value FROM goal_value v JOIN indicator i ON i.code = v.indicator_code
			WHERE v.plan_id = $1 AND v.version = $2 ORDER BY i.position, v.scope_kind, v.scope_code`, p.ID, p.Version)
		if err != nil {
			return nil, err
		}
		idx := map[string]int{}
		for vs.Next() {
			var code, kind, scope string
			var v int
			if err := vs.Scan(&code, &kind, &scope, &v); err != nil {
				vs.Close()
				return nil, err
			}
			j, ok := idx[code]
			if !ok {
				j = len(p.Goals)
				idx[code] = j
				p.Goals = append(p.Goals, goals.Goal{IndicatorCode: code, Districts: map[string]int{}})
			}
			if kind == target.ScopeCity {
				p.Goals[j].City = v
			} else {
				p.Goals[j].Districts[scope] = v
			}
		}
		vs.Close()
		if err := vs.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountTitlesHeld implements stats.Source: enterprises in scope holding a
// valid title of kind on day (YYYY-MM-DD). Titles carry their firm's
// district (migration 0047): a range of the covering index title_kind.
func (s *Store) CountTitlesHeld(ctx context.Context, sc auth.Scope, kind enterprise.TitleKind, day string) (int, error) {
	where, args := scopeOn(sc, "t.enterprise_id", "t.region_code", 3)
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(DISTINCT t.enterprise_id) FROM title t
		WHERE t.kind = $1 AND t.granted_on <= $2 AND (t.valid_until = '' OR t.valid_until > $2) AND `+where,
		append([]any{string(kind), day}, args...)...).Scan(&n)
	return n, err
}

// TitlesGrantedByRegion counts the titles of each of kinds granted from
// day from to day to (inclusive, YYYY-MM-DD) by the enterprise's region,
// within scope: the per-district actuals of flow goals, every kind in one
// statement. Every kind asked for has a map, empty without grants.
func (s *Store) TitlesGrantedByRegion(ctx context.Context, sc auth.Scope, kinds []enterprise.TitleKind, from, to string) (map[enterprise.TitleKind]map[string]int, error) {
	in, args := kindList(kinds, 3)
	where, sargs := scopeOn(sc, "t.enterprise_id", "t.region_code", 3+len(kinds))
	return s.countByKindRegion(ctx, kinds, `SELECT t.kind, t.region_code, COUNT(*) FROM title t
		WHERE t.kind IN (`+in+`) AND t.granted_on >= $1 AND t.granted_on <= $2 AND `+where+` GROUP BY t.kind, t.region_code`,
		append(append([]any{from, to}, args...), sargs...))
}

// TitlesHeldByRegion counts the enterprises holding a valid title of each
// of kinds on day by region, within scope: the per-district actuals of
// stock goals, every kind in one statement (one per kind and day made
// nine of the goals page's sixteen round trips).
func (s *Store) TitlesHeldByRegion(ctx context.Context, sc auth.Scope, kinds []enterprise.TitleKind, day string) (map[enterprise.TitleKind]map[string]int, error) {
	in, args := kindList(kinds, 2)
	where, sargs := scopeOn(sc, "t.enterprise_id", "t.region_code", 2+len(kinds))
	return s.countByKindRegion(ctx, kinds, `SELECT t.kind, t.region_code, COUNT(DISTINCT t.enterprise_id) FROM title t
		WHERE t.kind IN (`+in+`) AND t.granted_on <= $1 AND (t.valid_until = '' OR t.valid_until > $1) AND `+where+` GROUP BY t.kind, t.region_code`,
		append(append([]any{day}, args...), sargs...))
}

// kindList is the placeholders of kinds from $first, and their arguments.
func kindList(kinds []enterprise.TitleKind, first int) (string, []any) {
	args := make([]any, len(kinds))
	for i, k := range kinds {
		args[i] = string(k)
	}
	return inList(first, len(kinds)), args
}

// countByKindRegion reads (kind, region, count) rows into a map per kind,
// with an empty map for each of kinds the rows do not name.
func (s *Store) countByKindRegion(ctx context.Context, kinds []enterprise.TitleKind, q string, args []any) (map[enterprise.TitleKind]map[string]int, error) {
	out := make(map[enterprise.TitleKind]map[string]int, len(kinds))
	for _, k := range kinds {
		out[k] = map[string]int{}
	}
	if len(kinds) == 0 {
		return out, nil
	}
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, code string
		var n int
		if err := rows.Scan(&kind, &code, &n); err != nil {
			return nil, err
		}
		if m, ok := out[enterprise.TitleKind(kind)]; ok {
			m[code] = n
		}
	}
	return out, rows.Err()
}
