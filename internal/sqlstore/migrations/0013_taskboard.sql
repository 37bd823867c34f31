-- Departmental indicators (部门填报) and department accounts (module tasks).

-- A department's user enters the values of its own indicators.
ALTER TABLE app_user ADD COLUMN department TEXT NOT NULL DEFAULT '';

-- dept_entry is a department's value of a yearly city indicator under
-- review: value_e4 is the working copy, accepted_e4 the value that counts
-- (NULL until one is accepted). The accepted value is also written to
-- indicator_value, which the statistics engine reads.
CREATE TABLE dept_entry (
    indicator_code TEXT NOT NULL REFERENCES indicator(code),
    year           INTEGER NOT NULL,
    department     TEXT NOT NULL,
    value_e4       BIGINT NOT NULL,
    accepted_e4    BIGINT,
    state          TEXT NOT NULL,
    note           TEXT NOT NULL,
    reason         TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    updated_by     TEXT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (indicator_code, year)
);
CREATE INDEX dept_entry_by_department ON dept_entry(year, department);

-- dept_entry_history keeps every step of every entry: who, when, the
-- states, and the counting value before and after an acceptance.
CREATE TABLE dept_entry_history (
    id              @ID@,
    indicator_code  TEXT NOT NULL,
    year            INTEGER NOT NULL,
    action          TEXT NOT NULL,
    from_state      TEXT NOT NULL,
    to_state        TEXT NOT NULL,
    value_e4        BIGINT NOT NULL,
    old_accepted_e4 BIGINT,
    new_accepted_e4 BIGINT,
    reason          TEXT NOT NULL,
    revision        INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX dept_entry_history_by_year ON dept_entry_history(year, indicator_code, id);

-- dept_year_lock: a published year; its values change only by revision.
CREATE TABLE dept_year_lock (
    year         INTEGER PRIMARY KEY,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
