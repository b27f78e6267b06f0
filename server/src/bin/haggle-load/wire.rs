//! What the server sends, as this tool reads it: the bidders with serde
//! (into plain structs), the watchers without a JSON parser.

use app::{domain::auction::Phase, error::AppError, model::BidAck};
use memchr::memmem::Finder;
use serde::Deserialize;
use std::{collections::VecDeque, sync::LazyLock};

// Server messages are internally tagged (`{"type":…` first, as serde writes
// them), so a prefix says what a frame is without parsing it.
pub(crate) const SNAPSHOT_TAG: &str = r#"{"type":"auction_snapshot","#;
pub(crate) const UPDATE_TAG: &str = r#"{"type":"auction_update","live":{"#;
pub(crate) const STEP_TAG: &str = r#"{"type":"auction_step","#;
/// What both an update and a step start with.
const ROOM_TAG: &str = r#"{"type":"auction_"#;
pub(crate) const BATCH_TAG: &str = r#"{"type":"batch","msgs":["#;
pub(crate) const ACK_TAG: &str = r#"{"type":"ack","#;
pub(crate) const ERROR_TAG: &str = r#"{"type":"error","#;

/// The parts of `AuctionLive` the bidders need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LiveState {
    pub(crate) seq: i64,
    pub(crate) price: i64,
    pub(crate) min_bid: i64,
    pub(crate) leader: Option<i64>,
    pub(crate) live: bool,
}

#[derive(Deserialize)]
struct MinorWire {
    minor: i64,
}

#[derive(Deserialize)]
struct IdWire {
    id: i64,
}

#[derive(Deserialize)]
pub(crate) struct LiveWire {
    seq: i64,
    phase: Phase,
    price: MinorWire,
    min_bid: MinorWire,
    leader: Option<IdWire>,
}

impl LiveWire {
    pub(crate) fn state(&self) -> LiveState {
        LiveState {
            seq: self.seq,
            price: self.price.minor,
            min_bid: self.min_bid.minor,
            leader: self.leader.as_ref().map(|l| l.id),
            live: self.phase == Phase::Live,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct RoomWire {
    pub(crate) live: LiveWire,
}

#[derive(Deserialize)]
pub(crate) struct SnapshotWire {
    pub(crate) room: RoomWire,
}

#[derive(Deserialize)]
struct BidLineWire {
    bidder: IdWire,
    price: MinorWire,
}

#[derive(Deserialize)]
struct UpdateWire {
    live: LiveWire,
    bid: Option<BidLineWire>,
}

/// An update a later one in its batch brings up to date.
#[derive(Deserialize)]
struct StepWire {
    seq: i64,
    bid: Option<BidLineWire>,
}

/// An update as the bidders use it: whole, or a step without the state.
pub(crate) struct Update {
    pub(crate) seq: i64,
    pub(crate) bidder: Option<i64>,
    /// The price it made: the state's, or a step's bid line's.
    pub(crate) price: Option<i64>,
    pub(crate) live: Option<LiveState>,
}

impl From<UpdateWire> for Update {
    fn from(u: UpdateWire) -> Update {
        let live = u.live.state();
        Update {
            seq: live.seq,
            bidder: u.bid.map(|b| b.bidder.id),
            price: Some(live.price),
            live: Some(live),
        }
    }
}

impl From<StepWire> for Update {
    fn from(s: StepWire) -> Update {
        Update {
            seq: s.seq,
            bidder: s.bid.as_ref().map(|b| b.bidder.id),
            price: s.bid.map(|b| b.price.minor),
            live: None,
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct AckWire {
    pub(crate) req: u32,
    pub(crate) result: Result<Option<BidAck>, AppError>,
}

/// A server message as the bidders read it.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Wire {
    AuctionUpdate(UpdateWire),
    AuctionStep(StepWire),
    Ack(AckWire),
    Batch {
        msgs: Vec<Wire>,
    },
    #[serde(other)]
    Other,
}

impl Wire {
    /// This message, or a batch's, in order, as [`Frame`]s.
    fn flatten_into(self, out: &mut VecDeque<Frame>) {
        match self {
            Wire::AuctionUpdate(u) => out.push_back(Frame::Update(u.into())),
            Wire::AuctionStep(s) => out.push_back(Frame::Update(s.into())),
            Wire::Ack(a) => out.push_back(Frame::Ack(a)),
            Wire::Batch { msgs } => msgs.into_iter().for_each(|m| m.flatten_into(out)),
            Wire::Other => out.push_back(Frame::Other),
        }
    }
}

pub(crate) enum Frame {
    Update(Update),
    Ack(AckWire),
    Other,
}

/// Queues what a bidder needs of a frame: an Ack, or each update. Each is
/// read as a plain struct from where it starts, which skips the buffering
/// serde needs to read a tagged enum.
pub(crate) fn read_frame(text: &str, pending: &mut VecDeque<Frame>) -> serde_json::Result<()> {
    fn first<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
        // A batch's member runs on to the batch's end: read its value only.
        serde_json::Deserializer::from_str(text)
            .into_iter()
            .next()
            .unwrap_or_else(|| Err(serde::de::Error::custom("an empty member")))
    }
    if text.starts_with(ACK_TAG) {
        pending.push_back(Frame::Ack(serde_json::from_str(text)?));
        return Ok(());
    }
    for member in update_texts(text) {
        let update = if member.starts_with(UPDATE_TAG) {
            first::<UpdateWire>(member)?.into()
        } else {
            first::<StepWire>(member)?.into()
        };
        pending.push_back(Frame::Update(update));
    }
    Ok(())
}

/// The updates a frame carries, each as the text from its start: the frame
/// itself, or the members of a batch. A string inside JSON cannot hold the
/// tag (its quotes would be escaped), so every match is a real update.
pub(crate) fn update_texts(text: &str) -> impl Iterator<Item = &str> {
    let is_update = |t: &str| t.starts_with(UPDATE_TAG) || t.starts_with(STEP_TAG);
    let count = if text.starts_with(BATCH_TAG) {
        usize::MAX
    } else {
        usize::from(is_update(text))
    };
    // The tag starts with `{`, so each match is at a character boundary.
    FIND.room
        .find_iter(text.as_bytes())
        .take(count)
        .map(move |i| &text[i..])
        .filter(move |t| is_update(t))
}

/// Searchers built once, as the watchers run them for every update.
struct Finders {
    room: Finder<'static>,
    seq: Finder<'static>,
    price: Finder<'static>,
    bid: Finder<'static>,
}

static FIND: LazyLock<Finders> = LazyLock::new(|| Finders {
    room: Finder::new(ROOM_TAG),
    seq: Finder::new(r#""seq":"#),
    price: Finder::new(r#""price":{"minor":"#),
    bid: Finder::new(r#""bid":"#),
});

/// A watcher's view of an update, read without a JSON parser: its `seq`
/// and the price it made, if it says. An update's is `live.price.minor`,
/// which serde writes first (`listing`, `seq`, …, `price`), before the bid
/// line; a step's is its bid line's, when it has one. Watchers share the
/// machine's two cores with the server, so this is what they do for each of
/// the millions of updates; a sample is checked against the full parse (see
/// [`crate::watchers::watcher`]).
pub(crate) fn fast_update(text: &str) -> Option<(i64, Option<i64>)> {
    if let Some(live) = text.strip_prefix(UPDATE_TAG) {
        let live = live.as_bytes();
        return Some((
            number_after(live, &FIND.seq)?,
            Some(number_after(live, &FIND.price)?),
        ));
    }
    let step = text.strip_prefix(STEP_TAG)?.as_bytes();
    let seq = number_after(step, &FIND.seq)?;
    // `text` runs on to the end of the batch: a step without a bid line
    // must not read the next message's price.
    let bid = &step[FIND.bid.find(step)? + FIND.bid.needle().len()..];
    if bid.starts_with(b"null") {
        return Some((seq, None));
    }
    Some((seq, Some(number_after(bid, &FIND.price)?)))
}

/// The integer right after the first match of `key` in `text`.
fn number_after(text: &[u8], key: &Finder) -> Option<i64> {
    let rest = &text[key.find(text)? + key.needle().len()..];
    let (negative, rest) = match rest.split_first() {
        Some((b'-', digits)) => (true, digits),
        _ => (false, rest),
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let value = rest[..digits].iter().try_fold(0_i64, |n, d| {
        n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
    })?;
    Some(if negative { -value } else { value })
}

/// The slow, sure reading of every update in a frame, which the fast one
/// ([`update_texts`], [`fast_update`]) is checked against.
pub(crate) fn full_updates(text: &str) -> Option<Vec<(i64, Option<i64>)>> {
    let mut frames = VecDeque::new();
    serde_json::from_str::<Wire>(text)
        .ok()?
        .flatten_into(&mut frames);
    Some(
        frames
            .into_iter()
            .filter_map(|f| match f {
                Frame::Update(u) => Some((u.seq, u.price)),
                _ => None,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::{
        domain::{
            auction::BidRefusal,
            money::{Currency, Money},
        },
        model::{AuctionLive, BidLine, Participant},
        protocol::{AuctionEvent, ServerMsg},
    };

    fn update(seq: i64, price: i64, bidder: Option<i64>) -> String {
        let money = |minor| Money::new(minor, Currency::Twd);
        let msg = ServerMsg::Auction(AuctionEvent::Update {
            live: AuctionLive {
                listing: 77,
                seq,
                phase: Phase::Live,
                outcome: None,
                price: money(price),
                bids: 3,
                leader: Some(Participant {
                    id: 5,
                    name: "seq 9 \"price\":{\"minor\":1}".into(),
                }),
                starts_at: 1,
                ends_at: 2,
                has_reserve: false,
                reserve_met: true,
                buy_now: None,
                min_bid: money(price + 10),
            },
            bid: bidder.map(|id| BidLine {
                id: 1,
                bidder: Participant {
                    id,
                    name: "x".into(),
                },
                price: money(price),
                at: 0,
                buy_now: false,
            }),
        });
        serde_json::to_string(&msg).unwrap()
    }

    #[test]
    fn the_fast_reading_agrees_with_the_wire_format() {
        for (seq, price) in [(1, 1000), (42, 7), (123_456, 98_765_432)] {
            let text = update(seq, price, Some(3));
            assert_eq!(fast_update(&text), Some((seq, Some(price))), "{text}");
            assert_eq!(full_updates(&text), Some(vec![(seq, Some(price))]));
            let Ok(Wire::AuctionUpdate(u)) = serde_json::from_str(&text) else {
                panic!("an update")
            };
            assert_eq!(u.bid.map(|b| b.bidder.id), Some(3));
            assert_eq!(u.live.state().min_bid, price + 10);
        }
        assert_eq!(
            fast_update(r#"{"type":"heartbeat","server_time_ms":1}"#),
            None
        );
        assert!(update(1, 1, None).starts_with(UPDATE_TAG));
    }

    #[test]
    fn a_batch_is_read_update_by_update() {
        let msg = |text: String| serde_json::from_str::<ServerMsg>(&text).unwrap();
        let batch = ServerMsg::Batch {
            msgs: vec![
                msg(update(6, 90, Some(3))).brief().unwrap(),
                msg(update(7, 100, None)).brief().unwrap(),
                ServerMsg::Auction(AuctionEvent::Presence {
                    listing: 77,
                    watching: 2,
                    joined: Some(UPDATE_TAG.into()),
                    left: None,
                }),
                msg(update(8, 110, None)),
            ],
        };
        let text = serde_json::to_string(&batch).unwrap();
        assert!(text.starts_with(BATCH_TAG));
        let fast: Vec<_> = update_texts(&text).filter_map(fast_update).collect();
        // A step tells the price its bid line made, and nothing without one.
        assert_eq!(fast, vec![(6, Some(90)), (7, None), (8, Some(110))]);
        assert_eq!(full_updates(&text), Some(fast));
        // The bidders' reading: who bid, and the state only where it is whole.
        let mut frames = VecDeque::new();
        read_frame(&text, &mut frames).unwrap();
        let read: Vec<_> = frames
            .iter()
            .map(|f| match f {
                Frame::Update(u) => (u.seq, u.bidder, u.price, u.live.map(|l| l.min_bid)),
                _ => panic!("only updates in a room's batch"),
            })
            .collect();
        assert_eq!(
            read,
            vec![
                (6, Some(3), Some(90), None),
                (7, None, None, None),
                (8, None, Some(110), Some(120)),
            ]
        );
        let refusal = ServerMsg::Ack {
            req: 4,
            result: Err(AppError::Bid(BidRefusal::TooLow { minimum: 130 })),
        };
        read_frame(&serde_json::to_string(&refusal).unwrap(), &mut frames).unwrap();
        assert!(matches!(
            frames.pop_back(),
            Some(Frame::Ack(AckWire {
                req: 4,
                result: Err(AppError::Bid(BidRefusal::TooLow { minimum: 130 }))
            }))
        ));
        // Anything else carries no update, even when a string quotes the tag.
        let chat = serde_json::to_string(&ServerMsg::Batch {
            msgs: vec![ServerMsg::Pong],
        })
        .unwrap();
        assert_eq!(update_texts(&chat).count(), 0);
        assert_eq!(
            update_texts(r#"{"type":"error","code":"bad_message"}"#).count(),
            0
        );
    }
}
