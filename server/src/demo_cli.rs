//! `haggle demo bulk <count>`: adds `count` generated listings (plus demo
//! sellers if there are none) so search and pages can be measured against a
//! realistically large market. Used by `make bench`; never needed in production.

use app::backend::{config::Config, db, demo, search};
use std::{process::ExitCode, time::Instant};

pub const USAGE: &str = "usage: haggle demo bulk <count>";

/// Runs the subcommand given the arguments after `demo`.
pub async fn run(config: &Config, args: &[String]) -> ExitCode {
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
        std::fs::create_dir_all(&config.data_dir)?;
        let pool = db::connect(&config.database_url).await?;
        db::migrate(&pool).await?;
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
