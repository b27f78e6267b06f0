//! The error every server function returns: serialisable, so the browser gets the
//! same variant the server produced and can show a translated message for it.

use crate::domain::{
    auction::BidRefusal,
    form::{Field, FieldError, Problem},
    order::{DealRefusal, Refusal},
};
use serde::{Deserialize, Serialize};
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Input failed validation; every wrong field is named with its problem.
    #[error("invalid input: {0:?}")]
    Validation(Vec<FieldError>),
    /// The caller must log in first.
    #[error("log in first")]
    Unauthenticated,
    /// Logged in, but not allowed to do this.
    #[error("not allowed")]
    Forbidden,
    /// Someone changed it first (a review decided, a listing edited); reload.
    #[error("changed meanwhile")]
    Conflict,
    /// A bid or buy-it-now was refused, for this reason; nothing changed.
    #[error("bid refused: {0:?}")]
    Bid(BidRefusal),
    /// An order or offer step was refused, for this reason; nothing changed.
    #[error("deal refused: {0:?}")]
    Deal(DealRefusal),
    /// Too many attempts; try again later.
    #[error("too many attempts")]
    RateLimited,
    /// The server is at capacity for this kind of work (password hashing);
    /// nothing was done, and trying again in a moment will likely work.
    #[error("busy, try again")]
    Busy,
    /// Something failed on the server; details are in the server log, not here.
    #[error("internal error")]
    Internal,
    /// The request never reached a server function or its answer was unreadable.
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn field(field: Field, problem: Problem) -> AppError {
        AppError::Validation(vec![FieldError { field, problem }])
    }

    /// The HTTP status a server function answers with when it fails this way.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Validation(_) => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::Conflict => 409,
            AppError::Bid(_) => 422,
            AppError::Deal(_) => 409,
            AppError::RateLimited | AppError::Busy => 429,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
        }
    }

    /// The problem reported for `field`, if any.
    pub fn problem_with(&self, field: Field) -> Option<Problem> {
        match self {
            AppError::Validation(errors) => {
                errors.iter().find(|e| e.field == field).map(|e| e.problem)
            }
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    // Read as text, like every answer (see `api::codec`).
    type Encoder = crate::api::codec::JsonTextEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Deal(reason) => AppError::Deal(reason),
            Refusal::Field(field, problem) => AppError::field(field, problem),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::backend::platform::upload::UploadError> for AppError {
    fn from(e: crate::backend::platform::upload::UploadError) -> Self {
        AppError::field(e.field, e.problem)
    }
}

/// Ends a server function: a failure also sets the response's status, so
/// callers and logs see a 4xx for bad input rather than Leptos' blanket 500.
/// A plain form post (no JavaScript) is left alone: Leptos answers it with a
/// redirect back to the form, carrying the error.
#[cfg(feature = "ssr")]
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    use leptos::prelude::use_context;
    if let Err(err) = &result {
        let plain_form = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
        });
        if !plain_form
            && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = axum::http::StatusCode::from_u16(err.status())
        {
            response.set_status(status);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_a_fitting_status() {
        assert_eq!(AppError::field(Field::Email, Problem::Taken).status(), 422);
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::Unauthenticated.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::RateLimited.status(), 429);
        assert_eq!(AppError::Busy.status(), 429);
        assert_eq!(AppError::Internal.status(), 500);
        assert_eq!(AppError::Transport("x".into()).status(), 502);
        assert_eq!(AppError::Internal.problem_with(Field::Email), None);
    }
}
