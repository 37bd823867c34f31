-- Reviews of instrument orders (module instruments, issue 9 item 5): the
-- owner's reply (reply existed; who wrote it and when) and the platform
-- operator's moderation (hidden existed; the reason, who and when).
-- moderated_by is 0 until the first moderation; the reply is editable
-- until then.
ALTER TABLE instrument_review ADD COLUMN reply_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instrument_review ADD COLUMN reply_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instrument_review ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE instrument_review ADD COLUMN moderated_by BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instrument_review ADD COLUMN moderated_at BIGINT NOT NULL DEFAULT 0;
