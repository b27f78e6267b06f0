//! Offers: making one, answering it, the lists.
