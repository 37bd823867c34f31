-- Peers added at run time (module federation, issue 10): 'ibrain peer
-- add' writes here, and a running server reads the table whenever it
-- needs its peers (each pull round, each signed request), so a peer
-- takes effect without a restart. The configuration file's peers stay as
-- they were and win over a row with the same id.
CREATE TABLE fed_peer (
    id         TEXT PRIMARY KEY,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    url        TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_at   BIGINT NOT NULL
);
