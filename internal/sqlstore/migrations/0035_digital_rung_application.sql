-- Applications for a rung of the recognition ladder (internal/digital,
-- rungapp.go), reviewed on the shared workflow (review_event, domain
-- digital_rung). state: submitted, returned, accepted, rejected. Dates are
-- YYYY-MM-DD, '' when not yet. An approval's recognition is referenced.
CREATE TABLE digital_rung_application (
    id             @ID@,
    enterprise_id  BIGINT NOT NULL REFERENCES enterprise(id),
    rung           TEXT NOT NULL,
    year           INTEGER NOT NULL,
    name           TEXT NOT NULL,
    future_type    TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    answers        TEXT NOT NULL,
    applied_on     TEXT NOT NULL,
    state          TEXT NOT NULL,
    reason         TEXT NOT NULL,
    recommended_on TEXT NOT NULL,
    decided_on     TEXT NOT NULL,
    recognition_id BIGINT REFERENCES digital_recognition(id),
    recorded_at    BIGINT NOT NULL,
    recorded_by    TEXT NOT NULL
);
-- A firm holds at most one open application per rung and year; closed
-- ones (approved, rejected) do not count.
CREATE UNIQUE INDEX digital_rung_application_open ON digital_rung_application(enterprise_id, rung, year)
    WHERE state IN ('submitted', 'returned');
CREATE INDEX digital_rung_application_firm ON digital_rung_application(enterprise_id);
