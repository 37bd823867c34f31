-- Identity and audit (issue 8).
--
-- audit_event is the append-only, hash-chained trail (internal/audit):
-- seq is gap-free and assigned under the writer lock; hash covers
-- prev_hash and the canonical fields. Nothing updates or deletes a row but
-- the archive, which first writes the rows to a file.
CREATE TABLE audit_event (
    seq       BIGINT PRIMARY KEY,
    at_ms     BIGINT NOT NULL,
    actor_id  BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    ip        TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_event_by_at ON audit_event(at_ms);
CREATE INDEX audit_event_by_actor ON audit_event(actor, seq);
CREATE INDEX audit_event_by_action ON audit_event(action, seq);

-- The chain's head, one row (id 1): the last record written and the last
-- record archived, kept apart from the records so deleting the newest
-- records is seen too.
CREATE TABLE audit_head (
    id            INTEGER PRIMARY KEY,
    last_seq      BIGINT NOT NULL,
    last_hash     TEXT NOT NULL,
    archived_seq  BIGINT NOT NULL,
    archived_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash, archived_seq, archived_hash) VALUES (1, 0, '', 0, '');

-- One row per archive file written by `ibrain audit archive`.
CREATE TABLE audit_archive (
    id         @ID@,
    from_seq   BIGINT NOT NULL,
    to_seq     BIGINT NOT NULL,
    file       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Account controls (internal/auth policy.json): failed sign-ins and the
-- lockout live in the database, so every server instance on it agrees.
ALTER TABLE app_user ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN locked_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN last_login_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN last_login_ip TEXT NOT NULL DEFAULT '';
-- The sign-in before the latest, shown to the user ("last signed in at
-- … from …") while the latest is the current one.
ALTER TABLE app_user ADD COLUMN prev_login_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN prev_login_ip TEXT NOT NULL DEFAULT '';
ALTER TABLE app_user ADD COLUMN password_changed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';

-- The last hashes of each account's passwords, for the no-reuse rule.
CREATE TABLE password_history (
    user_id    BIGINT NOT NULL REFERENCES app_user(id),
    hash       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX password_history_by_user ON password_history(user_id, created_at);

-- When the session started, in nanoseconds: the concurrent-session limit
-- ends the oldest, and created_at (seconds) ties for sign-ins in the same
-- second. (Idle expiry slides expires_at; the absolute lifetime runs from
-- created_at.)
ALTER TABLE session ADD COLUMN started_ns BIGINT NOT NULL DEFAULT 0;
-- For a single sign-on session: where sign-out sends the browser so the
-- provider's session ends too (its end_session_endpoint); '' otherwise.
ALTER TABLE session ADD COLUMN logout_url TEXT NOT NULL DEFAULT '';

-- Single sign-on: an (issuer, subject) pair of an OIDC provider linked to
-- a platform account.
CREATE TABLE account_identity (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES app_user(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
