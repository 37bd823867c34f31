-- Yearly enterprise facts the title rules need and neither the registry nor
-- the monthly reports hold (financial-statement items, IP by class, market
-- position, recognitions, financing …). One JSON document per enterprise
-- and year, in the shape of cultivation.Facts: the set of facts follows the
-- versioned rule sets, and a missing key must stay "unknown", which a
-- column default could not express. The domain type validates every write.
CREATE TABLE enterprise_profile (
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    year          INTEGER NOT NULL,
    facts         TEXT NOT NULL,
    source        TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, year)
);
CREATE INDEX enterprise_profile_year ON enterprise_profile(year);
