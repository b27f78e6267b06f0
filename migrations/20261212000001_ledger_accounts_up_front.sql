-- Every member's available account and every hold's account exist from the
-- start, made by the database: a transfer then finds both its accounts
-- inside its own INSERT, one statement, instead of reading (and perhaps
-- making) each first. Existing members and holds get theirs here.
INSERT INTO ledger_accounts (kind, user_id)
SELECT 'available', u.id FROM users u
 WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a
                    WHERE a.kind = 'available' AND a.user_id = u.id);
INSERT INTO ledger_accounts (kind, hold_id)
SELECT 'held', h.id FROM holds h
 WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a
                    WHERE a.kind = 'held' AND a.hold_id = h.id);

CREATE TRIGGER users_ledger_account AFTER INSERT ON users
BEGIN
    INSERT INTO ledger_accounts (kind, user_id) VALUES ('available', NEW.id);
END;
CREATE TRIGGER holds_ledger_account AFTER INSERT ON holds
BEGIN
    INSERT INTO ledger_accounts (kind, hold_id) VALUES ('held', NEW.id);
END;
