-- Counts that the enterprise list and the 亩均 result list show on every
-- page, kept so a page does not count the city (90,000 index entries per
-- request at ten times the demo, most of the list's CPU).

-- enterprise_year_count: statistics rows per year, district (the
-- enterprise's region_code), above-scale flag and size. Kept exact by the
-- writers of enterprise_year and enterprise.region_code (upsert paths), in
-- their transaction.
CREATE TABLE enterprise_year_count (
    year        INTEGER NOT NULL,
    region_code TEXT NOT NULL,
    above_scale INTEGER NOT NULL,
    size        TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (year, region_code, above_scale, size)
);
INSERT INTO enterprise_year_count (year, region_code, above_scale, size, n)
SELECT ey.year, e.region_code, ey.above_scale, ey.size, COUNT(*)
FROM enterprise_year ey JOIN enterprise e ON e.id = ey.enterprise_id
GROUP BY ey.year, e.region_code, ey.above_scale, ey.size;

-- mujun_result_count: a run's results per district, park, group and class
-- (the result list's filters), written with the run (runs are immutable).
CREATE TABLE mujun_result_count (
    run_id      BIGINT NOT NULL REFERENCES mujun_run(id),
    region_code TEXT NOT NULL,
    park_code   TEXT NOT NULL,
    grp         TEXT NOT NULL,
    class       TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (run_id, region_code, park_code, grp, class)
);
INSERT INTO mujun_result_count (run_id, region_code, park_code, grp, class, n)
SELECT run_id, region_code, park_code, grp, class, COUNT(*)
FROM mujun_result GROUP BY run_id, region_code, park_code, grp, class;

-- mujun_diff_move: the changes between two runs per district and class
-- move, written with the changes (a pair is stored once): the diff's move
-- counts, on every page, sum these instead of grouping the changes (a
-- sort of 6,200 index entries per page at ten times the demo).
CREATE TABLE mujun_diff_move (
    from_run    BIGINT NOT NULL,
    to_run      BIGINT NOT NULL,
    region_code TEXT NOT NULL,
    old_class   TEXT NOT NULL,
    new_class   TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (from_run, to_run, region_code, old_class, new_class),
    FOREIGN KEY (from_run, to_run) REFERENCES mujun_diff(from_run, to_run)
);
INSERT INTO mujun_diff_move (from_run, to_run, region_code, old_class, new_class, n)
SELECT from_run, to_run, region_code, old_class, new_class, COUNT(*)
FROM mujun_diff_entry GROUP BY from_run, to_run, region_code, old_class, new_class;

-- The firm's district on its yearly rows (always enterprise.region_code;
-- the upsert paths move both), so a district's list is a range of one
-- index in revenue order: walking the city's firms by revenue and probing
-- each firm's district cost 4-25 ms per page at ten times the demo.
ALTER TABLE enterprise_year ADD COLUMN region_code TEXT NOT NULL DEFAULT '';
UPDATE enterprise_year SET region_code = (SELECT e.region_code FROM enterprise e WHERE e.id = enterprise_year.enterprise_id);
CREATE INDEX enterprise_year_region_revenue ON enterprise_year(year, region_code, revenue);
