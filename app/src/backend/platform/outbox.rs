//! Outgoing mail and SMS. Production mail goes through SMTP when configured; in
//! development (and in tests) both land in a file outbox under the data dir, one
//! JSON object per line, which a developer can read.

use futures::future::BoxFuture;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub to: String,
    /// Empty for SMS.
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
#[error("delivery failed: {0}")]
pub struct DeliveryError(pub String);

pub trait Mailer: Send + Sync {
    fn send(&self, message: Message) -> BoxFuture<'_, Result<(), DeliveryError>>;
}

/// An SMS provider. Only the development outbox exists so far; a provider's
/// HTTP API would be one more implementation.
pub trait SmsSender: Send + Sync {
    fn send(&self, message: Message) -> BoxFuture<'_, Result<(), DeliveryError>>;
}

/// Appends each message, stamped with the time, to a JSON-lines file.
pub struct FileOutbox {
    path: PathBuf,
    // Appends from concurrent requests must not interleave.
    lock: tokio::sync::Mutex<()>,
}

#[derive(Serialize, Deserialize)]
struct Line {
    at: i64,
    #[serde(flatten)]
    message: Message,
}

impl FileOutbox {
    pub fn new(path: PathBuf) -> FileOutbox {
        FileOutbox {
            path,
            lock: tokio::sync::Mutex::new(()),
        }
    }

    async fn append(&self, message: Message) -> Result<(), DeliveryError> {
        use tokio::io::AsyncWriteExt;
        let mut line = serde_json::to_string(&Line {
            at: super::clock::now_ms(),
            message,
        })
        .map_err(|e| DeliveryError(e.to_string()))?;
        line.push('\n');
        let _guard = self.lock.lock().await;
        if let Some(dir) = self.path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(failed)?;
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .map_err(failed)?;
        file.write_all(line.as_bytes()).await.map_err(failed)?;
        file.flush().await.map_err(failed)
    }

    /// Every message in the outbox, oldest first.
    pub fn read(&self) -> std::io::Result<Vec<Message>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str::<Line>(l).ok())
            .map(|l| l.message)
            .collect())
    }
}

fn failed(e: std::io::Error) -> DeliveryError {
    DeliveryError(e.to_string())
}

impl Mailer for FileOutbox {
    fn send(&self, message: Message) -> BoxFuture<'_, Result<(), DeliveryError>> {
        Box::pin(self.append(message))
    }
}

impl SmsSender for FileOutbox {
    fn send(&self, message: Message) -> BoxFuture<'_, Result<(), DeliveryError>> {
        Box::pin(self.append(message))
    }
}

/// Mail through an SMTP server, e.g. `smtp://user:pass@mail.example.com:587?tls=required`
/// (`smtps://` for implicit TLS).
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> Result<SmtpMailer, DeliveryError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| DeliveryError(format!("HAGGLE_SMTP_URL: {e}")))?
            .build();
        SmtpMailer::with_transport(transport, from)
    }

    pub fn with_transport(
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: &str,
    ) -> Result<SmtpMailer, DeliveryError> {
        let from = from
            .parse()
            .map_err(|e| DeliveryError(format!("HAGGLE_MAIL_FROM: {e}")))?;
        Ok(SmtpMailer { transport, from })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, message: Message) -> BoxFuture<'_, Result<(), DeliveryError>> {
        Box::pin(async move {
            let to: Mailbox = message
                .to
                .parse()
                .map_err(|e| DeliveryError(format!("recipient: {e}")))?;
            let email = lettre::Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(message.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(message.body)
                .map_err(|e| DeliveryError(e.to_string()))?;
            self.transport
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| DeliveryError(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(to: &str) -> Message {
        Message {
            to: to.into(),
            subject: "Your code".into(),
            body: "123456".into(),
        }
    }

    #[tokio::test]
    async fn concurrent_messages_each_land_on_their_own_line() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = std::sync::Arc::new(FileOutbox::new(dir.path().join("outbox/mail.jsonl")));
        assert!(outbox.read().unwrap().is_empty());
        let sends = (0..20).map(|i| {
            let outbox = outbox.clone();
            tokio::spawn(async move {
                Mailer::send(&*outbox, message(&format!("u{i}@example.com"))).await
            })
        });
        for sent in futures::future::join_all(sends).await {
            sent.unwrap().unwrap();
        }
        let mut recipients: Vec<_> = outbox.read().unwrap().into_iter().map(|m| m.to).collect();
        recipients.sort();
        assert_eq!(recipients.len(), 20);
        assert!(recipients.contains(&"u7@example.com".to_string()));
    }

    /// A minimal SMTP server on loopback that records the DATA it receives.
    async fn fake_smtp() -> (u16, tokio::task::JoinHandle<String>) {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            let (mut data, mut in_data) = (String::new(), false);
            while let Some(line) = lines.next_line().await.unwrap() {
                let reply: &[u8] = if in_data {
                    if line == "." {
                        in_data = false;
                        b"250 queued\r\n"
                    } else {
                        data.push_str(&line);
                        data.push('\n');
                        continue;
                    }
                } else if line.starts_with("DATA") {
                    in_data = true;
                    b"354 go ahead\r\n"
                } else if line.starts_with("QUIT") {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                } else {
                    b"250 ok\r\n"
                };
                write.write_all(reply).await.unwrap();
            }
            data
        });
        (port, handle)
    }

    #[tokio::test]
    async fn smtp_mailer_delivers_to_an_smtp_server() {
        let (port, server) = fake_smtp().await;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .build();
        let mailer =
            SmtpMailer::with_transport(transport, "Haggle <no-reply@haggle.test>").unwrap();
        Mailer::send(&mailer, message("mei@example.com"))
            .await
            .unwrap();
        let data = server.await.unwrap();
        assert!(data.contains("To: mei@example.com"), "{data}");
        assert!(data.contains("Subject: Your code"), "{data}");
        assert!(data.contains("123456"), "{data}");
        assert!(SmtpMailer::new("nonsense://", "x@y.z").is_err());
    }
}
