//! A negotiation room on the live socket: joining it (its two parties and
//! admins only) and the parties' commands.

use super::{Viewer, cancellation, deal_of, live_of, party_of, step, store};
use crate::{
    backend::{AppState, live::hub::ConnId, platform::clock::now_ms},
    domain::order::Step,
    error::AppError,
    protocol::{OrderCommand, OrderEvent, ServerMsg, Topic},
};

/// Subscribes `conn` to `order`'s room and sends it the room's snapshot;
/// refused (`Err`) for anyone but the two parties and admins.
///
/// The snapshot is read after the subscription starts: what the room
/// publishes meanwhile is kept by the hub and sent after the snapshot when
/// it is newer, so the newcomer misses no update and sees none twice.
pub async fn join(
    state: &AppState,
    conn: ConnId,
    viewer: Option<Viewer>,
    order: &str,
) -> Result<(), AppError> {
    let viewer = viewer.ok_or(AppError::Unauthenticated)?;
    let topic = Topic::Order {
        order: order.to_owned(),
    };
    if !state.hub.subscribe_pending(conn, topic.clone()) {
        return Ok(());
    }
    let live = async {
        let row = store::load_order(&state.db, order)
            .await?
            .ok_or(AppError::NotFound)?;
        if party_of(&row, viewer.id).is_none() && !viewer.admin {
            return Err(AppError::NotFound);
        }
        let deal = deal_of(&row)?;
        Ok(live_of(
            &row,
            &deal,
            cancellation(&row),
            state.config.currency,
        ))
    }
    .await;
    match live {
        Ok(live) => {
            let snapshot = ServerMsg::Order(OrderEvent::Snapshot { live });
            state.hub.complete(conn, &topic, snapshot);
            Ok(())
        }
        Err(e) => {
            state.hub.unsubscribe(conn, &topic);
            Err(e)
        }
    }
}

/// Applies one room command for `user` (the session's), answering with an `Ack`.
pub async fn command(state: &AppState, user: Option<Viewer>, command: OrderCommand) -> ServerMsg {
    let req = match &command {
        OrderCommand::Edit { req, .. }
        | OrderCommand::Tick { req, .. }
        | OrderCommand::Confirm { req, .. }
        | OrderCommand::Cancel { req, .. } => *req,
    };
    let Some(user) = user else {
        return ServerMsg::Ack {
            req,
            result: Err(AppError::Unauthenticated),
        };
    };
    let now = now_ms();
    let result = match command {
        OrderCommand::Edit { order, value, .. } => {
            step(state, user.id, &order, Step::Edit(value), None, now).await
        }
        OrderCommand::Tick {
            order,
            term,
            rev,
            on,
            ..
        } => {
            step(
                state,
                user.id,
                &order,
                Step::Tick { term, rev, on },
                None,
                now,
            )
            .await
        }
        OrderCommand::Confirm { order, .. } => {
            step(state, user.id, &order, Step::Confirm, None, now).await
        }
        OrderCommand::Cancel { order, reason, .. } => {
            step(state, user.id, &order, Step::Cancel, Some(&reason), now).await
        }
    };
    ServerMsg::Ack {
        req,
        result: result.map(|()| None),
    }
}
