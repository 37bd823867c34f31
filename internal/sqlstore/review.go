package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/review"
)

// The review workflow's shared storage (internal/review): period locks and
// the append-only event history. The helpers ending in Tx are for other
// store code that checks a lock or records an event inside its own write
// transaction, which is what makes "a locked period is never written
// silently" hold under concurrency (writes are serialised).

// LockPeriod publishes a period of a domain. Locking a locked period is
// apperr.Conflict; the first lock stands.
func (s *Store) LockPeriod(ctx context.Context, l review.Lock) (review.Lock, error) {
	if l.LockedAt.IsZero() {
		l.LockedAt = s.now().UTC()
	}
	l.LockedAt = l.LockedAt.Truncate(time.Second)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		locked, err := periodLockedTx(ctx, tx, l.Domain, l.Period)
		if err != nil {
			return err
		}
		if locked {
			return apperr.New(apperr.Conflict, "review.err.already_locked", l.Period.String())
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO period_lock (domain, year, month, locked_at, locked_by, note) VALUES ($1, $2, $3, $4, $5, $6)`,
			string(l.Domain), l.Period.Year, l.Period.Month, l.LockedAt.Unix(), l.LockedBy, l.Note)
		if err != nil {
			return fmt.Errorf("sqlstore: lock %s %s: %w", l.Domain, l.Period, err)
		}
		if l.Domain == review.MonthlyReport {
			// What is published is kept as it is now: the cockpit's
			// "as published" basis reads it after revisions.
			if err := snapshotPublished(ctx, tx, l.Period, l.LockedAt.Unix()); err != nil {
				return fmt.Errorf("sqlstore: snapshot %s: %w", l.Period, err)
			}
		}
		return nil
	})
	return l, err
}

// PeriodLock returns the lock of one period, and whether there is one.
func (s *Store) PeriodLock(ctx context.Context, d review.Domain, p review.Period) (review.Lock, bool, error) {
	l := review.Lock{Domain: d, Period: p}
	var at int64
	err := s.read.QueryRowContext(ctx, `SELECT locked_at, locked_by, note FROM period_lock WHERE domain = $1 AND year = $2 AND month = $3`,
		string(d), p.Year, p.Month).Scan(&at, &l.LockedBy, &l.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return review.Lock{}, false, nil
	}
	if err != nil {
		return review.Lock{}, false, err
	}
	l.LockedAt = time.Unix(at, 0).UTC()
	return l, true, nil
}

// PeriodLocks lists a domain's locks, latest period first.
func (s *Store) PeriodLocks(ctx context.Context, d review.Domain) ([]review.Lock, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT year, month, locked_at, locked_by, note FROM period_lock WHERE domain = $1 ORDER BY year DESC, month DESC`, string(d))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []review.Lock{}
	for rows.Next() {
		l := review.Lock{Domain: d}
		var at int64
		if err := rows.Scan(&l.Period.Year, &l.Period.Month, &at, &l.LockedBy, &l.Note); err != nil {
			return nil, err
		}
		l.LockedAt = time.Unix(at, 0).UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// ReviewEvents returns the history of one subject's period (all periods
// when p is zero), oldest first.
func (s *Store) ReviewEvents(ctx context.Context, d review.Domain, subject string, p review.Period) ([]review.Event, error) {
	q := `SELECT subject, year, month, action, from_state, to_state, revision, actor_id, at, reason, old_values, new_values
		FROM review_event WHERE domain = $1 AND subject = $2`
	args := []any{string(d), subject}
	if p != (review.Period{}) {
		q += ` AND year = $3 AND month = $4`
		args = append(args, p.Year, p.Month)
	}
	rows, err := s.read.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []review.Event{}
	for rows.Next() {
		e := review.Event{Domain: d}
		var at int64
		var rev int
		if err := rows.Scan(&e.Subject, &e.Period.Year, &e.Period.Month, &e.Action, &e.From, &e.To, &rev, &e.ActorID, &at, &e.Reason, &e.OldValues, &e.NewValues); err != nil {
			return nil, err
		}
		e.Revision, e.At = rev == 1, time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// periodLockedTx reports whether a period is locked, inside tx.
func periodLockedTx(ctx context.Context, q queryer, d review.Domain, p review.Period) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM period_lock WHERE domain = $1 AND year = $2 AND month = $3`,
		string(d), p.Year, p.Month).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// appendReviewEventTx records one step of a submission's history inside tx.
func appendReviewEventTx(ctx context.Context, tx *sql.Tx, e review.Event) error {
	rev := 0
	if e.Revision {
		rev = 1
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO review_event (domain, subject, year, month, action, from_state, to_state, revision, actor_id, at, reason, old_values, new_values)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		string(e.Domain), e.Subject, e.Period.Year, e.Period.Month, string(e.Action), string(e.From), string(e.To), rev, e.ActorID, e.At.Unix(), e.Reason, e.OldValues, e.NewValues)
	if err != nil {
		return fmt.Errorf("sqlstore: review event: %w", err)
	}
	return nil
}
