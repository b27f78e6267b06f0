//! What every request handler and server function can reach.

use super::{
    config::Config,
    limits::Limits,
    media::MediaStore,
    outbox::{Mailer, SmsSender},
    secret::Secret,
    vault::Vault,
};
use crate::backend::{auction::AuctionHouse, catalog::search_cache::SearchCache, live::hub::Hub};
use crate::error::AppError;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::SqlitePool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: SqlitePool,
    pub hub: Hub,
    pub auctions: AuctionHouse,
    pub search_cache: SearchCache,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub media: MediaStore,
    pub secret: Secret,
    pub vault: Vault,
    pub mailer: Arc<dyn Mailer>,
    pub sms: Arc<dyn SmsSender>,
    pub limits: Arc<Limits>,
    /// Writes waiting for the writer's next group transaction.
    pub writes: super::group::Writes,
    /// The payment provider (simulated in development) and its callbacks' key.
    pub payments: crate::backend::wallet::Payments,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state provided to the current server function or render.
    pub fn current() -> Result<AppState, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            AppError::Internal
        })
    }
}
