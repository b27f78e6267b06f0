//! Money is an integer count of the currency's minor unit; never a float.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The one currency a deployment trades in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// New Taiwan dollar. ISO 4217 gives it two decimals, but prices and cash in
    /// Taiwan are whole dollars, so Haggle counts whole dollars.
    Twd,
    Krw,
    Cny,
    Usd,
    Jpy,
}

impl Currency {
    pub const ALL: [Currency; 5] = [
        Currency::Twd,
        Currency::Krw,
        Currency::Cny,
        Currency::Usd,
        Currency::Jpy,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Currency::Twd => "TWD",
            Currency::Krw => "KRW",
            Currency::Cny => "CNY",
            Currency::Usd => "USD",
            Currency::Jpy => "JPY",
        }
    }

    pub fn from_code(code: &str) -> Option<Currency> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
    }

    /// Digits after the decimal point in the minor unit.
    pub fn decimals(self) -> u32 {
        match self {
            Currency::Twd | Currency::Krw | Currency::Jpy => 0,
            Currency::Cny | Currency::Usd => 2,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Twd => "NT$",
            Currency::Krw => "₩",
            Currency::Cny => "CN¥",
            Currency::Usd => "$",
            Currency::Jpy => "¥",
        }
    }
}

/// An amount in a currency's minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// The amount as a person would type it back into a form: "1200", "12.50".
    pub fn plain(&self) -> String {
        let decimals = self.currency.decimals();
        let scale = 10i64.pow(decimals);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let scale = scale.unsigned_abs();
        if decimals == 0 {
            format!("{sign}{abs}")
        } else {
            format!(
                "{sign}{}.{:0width$}",
                abs / scale,
                abs % scale,
                width = decimals as usize
            )
        }
    }

    /// Parses what a person types ("1,200", "12.5", "NT$ 300") into minor units.
    pub fn parse(input: &str, currency: Currency) -> Result<Money, MoneyError> {
        let cleaned: String = input
            .trim()
            .trim_start_matches(currency.symbol())
            .chars()
            .filter(|c| *c != ',' && !c.is_whitespace())
            .collect();
        if cleaned.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (whole, frac) = match cleaned.split_once('.') {
            Some((w, f)) => (w, f),
            None => (cleaned.as_str(), ""),
        };
        let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && frac.is_empty() || !digits_only(whole) || !digits_only(frac) {
            return Err(MoneyError::NotANumber);
        }
        let decimals = currency.decimals() as usize;
        if frac.len() > decimals {
            return Err(MoneyError::TooManyDecimals {
                allowed: decimals as u32,
            });
        }
        let scale = 10i64.pow(decimals as u32);
        let whole_value: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError::TooLarge)?
        };
        let frac_value: i64 = if frac.is_empty() {
            0
        } else {
            let padded = format!("{frac:0<decimals$}");
            padded.parse().map_err(|_| MoneyError::NotANumber)?
        };
        let minor = whole_value
            .checked_mul(scale)
            .and_then(|v| v.checked_add(frac_value))
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money::new(minor, currency))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("enter an amount")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("at most {allowed} decimal places")]
    TooManyDecimals { allowed: u32 },
    #[error("amount is too large")]
    TooLarge,
}

impl fmt::Display for Money {
    /// `NT$1,200`, `$12.50`, `-₩3,000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decimals = self.currency.decimals();
        let abs = self.minor.unsigned_abs();
        let scale = 10u64.pow(decimals);
        let sign = if self.minor < 0 { "-" } else { "" };
        write!(
            f,
            "{sign}{}{}",
            self.currency.symbol(),
            group_thousands(abs / scale)
        )?;
        if decimals > 0 {
            write!(f, ".{:0width$}", abs % scale, width = decimals as usize)?;
        }
        Ok(())
    }
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_amounts_parse_back() {
        assert_eq!(Money::new(1_200, Currency::Twd).plain(), "1200");
        assert_eq!(Money::new(1_250, Currency::Usd).plain(), "12.50");
        assert_eq!(Money::new(5, Currency::Cny).plain(), "0.05");
        for c in Currency::ALL {
            let m = Money::new(123_456, c);
            assert_eq!(Money::parse(&m.plain(), c), Ok(m));
        }
    }

    #[test]
    fn formats_whole_dollar_currencies_with_grouping() {
        assert_eq!(Money::new(1_200, Currency::Twd).to_string(), "NT$1,200");
        assert_eq!(
            Money::new(15_000_000, Currency::Krw).to_string(),
            "₩15,000,000"
        );
        assert_eq!(Money::new(0, Currency::Jpy).to_string(), "¥0");
        assert_eq!(Money::new(999, Currency::Twd).to_string(), "NT$999");
    }

    #[test]
    fn formats_cents() {
        assert_eq!(Money::new(1_250, Currency::Usd).to_string(), "$12.50");
        assert_eq!(Money::new(5, Currency::Cny).to_string(), "CN¥0.05");
        assert_eq!(
            Money::new(-12_345_678, Currency::Usd).to_string(),
            "-$123,456.78"
        );
    }

    #[test]
    fn parses_what_people_type() {
        let usd = |s| Money::parse(s, Currency::Usd).map(|m| m.minor);
        assert_eq!(usd("12.5"), Ok(1_250));
        assert_eq!(usd(" 1,200 "), Ok(120_000));
        assert_eq!(usd(".99"), Ok(99));
        assert_eq!(usd("$3"), Ok(300));
        assert_eq!(usd(""), Err(MoneyError::Empty));
        assert_eq!(usd("."), Err(MoneyError::NotANumber));
        assert_eq!(usd("12a"), Err(MoneyError::NotANumber));
        assert_eq!(usd("-5"), Err(MoneyError::NotANumber));
        assert_eq!(
            usd("1.234"),
            Err(MoneyError::TooManyDecimals { allowed: 2 })
        );
        assert_eq!(usd("99999999999999999999"), Err(MoneyError::TooLarge));
        assert_eq!(
            Money::parse("3.5", Currency::Twd),
            Err(MoneyError::TooManyDecimals { allowed: 0 })
        );
        assert_eq!(
            Money::parse("NT$ 300", Currency::Twd).map(|m| m.minor),
            Ok(300)
        );
    }

    #[test]
    fn currency_codes_round_trip() {
        for c in Currency::ALL {
            assert_eq!(Currency::from_code(c.code()), Some(c));
            assert_eq!(Currency::from_code(&c.code().to_lowercase()), Some(c));
        }
        assert_eq!(Currency::from_code("XYZ"), None);
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(Currency::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_amount_back(
            minor in 0i64..=9_000_000_000_000, currency in any_currency()
        ) {
            let money = Money::new(minor, currency);
            prop_assert_eq!(Money::parse(&money.to_string(), currency), Ok(money));
        }

        #[test]
        fn groups_have_three_digits(minor in 0i64..=i64::MAX, currency in any_currency()) {
            let text = Money::new(minor, currency).to_string();
            let whole = text.trim_start_matches(currency.symbol()).split('.').next().unwrap_or("");
            let groups: Vec<&str> = whole.split(',').collect();
            prop_assert!(!groups[0].is_empty() && groups[0].len() <= 3);
            for g in &groups[1..] {
                prop_assert_eq!(g.len(), 3);
            }
        }
    }
}
