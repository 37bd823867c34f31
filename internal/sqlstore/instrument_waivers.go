package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
)

// Waivers of booking violations (instruments.WaiverStore, migration 0032).

const violationColumns = `id, user_id, unit_id, order_id, kind, at, waived_by, waived_at, waive_reason`

func scanViolation(r scanner) (instruments.Violation, error) {
	var v instruments.Violation
	var at, waivedAt int64
	err := r.Scan(&v.ID, &v.UserID, &v.UnitID, &v.OrderID, &v.Kind, &at, &v.WaivedBy, &waivedAt, &v.WaiveReason)
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.New(apperr.NotFound, "instruments.err.no_violation")
	}
	v.At, v.WaivedAt = time.Unix(at, 0).UTC(), unixOrZero(waivedAt)
	return v, err
}

// Violation reads one violation.
func (s *Store) Violation(ctx context.Context, id int64) (instruments.Violation, error) {
	return scanViolation(s.read.QueryRowContext(ctx, `SELECT `+violationColumns+` FROM booking_violation WHERE id = $1`, id))
}

// ViolationList lists violations, newest first.
func (s *Store) ViolationList(ctx context.Context, userID, unitID int64) ([]instruments.Violation, error) {
	where, args := []string{"1 = 1"}, []any{}
	if userID != 0 {
		args = append(args, userID)
		where = append(where, "user_id = $"+strconv.Itoa(len(args)))
	}
	if unitID != 0 {
		args = append(args, unitID)
		where = append(where, "unit_id = $"+strconv.Itoa(len(args)))
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+violationColumns+` FROM booking_violation WHERE `+strings.Join(where, " AND ")+` ORDER BY at DESC, id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []instruments.Violation{}
	for rows.Next() {
		v, err := scanViolation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// WaiveViolation records a waiver; the update only touches a violation
// not yet waived, so two waivers cannot both succeed.
func (s *Store) WaiveViolation(ctx context.Context, id, by int64, at time.Time, reason string) (instruments.Violation, error) {
	var out instruments.Violation
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE booking_violation SET waived_by = $2, waived_at = $3, waive_reason = $4 WHERE id = $1 AND waived_by = 0`, id, by, at.Unix(), reason)
		if err != nil {
			return fmt.Errorf("sqlstore: waiver: %w", err)
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if _, err := scanViolation(tx.QueryRowContext(ctx, `SELECT `+violationColumns+` FROM booking_violation WHERE id = $1`, id)); err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "instruments.err.waived")
		}
		out, err = scanViolation(tx.QueryRowContext(ctx, `SELECT `+violationColumns+` FROM booking_violation WHERE id = $1`, id))
		return err
	})
	return out, err
}

// LastUse is the local day of the user's last completed use of an
// instrument q covers: the end of the latest slot whose use was recorded
// (completed and every later state).
func (s *Store) LastUse(ctx context.Context, userID int64, q instruments.Qualification) (string, error) {
	const used = `state IN ('completed', 'usage_confirmed', 'invoiced', 'paid', 'rated', 'closed', 'disputed') AND end_at > 0`
	var end sql.NullInt64
	var err error
	if q.InstrumentID != 0 {
		err = s.read.QueryRowContext(ctx, `SELECT MAX(end_at) FROM instrument_order WHERE user_id = $1 AND instrument_id = $2 AND `+used, userID, q.InstrumentID).Scan(&end)
	} else {
		err = s.read.QueryRowContext(ctx, `SELECT MAX(end_at) FROM instrument_order WHERE user_id = $1 AND `+used+`
			AND instrument_id IN (SELECT id FROM instrument WHERE unit_id = $2 AND class_code = $3)`, userID, q.UnitID, q.ClassCode).Scan(&end)
	}
	if err != nil || !end.Valid {
		return "", err
	}
	// A use ending at local midnight belongs to the day before.
	return time.Unix(end.Int64-1, 0).In(instruments.Zone).Format(time.DateOnly), nil
}
