//! The call area's use cases on a real database: who may start, answer,
//! decline, hang up and signal; one open call per conversation; the ring
//! timeout; blocks; the log line; what each member's tabs hear.

use super::*;
use crate::{
    backend::{
        live::hub::Connection,
        testing::{self, *},
    },
    domain::call::{MAX_CALL_MS, MAX_SDP, RING_TIMEOUT_MS},
    model::CallOutcome,
    protocol::{CallCommand, ChatEvent, ErrorCode, NoticeEvent},
};
use sqlx::SqlitePool;

struct World {
    pool: SqlitePool,
    state: AppState,
    seller: UserId,
    buyer: UserId,
    stranger: UserId,
    /// The buyer's conversation with the seller about a listing.
    conv: String,
    _dir: tempfile::TempDir,
}

/// A conversation between `buyer` and `listing`'s seller, as the chat area
/// opens one; returns its public id.
pub(crate) async fn conversation(pool: &SqlitePool, listing: i64, buyer: UserId) -> String {
    let public_id = format!("conv-{listing}-{buyer}");
    sqlx::query(
        "INSERT INTO conversations (public_id, listing_id, buyer_id, seller_id, created_at, last_at)
         SELECT ?, id, ?, seller_id, ?, ? FROM listings WHERE id = ?",
    )
    .bind(&public_id)
    .bind(buyer)
    .bind(NOW)
    .bind(NOW)
    .bind(listing)
    .execute(pool)
    .await
    .unwrap();
    public_id
}

async fn world() -> World {
    let (pool, dir) = temp_db().await;
    let state = testing::app_state(&pool, &dir);
    let seller = UserId(user(&pool, "seller").await);
    let buyer = UserId(user(&pool, "buyer").await);
    let stranger = UserId(user(&pool, "stranger").await);
    let listing = listed(&pool, seller.get(), &input("Camera"), NOW).await;
    let conv = conversation(&pool, listing, buyer).await;
    World {
        pool,
        state,
        seller,
        buyer,
        stranger,
        conv,
        _dir: dir,
    }
}

impl World {
    async fn block(&self, blocker: UserId, blocked: UserId) {
        sqlx::query("INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, 0)")
            .bind(blocker)
            .bind(blocked)
            .execute(&self.pool)
            .await
            .unwrap();
    }

    async fn call(&self) -> Option<CallView> {
        current(&self.pool, self.buyer, &self.conv, NOW)
            .await
            .unwrap()
    }

    /// The log lines written in the conversation: (sender, call id).
    async fn log_lines(&self) -> Vec<(i64, i64)> {
        sqlx::query_as(
            "SELECT sender_id, call_id FROM messages m
               JOIN conversations c ON c.id = m.conversation_id
              WHERE c.public_id = ? AND call_id IS NOT NULL",
        )
        .bind(&self.conv)
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }

    /// A tab of `user` on the call page.
    async fn tab(&self, user: UserId) -> Connection {
        let mut conn = self.state.hub.connect(Some(user.get()));
        socket::join(&self.state, conn.id, Some(user), &self.conv)
            .await
            .unwrap();
        assert!(matches!(
            next(&mut conn),
            Some(ServerMsg::Call(CallEvent::State { .. }))
        ));
        conn
    }
}

fn next(conn: &mut Connection) -> Option<ServerMsg> {
    conn.try_recv().map(|frame| frame.msg())
}

fn drain(conn: &mut Connection) -> Vec<ServerMsg> {
    std::iter::from_fn(|| next(conn)).collect()
}

fn offer() -> Signal {
    Signal::Description {
        sdp_type: "offer".into(),
        sdp: "v=0".into(),
    }
}

#[tokio::test]
async fn only_members_call_and_the_callee_answers() {
    let w = world().await;
    // A stranger gets nothing, whatever the conversation.
    for conv in [w.conv.as_str(), "nope"] {
        assert_eq!(
            start(&w.state, w.stranger, conv, NOW).await,
            Err(AppError::NotFound)
        );
    }
    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    let call = w.call().await.unwrap();
    assert_eq!(call.phase, CallPhase::Ringing);
    assert_eq!(
        (call.caller.id, call.callee.id),
        (w.buyer.get(), w.seller.get())
    );
    assert_eq!(call.polite, w.seller.get(), "the callee is polite");
    // The stranger cannot answer, decline or hang up; the caller cannot answer.
    for action in [
        Action::Answer,
        Action::Decline,
        Action::HangUp,
        Action::Fail,
    ] {
        assert_eq!(
            act(&w.state, w.stranger, &w.conv, action, NOW + 1).await,
            Err(AppError::NotFound)
        );
    }
    for action in [Action::Answer, Action::Decline] {
        assert_eq!(
            act(&w.state, w.buyer, &w.conv, action, NOW + 1).await,
            Err(AppError::Forbidden)
        );
    }
    answer(&w.state, w.seller, &w.conv, NOW + 2_000)
        .await
        .unwrap();
    let call = w.call().await.unwrap();
    assert_eq!(call.phase, CallPhase::Connected);
    assert_eq!(call.answered_at, Some(NOW + 2_000));
    // Answered once only.
    assert_eq!(
        answer(&w.state, w.seller, &w.conv, NOW + 3_000).await,
        Err(AppError::Conflict)
    );
    hang_up(&w.state, w.seller, &w.conv, NOW + 62_000)
        .await
        .unwrap();
    assert_eq!(w.call().await, None);
    assert_eq!(
        hang_up(&w.state, w.buyer, &w.conv, NOW + 63_000).await,
        Err(AppError::Conflict)
    );
    // Logged once, as sent by the caller, with its duration.
    let lines = w.log_lines().await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].0, w.buyer.get());
    let (last, outcome): (i64, String) = sqlx::query_as(
        "SELECT c.last_message_id, k.outcome FROM conversations c JOIN calls k ON k.conversation_id = c.id",
    )
    .fetch_one(&w.pool)
    .await
    .unwrap();
    assert!(last > 0);
    assert_eq!(outcome, "completed");
}

#[tokio::test]
async fn one_open_call_per_conversation() {
    let w = world().await;
    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    // Neither member can ring again while it rings, nor at once.
    for who in [w.buyer, w.seller] {
        assert_eq!(
            start(&w.state, who, &w.conv, NOW + 1).await,
            Err(AppError::Conflict)
        );
    }
    decline(&w.state, w.seller, &w.conv, NOW + 2).await.unwrap();
    // Ended: either may call again; the seller's call makes the buyer the callee.
    start(&w.state, w.seller, &w.conv, NOW + 3).await.unwrap();
    let call = w.call().await.unwrap();
    assert_eq!(call.callee.id, w.buyer.get());
    assert_eq!(call.polite, w.buyer.get());
}

#[tokio::test]
async fn simultaneous_calls_leave_one_ringing() {
    let w = world().await;
    let (a, b) = tokio::join!(
        start(&w.state, w.buyer, &w.conv, NOW),
        start(&w.state, w.seller, &w.conv, NOW)
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM calls WHERE ended_at IS NULL")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(open, 1);
}

#[tokio::test]
async fn a_call_nobody_answers_is_missed_by_the_pass_once() {
    let w = world().await;
    let mut seller_tab = w.state.hub.connect(Some(w.seller.get()));
    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    assert!(matches!(
        next(&mut seller_tab),
        Some(ServerMsg::Notify(NoticeEvent::Ring { .. }))
    ));
    assert_eq!(
        next_due(&w.pool).await.unwrap(),
        Some(NOW + RING_TIMEOUT_MS)
    );
    // Not before its time.
    assert_eq!(
        expire_due(&w.pool, &w.state.hub, NOW + RING_TIMEOUT_MS - 1)
            .await
            .unwrap(),
        0
    );
    assert!(w.call().await.is_some());
    assert_eq!(
        expire_due(&w.pool, &w.state.hub, NOW + RING_TIMEOUT_MS)
            .await
            .unwrap(),
        1
    );
    assert_eq!(w.call().await, None);
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM calls")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(outcome, "missed");
    let call_id: i64 = sqlx::query_scalar("SELECT id FROM calls")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(
        next(&mut seller_tab),
        Some(ServerMsg::Notify(NoticeEvent::RingEnded { call: call_id }))
    );
    // A second pass (or an overlapping one) ends nothing more and logs once.
    assert_eq!(
        expire_due(&w.pool, &w.state.hub, NOW + RING_TIMEOUT_MS + 1)
            .await
            .unwrap(),
        0
    );
    assert_eq!(w.log_lines().await.len(), 1);
    assert_eq!(next_due(&w.pool).await.unwrap(), None);
}

#[tokio::test]
async fn a_forgotten_connected_call_ends_after_the_longest_call() {
    let w = world().await;
    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    answer(&w.state, w.seller, &w.conv, NOW + 1_000)
        .await
        .unwrap();
    // Answered: the ring timeout no longer applies.
    assert_eq!(
        expire_due(&w.pool, &w.state.hub, NOW + RING_TIMEOUT_MS)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        expire_due(&w.pool, &w.state.hub, NOW + 1_000 + MAX_CALL_MS)
            .await
            .unwrap(),
        1
    );
    assert_eq!(w.call().await, None);
}

#[tokio::test]
async fn a_blocked_pair_cannot_call() {
    let w = world().await;
    w.block(w.seller, w.buyer).await;
    // Whoever blocked whom, neither rings the other.
    for who in [w.buyer, w.seller] {
        assert_eq!(
            start(&w.state, who, &w.conv, NOW).await,
            Err(AppError::Forbidden)
        );
    }
    assert_eq!(w.call().await, None);
}

#[tokio::test]
async fn a_call_blocked_while_it_rings_cannot_be_answered() {
    let w = world().await;
    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    w.block(w.buyer, w.seller).await;
    assert_eq!(
        answer(&w.state, w.seller, &w.conv, NOW + 1).await,
        Err(AppError::Forbidden)
    );
    // It can still be declined (and so ends at once).
    decline(&w.state, w.seller, &w.conv, NOW + 2).await.unwrap();
}

#[tokio::test]
async fn the_caller_cancelling_is_a_missed_call_for_the_callee() {
    let w = world().await;
    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    hang_up(&w.state, w.buyer, &w.conv, NOW + 5).await.unwrap();
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM calls")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(outcome, "missed");
    // A call that never connected cannot fail.
    start(&w.state, w.buyer, &w.conv, NOW + 10).await.unwrap();
    assert_eq!(
        failed(&w.state, w.buyer, &w.conv, NOW + 11).await,
        Err(AppError::Conflict)
    );
}

#[tokio::test]
async fn tabs_hear_the_state_and_the_callee_rings_everywhere() {
    let w = world().await;
    let mut buyer_page = w.tab(w.buyer).await;
    let mut seller_page = w.tab(w.seller).await;
    // A seller's tab elsewhere in the app (not on the call page).
    let mut seller_elsewhere = w.state.hub.connect(Some(w.seller.get()));
    let mut chat_page = w.state.hub.connect(Some(w.seller.get()));
    w.state.hub.subscribe(
        chat_page.id,
        Topic::Conversation {
            conversation: w.conv.clone(),
        },
        Some(ServerMsg::Pong),
    );
    let _ = next(&mut chat_page);

    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    let Some(ServerMsg::Call(CallEvent::State {
        call: Some(call), ..
    })) = next(&mut buyer_page)
    else {
        panic!("the caller's page hears the call")
    };
    assert_eq!(call.phase, CallPhase::Ringing);
    let ring = drain(&mut seller_elsewhere);
    let [ServerMsg::Notify(NoticeEvent::Ring { ring })] = ring.as_slice() else {
        panic!("the callee rings everywhere: {ring:?}")
    };
    assert_eq!(ring.caller.id, w.buyer.get());
    assert_eq!(ring.title, "Camera");
    assert_eq!(ring.conversation, w.conv);
    assert_eq!(drain(&mut seller_page).len(), 2, "state and ring");

    answer(&w.state, w.seller, &w.conv, NOW + 1_000)
        .await
        .unwrap();
    assert!(matches!(
        drain(&mut seller_elsewhere).as_slice(),
        [ServerMsg::Notify(NoticeEvent::RingEnded { .. })]
    ));
    let _ = drain(&mut buyer_page);
    let _ = drain(&mut seller_page);

    hang_up(&w.state, w.buyer, &w.conv, NOW + 31_000)
        .await
        .unwrap();
    let Some(ServerMsg::Call(CallEvent::State {
        call: Some(call), ..
    })) = next(&mut seller_page)
    else {
        panic!("the callee's page hears the end")
    };
    assert_eq!(call.phase, CallPhase::Ended);
    assert_eq!(
        call.outcome,
        Some(CallOutcome::Completed {
            duration_ms: 30_000
        })
    );
    // The conversation hears the log line (its tab, the seller's, also
    // rang and stopped ringing).
    let heard = drain(&mut chat_page);
    let [ServerMsg::Chat(ChatEvent::Message { message, .. })] = heard
        .iter()
        .filter(|m| !matches!(m, ServerMsg::Notify(_)))
        .collect::<Vec<_>>()[..]
    else {
        panic!("the log line: {heard:?}")
    };
    assert_eq!(message.from, w.buyer.get());
    assert_eq!(message.call, call.outcome);
    assert_eq!(message.at, NOW + 31_000);
}

#[tokio::test]
async fn signals_reach_the_other_members_call_pages_only_while_connected() {
    let w = world().await;
    let mut buyer_page = w.tab(w.buyer).await;
    let mut seller_page = w.tab(w.seller).await;
    let mut seller_elsewhere = w.state.hub.connect(Some(w.seller.get()));
    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    // Ringing: nothing to negotiate yet.
    assert_eq!(
        signal(&w.state, w.buyer, &w.conv, offer()).await,
        Err(AppError::Conflict)
    );
    answer(&w.state, w.seller, &w.conv, NOW + 1).await.unwrap();
    for conn in [&mut buyer_page, &mut seller_page, &mut seller_elsewhere] {
        let _ = drain(conn);
    }
    signal(&w.state, w.buyer, &w.conv, offer()).await.unwrap();
    assert_eq!(
        drain(&mut seller_page),
        [ServerMsg::Call(CallEvent::Signal {
            conversation: w.conv.clone(),
            from: w.buyer.get(),
            signal: offer(),
        })]
    );
    // Not back to the sender, not to the callee's other pages.
    assert!(drain(&mut buyer_page).is_empty());
    assert!(drain(&mut seller_elsewhere).is_empty());
    super::media(&w.state, w.seller, &w.conv, true, false)
        .await
        .unwrap();
    assert_eq!(
        drain(&mut buyer_page),
        [ServerMsg::Call(CallEvent::Media {
            conversation: w.conv.clone(),
            user: w.seller.get(),
            muted: true,
            camera_off: false,
        })]
    );
    // A stranger can neither signal nor follow.
    assert_eq!(
        signal(&w.state, w.stranger, &w.conv, offer()).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        super::media(&w.state, w.stranger, &w.conv, true, true).await,
        Err(AppError::NotFound)
    );
    let stranger = w.state.hub.connect(Some(w.stranger.get()));
    for who in [Some(w.stranger), None] {
        assert!(
            socket::join(&w.state, stranger.id, who, &w.conv)
                .await
                .is_err()
        );
    }
    assert_eq!(
        w.state.hub.subscribers(&Topic::Call {
            conversation: w.conv.clone()
        }),
        2
    );
    // Oversized or odd signals are refused.
    let huge = Signal::Description {
        sdp_type: "offer".into(),
        sdp: "a".repeat(MAX_SDP + 1),
    };
    let rollback = Signal::Description {
        sdp_type: "rollback".into(),
        sdp: String::new(),
    };
    let long_candidate = Signal::Candidate {
        candidate: "c".repeat(2_000),
        sdp_mid: None,
        sdp_m_line_index: Some(0),
    };
    for bad in [huge, rollback, long_candidate] {
        assert_eq!(
            signal(&w.state, w.buyer, &w.conv, bad).await,
            Err(AppError::Forbidden)
        );
    }
    assert!(drain(&mut seller_page).is_empty());
    // Ended: no more signals.
    hang_up(&w.state, w.buyer, &w.conv, NOW + 2).await.unwrap();
    assert_eq!(
        signal(&w.state, w.buyer, &w.conv, offer()).await,
        Err(AppError::Conflict)
    );
}

#[tokio::test]
async fn signals_per_call_are_bounded() {
    let w = world().await;
    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    answer(&w.state, w.seller, &w.conv, NOW + 1).await.unwrap();
    let mut refused = None;
    for i in 0..1_000 {
        if let Err(e) = signal(&w.state, w.buyer, &w.conv, offer()).await {
            refused = Some((i, e));
            break;
        }
    }
    let (at, error) = refused.expect("refused at some point");
    assert_eq!(error, AppError::RateLimited);
    assert!(at >= crate::domain::call::SIGNAL_BURST as usize, "{at}");
    // The other member's allowance is their own.
    signal(&w.state, w.seller, &w.conv, offer()).await.unwrap();
}

#[tokio::test]
async fn socket_commands_are_acked_and_relays_refused_with_an_error() {
    let w = world().await;
    let ack = socket::command(
        &w.state,
        Some(w.buyer),
        CallCommand::Call {
            conversation: w.conv.clone(),
            req: 7,
        },
    )
    .await;
    assert_eq!(
        ack,
        Some(ServerMsg::Ack {
            req: 7,
            result: Ok(None)
        })
    );
    let ack = socket::command(
        &w.state,
        Some(w.buyer),
        CallCommand::Answer {
            conversation: w.conv.clone(),
            req: 8,
        },
    )
    .await;
    assert_eq!(
        ack,
        Some(ServerMsg::Ack {
            req: 8,
            result: Err(AppError::Forbidden)
        })
    );
    let refused = socket::command(
        &w.state,
        Some(w.stranger),
        CallCommand::Signal {
            conversation: w.conv.clone(),
            signal: offer(),
        },
    )
    .await;
    assert_eq!(
        refused,
        Some(ServerMsg::Error {
            code: ErrorCode::Forbidden
        })
    );
    let anonymous = socket::command(
        &w.state,
        None,
        CallCommand::HangUp {
            conversation: w.conv.clone(),
            req: 9,
        },
    )
    .await;
    assert_eq!(
        anonymous,
        Some(ServerMsg::Ack {
            req: 9,
            result: Err(AppError::Unauthenticated)
        })
    );
}

#[tokio::test]
async fn the_room_shows_both_members_and_the_open_call() {
    let w = world().await;
    let room = room(&w.state, w.seller, &w.conv, NOW).await.unwrap();
    assert_eq!(room.me.id, w.seller.get());
    assert_eq!(room.other.id, w.buyer.get());
    assert_eq!(room.title, "Camera");
    assert_eq!(room.call, None);
    start(&w.state, w.seller, &w.conv, NOW).await.unwrap();
    let room = super::room(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    assert_eq!(room.call.map(|c| c.caller.id), Some(w.seller.get()));
    assert_eq!(
        super::room(&w.state, w.stranger, &w.conv, NOW).await,
        Err(AppError::NotFound)
    );
}

#[tokio::test]
async fn a_tab_opened_while_it_rings_rings_too() {
    let w = world().await;
    start(&w.state, w.buyer, &w.conv, NOW).await.unwrap();
    let rings = ringing(&w.pool, w.seller, NOW + 1).await.unwrap();
    assert_eq!(rings.len(), 1);
    assert_eq!(rings[0].caller.id, w.buyer.get());
    // Not for the caller, not for a stranger, not once it rang out or was answered.
    assert!(ringing(&w.pool, w.buyer, NOW + 1).await.unwrap().is_empty());
    assert!(
        ringing(&w.pool, w.stranger, NOW + 1)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        ringing(&w.pool, w.seller, NOW + RING_TIMEOUT_MS)
            .await
            .unwrap()
            .is_empty()
    );
    answer(&w.state, w.seller, &w.conv, NOW + 2).await.unwrap();
    assert!(
        ringing(&w.pool, w.seller, NOW + 3)
            .await
            .unwrap()
            .is_empty()
    );
}
