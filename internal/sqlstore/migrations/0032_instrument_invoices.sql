-- Invoices of instrument fees (module instruments, issue 9 item 4), the
-- waiving of booking violations, qualifications that lapse after the
-- last use, and the entered scores of the evaluation's document-judged
-- indicators.

-- instrument_invoice: one unit's bill (结算单) of one customer's
-- usage-confirmed orders, numbered per unit and year (seq). Amounts in
-- fen: amount = the orders' charges, voucher = their voucher share, due
-- = amount − voucher. state: issued, paid or voided.
CREATE TABLE instrument_invoice (
    id            @ID@,
    number        TEXT NOT NULL UNIQUE,
    unit_id       BIGINT NOT NULL REFERENCES sharing_unit(id),
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    customer_id   BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    state         TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    voucher       BIGINT NOT NULL,
    due           BIGINT NOT NULL,
    note          TEXT NOT NULL,
    issued_by     BIGINT NOT NULL,
    issued_at     BIGINT NOT NULL,
    paid_by       BIGINT NOT NULL DEFAULT 0,
    paid_at       BIGINT NOT NULL DEFAULT 0,
    voided_by     BIGINT NOT NULL DEFAULT 0,
    voided_at     BIGINT NOT NULL DEFAULT 0,
    void_reason   TEXT NOT NULL DEFAULT '',
    UNIQUE (unit_id, year, seq)
);
CREATE INDEX instrument_invoice_customer ON instrument_invoice(customer_id, id);
CREATE INDEX instrument_invoice_unit ON instrument_invoice(unit_id, id);

-- instrument_invoice_line: an order on an invoice with its amounts as
-- billed. live is 1 while the invoice is issued or paid, 0 once voided:
-- the partial unique index keeps an order on at most one live invoice,
-- whatever the code above it does.
CREATE TABLE instrument_invoice_line (
    invoice_id       BIGINT NOT NULL REFERENCES instrument_invoice(id),
    order_id         BIGINT NOT NULL REFERENCES instrument_order(id),
    amount           BIGINT NOT NULL,
    voucher          BIGINT NOT NULL,
    due              BIGINT NOT NULL,
    live             INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, order_id)
);
CREATE UNIQUE INDEX instrument_invoice_line_live ON instrument_invoice_line(order_id) WHERE live = 1;

-- booking_violation: a waived violation no longer counts; who waived it,
-- when and why (the route is audited too).
ALTER TABLE booking_violation ADD COLUMN waived_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE booking_violation ADD COLUMN waived_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE booking_violation ADD COLUMN waive_reason TEXT NOT NULL DEFAULT '';

-- instrument_eval_score: the platform operator's score of a unit's
-- document-judged evaluation indicator in a year (points of the
-- indicator's weight), with the note and evidence it rests on.
CREATE TABLE instrument_eval_score (
    unit_id       BIGINT NOT NULL REFERENCES sharing_unit(id),
    year          INTEGER NOT NULL,
    indicator     TEXT NOT NULL,
    points        DOUBLE PRECISION NOT NULL,
    note          TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    entered_by    BIGINT NOT NULL,
    entered_at    BIGINT NOT NULL,
    PRIMARY KEY (unit_id, year, indicator)
);
