-- The 亩均 diff's move counts (GROUP BY old_class, new_class on every page
-- of the diff) and its district filter read this index alone: the entries
-- are wide (drivers, both explanations), and scanning them for two short
-- columns cost ~20 ms of CPU per page at ten times the demo (5,500
-- changes, ~9 MB of rows).
CREATE INDEX mujun_diff_entry_moves ON mujun_diff_entry(from_run, to_run, region_code, old_class, new_class);
