-- Notifications (module notify, issue 9 item 5 and issue 7's reminders):
-- an in-app inbox per account and an e-mail outbox written in the same
-- transaction as the event that causes them.

-- notification: kind names the catalogue message (notify.kind.<kind>),
-- args its arguments as a JSON array of strings; dedup is set for
-- scheduled notifications (a booking reminder) so that a second run of the
-- scheduler, on any instance, writes nothing (NULL for the rest: NULLs
-- never collide in a unique index on either engine). read_at is 0 while
-- unread.
CREATE TABLE notification (
    id         @ID@,
    user_id    BIGINT NOT NULL REFERENCES app_user(id),
    kind       TEXT NOT NULL,
    args       TEXT NOT NULL,
    link       TEXT NOT NULL,
    dedup      TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    read_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notification_inbox ON notification (user_id, read_at, id);

-- notify_pref: a user's e-mail address, the language of their mail and
-- whether they want mail at all. Without a row, no mail is written.
CREATE TABLE notify_pref (
    user_id  BIGINT PRIMARY KEY REFERENCES app_user(id),
    email    TEXT NOT NULL,
    lang     TEXT NOT NULL,
    email_on INTEGER NOT NULL
);

-- notify_outbox: one e-mail to send, written with its notification when
-- the recipient wants mail. state: pending → sent | failed | expired. A
-- worker claims a due pending row by moving next_at past a lease; a row
-- leaves pending once and is never sent again.
CREATE TABLE notify_outbox (
    id              @ID@,
    notification_id BIGINT NOT NULL UNIQUE REFERENCES notification(id),
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE INDEX notify_outbox_due ON notify_outbox (state, next_at);
