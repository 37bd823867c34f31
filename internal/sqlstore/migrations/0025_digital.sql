-- Digital transformation (module digital, issue 11): technical-renovation
-- projects with their dated stage events, each firm's yearly maturity and
-- the recognition ladder. Figures are computed from these rows by
-- internal/digital; none is stored. Dates are ISO TEXT ('' when absent),
-- money BIGINT fen, before/after measures JSON in hundredths.

CREATE TABLE digital_project (
    id            @ID@,
    code          TEXT NOT NULL UNIQUE,
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    cluster_code  TEXT NOT NULL,
    scenarios     TEXT NOT NULL,
    planned       BIGINT NOT NULL,
    demonstration INTEGER NOT NULL,
    start_on      TEXT NOT NULL,
    end_on        TEXT NOT NULL,
    measures      TEXT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    recorded_by   TEXT NOT NULL
);
CREATE INDEX digital_project_firm ON digital_project(enterprise_id);

-- seq is the event's position in its project's history; UNIQUE
-- (project_id, seq) makes two writers appending "the next event" collide.
CREATE TABLE digital_event (
    project_id  BIGINT NOT NULL REFERENCES digital_project(id),
    seq         INTEGER NOT NULL,
    stage       TEXT NOT NULL,
    event_date  TEXT NOT NULL,
    level       TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    note        TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (project_id, seq)
);

-- Levels 0 = not assessed; nc_rate_bp NULL = unknown.
CREATE TABLE digital_maturity (
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    year          INTEGER NOT NULL,
    cmmm_level    INTEGER NOT NULL,
    sme_level     INTEGER NOT NULL,
    nc_rate_bp    BIGINT,
    cloud         INTEGER NOT NULL,
    source        TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    updated_by    TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, year)
);

CREATE TABLE digital_recognition (
    id            @ID@,
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    rung          TEXT NOT NULL,
    name          TEXT NOT NULL,
    recognised_on TEXT NOT NULL,
    batch         TEXT NOT NULL,
    future_type   TEXT NOT NULL,
    note          TEXT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    recorded_by   TEXT NOT NULL,
    UNIQUE (enterprise_id, rung, name)
);
CREATE INDEX digital_recognition_firm ON digital_recognition(enterprise_id);
