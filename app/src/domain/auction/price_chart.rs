//! The auction room's price over time, as the points of an SVG step line.

/// The box the line is drawn in (it keeps a few units from each edge).
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub width: f64,
    pub height: f64,
}

const PAD_X: f64 = 4.0;
const PAD_Y: f64 = 6.0;

/// The line from `start_price` at `starts_at` through each accepted bid
/// (`(at, price)`, in order), held level until `until`: now while the
/// auction runs, its end once it is over. Empty without bids. Time runs
/// left to right across the whole width; the start price sits at the
/// bottom and the highest price at the top.
pub fn step_line(
    starts_at: i64,
    start_price: i64,
    bids: &[(i64, i64)],
    until: i64,
    area: Area,
) -> String {
    let (Some(&(first_at, _)), Some(&(last_at, _))) = (bids.first(), bids.last()) else {
        return String::new();
    };
    let t0 = starts_at.min(first_at);
    let t1 = until.max(last_at).max(t0 + 1);
    let p0 = start_price as f64;
    let top = bids.iter().map(|&(_, p)| p).max().unwrap_or(start_price) as f64;
    let span = (top - p0).max(1.0);
    let x = |t: i64| (t - t0) as f64 / (t1 - t0) as f64 * (area.width - 2.0 * PAD_X) + PAD_X;
    let y = |p: f64| area.height - PAD_Y - (p - p0) / span * (area.height - 2.0 * PAD_Y);
    let mut points = vec![(x(t0), y(p0))];
    let mut last = p0;
    for &(at, price) in bids {
        let price = price as f64;
        points.push((x(at), y(last)));
        points.push((x(at), y(price)));
        last = price;
    }
    if until > last_at {
        points.push((x(until), y(last)));
    }
    points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: Area = Area {
        width: 108.0,
        height: 112.0,
    };

    fn points(line: &str) -> Vec<(f64, f64)> {
        line.split(' ')
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn no_bids_no_line() {
        assert_eq!(step_line(0, 100, &[], 50, AREA), "");
    }

    #[test]
    fn the_line_steps_at_each_bid_and_runs_on_until_now() {
        // 0 → 100 over the 100-wide inner box; prices 100 → 300 over 100 high.
        let line = step_line(0, 100, &[(25, 200), (50, 300)], 100, AREA);
        assert_eq!(
            points(&line),
            [
                (4.0, 106.0),
                (29.0, 106.0),
                (29.0, 56.0),
                (54.0, 56.0),
                (54.0, 6.0),
                (104.0, 6.0),
            ]
        );
    }

    #[test]
    fn a_last_bid_after_until_ends_the_line_at_the_right_edge() {
        // A clock a little behind the last bid draws no line back in time.
        let line = step_line(0, 100, &[(40, 150)], 30, AREA);
        let pts = points(&line);
        assert_eq!(pts.last(), Some(&(104.0, 6.0)));
        assert!(
            pts.windows(2).all(|w| w[0].0 <= w[1].0),
            "time never runs back"
        );
    }

    #[test]
    fn a_bid_at_the_start_price_draws_a_level_line() {
        let line = step_line(10, 100, &[(10, 100)], 10, AREA);
        assert!(points(&line).iter().all(|&(_, y)| y == 106.0), "{line}");
    }
}
