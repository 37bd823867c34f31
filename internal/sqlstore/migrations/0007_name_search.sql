-- Character bigrams of enterprise names, so a Chinese substring search
-- ("科技", "涪陵榨菜") finds its firms through an index instead of a LIKE
-- scan of every name: at 10x the demo (90,000 firms) the scan cost 80 ms a
-- query, the index under 5 ms. Names are indexed as stored (no case
-- folding); queries with ASCII letters or a single character still scan.
-- Kept current by UpsertEnterprises in the same transaction.

CREATE TABLE enterprise_gram (
    gram          TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    PRIMARY KEY (gram, enterprise_id)
);

-- Existing databases: every bigram of every name. substr and length count
-- characters on both engines.
INSERT INTO enterprise_gram (gram, enterprise_id)
SELECT DISTINCT substr(e.name, p.i, 2), e.id
FROM enterprise e
JOIN (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) SELECT i FROM n) p ON p.i < length(e.name);

-- The enterprise list is ordered by revenue within a year.
CREATE INDEX enterprise_year_revenue ON enterprise_year(year, revenue);

-- Counts of a year's firms by size and above-scale status read only this
-- index.
CREATE INDEX enterprise_year_status ON enterprise_year(year, above_scale, size);
