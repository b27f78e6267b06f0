//! Haggle's HTTP server: configuration, start-up, the router and shutdown. The
//! binary (`main.rs`) only reads the environment and calls [`run`].
// Release builds keep Leptos' concrete view types, whose layout queries nest deeply.
#![recursion_limit = "256"]

pub mod admin_cli;
pub mod demo_cli;
pub mod health;
pub mod load_auction;
pub mod load_chat;
pub mod load_deals;
pub mod load_ledger;
pub mod router;
pub mod telemetry;

use app::backend::platform::config::Transport;
use app::backend::{
    AppState,
    auction::{AuctionHouse, Rules, scheduler},
    catalog::{favorites, search, search_cache::SearchCache},
    demo,
    live::hub::{DEFAULT_QUEUE, Hub},
    platform::{
        clock::now_ms,
        config::Config,
        db,
        limits::Limits,
        media::MediaStore,
        ocr,
        outbox::{FileOutbox, Mailer},
        secret::Secret,
        vault::Vault,
    },
};
use axum::{Router, body::Body, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::rt::{TokioIo, TokioTimer};
use leptos::config::LeptosOptions;
use std::{
    future::Future,
    io,
    pin::{Pin, pin},
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore, watch},
};
use tower::ServiceExt;
use tower_sessions::ExpiredDeletion;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration: {0}")]
    Config(#[from] app::backend::platform::config::ConfigError),
    #[error("data directory: {0}")]
    Io(#[from] io::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx_error::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx_error::MigrateError),
    #[error("mail: {0}")]
    Mail(String),
    #[error("demo data: {0}")]
    Demo(#[from] demo::SeedError),
}

/// sqlx is reached through `app` so the two never disagree on its version.
mod sqlx_error {
    pub use app::backend::platform::db::{Error, MigrateError};
}

/// The database for a command run beside the server or instead of it: the
/// data directory made if missing, the pool opened and migrated.
pub async fn open_database(
    config: &Config,
) -> Result<sqlx::SqlitePool, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(&config.data_dir)?;
    let pool = db::connect(&config.database_url).await?;
    db::migrate(&pool).await?;
    Ok(pool)
}

/// Opens the database, applies migrations, seeds demo data if asked, and builds
/// the shared state.
pub async fn prepare(config: Config) -> Result<AppState, StartError> {
    std::fs::create_dir_all(&config.data_dir)?;
    let media = MediaStore::open(config.media_dir())?;
    // Prepared card images a crash left behind: nothing reads them now.
    let stray = ocr::clean_work_dir(&config.ocr_work_dir())?;
    if stray > 0 {
        tracing::info!(stray, "removed stray OCR work files");
    }
    let pool = db::connect(&config.database_url).await?;
    db::migrate(&pool).await?;
    if config.demo {
        match demo::seed_if_empty(&pool, &media, config.currency).await? {
            demo::SeedOutcome::Seeded { users, listings } => {
                tracing::info!(users, listings, "created demo data")
            }
            demo::SeedOutcome::AlreadyHasData => {
                tracing::debug!("database has data; no demo seeding")
            }
        }
        if let Some(password) = &config.demo_password {
            let opened = demo::open_demo_logins(&pool, password).await?;
            tracing::info!(opened, "demo members can log in");
        }
    }
    // Demo data and databases from before the search index are indexed here.
    let indexed = search::index_missing(&pool).await?;
    if indexed > 0 {
        tracing::info!(indexed, "indexed listings for search");
    }
    favorites::prune_views(&pool, now_ms(), 7).await?;
    let leptos_options = LeptosOptions::builder()
        .output_name("haggle")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .build();
    let secret = Secret::load_or_create(&config.data_dir)?;
    let mailer: Arc<dyn Mailer> = match &config.smtp_url {
        Some(url) => Arc::new(
            app::backend::platform::outbox::SmtpMailer::new(url, &config.mail_from)
                .map_err(|e| StartError::Mail(e.to_string()))?,
        ),
        None => Arc::new(FileOutbox::new(config.outbox_dir().join("mail.jsonl"))),
    };
    let sms = Arc::new(FileOutbox::new(config.outbox_dir().join("sms.jsonl")));
    let vault = Vault::from_config(config.vault_key, &secret);
    let hub = Hub::coalescing(DEFAULT_QUEUE, config.room_writes);
    let search_cache = SearchCache::default();
    let auctions = AuctionHouse::new(
        pool.clone(),
        hub.clone(),
        search_cache.clone(),
        Rules {
            currency: config.currency,
            increments: config.increments.clone(),
            soft_close_ms: i64::try_from(config.soft_close.as_millis()).unwrap_or(i64::MAX),
        },
    );
    // What fell due while the server was down happens now, before serving.
    scheduler::pass(&auctions, now_ms()).await;
    let limits = Arc::new(Limits::new(config.sign_ups_per_hour));
    let (payments, callbacks) = payments(&config, &secret);
    let state = AppState {
        db: pool,
        hub,
        auctions,
        search_cache,
        config: Arc::new(config),
        leptos_options,
        media,
        secret,
        vault,
        mailer,
        sms,
        limits,
        writes: Default::default(),
        payments,
    };
    if let Some(callbacks) = callbacks {
        tokio::spawn(deliver_callbacks(state.clone(), callbacks));
    }
    Ok(state)
}

/// Hands the simulated provider's signed callbacks to the wallet in-process,
/// as its callback route would: only while the provider does not know the
/// server's address (no server listening, as in a command run beside it).
async fn deliver_callbacks(
    state: AppState,
    mut callbacks: tokio::sync::mpsc::UnboundedReceiver<app::backend::wallet::provider::Signed>,
) {
    while let Some(signed) = callbacks.recv().await {
        let applied = app::backend::wallet::top_up::provider_event(
            &state,
            &signed.body,
            &signed.signature,
            now_ms(),
        )
        .await;
        if let Err(e) = applied {
            tracing::error!(error = %e, "a payment callback was not applied");
        }
    }
}

/// The configured payment provider and the key its callbacks are signed
/// with.
fn payments(
    config: &Config,
    secret: &Secret,
) -> (
    app::backend::wallet::Payments,
    Option<tokio::sync::mpsc::UnboundedReceiver<app::backend::wallet::provider::Signed>>,
) {
    use app::backend::{
        platform::config::PaymentConfig,
        wallet::{
            Payments,
            provider::{Hosted, Simulated},
        },
    };
    match &config.payments {
        // The simulated provider decides by test card and, a moment later,
        // posts each signed outcome to the callback route, like a real
        // provider (`serve` tells it the address).
        PaymentConfig::Simulated { test_cards } => {
            let key = secret.derive_key("payment-callbacks");
            let (provider, callbacks) = Simulated::new(key, Duration::from_millis(300));
            let payments = Payments {
                provider: Arc::new(provider.with_cards(test_cards.clone())),
                key,
            };
            (payments, Some(callbacks))
        }
        PaymentConfig::Hosted {
            api_key,
            webhook_secret,
        } => {
            let payments = Payments {
                provider: Arc::new(Hosted::new(api_key.clone())),
                key: app::backend::wallet::provider::webhook_key(webhook_secret),
            };
            (payments, None)
        }
    }
}

/// glibc's allocator keeps what large requests freed: after a burst of
/// photo decodes and password hashes (19 MiB each), its dynamic threshold
/// puts such buffers in per-thread arenas, which stay the process's memory
/// for good (hundreds of MB on an idle server). A fixed threshold sends
/// every buffer of 1 MiB or more to its own mapping, returned when freed,
/// and few arenas bound what the many blocking threads can hold.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}

/// Serves `state` on `listener` until `shutdown` resolves, then closes live
/// sockets and waits for in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let hub = state.hub.clone();
    let pool = state.db.clone();
    let expired_sessions = tokio::spawn(
        router::session_store(&state)
            .continuously_delete_expired(tokio::time::Duration::from_secs(3600)),
    );
    let schedule = tokio::spawn(scheduler::run(state.auctions.clone()));
    let transport = state.config.transport;
    // The simulated provider posts its callbacks here, as a real one would
    // to its configured address.
    if let Ok(addr) = listener.local_addr() {
        state.payments.provider.deliver_to(loopback(addr));
    }
    let app = router::build(state);
    serve_connections(listener, app, transport, async move {
        shutdown.await;
        tracing::info!("shutting down");
        hub.close_all();
    })
    .await;
    expired_sessions.abort();
    schedule.abort();
    pool.close().await;
    Ok(())
}

/// The address to reach a server listening at `addr` from the same host: a
/// wildcard address is reached through loopback.
fn loopback(addr: std::net::SocketAddr) -> std::net::SocketAddr {
    match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
            (std::net::Ipv4Addr::LOCALHOST, addr.port()).into()
        }
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
            (std::net::Ipv6Addr::LOCALHOST, addr.port()).into()
        }
        _ => addr,
    }
}

/// Accepts connections until `shutdown` resolves, then lets the open ones
/// finish (each told to close after its current request) and returns.
///
/// Our own loop rather than `axum::serve`, for what that does not offer: a
/// client must send a request's headers within `header_timeout` (also the
/// longest an idle keep-alive connection is kept), and at most
/// `max_connections` are served at once, WebSockets included; more wait in
/// the listen queue until one closes.
async fn serve_connections(
    listener: TcpListener,
    app: Router,
    transport: Transport,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(transport.max_connections));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(transport.header_timeout);
    // Sent `true` on shutdown; every connection holds a receiver, so the
    // sender learns when the last one has ended.
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small frames (a bid's Ack, a price update) must leave at once: with
        // Nagle's algorithm one written while the previous is unacknowledged
        // waits for the peer's delayed ACK, up to 40 ms on Linux.
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
        let app = app.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let http = http.clone();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            // The permit travels with the stream, into an upgraded WebSocket too.
            let io = TokioIo::new(Counted {
                tcp,
                _permit: permit,
            });
            let mut conn = pin!(http.serve_connection(io, service).with_upgrades());
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(err) = result {
                        tracing::trace!(error = %err, "connection ended");
                    }
                }
                () = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(stopping);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    drop(stopping);
    stop.closed().await;
}

/// A connection's stream, holding its place among the connections served.
struct Counted {
    tcp: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
