-- The catalog: a category tree, every listing detail, tags, images owned by
-- their uploader, auction terms, favorites, daily views and the search index.

-- The tree itself is defined in code (domain::category) and synced at start-up.
ALTER TABLE categories ADD COLUMN parent_id INTEGER REFERENCES categories (id);

ALTER TABLE listings ADD COLUMN meetup INTEGER NOT NULL DEFAULT 1 CHECK (meetup IN (0, 1));
ALTER TABLE listings ADD COLUMN meetup_place TEXT NOT NULL DEFAULT '';
ALTER TABLE listings ADD COLUMN shipping INTEGER NOT NULL DEFAULT 0 CHECK (shipping IN (0, 1));
ALTER TABLE listings ADD COLUMN reject_reason TEXT;
-- Delivery secrets of a digital listing, sealed with the vault key.
ALTER TABLE listings ADD COLUMN secret BLOB;
ALTER TABLE listings ADD COLUMN favorites INTEGER NOT NULL DEFAULT 0 CHECK (favorites >= 0);
ALTER TABLE listings ADD COLUMN views INTEGER NOT NULL DEFAULT 0 CHECK (views >= 0);

CREATE INDEX listings_by_status_and_price ON listings (status, price);
CREATE INDEX listings_by_status_and_popularity ON listings (status, (favorites * 5 + views) DESC);
CREATE INDEX listings_by_category ON listings (category_id, status, created_at DESC);

-- Terms of an auction listing; its live state arrives with the auction room.
CREATE TABLE auctions (
    listing_id   INTEGER PRIMARY KEY REFERENCES listings (id) ON DELETE CASCADE,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL CHECK (ends_at > starts_at),
    start_price  INTEGER NOT NULL CHECK (start_price > 0),
    reserve      INTEGER CHECK (reserve IS NULL OR reserve >= start_price),
    buy_now      INTEGER CHECK (buy_now IS NULL OR buy_now > start_price)
);
CREATE INDEX auctions_by_end ON auctions (ends_at);

CREATE TABLE tags (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);

CREATE TABLE listing_tags (
    listing_id  INTEGER NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    tag_id      INTEGER NOT NULL REFERENCES tags (id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (listing_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX listing_tags_by_tag ON listing_tags (tag_id, listing_id);

-- Images belong to whoever uploaded them; a listing adopts them when saved.
-- Until then (listing_id NULL) they are a draft's uploads.
CREATE TABLE images (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    listing_id  INTEGER REFERENCES listings (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL DEFAULT 0,
    file_name   TEXT    NOT NULL,
    thumb_name  TEXT    NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
INSERT INTO images (id, owner_id, listing_id, position, file_name, thumb_name, width, height, created_at)
    SELECT i.id, l.seller_id, i.listing_id, i.position, i.file_name, i.thumb_name, i.width, i.height, l.created_at
      FROM listing_images i JOIN listings l ON l.id = i.listing_id;
DROP TABLE listing_images;
CREATE INDEX images_by_listing ON images (listing_id, position);
CREATE INDEX images_unattached ON images (owner_id, created_at) WHERE listing_id IS NULL;

CREATE TABLE favorites (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    listing_id  INTEGER NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, listing_id)
) WITHOUT ROWID;
CREATE INDEX favorites_by_listing ON favorites (listing_id);

-- One row per viewer per listing per day (UTC); `viewer` is a user id or a
-- keyed hash of an anonymous visitor's address and browser.
CREATE TABLE listing_views (
    listing_id  INTEGER NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    viewer      TEXT    NOT NULL,
    day         INTEGER NOT NULL,
    PRIMARY KEY (listing_id, viewer, day)
) WITHOUT ROWID;

-- Full-text index; rowid = listing id. The text is prepared in Rust
-- (domain::search_text): Chinese, Japanese and Korean runs are split into
-- overlapping pairs of characters so two-character words are found.
CREATE VIRTUAL TABLE listing_search USING fts5 (
    title, tags, description,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
