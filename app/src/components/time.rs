//! A moment as the viewer reads it.

use crate::domain::date::iso_date_time;
use leptos::prelude::*;

/// The moment `ms` (Unix ms) as a `<time>` element.
#[component]
pub fn When(ms: i64) -> impl IntoView {
    view! { <time data-ms=ms>{iso_date_time(ms)}</time> }
}
