-- 亩均 class changes (issue 12): a moved score is now attributed to the
-- firm's own values, the weights, the benchmarks or a scoring rule, where
-- every moved score used to read "own score changed". The kept diffs are a
-- cache computed on first request (0010); dropping them recomputes every
-- pair with the new reasons.
DELETE FROM mujun_diff_entry;
DELETE FROM mujun_diff;
