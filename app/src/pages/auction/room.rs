//! `/a/<id>`: the live auction room. Rendered on the server from a snapshot
//! (so it works, and bids, without JavaScript); in the browser it follows the
//! room over the WebSocket: numbered updates, chat, who comes and goes.

use crate::{
    api::auction::{BuyNow, CancelAuction, EndAuction, PlaceBid, fetch_auction_room},
    components::{
        form::{FormFailure, ProblemText, problem_of},
        time::When,
    },
    domain::{
        auction::{
            BidRefusal, Outcome, Phase,
            price_chart::{Area, step_line},
        },
        catalog::check_amount,
        form::Field,
        money::{Currency, Money},
    },
    error::AppError,
    i18n::*,
    live::Live,
    model::{AuctionLive, AuctionRoom, BidLine, ChatLine},
    pages::not_found::NotFoundPage,
    protocol::{AuctionCommand, AuctionEvent, ClientMsg, ServerMsg},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;

#[component]
pub fn AuctionPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let room = Resource::new(
        move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => fetch_auction_room(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match room.await {
                    Ok(room) => Either::Left(view! {
                        <Title text=format!("{} · Haggle", room.title) />
                        <Room room />
                    }),
                    Err(AppError::NotFound) => Either::Right(view! { <NotFoundPage /> }.into_any()),
                    Err(_) => Either::Right(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any()),
                }
            })}
        </Suspense>
    }
}

/// One entry of the room's feed: a chat line, or someone coming or going.
#[derive(Clone, PartialEq)]
// The server renders only the stored chat; comings and goings arrive live.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum FeedItem {
    Chat(ChatLine),
    Joined(String),
    Left(String),
}

/// The room's state in this tab, fed by the snapshot and then the updates.
#[derive(Clone, Copy)]
struct RoomState {
    live: RwSignal<AuctionLive>,
    history: RwSignal<Vec<BidLine>>,
    feed: RwSignal<Vec<FeedItem>>,
    watching: RwSignal<u32>,
    my_max: RwSignal<Option<Money>>,
    my_order: RwSignal<Option<String>>,
    /// The last answer to one of this tab's bids or chat lines.
    answer: RwSignal<Option<Result<Option<crate::model::BidAck>, AppError>>>,
    next_req: StoredValue<u32>,
    currency: Currency,
}

/// How much history a tab keeps while the room runs.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const KEEP: usize = 200;

impl RoomState {
    fn new(room: &AuctionRoom) -> RoomState {
        RoomState {
            live: RwSignal::new(room.live.clone()),
            history: RwSignal::new(room.history.clone()),
            feed: RwSignal::new(room.chat.iter().cloned().map(FeedItem::Chat).collect()),
            watching: RwSignal::new(room.watching),
            my_max: RwSignal::new(room.my_max),
            my_order: RwSignal::new(room.my_order.clone()),
            answer: RwSignal::new(None),
            next_req: StoredValue::new(0),
            currency: room.live.price.currency,
        }
    }

    // Live updates are applied in the browser only.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn reset(&self, room: &AuctionRoom) {
        self.live.set(room.live.clone());
        self.history.set(room.history.clone());
        self.feed
            .set(room.chat.iter().cloned().map(FeedItem::Chat).collect());
        self.watching.set(room.watching);
        self.my_max.set(room.my_max);
        self.my_order.set(room.my_order.clone());
    }

    /// Applies one message of the room. Returns false when an update was
    /// missed (its number skips ahead), so the caller asks for a snapshot.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn apply(&self, msg: &ServerMsg) -> bool {
        match msg {
            ServerMsg::Auction(AuctionEvent::Snapshot { room }) => self.reset(room),
            ServerMsg::Auction(AuctionEvent::Update { live, bid }) => {
                return self.step(live.seq, bid.as_ref(), || self.live.set(live.clone()));
            }
            ServerMsg::Auction(AuctionEvent::Step { seq, bid, .. }) => {
                // The batch's later update brings the rest of the state.
                return self.step(*seq, bid.as_ref(), || {
                    self.live.update_untracked(|l| l.seq = *seq)
                });
            }
            ServerMsg::Auction(AuctionEvent::Presence {
                watching,
                joined,
                left,
                ..
            }) => {
                self.watching.set(*watching);
                let item = match (joined, left) {
                    (Some(name), _) => Some(FeedItem::Joined(name.clone())),
                    (_, Some(name)) => Some(FeedItem::Left(name.clone())),
                    _ => None,
                };
                if let Some(item) = item {
                    self.feed.update(|f| {
                        f.push(item);
                        trim(f);
                    });
                }
            }
            ServerMsg::Auction(AuctionEvent::Chat { line, .. }) => self.feed.update(|f| {
                f.push(FeedItem::Chat(line.clone()));
                trim(f);
            }),
            _ => {}
        }
        true
    }

    /// Applies update `seq` (with `set_live`) and its bid line, unless it
    /// was seen already; false when one before it was missed.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn step(&self, seq: i64, bid: Option<&BidLine>, set_live: impl FnOnce()) -> bool {
        let current = self.live.with_untracked(|l| l.seq);
        if seq <= current {
            return true;
        }
        if seq > current + 1 {
            return false;
        }
        set_live();
        if let Some(bid) = bid {
            self.history.update(|h| {
                h.push(bid.clone());
                trim(h);
            });
        }
        true
    }

    /// Sends the command `make` builds around a fresh request number, and
    /// clears the last answer until this one's comes.
    fn ask(&self, live: Live, make: impl FnOnce(u32) -> ClientMsg) {
        let req = self.next_req.get_value() + 1;
        self.next_req.set_value(req);
        self.answer.set(None);
        live.send(&make(req));
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn trim<T>(items: &mut Vec<T>) {
    if items.len() > KEEP {
        items.drain(..items.len() - KEEP);
    }
}

#[component]
fn Room(room: AuctionRoom) -> impl IntoView {
    let i18n = use_i18n();
    let listing = room.live.listing;
    let state = RoomState::new(&room);
    let currency = state.currency;
    let seller_id = room.seller.id;
    let title = room.title.clone();
    let thumb = room.thumb_url.clone();
    let start_price = room.start_price;
    let soft_close_min = room.soft_close_ms / 60_000;

    // Who is looking: the seller gets the seller's controls, not a bid box.
    let me = room.me;
    let signed_in = Signal::derive(move || me.is_some());
    let is_seller = Signal::derive(move || me == Some(seller_id));

    // The server's clock, ticking: countdowns survive a wrong browser clock.
    let now = RwSignal::new(room.server_time_ms);
    #[cfg(feature = "hydrate")]
    {
        let live = expect_context::<Live>();
        let tick = move || now.set(js_sys::Date::now() as i64 + live.clock_offset.get_untracked());
        tick();
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_millis(250)) {
            on_cleanup(move || handle.clear());
        }
        let handler = move |msg: &ServerMsg| {
            if let ServerMsg::Ack { result, .. } = msg {
                let result = result
                    .clone()
                    .map(|receipt| receipt.map(|crate::protocol::Receipt::Bid(ack)| ack));
                if let Ok(Some(ack)) = &result {
                    state.my_max.set(Some(ack.max));
                }
                state.answer.set(Some(result));
                return;
            }
            if !state.apply(msg) {
                live.resync(crate::protocol::Topic::Auction { listing });
            }
        };
        let follower = live.follow(crate::protocol::Topic::Auction { listing }, handler);
        on_cleanup(move || live.unfollow(follower));
    }
    let phase = Memo::new(move |_| state.live.with(|l| l.phase));

    view! {
        <article class="auction-room" data-testid="auction-room">
            <header class="room-head">
                {thumb.map(|src| view! { <img class="room-thumb" src=src alt="" width="96" height="96" /> })}
                <div>
                    <p class="muted">{t!(i18n, auction_room)}</p>
                    <h1><a href=format!("/l/{listing}")>{title}</a></h1>
                    <p class="muted">{t!(i18n, auction_seller)} " " {room.seller.name.clone()}</p>
                </div>
            </header>
            <div class="room-grid">
                <section class="room-main">
                    <PricePanel state now is_seller />
                    {move || (phase.get() == Phase::Live && signed_in.get() && !is_seller.get())
                        .then(|| view! { <BidBox state currency listing /> })}
                    {move || (phase.get() == Phase::Live && !signed_in.get()).then(|| view! {
                        <p class="notice">
                            {t!(i18n, auction_log_in_to_bid)} " "
                            <a href=format!("/login?next=/a/{listing}")>{t!(i18n, nav_log_in)}</a>
                        </p>
                    })}
                    {move || is_seller.get().then(|| view! { <SellerControls state listing /> })}
                    <WonNotice state me />
                    <PriceChart state start_price now />
                    <History state />
                    <p class="muted small">{t!(i18n, auction_soft_close_note, minutes = soft_close_min)}</p>
                </section>
                <Chat state listing signed_in />
            </div>
        </article>
    }
}

/// Price, leader, countdown, reserve, watchers, buy-it-now.
#[component]
fn PricePanel(state: RoomState, now: RwSignal<i64>, is_seller: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let buy = ServerAction::<BuyNow>::new();
    let listing = state.live.with_untracked(|l| l.listing);
    view! {
        <div class="price-panel">
            <p class="room-price" data-testid="room-price" aria-live="polite">
                {move || state.live.with(|l| l.price.to_string())}
            </p>
            <p class="room-status" data-testid="room-status">
                {move || {
                    let l = state.live.get();
                    let left = l.ends_at - now.get();
                    match (l.phase, l.outcome) {
                        (Phase::Scheduled, _) => view! {
                            <span>{t!(i18n, auction_starts_in)} " " <Countdown ms=l.starts_at - now.get() /></span>
                        }.into_any(),
                        (Phase::Live, _) => view! {
                            <span class:ending={left < 60_000}>
                                {t!(i18n, auction_ends_in)} " "
                                <span data-testid="countdown" data-ends-at=l.ends_at><Countdown ms=left /></span>
                            </span>
                        }.into_any(),
                        (Phase::Ended, Some(Outcome::Sold)) => view! { <span>{t!(i18n, auction_ended_sold)}</span> }.into_any(),
                        (Phase::Ended, _) => view! { <span>{t!(i18n, auction_ended_unsold)}</span> }.into_any(),
                        (Phase::Cancelled, _) => view! { <span>{t!(i18n, auction_cancelled)}</span> }.into_any(),
                    }
                }}
            </p>
            <dl class="room-facts">
                <dt>{t!(i18n, auction_leader)}</dt>
                <dd data-testid="leader">{move || match state.live.with(|l| l.leader.clone()) {
                    Some(p) => Either::Left(p.name),
                    None => Either::Right(t!(i18n, auction_no_bids)),
                }}</dd>
                <dt>{t!(i18n, auction_bids)}</dt>
                <dd data-testid="bid-count">{move || state.live.with(|l| l.bids)}</dd>
                <dt>{t!(i18n, auction_watching)}</dt>
                <dd data-testid="watching">{move || state.watching.get()}</dd>
                {move || state.live.with(|l| l.has_reserve).then(|| view! {
                    <dt>{t!(i18n, field_reserve)}</dt>
                    <dd data-testid="reserve">{move || if state.live.with(|l| l.reserve_met) {
                        Either::Left(t!(i18n, auction_reserve_met))
                    } else {
                        Either::Right(t!(i18n, auction_reserve_not_met))
                    }}</dd>
                })}
                <dt>{t!(i18n, field_ends_at)}</dt>
                <dd><When ms=Signal::derive(move || state.live.with(|l| l.ends_at)) /></dd>
            </dl>
            {move || state.live.with(|l| l.buy_now).filter(|_| !is_seller.get()).map(|price| view! {
                <ActionForm action=buy attr:class="inline-form">
                    <input type="hidden" name="listing" value=listing />
                    <button type="submit" class="button" data-testid="buy-now">
                        {t!(i18n, auction_buy_now, price = price.to_string())}
                    </button>
                </ActionForm>
            })}
            <BidFailure outcome=buy.value() currency=state.currency />
        </div>
    }
}

/// "1d 04:05:09", "04:05", "0:07".
#[component]
fn Countdown(ms: i64) -> impl IntoView {
    let secs = (ms.max(0) + 999) / 1000;
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}d {h:02}:{m:02}:{s:02}")
    } else if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The bid box: the next minimum pre-filled. A bid above it is a maximum the
/// house bids up to on the bidder's behalf. With JavaScript the bid goes over
/// the WebSocket; without, the form posts it.
#[component]
fn BidBox(state: RoomState, currency: Currency, listing: i64) -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let action = ServerAction::<PlaceBid>::new();
    let min = Memo::new(move |_| state.live.with(|l| l.min_bid));
    let amount = RwSignal::new(min.get_untracked().plain());
    // Follow the minimum while the box still holds the previous one.
    Effect::watch(
        move || min.get(),
        move |min, before, _| {
            if before.is_none_or(|b| amount.get_untracked() == b.plain()) {
                amount.set(min.plain());
            }
        },
        false,
    );
    let problem = problem_of(action.value(), Field::Amount);
    // Without JavaScript the form posts to the server function. With it, the
    // bid goes over the WebSocket, or to the same function while the socket
    // is reconnecting.
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !live.connected.get_untracked() {
            action.dispatch(PlaceBid {
                listing,
                amount: amount.get_untracked(),
            });
            return;
        }
        match check_amount(&amount.get_untracked(), currency) {
            Ok(value) => {
                state.ask(live, |req| {
                    ClientMsg::Auction(AuctionCommand::Bid {
                        listing,
                        amount: value,
                        req,
                    })
                });
            }
            Err(problem) => state
                .answer
                .set(Some(Err(AppError::field(Field::Amount, problem)))),
        }
    };
    view! {
        <form method="post" action=PlaceBid::url() class="form bid-box" on:submit=submit data-testid="bid-box">
            <input type="hidden" name="listing" value=listing />
            <label for="bid-amount">{t!(i18n, auction_your_bid)}</label>
            <div class="bid-row">
                <span class="currency" aria-hidden="true">{currency.symbol()}</span>
                <input id="bid-amount" name="amount" inputmode="decimal" autocomplete="off"
                    bind:value=amount data-testid="bid-amount" />
                <button type="submit" class="button" data-testid="place-bid">{t!(i18n, auction_place_bid)}</button>
            </div>
            <p class="muted small">
                {move || t!(i18n, auction_min_bid, price = min.get().to_string())} " "
                {t!(i18n, auction_max_hint)}
            </p>
            {move || state.my_max.get().map(|m| view! {
                <p class="small" data-testid="my-max">{t!(i18n, auction_your_max, price = m.to_string())}</p>
            })}
            <p class="field-error">{move || problem.get().map(|problem| view! { <ProblemText problem /> })}</p>
            <BidFailure outcome=action.value() currency />
            <BidAnswer state />
        </form>
    }
}

/// What happened to this tab's last bid sent over the socket.
#[component]
fn BidAnswer(state: RoomState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        state.answer.with(|a| match a {
            Some(Ok(Some(ack))) if ack.leading => Some(view! {
                <p class="notice notice-ok" role="status" data-testid="bid-answer">{t!(i18n, auction_you_lead)}</p>
            }.into_any()),
            Some(Ok(Some(_))) => Some(view! {
                <p class="notice" role="status" data-testid="bid-answer">{t!(i18n, auction_outbid_at_once)}</p>
            }.into_any()),
            Some(Err(e)) => Some(view! { <p class="notice notice-error" role="alert" data-testid="bid-answer"><RefusalText error=e.clone() currency=state.currency /></p> }.into_any()),
            _ => None,
        })
    }
}

/// A refused bid (from a form post) in words.
#[component]
fn BidFailure<T: Send + Sync + 'static>(
    #[prop(into)] outcome: crate::components::form::Outcome<T>,
    currency: Currency,
) -> impl IntoView {
    move || {
        outcome.with(|v| match v {
            Some(Err(e @ AppError::Bid(_))) => Some(view! {
                <p class="notice notice-error" role="alert"><RefusalText error=e.clone() currency /></p>
            }.into_any()),
            Some(Err(AppError::Validation(_))) => None,
            Some(Err(_)) => Some(view! { <FormFailure outcome /> }.into_any()),
            _ => None,
        })
    }
}

#[component]
fn RefusalText(error: AppError, currency: Currency) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        AppError::Bid(BidRefusal::NotLive) => t!(i18n, bid_not_live).into_any(),
        AppError::Bid(BidRefusal::OwnAuction) => t!(i18n, bid_own_auction).into_any(),
        AppError::Bid(BidRefusal::Restricted) => t!(i18n, bid_restricted).into_any(),
        AppError::Bid(BidRefusal::VerifyEmail) => t!(i18n, bid_verify_email).into_any(),
        AppError::Bid(BidRefusal::TooLow { minimum }) => t!(
            i18n,
            bid_too_low,
            minimum = Money::new(minimum, currency).to_string()
        )
        .into_any(),
        AppError::Bid(BidRefusal::NotAboveYourMax { max }) => t!(
            i18n,
            bid_not_above_max,
            max = Money::new(max, currency).to_string()
        )
        .into_any(),
        AppError::Bid(BidRefusal::BuyNowGone) => t!(i18n, bid_buy_now_gone).into_any(),
        AppError::Unauthenticated => t!(i18n, log_in_first).into_any(),
        AppError::RateLimited => t!(i18n, err_rate_limited).into_any(),
        AppError::Validation(errors) => match errors.first() {
            Some(e) => view! { <ProblemText problem=e.problem /> }.into_any(),
            None => t!(i18n, err_generic).into_any(),
        },
        _ => t!(i18n, err_generic).into_any(),
    }
}

/// End early (sell to the leader) or cancel (no bids yet).
#[component]
fn SellerControls(state: RoomState, listing: i64) -> impl IntoView {
    let i18n = use_i18n();
    let end = ServerAction::<EndAuction>::new();
    let cancel = ServerAction::<CancelAuction>::new();
    let open =
        Memo::new(move |_| matches!(state.live.with(|l| l.phase), Phase::Scheduled | Phase::Live));
    view! {
        <div class="seller-controls">
            {move || (open.get() && state.live.with(|l| l.phase == Phase::Live && l.bids > 0)).then(|| view! {
                <ActionForm action=end attr:class="inline-form">
                    <input type="hidden" name="listing" value=listing />
                    <button type="submit" class="button" data-testid="end-now">{t!(i18n, auction_end_now)}</button>
                </ActionForm>
            })}
            {move || (open.get() && state.live.with(|l| l.bids == 0)).then(|| view! {
                <ActionForm action=cancel attr:class="inline-form">
                    <input type="hidden" name="listing" value=listing />
                    <button type="submit" class="button-ghost" data-testid="cancel-auction">{t!(i18n, auction_cancel)}</button>
                </ActionForm>
            })}
            <FormFailure outcome=end.value() />
            <FormFailure outcome=cancel.value() />
        </div>
    }
}

/// For the winner: the order waiting for payment.
#[component]
fn WonNotice(state: RoomState, me: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let won = Signal::derive(move || {
        state.live.with(|l| {
            l.phase == Phase::Ended
                && l.outcome == Some(Outcome::Sold)
                && me.is_some()
                && l.leader.as_ref().map(|p| p.id) == me
        })
    });
    move || {
        won.get().then(|| view! {
            <div class="notice notice-ok" role="status" data-testid="won">
                <strong>{t!(i18n, auction_you_won)}</strong> " "
                {move || state.live.with(|l| l.price.to_string())} " · "
                {t!(i18n, auction_order_awaiting)} " "
                <a href="/my/bids">{t!(i18n, my_bids_title)}</a>
                {move || state.my_order.get().map(|id| view! { <span class="muted small">" #" {id[..8].to_owned()}</span> })}
            </div>
        })
    }
}

/// Price over time as a step line, from the start price through every bid
/// to now (or the end, once it is over).
#[component]
fn PriceChart(state: RoomState, start_price: Money, now: RwSignal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    const W: f64 = 600.0;
    const H: f64 = 160.0;
    let points = Memo::new(move |_| {
        let bids: Vec<(i64, i64)> = state
            .history
            .with(|h| h.iter().map(|b| (b.at, b.price.minor)).collect());
        let (starts_at, until) = state.live.with(|l| match l.phase {
            Phase::Live => (l.starts_at, now.get().min(l.ends_at)),
            _ => (l.starts_at, l.ends_at),
        });
        step_line(
            starts_at,
            start_price.minor,
            &bids,
            until,
            Area {
                width: W,
                height: H,
            },
        )
    });
    view! {
        <figure class="price-chart">
            <figcaption class="muted small">{t!(i18n, auction_price_chart)}</figcaption>
            {move || {
                let pts = points.get();
                if pts.is_empty() {
                    Either::Left(view! { <p class="muted small">{t!(i18n, auction_no_bids)}</p> })
                } else {
                    Either::Right(view! {
                        <svg viewBox=format!("0 0 {W} {H}") role="img" preserveAspectRatio="none"
                            aria-label=move || t_string!(i18n, auction_price_chart) data-testid="price-chart">
                            <polyline points=pts fill="none" stroke="var(--brand)" stroke-width="2.5"
                                vector-effect="non-scaling-stroke" stroke-linejoin="round" />
                        </svg>
                    })
                }
            }}
        </figure>
    }
}

#[component]
fn History(state: RoomState) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="bid-history">
            <h2>{t!(i18n, auction_history)}</h2>
            <ol data-testid="bid-history" reversed>
                <For each=move || { let mut h = state.history.get(); h.reverse(); h } key=|b| b.id let:bid>
                    <li>
                        <span class="bidder">{bid.bidder.name.clone()}</span>
                        <span class="price">{bid.price.to_string()}</span>
                        {bid.buy_now.then(|| view! { <span class="badge">{t!(i18n, field_buy_now)}</span> })}
                        <span class="muted small"><When ms=bid.at /></span>
                    </li>
                </For>
            </ol>
        </section>
    }
}

/// The room's chat; `#amount` bids. Needs JavaScript (it is live).
#[component]
fn Chat(state: RoomState, listing: i64, signed_in: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let text = RwSignal::new(String::new());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() || !live.connected.get_untracked() {
            return;
        }
        state.ask(live, |req| {
            ClientMsg::Auction(AuctionCommand::Say {
                listing,
                text: body,
                req,
            })
        });
        text.set(String::new());
    };
    let entries = move || state.feed.get().into_iter().enumerate().collect::<Vec<_>>();
    view! {
        <aside class="room-chat" aria-label=move || t_string!(i18n, auction_chat)>
            <h2>{t!(i18n, auction_chat)}</h2>
            <ol class="chat-feed" data-testid="chat-feed" aria-live="polite">
                <For each=entries key=|(i, item)| (*i, item.key()) let:entry>
                    {match entry.1 {
                        FeedItem::Chat(line) => view! {
                            <li><strong>{line.author.name}</strong> " " <span class="chat-body">{line.body}</span></li>
                        }.into_any(),
                        FeedItem::Joined(name) => view! { <li class="muted small">{t!(i18n, auction_joined, name = name)}</li> }.into_any(),
                        FeedItem::Left(name) => view! { <li class="muted small">{t!(i18n, auction_left, name = name)}</li> }.into_any(),
                    }}
                </For>
            </ol>
            {move || if signed_in.get() {
                Either::Left(view! {
                    <form class="chat-form" on:submit=send>
                        <label for="chat-text" class="visually-hidden">{t!(i18n, auction_chat)}</label>
                        <input id="chat-text" bind:value=text autocomplete="off" maxlength="500"
                            placeholder=move || t_string!(i18n, auction_chat_placeholder) data-testid="chat-text" />
                        <button type="submit" class="button small">{t!(i18n, auction_send)}</button>
                    </form>
                })
            } else {
                Either::Right(view! { <p class="muted small">{t!(i18n, auction_chat_log_in)}</p> })
            }}
        </aside>
    }
}

impl FeedItem {
    fn key(&self) -> String {
        match self {
            FeedItem::Chat(line) => format!("c{}", line.id),
            FeedItem::Joined(name) => format!("j{name}"),
            FeedItem::Left(name) => format!("l{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::fixtures::update;

    fn live_of(msg: ServerMsg) -> AuctionLive {
        match msg {
            ServerMsg::Auction(AuctionEvent::Update { live, .. }) => live,
            other => panic!("not an update: {other:?}"),
        }
    }

    fn step(seq: i64) -> ServerMsg {
        update(seq).brief().expect("an update has a brief form")
    }

    #[test]
    fn a_batch_of_steps_ends_on_the_state_of_its_last_update() {
        // Signals live in an owner's arena.
        Owner::new().with(|| {
            let state = RoomState {
                live: RwSignal::new(live_of(update(1))),
                history: RwSignal::new(Vec::new()),
                feed: RwSignal::new(Vec::new()),
                watching: RwSignal::new(1),
                my_max: RwSignal::new(None),
                my_order: RwSignal::new(None),
                answer: RwSignal::new(None),
                next_req: StoredValue::new(0),
                currency: Currency::Twd,
            };
            for msg in [step(2), step(3), update(4)] {
                assert!(state.apply(&msg));
            }
            assert_eq!(state.live.get_untracked(), live_of(update(4)));
            let bids = || {
                state
                    .history
                    .with_untracked(|h| h.iter().map(|b| b.id).collect::<Vec<_>>())
            };
            assert_eq!(bids(), [2, 3, 4]);

            // An update seen already changes nothing; one that skips ahead asks
            // for a snapshot.
            assert!(state.apply(&step(3)));
            assert_eq!(bids(), [2, 3, 4]);
            assert!(!state.apply(&step(6)));
            assert_eq!(state.live.get_untracked().seq, 4);
        });
    }
}
