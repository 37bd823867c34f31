-- Service statistics of the instrument marketplace (issue 9 item 6).
-- client_unit_id is the customer's unit when the order records one (the
-- demo's academic customers; 0 otherwise, when the statistics fall back
-- to the customer's sharing_member unit). The statistics read a year's
-- orders by their slot start, or by the promised day of sample sending.
ALTER TABLE instrument_order ADD COLUMN client_unit_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX instrument_order_start ON instrument_order(start_at);
CREATE INDEX instrument_order_due ON instrument_order(due_on);

-- instrument_search_change logs every instrument whose search data
-- changed (terms, status, rank), in commit order: the in-memory search
-- index (sqlstore/instrument_search.go) applies the entries past the
-- last id it has seen.
CREATE TABLE instrument_search_change (
    id            @ID@,
    instrument_id BIGINT NOT NULL
);
