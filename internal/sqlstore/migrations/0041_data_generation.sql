-- The data generation (issue 13, cached answers): one row per area, whose
-- counter every committed write of the area advances in its own
-- transaction (Store.inTx), so a server caching answers computed from the
-- data sees a write by any process — another server, the command-line
-- import — on its next request by reading this row. "data" covers what the
-- registry, reports, targets, titles and the modules' read models are
-- built from; the operational records (sessions, the audit trail,
-- notifications, the instrument market, federation) do not advance it.
CREATE TABLE data_generation (
    area TEXT PRIMARY KEY,
    gen  BIGINT NOT NULL
);
INSERT INTO data_generation (area, gen) VALUES ('data', 0);
