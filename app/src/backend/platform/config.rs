//! Configuration read from the environment (see the README's table).

use crate::domain::{
    auction::{DEFAULT_SOFT_CLOSE_MS, increment::IncrementTable},
    money::Currency,
};
use std::{net::SocketAddr, path::PathBuf, time::Duration};

/// Its `Debug` (what a log line or a panic shows) leaves out the secrets: the
/// vault key, and the user and password of the SMTP URL.
#[derive(Clone)]
pub struct Config {
    pub site_addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Create demo data when the database is empty.
    pub demo: bool,
    /// With `demo`: the password the demo members log in with (their
    /// e-mails count as verified), so a newcomer can see deals from both
    /// sides. Unset, demo members cannot log in.
    pub demo_password: Option<String>,
    pub currency: Currency,
    /// Interval of WebSocket pings; a socket silent for three intervals is closed.
    pub heartbeat: Duration,
    /// Where the compiled site (`pkg/`, assets) lives.
    pub site_root: PathBuf,
    pub log_json: bool,
    /// Only addresses at these domains may sign up (empty: any).
    pub email_domains: Vec<String>,
    /// Send cookies only over HTTPS. On by default unless the server listens
    /// on a loopback address (development, tests, or behind a local proxy
    /// that must then set it explicitly).
    pub secure_cookies: bool,
    /// Send mail through this SMTP server; without it mail goes to the outbox file.
    pub smtp_url: Option<String>,
    /// The sender of Haggle's mail.
    pub mail_from: String,
    /// The Tesseract OCR program.
    pub tesseract: String,
    /// Seals delivery secrets; derived from `secret.key` when not set.
    pub vault_key: Option<[u8; 32]>,
    /// How much each bid must beat the price by, per price band.
    pub increments: IncrementTable,
    /// A bid this close to an auction's end extends it to this far away.
    pub soft_close: Duration,
    /// Socket writes per second a busy auction room may cost; its updates
    /// are batched over a window of watchers ÷ this.
    pub room_writes: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Sign-ups an hour from one address network before a CAPTCHA is asked
    /// for; five times this a day is the most it may create at all.
    pub sign_ups_per_hour: u32,
    /// Bounds on connections and requests (slow or too many clients).
    pub transport: Transport,
    /// Bounds on live sockets (per address, per socket).
    pub sockets: SocketLimits,
    /// The zone pages show times in before the browser's own zone is known
    /// (the server render, and pages read without JavaScript).
    pub timezone: chrono_tz::Tz,
    /// STUN/TURN servers video calls' browsers use (`HAGGLE_ICE_SERVERS`,
    /// a JSON array of `{urls, username?, credential?}`); none on loopback.
    pub ice_servers: Vec<crate::domain::call::IceServer>,
    /// Which payment provider takes top-ups and sends withdrawals.
    pub payments: PaymentConfig,
}

/// The payment provider (`HAGGLE_PAYMENT_PROVIDER`).
#[derive(Clone, PartialEq, Eq)]
pub enum PaymentConfig {
    /// The built-in simulated provider (the default), with extra test cards
    /// (`HAGGLE_TEST_CARDS`).
    Simulated {
        test_cards: std::collections::HashMap<String, crate::backend::wallet::provider::EventKind>,
    },
    /// A real provider's adapter (`hosted`): its API key
    /// (`HAGGLE_PAYMENT_API_KEY`) and the secret its callbacks are signed
    /// with (`HAGGLE_PAYMENT_WEBHOOK_SECRET`).
    Hosted {
        api_key: String,
        webhook_secret: String,
    },
}

impl std::fmt::Debug for PaymentConfig {
    /// Never the key or the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaymentConfig::Simulated { test_cards } => f
                .debug_struct("Simulated")
                .field("test_cards", &test_cards.len())
                .finish(),
            PaymentConfig::Hosted { .. } => f.write_str("Hosted { (secrets set) }"),
        }
    }
}

/// Where Haggle began.
pub const DEFAULT_TIMEZONE: chrono_tz::Tz = chrono_tz::Asia::Taipei;

/// How long and how many: a slow client must not hold a connection forever,
/// and connections past the cap wait in the listen queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transport {
    /// A request's headers must arrive within this (also an idle keep-alive).
    pub header_timeout: Duration,
    /// A request (not a WebSocket once upgraded) must be answered within this.
    pub request_timeout: Duration,
    /// Connections served at once, WebSockets included.
    pub max_connections: usize,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_connections: 8192,
        }
    }
}

/// Bounds on live sockets; 0 turns one off (a load test's thousands of
/// sockets come from one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketLimits {
    /// Open sockets per address network.
    pub per_address: u32,
    /// Messages a socket may send per second, after a burst of
    /// [`SocketLimits::MESSAGE_BURST`].
    pub messages_per_second: u32,
    /// Subscribes a socket may send per minute, after a burst of
    /// [`SocketLimits::SUBSCRIBE_BURST`].
    pub subscribes_per_minute: u32,
}

impl SocketLimits {
    pub const MESSAGE_BURST: u32 = 20;
    pub const SUBSCRIBE_BURST: u32 = 10;
}

impl Default for SocketLimits {
    fn default() -> Self {
        SocketLimits {
            per_address: 20,
            messages_per_second: 10,
            subscribes_per_minute: 60,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("site_addr", &self.site_addr)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url)
            .field("demo", &self.demo)
            .field("demo_password", &self.demo_password.as_ref().map(|_| "…"))
            .field("currency", &self.currency)
            .field("heartbeat", &self.heartbeat)
            .field("site_root", &self.site_root)
            .field("log_json", &self.log_json)
            .field("email_domains", &self.email_domains)
            .field("secure_cookies", &self.secure_cookies)
            .field(
                "smtp_url",
                &self.smtp_url.as_deref().map(without_credentials),
            )
            .field("mail_from", &self.mail_from)
            .field("tesseract", &self.tesseract)
            .field("vault_key", &self.vault_key.map(|_| "(set)"))
            .field("increments", &self.increments)
            .field("soft_close", &self.soft_close)
            .field("room_writes", &self.room_writes)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("sign_ups_per_hour", &self.sign_ups_per_hour)
            .field("transport", &self.transport)
            .field("sockets", &self.sockets)
            .field("timezone", &self.timezone)
            .field("ice_servers", &self.ice_servers.len())
            .field("payments", &self.payments)
            .finish()
    }
}

/// `smtps://user:password@host:465` as `smtps://…@host:465`.
fn without_credentials(url: &str) -> String {
    match (url.split_once("://"), url.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, host))) => format!("{scheme}://…@{host}"),
        _ => url.to_owned(),
    }
}

/// What two cores sustain beside a room's bidding: a room of 1,000 watchers
/// batches over 15 ms, one of 2,000 over 30 ms, one of 20 under a millisecond.
pub const DEFAULT_ROOM_WRITES: u32 = 66_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable source (the process environment
    /// in production, a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let site_addr = match get("LEPTOS_SITE_ADDR") {
            Some(v) => v.parse().map_err(|e| invalid("LEPTOS_SITE_ADDR", e))?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let data_dir = PathBuf::from(get("HAGGLE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = get("DATABASE_URL").unwrap_or_else(|| {
            format!("sqlite://{}", data_dir.join("haggle.db").to_string_lossy())
        });
        let demo = flag("HAGGLE_DEMO", get("HAGGLE_DEMO"))?;
        let demo_password = get("HAGGLE_DEMO_PASSWORD").filter(|p| !p.is_empty());
        let currency = match get("HAGGLE_CURRENCY") {
            Some(code) => Currency::from_code(&code)
                .ok_or_else(|| invalid("HAGGLE_CURRENCY", format!("unknown currency {code:?}")))?,
            None => Currency::Twd,
        };
        let heartbeat = match get("HAGGLE_WS_HEARTBEAT_MS") {
            Some(v) => match v.parse::<u64>() {
                Ok(ms) if ms >= 10 => Duration::from_millis(ms),
                _ => {
                    return Err(invalid(
                        "HAGGLE_WS_HEARTBEAT_MS",
                        "expected milliseconds ≥ 10",
                    ));
                }
            },
            None => Duration::from_secs(20),
        };
        let site_root =
            PathBuf::from(get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()));
        let log_json = get("HAGGLE_LOG_FORMAT").is_some_and(|v| v.eq_ignore_ascii_case("json"));
        let email_domains = get("HAGGLE_EMAIL_DOMAINS")
            .map(|v| {
                v.split(',')
                    .map(|d| d.trim().to_ascii_lowercase())
                    .filter(|d| !d.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        // A server reachable from other machines is meant to be reached over
        // HTTPS; a session cookie sent in the clear there would be the risk.
        let secure_cookies = match get("HAGGLE_SECURE_COOKIES") {
            None => !site_addr.ip().is_loopback(),
            set => flag("HAGGLE_SECURE_COOKIES", set)?,
        };
        let smtp_url = get("HAGGLE_SMTP_URL");
        let mail_from =
            get("HAGGLE_MAIL_FROM").unwrap_or_else(|| "Haggle <no-reply@haggle.localhost>".into());
        let vault_key = match get("HAGGLE_VAULT_KEY") {
            Some(v) => Some(
                hex::decode(v.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| invalid("HAGGLE_VAULT_KEY", "expected 64 hex digits"))?,
            ),
            None => None,
        };
        let increments = match get("HAGGLE_BID_INCREMENTS") {
            Some(spec) => IncrementTable::parse(&spec)
                .map_err(|reason| invalid("HAGGLE_BID_INCREMENTS", reason))?,
            None => IncrementTable::default_for(currency),
        };
        let soft_close = match get("HAGGLE_SOFT_CLOSE_MINUTES") {
            Some(v) => match v.parse::<u64>() {
                Ok(minutes) if minutes <= 24 * 60 => Duration::from_secs(minutes * 60),
                _ => {
                    return Err(invalid(
                        "HAGGLE_SOFT_CLOSE_MINUTES",
                        "expected whole minutes from 0 (off) to 1440",
                    ));
                }
            },
            None => Duration::from_millis(DEFAULT_SOFT_CLOSE_MS as u64),
        };
        let room_writes = match get("HAGGLE_ROOM_WRITES_PER_SECOND") {
            Some(v) => v.parse::<u32>().map_err(|_| {
                invalid(
                    "HAGGLE_ROOM_WRITES_PER_SECOND",
                    "expected a whole number (0 sends every update at once)",
                )
            })?,
            None => DEFAULT_ROOM_WRITES,
        };
        let trusted_proxies = match get("HAGGLE_TRUSTED_PROXIES") {
            Some(spec) => super::client::parse_networks(&spec)
                .map_err(|reason| invalid("HAGGLE_TRUSTED_PROXIES", reason))?,
            None => Vec::new(),
        };
        let sign_ups_per_hour = match get("HAGGLE_SIGN_UPS_PER_HOUR") {
            Some(v) => v.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                invalid(
                    "HAGGLE_SIGN_UPS_PER_HOUR",
                    "expected a whole number above 0",
                )
            })?,
            None => super::limits::SIGN_UPS_PER_HOUR,
        };
        let number = |name: &'static str, default: u64, least: u64| match get(name) {
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n >= least => Ok(n),
                _ => Err(invalid(name, format!("expected a whole number ≥ {least}"))),
            },
            None => Ok(default),
        };
        let (transport, sockets) = (Transport::default(), SocketLimits::default());
        let ms = |d: Duration| d.as_millis() as u64;
        let transport = Transport {
            header_timeout: Duration::from_millis(number(
                "HAGGLE_HEADER_TIMEOUT_MS",
                ms(transport.header_timeout),
                10,
            )?),
            request_timeout: Duration::from_millis(number(
                "HAGGLE_REQUEST_TIMEOUT_MS",
                ms(transport.request_timeout),
                10,
            )?),
            max_connections: usize::try_from(number(
                "HAGGLE_MAX_CONNECTIONS",
                transport.max_connections as u64,
                1,
            )?)
            .unwrap_or(usize::MAX),
        };
        let count = |name, default: u32| {
            number(name, u64::from(default), 0).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
        };
        let sockets = SocketLimits {
            per_address: count("HAGGLE_WS_PER_ADDRESS", sockets.per_address)?,
            messages_per_second: count(
                "HAGGLE_WS_MESSAGES_PER_SECOND",
                sockets.messages_per_second,
            )?,
            subscribes_per_minute: count(
                "HAGGLE_WS_SUBSCRIBES_PER_MINUTE",
                sockets.subscribes_per_minute,
            )?,
        };
        let timezone = match get("HAGGLE_TIMEZONE") {
            Some(name) => name.trim().parse::<chrono_tz::Tz>().map_err(|_| {
                invalid(
                    "HAGGLE_TIMEZONE",
                    format!(
                        "unknown time zone {name:?}: expected an IANA name such as Asia/Taipei or Europe/Berlin"
                    ),
                )
            })?,
            None => DEFAULT_TIMEZONE,
        };
        let ice_servers = match get("HAGGLE_ICE_SERVERS") {
            Some(text) => crate::domain::call::parse_ice_servers(&text)
                .map_err(|reason| invalid("HAGGLE_ICE_SERVERS", reason))?,
            None => Vec::new(),
        };
        let payments = match get("HAGGLE_PAYMENT_PROVIDER").as_deref().map(str::trim) {
            None | Some("simulated") => PaymentConfig::Simulated {
                test_cards: match get("HAGGLE_TEST_CARDS") {
                    Some(text) => crate::backend::wallet::provider::parse_test_cards(&text)
                        .map_err(|reason| invalid("HAGGLE_TEST_CARDS", reason))?,
                    None => Default::default(),
                },
            },
            Some("hosted") => PaymentConfig::Hosted {
                api_key: get("HAGGLE_PAYMENT_API_KEY").ok_or_else(|| {
                    invalid("HAGGLE_PAYMENT_API_KEY", "needed by the hosted provider")
                })?,
                webhook_secret: get("HAGGLE_PAYMENT_WEBHOOK_SECRET").ok_or_else(|| {
                    invalid(
                        "HAGGLE_PAYMENT_WEBHOOK_SECRET",
                        "needed by the hosted provider",
                    )
                })?,
            },
            Some(other) => {
                return Err(invalid(
                    "HAGGLE_PAYMENT_PROVIDER",
                    format!("{other:?}: expected simulated or hosted"),
                ));
            }
        };
        Ok(Config {
            payments,
            ice_servers,
            timezone,
            sign_ups_per_hour,
            transport,
            sockets,
            trusted_proxies,
            room_writes,
            increments,
            soft_close,
            site_addr,
            vault_key,
            data_dir,
            database_url,
            demo,
            demo_password,
            currency,
            heartbeat,
            site_root,
            log_json,
            email_domains,
            secure_cookies,
            smtp_url,
            mail_from,
            tesseract: get("HAGGLE_TESSERACT").unwrap_or_else(|| "tesseract".into()),
        })
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }

    /// Where mail and SMS land when no real provider is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// ID-card photos waiting for an admin's review (never served publicly).
    pub fn review_dir(&self) -> PathBuf {
        self.data_dir.join("id-review")
    }

    /// Prepared card images while Tesseract reads them; emptied at start-up.
    pub fn ocr_work_dir(&self) -> PathBuf {
        self.review_dir().join("tmp")
    }
}

fn flag(name: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match value.as_deref() {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(other) => Err(invalid(name, format!("expected 0 or 1, got {other:?}"))),
    }
}

fn invalid(name: &'static str, reason: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_a_local_sqlite_file() {
        let c = config(&[]).unwrap();
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url, "sqlite://./data/haggle.db");
        assert!(!c.demo);
        assert_eq!(c.currency, Currency::Twd);
        assert_eq!(c.heartbeat, Duration::from_secs(20));
        assert_eq!(c.media_dir(), PathBuf::from("./data/media"));
        assert!(!c.log_json);
        assert!(c.email_domains.is_empty());
        assert!(!c.secure_cookies);
        assert_eq!(c.increments, IncrementTable::default_for(Currency::Twd));
        assert_eq!(c.soft_close, Duration::from_secs(120));
        assert_eq!(c.room_writes, DEFAULT_ROOM_WRITES);
        assert!(c.trusted_proxies.is_empty());
        assert_eq!(c.sign_ups_per_hour, 10);
        assert_eq!(c.timezone, chrono_tz::Asia::Taipei);
        assert!(c.ice_servers.is_empty());
    }

    #[test]
    fn reads_every_variable() {
        let c = config(&[
            ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
            ("HAGGLE_DATA_DIR", "/srv/haggle"),
            ("HAGGLE_DEMO", "1"),
            ("HAGGLE_CURRENCY", "krw"),
            ("HAGGLE_WS_HEARTBEAT_MS", "250"),
            ("LEPTOS_SITE_ROOT", "/srv/site"),
            ("HAGGLE_LOG_FORMAT", "JSON"),
            ("HAGGLE_EMAIL_DOMAINS", "School.edu, ,alumni.school.edu"),
            ("HAGGLE_SECURE_COOKIES", "1"),
            ("HAGGLE_BID_INCREMENTS", "0:100,5000:500"),
            ("HAGGLE_SOFT_CLOSE_MINUTES", "0"),
            ("HAGGLE_ROOM_WRITES_PER_SECOND", "0"),
            ("HAGGLE_TRUSTED_PROXIES", "10.0.0.0/8,::1"),
            ("HAGGLE_SIGN_UPS_PER_HOUR", "1000"),
            ("HAGGLE_TIMEZONE", "America/New_York"),
            (
                "HAGGLE_ICE_SERVERS",
                r#"[{"urls":"stun:stun.example.org"}]"#,
            ),
        ])
        .unwrap();
        assert_eq!(c.ice_servers[0].urls, ["stun:stun.example.org"]);
        assert_eq!(c.timezone, chrono_tz::America::New_York);
        assert_eq!(c.sign_ups_per_hour, 1000);
        assert_eq!(c.trusted_proxies.len(), 2);
        assert_eq!(c.room_writes, 0);
        assert_eq!(c.increments.step(4_999), 100);
        assert_eq!(c.increments.step(5_000), 500);
        assert_eq!(c.soft_close, Duration::ZERO);
        assert_eq!(c.site_addr.port(), 8080);
        assert_eq!(c.database_url, "sqlite:///srv/haggle/haggle.db");
        assert!(c.demo);
        assert_eq!(c.currency, Currency::Krw);
        assert_eq!(c.heartbeat, Duration::from_millis(250));
        assert_eq!(c.site_root, PathBuf::from("/srv/site"));
        assert!(c.log_json);
        assert_eq!(c.email_domains, vec!["school.edu", "alumni.school.edu"]);
        assert!(c.secure_cookies);
        // Listening beyond loopback: Secure unless turned off on purpose.
        assert!(
            config(&[("LEPTOS_SITE_ADDR", "0.0.0.0:80")])
                .unwrap()
                .secure_cookies
        );
        assert!(
            !config(&[
                ("LEPTOS_SITE_ADDR", "[::]:80"),
                ("HAGGLE_SECURE_COOKIES", "0")
            ])
            .unwrap()
            .secure_cookies
        );
        assert!(
            !config(&[("LEPTOS_SITE_ADDR", "[::1]:80")])
                .unwrap()
                .secure_cookies
        );
        let c = config(&[
            ("DATABASE_URL", "sqlite::memory:"),
            ("HAGGLE_DATA_DIR", "/x"),
        ])
        .unwrap();
        assert_eq!(c.database_url, "sqlite::memory:");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let name_of = |r: Result<Config, ConfigError>| match r {
            Err(ConfigError::Invalid { name, .. }) => name,
            Ok(_) => "accepted",
        };
        assert_eq!(
            name_of(config(&[("LEPTOS_SITE_ADDR", "nope")])),
            "LEPTOS_SITE_ADDR"
        );
        assert_eq!(name_of(config(&[("HAGGLE_DEMO", "yes")])), "HAGGLE_DEMO");
        assert_eq!(
            name_of(config(&[(
                "HAGGLE_ICE_SERVERS",
                r#"[{"urls":"http://x"}]"#
            )])),
            "HAGGLE_ICE_SERVERS"
        );
        assert_eq!(
            name_of(config(&[("HAGGLE_SECURE_COOKIES", "2")])),
            "HAGGLE_SECURE_COOKIES"
        );
        assert_eq!(
            name_of(config(&[("HAGGLE_CURRENCY", "BTC")])),
            "HAGGLE_CURRENCY"
        );
        assert_eq!(
            name_of(config(&[("HAGGLE_WS_HEARTBEAT_MS", "5")])),
            "HAGGLE_WS_HEARTBEAT_MS"
        );
        assert_eq!(
            name_of(config(&[("HAGGLE_BID_INCREMENTS", "10:5")])),
            "HAGGLE_BID_INCREMENTS"
        );
        assert_eq!(
            name_of(config(&[("HAGGLE_SOFT_CLOSE_MINUTES", "-1")])),
            "HAGGLE_SOFT_CLOSE_MINUTES"
        );
        assert_eq!(
            name_of(config(&[("HAGGLE_ROOM_WRITES_PER_SECOND", "-1")])),
            "HAGGLE_ROOM_WRITES_PER_SECOND"
        );
        assert_eq!(
            name_of(config(&[("HAGGLE_TRUSTED_PROXIES", "proxy")])),
            "HAGGLE_TRUSTED_PROXIES"
        );
    }

    #[test]
    fn an_unknown_time_zone_stops_the_start() {
        for bad in ["Mars/Olympus_Mons", "GMT+8", "taipei", "+08:00"] {
            let err = config(&[("HAGGLE_TIMEZONE", bad)]).err();
            let shown = err.as_ref().map(ToString::to_string).unwrap_or_default();
            assert!(
                shown.starts_with("HAGGLE_TIMEZONE: unknown time zone")
                    && shown.contains("Asia/Taipei"),
                "{bad}: {shown:?}"
            );
        }
        assert_eq!(
            config(&[("HAGGLE_TIMEZONE", "UTC")]).unwrap().timezone,
            chrono_tz::UTC
        );
    }

    #[test]
    fn debug_output_leaves_out_the_secrets() {
        let key = "ab".repeat(32);
        let c = config(&[
            ("HAGGLE_SMTP_URL", "smtps://mailer:hunter2@mail.example:465"),
            ("HAGGLE_VAULT_KEY", &key),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("mailer"),
            "{shown}"
        );
        assert!(shown.contains("smtps://…@mail.example:465"), "{shown}");
        assert!(
            !shown.contains("171, 171") && shown.contains("vault_key: Some(\"(set)\")"),
            "{shown}"
        );
        // What is no secret is still there to debug with.
        assert!(
            shown.contains("site_addr") && shown.contains("room_writes"),
            "{shown}"
        );
        assert_eq!(
            without_credentials("smtp://mail.example:25"),
            "smtp://mail.example:25"
        );
    }
}
