use crate::common::{TestServer, http, sign_up};
use reqwest::StatusCode;
use std::time::Duration;

fn card_count(html: &str) -> usize {
    html.matches(r#"<li class="card">"#).count()
}

#[tokio::test]
async fn healthz_reports_version_and_database() {
    let server = TestServer::start(false).await;
    let res = http().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("x-request-id"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));

    server.state.db.close().await;
    let res = http().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "unavailable");
}

#[tokio::test]
async fn home_page_is_server_rendered_from_the_database() {
    let server = TestServer::start(true).await;
    let res = http()
        .get(server.url("/"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(card_count(&html) >= 24, "cards: {}", card_count(&html));
    assert!(html.contains("Fresh listings"));
    assert!(html.contains(r#"href="/l/"#));
    assert!(
        html.contains("NT$"),
        "prices are formatted in the configured currency"
    );
    assert!(
        html.contains("/pkg/haggle.js"),
        "hydration scripts are included"
    );
    assert!(html.contains(r#"lang="en""#));
    // Demo titles in three scripts.
    assert!(html.contains("芒果千層蛋糕") && html.contains("브라우니") && html.contains("MacBook"));
    // User text is escaped, never markup.
    assert!(!html.contains("<script>alert"));
}

#[tokio::test]
async fn anonymous_visitors_share_the_home_page_for_a_second() {
    let server = TestServer::start(true).await;
    let page = |lang: &'static str, cookie: Option<String>| {
        let mut req = http().get(server.url("/")).header("accept-language", lang);
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie);
        }
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    // Each render draws a fresh script nonce: the same one means the same
    // render.
    let nonce = |html: &str| {
        let start = html.find(r#"nonce=""#).expect("a nonce") + 7;
        html[start..start + html[start..].find('"').unwrap()].to_string()
    };
    let first = nonce(&page("en", None).await);
    assert_eq!(nonce(&page("en", None).await), first, "kept");
    let chinese = page("zh-TW", None).await;
    assert!(chinese.contains(r#"lang="zh-TW""#));
    assert_ne!(nonce(&chinese), first, "a page per language");
    let member = sign_up(&server, "ann").await;
    let theirs = page("en", Some(member)).await;
    assert_ne!(nonce(&theirs), first, "a member's page is their own");
    assert!(theirs.contains("ann"));

    // A catalog change drops it at once; otherwise it lasts a second.
    server.state.search_cache.clear();
    let second = nonce(&page("en", None).await);
    assert_ne!(second, first);
    assert_eq!(nonce(&page("en", None).await), second);
    tokio::time::sleep(
        app::backend::catalog::search_cache::PAGE_FRESH_FOR + Duration::from_millis(200),
    )
    .await;
    assert_ne!(nonce(&page("en", None).await), second);
}

#[tokio::test]
async fn pages_are_compressed_for_clients_that_accept_it() {
    let server = TestServer::start(true).await;
    let res = http()
        .get(server.url("/"))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "br");
    let res = http()
        .get(server.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let res = http().get(server.url("/")).send().await.unwrap();
    assert!(res.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn user_text_is_escaped() {
    let server = TestServer::start(true).await;
    sqlx::query("UPDATE listings SET title = '<script>alert(1)</script>' WHERE id = 1")
        .execute(&server.state.db)
        .await
        .unwrap();
    let html = http()
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn language_follows_cookie_then_accept_language() {
    let server = TestServer::start(true).await;
    let page = |accept: &'static str, cookie: Option<&'static str>| {
        let mut req = http()
            .get(server.url("/"))
            .header("accept-language", accept);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let zh_tw = page("zh-TW,zh;q=0.9,en;q=0.5", None).await;
    assert!(zh_tw.contains("最新上架") && zh_tw.contains(r#"lang="zh-TW""#));
    let zh_cn = page("zh-CN", None).await;
    assert!(zh_cn.contains("最新发布"));
    let ko = page("en", Some("i18n_pref_locale=ko")).await;
    assert!(
        ko.contains("새로 올라온 상품"),
        "the cookie wins over Accept-Language"
    );
    let fallback = page("fr-FR", None).await;
    assert!(fallback.contains("Fresh listings"));
}

#[tokio::test]
async fn empty_market_says_so() {
    let server = TestServer::start(false).await;
    let html = http()
        .get(server.url("/"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(card_count(&html), 0);
    assert!(html.contains("Nothing is listed yet"));
}

#[tokio::test]
async fn server_function_answers_over_http() {
    let server = TestServer::start(true).await;
    let res = http()
        .post(server.url("/api/home"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let feed: app::api::catalog::HomeFeed = res.json().await.unwrap();
    assert_eq!(feed.newest.len(), 12);
    assert!(feed.newest.windows(2).all(|w| w[0].id != w[1].id));
    // Anonymous: no history, so the recommendations are the popular row.
    assert!(!feed.personal);
    assert_eq!(feed.recommended, feed.popular);
    assert!(!feed.ending_soon.is_empty());
    assert!(
        feed.ending_soon
            .windows(2)
            .all(|w| w[0].ends_at <= w[1].ends_at)
    );
}

#[tokio::test]
async fn media_is_served_with_long_caching_and_nothing_else_leaks() {
    let server = TestServer::start(true).await;
    let html = http()
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("/media/").expect("a thumbnail");
    let path: String = html[start..].chars().take_while(|c| *c != '"').collect();
    let res = http().get(server.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let bytes = res.bytes().await.unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "a JPEG");

    // The database next to the media directory is not reachable.
    let res = http()
        .get(server.url("/media/../haggle.db"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK);
    let res = http()
        .get(server.url("/media/%2e%2e/haggle.db"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_pages_get_a_translated_404() {
    let server = TestServer::start(false).await;
    let res = http()
        .get(server.url("/no/such/page"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("We couldn't find that page"));
    let res = http()
        .get(server.url("/l/999999"))
        .header("accept-language", "ko")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("페이지를 찾을 수 없어요")
    );
}

#[tokio::test]
async fn about_page_renders() {
    let server = TestServer::start(false).await;
    let res = http()
        .get(server.url("/about"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("How Haggle works"));
    assert_eq!(html.matches(r#"<li class="step">"#).count(), 4);
}

#[tokio::test]
async fn graceful_shutdown_finishes() {
    let server = TestServer::start(false).await;
    let addr = server.addr;
    server.stop().await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// Also guards the route list being generated once per process: other tests
/// building their servers meanwhile used to park some of these renders forever.
#[tokio::test]
async fn concurrent_renders_all_complete() {
    // Regression: a page title read a signal after its owner was disposed,
    // dropping a few percent of connections under concurrent load.
    let server = TestServer::start(true).await;
    let client = http();
    let renders = (0..64).map(|i| {
        let client = client.clone();
        let url = server.url("/");
        let lang = ["en", "zh-TW", "zh-CN", "ko"][i % 4];
        tokio::spawn(async move {
            let res = client
                .get(url)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            (res.status(), res.text().await.unwrap())
        })
    });
    for render in futures::future::join_all(renders).await {
        let (status, html) = render.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<title>Haggle · ") && html.contains(r#"class="site-footer""#));
        assert!(card_count(&html) >= 24);
    }
}

#[tokio::test]
async fn site_files_are_revalidated_on_every_use() {
    let server = TestServer::start(false).await;
    let options = &server.state.leptos_options;
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    std::fs::create_dir_all(&pkg).unwrap();
    let name = "chunk_1.wasm";
    std::fs::write(pkg.join(name), b"\0asm").unwrap();
    let res = http()
        .get(server.url(&format!("/{}/{name}", options.site_pkg_dir)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Split-route chunks keep their names across builds: a stored copy must
    // be checked before use, or a deploy would mix two builds' code.
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert!(res.headers().contains_key("etag") || res.headers().contains_key("last-modified"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"\0asm");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let server = TestServer::start(false).await;
    let client = http();
    // A rendered page, the same page kept for anonymous visitors, a 404, a
    // health check and a server function answer.
    let answers = [
        client.get(server.url("/")).send().await.unwrap(),
        client.get(server.url("/")).send().await.unwrap(),
        client
            .get(server.url("/no/such/page"))
            .send()
            .await
            .unwrap(),
        client.get(server.url("/healthz")).send().await.unwrap(),
        client
            .post(server.url("/api/auth/viewer"))
            .send()
            .await
            .unwrap(),
    ];
    for res in answers {
        let url = res.url().to_string();
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(h["x-frame-options"], "DENY", "{url}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{url}"
        );
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{url}: {csp}");
        // Plain HTTP on loopback: no HSTS, which would pin a browser to HTTPS.
        assert!(h.get("strict-transport-security").is_none(), "{url}");
    }
}

#[tokio::test]
async fn pages_run_only_the_scripts_the_server_wrote() {
    let server = TestServer::start(false).await;
    let client = http();
    for path in ["/", "/search?q=lamp", "/login", "/no/such/page"] {
        let res = client.get(server.url(path)).send().await.unwrap();
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let html = res.text().await.unwrap();
        // The policy names this response's nonce…
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no script nonce in {csp}"));
        assert!(nonce.len() >= 16, "{path}: {nonce}");
        assert!(!csp.contains("'unsafe-inline' 'wasm") && !csp.contains("script-src *"));
        // …and every script in the page carries it, so hydration may run.
        // …and every script in the page with something to run carries it, so
        // hydration may run. (The language provider leaves an empty `<script>`
        // as a placeholder: nothing to run, nothing to allow.)
        let scripts: Vec<(&str, &str)> = html
            .split("<script")
            .skip(1)
            .filter_map(|rest| rest.split_once('>'))
            .map(|(tag, rest)| (tag, rest.split("</script>").next().unwrap_or_default()))
            .collect();
        assert!(scripts.iter().any(|(_, body)| !body.is_empty()), "{path}");
        for (tag, body) in scripts {
            assert!(
                body.is_empty() || tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: <script{tag}> lacks the nonce"
            );
        }
    }
    // Two renders never share a nonce.
    let nonce_of = |res: reqwest::Response| {
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let a = nonce_of(client.get(server.url("/login")).send().await.unwrap());
    let b = nonce_of(client.get(server.url("/login")).send().await.unwrap());
    assert_ne!(a, b);
}

/// Reads until the server closes the connection (or `limit` passes); true
/// when it closed.
async fn closed_by_server(stream: &mut tokio::net::TcpStream, limit: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(limit, read_all).await.is_ok()
}

#[tokio::test]
async fn a_client_stalling_in_its_headers_is_dropped() {
    use tokio::io::AsyncWriteExt;
    let server = TestServer::start_with(false, &[("HAGGLE_HEADER_TIMEOUT_MS", "200")]).await;
    let mut slow = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: loc")
        .await
        .unwrap();
    // Far longer than the timeout: a server that waits for the rest fails.
    assert!(closed_by_server(&mut slow, Duration::from_secs(10)).await);
    // Others are served meanwhile and after.
    let res = http().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_one() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start_with(false, &[("HAGGLE_MAX_CONNECTIONS", "1")]).await;
    let holder = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut waiting = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let early = tokio::time::timeout(Duration::from_millis(500), waiting.read_to_end(&mut buf));
    assert!(early.await.is_err(), "served beyond the cap");
    drop(holder);
    tokio::time::timeout(Duration::from_secs(10), waiting.read_to_end(&mut buf))
        .await
        .expect("served once the first connection closed")
        .unwrap();
    assert!(
        buf.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf)
    );
}

#[tokio::test]
async fn a_multipart_form_with_too_many_parts_is_refused() {
    use reqwest::multipart;
    let server = TestServer::start(false).await;
    let cookie = sign_up(&server, "parts").await;
    let png = crate::common::png_bytes(image::RgbImage::new(8, 8));
    let mut form = multipart::Form::new().part(
        "avatar",
        multipart::Part::bytes(png).file_name("me.png".to_string()),
    );
    for i in 0..500 {
        form = form.text(format!("junk{i}"), "x");
    }
    let res = crate::common::post_multipart(&server, "/api/account/avatar", &cookie, form).await;
    assert!(res.status().is_client_error(), "{}", res.status());
}
