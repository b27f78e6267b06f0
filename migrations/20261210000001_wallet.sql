-- The wallet: a double-entry ledger, escrow holds, idempotent money requests,
-- the payment provider's deduplicated callbacks, and an audit trail. The rules
-- the code follows are enforced here too: a member's balance never goes below
-- zero, every movement is balanced, and nothing in the ledger is ever updated
-- or deleted.

ALTER TABLE users ADD COLUMN wallet_frozen_at INTEGER;

-- An escrow hold: an order's or a won auction's payment, released to the
-- seller or refunded to the buyer, once.
CREATE TABLE holds (
    id         INTEGER PRIMARY KEY,
    buyer_id   INTEGER NOT NULL REFERENCES users (id),
    seller_id  INTEGER NOT NULL REFERENCES users (id),
    order_id   INTEGER REFERENCES orders (id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    state      TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'posted', 'voided')),
    created_at INTEGER NOT NULL,
    settled_at INTEGER,
    CHECK (buyer_id <> seller_id),
    CHECK ((state = 'pending') = (settled_at IS NULL))
);
-- One payment in escrow or released per order (a refunded one may be paid
-- again).
CREATE UNIQUE INDEX holds_one_per_order ON holds (order_id)
    WHERE order_id IS NOT NULL AND state <> 'voided';
CREATE INDEX holds_buyer ON holds (buyer_id, id);
CREATE INDEX holds_seller ON holds (seller_id, id);

-- A settled hold never changes again, and holds are never deleted.
CREATE TRIGGER holds_settle_once BEFORE UPDATE ON holds
WHEN OLD.state <> 'pending'
BEGIN
    SELECT RAISE(ABORT, 'a hold settles once');
END;
CREATE TRIGGER holds_keep BEFORE DELETE ON holds
BEGIN
    SELECT RAISE(ABORT, 'holds are kept');
END;

-- Where money sits: each member's available balance, each hold, and the
-- platform's accounts. A balance is the sum of the account's entries, kept in
-- step by the trigger that posts a transfer.
CREATE TABLE ledger_accounts (
    id      INTEGER PRIMARY KEY,
    kind    TEXT    NOT NULL CHECK (kind IN ('available', 'held', 'clearing', 'fees')),
    user_id INTEGER REFERENCES users (id),
    hold_id INTEGER REFERENCES holds (id),
    balance INTEGER NOT NULL DEFAULT 0,
    CHECK ((kind = 'available') = (user_id IS NOT NULL)),
    CHECK ((kind = 'held') = (hold_id IS NOT NULL)),
    -- Only the provider's clearing account goes below zero: it stands at
    -- minus what members paid in and still hold.
    CHECK (kind = 'clearing' OR balance >= 0)
);
CREATE UNIQUE INDEX ledger_accounts_member ON ledger_accounts (user_id)
    WHERE kind = 'available';
CREATE UNIQUE INDEX ledger_accounts_hold ON ledger_accounts (hold_id)
    WHERE kind = 'held';
CREATE UNIQUE INDEX ledger_accounts_platform ON ledger_accounts (kind)
    WHERE kind IN ('clearing', 'fees');
INSERT INTO ledger_accounts (kind) VALUES ('clearing'), ('fees');

CREATE TRIGGER ledger_accounts_keep BEFORE DELETE ON ledger_accounts
BEGIN
    SELECT RAISE(ABORT, 'ledger accounts are kept');
END;

-- One balanced movement between two accounts.
CREATE TABLE transfers (
    id           INTEGER PRIMARY KEY,
    from_account INTEGER NOT NULL REFERENCES ledger_accounts (id),
    to_account   INTEGER NOT NULL REFERENCES ledger_accounts (id),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    purpose      TEXT    NOT NULL
                         CHECK (purpose IN ('top_up', 'withdrawal', 'escrow', 'release',
                                            'refund', 'fee')),
    hold_id      INTEGER REFERENCES holds (id),
    created_at   INTEGER NOT NULL,
    CHECK (from_account <> to_account)
);
CREATE INDEX transfers_hold ON transfers (hold_id) WHERE hold_id IS NOT NULL;

-- Each transfer's two entries: minus on the account it leaves, plus on the
-- one it reaches.
CREATE TABLE ledger_entries (
    id          INTEGER PRIMARY KEY,
    transfer_id INTEGER NOT NULL REFERENCES transfers (id),
    account_id  INTEGER NOT NULL REFERENCES ledger_accounts (id),
    amount      INTEGER NOT NULL CHECK (amount <> 0),
    created_at  INTEGER NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, id);

-- Inserting a transfer writes its two entries and moves both balances in the
-- same statement: the ledger balances by construction, and the balance CHECK
-- above refuses an overdraft by failing the whole statement.
CREATE TRIGGER transfers_post AFTER INSERT ON transfers
BEGIN
    INSERT INTO ledger_entries (transfer_id, account_id, amount, created_at)
    VALUES (NEW.id, NEW.from_account, -NEW.amount, NEW.created_at),
           (NEW.id, NEW.to_account, NEW.amount, NEW.created_at);
    UPDATE ledger_accounts SET balance = balance - NEW.amount WHERE id = NEW.from_account;
    UPDATE ledger_accounts SET balance = balance + NEW.amount WHERE id = NEW.to_account;
END;

CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- A top-up: asked of the payment provider, decided by its signed callback.
-- Only the card's last four digits are kept.
CREATE TABLE top_ups (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    card_last4  TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'succeeded', 'declined', 'failed')),
    transfer_id INTEGER REFERENCES transfers (id),
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER,
    CHECK ((state = 'succeeded') = (transfer_id IS NOT NULL)),
    CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX top_ups_user ON top_ups (user_id, id);
-- A decided top-up stays decided.
CREATE TRIGGER top_ups_decide_once BEFORE UPDATE ON top_ups
WHEN OLD.state <> 'pending'
BEGIN
    SELECT RAISE(ABORT, 'a top-up is decided once');
END;

-- A withdrawal: taken from the member's balance by its transfer, then sent
-- by the provider.
CREATE TABLE withdrawals (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    transfer_id INTEGER NOT NULL REFERENCES transfers (id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX withdrawals_user ON withdrawals (user_id, id);

-- A money request's idempotency key: the first request's outcome, under a
-- fingerprint of its parameters, for 24 hours. `outcome` is NULL while the
-- first request is still being decided.
CREATE TABLE money_requests (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    outcome     TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX money_requests_age ON money_requests (created_at);

-- The payment provider's callbacks already applied, by their event id.
CREATE TABLE provider_events (
    event_id    TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Who moved money, what, when and why. Append-only like the ledger.
CREATE TABLE wallet_audit (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES users (id),
    action      TEXT    NOT NULL,
    transfer_id INTEGER REFERENCES transfers (id),
    detail      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX wallet_audit_actor ON wallet_audit (actor_id, id);
CREATE TRIGGER wallet_audit_no_update BEFORE UPDATE ON wallet_audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER wallet_audit_no_delete BEFORE DELETE ON wallet_audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
