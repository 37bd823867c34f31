package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
	"github.com/industrybrain/ibrain/internal/target"
	"github.com/industrybrain/ibrain/internal/tasks"
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
	e.State, e.Revision, e.UpdatedAt = review.State(state), revision != 0, time.Unix(at, 0).UTC()
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
func (s *Store) ApplyDeptChanges(ctx context.Context, changes []tasks.Change, judge func(cur *tasks.Entry, ch tasks.Change, locked bool) (tasks.Entry, review.Event, error)) error {
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
			locked, err := periodLockedTx(ctx, tx, tasks.Domain, review.Period{Year: ch.Year})
			if err != nil {
				return err
			}
			next, ev, err := judge(cur, ch, locked)
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
			if err := appendReviewEventTx(ctx, tx, ev); err != nil {
				return err
			}
			if ch.Action == review.Accept && ev.NewValues != "" {
				// The accepted value is what the statistics engine reads.
				if _, err := tx.ExecContext(ctx, `INSERT INTO indicator_value (indicator_code, scope_kind, scope_code, year, month, value_e4, source) VALUES ($1, $2, '', $3, 0, $4, $5)
					ON CONFLICT (indicator_code, scope_kind, scope_code, year, month) DO UPDATE SET value_e4 = excluded.value_e4, source = excluded.source`,
					next.Indicator, target.ScopeCity, next.Year, *next.Accepted, deptValueSource); err != nil {
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

// SyncTaskTables writes each task table whose version or content digest
// differs from the one last written (task_table_sync) to the target
// table: its rows are upserted, rows of its source and year no longer in
// it are deleted, and the version is recorded, one transaction per call.
// Tables already synced are left alone (a start is idempotent). It
// returns the codes written.
func (s *Store) SyncTaskTables(ctx context.Context, tables []tasks.Sync) ([]string, error) {
	var synced []string
	err := s.refTx(ctx, func(tx *sql.Tx) (bool, error) {
		synced = synced[:0]
		for _, t := range tables {
			var version, digest string
			err := tx.QueryRowContext(ctx, `SELECT version, digest FROM task_table_sync WHERE table_code = $1`, t.Code).Scan(&version, &digest)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return false, err
			}
			if err == nil && version == t.Version && digest == t.Digest {
				continue
			}
			keep := map[string]bool{}
			for _, tg := range t.Targets {
				if tg.Source != t.Source || tg.Year != t.Year || tg.ScopeKind != target.ScopeCity {
					return false, apperr.New(apperr.Invalid, "err.task_table_row", t.Code, tg.IndicatorCode)
				}
				switch tg.Comparator {
				case target.AtLeast, target.AtMost, target.About:
				default:
					return false, apperr.New(apperr.Invalid, "err.target_comparator", string(tg.Comparator))
				}
				keep[tg.IndicatorCode] = true
				if _, err := tx.ExecContext(ctx, `INSERT INTO target (indicator_code, scope_kind, scope_code, year, comparator, value_e4, source) VALUES ($1, $2, $3, $4, $5, $6, $7)
					ON CONFLICT (indicator_code, scope_kind, scope_code, year) DO UPDATE SET comparator = excluded.comparator, value_e4 = excluded.value_e4, source = excluded.source`,
					tg.IndicatorCode, tg.ScopeKind, tg.ScopeCode, tg.Year, string(tg.Comparator), toE4(tg.Value), tg.Source); err != nil {
					return false, fmt.Errorf("sqlstore: task table %s, target %s: %w", t.Code, tg.IndicatorCode, err)
				}
			}
			// Rows the new version dropped.
			rows, err := tx.QueryContext(ctx, `SELECT indicator_code FROM target WHERE source = $1 AND year = $2 AND scope_kind = $3`, t.Source, t.Year, target.ScopeCity)
			if err != nil {
				return false, err
			}
			var gone []string
			for rows.Next() {
				var code string
				if err := rows.Scan(&code); err != nil {
					rows.Close()
					return false, err
				}
				if !keep[code] {
					gone = append(gone, code)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return false, err
			}
			for _, code := range gone {
				if _, err := tx.ExecContext(ctx, `DELETE FROM target WHERE indicator_code = $1 AND scope_kind = $2 AND scope_code = '' AND year = $3 AND source = $4`,
					code, target.ScopeCity, t.Year, t.Source); err != nil {
					return false, err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO task_table_sync (table_code, version, digest, synced_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (table_code) DO UPDATE SET version = excluded.version, digest = excluded.digest, synced_at = excluded.synced_at`,
				t.Code, t.Version, t.Digest, s.now().Unix()); err != nil {
				return false, err
			}
			synced = append(synced, t.Code)
		}
		return len(synced) > 0, nil
	})
	if err != nil {
		return nil, err
	}
	return synced, nil
}
