//! Group commit of messages. SQLite has one writer, and a transaction per
//! message spends most of its time beginning and committing: at a couple
//! of thousand messages a second the writer saturates and sends queue for
//! seconds. So each send joins a queue, and whoever holds the writer's turn
//! next stores every waiting message in one transaction, each inside its
//! own savepoint (one refused message leaves the others whole), publishes
//! them in id order and only then answers each sender: a message is never
//! acknowledged before it is durable.

use super::{IMMEDIATE, count, membership, store};
use crate::{
    backend::{
        AppState,
        effects::{self, Effect},
        platform::{db, media},
    },
    domain::{
        account::Standing,
        chat::Outgoing,
        form::{Field, Problem},
        id::UserId,
    },
    error::AppError,
    model::{ChatImage, MessageView},
};
use sqlx::{Acquire, SqliteConnection};
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};
use tokio::sync::oneshot;

/// Most messages one transaction stores: a longer queue is left for the
/// next turn, so one commit stays short.
const GROUP: usize = 256;

/// Messages waiting for the writer.
#[derive(Clone, Default)]
pub struct Sends(Arc<Mutex<VecDeque<Pending>>>);

/// One checked message on its way to the store, and where its outcome goes.
struct Pending {
    user: UserId,
    conversation: String,
    outgoing: Outgoing,
    now: i64,
    reply: oneshot::Sender<Result<MessageView, AppError>>,
}

impl Sends {
    fn push(&self, pending: Pending) {
        if let Ok(mut queue) = self.0.lock() {
            queue.push_back(pending);
        }
    }

    /// Messages waiting now.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.0.lock().map(|queue| queue.len()).unwrap_or(0)
    }

    fn take(&self) -> Vec<Pending> {
        self.0
            .lock()
            .map(|mut queue| {
                let n = queue.len().min(GROUP);
                queue.drain(..n).collect()
            })
            .unwrap_or_default()
    }
}

/// Stores `outgoing` from `user` in `conversation` with whatever other
/// messages are waiting, and returns it as the members see it.
pub(super) async fn store_message(
    state: &AppState,
    user: UserId,
    conversation: &str,
    outgoing: Outgoing,
    now: i64,
) -> Result<MessageView, AppError> {
    let (reply, outcome) = oneshot::channel();
    state.chat_sends.push(Pending {
        user,
        conversation: conversation.to_owned(),
        outgoing,
        now,
        reply,
    });
    // The store runs in its own task: a sender that goes away (a closed
    // socket, a dropped request) cannot cut short a transaction that holds
    // other members' messages. Each message spawns one, so every queued
    // message is taken by some turn; most find the queue already empty.
    let state = state.clone();
    tokio::spawn(async move { store_waiting(&state).await });
    outcome.await.unwrap_or(Err(AppError::Internal))
}

/// Under the writer's turn: stores the waiting messages, publishes those
/// kept, then answers every sender.
async fn store_waiting(state: &AppState) {
    let writing = db::write_turn().await;
    let group = state.chat_sends.take();
    let Some(now) = group.iter().map(|p| p.now).max() else {
        return;
    };
    let outcomes = match store_group(state, &group).await {
        Ok(outcomes) => outcomes,
        Err(e) => {
            tracing::error!(error = %e, messages = group.len(), "storing messages failed");
            group.iter().map(|_| Err(AppError::Internal)).collect()
        }
    };
    let published: Vec<Effect> = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().ok().map(|(_, effect)| effect.clone()))
        .collect();
    // Published before the next turn commits, so every tab hears a
    // conversation's messages in the order of their ids.
    effects::apply(state, &published, now).await;
    drop(writing);
    for (pending, outcome) in group.into_iter().zip(outcomes) {
        let _ = pending.reply.send(outcome.map(|(message, _)| message));
    }
}

type Outcome = Result<(MessageView, Effect), AppError>;

/// One transaction for `group`, each message in its own savepoint.
async fn store_group(state: &AppState, group: &[Pending]) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    let mut outcomes = Vec::with_capacity(group.len());
    for pending in group {
        let mut savepoint = (&mut *tx).begin().await?;
        let outcome = store_one(&mut savepoint, pending).await;
        if outcome.is_ok() {
            savepoint.commit().await?;
        } else {
            savepoint.rollback().await?;
        }
        outcomes.push(outcome);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Refused between members of whom one blocked the other, to restricted
/// accounts and to unverified addresses; otherwise the message, its photos
/// (all or none), the conversation's newest message and the recipient's
/// unread count.
async fn store_one(conn: &mut SqliteConnection, pending: &Pending) -> Outcome {
    let Pending {
        user,
        conversation,
        outgoing,
        now,
        ..
    } = pending;
    let (user, now) = (*user, *now);
    let (row, buyer) = membership(&mut *conn, conversation, user).await?;
    let other = if buyer { row.seller_id } else { row.buyer_id };
    let (status, until, verified) = store::load_standing(&mut *conn, user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !Standing::from_status(&status, until, now).may_trade() {
        return Err(AppError::Forbidden);
    }
    if verified.is_none() {
        return Err(AppError::field(Field::Message, Problem::VerifyEmailFirst));
    }
    match store::blocks_between(&mut *conn, user, other).await? {
        (true, _) => return Err(AppError::field(Field::Message, Problem::YouBlocked)),
        (_, true) => return Err(AppError::field(Field::Message, Problem::BlockedYou)),
        _ => {}
    }
    let id = store::insert_message(&mut *conn, row.id, user, &outgoing.text, now).await?;
    let mut attached = if outgoing.images.is_empty() {
        Vec::new()
    } else {
        let ids = serde_json::to_string(&outgoing.images).map_err(|_| AppError::Internal)?;
        store::attach_images(&mut *conn, id, user, &ids).await?
    };
    if attached.len() != outgoing.images.len() {
        // Someone else's, already sent, on a listing, or swept: nothing of
        // this message is kept (its savepoint is rolled back).
        return Err(AppError::field(Field::Images, Problem::Expired));
    }
    attached.sort_by_key(|image| image.0);
    store::bump(&mut *conn, row.id, id, !buyer, now).await?;
    let unread = store::unread_total(&mut *conn, other).await?;
    let message = MessageView {
        id: id.get(),
        from: user.get(),
        body: outgoing.text.clone(),
        images: attached
            .into_iter()
            .map(|(_, file, thumb, width, height)| ChatImage {
                url: media::url(&file),
                thumb_url: media::url(&thumb),
                width: u32::try_from(width).unwrap_or(0),
                height: u32::try_from(height).unwrap_or(0),
            })
            .collect(),
        call: None,
        at: now,
    };
    let effect = Effect::ChatMessage {
        conversation: row.public_id,
        message: message.clone(),
        recipient: other,
        unread: count(unread),
    };
    Ok((message, effect))
}
