-- The large-instrument sharing marketplace (module instruments, issue 9):
-- owning units, instruments with their catalogue fields and lifecycle,
-- search terms, service items and rate cards, orders with their booking
-- cells and events, reviews and the innovation-voucher ledger.

CREATE TABLE sharing_unit (
    id          @ID@,
    name        TEXT NOT NULL UNIQUE,
    unit_type   TEXT NOT NULL,
    region_code TEXT NOT NULL
);

-- sharing_member places a user in a unit (administrators, managers and
-- academic users) and fixes the category their prices follow.
CREATE TABLE sharing_member (
    user_id  BIGINT PRIMARY KEY REFERENCES app_user(id),
    unit_id  BIGINT NOT NULL,
    category TEXT NOT NULL
);

-- instrument: dates are YYYY-MM-DD text ('' when unset); money in fen;
-- rules is the booking rules' JSON. uses, rating_sum and rating_n are
-- kept current by the order and review writes; rank_score orders by use,
-- then average rating (uses × 1000 + average stars × 100). unit_type is
-- the owning unit's, copied so that search filters and facets read one
-- table.
CREATE TABLE instrument (
    id             @ID@,
    unit_id        BIGINT NOT NULL REFERENCES sharing_unit(id),
    unit_type      TEXT NOT NULL,
    local_id       TEXT NOT NULL,
    name           TEXT NOT NULL,
    class_code     TEXT NOT NULL,
    subclass       TEXT NOT NULL,
    model          TEXT NOT NULL,
    manufacturer   TEXT NOT NULL,
    country        TEXT NOT NULL,
    original_value BIGINT NOT NULL,
    purchase_date  TEXT NOT NULL,
    location       TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    specs          TEXT NOT NULL,
    capabilities   TEXT NOT NULL,
    sample_req     TEXT NOT NULL,
    contact        TEXT NOT NULL,
    mode_self      INTEGER NOT NULL,
    mode_assisted  INTEGER NOT NULL,
    mode_sample    INTEGER NOT NULL,
    status         TEXT NOT NULL,
    offline_until  TEXT NOT NULL,
    retire_reason  TEXT NOT NULL,
    enrolled_on    TEXT NOT NULL,
    removed_on     TEXT NOT NULL,
    rules          TEXT NOT NULL,
    price_from     BIGINT NOT NULL,
    uses           BIGINT NOT NULL DEFAULT 0,
    rating_sum     BIGINT NOT NULL DEFAULT 0,
    rating_n       BIGINT NOT NULL DEFAULT 0,
    rank_score     BIGINT NOT NULL DEFAULT 0,
    UNIQUE (unit_id, local_id)
);
-- A search without text reads the facet columns of every open
-- instrument from instrument_facets alone and its ranked page from
-- instrument_rank; a text search starts from instrument_term.
CREATE INDEX instrument_rank ON instrument(status, rank_score, id);
CREATE INDEX instrument_facets ON instrument(status, class_code, region_code, unit_type, price_from, mode_self, mode_assisted, mode_sample);

-- instrument_term holds the search terms of open instruments (Han
-- bigrams and whole ASCII words, instruments.Terms), so a two-character
-- term or a model number is an index lookup at any catalogue size.
CREATE TABLE instrument_term (
    term          TEXT NOT NULL,
    instrument_id BIGINT NOT NULL REFERENCES instrument(id),
    PRIMARY KEY (term, instrument_id)
);

CREATE TABLE instrument_manager (
    instrument_id BIGINT NOT NULL REFERENCES instrument(id),
    user_id       BIGINT NOT NULL,
    PRIMARY KEY (instrument_id, user_id)
);

CREATE TABLE service_item (
    id            @ID@,
    instrument_id BIGINT NOT NULL REFERENCES instrument(id),
    name          TEXT NOT NULL,
    mode          TEXT NOT NULL,
    charge_unit   TEXT NOT NULL
);
CREATE INDEX service_item_instrument ON service_item(instrument_id);

-- service_rate: a later effective_from supersedes, nothing is overwritten.
CREATE TABLE service_rate (
    item_id        BIGINT NOT NULL REFERENCES service_item(id),
    category       TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    price          BIGINT NOT NULL,
    PRIMARY KEY (item_id, category, effective_from)
);

-- instrument_order: times are unix seconds (0 for sample sending); the
-- unit price is frozen when the order is placed.
CREATE TABLE instrument_order (
    id               @ID@,
    instrument_id    BIGINT NOT NULL REFERENCES instrument(id),
    unit_id          BIGINT NOT NULL,
    item_id          BIGINT NOT NULL,
    user_id          BIGINT NOT NULL,
    enterprise_id    BIGINT NOT NULL,
    category         TEXT NOT NULL,
    mode             TEXT NOT NULL,
    state            TEXT NOT NULL,
    start_at         BIGINT NOT NULL,
    end_at           BIGINT NOT NULL,
    due_on           TEXT NOT NULL,
    samples          INTEGER NOT NULL,
    charge_unit      TEXT NOT NULL,
    unit_price       BIGINT NOT NULL,
    booked_minutes   INTEGER NOT NULL,
    actual_minutes   INTEGER NOT NULL,
    billable_minutes INTEGER NOT NULL,
    amount           BIGINT NOT NULL,
    voucher_amount   BIGINT NOT NULL,
    note             TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX instrument_order_user ON instrument_order(user_id, id);
CREATE INDEX instrument_order_unit ON instrument_order(unit_id, id);
CREATE INDEX instrument_order_slot ON instrument_order(instrument_id, start_at);

-- booking_cell: one row per 15-minute cell a live order holds. The
-- primary key is what makes a double booking impossible on either engine,
-- whatever the application code does; cells are deleted when an order is
-- rejected, cancelled or voided.
CREATE TABLE booking_cell (
    instrument_id BIGINT NOT NULL,
    cell_start    BIGINT NOT NULL,
    order_id      BIGINT NOT NULL REFERENCES instrument_order(id),
    PRIMARY KEY (instrument_id, cell_start)
);

CREATE TABLE order_event (
    id         @ID@,
    order_id   BIGINT NOT NULL REFERENCES instrument_order(id),
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    actor_id   BIGINT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX order_event_order ON order_event(order_id);

-- instrument_review: one per order (its primary key).
CREATE TABLE instrument_review (
    order_id      BIGINT PRIMARY KEY REFERENCES instrument_order(id),
    instrument_id BIGINT NOT NULL,
    user_id       BIGINT NOT NULL,
    stars         INTEGER NOT NULL,
    tags          TEXT NOT NULL,
    comment       TEXT NOT NULL,
    reply         TEXT NOT NULL,
    hidden        INTEGER NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX instrument_review_instrument ON instrument_review(instrument_id);

-- voucher_posting: the innovation-voucher ledger. The postings of one
-- entry (entry_id) sum to zero.
CREATE TABLE voucher_posting (
    id       @ID@,
    entry_id BIGINT NOT NULL,
    account  TEXT NOT NULL,
    amount   BIGINT NOT NULL,
    kind     TEXT NOT NULL,
    order_id BIGINT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX voucher_posting_account ON voucher_posting(account);
CREATE INDEX voucher_posting_order ON voucher_posting(order_id);

-- calendar_feed: subscribable iCalendar feeds. The token is the only
-- credential of a feed URL (32 random bytes, hex); instrument_id 0 is a
-- user's own bookings, otherwise the instrument's.
CREATE TABLE calendar_feed (
    token         TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL,
    instrument_id BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
