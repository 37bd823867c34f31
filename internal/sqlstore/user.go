package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

const userColumns = `id, username, display_name, password_hash, role, region_code, enterprise_id, disabled,
	failed_logins, locked_until, prev_login_at, prev_login_ip, password_changed_at, must_change_password, totp_secret, department`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(row rowScanner, extra ...any) (auth.User, error) {
	var u auth.User
	var role string
	var disabled, mustChange int
	var locked, lastLogin, changed int64
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &role, &u.RegionCode, &u.EnterpriseID, &disabled,
		&u.FailedLogins, &locked, &lastLogin, &u.LastLoginIP, &changed, &mustChange, &u.TOTPSecret, &u.Department}, extra...)
	err := row.Scan(dest...)
	u.Role, u.Disabled, u.MustChangePassword = auth.Role(role), disabled != 0, mustChange != 0
	u.LockedUntil, u.LastLoginAt, u.PasswordChangedAt = unixOrZero(locked), unixOrZero(lastLogin), unixOrZero(changed)
	return u, err
}

// prefixed qualifies a column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
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
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO app_user (username, display_name, password_hash, role, region_code, enterprise_id, disabled, created_at, password_changed_at, must_change_password, totp_secret, department)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11) ON CONFLICT (username) DO NOTHING RETURNING id`,
			u.Username, u.DisplayName, u.PasswordHash, string(u.Role), u.RegionCode, u.EnterpriseID, boolInt(u.Disabled), s.unix(),
			boolInt(u.MustChangePassword), u.TOTPSecret, u.Department).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.Conflict, "err.username_taken", u.Username)
		}
		if err != nil {
			return fmt.Errorf("sqlstore: create user: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO password_history (user_id, hash, created_at) VALUES ($1, $2, $3)`, id, u.PasswordHash, s.unix())
		return err
	})
	if err != nil {
		return 0, err
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

// SetPassword is a reset by an administrator: it replaces an account's
// password hash, ends its sessions (a reset usually follows a suspected
// compromise, and the old sessions may be the attacker's), and makes the
// user choose a new password at the next sign-in, since someone else
// knows this one.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.setPassword(ctx, userID, hash, true, "")
}

// ChangeOwnPassword is the user's own change: the new hash, the history
// for the no-reuse rule, and the end of every other session (keep is the
// token hash of the session that made the change).
func (s *Store) ChangeOwnPassword(ctx context.Context, userID int64, hash, keep string) error {
	return s.setPassword(ctx, userID, hash, false, keep)
}

func (s *Store) setPassword(ctx context.Context, userID int64, hash string, mustChange bool, keep string) error {
	if hash == "" {
		return apperr.New(apperr.Invalid, "err.user_invalid")
	}
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE app_user SET password_hash = $2, password_changed_at = $3, must_change_password = $4 WHERE id = $1`,
			userID, hash, s.unix(), boolInt(mustChange))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "err.user_not_found")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, hash, created_at) VALUES ($1, $2, $3)`, userID, hash, s.unix()); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM session WHERE user_id = $1 AND token_hash <> $2`, userID, keep)
		return err
	})
}

// PasswordHistory returns the hashes of an account's last n passwords,
// newest first (the current one included).
func (s *Store) PasswordHistory(ctx context.Context, userID int64, n int) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT hash FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2`, userID, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// RecordLoginFailure counts a failed sign-in of an account and locks it
// until now+lockFor once maxFailures consecutive failures are reached. The
// count lives in the database, so every server instance on it sees the
// same lockout. It reports whether this failure locked the account.
func (s *Store) RecordLoginFailure(ctx context.Context, userID int64, now time.Time, maxFailures int, lockFor time.Duration) (bool, error) {
	var locked bool
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `UPDATE app_user SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins`, userID).Scan(&n); err != nil {
			return err
		}
		if n < maxFailures {
			return nil
		}
		locked = true
		// The count restarts, so after the lockout the account has its
		// full number of attempts again.
		_, err := tx.ExecContext(ctx, `UPDATE app_user SET failed_logins = 0, locked_until = $2 WHERE id = $1`, userID, now.Add(lockFor).Unix())
		return err
	})
	return locked, err
}

// RecordLogin notes a successful sign-in: the failure count and lockout
// are cleared and the time and address kept, to be shown at the next one.
func (s *Store) RecordLogin(ctx context.Context, userID int64, now time.Time, ip string) error {
	_, err := s.write.ExecContext(ctx, `UPDATE app_user SET failed_logins = 0, locked_until = 0,
		prev_login_at = last_login_at, prev_login_ip = last_login_ip, last_login_at = $2, last_login_ip = $3 WHERE id = $1`,
		userID, now.Unix(), ip)
	return err
}

// SetTOTPSecret enrolls (or, with "", removes) an account's second factor.
func (s *Store) SetTOTPSecret(ctx context.Context, userID int64, secret string) error {
	res, err := s.write.ExecContext(ctx, `UPDATE app_user SET totp_secret = $2 WHERE id = $1`, userID, secret)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "err.user_not_found")
	}
	return nil
}

// DisableUser blocks an account and ends its sessions at once.
func (s *Store) DisableUser(ctx context.Context, userID int64) error {
	return s.opsTx(ctx, func(tx *sql.Tx) error {
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
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionOptions tune StartSession.
type SessionOptions struct {
	MaxConcurrent int    // 0: no limit
	LogoutURL     string // a single sign-on provider's end-session URL
}

// StartSession stores a new session created at created and, when
// o.MaxConcurrent > 0, ends the account's oldest sessions beyond that many,
// in one transaction. It returns how many sessions it ended.
func (s *Store) StartSession(ctx context.Context, tokenHash string, userID int64, created, expires time.Time, o SessionOptions) (int64, error) {
	var ended int64
	maxConcurrent := o.MaxConcurrent
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO session (token_hash, user_id, created_at, expires_at, started_ns, logout_url) VALUES ($1, $2, $3, $4, $5, $6)`,
			tokenHash, userID, created.Unix(), expires.Unix(), created.UnixNano(), o.LogoutURL); err != nil {
			return err
		}
		if maxConcurrent <= 0 {
			return nil
		}
		// SQLite needs a LIMIT before OFFSET (-1: none); PostgreSQL
		// takes OFFSET alone.
		limit := ""
		if s.engine == SQLite {
			limit = "LIMIT -1"
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM session WHERE user_id = $1 AND token_hash IN (
			SELECT token_hash FROM session WHERE user_id = $1 AND token_hash <> $2 ORDER BY started_ns DESC, token_hash `+limit+` OFFSET $3)`,
			userID, tokenHash, maxConcurrent-1)
		if err != nil {
			return err
		}
		ended, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlstore: start session: %w", err)
	}
	return ended, nil
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
	var created, expires int64
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+prefixed("u.", userColumns)+`, s.created_at, s.expires_at
		FROM session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2`, tokenHash, s.unix()), &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, apperr.New(apperr.Unauthorized, "err.session_expired")
	}
	if err != nil {
		return Session{}, fmt.Errorf("sqlstore: session: %w", err)
	}
	if u.Disabled {
		return Session{}, apperr.New(apperr.Unauthorized, "err.session_expired")
	}
	sess.User, sess.CreatedAt, sess.ExpiresAt = u, time.Unix(created, 0), time.Unix(expires, 0)
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
	_, err := s.EndSession(ctx, tokenHash)
	return err
}

// EndSession ends a session and returns its single sign-on logout URL
// ("" for a local session or an unknown one).
func (s *Store) EndSession(ctx context.Context, tokenHash string) (string, error) {
	var url string
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT logout_url FROM session WHERE token_hash = $1`, tokenHash).Scan(&url)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM session WHERE token_hash = $1`, tokenHash)
		return err
	})
	return url, err
}

// IdentityUser returns the account linked to a provider identity;
// NotFound when none is.
func (s *Store) IdentityUser(ctx context.Context, issuer, subject string) (auth.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+prefixed("u.", userColumns)+` FROM account_identity i JOIN app_user u ON u.id = i.user_id
		WHERE i.issuer = $1 AND i.subject = $2`, issuer, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "err.user_not_found")
	}
	return u, err
}

// LinkIdentity links a provider identity to an existing account (an
// identity links to one account only: a second link is a Conflict).
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject string, userID int64) error {
	res, err := s.write.ExecContext(ctx, `INSERT INTO account_identity (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (issuer, subject) DO NOTHING`, issuer, subject, userID, s.unix())
	if err != nil {
		return fmt.Errorf("sqlstore: link identity: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "err.identity_linked")
	}
	return nil
}

// CreateLinkedUser creates an account and links a provider identity to
// it in one transaction; a taken username or an identity already linked
// is a Conflict and leaves nothing behind.
func (s *Store) CreateLinkedUser(ctx context.Context, u auth.User, issuer, subject string) (auth.User, error) {
	if err := u.Validate(); err != nil {
		return u, apperr.Wrap(err, apperr.Invalid, "err.user_invalid")
	}
	var id int64
	err := s.opsTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO app_user (username, display_name, password_hash, role, region_code, enterprise_id, disabled, created_at, password_changed_at)
			VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7) ON CONFLICT (username) DO NOTHING RETURNING id`,
			u.Username, u.DisplayName, u.PasswordHash, string(u.Role), u.RegionCode, u.EnterpriseID, s.unix()).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.Conflict, "err.username_taken", u.Username)
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO account_identity (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (issuer, subject) DO NOTHING`, issuer, subject, id, s.unix())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "err.identity_linked")
		}
		return nil
	})
	if err != nil {
		return auth.User{}, err
	}
	return s.UserByID(ctx, id)
}

// EnterpriseIDByCreditCode returns the firm registered under a credit
// code, 0 when none is.
func (s *Store) EnterpriseIDByCreditCode(ctx context.Context, code string) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM enterprise WHERE credit_code = $1`, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// DeleteExpiredSessions removes expired sessions and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM session WHERE expires_at <= $1`, s.unix())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SetUserRole stores an account's role and scope fields (region,
// enterprise, department) as u has them. When the role changes the
// account's sessions end, so the new role's rules (a second factor, the
// pages it reaches) apply from its next sign-in; a scope change alone
// takes effect at the next request.
func (s *Store) SetUserRole(ctx context.Context, u auth.User) error {
	if err := u.Validate(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "err.user_invalid")
	}
	return s.opsTx(ctx, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT role FROM app_user WHERE id = $1`, u.ID).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "err.user_not_found")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE app_user SET role = $2, region_code = $3, enterprise_id = $4, department = $5 WHERE id = $1`,
			u.ID, string(u.Role), u.RegionCode, u.EnterpriseID, u.Department); err != nil {
			return err
		}
		if old != string(u.Role) {
			_, err = tx.ExecContext(ctx, `DELETE FROM session WHERE user_id = $1`, u.ID)
		}
		return err
	})
}
