-- Verification of email, phone and identity; signed-in devices; log-in throttling.

ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN phone_verified_at INTEGER;
ALTER TABLE users ADD COLUMN avatar TEXT;
-- A keyed hash of the ID number that verified this account; never the number.
ALTER TABLE users ADD COLUMN id_hash TEXT;
ALTER TABLE users ADD COLUMN id_verified_at INTEGER;

CREATE UNIQUE INDEX users_phone_unique ON users (phone) WHERE phone IS NOT NULL;
-- One card verifies one account.
CREATE UNIQUE INDEX users_id_hash_unique ON users (id_hash) WHERE id_hash IS NOT NULL;

-- The one outstanding code per user and channel; a resend replaces it.
CREATE TABLE verification_codes (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'phone')),
    -- The address or number the code was sent to; it becomes the account's
    -- once the code is confirmed (this is how an email change works).
    target      TEXT    NOT NULL,
    code_hash   TEXT    NOT NULL,
    sent_at     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     INTEGER,
    PRIMARY KEY (user_id, channel)
);

-- Each signed-in browser. The session (tower_sessions) carries `login_id`; a
-- session whose row is gone is signed out, which is how "sign out elsewhere"
-- and a password change end other sessions.
CREATE TABLE logins (
    id          TEXT    PRIMARY KEY NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    user_agent  TEXT    NOT NULL DEFAULT '',
    ip          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX logins_by_user ON logins (user_id, last_seen);

-- Failed log-ins, keyed by 'account:<login>' and 'ip:<address>'.
CREATE TABLE login_failures (
    key  TEXT    NOT NULL,
    at   INTEGER NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at);

-- Cards OCR could not read, waiting for an admin. The image is kept only until
-- the review; the number only as its keyed hash and a masked form to compare.
CREATE TABLE id_reviews (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id_hash      TEXT    NOT NULL,
    masked       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    image        TEXT,
    status       TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at   INTEGER NOT NULL,
    reviewed_by  INTEGER REFERENCES users (id),
    reviewed_at  INTEGER
);
-- At most one open request per account.
CREATE UNIQUE INDEX id_reviews_one_pending ON id_reviews (user_id) WHERE status = 'pending';
