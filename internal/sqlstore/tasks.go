package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/tasks"
	"github.com/industrybrain/ibrain/internal/target"
)

// deptValueSource marks an indicator value written by an accepted
// departmental entry.
const deptValueSource = "dept"

const deptEntryColumns = `indicator_code, year, department, value_e4, accepted_e4, state, note, reason, revision, updated_by, updated_at`

func scanDeptEntry(row rowScanner) (tasks.Entry, error) {
	var e tasks.Entry
	var acc sql.NullInt64
	var state string
	var revision int
	var at int64
	err := row.Scan(&e.Indicator, &e.Year, &e.Department, &e.Value, &acc, &state, &e.Note, &e.Reason, &revision, &e.UpdatedBy, &at)
	if acc.Valid {
		v := acc.Int64
		e.Accepted = &v
	}
	e.State, e.Revision, e.UpdatedAt = tasks.State(state), revision != 0, time.Unix(at, 0).UTC()
	return e, err
}

// DeptEntries implements tasks.Store.
func (s *Store) DeptEntries(ctx context.Context, year int, department string) ([]tasks.Entry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+deptEntryColumns+` FROM dept_entry
		WHERE year = $1 AND ($2 = '' OR department = $2) ORDER BY indicator_code`, year, department)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tasks.Entry
	for rows.Next() {
		e, err := scanDeptEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ApplyDeptChanges implements tasks.Store. Every write of the batch is in
// one transaction (on PostgreSQL behind the store's writer lock), so a
// refused change leaves nothing of the others.
func (s *Store) ApplyDeptChanges(ctx context.Context, changes []tasks.Change, judge func(cur *tasks.Entry, ch tasks.Change, locked bool) (tasks.Entry, tasks.History, error)) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, ch := range changes {
			var cur *tasks.Entry
			e, err := scanDeptEntry(tx.QueryRowContext(ctx, `SELECT `+deptEntryColumns+` FROM dept_entry WHERE indicator_code = $1 AND year = $2`, ch.Indicator, ch.Year))
			switch {
			case err == nil:
				cur = &e
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM dept_year_lock WHERE year = $1`, ch.Year).Scan(&n); err != nil {
				return err
			}
			next, h, err := judge(cur, ch, n > 0)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO dept_entry (`+deptEntryColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
				ON CONFLICT (indicator_code, year) DO UPDATE SET value_e4 = excluded.value_e4, accepted_e4 = excluded.accepted_e4, state = excluded.state,
				note = excluded.note, reason = excluded.reason, revision = excluded.revision, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				next.Indicator, next.Year, next.Department, next.Value, nullInt(next.Accepted), string(next.State), next.Note, next.Reason,
				boolInt(next.Revision), next.UpdatedBy, next.UpdatedAt.Unix()); err != nil {
				return fmt.Errorf("sqlstore: dept entry %s %d: %w", next.Indicator, next.Year, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO dept_entry_history (indicator_code, year, action, from_state, to_state, value_e4, old_accepted_e4, new_accepted_e4, reason, revision, actor, at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				h.Indicator, h.Year, string(h.Action), string(h.From), string(h.To), h.Value, nullInt(h.OldAccepted), nullInt(h.NewAccepted),
				h.Reason, boolInt(h.Revision), h.Actor, h.At.Unix()); err != nil {
				return fmt.Errorf("sqlstore: dept history %s %d: %w", h.Indicator, h.Year, err)
			}
			if h.NewAccepted != nil {
				// The accepted value is what the statistics engine reads.
				if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_value (indicator_code, scope_kind, scope_code, year, month, value_e4, source) VALUES ($1, $2, '', $3, 0, $4, $5)
					ON CONFLICT (indicator_code, scope_kind, scope_code, year, month) DO UPDATE SET value_e4 = excluded.value_e4, source = excluded.source`,
					next.Indicator, target.ScopeCity, next.Year, *h.NewAccepted, deptValueSource); err != nil {
					return fmt.Errorf("sqlstore: indicator value %s: %w", next.Indicator, err)
				}
			}
		}
		return nil
	})
}

func nullInt(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}

// DeptHistory implements tasks.Store.
func (s *Store) DeptHistory(ctx context.Context, year int, code string) ([]tasks.History, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT indicator_code, year, action, from_state, to_state, value_e4, old_accepted_e4, new_accepted_e4, reason, revision, actor, at
		FROM dept_entry_history WHERE year = $1 AND ($2 = '' OR indicator_code = $2) ORDER BY id`, year, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tasks.History
	for rows.Next() {
		var h tasks.History
		var action, from, to string
		var oldA, newA sql.NullInt64
		var revision int
		var at int64
		if err := rows.Scan(&h.Indicator, &h.Year, &action, &from, &to, &h.Value, &oldA, &newA, &h.Reason, &revision, &h.Actor, &at); err != nil {
			return nil, err
		}
		h.Action, h.From, h.To, h.Revision, h.At = tasks.Action(action), tasks.State(from), tasks.State(to), revision != 0, time.Unix(at, 0).UTC()
		if oldA.Valid {
			v := oldA.Int64
			h.OldAccepted = &v
		}
		if newA.Valid {
			v := newA.Int64
			h.NewAccepted = &v
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// PublishDeptYear implements tasks.Store.
func (s *Store) PublishDeptYear(ctx context.Context, year int, by string, at time.Time) error {
	res, err := s.write.ExecContext(ctx, `INSERT INTO dept_year_lock (year, published_by, published_at) VALUES ($1, $2, $3) ON CONFLICT (year) DO NOTHING`, year, by, at.Unix())
	if err != nil {
		return fmt.Errorf("sqlstore: publish %d: %w", year, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return apperr.New(apperr.Conflict, "tasks.err.already_published", year)
	}
	return nil
}

// DeptYearLocked implements tasks.Store.
func (s *Store) DeptYearLocked(ctx context.Context, year int) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM dept_year_lock WHERE year = $1`, year).Scan(&n)
	return n > 0, err
}
