//! A real Haggle server on an ephemeral loopback port with its own data dir,
//! and the clients and steps the tests share.

use app::{
    backend::{AppState, platform::config::Config},
    error::AppError,
};
use reqwest::{StatusCode, header};
use std::{collections::HashMap, net::SocketAddr};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinHandle,
};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{client::IntoClientRequest, http::HeaderValue},
};

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(demo: bool) -> TestServer {
        TestServer::start_with(demo, &[]).await
    }

    /// A server whose configuration also has `vars` (`HAGGLE_…` settings).
    pub async fn start_with(demo: bool, vars: &[(&'static str, &str)]) -> TestServer {
        // Server logs on request only: with a global subscriber writing to stdout,
        // the 64-way concurrent render test hung under coverage instrumentation.
        if std::env::var_os("HAGGLE_TEST_LOG").is_some() {
            haggle_server::telemetry::init(false);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let mut all: HashMap<&str, String> = HashMap::from([
            ("HAGGLE_DATA_DIR", dir.path().to_string_lossy().into_owned()),
            ("HAGGLE_DEMO", if demo { "1" } else { "0" }.to_string()),
            ("HAGGLE_WS_HEARTBEAT_MS", "100".to_string()),
            // The built site is not needed to render; tests put files there.
            (
                "LEPTOS_SITE_ROOT",
                dir.path().join("site").to_string_lossy().into_owned(),
            ),
        ]);
        all.extend(vars.iter().map(|(k, v)| (*k, v.to_string())));
        let config = Config::from_lookup(|k| all.get(k).cloned()).expect("config");
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
/// A page as `cookie`'s browser gets it: status and HTML.
pub async fn page(
    server: &TestServer,
    path: &str,
    cookie: Option<&str>,
) -> (reqwest::StatusCode, String) {
    let mut req = http().get(server.url(path));
    if let Some(c) = cookie {
        req = req.header(reqwest::header::COOKIE, c);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// An HTTP client that never uses a proxy and hands redirects back to the
/// test instead of following them.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
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
    let client = no_redirects();
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

/// Signs up `name` and confirms the email with the code from the outbox.
pub async fn verified_member(server: &TestServer, name: &str) -> String {
    let cookie = sign_up(server, name).await;
    let code = outbox_code(server, "mail.jsonl", &format!("{name}@example.com"));
    let res = call_as(
        server,
        "/api/account/confirm_code",
        &[("channel", "email"), ("code", &code)],
        Some(&cookie),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    cookie
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

/// A public listing and the cookies of its seller and of the admin who
/// approved it.
pub struct Listed {
    pub id: i64,
    pub seller: String,
    pub admin: String,
}

/// `seller` (signed up and verified here) lists `stock` units of `title`
/// at `price` in `sale_mode`, for meet-ups only; an admin made for it
/// (`{seller}admin`) approves it.
pub async fn public_listing(
    server: &TestServer,
    seller: &str,
    title: &str,
    price: &str,
    stock: &str,
    sale_mode: &str,
) -> Listed {
    let cookie = verified_member(server, seller).await;
    let form = [
        ("input[title]", title),
        ("input[description]", "Sturdy, a little worn."),
        ("input[price]", price),
        ("input[stock]", stock),
        ("input[category]", "computers"),
        ("input[condition]", "good"),
        ("input[meetup]", "true"),
        ("input[area]", "Taipei"),
        ("input[meetup_place]", "MRT Daan"),
        ("input[shipping]", "false"),
        ("input[sale_mode]", sale_mode),
    ];
    let res = call_as(server, "/api/listing/save", &form, Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let admin_name = format!("{seller}admin");
    let admin = verified_member(server, &admin_name).await;
    make_admin(server, &admin_name).await;
    let res = call_as(
        server,
        "/api/admin/review_listing",
        &[
            ("listing", &id.to_string()),
            ("approve", "true"),
            ("reason", ""),
        ],
        Some(&admin),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    Listed {
        id,
        seller: cookie,
        admin,
    }
}

/// Posts a multipart form (a file upload) as the hydrated app does, as the
/// holder of `cookie`.
pub async fn post_multipart(
    server: &TestServer,
    path: &str,
    cookie: &str,
    form: reqwest::multipart::Form,
) -> reqwest::Response {
    http()
        .post(server.url(path))
        .header("origin", format!("http://{}", server.addr))
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// `img` encoded as PNG.
pub fn png_bytes(img: image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A WebSocket from the site's origin, carrying `cookie` (signed in) or none.
pub async fn ws_connect(server: &TestServer, cookie: Option<&str>) -> Socket {
    let mut req = server.ws_url().into_client_request().unwrap();
    let origin = format!("http://{}", server.addr);
    req.headers_mut()
        .insert("origin", HeaderValue::from_str(&origin).unwrap());
    if let Some(cookie) = cookie {
        req.headers_mut()
            .insert("cookie", HeaderValue::from_str(cookie).unwrap());
    }
    let (socket, _) = connect_async(req).await.expect("handshake");
    socket
}
