//! How much a bid must beat the current price by. A fixed step would be either
//! noise on an expensive item or a wall on a cheap one, so the step grows with
//! the price, band by band, in the currency's own minor units.

use crate::domain::money::Currency;
use serde::{Deserialize, Serialize};
use std::fmt;

/// From `from` (minor units, inclusive) upward, each bid must beat the price by `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub from: i64,
    pub step: i64,
}

/// Bands sorted by `from`, the first from 0, every step positive: every price
/// falls in exactly one band and no step can stall the bidding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// A table read from config or the wire passes the same checks as a parsed one.
#[serde(try_from = "UncheckedTable")]
pub struct IncrementTable {
    bands: Vec<Band>,
}

#[derive(Deserialize)]
struct UncheckedTable {
    bands: Vec<Band>,
}

impl TryFrom<UncheckedTable> for IncrementTable {
    type Error = String;

    fn try_from(table: UncheckedTable) -> Result<Self, String> {
        IncrementTable::from_bands(table.bands)
    }
}

// Steps follow the round numbers people bid in for each currency: whole dollars
// for TWD, won for KRW, yen for JPY, cents for USD and CNY.
const TWD: &[(i64, i64)] = &[
    (0, 10),
    (500, 20),
    (1_000, 50),
    (5_000, 100),
    (10_000, 200),
    (50_000, 500),
    (100_000, 1_000),
];
const KRW: &[(i64, i64)] = &[
    (0, 100),
    (10_000, 500),
    (50_000, 1_000),
    (100_000, 5_000),
    (1_000_000, 10_000),
];
const JPY: &[(i64, i64)] = &[
    (0, 10),
    (1_000, 100),
    (5_000, 250),
    (10_000, 500),
    (50_000, 1_000),
];
const CENTS: &[(i64, i64)] = &[
    (0, 5),
    (100, 25),
    (500, 50),
    (2_500, 100),
    (10_000, 250),
    (25_000, 500),
    (50_000, 1_000),
    (100_000, 2_500),
    (250_000, 5_000),
    (500_000, 10_000),
];

impl IncrementTable {
    pub fn default_for(currency: Currency) -> IncrementTable {
        let pairs = match currency {
            Currency::Twd => TWD,
            Currency::Krw => KRW,
            Currency::Jpy => JPY,
            Currency::Usd | Currency::Cny => CENTS,
        };
        IncrementTable {
            bands: pairs
                .iter()
                .map(|&(from, step)| Band { from, step })
                .collect(),
        }
    }

    /// Checks the invariants [`IncrementTable::step`] relies on.
    pub fn from_bands(bands: Vec<Band>) -> Result<IncrementTable, String> {
        let Some(first) = bands.first() else {
            return Err("the increment table is empty".into());
        };
        if first.from != 0 {
            return Err(format!(
                "the first increment band must start at 0, not {}",
                first.from
            ));
        }
        if let Some(w) = bands.windows(2).find(|w| w[1].from <= w[0].from) {
            return Err(format!(
                "increment bands must start at increasing amounts: {} comes after {}",
                w[1].from, w[0].from
            ));
        }
        if let Some(b) = bands.iter().find(|b| b.step <= 0) {
            return Err(format!(
                "the increment from {} must be positive, not {}",
                b.from, b.step
            ));
        }
        Ok(IncrementTable { bands })
    }

    /// Config syntax "0:10,500:20,1000:50": from:step pairs in minor units. The
    /// error names the offending pair, for an operator reading a startup failure.
    pub fn parse(spec: &str) -> Result<IncrementTable, String> {
        if spec.trim().is_empty() {
            return Err("the increment table is empty".into());
        }
        let bands = spec
            .split(',')
            .map(|pair| {
                let pair = pair.trim();
                let number = |text: &str| text.trim().parse::<i64>().ok();
                pair.split_once(':')
                    .and_then(|(from, step)| {
                        Some(Band {
                            from: number(from)?,
                            step: number(step)?,
                        })
                    })
                    .ok_or_else(|| {
                        format!(
                            "`{pair}` is not an increment band: expected from:step, like 500:20"
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        IncrementTable::from_bands(bands)
    }

    pub fn bands(&self) -> &[Band] {
        &self.bands
    }

    /// The step for a price (the band containing `price`; negative prices use the first band).
    pub fn step(&self, price: i64) -> i64 {
        let after = self.bands.partition_point(|b| b.from <= price);
        self.bands[after.saturating_sub(1)].step
    }
}

/// The config syntax that [`IncrementTable::parse`] reads back.
impl fmt::Display for IncrementTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, band) in self.bands.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}:{}", band.from, band.step)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
