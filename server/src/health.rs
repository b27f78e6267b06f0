//! `GET /healthz`: liveness for load balancers and the test suite.

use app::backend::{AppState, platform::db};
use axum::{Json, extract::State, http::StatusCode};
use serde_json::{Value, json};

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let db_ok = db::is_healthy(&state.db).await;
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if db_ok { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": if db_ok { "ok" } else { "unavailable" },
    });
    (status, Json(body))
}
