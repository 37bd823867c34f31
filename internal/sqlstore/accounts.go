package sqlstore

import (
	"context"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// UnlockUser lifts an account's lockout and clears its failure count
// (the security administrator's unlock).
func (s *Store) UnlockUser(ctx context.Context, userID int64) error {
	res, err := s.write.ExecContext(ctx, `UPDATE app_user SET failed_logins = 0, locked_until = 0 WHERE id = $1`, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "err.user_not_found")
	}
	return nil
}

// ActiveSessions counts each account's sessions that have not expired at
// now.
func (s *Store) ActiveSessions(ctx context.Context, now time.Time) (map[int64]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT user_id, COUNT(*) FROM session WHERE expires_at > $1 GROUP BY user_id`, now.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// EndUserSessions ends every session of an account at once.
func (s *Store) EndUserSessions(ctx context.Context, userID int64) (int, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM session WHERE user_id = $1`, userID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
