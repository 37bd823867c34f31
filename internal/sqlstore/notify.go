package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/notify"
)

// Notifications (notify.Store) and the hooks that write a feature event's
// notifications inside the event's own transaction.

// noteOrderEvent writes the notifications of an order's move to a new
// state, and their outbox rows, in tx: the order event's transaction.
func (s *Store) noteOrderEvent(ctx context.Context, tx *sql.Tx, o instruments.Order, to instruments.OrderState, actorID int64) error {
	rs, err := notify.Routings()
	if err != nil {
		return err
	}
	r, err := notify.RoutingOn(rs, s.now())
	if err != nil {
		return err
	}
	parties := r.OrderEvents[string(to)]
	if len(parties) == 0 {
		return nil
	}
	ev := notify.OrderEvent{OrderID: o.ID, To: string(to), ActorID: actorID, CustomerID: o.UserID}
	var name, model string
	if err := tx.QueryRowContext(ctx, `SELECT name, model FROM instrument WHERE id = $1`, o.InstrumentID).Scan(&name, &model); err != nil {
		return fmt.Errorf("sqlstore: notify: %w", err)
	}
	ev.InstrumentName = strings.TrimSpace(name + " " + model)
	if ev.ManagerIDs, err = ids(ctx, tx, `SELECT user_id FROM instrument_manager WHERE instrument_id = $1 ORDER BY user_id`, o.InstrumentID); err != nil {
		return err
	}
	for _, p := range parties {
		if p == notify.Operator {
			if ev.OperatorIDs, err = ids(ctx, tx, `SELECT id FROM app_user WHERE role = $1 AND disabled = 0 ORDER BY id`, string(auth.RoleSharingOperator)); err != nil {
				return err
			}
		}
	}
	_, err = s.addNotesTx(ctx, tx, notify.PlanOrderEvent(r, ev), s.now())
	return err
}

// noteReportingReminder tells the accounts of a late firm, in the
// reminder's transaction.
func (s *Store) noteReportingReminder(ctx context.Context, tx *sql.Tx, enterpriseID int64, year, month int) error {
	rm := notify.ReportingReminder{Year: year, Month: month}
	if err := tx.QueryRowContext(ctx, `SELECT name FROM enterprise WHERE id = $1`, enterpriseID).Scan(&rm.FirmName); err != nil {
		return fmt.Errorf("sqlstore: notify: %w", err)
	}
	var err error
	if rm.UserIDs, err = ids(ctx, tx, `SELECT id FROM app_user WHERE enterprise_id = $1 AND role = $2 AND disabled = 0 ORDER BY id`, enterpriseID, string(auth.RoleEnterprise)); err != nil {
		return err
	}
	_, err = s.addNotesTx(ctx, tx, notify.PlanReportingReminder(rm), s.now())
	return err
}

func ids(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: notify: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// addNotesTx writes notifications and, for recipients whose settings ask
// for mail, their outbox rows. A note whose dedup key exists is skipped.
func (s *Store) addNotesTx(ctx context.Context, tx *sql.Tx, notes []notify.Note, at time.Time) (int, error) {
	n := 0
	for _, nt := range notes {
		args, err := json.Marshal(nt.Args)
		if err != nil {
			return n, err
		}
		var dedup any
		if nt.Dedup != "" {
			dedup = nt.Dedup
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO notification (user_id, kind, args, link, dedup, created_at, read_at) VALUES ($1, $2, $3, $4, $5, $6, 0)
			ON CONFLICT (dedup) DO NOTHING RETURNING id`, nt.UserID, nt.Kind, string(args), nt.Link, dedup, at.Unix()).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("sqlstore: notification: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_outbox (notification_id, state, attempts, next_at, sent_at, last_error, created_at)
			SELECT $1, 'pending', 0, $2, 0, '', $2 FROM notify_pref WHERE user_id = $3 AND email_on = 1 AND email <> ''`, id, at.Unix(), nt.UserID); err != nil {
			return n, fmt.Errorf("sqlstore: outbox: %w", err)
		}
		n++
	}
	return n, nil
}

// AddNotes implements notify.Store.
func (s *Store) AddNotes(ctx context.Context, notes []notify.Note, at time.Time) (int, error) {
	var n int
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = s.addNotesTx(ctx, tx, notes, at)
		return err
	})
	return n, err
}

const notificationColumns = `id, user_id, kind, args, link, created_at, read_at`

func scanNotification(r scanner) (notify.Notification, error) {
	var n notify.Notification
	var args string
	var created, read int64
	if err := r.Scan(&n.ID, &n.UserID, &n.Kind, &args, &n.Link, &created, &read); err != nil {
		return n, err
	}
	if err := json.Unmarshal([]byte(args), &n.Args); err != nil {
		return n, fmt.Errorf("sqlstore: notification %d: %w", n.ID, err)
	}
	n.CreatedAt = time.Unix(created, 0).UTC()
	if read != 0 {
		n.ReadAt = time.Unix(read, 0).UTC()
	}
	return n, nil
}

// Notifications implements notify.Store.
func (s *Store) Notifications(ctx context.Context, userID int64, f notify.ListFilter) ([]notify.Notification, error) {
	q := `SELECT ` + notificationColumns + ` FROM notification WHERE user_id = $1`
	if f.UnreadOnly {
		q += ` AND read_at = 0`
	}
	rows, err := s.read.QueryContext(ctx, q+` ORDER BY id DESC LIMIT `+strconv.Itoa(f.Limit), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []notify.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// UnreadNotifications implements notify.Store.
func (s *Store) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notification WHERE user_id = $1 AND read_at = 0`, userID).Scan(&n)
	return n, err
}

// MarkNotificationsRead implements notify.Store.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID int64, ids []int64, at time.Time) (int, error) {
	var n int64
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		q, args := `UPDATE notification SET read_at = $2 WHERE user_id = $1 AND read_at = 0`, []any{userID, at.Unix()}
		if len(ids) > 0 {
			ph := make([]string, len(ids))
			for i, id := range ids {
				args = append(args, id)
				ph[i] = "$" + strconv.Itoa(len(args))
			}
			q += ` AND id IN (` + strings.Join(ph, ", ") + `)`
		}
		r, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	return int(n), err
}

// NotifyPrefs implements notify.Store.
func (s *Store) NotifyPrefs(ctx context.Context, userID int64) (notify.Prefs, error) {
	p := notify.Prefs{UserID: userID}
	var on int
	err := s.read.QueryRowContext(ctx, `SELECT email, lang, email_on FROM notify_pref WHERE user_id = $1`, userID).Scan(&p.Email, &p.Lang, &on)
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.New(apperr.NotFound, "notify.err.no_prefs")
	}
	p.EmailOn = on == 1
	return p, err
}

// PutNotifyPrefs implements notify.Store.
func (s *Store) PutNotifyPrefs(ctx context.Context, p notify.Prefs) error {
	on := 0
	if p.EmailOn {
		on = 1
	}
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO notify_pref (user_id, email, lang, email_on) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, lang = excluded.lang, email_on = excluded.email_on`, p.UserID, p.Email, p.Lang, on)
		return err
	})
}

// BookingsStarting implements notify.Store: approved or scheduled slots.
func (s *Store) BookingsStarting(ctx context.Context, from, to time.Time) ([]notify.Booking, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.user_id, i.name, i.model, o.start_at FROM instrument_order o JOIN instrument i ON i.id = o.instrument_id
		WHERE o.state IN ('approved', 'scheduled') AND o.start_at > $1 AND o.start_at <= $2 ORDER BY o.start_at, o.id`, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notify.Booking
	for rows.Next() {
		var b notify.Booking
		var name, model string
		var start int64
		if err := rows.Scan(&b.OrderID, &b.UserID, &name, &model, &start); err != nil {
			return nil, err
		}
		b.InstrumentName, b.Start = strings.TrimSpace(name+" "+model), time.Unix(start, 0).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// ClaimOutbox implements notify.Store. It runs under the writer lock, so
// two workers (two instances on one PostgreSQL) never claim one row.
func (s *Store) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notify.Delivery, error) {
	var out []notify.Delivery
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT b.id, b.attempts, b.created_at, p.email, p.lang, `+prefixed("n.", notificationColumns)+`
			FROM notify_outbox b JOIN notification n ON n.id = b.notification_id JOIN notify_pref p ON p.user_id = n.user_id
			WHERE b.state = 'pending' AND b.next_at <= $1 ORDER BY b.next_at, b.id LIMIT `+strconv.Itoa(limit), now.Unix())
		if err != nil {
			return err
		}
		for rows.Next() {
			var d notify.Delivery
			var created int64
			var nt notify.Notification
			var args string
			var ncreated, nread int64
			if err := rows.Scan(&d.OutboxID, &d.Attempts, &created, &d.To, &d.Lang, &nt.ID, &nt.UserID, &nt.Kind, &args, &nt.Link, &ncreated, &nread); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(args), &nt.Args); err != nil {
				rows.Close()
				return err
			}
			nt.CreatedAt = time.Unix(ncreated, 0).UTC()
			d.Notification, d.CreatedAt, d.Attempts = nt, time.Unix(created, 0).UTC(), d.Attempts+1
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET next_at = $2, attempts = $3 WHERE id = $1 AND state = 'pending'`,
				d.OutboxID, now.Add(lease).Unix(), d.Attempts); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// FinishOutbox implements notify.Store; a row that is no longer pending
// (sent by an earlier attempt) is left as it is.
func (s *Store) FinishOutbox(ctx context.Context, id int64, o notify.Outcome) error {
	switch o.State {
	case notify.OutboxSent, notify.OutboxPending, notify.OutboxFailed, notify.OutboxExpired:
	default:
		return fmt.Errorf("sqlstore: outbox state %q", o.State)
	}
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		next := o.Next.Unix()
		if o.State != notify.OutboxPending {
			next = o.At.Unix()
		}
		var sent int64
		if !o.SentAt.IsZero() {
			sent = o.SentAt.Unix()
		}
		_, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET state = $2, next_at = $3, sent_at = $4, last_error = $5 WHERE id = $1 AND state = 'pending'`,
			id, o.State, next, sent, o.Error)
		return err
	})
}

// OutboxCounts counts the outbox rows by state (for tests and metrics).
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT state, COUNT(*) FROM notify_outbox GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// The store implements notify.Store.
var _ notify.Store = (*Store)(nil)

// noteReviewEvent writes the notifications of a review's reply or
// moderation in tx, the review's transaction.
func (s *Store) noteReviewEvent(ctx context.Context, tx *sql.Tx, r instruments.Review, event string, actorID int64) error {
	rs, err := notify.Routings()
	if err != nil {
		return err
	}
	rt, err := notify.RoutingOn(rs, s.now())
	if err != nil {
		return err
	}
	parties := rt.ReviewEvents[event]
	if len(parties) == 0 {
		return nil
	}
	ev := notify.ReviewEvent{OrderID: r.OrderID, InstrumentID: r.InstrumentID, Event: event, ActorID: actorID, AuthorID: r.UserID}
	var name, model string
	if err := tx.QueryRowContext(ctx, `SELECT name, model FROM instrument WHERE id = $1`, r.InstrumentID).Scan(&name, &model); err != nil {
		return fmt.Errorf("sqlstore: notify: %w", err)
	}
	ev.InstrumentName = strings.TrimSpace(name + " " + model)
	for _, p := range parties {
		switch p {
		case notify.Managers:
			if ev.ManagerIDs, err = ids(ctx, tx, `SELECT user_id FROM instrument_manager WHERE instrument_id = $1 ORDER BY user_id`, r.InstrumentID); err != nil {
				return err
			}
		case notify.Operator:
			if ev.OperatorIDs, err = ids(ctx, tx, `SELECT id FROM app_user WHERE role = $1 AND disabled = 0 ORDER BY id`, string(auth.RoleSharingOperator)); err != nil {
				return err
			}
		}
	}
	_, err = s.addNotesTx(ctx, tx, notify.PlanReviewEvent(rt, ev), s.now())
	return err
}
