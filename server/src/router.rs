//! Every route Haggle serves.

use crate::health::healthz;
use app::{
    App,
    backend::{
        AppState,
        catalog::search_cache,
        live::socket,
        platform::{captcha, client},
        wallet,
        web::{admin_gate, origin, policy},
    },
    shell,
};
use axum::{
    Router,
    extract::State,
    http::{HeaderName, HeaderValue, Request, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::{Arc, OnceLock};
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    set_header::SetResponseHeaderLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tower_sessions::{
    Expiry, SessionManagerLayer,
    cookie::{SameSite, time::Duration},
};
use tower_sessions_sqlx_store::SqliteStore;
use tracing::{Level, Span};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The largest request body: an upload form's budget (one full-size photo
/// and its text fields) and room for its framing. Every other body is far
/// smaller; none may grow without bound (server functions read theirs whole).
const MAX_BODY: usize = app::backend::platform::upload::FORM_BUDGET + 64 * 1024;

/// Sessions idle for this long expire.
const SESSION_IDLE_DAYS: i64 = 30;

/// The SQLite session store (its table is created by our migrations).
pub fn session_store(state: &AppState) -> SqliteStore {
    SqliteStore::new(state.db.clone())
}

/// The app's routes, generated once per process. Generating them sets a
/// process-global flag in `leptos_server` that parks any resource first polled
/// meanwhile forever (leptos-rs/leptos #4773), so a second server built in the
/// same process (as tests do) must not generate them while another one serves.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(session_store(&state))
        .with_name("haggle_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(Duration::days(SESSION_IDLE_DAYS)));
    let routes = route_list();
    let media = ServiceBuilder::new()
        // Media names are random and never reused, so they can be cached for good.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .service(ServeDir::new(state.config.media_dir()));
    // The WASM chunks of split routes keep their names from one build to the
    // next (chunk_12.wasm), so a browser must never use a stored copy without
    // asking: it revalidates (ETag, 304) and a deploy is picked up at once.
    let options = &state.leptos_options;
    let pkg = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(ServeDir::new(
            std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref()),
        ));

    let context_state = state.clone();
    let fn_state = state.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/ws", get(socket::handler))
        .route("/captcha.png", get(captcha::image))
        .route("/admin/id-review/{id}", get(admin_gate::review_photo))
        // The payment provider's signed callbacks (body bounded there).
        .route(
            app::backend::wallet::provider::CALLBACK_PATH,
            axum::routing::post(wallet::web::payment_callback),
        )
        .route("/wallet/statement.csv", get(wallet::web::statement_csv))
        .nest_service("/media", media)
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), pkg)
        .route(
            "/api/{*fn_name}",
            axum::routing::post(move |req| {
                let state = fn_state.clone();
                leptos_axum::handle_server_fns_with_context(
                    move || provide_context(state.clone()),
                    req,
                )
            }),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            admin_gate::guard,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(origin::refuse_cross_site_writes))
        // Outside the session layer: a kept page costs no session lookup.
        .layer(axum::middleware::from_fn_with_state(
            state.search_cache.clone(),
            search_cache::pages,
        ))
        // Outermost of what reads it: everything inside knows the client.
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(state.config.trusted_proxies.clone()),
            client::layer,
        ))
        // A request must be answered in time, its body read included. A
        // WebSocket is answered (upgraded) at once and then lives on.
        .layer(axum::middleware::from_fn_with_state(
            state.config.transport.request_timeout,
            time_limit,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                // Pages, JS and WASM; images are already compressed and skipped.
                .layer(CompressionLayer::new()),
        )
        // Headers every answer carries, kept pages and files included: no
        // sniffing a file into another type, no framing (clickjacking), no full
        // URLs (with search words or ids) sent to other sites, and, when the site
        // is served over HTTPS (`HAGGLE_SECURE_COOKIES=1`), HTTPS only from then
        // on. Pages replace this policy with one naming their script nonce
        // (`web::policy`); here no inline script may run at all.
        .layer(
            ServiceBuilder::new()
                .layer(always(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .layer(always(header::X_FRAME_OPTIONS, "DENY"))
                .layer(always(
                    header::REFERRER_POLICY,
                    "strict-origin-when-cross-origin",
                ))
                .layer(always(
                    header::CONTENT_SECURITY_POLICY,
                    policy::STATIC_POLICY,
                ))
                .option_layer(state.config.secure_cookies.then(|| {
                    always(
                        header::STRICT_TRANSPORT_SECURITY,
                        "max-age=31536000; includeSubDomains",
                    )
                })),
        )
        .with_state(state)
}

async fn time_limit(
    State(limit): State<std::time::Duration>,
    req: axum::extract::Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            [(header::CONNECTION, "close")],
            "request timed out",
        )
            .into_response(),
    }
}

fn always(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Every log line of a request carries its method, path and id.
fn request_span<B>(req: &Request<B>) -> Span {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
}
