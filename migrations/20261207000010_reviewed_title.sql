-- The title others may see while a listing waits for review again: the one it
-- had when it was last public (see catalog::store::SHOWN_TITLE). NULL for a
-- listing that never was.
ALTER TABLE listings ADD COLUMN reviewed_title TEXT;
UPDATE listings SET reviewed_title = title WHERE status IN ('approved', 'sold', 'delisted');
