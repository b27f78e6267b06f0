//! Shared test helpers for the backend's areas: people, a valid listing
//! form, listings created (and approved) the way the API does it, uploads,
//! and a fresh database.

pub use crate::backend::platform::db::testing::temp_db;
pub use crate::domain::id::ListingId;

use crate::backend::{
    catalog::review,
    platform::{images, media::MediaStore, vault::Vault},
};
use crate::domain::{
    catalog::{ListingDraft, ListingInput, check_listing},
    money::Currency,
};
use crate::model::ImageRef;
use image::{DynamicImage, ImageFormat, RgbImage};
use sqlx::SqlitePool;
use std::io::Cursor;

/// A fixed "now" (Unix ms) that is midnight UTC plus an hour.
pub const NOW: i64 = 1_800_000_000_000 - 1_800_000_000_000 % 86_400_000 + 3_600_000;
pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 86_400_000;

pub fn vault() -> Vault {
    Vault::new([7; 32])
}

/// A media store inside `dir` (the temp dir of `temp_db`).
pub fn media(dir: &tempfile::TempDir) -> MediaStore {
    MediaStore::open(dir.path().join("media")).unwrap()
}

/// A new member named `name` (also their nickname and email).
pub async fn user(pool: &SqlitePool, name: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO users (username, nickname, email, created_at) VALUES (?, ?, ?, 0)
         RETURNING id",
    )
    .bind(name)
    .bind(format!("{name} nick"))
    .bind(format!("{name}@example.com"))
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A member with a verified email address: they may bid, buy and write.
pub async fn verified(pool: &SqlitePool, name: &str) -> crate::domain::id::UserId {
    let id = user(pool, name).await;
    sqlx::query("UPDATE users SET email_verified_at = 0 WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    crate::domain::id::UserId(id)
}

/// A valid fixed-price listing form titled `title`.
pub fn input(title: &str) -> ListingInput {
    ListingInput {
        title: title.into(),
        description: "Works well.".into(),
        price: "1000".into(),
        stock: "1".into(),
        category: "computers".into(),
        condition: "good".into(),
        meetup: true,
        area: "Taipei".into(),
        sale_mode: "fixed".into(),
        ..ListingInput::default()
    }
}

/// A valid auction form: starts at `starts_at`, ends `length` later.
pub fn auction(title: &str, starts_at: i64, length: i64) -> ListingInput {
    ListingInput {
        sale_mode: "auction".into(),
        price: String::new(),
        start_price: "100".into(),
        starts_at: Some(starts_at),
        ends_at: Some(starts_at + length),
        ..input(title)
    }
}

/// The form checked at `now`, as the API does before saving.
pub fn draft(input: &ListingInput, now: i64) -> ListingDraft {
    check_listing(input, Currency::Twd, now).unwrap()
}

/// A listing waiting for review.
pub async fn submitted(pool: &SqlitePool, seller: i64, input: &ListingInput, now: i64) -> i64 {
    crate::backend::catalog::edit::create(pool, &vault(), seller, &draft(input, now), now)
        .await
        .unwrap()
}

/// A public listing: created at `now`, then approved.
pub async fn listed(pool: &SqlitePool, seller: i64, input: &ListingInput, now: i64) -> i64 {
    let id = submitted(pool, seller, input, now).await;
    review::decide(pool, ListingId(id), review::Decision::Approve, "", now)
        .await
        .unwrap();
    id
}

pub async fn set_status(pool: &SqlitePool, id: i64, status: &str) {
    sqlx::query("UPDATE listings SET status = ? WHERE id = ?")
        .bind(status)
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
}

pub async fn status_of(pool: &SqlitePool, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM listings WHERE id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A PNG of `width`×`height` pixels.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 120])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

/// A loose upload of `owner`, stored through the real upload path.
pub async fn upload(pool: &SqlitePool, media: &MediaStore, owner: i64, now: i64) -> ImageRef {
    images::store_upload(pool, media, owner, png(16, 12), now)
        .await
        .unwrap()
}

/// The file name behind a media URL.
pub fn file_of(url: &str) -> &str {
    url.strip_prefix("/media/").unwrap()
}

/// What the server functions reach, around `pool`, with everything else
/// (media, outbox, secret) inside `dir` and no network: for service tests
/// of use cases that take the whole state.
pub fn app_state(pool: &SqlitePool, dir: &tempfile::TempDir) -> crate::backend::AppState {
    use crate::backend::{
        auction::{AuctionHouse, Rules},
        catalog::search_cache::SearchCache,
        live::hub::{DEFAULT_QUEUE, Hub},
        platform::{config::Config, limits::Limits, outbox::FileOutbox, secret::Secret},
    };
    use std::sync::Arc;
    let data = dir.path().to_string_lossy().into_owned();
    let config =
        Config::from_lookup(|k| (k == "HAGGLE_DATA_DIR").then(|| data.clone())).expect("config");
    let hub = Hub::new(DEFAULT_QUEUE);
    let search_cache = SearchCache::default();
    let auctions = AuctionHouse::new(
        pool.clone(),
        hub.clone(),
        search_cache.clone(),
        Rules {
            currency: config.currency,
            increments: config.increments.clone(),
            soft_close_ms: 120_000,
        },
    );
    let outbox = Arc::new(FileOutbox::new(dir.path().join("outbox.jsonl")));
    let secret = Secret::load_or_create(dir.path()).expect("secret");
    // Tests that need the provider's callbacks make their own (`wallet`).
    let key = secret.derive_key("payment-callbacks");
    let (provider, _callbacks) =
        crate::backend::wallet::provider::Simulated::new(key, std::time::Duration::ZERO);
    crate::backend::AppState {
        db: pool.clone(),
        hub,
        auctions,
        search_cache,
        config: Arc::new(config),
        leptos_options: leptos::config::LeptosOptions::builder()
            .output_name("haggle")
            .build(),
        media: media(dir),
        secret,
        vault: vault(),
        mailer: outbox.clone(),
        sms: outbox,
        limits: Arc::new(Limits::default()),
        writes: Default::default(),
        payments: crate::backend::wallet::Payments {
            provider: Arc::new(provider),
            key,
        },
    }
}

/// Credits `user` with `amount` from the payment provider's clearing account
/// at `now`, as a confirmed top-up does: money to spend in a wallet test.
pub async fn fund(pool: &SqlitePool, user: crate::domain::id::UserId, amount: i64, now: i64) {
    use crate::domain::wallet::{Account, Purpose};
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.expect("begin");
    crate::backend::wallet::store::post(
        &mut *tx,
        Account::Clearing,
        Account::Available(user),
        amount,
        Purpose::TopUp,
        None,
        now,
    )
    .await
    .expect("fund");
    tx.commit().await.expect("commit");
}
