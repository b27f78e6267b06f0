//! `haggle demo bulk <count>`: adds `count` generated listings (plus demo
//! sellers if there are none) so search and pages can be measured against a
//! realistically large market. Used by `make bench`; never needed in production.
//!
//! `haggle demo load-auction`: a live auction with signed-in bidders for
//! `haggle-load` (see `crate::load_auction`).
//!
//! `haggle demo load-deals`: negotiation rooms with both sides signed in for
//! `haggle-load deals` (see `crate::load_deals`).
//!
//! `haggle demo load-chat`: conversations with both members signed in, and
//! messages spread over them, for `haggle-load chat` (see `crate::load_chat`).

use crate::{load_auction, load_chat, load_deals};
use app::backend::{catalog::search, demo, platform::config::Config};
use std::{process::ExitCode, time::Instant};

pub const USAGE: &str = "usage: haggle demo bulk <count>
       haggle demo load-auction [--bidders N] [--seconds S | --minutes M] [--start-price P]
       haggle demo load-deals --rooms N
       haggle demo load-chat --conversations N [--messages M]
       haggle demo load-wallet --pairs N --orders K";

/// Runs the subcommand given the arguments after `demo`.
pub async fn run(config: &Config, args: &[String]) -> ExitCode {
    if args.first().is_some_and(|verb| verb == "load-auction") {
        return load_auction(config, &args[1..]).await;
    }
    if let [verb, flag, rooms] = args
        && verb == "load-deals"
        && flag == "--rooms"
    {
        return load_deals(config, rooms).await;
    }
    if args.first().is_some_and(|verb| verb == "load-chat") {
        return load_chat(config, &args[1..]).await;
    }
    if let [verb, pairs_flag, pairs, orders_flag, orders] = args
        && verb == "load-wallet"
        && pairs_flag == "--pairs"
        && orders_flag == "--orders"
    {
        return load_wallet(config, pairs, orders).await;
    }
    let count = match args {
        [verb, count] if verb == "bulk" => match count.parse::<usize>() {
            Ok(count) => count,
            Err(_) => {
                eprintln!("haggle: {count:?} is not a number of listings");
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let result = async {
        let pool = crate::open_database(config).await?;
        let added = demo::bulk_listings(&pool, count, config.currency).await?;
        // The server indexes missing listings at start-up, but the bench adds
        // them to a running server, so index here to make them searchable now.
        search::index_missing(&pool).await?;
        pool.close().await;
        Ok::<usize, Box<dyn std::error::Error>>(added)
    }
    .await;
    match result {
        Ok(added) => {
            println!(
                "added {added} listings in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("haggle: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `haggle demo load-auction`: prints the auction and then each bidder as
/// JSON lines (see [`load_auction::json_lines`]).
async fn load_auction(config: &Config, args: &[String]) -> ExitCode {
    let spec = match load_auction_spec(args) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("haggle: {e}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = async {
        let pool = crate::open_database(config).await?;
        let created = load_auction::create(&pool, spec).await?;
        // A running server indexes new listings only at start-up.
        search::index_missing(&pool).await?;
        pool.close().await;
        Ok::<_, Box<dyn std::error::Error>>(created)
    }
    .await;
    match result {
        Ok(created) => {
            for line in load_auction::json_lines(&created) {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("haggle: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `haggle demo load-deals --rooms N`: prints one JSON line per room.
async fn load_deals(config: &Config, rooms: &str) -> ExitCode {
    let Ok(rooms) = rooms.parse::<usize>() else {
        eprintln!("haggle: {rooms:?} is not a number of rooms");
        return ExitCode::from(2);
    };
    let result = async {
        let pool = crate::open_database(config).await?;
        let created = load_deals::create(&pool, rooms).await?;
        pool.close().await;
        Ok::<_, Box<dyn std::error::Error>>(created)
    }
    .await;
    print_lines(result)
}

/// `haggle demo load-wallet --pairs N --orders K`: prints one JSON line per
/// pair of members.
async fn load_wallet(config: &Config, pairs: &str, orders: &str) -> ExitCode {
    let (Ok(pairs), Ok(orders)) = (pairs.parse::<usize>(), orders.parse::<usize>()) else {
        eprintln!("haggle: --pairs and --orders take numbers");
        return ExitCode::from(2);
    };
    let result = async {
        let pool = crate::open_database(config).await?;
        let created = load_deals::create_established(&pool, pairs, orders).await?;
        pool.close().await;
        Ok::<_, Box<dyn std::error::Error>>(created)
    }
    .await;
    print_lines(result)
}

/// `haggle demo load-chat --conversations N [--messages M]`: prints one
/// JSON line per conversation.
async fn load_chat(config: &Config, args: &[String]) -> ExitCode {
    let Some((conversations, messages)) = load_chat_spec(args) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = async {
        let pool = crate::open_database(config).await?;
        let created = load_chat::create(&pool, conversations, messages).await?;
        pool.close().await;
        Ok::<_, Box<dyn std::error::Error>>(created)
    }
    .await;
    print_lines(result)
}

/// Conversations and messages from `--conversations N [--messages M]`.
fn load_chat_spec(args: &[String]) -> Option<(usize, u64)> {
    let mut conversations = None;
    let mut messages = 0;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next()?;
        match flag.as_str() {
            "--conversations" => conversations = Some(value.parse().ok()?),
            "--messages" => messages = value.parse().ok()?,
            _ => return None,
        }
    }
    Some((conversations?, messages))
}

fn load_auction_spec(args: &[String]) -> Result<load_auction::Spec, String> {
    let mut spec = load_auction::Spec {
        bidders: 50,
        duration_ms: 60 * 60_000,
        start_price: 1_000,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = value
            .parse::<i64>()
            .ok()
            .filter(|&n| n >= 0)
            .ok_or_else(|| format!("{flag}: {value:?} is not a whole number"))?;
        match flag.as_str() {
            "--bidders" => spec.bidders = number as usize,
            "--seconds" => spec.duration_ms = number.saturating_mul(1_000),
            "--minutes" => spec.duration_ms = number.saturating_mul(60_000),
            "--start-price" => spec.start_price = number,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(spec)
}

/// Prints each made thing as one JSON line, or the error.
fn print_lines<T: serde::Serialize>(made: Result<Vec<T>, Box<dyn std::error::Error>>) -> ExitCode {
    match made {
        Ok(lines) => {
            for line in lines {
                println!("{}", serde_json::to_string(&line).unwrap_or_default());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("haggle: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn load_auction_options() {
        let spec = load_auction_spec(&args(&["--bidders", "7", "--minutes", "2"])).unwrap();
        assert_eq!((spec.bidders, spec.duration_ms), (7, 120_000));
        let spec = load_auction_spec(&args(&["--seconds", "3", "--start-price", "50"])).unwrap();
        assert_eq!(
            (spec.bidders, spec.duration_ms, spec.start_price),
            (50, 3_000, 50)
        );
        assert!(load_auction_spec(&args(&["--bidders"])).is_err());
        assert!(load_auction_spec(&args(&["--bidders", "-1"])).is_err());
        assert!(load_auction_spec(&args(&["--colour", "1"])).is_err());
    }

    #[test]
    fn load_chat_options() {
        assert_eq!(
            load_chat_spec(&args(&["--conversations", "10", "--messages", "500"])),
            Some((10, 500))
        );
        assert_eq!(
            load_chat_spec(&args(&["--conversations", "3"])),
            Some((3, 0))
        );
        assert_eq!(load_chat_spec(&args(&["--messages", "3"])), None);
        assert_eq!(load_chat_spec(&args(&["--conversations", "x"])), None);
        assert_eq!(load_chat_spec(&args(&["--rooms", "3"])), None);
    }
}
