//! `haggle admin grant|revoke <username>`: promote or demote an existing account
//! from the machine Haggle runs on (there is no other way to make the first admin).

use app::backend::{account, platform::config::Config};
use std::process::ExitCode;

pub const USAGE: &str = "usage: haggle admin grant|revoke <username>";

/// Runs the subcommand given the arguments after `admin`.
pub async fn run(config: &Config, args: &[String]) -> ExitCode {
    let (admin, username) = match args {
        [verb, username] if verb == "grant" => (true, username),
        [verb, username] if verb == "revoke" => (false, username),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = async {
        let pool = crate::open_database(config).await?;
        let changed = account::set_admin(&pool, username, admin).await?;
        pool.close().await;
        Ok::<bool, Box<dyn std::error::Error>>(changed)
    }
    .await;
    match result {
        Ok(true) => {
            let what = if admin {
                "is now an admin"
            } else {
                "is no longer an admin"
            };
            println!("{username} {what}");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("haggle: no user named {username:?}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("haggle: {e}");
            ExitCode::FAILURE
        }
    }
}
