//! Figures: percentiles, sizes and the wall clock.

/// The `p`-th percentile (nearest rank) of sorted microseconds, in ms.
pub(crate) fn percentile_ms(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

/// [`percentile_ms`] with `decimals`, or "-" when there is nothing to rank.
pub(crate) fn ms_text(sorted: &[u64], p: f64, decimals: usize) -> String {
    if sorted.is_empty() {
        "-".into()
    } else {
        format!("{:.decimals$}", percentile_ms(sorted, p))
    }
}

pub(crate) fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

pub(crate) fn now_ms() -> i64 {
    app::backend::platform::clock::now_ms()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(percentile_ms(&v, 50.0), 50.0);
        assert_eq!(percentile_ms(&v, 99.0), 99.0);
        assert_eq!(percentile_ms(&v, 100.0), 100.0);
        assert!(percentile_ms(&[], 50.0).is_nan());
        assert_eq!(ms_text(&v, 50.0, 1), "50.0");
        assert_eq!(ms_text(&[], 50.0, 0), "-");
    }
}
