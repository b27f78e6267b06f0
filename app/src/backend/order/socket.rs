//! A negotiation room on the live socket: joining it (its two parties and
//! admins only) and the parties' commands.

use crate::{
    backend::{AppState, live::hub::ConnId, order::Viewer},
    protocol::{OrderCommand, ServerMsg},
};

/// Subscribes `conn` to `order`'s room and sends it the room's snapshot;
/// refused (`Err`) for anyone but the two parties and admins.
pub async fn join(
    _state: &AppState,
    _conn: ConnId,
    _viewer: Option<Viewer>,
    _order: &str,
) -> Result<(), crate::error::AppError> {
    Err(crate::error::AppError::NotFound)
}

/// Applies one room command for `user` (the session's), answering with an `Ack`.
pub async fn command(_state: &AppState, _user: Option<Viewer>, command: OrderCommand) -> ServerMsg {
    let req = match command {
        OrderCommand::Edit { req, .. }
        | OrderCommand::Tick { req, .. }
        | OrderCommand::Confirm { req, .. }
        | OrderCommand::Cancel { req, .. } => req,
    };
    ServerMsg::Ack {
        req,
        result: Err(crate::error::AppError::NotFound),
    }
}
