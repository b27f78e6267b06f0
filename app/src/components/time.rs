//! A moment as the viewer reads it.

use crate::domain::date::{iso_date, iso_date_time};
use leptos::prelude::*;

/// The moment `ms` (Unix ms) as a `<time>` element.
#[component]
pub fn When(ms: i64) -> impl IntoView {
    view! { <time data-ms=ms>{iso_date_time(ms)}</time> }
}

// replaced by the local-time work: these read and write UTC until the
// viewer's zone is known here.

/// The moment `ms` as a `datetime-local` input's value: `2026-12-08T14:30`.
pub fn local_input_value(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000).rem_euclid(24 * 60);
    format!("{}T{:02}:{:02}", iso_date(ms), minutes / 60, minutes % 60)
}

/// A `datetime-local` input's value (`2026-12-08T14:30`, seconds allowed)
/// as Unix ms; `None` when it is not one.
pub fn parse_local_input(text: &str) -> Option<i64> {
    let (date_text, time) = text.trim().split_once('T')?;
    let mut date = date_text.splitn(3, '-').map(str::parse::<i64>);
    let (y, m, d) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let mut time = time.splitn(3, ':');
    let h = time.next()?.parse::<i64>().ok()?;
    let min = time.next()?.parse::<i64>().ok()?;
    let s = match time.next() {
        Some(s) => s.parse::<f64>().ok()? as i64,
        None => 0,
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || h > 23 || min > 59 || s > 59 {
        return None;
    }
    // Howard Hinnant's days-from-civil, the inverse of `iso_date`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let ms = ((days * 24 + h) * 60 + min) * 60_000 + s * 1000;
    // 31 February is no day: it must read back as what was typed.
    (iso_date(ms) == date_text).then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_value_reads_back_as_the_same_moment() {
        let ms = 1_796_000_000_000 / 60_000 * 60_000;
        assert_eq!(parse_local_input(&local_input_value(ms)), Some(ms));
        assert_eq!(local_input_value(0), "1970-01-01T00:00");
        assert_eq!(
            parse_local_input("2024-02-29T23:59"),
            Some(1_709_251_140_000)
        );
        assert_eq!(
            parse_local_input("2024-02-29T23:59:30"),
            Some(1_709_251_170_000)
        );
    }

    #[test]
    fn what_is_no_moment_is_refused() {
        for text in [
            "",
            "2026-12-08",
            "2026-02-31T10:00",
            "2026-13-01T10:00",
            "2026-12-08T24:00",
            "x-y-zT1:2",
        ] {
            assert_eq!(parse_local_input(text), None, "{text}");
        }
    }
}
