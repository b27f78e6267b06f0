-- Times are Unix milliseconds (UTC); money is an integer count of minor units.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    username    TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    nickname    TEXT    NOT NULL,
    email       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    role        TEXT    NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    created_at  INTEGER NOT NULL
);

CREATE TABLE categories (
    id        INTEGER PRIMARY KEY,
    slug      TEXT    NOT NULL UNIQUE,
    position  INTEGER NOT NULL
);

CREATE TABLE listings (
    id           INTEGER PRIMARY KEY,
    seller_id    INTEGER NOT NULL REFERENCES users (id),
    category_id  INTEGER NOT NULL REFERENCES categories (id),
    title        TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description  TEXT    NOT NULL DEFAULT '',
    price        INTEGER NOT NULL CHECK (price >= 0),
    stock        INTEGER NOT NULL DEFAULT 1 CHECK (stock >= 0),
    condition    TEXT    NOT NULL CHECK (condition IN ('new', 'like_new', 'good', 'fair', 'for_parts')),
    sale_mode    TEXT    NOT NULL CHECK (sale_mode IN ('fixed', 'offers', 'auction')),
    area         TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'approved', 'rejected', 'delisted', 'sold')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE INDEX listings_by_status_and_age ON listings (status, created_at DESC);
CREATE INDEX listings_by_seller ON listings (seller_id);

CREATE TABLE listing_images (
    id          INTEGER PRIMARY KEY,
    listing_id  INTEGER NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    file_name   TEXT    NOT NULL,
    thumb_name  TEXT    NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    UNIQUE (listing_id, position)
);
