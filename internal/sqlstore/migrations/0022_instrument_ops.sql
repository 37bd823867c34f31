-- The marketplace's booking rules as data and its files (module
-- instruments, issue 9): frozen cancellation and no-show terms, the fee
-- charged, and the maintenance or outage window that hit a booking on
-- the order; event kinds; unit default rules; qualifications;
-- violations; photos and documents.

-- terms: the order's cancellation and no-show terms (JSON), frozen when
-- it is placed; penalty: the late-cancellation or no-show fee in fen;
-- flag, flag_note: the kind and note of the last window that hit it.
ALTER TABLE instrument_order ADD COLUMN terms TEXT NOT NULL DEFAULT '{}';
ALTER TABLE instrument_order ADD COLUMN penalty BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instrument_order ADD COLUMN flag TEXT NOT NULL DEFAULT '';
ALTER TABLE instrument_order ADD COLUMN flag_note TEXT NOT NULL DEFAULT '';

-- kind: '' for a state change, 'window_hit' for a maintenance or outage
-- window over the booking (from_state = to_state).
ALTER TABLE order_event ADD COLUMN kind TEXT NOT NULL DEFAULT '';

-- sharing_unit_rules: a unit's default booking rules (JSON); without a
-- row the platform's versioned defaults apply.
CREATE TABLE sharing_unit_rules (
    unit_id    BIGINT PRIMARY KEY REFERENCES sharing_unit(id),
    rules      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- instrument_qualification: a user's training for one instrument
-- (instrument_id) or for a class at a unit (instrument_id 0,
-- class_code); days are YYYY-MM-DD, expires_on the last valid day.
CREATE TABLE instrument_qualification (
    id            @ID@,
    user_id       BIGINT NOT NULL,
    unit_id       BIGINT NOT NULL,
    instrument_id BIGINT NOT NULL,
    class_code    TEXT NOT NULL,
    granted_on    TEXT NOT NULL,
    expires_on    TEXT NOT NULL,
    granted_by    BIGINT NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX instrument_qualification_user ON instrument_qualification(user_id);
CREATE INDEX instrument_qualification_unit ON instrument_qualification(unit_id);

-- booking_violation: a no-show, counted per user and unit over the
-- rules' period to suspend repeat offenders.
CREATE TABLE booking_violation (
    id       @ID@,
    user_id  BIGINT NOT NULL,
    unit_id  BIGINT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES instrument_order(id),
    kind     TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX booking_violation_user ON booking_violation(user_id, unit_id, at);

-- instrument_file: photos and documents. data holds the bytes when no
-- file directory is configured; path names them in the directory
-- otherwise. BYTEA is PostgreSQL's type; SQLite stores the blob as given.
CREATE TABLE instrument_file (
    id            @ID@,
    instrument_id BIGINT NOT NULL REFERENCES instrument(id),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    path          TEXT NOT NULL,
    data          BYTEA,
    uploaded_by   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX instrument_file_instrument ON instrument_file(instrument_id);
