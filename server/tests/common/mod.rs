//! A real Haggle server on an ephemeral loopback port with its own data dir.
#![allow(dead_code)] // each test binary uses a different part of this

use app::{
    backend::{AppState, platform::config::Config},
    error::AppError,
};
use reqwest::{StatusCode, header};
use std::{collections::HashMap, net::SocketAddr};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(demo: bool) -> TestServer {
        // Server logs on request only: with a global subscriber writing to stdout,
        // the 64-way concurrent render test hung under coverage instrumentation.
        if std::env::var_os("HAGGLE_TEST_LOG").is_some() {
            haggle_server::telemetry::init(false);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let vars: HashMap<&str, String> = HashMap::from([
            ("HAGGLE_DATA_DIR", dir.path().to_string_lossy().into_owned()),
            ("HAGGLE_DEMO", if demo { "1" } else { "0" }.to_string()),
            ("HAGGLE_WS_HEARTBEAT_MS", "100".to_string()),
        ]);
        let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("config");
        let state = haggle_server::prepare(config).await.expect("prepare");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(haggle_server::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            state,
            dir,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Triggers graceful shutdown and waits for the server to finish.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.handle.take() {
            Some(handle) => handle.await.expect("server task"),
            None => Ok(()),
        }
    }
}

/// An HTTP client that never uses a proxy: tests talk to loopback only.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// How the browser posts: a plain form (no JavaScript) or the hydrated app's
/// server-function call.
#[derive(Clone, Copy)]
pub enum Via {
    Form,
    App,
}

pub async fn post(
    server: &TestServer,
    via: Via,
    path: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let accept = match via {
        Via::Form => "text/html,application/xhtml+xml",
        Via::App => "application/json",
    };
    let mut req = client
        .post(server.url(path))
        .header("origin", format!("http://{}", server.addr))
        .header("sec-fetch-site", "same-origin")
        .header(header::ACCEPT, accept)
        .header(header::REFERER, server.url("/signup"))
        .form(form);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.send().await.unwrap()
}

/// The `name=value` part of the session cookie a response sets.
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("haggle_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

pub async fn error_of(res: reqwest::Response) -> AppError {
    let status = res.status();
    let err: AppError = serde_json::from_str(&res.text().await.unwrap()).expect("an AppError body");
    assert_eq!(
        status.as_u16(),
        err.status(),
        "the status fits the error: {err:?}"
    );
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
    err
}

/// Signs up `username` (password `s3cret!pw`) and returns the session cookie.
pub async fn sign_up(server: &TestServer, username: &str) -> String {
    let email = format!("{username}@example.com");
    let res = post(
        server,
        Via::Form,
        "/api/auth/sign_up",
        &[
            ("username", username),
            ("nickname", username),
            ("email", &email),
            ("password", "s3cret!pw"),
        ],
        None,
    )
    .await;
    assert!(
        res.status().is_redirection(),
        "sign-up of {username}: {}",
        res.status()
    );
    session_cookie(&res).expect("a session cookie")
}

/// Logs `login` in (password `s3cret!pw`) as another browser would; returns
/// that browser's session cookie.
pub async fn log_in(server: &TestServer, login: &str) -> String {
    let res = post(
        server,
        Via::Form,
        "/api/auth/log_in",
        &[("login", login), ("password", "s3cret!pw")],
        None,
    )
    .await;
    assert!(
        res.status().is_redirection(),
        "log-in of {login}: {}",
        res.status()
    );
    session_cookie(&res).expect("a session cookie")
}

/// The code in the newest message the outbox holds for `to`.
pub fn outbox_code(server: &TestServer, file: &str, to: &str) -> String {
    let text =
        std::fs::read_to_string(server.dir.path().join("outbox").join(file)).expect("an outbox");
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains(&format!("\"to\":\"{to}\"")))
        .expect("a message to the address");
    let body: serde_json::Value = serde_json::from_str(line).unwrap();
    body["body"]
        .as_str()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .expect("a 6-digit code")
        .to_string()
}

/// Calls a server function as the hydrated app does, as the holder of `cookie`.
pub async fn call_as(
    server: &TestServer,
    path: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    post(server, Via::App, path, form, cookie).await
}

/// Makes `username` an admin through the same service the CLI uses.
pub async fn make_admin(server: &TestServer, username: &str) {
    assert!(
        app::backend::account::set_admin(&server.state.db, username, true)
            .await
            .unwrap()
    );
}
