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
