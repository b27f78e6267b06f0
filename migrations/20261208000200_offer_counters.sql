-- An offer's page names the counter that replaced it; finding it by its
-- parent must not scan every offer.
CREATE INDEX offers_by_parent ON offers (parent_id) WHERE parent_id IS NOT NULL;
