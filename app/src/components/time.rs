//! A moment as the viewer reads it: in the browser's time zone once the page
//! runs, and in the deployment's zone (`HAGGLE_TIMEZONE`) when the server
//! renders it (before hydration, and for good without JavaScript). Times are
//! stored and sent in UTC; only what is shown (and typed) is local.
//!
//! The browser asks `Date` for its offset, so neither chrono nor a time-zone
//! database reaches the WASM.

use crate::domain::date::{
    date_at, date_time_at, iso_instant, local_input_at, parse_local_input_in,
};
use leptos::prelude::*;

/// The moment `ms` (Unix ms) as a `<time>` element: `2026-12-06 15:53 GMT+8`
/// (or just the date with `date_only`), its `datetime` the UTC instant.
///
/// The server writes the deployment zone's text. Hydration keeps text the
/// server wrote (tachys hydrates a text node without setting it), so the
/// browser's first run yields a placeholder that is never shown and then
/// switches to its own zone right after that node is hydrated: the server's
/// text stays until it is replaced by the browser's, and stays as it is
/// when both zones agree.
#[component]
pub fn When(
    #[prop(into)] ms: Signal<i64>,
    /// A calendar date only (e.g. "member since"), still in the viewer's zone.
    #[prop(optional)]
    date_only: bool,
) -> impl IntoView {
    let zone = Zone::current();
    let text = move |ms: i64| {
        let offset = zone.offset_at(ms);
        if date_only {
            date_at(ms, offset)
        } else {
            date_time_at(ms, offset)
        }
    };
    #[cfg(feature = "hydrate")]
    let shown = {
        let settled = RwSignal::new(false);
        move || {
            if settled.get() {
                text(ms.get())
            } else {
                // Scheduled from this first run, so it lands after this very
                // text node is hydrated (an effect made with the component
                // could run first when hydration awaits a lazy route) and the
                // retained "" differs from the browser's text.
                leptos::task::spawn_local(async move {
                    let _ = settled.try_set(true);
                });
                String::new()
            }
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let shown = move || text(ms.get());
    view! { <time datetime=move || iso_instant(ms.get())>{shown}</time> }
}

/// `YYYY-MM-DDTHH:MM` for a `datetime-local` input showing `ms`: in the
/// browser's zone in the browser, in the deployment zone on the server.
pub fn local_input_value(ms: i64) -> String {
    local_input_at(ms, Zone::current().offset_at(ms))
}

/// The Unix ms of a `datetime-local` value (the inverse of
/// [`local_input_value`], in the same zone); `None` if it is no real time.
pub fn parse_local_input(value: &str) -> Option<i64> {
    let zone = Zone::current();
    parse_local_input_in(value.trim(), |ms| zone.offset_at(ms))
}

/// The zone times are read in where this code runs.
#[derive(Clone, Copy)]
struct Zone {
    #[cfg(all(feature = "ssr", not(feature = "hydrate")))]
    tz: chrono_tz::Tz,
}

impl Zone {
    fn current() -> Zone {
        Zone {
            #[cfg(all(feature = "ssr", not(feature = "hydrate")))]
            tz: server::deployment_zone(),
        }
    }

    /// Minutes east of UTC at the instant `ms`.
    fn offset_at(self, ms: i64) -> i32 {
        #[cfg(feature = "hydrate")]
        {
            // `getTimezoneOffset` is UTC minus local time.
            let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
            -(date.get_timezone_offset().round() as i32)
        }
        #[cfg(all(feature = "ssr", not(feature = "hydrate")))]
        {
            server::offset_at(self.tz, ms)
        }
        #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
        {
            let _ = (self, ms);
            0
        }
    }
}

#[cfg(all(feature = "ssr", not(feature = "hydrate")))]
pub use server::{DeploymentZone, offset_at, provide_deployment_zone};

#[cfg(all(feature = "ssr", not(feature = "hydrate")))]
mod server {
    use crate::backend::{AppState, platform::config::DEFAULT_TIMEZONE};
    use chrono::{Offset, TimeZone};
    use chrono_tz::Tz;
    use leptos::prelude::*;

    /// The zone of the deployment (`HAGGLE_TIMEZONE`), for the server render.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct DeploymentZone(pub Tz);

    /// Makes the configured zone the one this render shows times in.
    pub fn provide_deployment_zone() {
        if let Some(state) = use_context::<AppState>() {
            provide_context(DeploymentZone(state.config.timezone));
        }
    }

    /// The render's zone, else the configured one (a server function), else
    /// the default.
    pub(super) fn deployment_zone() -> Tz {
        use_context::<DeploymentZone>()
            .map(|z| z.0)
            .or_else(|| use_context::<AppState>().map(|s| s.config.timezone))
            .unwrap_or(DEFAULT_TIMEZONE)
    }

    /// Minutes east of UTC in `tz` at the instant `ms`.
    pub fn offset_at(tz: Tz, ms: i64) -> i32 {
        match chrono::DateTime::from_timestamp_millis(ms) {
            Some(at) => {
                tz.offset_from_utc_datetime(&at.naive_utc())
                    .fix()
                    .local_minus_utc()
                    / 60
            }
            None => 0,
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::backend::platform::config::DEFAULT_TIMEZONE;
    use leptos::prelude::Owner;

    /// 2026-12-06 07:53:12 UTC, and 2026-07-01 12:00 UTC (summer up north).
    const WINTER: i64 = 1_796_543_592_000;
    const SUMMER: i64 = 1_782_907_200_000;

    fn rendered(zone: Option<chrono_tz::Tz>, ms: i64, date_only: bool) -> String {
        let owner = Owner::new();
        owner.with(|| {
            if let Some(tz) = zone {
                provide_context(DeploymentZone(tz));
            }
            // `<!>` marks where the reactive text ends, for hydration.
            view! { <When ms=ms date_only=date_only /> }
                .to_html()
                .replace("<!>", "")
        })
    }

    #[test]
    fn the_server_writes_the_deployment_zone() {
        assert_eq!(
            rendered(None, WINTER, false),
            r#"<time datetime="2026-12-06T07:53:12Z">2026-12-06 15:53 GMT+8</time>"#
        );
        let ny = chrono_tz::America::New_York;
        assert_eq!(
            rendered(Some(ny), WINTER, false),
            r#"<time datetime="2026-12-06T07:53:12Z">2026-12-06 02:53 GMT-5</time>"#
        );
        assert!(rendered(Some(ny), SUMMER, false).contains(">2026-07-01 08:00 GMT-4<"));
        assert!(
            rendered(Some(chrono_tz::Pacific::Kiritimati), WINTER, true).contains(">2026-12-06<")
        );
        assert!(
            rendered(Some(chrono_tz::Pacific::Pago_Pago), WINTER, true).contains(">2026-12-05<")
        );
    }

    #[test]
    fn inputs_read_in_the_deployment_zone() {
        let owner = Owner::new();
        owner.with(|| {
            assert_eq!(local_input_value(WINTER), "2026-12-06T15:53");
            assert_eq!(parse_local_input("2026-12-06T15:53"), Some(WINTER - 12_000));
            provide_context(DeploymentZone(chrono_tz::Europe::Berlin));
            assert_eq!(local_input_value(SUMMER), "2026-07-01T14:00");
            assert_eq!(parse_local_input(" 2026-07-01T14:00 "), Some(SUMMER));
            // The hour skipped on 29 March 2026 reads as summer time.
            assert_eq!(
                parse_local_input("2026-03-29T02:30"),
                parse_local_input("2026-03-29T03:30")
            );
            assert_eq!(parse_local_input("2026-07-01"), None);
        });
        assert_eq!(offset_at(DEFAULT_TIMEZONE, WINTER), 8 * 60);
    }
}
