-- Online reporting with review (module reporting) and the review workflow
-- shared with other reported data (internal/review).

-- period_lock is a published period of one domain ('monthly_report', or a
-- department's indicators): writes to it become revision requests. Month 0
-- is a whole year. A lock is never removed.
CREATE TABLE period_lock (
    domain    TEXT NOT NULL,
    year      INTEGER NOT NULL,
    month     INTEGER NOT NULL,
    locked_at BIGINT NOT NULL,
    locked_by BIGINT NOT NULL,
    note      TEXT NOT NULL,
    PRIMARY KEY (domain, year, month)
);

-- review_event is the history of every submission of every domain: who
-- did what when, the states before and after, the reason, and for a change
-- of accepted data the values before and after (JSON). Rows are only
-- appended.
CREATE TABLE review_event (
    id         @ID@,
    domain     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    year       INTEGER NOT NULL,
    month      INTEGER NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    actor_id   BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    old_values TEXT NOT NULL,
    new_values TEXT NOT NULL
);
CREATE INDEX review_event_subject ON review_event(domain, subject, year, month);
CREATE INDEX review_event_period ON review_event(domain, year, month);

-- report_submission is an enterprise's working copy of one month's report
-- and where it stands in review. monthly_report stays the accepted data:
-- accepting a submission writes its values there in the same transaction.
-- warnings is the JSON list of soft-rule findings with the submitter's
-- explanations; rules_version names the rule set that judged it.
CREATE TABLE report_submission (
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    state         TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    source        TEXT NOT NULL,
    output        BIGINT NOT NULL,
    value_added   BIGINT NOT NULL,
    revenue       BIGINT NOT NULL,
    profit        BIGINT NOT NULL,
    rd_expense    BIGINT NOT NULL,
    investment    BIGINT NOT NULL,
    tax           BIGINT NOT NULL,
    energy        BIGINT NOT NULL,
    employees     BIGINT NOT NULL,
    warnings      TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    note          TEXT NOT NULL,
    return_reason TEXT NOT NULL,
    updated_by    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    submitted_by  BIGINT NOT NULL,
    submitted_at  BIGINT NOT NULL,
    reviewed_by   BIGINT NOT NULL,
    reviewed_at   BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, year, month)
);
CREATE INDEX report_submission_period ON report_submission(year, month, state);

-- report_reminder records a reminder sent to a late firm (催报).
CREATE TABLE report_reminder (
    id            @ID@,
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    sent_by       BIGINT NOT NULL,
    sent_at       BIGINT NOT NULL
);
CREATE INDEX report_reminder_period ON report_reminder(year, month, enterprise_id);
