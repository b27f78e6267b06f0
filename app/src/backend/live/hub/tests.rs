use super::*;
use crate::protocol::AuctionEvent;
use std::net::IpAddr;

fn online_msg(count: u32) -> ServerMsg {
    ServerMsg::Online { count }
}

/// Everything queued for a connection right now.
fn drain(conn: &mut Connection) -> Vec<ServerMsg> {
    let mut out = Vec::new();
    while let Some(frame) = conn.try_recv() {
        out.push(frame.msg());
    }
    out
}

/// A little past the end of a presence period, so its send has run.
async fn next_period() {
    tokio::time::sleep(PRESENCE_EVERY + Duration::from_millis(1)).await;
}

#[tokio::test(start_paused = true)]
async fn presence_snapshot_then_updates_on_connect_and_drop() {
    let hub = Hub::default();
    let mut a = hub.connect(None);
    assert!(hub.subscribe(a.id, Topic::Presence, None));
    assert_eq!(drain(&mut a), vec![online_msg(1)]);

    next_period().await;
    let b = hub.connect(None);
    assert_eq!(hub.online(), 2);
    assert_eq!(
        drain(&mut a),
        vec![online_msg(2)],
        "a quiet period: at once"
    );

    drop(b);
    assert_eq!(hub.online(), 1);
    next_period().await;
    assert_eq!(drain(&mut a), vec![online_msg(1)]);
}

#[tokio::test(start_paused = true)]
async fn presence_goes_out_at_most_once_a_period_with_the_latest_count() {
    let hub = Hub::default();
    let mut a = hub.connect(None);
    assert!(hub.subscribe(a.id, Topic::Presence, None));
    drain(&mut a);
    // A crowd arriving costs each tab one message, at the period's end.
    let crowd: Vec<Connection> = (0..50).map(|_| hub.connect(None)).collect();
    assert!(drain(&mut a).is_empty());
    next_period().await;
    assert_eq!(drain(&mut a), vec![online_msg(51)]);
    drop(crowd);
    assert!(drain(&mut a).is_empty());
    next_period().await;
    assert_eq!(drain(&mut a), vec![online_msg(1)]);
    // Come and gone within a period: the count told is still right.
    let passing = hub.connect(None);
    drop(passing);
    next_period().await;
    next_period().await;
    assert!(drain(&mut a).is_empty());
}

#[tokio::test]
async fn publish_reaches_only_subscribers() {
    let hub = Hub::default();
    let mut sub = hub.connect(None);
    let mut other = hub.connect(None);
    hub.subscribe(sub.id, Topic::Presence, None);
    drain(&mut sub);
    drain(&mut other);

    assert_eq!(hub.publish(&Topic::Presence, ServerMsg::Pong), 1);
    assert_eq!(drain(&mut sub), vec![ServerMsg::Pong]);
    assert!(drain(&mut other).is_empty());

    hub.unsubscribe(sub.id, &Topic::Presence);
    assert_eq!(hub.subscribers(&Topic::Presence), 0);
    assert_eq!(hub.publish(&Topic::Presence, ServerMsg::Pong), 0);
    assert!(drain(&mut sub).is_empty());
}

#[tokio::test]
async fn a_slow_connection_is_dropped_without_stalling_others() {
    let hub = Hub::new(2);
    let mut slow = hub.connect(None);
    let mut fast = hub.connect(None);
    hub.subscribe(slow.id, Topic::Presence, None);
    hub.subscribe(fast.id, Topic::Presence, None);
    drain(&mut fast);

    // `slow` never reads: its queue (capacity 2) already holds one snapshot.
    for _ in 0..3 {
        hub.publish(&Topic::Presence, ServerMsg::Pong);
        drain(&mut fast);
    }
    assert_eq!(hub.online(), 1, "the slow tab was dropped");
    assert_eq!(hub.subscribers(&Topic::Presence), 1);
    // The slow side is told at once, even though its queue still holds messages.
    assert!(slow.recv().await.is_none());
    assert!(slow.recv().await.is_none());
    // The fast one heard that the count fell.
    hub.publish(&Topic::Presence, ServerMsg::Pong);
    assert_eq!(drain(&mut fast), vec![ServerMsg::Pong]);
}

#[tokio::test(start_paused = true)]
async fn slow_presence_subscribers_are_dropped_too() {
    let hub = Hub::new(1);
    let slow = hub.connect(None);
    hub.subscribe(slow.id, Topic::Presence, None); // fills its one slot
    let mut watcher = hub.connect(None); // this connect's count overflows `slow`
    next_period().await;
    assert_eq!(hub.online(), 1);
    assert!(hub.subscribe(watcher.id, Topic::Presence, None));
    assert_eq!(drain(&mut watcher), vec![online_msg(1)]);
    drop(slow); // already gone: no second presence change
    assert_eq!(hub.online(), 1);
}

#[tokio::test]
async fn subscribing_a_gone_or_full_connection_fails() {
    let hub = Hub::new(1);
    assert!(!hub.subscribe(42, Topic::Presence, None));
    let conn = hub.connect(None);
    hub.publish(&Topic::Presence, ServerMsg::Pong); // not subscribed: nothing queued
    assert!(hub.subscribe(conn.id, Topic::Presence, None));
    // Queue is now full with the snapshot; a re-subscribe cannot queue its own.
    assert!(!hub.subscribe(conn.id, Topic::Presence, None));
    assert_eq!(hub.online(), 0);
}

#[tokio::test]
async fn close_all_ends_every_connection() {
    let hub = Hub::default();
    let mut a = hub.connect(None);
    let mut b = hub.connect(None);
    hub.subscribe(a.id, Topic::Presence, None);
    hub.close_all();
    assert_eq!(hub.online(), 0);
    assert_eq!(hub.subscribers(&Topic::Presence), 0);
    // Queued messages are skipped: the socket closes now.
    assert!(a.recv().await.is_none());
    assert!(b.recv().await.is_none());
}

#[tokio::test]
async fn users_get_messages_in_every_tab_until_they_close() {
    let hub = Hub::default();
    let mut tab1 = hub.connect(Some(7));
    let mut tab2 = hub.connect(Some(7));
    let mut other = hub.connect(Some(8));
    assert_eq!(hub.send_to_user(7, ServerMsg::Pong), 2);
    assert_eq!(drain(&mut tab1), vec![ServerMsg::Pong]);
    assert_eq!(drain(&mut tab2), vec![ServerMsg::Pong]);
    assert!(drain(&mut other).is_empty());
    drop(tab1);
    assert_eq!(hub.send_to_user(7, ServerMsg::Pong), 1);
    drop(tab2);
    assert_eq!(hub.send_to_user(7, ServerMsg::Pong), 0);
}

#[tokio::test]
async fn a_topic_snapshot_is_queued_first() {
    let hub = Hub::default();
    let mut conn = hub.connect(None);
    let topic = Topic::Auction { listing: 3 };
    assert!(hub.subscribe(conn.id, topic.clone(), Some(ServerMsg::Pong)));
    hub.publish(&topic, online_msg(9));
    assert_eq!(drain(&mut conn), vec![ServerMsg::Pong, online_msg(9)]);
    let frame = Frame::new(&online_msg(9));
    assert_eq!(frame.text.as_str(), r#"{"type":"online","count":9}"#);
}

#[tokio::test]
async fn messages_arrive_in_order() {
    let hub = Hub::default();
    let mut conn = hub.connect(None);
    hub.subscribe(conn.id, Topic::Presence, None);
    hub.publish(&Topic::Presence, ServerMsg::Pong);
    assert_eq!(conn.recv().await.map(|f| f.msg()), Some(online_msg(1)));
    assert_eq!(conn.recv().await.map(|f| f.msg()), Some(ServerMsg::Pong));
}

/// One subscriber at this budget: a 10 ms window.
const BUDGET: u32 = 100;
const WINDOW: Duration = Duration::from_millis(10);

/// The frames queued for a connection right now, a batch as its list.
fn frames(conn: &mut Connection) -> Vec<Vec<ServerMsg>> {
    let mut out = Vec::new();
    while let Some(frame) = conn.try_recv() {
        out.push(match frame.msg() {
            ServerMsg::Batch { msgs } => msgs,
            one => vec![one],
        });
    }
    out
}

fn room() -> Topic {
    Topic::Auction { listing: 1 }
}

#[tokio::test(start_paused = true)]
async fn a_busy_room_is_delivered_once_per_window_in_order() {
    let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
    let mut conn = hub.connect(None);
    hub.subscribe(conn.id, room(), Some(ServerMsg::Pong));
    assert_eq!(frames(&mut conn), vec![vec![ServerMsg::Pong]]);

    // Quiet until now: the first message goes at once.
    assert_eq!(hub.publish(&room(), online_msg(1)), 1);
    assert_eq!(frames(&mut conn), vec![vec![online_msg(1)]]);
    // The next ones within the window wait for its end, then go together.
    hub.publish(&room(), online_msg(2));
    tokio::time::advance(Duration::from_millis(4)).await;
    hub.publish(&room(), online_msg(3));
    tokio::task::yield_now().await;
    assert!(frames(&mut conn).is_empty());
    tokio::time::sleep(Duration::from_millis(7)).await;
    assert_eq!(frames(&mut conn), vec![vec![online_msg(2), online_msg(3)]]);
    // A message right after that delivery waits for the next window.
    hub.publish(&room(), online_msg(4));
    tokio::task::yield_now().await;
    assert!(frames(&mut conn).is_empty());
    tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
    assert_eq!(frames(&mut conn), vec![vec![online_msg(4)]]);
    // After a quiet window, at once again.
    tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
    hub.publish(&room(), online_msg(5));
    assert_eq!(frames(&mut conn), vec![vec![online_msg(5)]]);
}

#[tokio::test(start_paused = true)]
async fn a_batch_is_its_messages_joined() {
    let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
    let mut conn = hub.connect(None);
    hub.subscribe(conn.id, room(), Some(ServerMsg::Pong));
    hub.publish(&room(), online_msg(1));
    hub.publish(&room(), online_msg(2));
    hub.publish(&room(), online_msg(3));
    tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
    let texts: Vec<String> = std::iter::from_fn(|| conn.try_recv())
        .map(|f| f.text.to_string())
        .collect();
    assert_eq!(
        texts,
        [
            r#"{"type":"pong"}"#,
            r#"{"type":"online","count":1}"#,
            r#"{"type":"batch","msgs":[{"type":"online","count":2},{"type":"online","count":3}]}"#,
        ]
    );
    // The joined text is what serializing the batch gives.
    let batch: ServerMsg = serde_json::from_str(&texts[2]).unwrap();
    assert_eq!(
        batch,
        ServerMsg::Batch {
            msgs: vec![online_msg(2), online_msg(3)]
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_batch_carries_the_auction_state_once() {
    use crate::protocol::fixtures::update;
    let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
    let mut conn = hub.connect(None);
    hub.subscribe(conn.id, room(), Some(ServerMsg::Pong));
    for msg in [
        update(1),
        update(2),
        online_msg(7),
        update(3),
        online_msg(8),
    ] {
        hub.publish(&room(), msg);
    }
    tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
    let step = |msg: ServerMsg| msg.brief().unwrap();
    assert_eq!(
        frames(&mut conn),
        vec![
            vec![ServerMsg::Pong],
            vec![update(1)],
            // Update 2's state is stale once 3 is there: its number and
            // bid line stand for it. Other messages keep their place.
            vec![step(update(2)), online_msg(7), update(3), online_msg(8)],
        ]
    );
    assert_eq!(
        step(update(2)),
        ServerMsg::Auction(AuctionEvent::Step {
            listing: 1,
            seq: 2,
            bid: match update(2) {
                ServerMsg::Auction(AuctionEvent::Update { bid, .. }) => bid,
                _ => None,
            },
        })
    );
    assert_eq!(online_msg(7).brief(), None);
}

#[tokio::test(start_paused = true)]
async fn a_newcomer_gets_no_message_older_than_its_snapshot() {
    let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
    let mut early = hub.connect(None);
    hub.subscribe(early.id, room(), Some(ServerMsg::Pong));
    hub.publish(&room(), online_msg(1));
    hub.publish(&room(), online_msg(2)); // held
    frames(&mut early);

    let mut late = hub.connect(None);
    hub.subscribe(late.id, room(), Some(online_msg(99)));
    // The held message went to the earlier subscriber when the newcomer
    // came, and the newcomer starts from its snapshot.
    assert_eq!(frames(&mut early), vec![vec![online_msg(2)]]);
    assert_eq!(frames(&mut late), vec![vec![online_msg(99)]]);
    hub.publish(&room(), online_msg(3));
    tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
    assert_eq!(frames(&mut early), vec![vec![online_msg(3)]]);
    assert_eq!(frames(&mut late), vec![vec![online_msg(3)]]);
}

#[tokio::test(start_paused = true)]
async fn the_window_grows_with_the_audience_up_to_a_cap() {
    let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
    let ms = Duration::from_millis;
    let mut tabs: Vec<Connection> = (0..3).map(|_| hub.connect(None)).collect();
    for tab in &tabs {
        hub.subscribe(tab.id, room(), Some(ServerMsg::Pong));
    }
    let first = &mut tabs[0];
    frames(first);
    // Three subscribers at 100 writes a second: a 30 ms window.
    hub.publish(&room(), online_msg(1));
    hub.publish(&room(), online_msg(2));
    assert_eq!(frames(first), vec![vec![online_msg(1)]]);
    tokio::time::sleep(ms(20)).await;
    assert!(frames(first).is_empty());
    tokio::time::sleep(ms(11)).await;
    assert_eq!(frames(first), vec![vec![online_msg(2)]]);

    // Twenty would make it 200 ms; no message waits more than 100.
    tabs.extend((0..17).map(|_| hub.connect(None)));
    for tab in &tabs[3..] {
        hub.subscribe(tab.id, room(), Some(ServerMsg::Pong));
    }
    tokio::time::sleep(MAX_WINDOW).await;
    let first = &mut tabs[0];
    frames(first);
    hub.publish(&room(), online_msg(3));
    hub.publish(&room(), online_msg(4));
    assert_eq!(frames(first), vec![vec![online_msg(3)]]);
    tokio::time::sleep(ms(99)).await;
    assert!(frames(first).is_empty());
    tokio::time::sleep(ms(2)).await;
    assert_eq!(frames(first), vec![vec![online_msg(4)]]);
}

#[tokio::test(start_paused = true)]
async fn topics_that_do_not_coalesce_and_a_zero_window_send_at_once() {
    let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
    let mut conn = hub.connect(None);
    hub.subscribe(conn.id, Topic::Presence, None);
    frames(&mut conn);
    hub.publish(&Topic::Presence, ServerMsg::Pong);
    hub.publish(&Topic::Presence, ServerMsg::Pong);
    assert_eq!(frames(&mut conn).len(), 2);

    let hub = Hub::default();
    let mut conn = hub.connect(None);
    hub.subscribe(conn.id, room(), Some(ServerMsg::Pong));
    hub.publish(&room(), online_msg(1));
    hub.publish(&room(), online_msg(2));
    assert_eq!(
        frames(&mut conn),
        vec![
            vec![ServerMsg::Pong],
            vec![online_msg(1)],
            vec![online_msg(2)]
        ]
    );
}

#[tokio::test]
async fn ending_a_login_closes_its_tabs_only() {
    let hub = Hub::default();
    let mut here = hub.connect_login(7, "here".into());
    let mut there = hub.connect_login(7, "there".into());
    let mut other = hub.connect_login(8, "there".into());
    assert_eq!(hub.end_logins(7, |login| login != "here"), 1);
    assert!(there.recv().await.is_none());
    assert_eq!(hub.online(), 2);
    assert_eq!(hub.send_to_user(7, ServerMsg::Pong), 1);
    assert_eq!(frames(&mut here), vec![vec![ServerMsg::Pong]]);
    assert_eq!(hub.end_logins(7, |login| login == "here"), 1);
    assert!(here.recv().await.is_none());
    assert!(frames(&mut other).is_empty());
    assert_eq!(hub.online(), 1);
}

/// A room's snapshot that includes update `seq` and chat line `chat`.
fn snapshot(seq: i64, chat: Option<i64>) -> ServerMsg {
    use crate::model::{AuctionRoom, ChatLine, Participant};
    let ServerMsg::Auction(AuctionEvent::Update { live, .. }) =
        crate::protocol::fixtures::update(seq)
    else {
        unreachable!()
    };
    let someone = Participant {
        id: 1,
        name: "ann".into(),
    };
    let chat = chat.map(|id| ChatLine {
        id,
        author: someone.clone(),
        body: "hi".into(),
        at: 0,
    });
    ServerMsg::Auction(AuctionEvent::Snapshot {
        room: Box::new(AuctionRoom {
            start_price: live.price,
            live,
            title: "Lamp".into(),
            seller: someone,
            thumb_url: None,
            history: Vec::new(),
            chat: chat.into_iter().collect(),
            watching: 1,
            server_time_ms: 0,
            me: None,
            my_max: None,
            my_order: None,
            soft_close_ms: 0,
        }),
    })
}

fn chat(id: i64) -> ServerMsg {
    let ServerMsg::Auction(AuctionEvent::Snapshot { room }) = snapshot(0, Some(id)) else {
        unreachable!()
    };
    ServerMsg::Auction(AuctionEvent::Chat {
        listing: 1,
        line: room.chat[0].clone(),
    })
}

#[tokio::test]
async fn a_pending_newcomer_gets_its_snapshot_then_only_what_it_lacks() {
    use crate::protocol::fixtures::update;
    let hub = Hub::default();
    let topic = Topic::Auction { listing: 1 };
    let mut early = hub.connect(None);
    hub.subscribe(early.id, topic.clone(), Some(ServerMsg::Pong));
    let mut late = hub.connect(None);
    assert!(hub.subscribe_pending(late.id, topic.clone()));
    assert_eq!(hub.subscribers(&topic), 2);
    // Published while its snapshot is read, which has update 3 and line 7.
    for msg in [
        update(2),
        chat(7),
        update(3),
        online_msg(5),
        update(4),
        chat(8),
    ] {
        hub.publish(&topic, msg);
    }
    assert!(drain(&mut late).is_empty(), "nothing before the snapshot");
    assert!(hub.complete(late.id, &topic, snapshot(3, Some(7))));
    assert_eq!(
        drain(&mut late),
        vec![snapshot(3, Some(7)), online_msg(5), update(4), chat(8)]
    );
    hub.publish(&topic, update(5));
    assert_eq!(drain(&mut late), vec![update(5)]);
    assert_eq!(drain(&mut early).len(), 8);
    // Completing an ended subscription fails and queues nothing.
    assert!(hub.subscribe_pending(late.id, topic.clone()));
    hub.unsubscribe(late.id, &topic);
    assert!(!hub.complete(late.id, &topic, snapshot(5, None)));
    assert!(drain(&mut late).is_empty());
}

#[tokio::test]
async fn what_a_snapshot_has_is_left_out_even_when_published_after_it() {
    use crate::protocol::fixtures::update;
    let hub = Hub::default();
    let topic = Topic::Auction { listing: 1 };
    let mut late = hub.connect(None);
    assert!(hub.subscribe_pending(late.id, topic.clone()));
    // Update 4 and line 8 are committed (so the snapshot has them) but their
    // messages are published only after the snapshot went out.
    assert!(hub.complete(late.id, &topic, snapshot(4, Some(8))));
    for msg in [update(4), chat(8), update(5), chat(9)] {
        hub.publish(&topic, msg);
    }
    assert_eq!(
        drain(&mut late),
        vec![snapshot(4, Some(8)), update(5), chat(9)],
        "nothing twice"
    );
}

#[tokio::test(start_paused = true)]
async fn a_pending_newcomer_gets_the_newer_part_of_a_batch() {
    use crate::protocol::fixtures::update;
    let hub = Hub::coalescing(DEFAULT_QUEUE, BUDGET);
    let topic = room();
    let mut early = hub.connect(None);
    hub.subscribe(early.id, topic.clone(), Some(ServerMsg::Pong));
    hub.publish(&topic, update(1)); // opens a window
    let mut late = hub.connect(None);
    assert!(hub.subscribe_pending(late.id, topic.clone()));
    for seq in 2..=4 {
        hub.publish(&topic, update(seq)); // held
    }
    tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
    hub.publish(&topic, update(5));
    hub.publish(&topic, update(6)); // held when the snapshot comes
    assert!(hub.complete(late.id, &topic, snapshot(5, None)));
    let seqs: Vec<Vec<i64>> = frames(&mut late)
        .into_iter()
        .map(|frame| frame.iter().filter_map(seq_of).collect())
        .collect();
    assert_eq!(seqs, vec![vec![5], vec![6]], "the snapshot, then 6");
    let early_seqs: Vec<i64> = frames(&mut early)
        .iter()
        .flatten()
        .filter_map(seq_of)
        .collect();
    assert_eq!(early_seqs, (1..=6).collect::<Vec<_>>());
}

fn seq_of(msg: &ServerMsg) -> Option<i64> {
    match msg {
        ServerMsg::Auction(AuctionEvent::Snapshot { room }) => Some(room.live.seq),
        ServerMsg::Auction(AuctionEvent::Update { live, .. }) => Some(live.seq),
        ServerMsg::Auction(AuctionEvent::Step { seq, .. }) => Some(*seq),
        _ => None,
    }
}

#[test]
fn sockets_per_network_are_counted_until_they_close() {
    let hub = Hub::default();
    let home: IpAddr = [10, 0, 0, 1].into();
    let other: IpAddr = [10, 0, 0, 2].into();
    let first = hub.admit(home, 2).unwrap();
    let second = hub.admit(home, 2).unwrap();
    assert!(hub.admit(home, 2).is_none());
    assert!(hub.admit(other, 2).is_some(), "another network has its own");
    drop(first);
    let third = hub.admit(home, 2);
    assert!(third.is_some());
    assert!(hub.admit(home, 0).is_some(), "0: no cap");
    drop((second, third));
    assert!(hub.addresses().is_empty());
}
