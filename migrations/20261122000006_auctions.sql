-- Live auctions: the state of each auction, every accepted bid, the room's
-- chat, orders for winners, and notifications.

-- `phase` moves scheduled → live → ended | cancelled, only by conditional
-- updates; `seq` counts the changes everyone watching has been sent, so a
-- client can tell a missed update. The proxy book is the leader, their
-- hidden maximum and the second-highest maximum; `price` follows from it.
ALTER TABLE auctions ADD COLUMN phase TEXT NOT NULL DEFAULT 'scheduled'
    CHECK (phase IN ('scheduled', 'live', 'ended', 'cancelled'));
ALTER TABLE auctions ADD COLUMN outcome TEXT CHECK (outcome IN ('sold', 'unsold'));
ALTER TABLE auctions ADD COLUMN price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0);
ALTER TABLE auctions ADD COLUMN leader_id INTEGER REFERENCES users (id);
ALTER TABLE auctions ADD COLUMN leader_max INTEGER;
ALTER TABLE auctions ADD COLUMN second_max INTEGER;
ALTER TABLE auctions ADD COLUMN bids INTEGER NOT NULL DEFAULT 0 CHECK (bids >= 0);
ALTER TABLE auctions ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE auctions SET price = start_price;
CREATE INDEX auctions_to_start ON auctions (starts_at) WHERE phase = 'scheduled';
CREATE INDEX auctions_to_end ON auctions (ends_at) WHERE phase = 'live';

-- Accepted bids only: a refused bid changes nothing. `amount` is what the
-- bidder offered (their maximum); `price` is the visible price after it.
CREATE TABLE bids (
    id          INTEGER PRIMARY KEY,
    listing_id  INTEGER NOT NULL REFERENCES auctions (listing_id) ON DELETE CASCADE,
    bidder_id   INTEGER NOT NULL REFERENCES users (id),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    price       INTEGER NOT NULL CHECK (price > 0),
    buy_now     INTEGER NOT NULL DEFAULT 0 CHECK (buy_now IN (0, 1)),
    created_at  INTEGER NOT NULL
);
CREATE INDEX bids_by_auction ON bids (listing_id, id);
CREATE INDEX bids_by_bidder ON bids (bidder_id, listing_id);

CREATE TABLE auction_messages (
    id          INTEGER PRIMARY KEY,
    listing_id  INTEGER NOT NULL REFERENCES auctions (listing_id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX auction_messages_by_auction ON auction_messages (listing_id, id);

-- An order for what someone bought. Auctions create them now; fixed-price
-- orders, offers and payment come later and extend this table. `public_id`
-- is what URLs show.
CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT    NOT NULL UNIQUE,
    listing_id  INTEGER NOT NULL REFERENCES listings (id),
    buyer_id    INTEGER NOT NULL REFERENCES users (id),
    seller_id   INTEGER NOT NULL REFERENCES users (id),
    quantity    INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    source      TEXT    NOT NULL CHECK (source IN ('auction', 'buy_now')),
    state       TEXT    NOT NULL DEFAULT 'awaiting_payment'
        CHECK (state IN ('awaiting_payment', 'cancelled')),
    pay_by      INTEGER,
    created_at  INTEGER NOT NULL,
    CHECK (buyer_id <> seller_id)
);
-- One order per auction: ending twice can never sell twice.
CREATE UNIQUE INDEX orders_one_per_auction ON orders (listing_id) WHERE source IN ('auction', 'buy_now');
CREATE INDEX orders_by_buyer ON orders (buyer_id, created_at DESC);
CREATE INDEX orders_by_seller ON orders (seller_id, created_at DESC);

-- Stored first, then pushed to the user's open tabs; read when opened.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    listing_id  INTEGER REFERENCES listings (id) ON DELETE CASCADE,
    amount      INTEGER,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX notifications_by_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
