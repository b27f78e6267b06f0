//! The chat area's SQL. Each function runs one statement on the executor it
//! is given (the caller's transaction) and decides nothing.

use crate::domain::id::{CallId, ConversationId, ListingId, MessageId, UserId};
use sqlx::SqliteExecutor;

/// A conversation as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: ConversationId,
    pub public_id: String,
    pub listing_id: ListingId,
    pub buyer_id: UserId,
    pub seller_id: UserId,
    pub last_message_id: i64,
    pub buyer_read: i64,
    pub seller_read: i64,
}

const CONVERSATION: &str = "SELECT id, public_id, listing_id, buyer_id, seller_id, last_message_id,
                                   buyer_read, seller_read
                              FROM conversations";

pub async fn load_conversation(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    sqlx::query_as(&format!("{CONVERSATION} WHERE public_id = ?"))
        .bind(public_id)
        .fetch_optional(ex)
        .await
}

pub async fn find_conversation(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
    buyer: UserId,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{CONVERSATION} WHERE listing_id = ? AND buyer_id = ?"
    ))
    .bind(listing)
    .bind(buyer)
    .fetch_optional(ex)
    .await
}

/// A new conversation, unless the pair already has one for the listing
/// (then nothing: the caller reads that one).
pub async fn insert_conversation(
    ex: impl SqliteExecutor<'_>,
    public_id: &str,
    listing: ListingId,
    buyer: UserId,
    seller: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO conversations (public_id, listing_id, buyer_id, seller_id, created_at, last_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (listing_id, buyer_id) DO NOTHING",
    )
    .bind(public_id)
    .bind(listing)
    .bind(buyer)
    .bind(seller)
    .bind(now)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ())
}

/// What opening a conversation reads of a listing: its seller and status.
pub async fn load_listing(
    ex: impl SqliteExecutor<'_>,
    listing: ListingId,
) -> Result<Option<(UserId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT seller_id, status FROM listings WHERE id = ?")
        .bind(listing)
        .fetch_optional(ex)
        .await
}

/// An order's listing, buyer and seller.
pub async fn load_order_parties(
    ex: impl SqliteExecutor<'_>,
    order: &str,
) -> Result<Option<(ListingId, UserId, UserId)>, sqlx::Error> {
    sqlx::query_as("SELECT listing_id, buyer_id, seller_id FROM orders WHERE public_id = ?")
        .bind(order)
        .fetch_optional(ex)
        .await
}

/// A member's standing: status, suspended until, e-mail verified at.
pub async fn load_standing(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
) -> Result<Option<(String, Option<i64>, Option<i64>)>, sqlx::Error> {
    sqlx::query_as("SELECT status, suspended_until, email_verified_at FROM users WHERE id = ?")
        .bind(user)
        .fetch_optional(ex)
        .await
}

/// Whether `me` blocked `other`, and whether `other` blocked `me`.
pub async fn blocks_between(
    ex: impl SqliteExecutor<'_>,
    me: UserId,
    other: UserId,
) -> Result<(bool, bool), sqlx::Error> {
    sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2),
                EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?2 AND blocked_id = ?1)",
    )
    .bind(me)
    .bind(other)
    .fetch_one(ex)
    .await
}

/// A message's row with its photos (a JSON array of
/// `[file, thumb, width, height]`) and, on a call's line, the call.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: MessageId,
    pub sender_id: UserId,
    pub body: String,
    pub created_at: i64,
    pub images: String,
    pub outcome: Option<String>,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
}

/// Newest first: the page a reader scrolls to runs from the newest down.
const MESSAGES: &str = "SELECT m.id, m.sender_id, m.body, m.created_at,
            (SELECT json_group_array(json_array(i.file_name, i.thumb_name, i.width, i.height))
               FROM (SELECT * FROM images WHERE message_id = m.id ORDER BY id) i) AS images,
            c.outcome, c.answered_at, c.ended_at
       FROM messages m LEFT JOIN calls c ON c.id = m.call_id";

/// Up to `limit` of a conversation's messages before `before`, newest first.
pub async fn messages_before(
    ex: impl SqliteExecutor<'_>,
    conversation: ConversationId,
    before: i64,
    limit: i64,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{MESSAGES} WHERE m.conversation_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?"
    ))
    .bind(conversation)
    .bind(before)
    .bind(limit)
    .fetch_all(ex)
    .await
}

pub async fn insert_message(
    ex: impl SqliteExecutor<'_>,
    conversation: ConversationId,
    sender: UserId,
    body: &str,
    now: i64,
) -> Result<MessageId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, sender_id, body, created_at)
         VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(conversation)
    .bind(sender)
    .bind(body)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// The call's log line in its conversation, sent by the caller.
pub async fn insert_call_line(
    ex: impl SqliteExecutor<'_>,
    conversation: ConversationId,
    caller: UserId,
    call: CallId,
    at: i64,
) -> Result<MessageId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, sender_id, body, call_id, created_at)
         VALUES (?, ?, '', ?, ?) RETURNING id",
    )
    .bind(conversation)
    .bind(caller)
    .bind(call)
    .bind(at)
    .fetch_one(ex)
    .await
}

/// The conversation's newest message is now `message`, at `at` (the inbox
/// order), with nobody's unread count moved: a call's log line.
pub async fn bump_quietly(
    ex: impl SqliteExecutor<'_>,
    conversation: ConversationId,
    message: MessageId,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE conversations SET last_message_id = ?, last_at = max(last_at, ?) WHERE id = ?",
    )
    .bind(message)
    .bind(at)
    .bind(conversation)
    .execute(ex)
    .await
    .map(|_| ())
}

/// Puts `owner`'s loose uploads `images` (a JSON array of ids) on `message`;
/// returns those it took (file, thumb, width, height), in id order. An
/// image on a listing or another message, or someone else's, is not taken.
pub async fn attach_images(
    ex: impl SqliteExecutor<'_>,
    message: MessageId,
    owner: UserId,
    images: &str,
) -> Result<Vec<(i64, String, String, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE images SET message_id = ?
          WHERE id IN (SELECT value FROM json_each(?)) AND owner_id = ?
            AND listing_id IS NULL AND message_id IS NULL
         RETURNING id, file_name, thumb_name, width, height",
    )
    .bind(message)
    .bind(images)
    .bind(owner)
    .fetch_all(ex)
    .await
}

/// A new newest message: the recipient (`to_buyer`: the buyer) has one
/// more unread.
pub async fn bump(
    ex: impl SqliteExecutor<'_>,
    conversation: ConversationId,
    message: MessageId,
    to_buyer: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE conversations
            SET last_message_id = ?1, last_at = ?2,
                buyer_unread = buyer_unread + (?3 = 1),
                seller_unread = seller_unread + (?3 = 0)
          WHERE id = ?4",
    )
    .bind(message)
    .bind(now)
    .bind(to_buyer)
    .bind(conversation)
    .execute(ex)
    .await
    .map(|_| ())
}

/// Moves the reader's (`buyer`: the buyer's) read mark up to `up_to`, if
/// that is further than it stands, and counts what the other member sent
/// after it as their unread. Returns the new unread count, or `None` when
/// the mark was already there or further.
pub async fn mark_read(
    ex: impl SqliteExecutor<'_>,
    conversation: ConversationId,
    reader: UserId,
    buyer: bool,
    up_to: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let (read, unread) = if buyer {
        ("buyer_read", "buyer_unread")
    } else {
        ("seller_read", "seller_unread")
    };
    sqlx::query_scalar(&format!(
        "UPDATE conversations
            SET {read} = ?1,
                {unread} = (SELECT count(*) FROM messages
                             WHERE conversation_id = ?2 AND id > ?1 AND sender_id <> ?3)
          WHERE id = ?2 AND {read} < ?1
         RETURNING {unread}"
    ))
    .bind(up_to)
    .bind(conversation)
    .bind(reader)
    .fetch_optional(ex)
    .await
}

/// Everything a conversation's page shows around its messages, as `viewer`
/// sees it.
#[derive(Debug, sqlx::FromRow)]
pub struct Around {
    pub title: String,
    pub thumb: Option<String>,
    pub other_id: UserId,
    pub other_name: String,
    pub other_status: String,
    pub other_until: Option<i64>,
    pub by_you: bool,
    pub by_them: bool,
}

/// The listing's title: its seller sees it as it is, anyone else the one it
/// had when last public.
const TITLE: &str = "CASE WHEN l.seller_id = ?2 OR l.status IN ('approved', 'sold', 'delisted')
                          THEN l.title ELSE COALESCE(l.reviewed_title, '') END";

pub async fn load_around(
    ex: impl SqliteExecutor<'_>,
    conversation: ConversationId,
    viewer: UserId,
) -> Result<Around, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {TITLE} AS title,
                (SELECT i.thumb_name FROM images i WHERE i.listing_id = l.id
                  ORDER BY i.position LIMIT 1) AS thumb,
                u.id AS other_id, u.nickname AS other_name, u.status AS other_status,
                u.suspended_until AS other_until,
                EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?2 AND blocked_id = u.id) AS by_you,
                EXISTS (SELECT 1 FROM blocks WHERE blocker_id = u.id AND blocked_id = ?2) AS by_them
           FROM conversations c JOIN listings l ON l.id = c.listing_id
                JOIN users u ON u.id = CASE WHEN c.buyer_id = ?2 THEN c.seller_id
                                            ELSE c.buyer_id END
          WHERE c.id = ?1"
    ))
    .bind(conversation)
    .bind(viewer)
    .fetch_one(ex)
    .await
}

/// One of a member's conversations in the inbox.
#[derive(Debug, sqlx::FromRow)]
pub struct InboxRow {
    pub public_id: String,
    pub listing_id: ListingId,
    pub title: String,
    pub thumb: Option<String>,
    pub other_id: UserId,
    pub other_name: String,
    pub other_status: String,
    pub other_until: Option<i64>,
    pub last_body: Option<String>,
    pub last_at: i64,
    pub unread: i64,
}

/// `user`'s conversations that have a message, latest activity first.
pub async fn inbox(
    ex: impl SqliteExecutor<'_>,
    user: UserId,
    limit: i64,
) -> Result<Vec<InboxRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT c.public_id, l.id AS listing_id, {TITLE} AS title,
                (SELECT i.thumb_name FROM images i WHERE i.listing_id = l.id
                  ORDER BY i.position LIMIT 1) AS thumb,
                u.id AS other_id, u.nickname AS other_name, u.status AS other_status,
                u.suspended_until AS other_until,
                (SELECT body FROM messages WHERE id = c.last_message_id) AS last_body,
                c.last_at,
                CASE WHEN c.buyer_id = ?2 THEN c.buyer_unread ELSE c.seller_unread END AS unread
           FROM (SELECT * FROM conversations WHERE buyer_id = ?2 AND last_message_id > 0
                 UNION ALL
                 SELECT * FROM conversations WHERE seller_id = ?2 AND last_message_id > 0) c
                JOIN listings l ON l.id = c.listing_id
                JOIN users u ON u.id = CASE WHEN c.buyer_id = ?2 THEN c.seller_id
                                            ELSE c.buyer_id END
          ORDER BY c.last_at DESC, c.id DESC
          LIMIT ?1"
    ))
    .bind(limit)
    .bind(user)
    .fetch_all(ex)
    .await
}

/// `user`'s unread messages over all their conversations.
pub async fn unread_total(ex: impl SqliteExecutor<'_>, user: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT (SELECT COALESCE(SUM(buyer_unread), 0) FROM conversations WHERE buyer_id = ?1)
              + (SELECT COALESCE(SUM(seller_unread), 0) FROM conversations WHERE seller_id = ?1)",
    )
    .bind(user)
    .fetch_one(ex)
    .await
}

pub async fn user_exists(ex: impl SqliteExecutor<'_>, user: UserId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)")
        .bind(user)
        .fetch_one(ex)
        .await
}

pub async fn insert_block(
    ex: impl SqliteExecutor<'_>,
    blocker: UserId,
    blocked: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT DO NOTHING",
    )
    .bind(blocker)
    .bind(blocked)
    .bind(now)
    .execute(ex)
    .await
    .map(|_| ())
}

pub async fn delete_block(
    ex: impl SqliteExecutor<'_>,
    blocker: UserId,
    blocked: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?")
        .bind(blocker)
        .bind(blocked)
        .execute(ex)
        .await
        .map(|_| ())
}

/// The members `blocker` blocked, newest first: id, nickname, status,
/// suspended until, when.
pub async fn list_blocked(
    ex: impl SqliteExecutor<'_>,
    blocker: UserId,
) -> Result<Vec<(UserId, String, String, Option<i64>, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.nickname, u.status, u.suspended_until, b.created_at
           FROM blocks b JOIN users u ON u.id = b.blocked_id
          WHERE b.blocker_id = ?
          ORDER BY b.created_at DESC, u.id",
    )
    .bind(blocker)
    .fetch_all(ex)
    .await
}
