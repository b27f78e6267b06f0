use super::*;
use proptest::prelude::*;

fn pairs(table: &IncrementTable) -> Vec<(i64, i64)> {
    table.bands().iter().map(|b| (b.from, b.step)).collect()
}

#[test]
fn defaults_match_the_published_tables() {
    let twd = IncrementTable::default_for(Currency::Twd);
    assert_eq!(
        twd.to_string(),
        "0:10,500:20,1000:50,5000:100,10000:200,50000:500,100000:1000"
    );
    assert_eq!(
        IncrementTable::default_for(Currency::Krw).to_string(),
        "0:100,10000:500,50000:1000,100000:5000,1000000:10000"
    );
    assert_eq!(
        IncrementTable::default_for(Currency::Jpy).to_string(),
        "0:10,1000:100,5000:250,10000:500,50000:1000"
    );
    let usd = IncrementTable::default_for(Currency::Usd);
    assert_eq!(
        usd.to_string(),
        "0:5,100:25,500:50,2500:100,10000:250,25000:500,50000:1000,100000:2500,250000:5000,500000:10000"
    );
    assert_eq!(IncrementTable::default_for(Currency::Cny), usd);
}

#[test]
fn defaults_are_valid_and_steps_grow_with_the_price() {
    for c in Currency::ALL {
        let table = IncrementTable::default_for(c);
        assert_eq!(
            IncrementTable::from_bands(table.bands().to_vec()),
            Ok(table.clone())
        );
        assert!(
            table.bands().windows(2).all(|w| w[0].step < w[1].step),
            "{c:?}"
        );
    }
}

#[test]
fn step_is_the_band_containing_the_price() {
    let twd = IncrementTable::default_for(Currency::Twd);
    assert_eq!(twd.step(0), 10);
    assert_eq!(twd.step(499), 10);
    assert_eq!(twd.step(500), 20);
    assert_eq!(twd.step(999), 20);
    assert_eq!(twd.step(1_000), 50);
    assert_eq!(twd.step(99_999), 500);
    assert_eq!(twd.step(100_000), 1_000);
    assert_eq!(twd.step(i64::MAX), 1_000);
    assert_eq!(twd.step(-1), 10);
    assert_eq!(twd.step(i64::MIN), 10);
    let usd = IncrementTable::default_for(Currency::Usd);
    assert_eq!(usd.step(99), 5);
    assert_eq!(usd.step(100), 25);
    assert_eq!(usd.step(1_000_000), 10_000);
}

#[test]
fn parses_config() {
    let table = IncrementTable::parse("0:10,500:20,1000:50").unwrap();
    assert_eq!(pairs(&table), [(0, 10), (500, 20), (1_000, 50)]);
    let spaced = IncrementTable::parse(" 0 : 10 , 500:20 ").unwrap();
    assert_eq!(pairs(&spaced), [(0, 10), (500, 20)]);
    assert_eq!(pairs(&IncrementTable::parse("0:1").unwrap()), [(0, 1)]);
}

#[test]
fn refuses_bad_config() {
    let err = |spec| IncrementTable::parse(spec).unwrap_err();
    assert!(err("").contains("empty"));
    assert!(err("  ").contains("empty"));
    assert!(err("0:10,").contains("not an increment band"));
    assert!(err("0=10").contains("`0=10`"));
    assert!(err("0:ten").contains("`0:ten`"));
    assert!(err("0:10:5").contains("not an increment band"));
    assert!(err("0:10,,500:20").contains("not an increment band"));
    assert!(err("0:99999999999999999999").contains("not an increment band"));
    assert!(err("100:10").contains("start at 0"));
    assert!(err("-5:10").contains("start at 0"));
    assert!(err("0:10,500:20,500:30").contains("500 comes after 500"));
    assert!(err("0:10,500:20,400:30").contains("400 comes after 500"));
    assert!(err("0:0").contains("positive"));
    assert!(err("0:10,500:-20").contains("from 500"));
}

#[test]
fn deserializing_checks_the_bands() {
    let table = IncrementTable::default_for(Currency::Jpy);
    let json = serde_json::to_string(&table).unwrap();
    assert!(json.starts_with(r#"{"bands":[{"from":0,"step":10}"#));
    assert_eq!(
        serde_json::from_str::<IncrementTable>(&json).unwrap(),
        table
    );
    for bad in [
        r#"{"bands":[]}"#,
        r#"{"bands":[{"from":1,"step":10}]}"#,
        r#"{"bands":[{"from":0,"step":0}]}"#,
    ] {
        assert!(
            serde_json::from_str::<IncrementTable>(bad).is_err(),
            "{bad}"
        );
    }
}

fn any_table() -> impl Strategy<Value = IncrementTable> {
    prop::collection::vec((1i64..10_000, 1i64..5_000), 1..8).prop_map(|raw| {
        let mut from = 0;
        let bands = raw
            .into_iter()
            .map(|(gap, step)| {
                let band = Band { from, step };
                from += gap;
                band
            })
            .collect();
        IncrementTable::from_bands(bands).unwrap()
    })
}

proptest! {
    #[test]
    fn config_round_trips(table in any_table()) {
        prop_assert_eq!(IncrementTable::parse(&table.to_string()), Ok(table));
    }

    /// Checked against a plain scan: the last band starting at or below the price.
    #[test]
    fn step_matches_a_linear_scan(table in any_table(), price in -1_000i64..80_000) {
        let expected = table
            .bands()
            .iter()
            .rev()
            .find(|b| b.from <= price)
            .unwrap_or(&table.bands()[0])
            .step;
        prop_assert_eq!(table.step(price), expected);
        prop_assert!(table.step(price) > 0);
    }

    #[test]
    fn any_spec_parses_or_explains(spec in "[0-9:, -]{0,24}") {
        if let Ok(table) = IncrementTable::parse(&spec) {
            prop_assert_eq!(table.bands()[0].from, 0);
            prop_assert!(table.bands().iter().all(|b| b.step > 0));
        }
    }
}
