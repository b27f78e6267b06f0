//! The signed-in, closed-loop bidders.

use crate::{
    CONNECTING, SETTLE_WAIT,
    server::BidderLine,
    socket::{Clock, Ws, claimed, join, next_frame, open_as, send},
    wire::{Frame, LiveState, Update},
};
use app::{
    domain::auction::{BidRefusal, increment::IncrementTable},
    error::AppError,
    model::BidAck,
    protocol::{AuctionCommand, ClientMsg},
};
use std::{collections::VecDeque, net::SocketAddr, sync::Arc, time::Duration};
use tokio::{sync::Semaphore, time::timeout};

/// An accepted bid as its bidder saw it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Accepted {
    pub(crate) amount: i64,
    pub(crate) price: i64,
    pub(crate) sent_us: u64,
    pub(crate) acked_us: u64,
    /// The update it made, once the bidder has seen it.
    pub(crate) seq: Option<i64>,
}

#[derive(Debug, Default)]
pub(crate) struct BidderReport {
    pub(crate) me: i64,
    pub(crate) accepted: Vec<Accepted>,
    pub(crate) too_low: u64,
    pub(crate) not_above_own_max: u64,
    /// Any other refusal or failure; fails the load test.
    pub(crate) errors: Vec<String>,
    /// Send → Ack of every bid, and of the accepted ones.
    pub(crate) ack_us: Vec<u64>,
    pub(crate) ack_accepted_us: Vec<u64>,
    /// A bid was sent and the socket died before its Ack (crash mode).
    pub(crate) in_flight: Option<i64>,
    pub(crate) closed: bool,
    pub(crate) last_ack_us: u64,
}

pub(crate) struct Bidding {
    pub(crate) listing: i64,
    pub(crate) clock: Clock,
    /// Stop bidding at this time; `None`: until the socket dies.
    pub(crate) stop_us: Option<u64>,
    pub(crate) spread: u64,
    pub(crate) increments: IncrementTable,
    /// At least this long between two bids of one bidder (µs); 0: as fast
    /// as the Acks come. A paced bidder stays within the server's default
    /// message rate per socket, as a person (or a bidding script) must.
    pub(crate) pace_us: u64,
}

/// A closed-loop bidder; see the header of `main.rs` for its rules.
pub(crate) async fn bidder(
    mut ws: Ws,
    mut state: LiveState,
    me: i64,
    b: Arc<Bidding>,
) -> (BidderReport, Ws) {
    let mut report = BidderReport {
        me,
        ..BidderReport::default()
    };
    let mut pending = VecDeque::new();
    // This bidder's updates (by seq) not yet matched with an accepted Ack.
    let mut mine: VecDeque<i64> = VecDeque::new();
    let mut matched = 0;
    let mut retry: Option<i64> = None;
    let mut last_sent: Option<u64> = None;
    let mut req: u32 = 0;
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64 ^ (me as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let mut leading_since: Option<u64> = None;

    // Applies an update; pairs this bidder's updates with its accepted bids.
    // Updates queued before the Ack of this bidder's latest accepted bid come
    // after it, yet are older: they may only raise what the Ack taught.
    fn apply(
        update: Update,
        me: i64,
        state: &mut LiveState,
        mine: &mut VecDeque<i64>,
        report: &mut BidderReport,
        matched: &mut usize,
    ) {
        if update.bidder == Some(me) {
            mine.push_back(update.seq);
        }
        while *matched < report.accepted.len()
            && let Some(seq) = mine.pop_front()
        {
            report.accepted[*matched].seq = Some(seq);
            *matched += 1;
        }
        // A step's state comes with the later update of its batch.
        let Some(live) = update.live else { return };
        if live.seq <= state.seq {
            return;
        }
        if *matched < report.accepted.len() {
            state.seq = live.seq;
            state.price = state.price.max(live.price);
            state.min_bid = state.min_bid.max(live.min_bid);
            state.live = live.live;
            if state.leader != Some(me) {
                state.leader = live.leader;
            }
        } else {
            *state = live;
        }
    }

    'bidding: loop {
        let now = b.clock.us();
        if b.stop_us.is_some_and(|stop| now >= stop) || !state.live {
            break;
        }
        if retry.is_none() && state.leader == Some(me) {
            // Leading: wait for someone to outbid us rather than raise our
            // own maximum, unless nobody does for a second.
            let since = *leading_since.get_or_insert(now);
            if now - since < 1_000_000 {
                match timeout(
                    Duration::from_millis(100),
                    next_frame(&mut ws, &mut pending),
                )
                .await
                {
                    Err(_) | Ok(Some(Ok(Frame::Other))) => {}
                    Ok(Some(Ok(Frame::Update(u)))) => {
                        apply(u, me, &mut state, &mut mine, &mut report, &mut matched)
                    }
                    Ok(Some(Ok(Frame::Ack(a)))) => report
                        .errors
                        .push(format!("an Ack nobody asked for: {}", a.req)),
                    Ok(Some(Err(e))) => report.errors.push(e),
                    Ok(None) => {
                        report.closed = true;
                        break 'bidding;
                    }
                }
                continue;
            }
        }
        leading_since = None;
        let minimum = retry.take().unwrap_or(state.min_bid);
        let extra = if b.spread == 0 {
            0
        } else {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % (b.spread + 1)) as i64
        };
        let amount = minimum + extra * b.increments.step(minimum);
        if b.pace_us > 0 {
            let due = last_sent.map_or(0, |at| at + b.pace_us);
            let now = b.clock.us();
            if due > now {
                tokio::time::sleep(Duration::from_micros(due - now)).await;
            }
        }
        req = req.wrapping_add(1);
        let sent = b.clock.us();
        last_sent = Some(sent);
        if send(
            &mut ws,
            &ClientMsg::Auction(AuctionCommand::Bid {
                listing: b.listing,
                amount,
                req,
            }),
        )
        .await
        .is_err()
        {
            report.closed = true;
            break;
        }
        report.in_flight = Some(amount);
        let ack = loop {
            match next_frame(&mut ws, &mut pending).await {
                Some(Ok(Frame::Ack(ack))) if ack.req == req => break ack,
                Some(Ok(Frame::Ack(ack))) => report
                    .errors
                    .push(format!("an Ack for {} while waiting for {req}", ack.req)),
                Some(Ok(Frame::Update(u))) => {
                    apply(u, me, &mut state, &mut mine, &mut report, &mut matched)
                }
                Some(Ok(Frame::Other)) => {}
                Some(Err(e)) => report.errors.push(e),
                None => {
                    report.closed = true;
                    break 'bidding;
                }
            }
        };
        report.in_flight = None;
        let at = b.clock.us();
        report.last_ack_us = at;
        report.ack_us.push(at - sent);
        match ack.result {
            Ok(Some(BidAck { price, leading, .. })) => {
                // The Ack comes before the update it made: act on it now, or
                // the next bid would go out against the stale state.
                state.price = state.price.max(price.minor);
                state.min_bid = state
                    .min_bid
                    .max(price.minor + b.increments.step(price.minor));
                if leading {
                    state.leader = Some(me);
                }
                report.ack_accepted_us.push(at - sent);
                report.accepted.push(Accepted {
                    amount,
                    price: price.minor,
                    sent_us: sent,
                    acked_us: at,
                    seq: None,
                });
                while matched < report.accepted.len()
                    && let Some(seq) = mine.pop_front()
                {
                    report.accepted[matched].seq = Some(seq);
                    matched += 1;
                }
            }
            Err(AppError::Bid(BidRefusal::TooLow { minimum })) => {
                report.too_low += 1;
                retry = Some(minimum);
            }
            Err(AppError::Bid(BidRefusal::NotAboveYourMax { .. })) => {
                // Leading after all: wait to be outbid, as a leader does.
                report.not_above_own_max += 1;
                state.leader = Some(me);
            }
            Ok(None) => report
                .errors
                .push("an accepted bid without its price".into()),
            Err(e) => {
                report
                    .errors
                    .push(format!("bid of {amount} refused: {e:?}"));
                if report.errors.len() > 20 {
                    break;
                }
            }
        }
    }
    // Until this bidder has seen the update of each of its accepted bids.
    if !report.closed {
        let drain = async {
            while matched < report.accepted.len() {
                match next_frame(&mut ws, &mut pending).await {
                    Some(Ok(Frame::Update(u))) => {
                        apply(u, me, &mut state, &mut mine, &mut report, &mut matched)
                    }
                    Some(_) => {}
                    None => {
                        report.closed = true;
                        break;
                    }
                }
            }
        };
        let _ = timeout(SETTLE_WAIT, drain).await;
    }
    (report, ws)
}

/// Opens, signs in and joins every bidder's socket, `CONNECTING` at a time.
/// With `claim_from`, bidder `i` claims to come from [`claimed`]`(claim_from + i)`.
pub(crate) async fn connect_bidders(
    addr: SocketAddr,
    listing: i64,
    bidders: &[BidderLine],
    claim_from: Option<u32>,
) -> Result<Vec<(Ws, LiveState, i64)>, String> {
    let gate = Arc::new(Semaphore::new(CONNECTING));
    let tasks: Vec<_> = bidders
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let (gate, cookie, me) = (gate.clone(), b.cookie.clone(), b.bidder);
            let client = claim_from.map(|base| claimed(base + i as u32));
            tokio::spawn(async move {
                let _turn = gate.acquire().await.map_err(|e| e.to_string())?;
                let mut ws = open_as(addr, Some(&cookie), client).await?;
                let state = join(&mut ws, listing).await?;
                Ok::<_, String>((ws, state, me))
            })
        })
        .collect();
    let mut joined = Vec::with_capacity(tasks.len());
    for task in tasks {
        joined.push(task.await.map_err(|e| e.to_string())??);
    }
    Ok(joined)
}
