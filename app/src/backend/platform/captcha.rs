//! The image CAPTCHA asked for after repeated failed log-ins. The answer lives in
//! the server-side session, so the browser never sees it; it is single use and
//! expires.

use super::{client::ClientAddr, clock::now_ms};
use crate::backend::AppState;
use axum::{
    Extension,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const KEY: &str = "captcha";
const TTL_MS: i64 = 10 * 60_000;

#[derive(Serialize, Deserialize)]
struct Expected {
    answer: String,
    expires_at: i64,
}

/// A fresh challenge: the answer and a PNG showing it, distorted.
fn challenge() -> Option<(String, Vec<u8>)> {
    use captcha::{
        Captcha,
        filters::{Dots, Noise, Wave},
    };
    // `Captcha` is not `Send`; it must not live across an await.
    Captcha::new()
        .add_chars(5)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 12.0).horizontal())
        .apply_filter(Wave::new(2.0, 12.0).vertical())
        .view(220, 90)
        .apply_filter(Dots::new(8))
        .as_tuple()
}

/// `GET /captcha.png`: a new challenge for this session (replacing any earlier one).
///
/// Drawing costs CPU and a browser without a session gets a stored one, so
/// both are limited per address network (`Limits::captcha_images`,
/// `Limits::captcha_sessions`): a script fetching the image in a loop
/// without cookies stops adding rows to the session table.
pub async fn image(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddr>,
    session: Session,
) -> Response {
    let network = client.network();
    let limits = &state.limits;
    // Loaded first: a made-up cookie names no stored session, and storing
    // the answer would create one as surely as no cookie at all.
    let _ = session.is_empty().await;
    let new_session = session.id().is_none();
    if !limits.captcha_images.allow(&network)
        || (new_session && !limits.captcha_sessions.allow(&network))
    {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CACHE_CONTROL, "no-store")],
            "too many CAPTCHA images; try again later",
        )
            .into_response();
    }
    let Some((answer, png)) = challenge() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let expected = Expected {
        answer,
        expires_at: now_ms() + TTL_MS,
    };
    if let Err(e) = session.insert(KEY, expected).await {
        tracing::error!(error = %e, "storing a captcha");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        png,
    )
        .into_response()
}

/// Whether `answer` solves this session's challenge. The challenge is used up
/// either way, so each image allows one guess.
pub async fn solve(session: &Session, answer: &str) -> bool {
    let expected: Option<Expected> = session.remove(KEY).await.ok().flatten();
    expected.is_some_and(|e| {
        e.expires_at > now_ms()
            && !answer.trim().is_empty()
            && e.answer.eq_ignore_ascii_case(answer.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_png_and_vary() {
        let (a, png) = challenge().unwrap();
        let (b, _) = challenge().unwrap();
        assert_eq!(a.chars().count(), 5);
        assert!(png.starts_with(b"\x89PNG"));
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!((img.width(), img.height()), (220, 90));
        // Two equal 5-character answers in a row would be a broken generator.
        assert_ne!(a, b);
    }

    fn session() -> Session {
        Session::new(
            None,
            std::sync::Arc::new(tower_sessions::MemoryStore::default()),
            None,
        )
    }

    async fn expect(session: &Session, answer: &str, expires_at: i64) {
        let expected = Expected {
            answer: answer.into(),
            expires_at,
        };
        session.insert(KEY, expected).await.unwrap();
    }

    #[tokio::test]
    async fn each_challenge_allows_one_guess() {
        let session = session();
        assert!(!solve(&session, "ABCDE").await, "no challenge was shown");
        expect(&session, "AbCdE", now_ms() + TTL_MS).await;
        assert!(solve(&session, " abcde ").await, "not case-sensitive");
        assert!(!solve(&session, "abcde").await, "used up");
        expect(&session, "AbCdE", now_ms() + TTL_MS).await;
        assert!(!solve(&session, "abcdf").await);
        assert!(
            !solve(&session, "abcde").await,
            "a wrong guess uses it up too"
        );
        expect(&session, "AbCdE", now_ms() - 1).await;
        assert!(!solve(&session, "abcde").await, "expired");
    }
}
