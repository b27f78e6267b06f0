//! A small HTTP/1.1 client for the abuse scenarios: one connection per
//! request (`Connection: close`), written by hand so that what goes over the
//! wire is exactly what a hostile script would send, and timed from connect
//! to the last byte of the answer.

use std::{
    collections::BTreeMap,
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::timeout,
};

/// Answers are read up to this many bytes: pages are far smaller, and a
/// figure never needs more than the status and the start of an error.
const MAX_ANSWER: usize = 4 * 1024 * 1024;

/// One part of a multipart form.
pub(crate) enum Part {
    Text(&'static str, String),
    /// Field name, file name, content type and the file's bytes (shared: the
    /// same picture goes out many times at once).
    File(&'static str, &'static str, &'static str, Arc<Vec<u8>>),
}

/// A request as it goes out.
pub(crate) struct Call {
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Call {
    pub(crate) fn get(path: &str) -> Call {
        Call {
            method: "GET",
            path: path.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A server function called as the hydrated app calls it (form data,
    /// JSON answer).
    pub(crate) fn form(path: &str, fields: &[(&str, &str)]) -> Call {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        Call {
            method: "POST",
            path: path.to_owned(),
            headers: vec![
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded".to_owned(),
                ),
                ("Accept", "application/json".to_owned()),
            ],
            body: body.into_bytes(),
        }
    }

    /// A multipart upload, as the browser's `FormData` posts it.
    pub(crate) fn multipart(path: &str, parts: &[Part]) -> Call {
        const BOUNDARY: &str = "haggle-load-abuse-7d3f9a";
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            match part {
                Part::Text(name, value) => {
                    body.extend_from_slice(
                        format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                            .as_bytes(),
                    );
                }
                Part::File(name, file, kind, bytes) => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                             Content-Type: {kind}\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(bytes);
                }
            }
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        Call {
            method: "POST",
            path: path.to_owned(),
            headers: vec![
                (
                    "Content-Type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                ),
                ("Accept", "application/json".to_owned()),
            ],
            body,
        }
    }

    pub(crate) fn cookie(mut self, cookie: &str) -> Call {
        self.headers.push(("Cookie", cookie.to_owned()));
        self
    }

    /// The client this request claims to come from; the server believes it
    /// because the abuse run names loopback as its trusted proxy.
    pub(crate) fn from(mut self, client: IpAddr) -> Call {
        self.headers.push(("X-Forwarded-For", client.to_string()));
        self
    }
}

/// What came back, and how long it took.
pub(crate) struct Answer {
    pub(crate) status: u16,
    /// The start of the body (for naming refusals in the report).
    pub(crate) body: String,
    pub(crate) took: Duration,
}

/// Sends `call` on a new connection and reads the whole answer, within
/// `limit`. Writes carry the site's own `Origin`, as its pages' do.
pub(crate) async fn send(addr: SocketAddr, call: &Call, limit: Duration) -> Result<Answer, String> {
    let started = Instant::now();
    let exchange = async {
        let mut stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nUser-Agent: haggle-load\r\n",
            call.method, call.path
        );
        if call.method != "GET" {
            head.push_str(&format!(
                "Origin: http://{addr}\r\nContent-Length: {}\r\n",
                call.body.len()
            ));
        }
        for (name, value) in &call.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| format!("send: {e}"))?;
        // The server may answer (a refusal) and close before the whole body
        // is in; what it answered still counts.
        let wrote = stream.write_all(&call.body).await;
        let mut answer = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.len() >= MAX_ANSWER {
                        break;
                    }
                }
                Err(e) if answer.is_empty() => return Err(format!("read: {e}")),
                Err(_) => break,
            }
        }
        if answer.is_empty() {
            return Err(match wrote {
                Err(e) => format!("send: {e}"),
                Ok(()) => "closed without an answer".into(),
            });
        }
        parse(&answer)
    };
    match timeout(limit, exchange).await {
        Ok(Ok((status, body))) => Ok(Answer {
            status,
            body,
            took: started.elapsed(),
        }),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
    }
}

/// The status and the start of the (de-chunked) body.
fn parse(answer: &[u8]) -> Result<(u16, String), String> {
    let text = String::from_utf8_lossy(answer);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {:.60}", text))?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Ok((status, body.chars().take(200).collect()))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            out.push_str(rest.get(..size.min(rest.len())).unwrap_or(""));
            break;
        }
        out.push_str(rest.get(..size).unwrap_or(""));
        body = rest.get(size..).unwrap_or("").trim_start_matches("\r\n");
    }
    out
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Answers counted by status ("200", "429", …) or by what went wrong.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tally {
    pub(crate) by_status: BTreeMap<u16, usize>,
    /// Connection failures and timeouts, by message.
    pub(crate) failed: BTreeMap<String, usize>,
    /// The commonest refusal bodies (4xx and 5xx), by status and text.
    pub(crate) reasons: BTreeMap<(u16, String), usize>,
}

impl Tally {
    pub(crate) fn add(&mut self, result: &Result<Answer, String>) {
        match result {
            Ok(a) => {
                *self.by_status.entry(a.status).or_default() += 1;
                if a.status >= 400 {
                    let reason: String = a.body.chars().take(80).collect();
                    *self.reasons.entry((a.status, reason)).or_default() += 1;
                }
            }
            Err(e) => {
                // "connect: Connection refused (os error 111)" counts as "connect".
                let kind = e.split(':').next().unwrap_or(e);
                *self.failed.entry(kind.to_owned()).or_default() += 1;
            }
        }
    }

    pub(crate) fn count(&self, test: impl Fn(u16) -> bool) -> usize {
        self.by_status
            .iter()
            .filter(|(s, _)| test(**s))
            .map(|(_, n)| n)
            .sum()
    }

    pub(crate) fn failures(&self) -> usize {
        self.failed.values().sum()
    }

    pub(crate) fn total(&self) -> usize {
        self.count(|_| true) + self.failures()
    }

    /// `2xx/3xx: 12, 429: 300, connect: 2` style.
    pub(crate) fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let ok = self.count(|s| (200..400).contains(&s));
        if ok > 0 {
            parts.push(format!("2xx/3xx: {ok}"));
        }
        for (status, n) in self.by_status.iter().filter(|(s, _)| **s >= 400) {
            parts.push(format!("{status}: {n}"));
        }
        for (kind, n) in &self.failed {
            parts.push(format!("{kind}: {n}"));
        }
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }

    /// The `n` commonest refusals, most frequent first.
    pub(crate) fn top_reasons(&self, n: usize) -> Vec<String> {
        let mut reasons: Vec<_> = self.reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1));
        reasons
            .into_iter()
            .take(n)
            .map(|((status, body), count)| format!("{count} × {status} {body}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_chunked_or_not() {
        let plain = b"HTTP/1.1 429 Too Many Requests\r\ncontent-length: 4\r\n\r\nbusy";
        assert_eq!(parse(plain).unwrap(), (429, "busy".into()));
        let chunked = b"HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n3\r\n{\"a\r\n2\r\n\"}\r\n0\r\n\r\n";
        assert_eq!(parse(chunked).unwrap(), (400, "{\"a\"}".into()));
        assert!(parse(b"garbage").is_err());
        assert_eq!(encode("a b&c=é"), "a%20b%26c%3D%C3%A9");
    }

    #[test]
    fn tallies_name_statuses_and_failures() {
        let mut t = Tally::default();
        let answer = |status| {
            Ok(Answer {
                status,
                body: "x".into(),
                took: Duration::ZERO,
            })
        };
        t.add(&answer(200));
        t.add(&answer(429));
        t.add(&answer(429));
        t.add(&Err("no answer within 30 s".into()));
        assert_eq!(t.summary(), "2xx/3xx: 1, 429: 2, no answer within 30 s: 1");
        assert_eq!(t.total(), 4);
        assert_eq!(t.top_reasons(1), vec!["2 × 429 x".to_string()]);
    }
}
