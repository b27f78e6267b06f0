//! Video calls in a conversation: ringing the other member, answering,
//! declining, hanging up, failing to connect, and the calls nobody answered
//! (ended as missed by the scheduler's pass). Each change is one
//! conditional update in a `BEGIN IMMEDIATE` transaction, decided by
//! `domain::call` on the stored call, then told to both members' call
//! pages and to the callee's every tab (the ringing notice). An ended call
//! leaves a log line in its conversation.
//!
//! The browsers' WebRTC signals are relayed, never stored: only between the
//! two members, only while the call is connected, bounded in size and rate.

pub mod socket;
mod store;
#[cfg(test)]
mod tests;

use crate::{
    backend::{
        AppState,
        auction::shown_name,
        chat,
        effects::{self, Effect},
        live::hub::Hub,
    },
    domain::{
        call::{
            self, Action, CallRefusal, CallTimes, Change, Outcome, Role, SignalRefusal,
            check_candidate, check_description,
        },
        id::{CallId, UserId},
    },
    error::AppError,
    model::{CallOutcome, CallPhase, CallView, MessageView, Participant, Ring},
    protocol::{CallEvent, ChatEvent, NoticeEvent, ServerMsg, Signal, Topic},
};
use sqlx::SqlitePool;
use store::{CallRow, ConversationRow};

const IMMEDIATE: &str = "BEGIN IMMEDIATE";

/// What a committed change of a call tells: both members' call pages hear
/// its state; the callee's tabs ring or stop ringing; an ended call's log
/// line goes to the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallChanged {
    pub view: CallView,
    pub callee: UserId,
    /// Set while it rings: what the callee's ringing notice shows.
    pub ring: Option<Ring>,
    /// Set once it ended: its line in the conversation.
    pub log: Option<MessageView>,
}

/// Tells everyone concerned about a committed change (through
/// [`Effect::CallChanged`], or the scheduler's pass).
pub fn publish(hub: &Hub, change: &CallChanged) {
    let conversation = change.view.conversation.clone();
    hub.publish(
        &Topic::Call {
            conversation: conversation.clone(),
        },
        ServerMsg::Call(CallEvent::State {
            conversation: conversation.clone(),
            call: Some(change.view.clone()),
        }),
    );
    let notice = match &change.ring {
        Some(ring) => NoticeEvent::Ring { ring: ring.clone() },
        None => NoticeEvent::RingEnded {
            call: change.view.id,
        },
    };
    hub.send_to_user(change.callee.get(), ServerMsg::Notify(notice));
    if let Some(message) = &change.log {
        hub.publish(
            &Topic::Conversation {
                conversation: conversation.clone(),
            },
            ServerMsg::Chat(ChatEvent::Message {
                conversation,
                message: message.clone(),
            }),
        );
    }
}

/// The call page's room: the conversation's two members and its open call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRoom {
    pub conversation: String,
    pub title: String,
    pub me: Participant,
    pub other: Participant,
    pub call: Option<CallView>,
}

/// The conversation `public_id` for `user`; `NotFound` unless a member.
async fn membership(
    ex: impl sqlx::SqliteExecutor<'_>,
    user: UserId,
    public_id: &str,
) -> Result<ConversationRow, AppError> {
    store::load_conversation(ex, public_id)
        .await?
        .filter(|c| c.has(user))
        .ok_or(AppError::NotFound)
}

fn participant(conv: &ConversationRow, user: UserId, now: i64) -> Participant {
    let name = if user == conv.buyer_id {
        shown_name(&conv.buyer_name, &conv.buyer_status, conv.buyer_until, now)
    } else {
        shown_name(
            &conv.seller_name,
            &conv.seller_status,
            conv.seller_until,
            now,
        )
    };
    Participant {
        id: user.get(),
        name,
    }
}

fn times(row: &CallRow) -> CallTimes {
    CallTimes {
        started_at: row.started_at,
        answered_at: row.answered_at,
        ended: row
            .ended_at
            .zip(row.outcome.as_deref().and_then(Outcome::parse)),
    }
}

fn outcome_of(times: &CallTimes) -> Option<CallOutcome> {
    let (_, outcome) = times.ended?;
    Some(match outcome {
        Outcome::Completed => CallOutcome::Completed {
            duration_ms: times.duration_ms().unwrap_or(0),
        },
        Outcome::Missed => CallOutcome::Missed,
        Outcome::Declined => CallOutcome::Declined,
        Outcome::Failed => CallOutcome::Failed,
    })
}

fn view(conv: &ConversationRow, row: &CallRow, now: i64) -> CallView {
    let callee = conv.other(row.caller_id);
    let times = times(row);
    CallView {
        id: row.id.get(),
        conversation: conv.public_id.clone(),
        caller: participant(conv, row.caller_id, now),
        callee: participant(conv, callee, now),
        phase: match (times.ended, times.answered_at) {
            (Some(_), _) => CallPhase::Ended,
            (None, Some(_)) => CallPhase::Connected,
            (None, None) => CallPhase::Ringing,
        },
        polite: call::polite(row.caller_id.get(), callee.get()),
        outcome: outcome_of(&times),
        started_at: row.started_at,
        answered_at: row.answered_at,
    }
}

/// The change to tell after `row` (as stored now) changed; `log` is its
/// log line's id once it ended.
fn changed(
    conv: &ConversationRow,
    row: &CallRow,
    log: Option<crate::domain::id::MessageId>,
    now: i64,
) -> CallChanged {
    let view = view(conv, row, now);
    let ring = (view.phase == CallPhase::Ringing).then(|| Ring {
        call: view.id,
        conversation: conv.public_id.clone(),
        caller: view.caller.clone(),
        title: conv.title.clone(),
    });
    let log = log.map(|id| MessageView {
        id: id.get(),
        from: row.caller_id.get(),
        body: String::new(),
        images: Vec::new(),
        call: view.outcome,
        at: row.ended_at.unwrap_or(now),
    });
    CallChanged {
        callee: conv.other(row.caller_id),
        view,
        ring,
        log,
    }
}

fn refused(refusal: CallRefusal) -> AppError {
    match refusal {
        CallRefusal::NotYours => AppError::Forbidden,
        CallRefusal::Gone | CallRefusal::NotDue => AppError::Conflict,
    }
}

/// `user` rings the other member of `conversation`. Refused when a call
/// already rings or runs there (`Conflict`) or when either blocked the
/// other (`Forbidden`).
pub async fn start(
    state: &AppState,
    user: UserId,
    conversation: &str,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    let conv = membership(&mut *tx, user, conversation).await?;
    if store::blocked_between(&mut *tx, user, conv.other(user)).await? {
        return Err(AppError::Forbidden);
    }
    state.limits.calls_per_member.check(&user)?;
    let id = store::insert_call(&mut *tx, conv.id, user, now)
        .await?
        .ok_or(AppError::Conflict)?;
    let row = store::load_call(&mut *tx, id)
        .await?
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    let change = changed(&conv, &row, None, now);
    effects::apply(state, &[Effect::CallChanged(Box::new(change))], now).await;
    Ok(())
}

/// The callee answers the ringing call.
pub async fn answer(
    state: &AppState,
    user: UserId,
    conversation: &str,
    now: i64,
) -> Result<(), AppError> {
    act(state, user, conversation, Action::Answer, now).await
}

/// The callee declines the ringing call.
pub async fn decline(
    state: &AppState,
    user: UserId,
    conversation: &str,
    now: i64,
) -> Result<(), AppError> {
    act(state, user, conversation, Action::Decline, now).await
}

/// Either member ends the call (the caller before an answer: cancels it).
pub async fn hang_up(
    state: &AppState,
    user: UserId,
    conversation: &str,
    now: i64,
) -> Result<(), AppError> {
    act(state, user, conversation, Action::HangUp, now).await
}

/// A member's browser could not connect: the answered call ends as failed.
pub async fn failed(
    state: &AppState,
    user: UserId,
    conversation: &str,
    now: i64,
) -> Result<(), AppError> {
    act(state, user, conversation, Action::Fail, now).await
}

async fn act(
    state: &AppState,
    user: UserId,
    conversation: &str,
    action: Action,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    let conv = membership(&mut *tx, user, conversation).await?;
    let row = store::open_call(&mut *tx, conv.id)
        .await?
        .ok_or(AppError::Conflict)?;
    let role = if row.caller_id == user {
        Role::Caller
    } else {
        Role::Callee
    };
    if action == Action::Answer && store::blocked_between(&mut *tx, user, row.caller_id).await? {
        return Err(AppError::Forbidden);
    }
    let change = call::decide(times(&row), Some(role), action, now).map_err(refused)?;
    let log = apply_change(&mut tx, &conv, &row, change).await?;
    let row = store::load_call(&mut *tx, row.id)
        .await?
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    let change = changed(&conv, &row, log, now);
    effects::apply(state, &[Effect::CallChanged(Box::new(change))], now).await;
    Ok(())
}

/// Stores `change` of `row` as a conditional update (`Conflict` when the
/// call moved meanwhile); an end also writes the log line. Returns the
/// log line's id.
async fn apply_change(
    tx: &mut sqlx::SqliteConnection,
    conv: &ConversationRow,
    row: &CallRow,
    change: Change,
) -> Result<Option<crate::domain::id::MessageId>, AppError> {
    match change {
        Change::Answered { at } => {
            if store::answer(&mut *tx, row.id, at).await? != 1 {
                return Err(AppError::Conflict);
            }
            Ok(None)
        }
        Change::Ended { at, outcome } => {
            let answered = row.answered_at.is_some();
            if store::end(&mut *tx, row.id, answered, at, outcome).await? != 1 {
                return Err(AppError::Conflict);
            }
            let line =
                chat::store::insert_call_line(&mut *tx, conv.id, row.caller_id, row.id, at).await?;
            chat::store::bump_quietly(&mut *tx, conv.id, line, at).await?;
            Ok(Some(line))
        }
    }
}

/// Ends the calls that fell due at `now` (missed when nobody answered in
/// time, completed when a forgotten one ran for the longest call), each in
/// its own transaction, and tells both members. Run by the scheduler's
/// pass, which works from the database alone: after a restart its first
/// pass ends whatever rang out while the server was down. Returns how many
/// ended.
pub async fn expire_due(db: &SqlitePool, hub: &Hub, now: i64) -> Result<usize, AppError> {
    let due = store::due_calls(db, now - call::RING_TIMEOUT_MS, now - call::MAX_CALL_MS).await?;
    let mut ended = 0;
    for candidate in due {
        let mut tx = db.begin_with(IMMEDIATE).await?;
        let Some(row) = store::load_call(&mut *tx, candidate.id).await? else {
            continue;
        };
        let Ok(change) = call::decide(times(&row), None, Action::Expire, now) else {
            // Answered or ended meanwhile.
            continue;
        };
        let Some(conv) = store::load_conversation_by_id(&mut *tx, row.conversation_id).await?
        else {
            continue;
        };
        let log = match apply_change(&mut tx, &conv, &row, change).await {
            Ok(log) => log,
            Err(AppError::Conflict) => continue,
            Err(e) => return Err(e),
        };
        let row = store::load_call(&mut *tx, row.id)
            .await?
            .ok_or(AppError::Internal)?;
        tx.commit().await?;
        publish(hub, &changed(&conv, &row, log, now));
        ended += 1;
    }
    Ok(ended)
}

/// When the next open call falls due, if any (the scheduler's wake-up).
pub async fn next_due(db: &SqlitePool) -> Result<Option<i64>, sqlx::Error> {
    let (ringing, answered) = store::earliest_open(db).await?;
    let ring_due = ringing.map(|at| at + call::RING_TIMEOUT_MS);
    let run_due = answered.map(|at| at + call::MAX_CALL_MS);
    Ok(ring_due.into_iter().chain(run_due).min())
}

/// The conversation's open call as `user` sees it (`None`: none rings or
/// runs); `NotFound` unless a member.
pub async fn current(
    db: &SqlitePool,
    user: UserId,
    conversation: &str,
    now: i64,
) -> Result<Option<CallView>, AppError> {
    let mut tx = db.begin().await?;
    let conv = membership(&mut *tx, user, conversation).await?;
    let row = store::open_call(&mut *tx, conv.id).await?;
    tx.commit().await?;
    Ok(row.map(|row| view(&conv, &row, now)))
}

/// The calls ringing for `user` right now: a tab that opens meanwhile
/// rings too.
pub async fn ringing(db: &SqlitePool, user: UserId, now: i64) -> Result<Vec<Ring>, AppError> {
    let mut tx = db.begin().await?;
    let mut rings = Vec::new();
    for row in store::ringing_for(&mut *tx, user, now - call::RING_TIMEOUT_MS).await? {
        if let Some(conv) = store::load_conversation_by_id(&mut *tx, row.conversation_id).await? {
            rings.extend(changed(&conv, &row, None, now).ring);
        }
    }
    tx.commit().await?;
    Ok(rings)
}

/// What the call page shows: the two members and the open call.
pub async fn room(
    state: &AppState,
    user: UserId,
    conversation: &str,
    now: i64,
) -> Result<CallRoom, AppError> {
    let mut tx = state.db.begin().await?;
    let conv = membership(&mut *tx, user, conversation).await?;
    let row = store::open_call(&mut *tx, conv.id).await?;
    tx.commit().await?;
    Ok(CallRoom {
        conversation: conv.public_id.clone(),
        title: conv.title.clone(),
        me: participant(&conv, user, now),
        other: participant(&conv, conv.other(user), now),
        call: row.map(|row| view(&conv, &row, now)),
    })
}

/// The open call `user` may signal in, and the other member: `NotFound`
/// unless a member, `Conflict` unless the call is connected.
async fn connected_call(
    db: &SqlitePool,
    user: UserId,
    conversation: &str,
) -> Result<(CallId, UserId), AppError> {
    let mut tx = db.begin().await?;
    let conv = membership(&mut *tx, user, conversation).await?;
    let row = store::open_call(&mut *tx, conv.id).await?;
    tx.commit().await?;
    match row {
        Some(row) if row.answered_at.is_some() => Ok((row.id, conv.other(user))),
        _ => Err(AppError::Conflict),
    }
}

/// Relays `signal` from `user` to the other member's call pages. Only
/// while the call is connected: both browsers start negotiating once it
/// is answered, so nothing before that is needed.
pub async fn signal(
    state: &AppState,
    user: UserId,
    conversation: &str,
    signal: Signal,
) -> Result<(), AppError> {
    let checked = match &signal {
        Signal::Description { sdp_type, sdp } => check_description(sdp_type, sdp),
        Signal::Candidate {
            candidate, sdp_mid, ..
        } => check_candidate(candidate, sdp_mid.as_deref()),
    };
    // A browser never sends these: no need to say more than no.
    checked.map_err(|_: SignalRefusal| AppError::Forbidden)?;
    let (call, other) = connected_call(&state.db, user, conversation).await?;
    state.limits.call_signals.check(&(call, user))?;
    let topic = Topic::Call {
        conversation: conversation.to_owned(),
    };
    let msg = ServerMsg::Call(CallEvent::Signal {
        conversation: conversation.to_owned(),
        from: user.get(),
        signal,
    });
    state.hub.send_to_user_on(&topic, other.get(), msg);
    Ok(())
}

/// Tells the other member's call pages that `user`'s microphone or camera
/// went off or on. Only while the call is connected.
pub async fn media(
    state: &AppState,
    user: UserId,
    conversation: &str,
    muted: bool,
    camera_off: bool,
) -> Result<(), AppError> {
    let (call, other) = connected_call(&state.db, user, conversation).await?;
    state.limits.call_signals.check(&(call, user))?;
    let topic = Topic::Call {
        conversation: conversation.to_owned(),
    };
    let msg = ServerMsg::Call(CallEvent::Media {
        conversation: conversation.to_owned(),
        user: user.get(),
        muted,
        camera_off,
    });
    state.hub.send_to_user_on(&topic, other.get(), msg);
    Ok(())
}
