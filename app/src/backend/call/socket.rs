//! A conversation's calls on the live socket: joining the call topic (its
//! two members only) and the members' commands.

use crate::{
    backend::{AppState, live::hub::ConnId, platform::clock::now_ms},
    domain::id::UserId,
    error::AppError,
    protocol::{CallCommand, CallEvent, ErrorCode, ServerMsg, Topic},
};

/// Subscribes `conn` to `conversation`'s call topic and sends it the open
/// call (or none); refused (`Err`) for anyone but the two members.
///
/// The snapshot is read after the subscription starts, so a change
/// committed meanwhile is heard after it rather than lost.
pub async fn join(
    state: &AppState,
    conn: ConnId,
    user: Option<UserId>,
    conversation: &str,
) -> Result<(), AppError> {
    let user = user.ok_or(AppError::Unauthenticated)?;
    let topic = Topic::Call {
        conversation: conversation.to_owned(),
    };
    if !state.hub.subscribe_pending(conn, topic.clone()) {
        return Ok(());
    }
    match super::current(&state.db, user, conversation, now_ms()).await {
        Ok(call) => {
            let snapshot = ServerMsg::Call(CallEvent::State {
                conversation: conversation.to_owned(),
                call,
            });
            state.hub.complete(conn, &topic, snapshot);
            Ok(())
        }
        Err(e) => {
            state.hub.unsubscribe(conn, &topic);
            Err(e)
        }
    }
}

/// Applies one call command for `user` (the session's). The state changes
/// are answered with an `Ack`; a signal or a media change only when
/// refused, with an `Error`.
pub async fn command(
    state: &AppState,
    user: Option<UserId>,
    command: CallCommand,
) -> Option<ServerMsg> {
    let now = now_ms();
    let (req, result) = match command {
        CallCommand::Signal {
            conversation,
            signal,
        } => {
            let result = match user {
                Some(user) => super::signal(state, user, &conversation, signal).await,
                None => Err(AppError::Unauthenticated),
            };
            return refusal(result);
        }
        CallCommand::Media {
            conversation,
            muted,
            camera_off,
        } => {
            let result = match user {
                Some(user) => super::media(state, user, &conversation, muted, camera_off).await,
                None => Err(AppError::Unauthenticated),
            };
            return refusal(result);
        }
        CallCommand::Call { conversation, req } => (
            req,
            match user {
                Some(user) => super::start(state, user, &conversation, now).await,
                None => Err(AppError::Unauthenticated),
            },
        ),
        CallCommand::Answer { conversation, req } => (
            req,
            match user {
                Some(user) => super::answer(state, user, &conversation, now).await,
                None => Err(AppError::Unauthenticated),
            },
        ),
        CallCommand::Decline { conversation, req } => (
            req,
            match user {
                Some(user) => super::decline(state, user, &conversation, now).await,
                None => Err(AppError::Unauthenticated),
            },
        ),
        CallCommand::HangUp { conversation, req } => (
            req,
            match user {
                Some(user) => super::hang_up(state, user, &conversation, now).await,
                None => Err(AppError::Unauthenticated),
            },
        ),
        CallCommand::Failed { conversation, req } => (
            req,
            match user {
                Some(user) => super::failed(state, user, &conversation, now).await,
                None => Err(AppError::Unauthenticated),
            },
        ),
    };
    Some(ServerMsg::Ack {
        req,
        result: result.map(|()| None),
    })
}

/// A relayed message is not answered, unless refused.
fn refusal(result: Result<(), AppError>) -> Option<ServerMsg> {
    let code = match result {
        Ok(()) => return None,
        Err(AppError::RateLimited) => ErrorCode::RateLimited,
        Err(_) => ErrorCode::Forbidden,
    };
    Some(ServerMsg::Error { code })
}
