-- A member's latest room lines, for the chat's rate limit and repeat check.
CREATE INDEX auction_messages_by_author ON auction_messages (author_id, created_at);
