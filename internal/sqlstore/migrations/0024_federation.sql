-- The 川渝 federation (module federation, issue 10).
--
-- catalogue_change is the instrument catalogue's change log (an outbox):
-- one row per created or changed instrument, written in the same
-- transaction as the change (sqlstore/instruments.go calls
-- logCatalogueChange). Catalogue writes take the platform-wide writer
-- lock (inTx), so seq order is commit order on both engines and a feed
-- reader that saw seq n can never later see a smaller one commit.
CREATE TABLE catalogue_change (
    seq           @ID@,
    instrument_id BIGINT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX catalogue_change_instrument ON catalogue_change(instrument_id, seq);

-- Every instrument that exists before this migration is a change, so a
-- peer's first pull sees the whole catalogue.
INSERT INTO catalogue_change (instrument_id, at) SELECT id, 0 FROM instrument ORDER BY id;

-- fed_peer_state: how far this instance has read each peer's feed and
-- what the last pull did (the status page and /metrics read it).
CREATE TABLE fed_peer_state (
    peer         TEXT PRIMARY KEY,
    feed_cursor  BIGINT NOT NULL,
    order_cursor BIGINT NOT NULL,
    last_attempt BIGINT NOT NULL,
    last_ok      BIGINT NOT NULL,
    last_error   TEXT NOT NULL,
    last_check   BIGINT NOT NULL,
    repairs      BIGINT NOT NULL
);

-- fed_mirror: the read-only copy of the peers' catalogues. record is the
-- home's record as JSON (federation.Record), record_hash its SHA-256
-- (the drift check sums them); the columns beside it are what search
-- filters and ranks on. avail is the coarse availability summary the
-- home last published, avail_at when.
CREATE TABLE fed_mirror (
    home           TEXT NOT NULL,
    remote_id      BIGINT NOT NULL,
    global_id      TEXT NOT NULL,
    name           TEXT NOT NULL,
    unit_name      TEXT NOT NULL,
    unit_type      TEXT NOT NULL,
    class_code     TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    status         TEXT NOT NULL,
    original_value BIGINT NOT NULL,
    price_from     BIGINT NOT NULL,
    mode_self      INTEGER NOT NULL,
    mode_assisted  INTEGER NOT NULL,
    mode_sample    INTEGER NOT NULL,
    enrolled_on    TEXT NOT NULL,
    search_text    TEXT NOT NULL,
    record         TEXT NOT NULL,
    record_hash    TEXT NOT NULL,
    avail          TEXT NOT NULL,
    avail_at       BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (home, remote_id)
);

-- fed_hold: at an instrument's home, the bookings peers placed for their
-- users. (origin, idem_key) is unique: a retried request finds its hold
-- instead of booking again. order_id is 0 while the claim is being
-- booked; state is held, confirmed or expired.
CREATE TABLE fed_hold (
    id         @ID@,
    origin     TEXT NOT NULL,
    idem_key   TEXT NOT NULL,
    order_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    state      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (origin, idem_key)
);
CREATE INDEX fed_hold_order ON fed_hold(order_id);

-- fed_booking: at the user's instance, the user's bookings of peers'
-- instruments as the home last reported them.
CREATE TABLE fed_booking (
    id              @ID@,
    user_id         BIGINT NOT NULL,
    home            TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    hold_id         BIGINT NOT NULL,
    remote_order    BIGINT NOT NULL,
    instrument_id   BIGINT NOT NULL,
    instrument_name TEXT NOT NULL,
    start_at        BIGINT NOT NULL,
    end_at          BIGINT NOT NULL,
    state           TEXT NOT NULL,
    unit_price      BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (home, idem_key)
);
CREATE INDEX fed_booking_user ON fed_booking(user_id, id);

-- fed_nonce: the nonces of signed peer requests seen within the clock
-- window; a second use is a replay.
CREATE TABLE fed_nonce (
    peer       TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (peer, nonce)
);
