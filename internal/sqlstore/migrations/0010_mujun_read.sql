-- 亩均论英雄 read paths (module mujun): what the pages and API read, kept
-- in columns next to the immutable runs so a request reads a few rows
-- instead of decoding a whole run. Everything here is derived from
-- mujun_run.summary and mujun_result and written in the run's transaction;
-- runs saved before this migration are derived on first read (derived = 0).

-- groups_body is the summary's group results (JSON); counts_body the
-- assembly counts (JSON).
ALTER TABLE mujun_run ADD COLUMN groups_body TEXT NOT NULL DEFAULT '';
ALTER TABLE mujun_run ADD COLUMN counts_body TEXT NOT NULL DEFAULT '';
ALTER TABLE mujun_run ADD COLUMN derived INTEGER NOT NULL DEFAULT 0;

-- ord is the firm's position in the run's ranking (group, rated firms by
-- rank, then exempt firms, ties by id), so a page is an index range.
ALTER TABLE mujun_result ADD COLUMN ord INTEGER NOT NULL DEFAULT 0;
UPDATE mujun_result SET ord = x.n
FROM (SELECT run_id, enterprise_id, ROW_NUMBER() OVER (PARTITION BY run_id
        ORDER BY grp, CASE WHEN rank = 0 THEN 1 ELSE 0 END, rank, enterprise_id) AS n
      FROM mujun_result) AS x
WHERE mujun_result.run_id = x.run_id AND mujun_result.enterprise_id = x.enterprise_id;
CREATE INDEX mujun_result_ord ON mujun_result(run_id, ord);

-- One row per aggregate of a run: kind is total, region, region_group or
-- park; seq keeps the engine's order. classes and stats are JSON.
CREATE TABLE mujun_run_aggregate (
    run_id             BIGINT NOT NULL REFERENCES mujun_run(id),
    kind               TEXT NOT NULL,
    seq                INTEGER NOT NULL,
    region_code        TEXT NOT NULL,
    park_code          TEXT NOT NULL,
    grp                TEXT NOT NULL,
    firms              INTEGER NOT NULL,
    rated              INTEGER NOT NULL,
    mean_score         DOUBLE PRECISION NOT NULL,
    land               BIGINT NOT NULL,
    tax                BIGINT NOT NULL,
    value_added        BIGINT NOT NULL,
    tax_per_mu         DOUBLE PRECISION NOT NULL,
    va_per_mu          DOUBLE PRECISION NOT NULL,
    rank_by_score      INTEGER NOT NULL,
    rank_by_va_per_mu  INTEGER NOT NULL,
    rank_by_tax_per_mu INTEGER NOT NULL,
    classes            TEXT NOT NULL,
    stats              TEXT NOT NULL,
    PRIMARY KEY (run_id, kind, seq)
);

-- The class changes between two runs (mujun.Diff), computed once: at save
-- time against the run's prior and the previous run of its year, otherwise
-- on first request. A mujun_diff row marks the pair as computed (it may
-- have no changes).
CREATE TABLE mujun_diff (
    from_run   BIGINT NOT NULL REFERENCES mujun_run(id),
    to_run     BIGINT NOT NULL REFERENCES mujun_run(id),
    changes    INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (from_run, to_run)
);

-- One row per changed firm; reasons are comma-separated, drivers and
-- config_changes the JSON of those lists.
CREATE TABLE mujun_diff_entry (
    from_run       BIGINT NOT NULL,
    to_run         BIGINT NOT NULL,
    enterprise_id  BIGINT NOT NULL REFERENCES enterprise(id),
    region_code    TEXT NOT NULL,
    park_code      TEXT NOT NULL,
    grp            TEXT NOT NULL,
    kind           TEXT NOT NULL,
    old_class      TEXT NOT NULL,
    new_class      TEXT NOT NULL,
    direction      TEXT NOT NULL,
    old_score      DOUBLE PRECISION NOT NULL,
    new_score      DOUBLE PRECISION NOT NULL,
    old_rank       INTEGER NOT NULL,
    new_rank       INTEGER NOT NULL,
    reasons        TEXT NOT NULL,
    drivers        TEXT NOT NULL,
    config_changes TEXT NOT NULL,
    explanation_zh TEXT NOT NULL,
    explanation_en TEXT NOT NULL,
    PRIMARY KEY (from_run, to_run, enterprise_id),
    FOREIGN KEY (from_run, to_run) REFERENCES mujun_diff(from_run, to_run)
);
