//! The router's guard in front of `/admin`: anonymous visitors are sent to log
//! in, signed-in non-admins get a 403 (the page itself then shows why). Admin
//! server functions check the role again on their own.

use super::session;
use crate::backend::{AppState, account::Role};
use axum::{
    extract::{Path, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path != "/admin" && !path.starts_with("/admin/") {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match session::account(&state, &session).await {
        Ok(None) => Redirect::to("/login?next=/admin").into_response(),
        Ok(Some(account)) if account.role() == Role::Admin => next.run(request).await,
        Ok(Some(_)) => {
            let mut response = next.run(request).await;
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `GET /admin/id-review/{id}`: the photo of a pending review, for admins only
/// (checked here too, not only by the guard), never cached.
pub async fn review_photo(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    match session::account(&state, &session).await {
        Ok(Some(account)) if account.role() == Role::Admin => {}
        Ok(Some(_)) => return StatusCode::FORBIDDEN.into_response(),
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    let Ok(Some(name)) = crate::backend::account::identity::review_image(&state.db, id).await
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(state.config.review_dir().join(name)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
