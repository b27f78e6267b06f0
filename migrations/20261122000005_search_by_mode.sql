-- Browsing one sale mode (auctions ending soon, above all) must not walk every
-- public listing: auctions are a few hundred among tens of thousands.
CREATE INDEX listings_by_mode ON listings (sale_mode, status);
