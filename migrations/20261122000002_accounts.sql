-- Accounts: password log-in, verification state, roles and restrictions.

ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'suspended', 'blacklisted'));
ALTER TABLE users ADD COLUMN suspended_until INTEGER;
ALTER TABLE users ADD COLUMN wallet_frozen INTEGER NOT NULL DEFAULT 0 CHECK (wallet_frozen IN (0, 1));
ALTER TABLE users ADD COLUMN intro TEXT NOT NULL DEFAULT '';

-- Nicknames are shown to everyone, so two accounts may not share one.
CREATE UNIQUE INDEX users_nickname_unique ON users (nickname COLLATE NOCASE);

-- Server-side sessions, in the layout tower-sessions' SQLite store expects.
CREATE TABLE tower_sessions (
    id           TEXT    PRIMARY KEY NOT NULL,
    data         BLOB    NOT NULL,
    expiry_date  INTEGER NOT NULL
);
CREATE INDEX tower_sessions_by_expiry ON tower_sessions (expiry_date);
