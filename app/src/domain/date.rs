//! Calendar dates from the Unix-millisecond timestamps Haggle stores.

/// The UTC calendar date of `ms` as `YYYY-MM-DD` (Howard Hinnant's
/// days-to-civil algorithm; valid for every date Haggle can store).
pub fn iso_date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `YYYY-MM-DD HH:MM UTC`: a moment everyone reads the same way.
pub fn iso_date_time(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000).rem_euclid(24 * 60);
    format!(
        "{} {:02}:{:02} UTC",
        iso_date(ms),
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_in_utc() {
        assert_eq!(iso_date_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(
            iso_date_time(1_795_305_600_000 - 60_000),
            "2026-11-21 23:59 UTC"
        );
        assert_eq!(iso_date_time(-60_000), "1969-12-31 23:59 UTC");
    }

    #[test]
    fn known_dates() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(951_782_400_000), "2000-02-29");
        assert_eq!(iso_date(1_795_305_599_999), "2026-11-21");
        assert_eq!(iso_date(1_795_305_600_000), "2026-11-22");
        assert_eq!(iso_date(-1), "1969-12-31");
    }
}
