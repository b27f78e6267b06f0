-- Conversations between two members about a listing, their messages, blocks,
-- and video calls.

-- One conversation per listing and buyer: the listing's seller is the other
-- member (a negotiation room's chat is the conversation of its order's
-- listing and buyer). Each member's read mark and unread count live here and
-- move in the transaction that stores a message or a read.
CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    public_id       TEXT    NOT NULL UNIQUE,
    listing_id      INTEGER NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    buyer_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seller_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    -- The newest message (0: none yet) and when it came, for the inbox order.
    last_message_id INTEGER NOT NULL DEFAULT 0,
    last_at         INTEGER NOT NULL,
    -- The last message id each member has seen.
    buyer_read      INTEGER NOT NULL DEFAULT 0,
    seller_read     INTEGER NOT NULL DEFAULT 0,
    buyer_unread    INTEGER NOT NULL DEFAULT 0 CHECK (buyer_unread >= 0),
    seller_unread   INTEGER NOT NULL DEFAULT 0 CHECK (seller_unread >= 0),
    UNIQUE (listing_id, buyer_id),
    CHECK (buyer_id <> seller_id)
);
CREATE INDEX conversations_buyer ON conversations (buyer_id, last_at DESC);
CREATE INDEX conversations_seller ON conversations (seller_id, last_at DESC);

-- A video call in a conversation; its log line is a message.
CREATE TABLE calls (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    caller_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at      INTEGER NOT NULL,
    answered_at     INTEGER,
    ended_at        INTEGER,
    -- NULL while it rings or runs; then 'completed', 'missed', 'declined' or 'failed'.
    outcome         TEXT CHECK (outcome IN ('completed', 'missed', 'declined', 'failed'))
);
-- At most one call rings or runs per conversation.
CREATE UNIQUE INDEX calls_open ON calls (conversation_id) WHERE ended_at IS NULL;

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    sender_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Plain text as typed (never HTML); empty for an image-only message.
    body            TEXT    NOT NULL,
    -- Set on a call's log line.
    call_id         INTEGER REFERENCES calls (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL
);
-- The latest messages of a conversation, and pages further up.
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

-- A message's photos go through the listings' upload pipeline: uploaded loose,
-- then attached to the message that sends them.
ALTER TABLE images ADD COLUMN message_id INTEGER REFERENCES messages (id) ON DELETE CASCADE;
CREATE INDEX images_by_message ON images (message_id) WHERE message_id IS NOT NULL;

-- `blocker` no longer exchanges messages (or calls) with `blocked`.
CREATE TABLE blocks (
    blocker_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id),
    CHECK (blocker_id <> blocked_id)
) WITHOUT ROWID;
