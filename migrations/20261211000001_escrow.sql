-- Escrow for orders and unpaid auction winners.
--
-- An unpaid strike: an auction's winner did not pay within 48 hours and the
-- seller cancelled the order. One per order (cancelling twice cannot strike
-- twice); a member's record is the count of their rows.
CREATE TABLE unpaid_strikes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    order_id   INTEGER NOT NULL UNIQUE REFERENCES orders (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX unpaid_strikes_by_user ON unpaid_strikes (user_id);
CREATE TRIGGER unpaid_strikes_keep BEFORE DELETE ON unpaid_strikes
BEGIN
    SELECT RAISE(ABORT, 'strikes are kept');
END;

-- The order's hold is found from the order (settling it at the handover or
-- on a cancellation); a refunded one stays, so more than one row per order
-- may exist.
CREATE INDEX holds_by_order ON holds (order_id, id) WHERE order_id IS NOT NULL;

