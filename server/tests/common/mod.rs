//! A real Haggle server on an ephemeral loopback port with its own data dir.
#![allow(dead_code)] // each test binary uses a different part of this

use app::backend::{AppState, config::Config};
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
