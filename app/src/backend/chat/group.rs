//! Storing a message, in the writer's next group transaction
//! ([`group`]): at a couple of thousand messages a second, a transaction
//! per message would saturate SQLite's one writer and queue sends for
//! seconds. A refused message leaves the others in its group whole, the
//! kept ones reach the tabs in id order, and none is acknowledged before
//! it is durable.

use super::{count, membership, store};
use crate::{
    backend::{
        AppState,
        effects::Effect,
        platform::{group, media},
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
use sqlx::SqliteConnection;

/// One checked message on its way to the store.
struct Pending {
    user: UserId,
    conversation: String,
    outgoing: Outgoing,
    now: i64,
}

/// Stores `outgoing` from `user` in `conversation` with whatever other
/// writes are waiting, and returns it as the members see it.
pub(super) async fn store_message(
    state: &AppState,
    user: UserId,
    conversation: &str,
    outgoing: Outgoing,
    now: i64,
) -> Result<MessageView, AppError> {
    let pending = Pending {
        user,
        conversation: conversation.to_owned(),
        outgoing,
        now,
    };
    group::write(state, now, pending, |conn, pending| {
        Box::pin(async move {
            let (message, effect) = store_one(conn, pending).await?;
            Ok((message, vec![effect]))
        })
    })
    .await
}

/// Refused between members of whom one blocked the other, to restricted
/// accounts and to unverified addresses; otherwise the message, its photos
/// (all or none), the conversation's newest message and the recipient's
/// unread count.
async fn store_one(
    conn: &mut SqliteConnection,
    pending: &Pending,
) -> Result<(MessageView, Effect), AppError> {
    let Pending {
        user,
        conversation,
        outgoing,
        now,
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
