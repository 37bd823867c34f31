-- The profile change log: which enterprises each profile-generation bump
-- changed (enterprise_id 0 = every enterprise: a catalogue change or a
-- bulk write). It is written in the transaction of the write, so a cached
-- cultivation screening of generation g is brought to generation h by
-- re-screening just the enterprises logged in (g, h]. Old generations are
-- pruned as new ones are written.
CREATE TABLE profile_change (
	generation BIGINT NOT NULL,
	enterprise_id BIGINT NOT NULL,
	PRIMARY KEY (generation, enterprise_id)
);

-- 亩均 results: the policy texts (zh and en) a run applies are stored once
-- per run, as a JSON array, and each result's detail refers to them by
-- index ("t") instead of repeating ~0.9 kB of text in every row. Rows
-- saved before this migration keep their inline texts and read as before.
ALTER TABLE mujun_run ADD COLUMN policy_texts TEXT NOT NULL DEFAULT '[]';
