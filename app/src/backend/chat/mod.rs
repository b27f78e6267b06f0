//! Conversations: one per listing and buyer, between the buyer and the
//! listing's seller (a negotiation room's chat is the conversation of its
//! order's listing and buyer). Nobody else reads or writes one: whatever id
//! an outsider sends, the answer is `NotFound`.
//!
//! A message, its photos, the conversation's newest message and the
//! recipient's unread count are stored together, in one transaction with
//! whatever other messages wait for the writer ([`group`]); a read mark only
//! moves forward, recounting the reader's unread in the same statement. Both
//! then reach the members' tabs through [`Effect`]s.

mod group;
pub mod socket;
pub(crate) mod store;
#[cfg(test)]
mod tests;

use crate::{
    backend::{
        AppState,
        auction::shown_name,
        effects::{self, Effect},
        platform::{clock::now_ms, db, media},
    },
    domain::{
        account::Standing,
        chat::{check_message, preview},
        id::{ListingId, UserId},
        order::DealRefusal,
    },
    error::AppError,
    model::{
        BlockState, Blocked, CallOutcome, ChatImage, ChatListing, Conversation, Inbox, InboxLine,
        MessagePage, MessageView, Participant,
    },
    protocol::{ChatEvent, ServerMsg},
};
use store::ConversationRow;

/// Messages a conversation opens with, and each page further up holds.
pub const PAGE: i64 = 50;
/// Conversations the inbox lists at most.
pub const INBOX_LIMIT: i64 = 200;

/// Moving a read mark reads (membership) before it writes: taking the
/// write lock up front makes a concurrent writer wait rather than fail.
const IMMEDIATE: &str = "BEGIN IMMEDIATE";

/// Whether `user` is the buyer (`Some(true)`), the seller (`Some(false)`)
/// or not a member (`None`) of `row`.
fn side(row: &ConversationRow, user: UserId) -> Option<bool> {
    if user == row.buyer_id {
        Some(true)
    } else if user == row.seller_id {
        Some(false)
    } else {
        None
    }
}

/// `row` if `user` is one of its two members; `NotFound` otherwise, so an
/// outsider cannot tell a conversation from a wrong id.
async fn membership(
    ex: impl sqlx::SqliteExecutor<'_>,
    conversation: &str,
    user: UserId,
) -> Result<(ConversationRow, bool), AppError> {
    let row = store::load_conversation(ex, conversation)
        .await?
        .ok_or(AppError::NotFound)?;
    let buyer = side(&row, user).ok_or(AppError::NotFound)?;
    Ok((row, buyer))
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

fn message_view(row: store::MessageRow) -> MessageView {
    let images: Vec<(String, String, u32, u32)> =
        serde_json::from_str(&row.images).unwrap_or_else(|e| {
            tracing::error!(error = %e, message = %row.id, "reading a message's photos");
            Vec::new()
        });
    let call = match row.outcome.as_deref() {
        Some("completed") => Some(CallOutcome::Completed {
            duration_ms: row.ended_at.unwrap_or(0) - row.answered_at.unwrap_or(0),
        }),
        Some("missed") => Some(CallOutcome::Missed),
        Some("declined") => Some(CallOutcome::Declined),
        Some("failed") => Some(CallOutcome::Failed),
        _ => None,
    };
    MessageView {
        id: row.id.get(),
        from: row.sender_id.get(),
        body: row.body,
        images: images
            .into_iter()
            .map(|(file, thumb, width, height)| ChatImage {
                url: media::url(&file),
                thumb_url: media::url(&thumb),
                width,
                height,
            })
            .collect(),
        call,
        at: row.created_at,
    }
}

/// A page of messages read newest first (one more than [`PAGE`] asked for,
/// to tell whether older ones exist), oldest first.
fn page(mut rows: Vec<store::MessageRow>) -> MessagePage {
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    rows.reverse();
    MessagePage {
        messages: rows.into_iter().map(message_view).collect(),
        more,
    }
}

/// The latest page of `row`'s messages.
async fn latest(
    ex: impl sqlx::SqliteExecutor<'_>,
    row: &ConversationRow,
) -> Result<MessagePage, sqlx::Error> {
    Ok(page(
        store::messages_before(ex, row.id, i64::MAX, PAGE + 1).await?,
    ))
}

/// "Message seller": the caller's conversation about `listing` with its
/// seller, opened if new (the listing must be public then; never one's own
/// listing). Returns its public id.
pub async fn open(
    state: &AppState,
    user: UserId,
    listing: ListingId,
    now: i64,
) -> Result<String, AppError> {
    let (seller, status) = store::load_listing(&state.db, listing)
        .await?
        .ok_or(AppError::NotFound)?;
    if seller == user {
        return Err(AppError::Deal(DealRefusal::OwnListing));
    }
    if let Some(row) = store::find_conversation(&state.db, listing, user).await? {
        return Ok(row.public_id);
    }
    if !matches!(status.as_str(), "approved" | "sold") {
        return Err(AppError::NotFound);
    }
    let (status, until, _) = store::load_standing(&state.db, user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !Standing::from_status(&status, until, now).may_trade() {
        return Err(AppError::Forbidden);
    }
    state.limits.conversations_per_member.check(&user)?;
    let public_id = uuid::Uuid::new_v4().simple().to_string();
    // Two tabs opening at once: the second insert does nothing and both
    // read the one conversation.
    store::insert_conversation(&state.db, &public_id, listing, user, seller, now).await?;
    let row = store::find_conversation(&state.db, listing, user)
        .await?
        .ok_or(AppError::Internal)?;
    Ok(row.public_id)
}

/// A negotiation room's chat: the conversation of `order`'s listing and
/// buyer, opened if new. The order's two parties only.
pub async fn of_order(
    state: &AppState,
    user: UserId,
    order: &str,
    now: i64,
) -> Result<Conversation, AppError> {
    let (listing, buyer, seller) = store::load_order_parties(&state.db, order)
        .await?
        .ok_or(AppError::NotFound)?;
    if user != buyer && user != seller {
        return Err(AppError::NotFound);
    }
    let row = match store::find_conversation(&state.db, listing, buyer).await? {
        Some(row) => row,
        None => {
            let public_id = uuid::Uuid::new_v4().simple().to_string();
            store::insert_conversation(&state.db, &public_id, listing, buyer, seller, now).await?;
            store::find_conversation(&state.db, listing, buyer)
                .await?
                .ok_or(AppError::Internal)?
        }
    };
    view(state, row, user, now).await
}

/// A conversation with its latest messages, as `user` (one of its two
/// members) sees it.
pub async fn conversation(
    state: &AppState,
    user: UserId,
    id: &str,
) -> Result<Conversation, AppError> {
    let (row, _) = membership(&state.db, id, user).await?;
    view(state, row, user, now_ms()).await
}

async fn view(
    state: &AppState,
    row: ConversationRow,
    user: UserId,
    now: i64,
) -> Result<Conversation, AppError> {
    // One read transaction: the messages and the marks as of one moment.
    let mut tx = state.db.begin().await?;
    let row = store::load_conversation(&mut *tx, &row.public_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let buyer = side(&row, user).ok_or(AppError::NotFound)?;
    let page = latest(&mut *tx, &row).await?;
    let around = store::load_around(&mut *tx, row.id, user).await?;
    tx.commit().await?;
    Ok(Conversation {
        id: row.public_id,
        listing: ChatListing {
            id: row.listing_id.get(),
            title: around.title,
            thumb_url: around.thumb.as_deref().map(media::url),
        },
        me: user.get(),
        other: Participant {
            id: around.other_id.get(),
            name: shown_name(
                &around.other_name,
                &around.other_status,
                around.other_until,
                now,
            ),
        },
        messages: page.messages,
        more: page.more,
        other_read: if buyer {
            row.seller_read
        } else {
            row.buyer_read
        },
        blocks: BlockState {
            by_you: around.by_you,
            by_them: around.by_them,
        },
    })
}

/// The [`PAGE`] messages before the message `before`, for scrolling up.
pub async fn older(
    state: &AppState,
    user: UserId,
    id: &str,
    before: i64,
) -> Result<MessagePage, AppError> {
    let (row, _) = membership(&state.db, id, user).await?;
    Ok(page(
        store::messages_before(&state.db, row.id, before, PAGE + 1).await?,
    ))
}

/// The user's conversations that have a message, latest activity first,
/// with the unread count of each and over all of them.
pub async fn inbox(state: &AppState, user: UserId) -> Result<Inbox, AppError> {
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let rows = store::inbox(&mut *tx, user, INBOX_LIMIT).await?;
    let unread = store::unread_total(&mut *tx, user).await?;
    tx.commit().await?;
    let lines = rows
        .into_iter()
        .map(|row| InboxLine {
            id: row.public_id,
            listing: ChatListing {
                id: row.listing_id.get(),
                title: row.title,
                thumb_url: row.thumb.as_deref().map(media::url),
            },
            other: Participant {
                id: row.other_id.get(),
                name: shown_name(&row.other_name, &row.other_status, row.other_until, now),
            },
            last: row.last_body.as_deref().and_then(preview),
            last_at: row.last_at,
            unread: count(row.unread),
        })
        .collect();
    Ok(Inbox {
        lines,
        unread: count(unread),
    })
}

/// The user's unread messages over all their conversations (the header's
/// badge).
pub async fn unread(db: &sqlx::SqlitePool, user: UserId) -> Result<u32, sqlx::Error> {
    Ok(count(store::unread_total(db, user).await?))
}

/// `user` sends a message in `conversation`: text and their own loose
/// uploads `images`, all attached or none. Refused between members of whom
/// one blocked the other, to restricted accounts, to unverified addresses
/// and past the member's rate.
pub async fn send(
    state: &AppState,
    user: UserId,
    conversation: &str,
    text: &str,
    images: &[i64],
    now: i64,
) -> Result<MessageView, AppError> {
    let outgoing = check_message(text, images).map_err(|(f, p)| AppError::field(f, p))?;
    state.limits.messages_per_member.check(&user)?;

    group::store_message(state, user, conversation, outgoing, now).await
}

/// `user` has seen `conversation`'s messages up to `up_to`: their read mark
/// moves there (never back, never past the newest message) and their unread
/// count follows.
pub async fn read(
    state: &AppState,
    user: UserId,
    conversation: &str,
    up_to: i64,
    now: i64,
) -> Result<(), AppError> {
    // Most reads change nothing (a tab confirming what it already said):
    // those never wait for the write lock.
    let (row, buyer) = membership(&state.db, conversation, user).await?;
    let mark = if buyer {
        row.buyer_read
    } else {
        row.seller_read
    };
    if up_to.min(row.last_message_id) <= mark {
        return Ok(());
    }
    let writing = db::write_turn().await;
    let mut tx = state.db.begin_with(IMMEDIATE).await?;
    let (row, buyer) = membership(&mut *tx, conversation, user).await?;
    let up_to = up_to.min(row.last_message_id);
    if store::mark_read(&mut *tx, row.id, user, buyer, up_to)
        .await?
        .is_none()
    {
        return Ok(());
    }
    let unread = store::unread_total(&mut *tx, user).await?;
    tx.commit().await?;
    let effect = Effect::ChatSeen {
        conversation: row.public_id,
        reader: user,
        up_to,
        unread: count(unread),
    };
    // Published under the writer's turn, like messages: marks reach the
    // tabs in the order they were stored.
    effects::apply(state, &[effect], now).await;
    drop(writing);
    Ok(())
}

/// `user` is typing in `conversation`: the members' tabs hear it; nothing is
/// stored. Past the member's rate, or between members of whom one blocked
/// the other, it goes nowhere.
pub async fn typing(state: &AppState, user: UserId, conversation: &str) -> Result<(), AppError> {
    let (row, buyer) = membership(&state.db, conversation, user).await?;
    if !state.limits.typing_per_member.allow(&user) {
        return Ok(());
    }
    let other = if buyer { row.seller_id } else { row.buyer_id };
    if store::blocks_between(&state.db, user, other).await? != (false, false) {
        return Ok(());
    }
    let event = ChatEvent::Typing {
        conversation: row.public_id,
        user: user.get(),
    };
    state.hub.publish(&event.topic(), ServerMsg::Chat(event));
    Ok(())
}

/// Blocks (`on`) or unblocks `member` for `user`: while blocked, neither
/// can send the other a message.
pub async fn set_block(
    state: &AppState,
    user: UserId,
    member: UserId,
    on: bool,
    now: i64,
) -> Result<(), AppError> {
    if member == user {
        return Err(AppError::Forbidden);
    }
    if !store::user_exists(&state.db, member).await? {
        return Err(AppError::NotFound);
    }
    if on {
        store::insert_block(&state.db, user, member, now).await?;
    } else {
        store::delete_block(&state.db, user, member).await?;
    }
    tracing::info!(%user, %member, on, "block");
    Ok(())
}

/// The members `user` blocked, latest first.
pub async fn blocked(state: &AppState, user: UserId) -> Result<Vec<Blocked>, AppError> {
    let now = now_ms();
    Ok(store::list_blocked(&state.db, user)
        .await?
        .into_iter()
        .map(|(id, name, status, until, at)| Blocked {
            member: Participant {
                id: id.get(),
                name: shown_name(&name, &status, until, now),
            },
            at,
        })
        .collect())
}
