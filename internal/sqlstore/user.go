package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

const userColumns = `id, username, display_name, password_hash, role, region_code, enterprise_id, disabled`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(row rowScanner) (auth.User, error) {
	var u auth.User
	var role string
	var disabled int
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &role, &u.RegionCode, &u.EnterpriseID, &disabled)
	u.Role, u.Disabled = auth.Role(role), disabled != 0
	return u, err
}

// CreateUser stores a new account and returns its id. The password must
// already be hashed. A taken username is a Conflict.
func (s *Store) CreateUser(ctx context.Context, u auth.User) (int64, error) {
	if err := u.Validate(); err != nil {
		return 0, apperr.Wrap(err, apperr.Invalid, "err.user_invalid")
	}
	if u.PasswordHash == "" {
		return 0, apperr.New(apperr.Invalid, "err.user_invalid")
	}
	// ON CONFLICT DO NOTHING RETURNING yields no row for a taken name on
	// both engines, which is clearer than matching driver error texts.
	var id int64
	err := s.write.QueryRowContext(ctx, `INSERT INTO app_user (username, display_name, password_hash, role, region_code, enterprise_id, disabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username) DO NOTHING RETURNING id`,
		u.Username, u.DisplayName, u.PasswordHash, string(u.Role), u.RegionCode, u.EnterpriseID, boolInt(u.Disabled), s.unix()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.New(apperr.Conflict, "err.username_taken", u.Username)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlstore: create user: %w", err)
	}
	return id, nil
}

// UserByUsername returns an account, disabled or not; NotFound when there
// is none.
func (s *Store) UserByUsername(ctx context.Context, username string) (auth.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM app_user WHERE username = $1`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "err.user_not_found")
	}
	return u, err
}

// UserByID returns an account; NotFound when there is none.
func (s *Store) UserByID(ctx context.Context, id int64) (auth.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM app_user WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "err.user_not_found")
	}
	return u, err
}

// ListUsers returns every account ordered by username.
func (s *Store) ListUsers(ctx context.Context) ([]auth.User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM app_user ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword replaces an account's password hash and ends its sessions:
// a reset usually follows a suspected compromise, and the old sessions may
// be the attacker's.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	if hash == "" {
		return apperr.New(apperr.Invalid, "err.user_invalid")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE app_user SET password_hash = $2 WHERE id = $1`, userID, hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "err.user_not_found")
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM session WHERE user_id = $1`, userID)
		return err
	})
}

// DisableUser blocks an account and ends its sessions at once.
func (s *Store) DisableUser(ctx context.Context, userID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE app_user SET disabled = 1 WHERE id = $1`, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "err.user_not_found")
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM session WHERE user_id = $1`, userID)
		return err
	})
}

// EnableUser re-enables a disabled account and clears its lockout.
func (s *Store) EnableUser(ctx context.Context, userID int64) error {
	res, err := s.write.ExecContext(ctx, `UPDATE app_user SET disabled = 0, failed_logins = 0, locked_until = 0 WHERE id = $1`, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "err.user_not_found")
	}
	return nil
}

// Session is a signed-in session as stored.
type Session struct {
	User      auth.User
	ExpiresAt time.Time
}

// CreateSession stores a session. tokenHash is the hex SHA-256 of the
// token the client holds; the token itself is never stored, so a copy of
// the database cannot be used to sign in.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, expires time.Time) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO session (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, userID, s.unix(), expires.Unix())
	if err != nil {
		return fmt.Errorf("sqlstore: create session: %w", err)
	}
	return nil
}

// Session returns a live session and its user. An unknown or expired
// session, or one whose user is disabled, is Unauthorized.
func (s *Store) Session(ctx context.Context, tokenHash string) (Session, error) {
	var sess Session
	var expires int64
	var role string
	var disabled int
	u := &sess.User
	err := s.read.QueryRowContext(ctx, `SELECT u.id, u.username, u.display_name, u.password_hash, u.role, u.region_code, u.enterprise_id, u.disabled, s.expires_at
		FROM session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2`, tokenHash, s.unix()).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &role, &u.RegionCode, &u.EnterpriseID, &disabled, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, apperr.New(apperr.Unauthorized, "err.session_expired")
	}
	if err != nil {
		return Session{}, fmt.Errorf("sqlstore: session: %w", err)
	}
	u.Role, u.Disabled = auth.Role(role), disabled != 0
	if u.Disabled {
		return Session{}, apperr.New(apperr.Unauthorized, "err.session_expired")
	}
	sess.ExpiresAt = time.Unix(expires, 0)
	return sess, nil
}

// SessionUser returns the user of a live session; see Session.
func (s *Store) SessionUser(ctx context.Context, tokenHash string) (auth.User, error) {
	sess, err := s.Session(ctx, tokenHash)
	return sess.User, err
}

// ExtendSession moves a live session's expiry to expires (sliding expiry).
// It never shortens a session.
func (s *Store) ExtendSession(ctx context.Context, tokenHash string, expires time.Time) error {
	_, err := s.write.ExecContext(ctx, `UPDATE session SET expires_at = $2 WHERE token_hash = $1 AND expires_at < $2`, tokenHash, expires.Unix())
	return err
}

// DeleteSession ends a session (sign-out). Ending an unknown session is not
// an error: the outcome is the same.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM session WHERE token_hash = $1`, tokenHash)
	return err
}

// DeleteExpiredSessions removes expired sessions and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM session WHERE expires_at <= $1`, s.unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
