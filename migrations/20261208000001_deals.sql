-- Deals: orders negotiated in a room (four terms, the buyer's ticks, both
-- confirmations, the handover code) and offers on listings that take them.
--
-- `orders` is rebuilt because SQLite cannot widen a CHECK. Nothing refers to
-- it yet, so the copy keeps every id.
CREATE TABLE orders_new (
    id                  INTEGER PRIMARY KEY,
    public_id           TEXT    NOT NULL UNIQUE,
    listing_id          INTEGER NOT NULL REFERENCES listings (id),
    buyer_id            INTEGER NOT NULL REFERENCES users (id),
    seller_id           INTEGER NOT NULL REFERENCES users (id),
    quantity            INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    -- The total price term, in minor units.
    amount              INTEGER NOT NULL CHECK (amount >= 0),
    source              TEXT    NOT NULL CHECK (source IN ('auction', 'buy_now', 'order', 'offer')),
    state               TEXT    NOT NULL DEFAULT 'awaiting_payment'
        CHECK (state IN ('awaiting_payment', 'negotiating', 'buyer_confirmed', 'established',
                         'completed', 'cancelled')),
    pay_by              INTEGER,
    created_at          INTEGER NOT NULL,
    remark              TEXT    NOT NULL DEFAULT '',
    place               TEXT    NOT NULL DEFAULT '',
    meet_at             INTEGER,
    -- The buyer's ticks, one bit per term (quantity, price, place, time).
    ticks               INTEGER NOT NULL DEFAULT 0 CHECK (ticks BETWEEN 0 AND 15),
    -- The update number at which each term was last set.
    rev_quantity        INTEGER NOT NULL DEFAULT 0,
    rev_price           INTEGER NOT NULL DEFAULT 0,
    rev_place           INTEGER NOT NULL DEFAULT 0,
    rev_time            INTEGER NOT NULL DEFAULT 0,
    -- Counts every change; the room's updates carry it.
    seq                 INTEGER NOT NULL DEFAULT 0,
    -- Shown to the buyer once established; the seller types it at the meet-up.
    handover_code       TEXT,
    code_failures       INTEGER NOT NULL DEFAULT 0 CHECK (code_failures >= 0),
    code_paused_until   INTEGER,
    cancelled_by        TEXT    CHECK (cancelled_by IN ('buyer', 'seller')),
    cancel_reason       TEXT,
    established_at      INTEGER,
    completed_at        INTEGER,
    updated_at          INTEGER NOT NULL DEFAULT 0,
    CHECK (buyer_id <> seller_id)
);
INSERT INTO orders_new (id, public_id, listing_id, buyer_id, seller_id, quantity, amount, source,
                        state, pay_by, created_at, updated_at)
    SELECT id, public_id, listing_id, buyer_id, seller_id, quantity, amount, source,
           state, pay_by, created_at, created_at
      FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
-- One order per auction: ending twice can never sell twice.
CREATE UNIQUE INDEX orders_one_per_auction ON orders (listing_id) WHERE source IN ('auction', 'buy_now');
CREATE INDEX orders_by_buyer ON orders (buyer_id, created_at DESC);
CREATE INDEX orders_by_seller ON orders (seller_id, created_at DESC);
CREATE INDEX orders_by_listing ON orders (listing_id, state);

-- An offer, or a seller's counter to one (`parent_id`, `by_seller` = 1).
-- `amount` is the price of one unit.
CREATE TABLE offers (
    id           INTEGER PRIMARY KEY,
    public_id    TEXT    NOT NULL UNIQUE,
    listing_id   INTEGER NOT NULL REFERENCES listings (id),
    buyer_id     INTEGER NOT NULL REFERENCES users (id),
    seller_id    INTEGER NOT NULL REFERENCES users (id),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    by_seller    INTEGER NOT NULL DEFAULT 0 CHECK (by_seller IN (0, 1)),
    parent_id    INTEGER REFERENCES offers (id),
    state        TEXT    NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'accepted', 'declined', 'countered', 'withdrawn', 'expired')),
    expires_at   INTEGER NOT NULL,
    order_id     INTEGER REFERENCES orders (id),
    created_at   INTEGER NOT NULL,
    decided_at   INTEGER,
    CHECK (buyer_id <> seller_id),
    CHECK ((state = 'accepted') = (order_id IS NOT NULL))
);
-- One open offer (or counter) per buyer and listing.
CREATE UNIQUE INDEX offers_one_open ON offers (listing_id, buyer_id) WHERE state = 'pending';
CREATE INDEX offers_due ON offers (expires_at) WHERE state = 'pending';
CREATE INDEX offers_by_buyer ON offers (buyer_id, created_at DESC);
CREATE INDEX offers_by_seller ON offers (seller_id, created_at DESC);

-- What a notification links to besides its listing.
ALTER TABLE notifications ADD COLUMN order_id INTEGER REFERENCES orders (id) ON DELETE CASCADE;
ALTER TABLE notifications ADD COLUMN offer_id INTEGER REFERENCES offers (id) ON DELETE CASCADE;
