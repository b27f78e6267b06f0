//! A conversation on the live socket: following it (its two members only)
//! and the members' commands.

use super::{latest, membership, read, send, typing};
use crate::{
    backend::{AppState, live::hub::ConnId, platform::clock::now_ms},
    domain::id::UserId,
    error::AppError,
    protocol::{ChatCommand, ChatEvent, ServerMsg, Topic},
};

/// Subscribes `conn` to `conversation` and sends it the latest messages and
/// both read marks; refused (`Err`) for anyone but the two members.
///
/// The snapshot is read after the subscription starts: a message published
/// meanwhile is kept by the hub and sent after the snapshot unless the
/// snapshot has it, so the newcomer sees each message once.
pub async fn join(
    state: &AppState,
    conn: ConnId,
    user: Option<UserId>,
    conversation: &str,
) -> Result<(), AppError> {
    let user = user.ok_or(AppError::Unauthenticated)?;
    // Checked before subscribing too, so an outsider is never a subscriber,
    // not even for the moment the snapshot takes.
    membership(&state.db, conversation, user).await?;
    let topic = Topic::Conversation {
        conversation: conversation.to_owned(),
    };
    if !state.hub.subscribe_pending(conn, topic.clone()) {
        return Ok(());
    }
    let snapshot = async {
        let mut tx = state.db.begin().await?;
        let (row, _) = membership(&mut *tx, conversation, user).await?;
        let page = latest(&mut *tx, &row).await?;
        tx.commit().await?;
        Ok::<_, AppError>(ChatEvent::Snapshot {
            conversation: row.public_id,
            messages: page.messages,
            reads: vec![
                (row.buyer_id.get(), row.buyer_read),
                (row.seller_id.get(), row.seller_read),
            ],
        })
    }
    .await;
    match snapshot {
        Ok(snapshot) => {
            state.hub.complete(conn, &topic, ServerMsg::Chat(snapshot));
            Ok(())
        }
        Err(e) => {
            state.hub.unsubscribe(conn, &topic);
            Err(e)
        }
    }
}

/// Applies one conversation command for `user` (the session's). A message
/// is answered with an `Ack`; typing and read marks are not answered.
pub async fn command(
    state: &AppState,
    user: Option<UserId>,
    command: ChatCommand,
) -> Option<ServerMsg> {
    match command {
        ChatCommand::Send {
            conversation,
            text,
            images,
            req,
        } => {
            let result = match user {
                Some(user) => send(state, user, &conversation, &text, &images, now_ms())
                    .await
                    .map(|_| None),
                None => Err(AppError::Unauthenticated),
            };
            Some(ServerMsg::Ack { req, result })
        }
        ChatCommand::Typing { conversation } => {
            if let Some(user) = user {
                let _ = typing(state, user, &conversation).await;
            }
            None
        }
        ChatCommand::Read {
            conversation,
            up_to,
        } => {
            if let Some(user) = user {
                let _ = read(state, user, &conversation, up_to, now_ms()).await;
            }
            None
        }
    }
}
