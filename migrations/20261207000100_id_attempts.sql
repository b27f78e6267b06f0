-- Identity checks, one row per attempt whatever its outcome: a member gets a
-- few a day (checked and recorded in one BEGIN IMMEDIATE transaction), and
-- the admin reviewing a card sees how many the member made.
CREATE TABLE id_attempts (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL
);
CREATE INDEX id_attempts_by_user ON id_attempts (user_id, at);

-- Reviews are looked up by card to show an admin which members share one.
CREATE INDEX id_reviews_by_card ON id_reviews (id_hash) WHERE status = 'pending';
