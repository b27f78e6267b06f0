//! Hostile pictures: ID-card photos and avatars whose few hundred kilobytes
//! of PNG decode to hundreds of megabytes (or, upscaled, to gigabytes).

use crate::{
    http::{Answer, Call, Part, Tally, send},
    server::BidderLine,
    socket::claimed,
};
use app::domain::account::id_number::IdNumber;
use image::{ImageFormat, Rgb, RgbImage};
use std::{
    io::Cursor,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

/// An upload is given up after this; a server that takes longer has failed it.
const UPLOAD_LIMIT: Duration = Duration::from_secs(60);

/// The pictures, encoded once.
pub(crate) struct Pictures {
    /// 1 × 8000: the upscaling bomb.
    pub(crate) strip: Arc<Vec<u8>>,
    /// 8000 × 8000: 192 MB of RGB once decoded.
    pub(crate) square: Arc<Vec<u8>>,
}

impl Pictures {
    /// Squares of two colours, 500 px wide: what the decoder must allocate
    /// is all that matters, and flat squares keep the PNG small, as an
    /// attacker's would be.
    pub(crate) fn make() -> Result<Pictures, String> {
        let png = |width: u32, height: u32| {
            let img = RgbImage::from_fn(width, height, |x, y| {
                if (x / 500 + y / 500) % 2 == 0 {
                    Rgb([236, 232, 220])
                } else {
                    Rgb([40, 70, 110])
                }
            });
            let mut out = Vec::new();
            img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
                .map_err(|e| format!("encoding a {width} × {height} PNG: {e}"))?;
            Ok::<_, String>(Arc::new(out))
        };
        Ok(Pictures {
            strip: png(1, 8000)?,
            square: png(8000, 8000)?,
        })
    }
}

/// A valid number for the form: `prefix` and the check digit that fits.
fn id_number(prefix: &str) -> String {
    (0..10)
        .map(|d| format!("{prefix}{d}"))
        .find(|n| IdNumber::parse(n).is_some())
        .unwrap_or_else(|| format!("{prefix}0"))
}

/// One upload's outcome.
pub(crate) struct Sent {
    pub(crate) what: &'static str,
    pub(crate) answer: Result<Answer, String>,
}

impl Sent {
    pub(crate) fn describe(&self) -> String {
        match &self.answer {
            Ok(a) => format!(
                "{} in {:.2} s  {}",
                a.status,
                a.took.as_secs_f64(),
                a.body.chars().take(90).collect::<String>()
            ),
            Err(e) => e.clone(),
        }
    }

    pub(crate) fn refused_clearly(&self) -> bool {
        matches!(&self.answer, Ok(a) if (400..500).contains(&a.status))
    }
}

/// One ID-card photo to send.
pub(crate) struct IdPhoto {
    pub(crate) what: &'static str,
    pub(crate) bytes: Arc<Vec<u8>>,
    number: String,
    client: u32,
}

/// Scenario 1's photos, each to be sent by its own verified member (a
/// member's checks may be limited per day; that limit is not what is
/// measured here).
pub(crate) fn id_photos(pictures: &Pictures) -> Vec<IdPhoto> {
    vec![
        IdPhoto {
            what: "1 × 8000",
            bytes: pictures.strip.clone(),
            number: id_number("A12345678"),
            client: 61_000,
        },
        IdPhoto {
            what: "8000 × 8000",
            bytes: pictures.square.clone(),
            number: id_number("B12345678"),
            client: 61_001,
        },
    ]
}

impl IdPhoto {
    pub(crate) async fn send(&self, addr: SocketAddr, member: &BidderLine) -> Sent {
        let call = Call::multipart(
            "/api/identity/verify",
            &[
                Part::Text("number", self.number.clone()),
                Part::File("photo", "card.png", "image/png", self.bytes.clone()),
            ],
        )
        .cookie(&member.cookie)
        .from(claimed(self.client));
        Sent {
            what: self.what,
            answer: send(addr, &call, UPLOAD_LIMIT).await,
        }
    }
}

/// Scenario 2's figures.
pub(crate) struct Avatars {
    pub(crate) tally: Tally,
    pub(crate) took: Duration,
    pub(crate) slowest: Duration,
}

/// Scenario 2: one 8000 × 8000 avatar from each member, all at once (many
/// members, so that no per-member limit can stand in for a bound on the
/// decodes in flight).
pub(crate) async fn avatars(
    addr: SocketAddr,
    members: &[BidderLine],
    pictures: &Pictures,
) -> Result<Avatars, String> {
    let started = Instant::now();
    let tasks: Vec<_> = members
        .iter()
        .enumerate()
        .map(|(i, member)| {
            let call = Call::multipart(
                "/api/account/avatar",
                &[Part::File(
                    "avatar",
                    "me.png",
                    "image/png",
                    pictures.square.clone(),
                )],
            )
            .cookie(&member.cookie)
            .from(claimed(62_000 + i as u32));
            tokio::spawn(async move { send(addr, &call, UPLOAD_LIMIT).await })
        })
        .collect();
    let mut tally = Tally::default();
    let mut slowest = Duration::ZERO;
    for task in tasks {
        let answer = task.await.map_err(|e| e.to_string())?;
        if let Ok(a) = &answer {
            slowest = slowest.max(a.took);
        }
        tally.add(&answer);
    }
    Ok(Avatars {
        tally,
        took: started.elapsed(),
        slowest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_get_their_check_digit() {
        for prefix in ["A12345678", "B12345678"] {
            assert!(IdNumber::parse(&id_number(prefix)).is_some(), "{prefix}");
        }
    }
}
