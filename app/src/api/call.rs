//! Video calls: what the call page needs to start. The call's state and
//! its WebRTC signaling travel over the WebSocket (see `protocol::call`).

use crate::api::codec::JsonText;
use crate::{
    domain::call::IceServer,
    error::AppError,
    model::{CallView, Participant},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    backend::{call, platform::clock::now_ms, web::session},
    domain::id::UserId,
    error::respond,
};

/// A conversation's call page for one of its two members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPage {
    /// The conversation's public id.
    pub conversation: String,
    /// The listing it is about.
    pub title: String,
    pub me: Participant,
    pub other: Participant,
    /// The call that rings or runs, if any.
    pub call: Option<CallView>,
    /// STUN/TURN servers for the browser's `RTCPeerConnection`.
    pub ice_servers: Vec<IceServer>,
}

/// The call page of `conversation`: its two members only; anyone else is
/// told it does not exist.
#[server(output = JsonText, endpoint = "call/page")]
pub async fn fetch_call_page(conversation: String) -> Result<CallPage, AppError> {
    respond(
        async move {
            let session::Caller { state, account, .. } = session::caller().await?;
            let room = call::room(&state, UserId(account.id), &conversation, now_ms()).await?;
            Ok(CallPage {
                conversation: room.conversation,
                title: room.title,
                me: room.me,
                other: room.other,
                call: room.call,
                ice_servers: state.config.ice_servers.clone(),
            })
        }
        .await,
    )
}
