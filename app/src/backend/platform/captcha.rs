//! The image CAPTCHA asked for after repeated failed log-ins and on bursts of
//! sign-ups. The answer lives in the server-side session, so the browser never
//! sees it; it is single use and expires.
//!
//! Requests sent together with one cookie each load the session before any
//! of them saves, so removing the answer from the session cannot by itself
//! make it single use: each challenge also carries a random id, and the first
//! request to claim that id (in this process) is the only one it can serve.

use super::{client::ClientAddr, clock::now_ms};
use crate::backend::AppState;
use axum::{
    Extension,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
};
use tower_sessions::Session;

const KEY: &str = "captcha";
const TTL_MS: i64 = 10 * 60_000;
/// Claimed ids remembered at most; each needs remembering only until its
/// challenge expires. Beyond this, answers are refused (fail closed).
const MAX_CLAIMED: usize = 200_000;

#[derive(Serialize, Deserialize)]
struct Expected {
    answer: String,
    expires_at: i64,
    id: u64,
}

/// The ids of challenges already used, with when they expire.
static CLAIMED: LazyLock<Mutex<HashMap<u64, i64>>> = LazyLock::new(Mutex::default);

/// Marks challenge `id` used; false if it already was (or if the table is
/// full of unexpired ids).
fn claim(id: u64, expires_at: i64, now: i64) -> bool {
    let mut claimed = CLAIMED.lock().unwrap_or_else(|e| e.into_inner());
    if claimed.len() >= MAX_CLAIMED / 2 {
        claimed.retain(|_, expires| *expires > now);
    }
    if claimed.contains_key(&id) || claimed.len() >= MAX_CLAIMED {
        return false;
    }
    claimed.insert(id, expires_at);
    true
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
        id: rand::rng().random(),
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

/// The challenge this session was shown, taken out of it: to be checked
/// with [`Challenge::solved_by`] once it is known that one is needed.
pub struct Challenge(Option<Expected>);

/// Takes this session's challenge out (it is used up either way).
pub async fn take(session: &Session) -> Challenge {
    Challenge(session.remove(KEY).await.ok().flatten())
}

impl Challenge {
    /// Whether `answer` solves the challenge. Checking it uses it up, right
    /// or wrong, even in another request holding a copy of the same session.
    pub fn solved_by(self, answer: &str) -> bool {
        let now = now_ms();
        self.0.is_some_and(|e| {
            e.expires_at > now
                && claim(e.id, e.expires_at, now)
                && !answer.trim().is_empty()
                && e.answer.eq_ignore_ascii_case(answer.trim())
        })
    }
}

#[cfg(test)]
impl Challenge {
    /// A challenge whose answer is `answer`, as a session holding challenge
    /// `id` would give it out (several copies: one per parallel request).
    pub fn for_tests(answer: &str, id: u64) -> Challenge {
        Challenge(Some(Expected {
            answer: answer.into(),
            expires_at: now_ms() + TTL_MS,
            id,
        }))
    }
}

/// Whether `answer` solves this session's challenge. The challenge is used up
/// either way, so each image allows one guess.
pub async fn solve(session: &Session, answer: &str) -> bool {
    take(session).await.solved_by(answer)
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
            id: rand::rng().random(),
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

    #[tokio::test]
    async fn one_answer_serves_one_of_parallel_requests() {
        let store = std::sync::Arc::new(tower_sessions::MemoryStore::default());
        let first = Session::new(None, store.clone(), None);
        expect(&first, "AbCdE", now_ms() + TTL_MS).await;
        first.save().await.unwrap();
        let id = first.id();
        // Requests sent together each load the session before any of them
        // has saved its change: all of them see the same challenge.
        let requests: Vec<Session> = (0..4)
            .map(|_| Session::new(id, store.clone(), None))
            .collect();
        for session in &requests {
            session.get::<Expected>(KEY).await.unwrap();
        }
        let solved = futures::future::join_all(requests.iter().map(|s| solve(s, "abcde"))).await;
        assert_eq!(solved.iter().filter(|s| **s).count(), 1, "{solved:?}");
    }
}
