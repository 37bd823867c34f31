-- Invoicing of late-cancellation and no-show fees (module instruments,
-- issue 9): the fee frozen on the order (instrument_order.penalty, in
-- fen) goes on an invoice line of its own kind.

-- penalty_state: the fee's billing, '' (unbilled), 'invoiced' or 'paid';
-- the order itself stays cancelled or no_show.
ALTER TABLE instrument_order ADD COLUMN penalty_state TEXT NOT NULL DEFAULT '';

-- kind: 'charge' (usage, every line before this migration),
-- 'cancellation_fee' or 'no_show_fee'. An order carries either a charge
-- or a fee, never both, so the live lines' partial unique index on
-- order_id (0032) keeps each fee on at most one live invoice too.
ALTER TABLE instrument_invoice_line ADD COLUMN kind TEXT NOT NULL DEFAULT 'charge';

-- penalty: of amount, the fee lines' sum (0 for every earlier invoice).
ALTER TABLE instrument_invoice ADD COLUMN penalty BIGINT NOT NULL DEFAULT 0;
