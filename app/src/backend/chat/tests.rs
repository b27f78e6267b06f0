//! The chat area's use cases on a real database: opening, membership,
//! unread counts and receipts under concurrent sends, blocks, photos,
//! paging, the inbox and the live conversation.

use super::*;
use crate::{
    backend::{
        live::hub::Connection,
        order,
        testing::{self, *},
    },
    domain::{
        form::{Field, Problem},
        id::ConversationId,
    },
    protocol::{NoticeEvent, ServerMsg, Topic},
};
use sqlx::SqlitePool;

struct World {
    pool: SqlitePool,
    state: AppState,
    seller: UserId,
    buyer: UserId,
    /// Neither member.
    stranger: UserId,
    listing: ListingId,
    dir: tempfile::TempDir,
}

use testing::verified as member;

async fn world() -> World {
    let (pool, dir) = temp_db().await;
    let state = testing::app_state(&pool, &dir);
    let seller = member(&pool, "seller").await;
    let listing = ListingId(listed(&pool, seller.get(), &input("Oak chairs"), NOW).await);
    World {
        buyer: member(&pool, "buyer").await,
        stranger: member(&pool, "stranger").await,
        seller,
        listing,
        pool,
        state,
        dir,
    }
}

impl World {
    /// The buyer's conversation about the listing.
    async fn opened(&self) -> String {
        open(&self.state, self.buyer, self.listing, NOW)
            .await
            .unwrap()
    }

    async fn send(&self, who: UserId, conversation: &str, text: &str) -> Result<i64, AppError> {
        send(&self.state, who, conversation, text, &[], NOW)
            .await
            .map(|m| m.id)
    }

    /// Read mark and unread count of the buyer, then of the seller.
    async fn marks(&self, conversation: &str) -> [(i64, i64); 2] {
        let (br, bu, sr, su) = sqlx::query_as(
            "SELECT buyer_read, buyer_unread, seller_read, seller_unread
               FROM conversations WHERE public_id = ?",
        )
        .bind(conversation)
        .fetch_one(&self.pool)
        .await
        .unwrap();
        [(br, bu), (sr, su)]
    }

    /// What `reader`'s unread count must be: the other member's messages
    /// after `reader`'s read mark.
    async fn recount(&self, conversation: &str, reader: UserId) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
              WHERE c.public_id = ?1 AND m.sender_id <> ?2
                AND m.id > CASE WHEN c.buyer_id = ?2 THEN c.buyer_read ELSE c.seller_read END",
        )
        .bind(conversation)
        .bind(reader)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }

    async fn messages(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM messages")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    fn tab(&self, who: UserId) -> Connection {
        self.state.hub.connect(Some(who.get()))
    }
}

/// What a tab was sent so far.
fn drain(conn: &mut Connection) -> Vec<ServerMsg> {
    std::iter::from_fn(|| conn.try_recv().map(|frame| frame.msg())).collect()
}

fn counts(msgs: &[ServerMsg]) -> Vec<u32> {
    msgs.iter()
        .filter_map(|m| match m {
            ServerMsg::Notify(NoticeEvent::Messages { unread }) => Some(*unread),
            _ => None,
        })
        .collect()
}

fn field(field: Field, problem: Problem) -> AppError {
    AppError::field(field, problem)
}

#[tokio::test]
async fn a_buyer_opens_one_conversation_per_listing_never_on_their_own() {
    let w = world().await;
    let id = w.opened().await;
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(w.opened().await, id);
    assert_eq!(
        open(&w.state, w.seller, w.listing, NOW).await,
        Err(AppError::Deal(DealRefusal::OwnListing))
    );
    assert_eq!(
        open(&w.state, w.buyer, ListingId(999), NOW).await,
        Err(AppError::NotFound)
    );
    // A listing the public cannot see opens nothing new…
    let hidden = submitted(&w.pool, w.seller.get(), &input("Lamp"), NOW).await;
    assert_eq!(
        open(&w.state, w.buyer, ListingId(hidden), NOW).await,
        Err(AppError::NotFound)
    );
    // …but a conversation already open stays reachable.
    set_status(&w.pool, w.listing.get(), "delisted").await;
    assert_eq!(w.opened().await, id);
    // Without a message it is nobody's inbox line yet.
    assert!(inbox(&w.state, w.seller).await.unwrap().lines.is_empty());
    let seen = conversation(&w.state, w.seller, &id).await.unwrap();
    assert_eq!(seen.other.id, w.buyer.get());
    assert_eq!(seen.listing.title, "Oak chairs");
    assert!(seen.messages.is_empty() && !seen.more);
}

#[tokio::test]
async fn an_order_room_chat_is_its_listing_conversation_for_its_two_parties() {
    let w = world().await;
    let form = crate::domain::catalog::ListingInput {
        stock: "3".into(),
        ..input("Stools")
    };
    let listing = ListingId(listed(&w.pool, w.seller.get(), &form, NOW).await);
    let order = order::place(&w.state, w.buyer, listing, 1, "", NOW)
        .await
        .unwrap();
    let from_room = of_order(&w.state, w.seller, &order, NOW).await.unwrap();
    assert_eq!(from_room.other.id, w.buyer.get());
    assert_eq!(
        open(&w.state, w.buyer, listing, NOW).await.unwrap(),
        from_room.id
    );
    assert_eq!(
        of_order(&w.state, w.buyer, &order, NOW).await.unwrap().id,
        from_room.id
    );
    assert_eq!(
        of_order(&w.state, w.stranger, &order, NOW).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        of_order(&w.state, w.buyer, "nope", NOW).await,
        Err(AppError::NotFound)
    );
}

#[tokio::test]
async fn a_third_member_cannot_read_send_page_type_mark_or_follow() {
    let w = world().await;
    let id = w.opened().await;
    let first = w.send(w.buyer, &id, "Still there?").await.unwrap();
    let s = &w.state;
    let outsider = w.stranger;
    assert_eq!(
        conversation(s, outsider, &id).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        older(s, outsider, &id, first + 1).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        send(s, outsider, &id, "hi", &[], NOW).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        read(s, outsider, &id, first, NOW).await,
        Err(AppError::NotFound)
    );
    assert_eq!(typing(s, outsider, &id).await, Err(AppError::NotFound));
    let mut tab = w.tab(outsider);
    assert_eq!(
        socket::join(s, tab.id, Some(outsider), &id).await,
        Err(AppError::NotFound)
    );
    let anonymous = s.hub.connect(None);
    assert_eq!(
        socket::join(s, anonymous.id, None, &id).await,
        Err(AppError::Unauthenticated)
    );
    let topic = Topic::Conversation {
        conversation: id.clone(),
    };
    assert_eq!(s.hub.subscribers(&topic), 0);
    // Nothing reached the outsider, and nothing changed.
    w.send(w.seller, &id, "Yes").await.unwrap();
    assert!(drain(&mut tab).is_empty());
    assert_eq!(w.marks(&id).await, [(0, 1), (0, 1)]);
    // Made-up ids say the same as real ones.
    assert_eq!(
        conversation(s, w.buyer, "0123456789abcdef0123456789abcdef").await,
        Err(AppError::NotFound)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unread_counts_stay_exact_under_concurrent_sends_and_reads() {
    let w = world().await;
    let id = w.opened().await;
    let mut seller_tab = w.tab(w.seller);
    let mut follower = w.tab(w.buyer);
    socket::join(&w.state, follower.id, Some(w.buyer), &id)
        .await
        .unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let state = w.state.clone();
            let (who, id) = if i % 2 == 0 {
                (w.buyer, id.clone())
            } else {
                (w.seller, id.clone())
            };
            tokio::spawn(
                async move { send(&state, who, &id, &format!("message {i}"), &[], NOW).await },
            )
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(w.marks(&id).await, [(0, 20), (0, 20)]);
    assert_eq!(unread(&w.pool, w.buyer).await.unwrap(), 20);
    // The follower heard all forty, in the order they were stored; the
    // seller's tab heard the seller's count rise to 20, last.
    let heard: Vec<i64> = drain(&mut follower)
        .into_iter()
        .filter_map(|m| match m {
            ServerMsg::Chat(ChatEvent::Message { message, .. }) => Some(message.id),
            _ => None,
        })
        .collect();
    assert_eq!(heard.len(), 40);
    assert!(heard.windows(2).all(|w| w[0] < w[1]), "{heard:?}");
    let seller_counts = counts(&drain(&mut seller_tab));
    assert_eq!(seller_counts.len(), 20);
    assert_eq!(seller_counts.last(), Some(&20));

    // Reads at every mark racing more sends: each member's count is always
    // what they have not seen of the other's messages.
    let last = *heard.last().unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let state = w.state.clone();
            let id = id.clone();
            let (who, other) = if i % 2 == 0 {
                (w.buyer, w.seller)
            } else {
                (w.seller, w.buyer)
            };
            let mark = heard[i];
            tokio::spawn(async move {
                if i % 4 < 2 {
                    read(&state, who, &id, mark, NOW).await
                } else {
                    send(&state, other, &id, "more", &[], NOW).await.map(|_| ())
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let [(buyer_read, buyer_unread), (seller_read, seller_unread)] = w.marks(&id).await;
    assert!(buyer_read <= last && seller_read <= last);
    assert_eq!(buyer_unread, w.recount(&id, w.buyer).await);
    assert_eq!(seller_unread, w.recount(&id, w.seller).await);
    assert_eq!(
        inbox(&w.state, w.buyer).await.unwrap().unread,
        count(buyer_unread)
    );
    // Reading everything clears it.
    read(&w.state, w.buyer, &id, i64::MAX, NOW).await.unwrap();
    assert_eq!(w.marks(&id).await[0].1, 0);
    assert_eq!(unread(&w.pool, w.buyer).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn messages_waiting_together_are_stored_together_and_a_refused_one_leaves_the_rest() {
    let w = world().await;
    let id = w.opened().await;
    // The stranger's own conversation about the listing, then a block: the
    // stranger's next message is refused.
    let theirs = open(&w.state, w.stranger, w.listing, NOW).await.unwrap();
    set_block(&w.state, w.seller, w.stranger, true, NOW)
        .await
        .unwrap();
    let before = w.messages().await;
    // While the writer is busy, four messages queue: two members', the
    // blocked stranger's and one in a conversation its sender is not in.
    let busy = db::write_turn().await;
    let sends = [
        (w.buyer, id.clone()),
        (w.stranger, theirs.clone()),
        (w.seller, id.clone()),
        (w.stranger, id.clone()),
    ];
    let tasks: Vec<_> = sends
        .into_iter()
        .enumerate()
        .map(|(i, (who, conversation))| {
            let state = w.state.clone();
            tokio::spawn(async move {
                // In this order, so the group's ids follow it.
                tokio::time::sleep(std::time::Duration::from_millis(20 * i as u64)).await;
                send(&state, who, &conversation, &format!("m{i}"), &[], NOW).await
            })
        })
        .collect();
    while w.state.writes.len() < 4 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    drop(busy);
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let kept: Vec<i64> = outcomes.iter().flatten().map(|m| m.id).collect();
    assert_eq!(kept.len(), 2, "{outcomes:?}");
    assert_eq!(kept[1], kept[0] + 1, "one transaction, in queue order");
    assert_eq!(outcomes[1], Err(field(Field::Message, Problem::BlockedYou)));
    assert_eq!(outcomes[3], Err(AppError::NotFound));
    assert_eq!(w.messages().await, before + 2);
    assert_eq!(w.marks(&id).await, [(0, 1), (0, 1)]);
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
          WHERE c.public_id = ? ORDER BY m.id",
    )
    .bind(&id)
    .fetch_all(&w.pool)
    .await
    .unwrap();
    assert_eq!(ids, kept);
}

#[tokio::test]
async fn read_marks_move_forward_only_and_say_seen_once() {
    let w = world().await;
    let id = w.opened().await;
    let mut ids = Vec::new();
    for text in ["one", "two", "three"] {
        ids.push(w.send(w.seller, &id, text).await.unwrap());
    }
    let mut seller = w.tab(w.seller);
    socket::join(&w.state, seller.id, Some(w.seller), &id)
        .await
        .unwrap();
    let mut buyer = w.tab(w.buyer);
    drain(&mut seller);

    read(&w.state, w.buyer, &id, ids[1], NOW).await.unwrap();
    assert_eq!(w.marks(&id).await[0], (ids[1], 1));
    assert_eq!(
        drain(&mut seller),
        vec![ServerMsg::Chat(ChatEvent::Seen {
            conversation: id.clone(),
            user: w.buyer.get(),
            up_to: ids[1],
        })]
    );
    assert_eq!(counts(&drain(&mut buyer)), vec![1]);
    // Back is no move: nothing stored, nothing said.
    read(&w.state, w.buyer, &id, ids[0], NOW).await.unwrap();
    read(&w.state, w.buyer, &id, ids[1], NOW).await.unwrap();
    assert_eq!(w.marks(&id).await[0], (ids[1], 1));
    assert!(drain(&mut seller).is_empty());
    // Past the newest message stops at it.
    read(&w.state, w.buyer, &id, i64::MAX, NOW).await.unwrap();
    assert_eq!(w.marks(&id).await[0], (ids[2], 0));
    assert_eq!(
        conversation(&w.state, w.seller, &id)
            .await
            .unwrap()
            .other_read,
        ids[2]
    );
    // The seller's own messages never counted for the seller.
    assert_eq!(w.marks(&id).await[1], (0, 0));
}

#[tokio::test]
async fn a_block_stops_messages_both_ways_until_lifted() {
    let w = world().await;
    let id = w.opened().await;
    w.send(w.buyer, &id, "Hello").await.unwrap();
    set_block(&w.state, w.seller, w.buyer, true, NOW)
        .await
        .unwrap();
    // Twice is once.
    set_block(&w.state, w.seller, w.buyer, true, NOW + 1)
        .await
        .unwrap();
    let before = w.messages().await;
    assert_eq!(
        w.send(w.buyer, &id, "Hello?").await,
        Err(field(Field::Message, Problem::BlockedYou))
    );
    assert_eq!(
        w.send(w.seller, &id, "Bye").await,
        Err(field(Field::Message, Problem::YouBlocked))
    );
    assert_eq!(w.messages().await, before);
    let blocks = |who| {
        let state = w.state.clone();
        let id = id.clone();
        async move { conversation(&state, who, &id).await.unwrap().blocks }
    };
    assert_eq!(
        blocks(w.buyer).await,
        BlockState {
            by_you: false,
            by_them: true
        }
    );
    assert_eq!(
        blocks(w.seller).await,
        BlockState {
            by_you: true,
            by_them: false
        }
    );
    // Typing goes nowhere either.
    let mut tab = w.tab(w.seller);
    socket::join(&w.state, tab.id, Some(w.seller), &id)
        .await
        .unwrap();
    drain(&mut tab);
    typing(&w.state, w.buyer, &id).await.unwrap();
    assert!(drain(&mut tab).is_empty());

    let list = blocked(&w.state, w.seller).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].member.id, list[0].at), (w.buyer.get(), NOW));
    assert!(blocked(&w.state, w.buyer).await.unwrap().is_empty());
    assert_eq!(
        set_block(&w.state, w.seller, w.seller, true, NOW).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        set_block(&w.state, w.seller, UserId(999), true, NOW).await,
        Err(AppError::NotFound)
    );

    set_block(&w.state, w.seller, w.buyer, false, NOW)
        .await
        .unwrap();
    assert!(blocked(&w.state, w.seller).await.unwrap().is_empty());
    w.send(w.buyer, &id, "Hello again").await.unwrap();
    w.send(w.seller, &id, "Hi").await.unwrap();
    typing(&w.state, w.buyer, &id).await.unwrap();
    assert!(drain(&mut tab).iter().any(|m| matches!(
        m,
        ServerMsg::Chat(ChatEvent::Typing { user, .. }) if *user == w.buyer.get()
    )));
}

#[tokio::test]
async fn photos_are_the_senders_own_loose_uploads_at_most_four_once_each() {
    let w = world().await;
    let id = w.opened().await;
    let media = media(&w.dir);
    let mut mine = Vec::new();
    for _ in 0..5 {
        mine.push(upload(&w.pool, &media, w.buyer.get(), NOW).await.id);
    }
    let theirs = upload(&w.pool, &media, w.seller.get(), NOW).await.id;
    let s = &w.state;
    assert_eq!(
        send(s, w.buyer, &id, "", &mine, NOW).await,
        Err(field(Field::Images, Problem::TooMany { max: 4 }))
    );
    assert_eq!(
        send(s, w.buyer, &id, "", &[mine[0], theirs], NOW).await,
        Err(field(Field::Images, Problem::Expired))
    );
    assert_eq!(w.messages().await, 0);
    let sent = send(s, w.buyer, &id, "", &mine[..4], NOW).await.unwrap();
    assert_eq!(sent.images.len(), 4);
    assert!(sent.images[0].url.starts_with("/media/"));
    // An image goes with one message only; a failed send keeps nothing,
    // not even the image that was still free.
    assert_eq!(
        send(s, w.buyer, &id, "again", &[mine[3], mine[4]], NOW).await,
        Err(field(Field::Images, Problem::Expired))
    );
    assert_eq!(w.messages().await, 1);
    let free: Option<i64> = sqlx::query_scalar("SELECT message_id FROM images WHERE id = ?")
        .bind(mine[4])
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(free, None);
    // Nor can a listing take a photo a message already shows.
    let adopted =
        crate::backend::catalog::store::adopt_image(&w.pool, w.listing, 0, mine[0], w.buyer)
            .await
            .unwrap();
    assert!(!adopted, "a sent photo moved onto a listing");
    // A message's photos are not loose: the next day's upload sweeps the
    // abandoned one and keeps them.
    upload(&w.pool, &media, w.buyer.get(), NOW + 2 * DAY).await;
    let shown = conversation(s, w.seller, &id).await.unwrap();
    assert_eq!(shown.messages[0].images, sent.images);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM images WHERE owner_id = ?")
        .bind(w.buyer)
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(left, 5);
    let inbox = inbox(s, w.seller).await.unwrap();
    assert_eq!(inbox.lines[0].last, None);
}

#[tokio::test]
async fn text_rules_and_the_members_rate_apply_to_sends() {
    let w = world().await;
    let id = w.opened().await;
    assert_eq!(
        w.send(w.buyer, &id, "   ").await,
        Err(field(Field::Message, Problem::Required))
    );
    assert_eq!(
        w.send(w.buyer, &id, &"x".repeat(2_001)).await,
        Err(field(Field::Message, Problem::TooLong { max: 2_000 }))
    );
    // A minute's worth goes through at once, then the member is refused
    // (give or take what comes back while the loop runs).
    let allowance = crate::backend::platform::limits::MESSAGES_PER_MINUTE;
    let mut sent = 0;
    loop {
        match w.send(w.buyer, &id, &format!("{sent}")).await {
            Ok(_) => sent += 1,
            Err(e) => break assert_eq!(e, AppError::RateLimited),
        }
        assert!(sent <= 2 * allowance, "never refused");
    }
    assert!(sent >= allowance, "{sent}");
    // The other member's allowance is their own.
    w.send(w.seller, &id, "slow down").await.unwrap();
    // An unverified or restricted member cannot write.
    sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = ?")
        .bind(w.seller)
        .execute(&w.pool)
        .await
        .unwrap();
    assert_eq!(
        w.send(w.seller, &id, "hi").await,
        Err(field(Field::Message, Problem::VerifyEmailFirst))
    );
    sqlx::query("UPDATE users SET status = 'blacklisted' WHERE id = ?")
        .bind(w.seller)
        .execute(&w.pool)
        .await
        .unwrap();
    assert_eq!(w.send(w.seller, &id, "hi").await, Err(AppError::Forbidden));
}

/// `n` messages from the buyer, stored directly (past any rate).
async fn stored(w: &World, id: &str, n: usize) -> Vec<i64> {
    let row = store::load_conversation(&w.pool, id)
        .await
        .unwrap()
        .unwrap();
    let conversation: ConversationId = row.id;
    let mut ids = Vec::new();
    for i in 0..n {
        let m = store::insert_message(&w.pool, conversation, w.buyer, &format!("#{i}"), NOW)
            .await
            .unwrap();
        store::bump(&w.pool, conversation, m, false, NOW)
            .await
            .unwrap();
        ids.push(m.get());
    }
    ids
}

#[tokio::test]
async fn history_opens_on_the_latest_fifty_and_pages_upward() {
    let w = world().await;
    let id = w.opened().await;
    let ids = stored(&w, &id, 120).await;
    let first = conversation(&w.state, w.seller, &id).await.unwrap();
    let shown: Vec<i64> = first.messages.iter().map(|m| m.id).collect();
    assert_eq!(shown, ids[70..]);
    assert!(first.more);
    let up = older(&w.state, w.seller, &id, shown[0]).await.unwrap();
    assert_eq!(
        up.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        ids[20..70]
    );
    assert!(up.more);
    let top = older(&w.state, w.buyer, &id, ids[20]).await.unwrap();
    assert_eq!(
        top.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        ids[..20]
    );
    assert!(!top.more);
    assert_eq!(w.marks(&id).await[1], (0, 120));
}

#[tokio::test]
async fn the_inbox_lists_conversations_by_latest_activity_with_their_unread() {
    let w = world().await;
    let chat = w.opened().await;
    let lamp = ListingId(listed(&w.pool, w.seller.get(), &input("Lamp"), NOW).await);
    let other = open(&w.state, w.stranger, lamp, NOW).await.unwrap();
    send(&w.state, w.buyer, &chat, "Is it\nstill there?", &[], NOW)
        .await
        .unwrap();
    send(&w.state, w.stranger, &other, "Price?", &[], NOW + 5)
        .await
        .unwrap();
    send(&w.state, w.stranger, &other, "Hello?", &[], NOW + 6)
        .await
        .unwrap();
    let seen = inbox(&w.state, w.seller).await.unwrap();
    let lines: Vec<_> = seen
        .lines
        .iter()
        .map(|l| {
            (
                l.id.as_str(),
                l.listing.title.as_str(),
                l.other.id,
                l.unread,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (other.as_str(), "Lamp", w.stranger.get(), 2),
            (chat.as_str(), "Oak chairs", w.buyer.get(), 1)
        ]
    );
    assert_eq!(seen.unread, 3);
    assert_eq!(seen.lines[0].last.as_deref(), Some("Hello?"));
    assert_eq!(seen.lines[1].last.as_deref(), Some("Is it still there?"));
    assert_eq!(seen.lines[0].last_at, NOW + 6);
    // The buyer sees only their own, with nothing unread.
    let theirs = inbox(&w.state, w.buyer).await.unwrap();
    assert_eq!(theirs.lines.len(), 1);
    assert_eq!((theirs.lines[0].unread, theirs.unread), (0, 0));
}

#[tokio::test]
async fn a_follower_gets_the_snapshot_then_each_new_message_once() {
    let w = world().await;
    let id = w.opened().await;
    let first = w.send(w.buyer, &id, "Hi").await.unwrap();
    read(&w.state, w.seller, &id, first, NOW).await.unwrap();
    let mut tab = w.tab(w.buyer);
    socket::join(&w.state, tab.id, Some(w.buyer), &id)
        .await
        .unwrap();
    let second = w.send(w.seller, &id, "Hello").await.unwrap();
    typing(&w.state, w.seller, &id).await.unwrap();
    let heard = drain(&mut tab);
    match &heard[0] {
        ServerMsg::Chat(ChatEvent::Snapshot {
            conversation,
            messages,
            reads,
        }) => {
            assert_eq!(conversation, &id);
            assert_eq!(messages.len(), 1);
            assert_eq!(messages[0].body, "Hi");
            assert_eq!(reads, &vec![(w.buyer.get(), 0), (w.seller.get(), first)]);
        }
        other => panic!("not a snapshot: {other:?}"),
    }
    assert!(matches!(
        &heard[1],
        ServerMsg::Chat(ChatEvent::Message { message, .. }) if message.id == second
    ));
    // The buyer's own tab hears the new count too.
    assert_eq!(counts(&heard), vec![1]);
    assert!(matches!(
        &heard[3],
        ServerMsg::Chat(ChatEvent::Typing { user, .. }) if *user == w.seller.get()
    ));
    assert_eq!(heard.len(), 4);
}
