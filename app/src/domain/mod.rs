//! Pure rules: no I/O, no Leptos. The same code runs in the browser (instant
//! feedback) and on the server (the authority).

pub mod account;
pub mod auction;
pub mod backoff;
pub mod category;
pub mod date;
pub mod id_number;
pub mod increment;
pub mod listing;
pub mod login_guard;
pub mod money;
pub mod price_chart;
pub mod search;
pub mod search_text;
pub mod verification;
