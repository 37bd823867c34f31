-- The firm's district on its titles (always enterprise.region_code; the
-- title writers and the upsert paths that move a firm keep it), so the
-- task table's and goals' per-district counts of titles granted or held
-- are a range of one covering index: joining every title to its firm for
-- the district was half of those pages' cost at ten times the demo
-- (10,500 lookups per request).
ALTER TABLE title ADD COLUMN region_code TEXT NOT NULL DEFAULT '';
UPDATE title SET region_code = (SELECT e.region_code FROM enterprise e WHERE e.id = title.enterprise_id);
DROP INDEX title_kind;
CREATE INDEX title_kind ON title(kind, granted_on, valid_until, region_code, enterprise_id);
