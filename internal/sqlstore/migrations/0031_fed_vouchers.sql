-- Cross-province voucher settlement (issue 10, module federation). At the
-- voucher's issuer (the user's instance): a posting for a booking of a
-- peer's instrument names that booking (remote_booking, its fed_booking
-- id; order_id is 0 as the order lives at the home). The booking keeps
-- the firm whose voucher applies, the reservation and the settlement, and
-- the home's signed evidence of the confirmed usage the settlement used
-- (evidence: the JSON as signed; evidence_sig: the home's Ed25519
-- signature, base64), so the bureau can show what it paid on.
ALTER TABLE voucher_posting ADD COLUMN remote_booking BIGINT NOT NULL DEFAULT 0;
CREATE INDEX voucher_posting_remote ON voucher_posting(remote_booking);
ALTER TABLE fed_booking ADD COLUMN enterprise_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fed_booking ADD COLUMN voucher_state TEXT NOT NULL DEFAULT '';
ALTER TABLE fed_booking ADD COLUMN voucher_reserved BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fed_booking ADD COLUMN voucher_settled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fed_booking ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
ALTER TABLE fed_booking ADD COLUMN evidence_sig TEXT NOT NULL DEFAULT '';
ALTER TABLE fed_booking ADD COLUMN settled_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX fed_booking_voucher ON fed_booking(voucher_state);
-- The home's cancellation or no-show fee of the order, as last reported.
ALTER TABLE fed_booking ADD COLUMN penalty BIGINT NOT NULL DEFAULT 0;
