-- The kept counts (migration 0043) are summed on every page of the
-- enterprise list, the 亩均 results and the 亩均 diff. Their primary keys
-- do not hold n, so each summed row cost a lookup of its table row: 1,385
-- of them for one run's result total at ten times the demo, a fifth of
-- that page's CPU. These indexes hold n, so a sum reads one index range.
CREATE INDEX enterprise_year_count_n ON enterprise_year_count(year, region_code, above_scale, size, n);
CREATE INDEX mujun_result_count_n ON mujun_result_count(run_id, region_code, park_code, grp, class, n);
CREATE INDEX mujun_diff_move_n ON mujun_diff_move(from_run, to_run, region_code, old_class, new_class, n);
