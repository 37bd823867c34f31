-- 亩均论英雄 benchmark provenance (module mujun, issue 14): per run, group
-- and scored indicator, the benchmark value the scores were divided by and
-- where it came from, written in the run's transaction.
--   source      prior_run, current_year, config (fixed) or none (no firm
--               of the group had a value: nothing was scored against it)
--   source_run  the prior run the mean was taken from; 0 when not a run
--   source_year the year of the data; 0 for a fixed benchmark
--   firms       firms with a value the benchmark rests on; 0 for fixed
--   min_firms   the configuration's minimum (min_benchmark_firms, ≥ 1)
--   weight, cap the indicator's points and cap (0 = no cap): a score may
--               reach cap × weight, which is how a total passes 100
-- Runs saved before this migration have no rows; their provenance is read
-- from mujun_run.summary (benchmark_from, prior_run_id).
CREATE TABLE mujun_run_benchmark (
    run_id      BIGINT NOT NULL REFERENCES mujun_run(id),
    grp         TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    code        TEXT NOT NULL,
    weight      DOUBLE PRECISION NOT NULL,
    cap         DOUBLE PRECISION NOT NULL,
    method      TEXT NOT NULL,
    benchmark   DOUBLE PRECISION NOT NULL,
    source      TEXT NOT NULL,
    source_run  BIGINT NOT NULL,
    source_year INTEGER NOT NULL,
    firms       INTEGER NOT NULL,
    min_firms   INTEGER NOT NULL,
    PRIMARY KEY (run_id, grp, code)
);
