//! `/o/<id>`: an order's negotiation room. Rendered on the server from the
//! room as it stands (so it reads fully without JavaScript, the buyer's
//! handover code included); in the browser it follows the room over the
//! WebSocket, where the seller's edits, the buyer's ticks, the
//! confirmations and a cancellation travel. Completing with the handover
//! code is a plain form, so it also works without JavaScript.

use super::{
    rules::{
        Controls, controls, edit_command, input_value, needs_refetch, next_live, only_seq_moved,
        slot, tick_command,
    },
    scan::ScanButton,
    text::{DealFailure, ErrorText, StatusText, TermName},
};
use crate::{
    api::order::{CompleteOrder, fetch_order_room},
    components::{
        form::{ProblemText, action_outcome, problem_of},
        time::{When, local_input_value},
    },
    domain::{
        form::Field,
        money::Currency,
        order::{DealState, MAX_PLACE, MAX_QUANTITY, MAX_REMARK, Party, Term},
    },
    error::AppError,
    i18n::*,
    live::Live,
    model::{Handover, OrderLive, OrderRoom, Payment},
    pages::{chat::panel::OrderChat, not_found::members_only},
    protocol::{ClientMsg, OrderCommand, OrderEvent},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use pay::{PayPanel, PaymentText, UnpaidPanel};

mod pay;

#[component]
pub fn OrderRoomPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id"));
    let room = Resource::new(id, |id| async move {
        match id {
            Some(id) => fetch_order_room(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let back = format!("/o/{}", id().unwrap_or_default());
                members_only(room.await, back, |room| view! {
                    <Title text=format!("{} · {} · Haggle", t_string!(i18n, order_room), room.listing.title) />
                    <Room room />
                }.into_any())
            })}
        </Suspense>
    }
}

/// The control a command came from: where its refusal is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    /// The buyer's tick or the seller's field of a term.
    Term(Term),
    Confirm,
    Cancel,
}

/// Commands still waiting for their `Ack`, at most this many (an answer
/// lost with a dropped socket must not pile up).
const PENDING: usize = 32;

/// The room in this tab: the state the server last sent, and this tab's
/// commands on their way.
#[derive(Clone, Copy)]
struct RoomState {
    live: RwSignal<OrderLive>,
    /// The buyer's code, once established.
    handover: RwSignal<Option<Handover>>,
    /// Wrong codes paused code entry until then (seller).
    paused: RwSignal<Option<i64>>,
    /// Paid into escrow, or cash (as last fetched).
    payment: RwSignal<Payment>,
    /// The seller may cancel the won auction's order as unpaid.
    unpaid: RwSignal<bool>,
    /// The last refusal of one of this tab's commands, with its control.
    failure: RwSignal<Option<(Control, AppError)>>,
    /// Moves when a tick is refused, so its checkbox shows the room's state
    /// again rather than the click.
    resync: RwSignal<u32>,
    pending: StoredValue<Vec<(u32, Control)>>,
    next_req: StoredValue<u32>,
    you: Option<Party>,
    currency: Currency,
}

impl RoomState {
    fn new(room: &OrderRoom) -> RoomState {
        RoomState {
            live: RwSignal::new(room.live.clone()),
            handover: RwSignal::new(room.handover.clone()),
            paused: RwSignal::new(room.code_paused_until),
            payment: RwSignal::new(room.payment),
            unpaid: RwSignal::new(room.unpaid),
            failure: RwSignal::new(None),
            resync: RwSignal::new(0),
            pending: StoredValue::new(Vec::new()),
            next_req: StoredValue::new(0),
            you: room.you,
            currency: room.live.price.currency,
        }
    }

    /// Sends the command `make` builds around a fresh request number, or
    /// shows at `control` why it could not be built.
    fn send(
        &self,
        live: Live,
        control: Control,
        make: impl FnOnce(u32) -> Result<OrderCommand, AppError>,
    ) {
        let req = self.next_req.get_value() + 1;
        self.next_req.set_value(req);
        match make(req) {
            Ok(command) => {
                self.pending.update_value(|p| {
                    p.push((req, control));
                    if p.len() > PENDING {
                        p.remove(0);
                    }
                });
                self.clear(control);
                live.send(&ClientMsg::Order(command));
            }
            Err(error) => self.failure.set(Some((control, error))),
        }
    }

    fn clear(&self, control: Control) {
        if self
            .failure
            .with_untracked(|f| f.as_ref().is_some_and(|(c, _)| *c == control))
        {
            self.failure.set(None);
        }
    }

    /// The answer to one of this tab's commands (every follower sees every
    /// `Ack`; those for other requests are not this room's).
    // The socket runs in the browser only.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn acked(&self, req: u32, result: Result<(), AppError>) {
        let mut control = None;
        self.pending.update_value(|p| {
            if let Some(i) = p.iter().position(|(r, _)| *r == req) {
                control = Some(p.remove(i).1);
            }
        });
        let Some(control) = control else {
            return;
        };
        match result {
            Ok(()) => self.clear(control),
            Err(error) => {
                if self.you == Some(Party::Buyer) && matches!(control, Control::Term(_)) {
                    self.resync.update(|n| *n += 1);
                }
                self.failure.set(Some((control, error)));
            }
        }
    }

    /// Takes the room's event; true when it brought the state where a fresh
    /// room has more to show (the handover, a payment).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn receive(&self, event: &OrderEvent) -> bool {
        let Some(next) = self.live.with_untracked(|l| next_live(l, event)) else {
            return false;
        };
        let refetch = self.live.with_untracked(|before| {
            needs_refetch(before.state, next.state) || only_seq_moved(before, &next)
        });
        self.live.set(next);
        refetch
    }

    /// Loads the room again for what only a fresh one carries: the buyer's
    /// code once established, the seller's pause on wrong codes, the
    /// payment.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn refetch(&self) {
        let state = *self;
        let order = self.live.with_untracked(|l| l.order.clone());
        leptos::task::spawn_local(async move {
            if let Ok(room) = fetch_order_room(order).await {
                state.handover.try_set(room.handover);
                state.paused.try_set(room.code_paused_until);
                state.payment.try_set(room.payment);
                state.unpaid.try_set(room.unpaid);
                let event = OrderEvent::Update { live: room.live };
                if let Some(next) = state
                    .live
                    .try_with_untracked(|l| next_live(l, &event))
                    .flatten()
                {
                    state.live.try_set(next);
                }
            }
        });
    }

    fn failure_at(&self, control: Control) -> Option<AppError> {
        self.failure.with(|f| {
            f.as_ref()
                .filter(|(c, _)| *c == control)
                .map(|(_, e)| e.clone())
        })
    }
}

#[component]
fn Room(room: OrderRoom) -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let state = RoomState::new(&room);
    let you = room.you;
    let order = room.live.order.clone();
    let controls = Memo::new(move |_| state.live.with(|l| controls(you, l)));
    // Forms holding what was typed are drawn again only when they come or go.
    let can_cancel = Memo::new(move |_| controls.get().cancel);
    // Commands travel over the socket: without it (no JavaScript, or
    // reconnecting) the room reads but does not act. Not ready before this
    // view is hydrated, as the server rendered it: hydration keeps the
    // server's nodes and attributes, so a first client render that differed
    // (the socket already open) would leave "offline" and disabled controls
    // in place. The effect runs once the view is hydrated.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let ready = Signal::derive(move || mounted.get() && live.connected.get());

    #[cfg(feature = "hydrate")]
    {
        let topic = crate::protocol::Topic::Order {
            order: order.clone(),
        };
        let handler = move |msg: &crate::protocol::ServerMsg| {
            use crate::protocol::ServerMsg;
            match msg {
                ServerMsg::Ack { req, result } => state.acked(*req, result.clone().map(|_| ())),
                ServerMsg::Order(event) if state.receive(event) => state.refetch(),
                _ => {}
            }
        };
        let follower = live.follow(topic, handler);
        on_cleanup(move || live.unfollow(follower));
    }

    let OrderRoom {
        listing,
        buyer,
        seller,
        remark,
        created_at,
        pay_by,
        ..
    } = room;
    let short = order.chars().take(8).collect::<String>();
    let state_class = move || {
        format!(
            "order-status state-{}",
            state.live.with(|l| l.state.as_str())
        )
    };
    view! {
        <article class="order-room" data-testid="order-room">
            <header class="room-head">
                {listing.thumb_url.clone().map(|src| view! { <img class="room-thumb" src=src alt="" width="72" height="72" /> })}
                <div class="room-title">
                    <p class="muted small">{t!(i18n, order_room)} " · " {t!(i18n, order_label)} " #" {short}</p>
                    <h1><a href=format!("/l/{}", listing.id)>{listing.title.clone()}</a></h1>
                    <p class="muted small">
                        {match you {
                            Some(Party::Buyer) => t!(i18n, order_you_buyer).into_any(),
                            Some(Party::Seller) => t!(i18n, order_you_seller).into_any(),
                            None => t!(i18n, order_admin_view).into_any(),
                        }}
                    </p>
                </div>
                <p class=state_class role="status" data-testid="order-status">
                    {move || view! { <StatusText state=state.live.with(|l| l.state) /> }}
                </p>
            </header>
            {move || (you.is_some() && !ready.get() && state.live.with(|l| l.state.open())).then(|| view! {
                <p class="notice small" data-testid="order-offline">{t!(i18n, order_offline)}</p>
            })}
            <Cancelled state />
            <div class="room-grid">
                <section class="room-main">
                    <PayPanel state pay_by />
                    <UnpaidPanel state />
                    <Terms state controls ready />
                    <HandoverPanel state controls order=order.clone() />
                    {move || (state.live.with(|l| l.state) == DealState::Completed).then(|| view! {
                        <p class="notice notice-ok" data-testid="order-completed">{t!(i18n, order_completed_note)}</p>
                    })}
                    {move || can_cancel.get().then(|| view! { <CancelForm state ready /> })}
                </section>
                <aside class="order-side panel" aria-label=move || t_string!(i18n, order_details)>
                    <dl class="order-facts">
                        <dt>{t!(i18n, order_listing)}</dt>
                        <dd><a href=format!("/l/{}", listing.id) data-testid="order-listing">{listing.title}</a></dd>
                        <dt>{t!(i18n, buy_unit_price)}</dt>
                        <dd>{listing.unit_price.to_string()}</dd>
                        <dt>{t!(i18n, order_buyer)}</dt>
                        <dd data-testid="order-buyer">{buyer.name}</dd>
                        <dt>{t!(i18n, order_seller)}</dt>
                        <dd data-testid="order-seller">{seller.name}</dd>
                        <dt>{t!(i18n, order_ordered_at)}</dt>
                        <dd><When ms=created_at /></dd>
                        <dt>{t!(i18n, order_payment)}</dt>
                        <dd><PaymentText state /></dd>
                        {(!remark.is_empty()).then(|| view! {
                            <dt>{t!(i18n, buy_remark)}</dt>
                            <dd class="order-remark" data-testid="order-remark">{remark}</dd>
                        })}
                    </dl>
                </aside>
            </div>
            // The two parties talk here too (an admin looking on does not).
            {you.is_some().then(|| view! { <OrderChat order=order.clone() /> })}
        </article>
    }
}

/// Who called the order off, and why.
#[component]
fn Cancelled(state: RoomState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        state.live.with(|l| {
            (l.state == DealState::Cancelled).then(|| {
                let by = match l.cancelled_by {
                    Some(Party::Buyer) => Some(t!(i18n, order_cancelled_by_buyer).into_any()),
                    Some(Party::Seller) => Some(t!(i18n, order_cancelled_by_seller).into_any()),
                    None => None,
                };
                let reason = l.cancel_reason.clone().filter(|r| !r.trim().is_empty());
                view! {
                    <div class="notice notice-error" data-testid="order-cancelled">
                        {by}
                        {reason.map(|r| view! {
                            <p class="order-remark" data-testid="cancel-reason">{t!(i18n, order_reason)} ": " {r}</p>
                        })}
                    </div>
                }
            })
        })
    }
}

/// The four terms: the buyer ticks, the seller edits, an admin reads.
#[component]
fn Terms(state: RoomState, controls: Memo<Controls>, ready: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let you = state.you;
    let hint = move || {
        let s = state.live.with(|l| l.state);
        match (you, s) {
            (Some(Party::Buyer), DealState::Negotiating) => {
                Some(t!(i18n, order_buyer_hint).into_any())
            }
            (Some(Party::Buyer), DealState::BuyerConfirmed) => {
                Some(t!(i18n, order_buyer_waiting).into_any())
            }
            (Some(Party::Seller), DealState::Negotiating) => {
                Some(t!(i18n, order_seller_hint).into_any())
            }
            (Some(Party::Seller), DealState::BuyerConfirmed) => {
                Some(t!(i18n, order_seller_confirm_hint).into_any())
            }
            _ => None,
        }
    };
    let confirm = move |_| {
        if !live.connected.get_untracked() {
            return;
        }
        let order = state.live.with_untracked(|l| l.order.clone());
        state.send(live, Control::Confirm, |req| {
            Ok(OrderCommand::Confirm { order, req })
        });
    };
    view! {
        <section class="panel order-terms" aria-labelledby="terms-heading">
            <h2 id="terms-heading">{t!(i18n, order_terms)}</h2>
            <p class="muted small" data-testid="terms-hint">{hint}</p>
            <ul class="terms">
                {Term::ALL.into_iter().map(|term| match you {
                    Some(Party::Buyer) => view! { <BuyerTerm state term controls ready /> }.into_any(),
                    Some(Party::Seller) => view! { <SellerTerm state term controls ready /> }.into_any(),
                    None => view! { <ReadTerm state term /> }.into_any(),
                }).collect_view()}
            </ul>
            {move || controls.get().confirm.then(|| view! {
                <button type="button" class="button" data-testid="confirm" on:click=confirm
                    disabled=move || !ready.get()>
                    {t!(i18n, order_confirm)}
                </button>
            })}
            <Failure state control=Control::Confirm />
        </section>
    }
}

/// `quantity`, `price`, `place`, `time`: a term in ids and test ids.
fn key(term: Term) -> &'static str {
    match term {
        Term::Quantity => "quantity",
        Term::Price => "price",
        Term::Place => "place",
        Term::Time => "time",
    }
}

/// A term's value as it stands.
#[component]
fn TermValueText(state: RoomState, term: Term) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        state.live.with(|l| match term {
            Term::Quantity => l.quantity.to_string().into_any(),
            Term::Price => l.price.to_string().into_any(),
            Term::Place if l.place.trim().is_empty() => t!(i18n, order_not_proposed).into_any(),
            Term::Place => l.place.clone().into_any(),
            Term::Time => match l.time {
                Some(ms) => view! { <When ms /> }.into_any(),
                None => t!(i18n, order_not_proposed).into_any(),
            },
        })
    }
}

/// Whether the buyer accepted the term, in words (for the seller and admins).
#[component]
fn TickState(state: RoomState, term: Term) -> impl IntoView {
    let i18n = use_i18n();
    let ticked = Memo::new(move |_| state.live.with(|l| l.ticks.has(term)));
    view! {
        <span class="badge tick-state" class:badge-ok=ticked data-testid=format!("tick-state-{}", key(term))>
            {move || if ticked.get() {
                t!(i18n, order_accepted).into_any()
            } else {
                t!(i18n, order_not_accepted).into_any()
            }}
        </span>
    }
}

/// The buyer's side of a term: its value and a checkbox named after it.
#[component]
fn BuyerTerm(
    state: RoomState,
    term: Term,
    controls: Memo<Controls>,
    ready: Signal<bool>,
) -> impl IntoView {
    let live = expect_context::<Live>();
    let i = slot(term);
    let id = format!("tick-{}", key(term));
    let ticked = Memo::new(move |_| state.live.with(|l| l.ticks.has(term)));
    let at_first = ticked.get_untracked();
    let change = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        if !live.connected.get_untracked() {
            state.resync.update(|n| *n += 1);
            return;
        }
        state.send(live, Control::Term(term), |req| {
            Ok(state
                .live
                .with_untracked(|l| tick_command(l, term, on, req)))
        });
    };
    view! {
        <li class="term" data-testid=format!("term-{}", key(term))>
            <div class="term-tick">
                // `checked` for the page as sent (without JavaScript), the
                // property for every change after.
                <input type="checkbox" id=id.clone() checked=at_first
                    prop:checked=move || { state.resync.track(); ticked.get() }
                    disabled=move || !ready.get() || !controls.get().tick[i]
                    on:change=change />
                <label for=id><TermName term /></label>
            </div>
            <span class="term-value" data-testid=format!("term-{}-value", key(term))>
                <TermValueText state term />
            </span>
            <Failure state control=Control::Term(term) />
        </li>
    }
}

/// The seller's side of a term: a field named after it with its own "Save",
/// and whether the buyer accepted it.
#[component]
fn SellerTerm(
    state: RoomState,
    term: Term,
    controls: Memo<Controls>,
    ready: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let i = slot(term);
    let id = format!("term-{}-input", key(term));
    let error_id = format!("{id}-error");
    let shown = move || {
        state
            .live
            .with_untracked(|l| input_value(l, term, local_input_value))
    };
    let draft = RwSignal::new(shown());
    let at_first = draft.get_untracked();
    // A new value for the term (from this tab or another) replaces the draft.
    Effect::watch(
        move || state.live.with(|l| l.revs[i]),
        move |_, _, _| draft.set(shown()),
        false,
    );
    let open = Signal::derive(move || controls.get().edit[i]);
    let problem = Signal::derive(move || {
        state
            .failure_at(Control::Term(term))
            .and_then(|e| e.problem_with(term.field()))
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !live.connected.get_untracked() || !open.get_untracked() {
            return;
        }
        let input = draft.get_untracked();
        let (order, currency) = (
            state.live.with_untracked(|l| l.order.clone()),
            state.currency,
        );
        state.send(live, Control::Term(term), |req| {
            edit_command(&order, term, &input, currency, req)
                .map_err(|problem| AppError::field(term.field(), problem))
        });
    };
    let (kind, mode) = match term {
        Term::Quantity => ("number", "numeric"),
        Term::Price => ("text", "decimal"),
        Term::Place => ("text", "text"),
        Term::Time => ("datetime-local", "text"),
    };
    view! {
        <li class="term" data-testid=format!("term-{}", key(term))>
            <form class="term-edit" on:submit=save>
                <label for=id.clone()><TermName term /></label>
                <div class="term-edit-row">
                    {(term == Term::Price).then(|| view! {
                        <span class="currency" aria-hidden="true">{state.currency.symbol()}</span>
                    })}
                    <input id=id name=key(term) type=kind inputmode=mode autocomplete="off"
                        min=(term == Term::Quantity).then_some("1")
                        max=(term == Term::Quantity).then_some(MAX_QUANTITY)
                        maxlength=(term == Term::Place).then_some(MAX_PLACE)
                        value=at_first bind:value=draft
                        disabled=move || !open.get()
                        aria-describedby=error_id.clone()
                        aria-invalid=move || problem.get().is_some().to_string() />
                    <button type="submit" class="button small" disabled=move || !ready.get() || !open.get()>
                        {t!(i18n, save)}
                    </button>
                </div>
                <p class="field-error" id=error_id aria-live="polite">
                    {move || state.failure_at(Control::Term(term)).map(|error| match error.problem_with(term.field()) {
                        Some(problem) => view! { <ProblemText problem /> }.into_any(),
                        None => view! { <ErrorText error /> }.into_any(),
                    })}
                </p>
            </form>
            <TickState state term />
        </li>
    }
}

/// A term for an admin looking on.
#[component]
fn ReadTerm(state: RoomState, term: Term) -> impl IntoView {
    view! {
        <li class="term" data-testid=format!("term-{}", key(term))>
            <span class="term-name"><TermName term /></span>
            <span class="term-value" data-testid=format!("term-{}-value", key(term))>
                <TermValueText state term />
            </span>
            <TickState state term />
        </li>
    }
}

/// Why this tab's last command from `control` was refused.
#[component]
fn Failure(state: RoomState, control: Control) -> impl IntoView {
    move || {
        state.failure_at(control).map(|error| {
            view! {
                <p class="field-error" role="alert"><ErrorText error /></p>
            }
        })
    }
}

/// Calling the order off, with a reason.
#[component]
fn CancelForm(state: RoomState, ready: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let live = expect_context::<Live>();
    let reason = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !live.connected.get_untracked() {
            return;
        }
        let order = state.live.with_untracked(|l| l.order.clone());
        let text = reason.get_untracked().trim().to_owned();
        state.send(live, Control::Cancel, |req| {
            Ok(OrderCommand::Cancel {
                order,
                reason: text,
                req,
            })
        });
    };
    view! {
        <form class="panel cancel-form" on:submit=submit data-testid="cancel-form">
            <div class="field">
                <label for="cancel-reason">{t!(i18n, order_reason)}</label>
                <textarea id="cancel-reason" name="reason" rows="2" maxlength=MAX_REMARK bind:value=reason
                    aria-describedby="cancel-reason-hint"></textarea>
                <p class="field-hint" id="cancel-reason-hint">{t!(i18n, order_cancel_hint)}</p>
            </div>
            <Failure state control=Control::Cancel />
            <button type="submit" class="button-ghost danger" disabled=move || !ready.get()>
                {t!(i18n, order_cancel)}
            </button>
        </form>
    }
}

/// Once established: the buyer's code (and its QR code), or the seller's
/// field for it.
#[component]
fn HandoverPanel(state: RoomState, controls: Memo<Controls>, order: String) -> impl IntoView {
    let order = StoredValue::new(order);
    // The seller's field keeps what was typed while ticks come and go.
    let shown = Memo::new(move |_| {
        let c = controls.get();
        (c.code, c.complete)
    });
    move || {
        let (code, complete) = shown.get();
        if code {
            Some(view! { <BuyerCode state /> }.into_any())
        } else if complete {
            Some(view! { <SellerCode state order=order.get_value() /> }.into_any())
        } else {
            None
        }
    }
}

#[component]
fn BuyerCode(state: RoomState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        state.handover.get().map(|Handover { code, qr_svg }| view! {
            <section class="panel handover" data-testid="handover">
                <h2>{t!(i18n, order_your_code)}</h2>
                <p class="handover-code" role="note" aria-label=move || t_string!(i18n, order_handover_code)
                    data-testid="handover-code">{code}</p>
                // The server draws this SVG from the six digits alone (no
                // text anyone typed), so it is safe to insert as markup.
                <div class="handover-qr" role="img" aria-label=move || t_string!(i18n, order_qr)
                    data-testid="handover-qr" inner_html=qr_svg></div>
                <p class="muted small">{t!(i18n, order_code_hint)}</p>
            </section>
        })
    }
}

#[component]
fn SellerCode(state: RoomState, order: String) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CompleteOrder>::new();
    let outcome = action_outcome(action);
    let problem = problem_of(outcome, Field::Code);
    let code = RwSignal::new(String::new());
    // The socket says "completed" too; the room's fresh copy also ends the
    // pause on wrong codes.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            state.refetch();
        }
    });
    view! {
        <section class="panel handover" data-testid="handover">
            <h2>{t!(i18n, order_handover)}</h2>
            <p class="muted small">{t!(i18n, order_seller_code_hint)}</p>
            <ActionForm action attr:class="form" attr:data-testid="complete-form">
                <input type="hidden" name="order" value=order />
                <div class="field">
                    <label for="handover-code">{t!(i18n, order_handover_code)}</label>
                    <div class="code-row">
                        <input id="handover-code" name="code" inputmode="numeric" autocomplete="off"
                            maxlength="6" required bind:value=code
                            aria-describedby="handover-code-error"
                            aria-invalid=move || problem.get().is_some().to_string() />
                        <ScanButton code />
                    </div>
                    <p class="field-error" id="handover-code-error" aria-live="polite">
                        {move || problem.get().map(|problem| view! { <ProblemText problem /> })}
                    </p>
                </div>
                {move || state.paused.get().map(|ms| view! {
                    <p class="notice notice-error" role="alert" data-testid="code-paused">
                        {t!(i18n, order_code_paused)} " " <When ms />
                    </p>
                })}
                <DealFailure outcome />
                <button type="submit" class="button" data-testid="complete">{t!(i18n, order_complete)}</button>
            </ActionForm>
        </section>
    }
}

#[cfg(test)]
mod tests;
