-- 亩均论英雄 evaluation (module mujun): industrial parks, the yearly facts
-- that monthly reports do not hold, versioned configurations, and runs with
-- every enterprise's result, so results are read back without recomputing.
-- Scores are DOUBLE PRECISION (SQLite: REAL affinity); money stays BIGINT fen.

CREATE TABLE mujun_park (
    code        TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES region(code),
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL
);
CREATE INDEX mujun_park_region ON mujun_park(region_code);

-- One row per enterprise and evaluation year, as departments supply it.
-- NULL is "not supplied", which the configuration's missing-data rule
-- scores, never a zero. tax … employees are for below-scale firms, which
-- file no monthly reports; above-scale firms take them from December's
-- year-to-date report.
CREATE TABLE mujun_facts (
    enterprise_id   BIGINT NOT NULL REFERENCES enterprise(id),
    year            INTEGER NOT NULL,
    park_code       TEXT NOT NULL,
    electricity_kwh BIGINT,
    emissions_kg    BIGINT,
    vetoes          TEXT NOT NULL,
    tax             BIGINT,
    revenue         BIGINT,
    value_added     BIGINT,
    rd_expense      BIGINT,
    energy          BIGINT,
    employees       BIGINT,
    source          TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, year)
);
CREATE INDEX mujun_facts_year ON mujun_facts(year);

-- Every version of every configuration; body is the configuration JSON.
CREATE TABLE mujun_config (
    id              TEXT NOT NULL,
    version         INTEGER NOT NULL,
    year            INTEGER NOT NULL,
    evaluating_unit TEXT NOT NULL,
    effective_from  TEXT NOT NULL,
    effective_to    TEXT NOT NULL,
    body            TEXT NOT NULL,
    builtin         INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

-- A run keeps the configuration JSON it used, and its group benchmarks and
-- aggregates (summary, JSON), so it can be explained and serve as the next
-- year's prior after the configuration changes.
CREATE TABLE mujun_run (
    id              @ID@,
    config_id       TEXT NOT NULL,
    config_version  INTEGER NOT NULL,
    config_body     TEXT NOT NULL,
    year            INTEGER NOT NULL,
    evaluating_unit TEXT NOT NULL,
    prior_run_id    BIGINT NOT NULL,
    enterprises     BIGINT NOT NULL,
    skipped         BIGINT NOT NULL,
    summary         TEXT NOT NULL,
    note            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX mujun_run_year ON mujun_run(year, evaluating_unit);

-- One row per enterprise in a run's scope; detail is the JSON of its
-- indicator scores, vetoes and policies.
CREATE TABLE mujun_result (
    run_id            BIGINT NOT NULL REFERENCES mujun_run(id),
    enterprise_id     BIGINT NOT NULL REFERENCES enterprise(id),
    region_code       TEXT NOT NULL,
    park_code         TEXT NOT NULL,
    grp               TEXT NOT NULL,
    exempt            TEXT NOT NULL,
    subtotal          DOUBLE PRECISION NOT NULL,
    deducted          DOUBLE PRECISION NOT NULL,
    score             DOUBLE PRECISION NOT NULL,
    reweight          DOUBLE PRECISION NOT NULL,
    rank              INTEGER NOT NULL,
    region_rank       INTEGER NOT NULL,
    class             TEXT NOT NULL,
    class_by          TEXT NOT NULL,
    consecutive_years INTEGER NOT NULL,
    detail            TEXT NOT NULL,
    PRIMARY KEY (run_id, enterprise_id)
);
CREATE INDEX mujun_result_region ON mujun_result(run_id, region_code);
CREATE INDEX mujun_result_enterprise ON mujun_result(enterprise_id);
