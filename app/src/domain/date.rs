//! Calendar dates and wall-clock times from the Unix-millisecond timestamps
//! Haggle stores (always UTC). A zone enters only as an offset in minutes east
//! of UTC at the instant concerned, so these stay pure: the caller asks the
//! browser or the time-zone database for the offset.

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

/// Year, month (1–12) and day of day number `days` since 1970-01-01 (Howard
/// Hinnant's days-to-civil algorithm; valid for every date Haggle can store).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Day number since 1970-01-01 of a valid civil date (the inverse of
/// [`civil_from_days`]).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The UTC calendar date of `ms` as `YYYY-MM-DD`.
pub fn iso_date(ms: i64) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{year:04}-{month:02}-{day:02}")
}

/// `HH:MM` of `ms` in UTC.
fn clock(ms: i64) -> String {
    let minutes = ms.div_euclid(MINUTE_MS).rem_euclid(24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `YYYY-MM-DD HH:MM UTC`: a moment everyone reads the same way.
pub fn iso_date_time(ms: i64) -> String {
    format!("{} {} UTC", iso_date(ms), clock(ms))
}

/// `YYYY-MM-DDTHH:MM:SSZ`: the moment for machines (a `<time datetime>`).
pub fn iso_instant(ms: i64) -> String {
    let seconds = ms.div_euclid(1000).rem_euclid(60);
    format!("{}T{}:{seconds:02}Z", iso_date(ms), clock(ms))
}

/// The zone of a UTC offset as people read it: `GMT+8`, `GMT-3:30`, `GMT`.
pub fn zone_name(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset_minutes.abs() / 60, offset_minutes.abs() % 60);
    match (hours, minutes) {
        (0, 0) => "GMT".to_owned(),
        (h, 0) => format!("GMT{sign}{h}"),
        (h, m) => format!("GMT{sign}{h}:{m:02}"),
    }
}

/// The wall clock `offset_minutes` east of UTC, as if it were UTC.
fn wall(ms: i64, offset_minutes: i32) -> i64 {
    ms + i64::from(offset_minutes) * MINUTE_MS
}

/// `2026-12-06 15:53 GMT+8`: `ms` on the wall clock `offset_minutes` east of
/// UTC, with that zone named so nobody has to guess it.
pub fn date_time_at(ms: i64, offset_minutes: i32) -> String {
    let local = wall(ms, offset_minutes);
    format!(
        "{} {} {}",
        iso_date(local),
        clock(local),
        zone_name(offset_minutes)
    )
}

/// The calendar date of `ms` `offset_minutes` east of UTC.
pub fn date_at(ms: i64, offset_minutes: i32) -> String {
    iso_date(wall(ms, offset_minutes))
}

/// `YYYY-MM-DDTHH:MM`, the value of a `datetime-local` input showing `ms` on
/// the wall clock `offset_minutes` east of UTC (seconds dropped).
pub fn local_input_at(ms: i64, offset_minutes: i32) -> String {
    let local = wall(ms, offset_minutes);
    format!("{}T{}", iso_date(local), clock(local))
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM`, optionally `:SS`) as the
/// Unix ms it would be if the wall clock were UTC; `None` unless it names a
/// real minute of a four-digit year.
pub fn parse_wall_time(value: &str) -> Option<i64> {
    let b = value.as_bytes();
    if !matches!(b.len(), 16 | 19)
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || (b.len() == 19 && b[16] != b':')
    {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i64> {
        b[from..to].iter().try_fold(0i64, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute) = (number(11, 13)?, number(14, 16)?);
    let second = if b.len() == 19 { number(17, 19)? } else { 0 };
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    Some(
        days_from_civil(year, month, day) * DAY_MS
            + (hour * 60 + minute) * MINUTE_MS
            + second * 1000,
    )
}

/// The Unix ms of a `datetime-local` value read on the wall clock
/// `offset_minutes` east of UTC (the inverse of [`local_input_at`]).
pub fn parse_local_input_at(value: &str, offset_minutes: i32) -> Option<i64> {
    Some(parse_wall_time(value)? - i64::from(offset_minutes) * MINUTE_MS)
}

/// The Unix ms of a `datetime-local` value read in a zone whose offset at an
/// instant is `offset_at(ms)` (minutes east of UTC), as a browser reads it:
/// a wall time a clock change repeats is its earlier moment, and one a clock
/// change skips is read with the offset from before the change (so 02:30 on
/// a spring-forward night is 03:30 summer time). Assumes no zone changes its
/// offset twice within a day.
pub fn parse_local_input_in(value: &str, offset_at: impl Fn(i64) -> i32) -> Option<i64> {
    let wall = parse_wall_time(value)?;
    let at = |offset: i32| wall - i64::from(offset) * MINUTE_MS;
    let (before, after) = (offset_at(wall - DAY_MS), offset_at(wall + DAY_MS));
    let fits = |offset: i32| offset_at(at(offset)) == offset;
    Some(match (fits(before), fits(after)) {
        (true, true) => at(before).min(at(after)),
        (false, true) => at(after),
        _ => at(before),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Years 1000–9999: every instant a `datetime-local` input shows with a
    /// four-digit year, whatever the zone.
    const EARLIEST: i64 = -30_610_224_000_000 + 2 * DAY_MS;
    const LATEST: i64 = 253_402_300_799_999 - 2 * DAY_MS;

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

    /// 2026-12-06 07:53:12 UTC.
    const SAMPLE: i64 = 1_796_543_592_000;

    #[test]
    fn a_moment_on_other_wall_clocks() {
        assert_eq!(iso_instant(SAMPLE), "2026-12-06T07:53:12Z");
        assert_eq!(date_time_at(SAMPLE, 8 * 60), "2026-12-06 15:53 GMT+8");
        assert_eq!(date_time_at(SAMPLE, -5 * 60), "2026-12-06 02:53 GMT-5");
        assert_eq!(date_time_at(SAMPLE, -9 * 60), "2026-12-05 22:53 GMT-9");
        assert_eq!(date_time_at(SAMPLE, 0), "2026-12-06 07:53 GMT");
        assert_eq!(
            date_time_at(SAMPLE, 5 * 60 + 45),
            "2026-12-06 13:38 GMT+5:45"
        );
        assert_eq!(
            date_time_at(SAMPLE, -(3 * 60 + 30)),
            "2026-12-06 04:23 GMT-3:30"
        );
        assert_eq!(date_at(SAMPLE, 17 * 60), "2026-12-07");
        assert_eq!(local_input_at(SAMPLE, 8 * 60), "2026-12-06T15:53");
    }

    #[test]
    fn datetime_local_values() {
        assert_eq!(
            parse_local_input_at("2026-12-06T15:53", 8 * 60),
            Some(SAMPLE - 12_000)
        );
        assert_eq!(
            parse_local_input_at("2026-12-06T15:53:12", 8 * 60),
            Some(SAMPLE)
        );
        assert_eq!(parse_wall_time("2024-02-29T00:00"), Some(1_709_164_800_000));
        for bad in [
            "",
            "2026-12-06",
            "2026-12-06 15:53",
            "2026-12-06T15:5",
            "2026-13-06T15:53",
            "2026-00-06T15:53",
            "2026-02-29T10:00",
            "2100-02-29T10:00",
            "2026-04-31T10:00",
            "2026-12-06T24:00",
            "2026-12-06T23:60",
            "2026-12-06T23:59:60",
            "+026-12-06T15:53",
            "2026-12-06T15:53Z",
            "２０２６-12-06T15:53",
        ] {
            assert_eq!(parse_wall_time(bad), None, "{bad:?}");
        }
    }

    /// New York in 2026: EDT (−4) from 8 March 07:00 UTC to 1 November
    /// 06:00 UTC, EST (−5) otherwise.
    fn new_york(ms: i64) -> i32 {
        if (1_772_953_200_000..1_793_512_800_000).contains(&ms) {
            -240
        } else {
            -300
        }
    }

    #[test]
    fn clock_changes_read_as_a_browser_does() {
        // 02:30 on 8 March does not exist: read before the change (EST), 03:30 EDT.
        assert_eq!(
            parse_local_input_in("2026-03-08T02:30", new_york),
            Some(1_772_955_000_000)
        );
        // 01:30 on 1 November happens twice: the first (EDT).
        assert_eq!(
            parse_local_input_in("2026-11-01T01:30", new_york),
            Some(1_793_511_000_000)
        );
        assert_eq!(
            parse_local_input_in("2026-12-06T02:53", new_york),
            Some(SAMPLE - 12_000)
        );
        assert_eq!(parse_local_input_in("nope", new_york), None);
    }

    proptest! {
        #[test]
        fn dates_round_trip(days in (EARLIEST / DAY_MS)..(LATEST / DAY_MS)) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
            prop_assert!((1..=days_in_month(y, m)).contains(&d));
        }

        #[test]
        fn a_wall_clock_is_utc_shifted(
            ms in EARLIEST..LATEST,
            offset in -18 * 60..=18 * 60i32,
        ) {
            let shifted = ms + i64::from(offset) * MINUTE_MS;
            let shown = date_time_at(ms, offset);
            prop_assert!(shown.starts_with(&iso_date_time(shifted).replace(" UTC", "")));
            prop_assert!(shown.ends_with(&zone_name(offset)));
            prop_assert_eq!(date_at(ms, offset), iso_date(shifted));
        }

        #[test]
        fn inputs_round_trip_at_any_offset(
            ms in EARLIEST..LATEST,
            offset in -18 * 60..=18 * 60i32,
        ) {
            let minute = ms - ms.rem_euclid(MINUTE_MS);
            let value = local_input_at(ms, offset);
            prop_assert_eq!(parse_local_input_at(&value, offset), Some(minute));
            prop_assert_eq!(parse_local_input_in(&value, |_| offset), Some(minute));
        }

        #[test]
        fn inputs_round_trip_across_clock_changes(ms in 1_767_225_600_000i64..1_798_761_600_000) {
            let minute = ms - ms.rem_euclid(MINUTE_MS);
            let value = local_input_at(minute, new_york(minute));
            let back = parse_local_input_in(&value, new_york).unwrap();
            // The same wall clock, and never a later moment than the one shown
            // (a repeated hour reads as its first pass).
            prop_assert_eq!(local_input_at(back, new_york(back)), value);
            prop_assert!(back <= minute);
        }

        #[test]
        fn any_text_parses_or_is_refused_without_panic(value in "\\PC{0,24}") {
            let _ = parse_local_input_in(&value, |_| 0);
        }

        #[test]
        fn instants_name_their_utc_second(ms in EARLIEST..LATEST) {
            let s = iso_instant(ms);
            let value = &s[..s.len() - 1];
            prop_assert_eq!(parse_wall_time(value), Some(ms - ms.rem_euclid(1000)));
        }
    }
}
