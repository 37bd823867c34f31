-- Departmental indicators (部门填报) and department accounts (module tasks).

-- A department's user enters the values of its own indicators.
ALTER TABLE app_user ADD COLUMN department TEXT NOT NULL DEFAULT '';

-- dept_entry is a department's value of a yearly city indicator under
-- review: value_e4 is the working copy, accepted_e4 the value that counts
-- (NULL until one is accepted). The accepted value is also written to
-- indicator_value, which the statistics engine reads. Locks and history
-- are the review workflow's (period_lock and review_event, domain
-- 'department_indicator', month 0).
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
    updated_by     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (indicator_code, year)
);
CREATE INDEX dept_entry_by_department ON dept_entry(year, department);
