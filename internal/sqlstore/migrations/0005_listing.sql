-- The listing pipeline (上市): each enterprise's history as numbered,
-- dated events. Figures (firms in tutoring, new listings, proceeds) are
-- computed from these rows by internal/listing; none is stored. seq is the
-- event's position in its firm's history; UNIQUE (enterprise_id, seq)
-- makes two writers that both append "the next event" collide instead of
-- interleaving. Dates are ISO TEXT ('' when absent), proceeds BIGINT fen.

CREATE TABLE listing_event (
    enterprise_id BIGINT NOT NULL REFERENCES enterprise(id),
    seq           INTEGER NOT NULL,
    stage         TEXT NOT NULL,
    event_date    TEXT NOT NULL,
    agreed_on     TEXT NOT NULL,
    sponsor       TEXT NOT NULL,
    board         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    proceeds      BIGINT NOT NULL,
    note          TEXT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    recorded_by   TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, seq)
);
CREATE INDEX listing_event_stage_date ON listing_event(stage, event_date);
