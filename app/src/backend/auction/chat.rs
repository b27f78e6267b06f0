//! The chat of an auction room: stored, then sent to everyone in the room.

use crate::backend::auction::{AuctionHouse, HISTORY, shown_name, store};
use crate::{
    domain::{
        account::Standing,
        catalog::check_text,
        id::{ListingId, UserId},
    },
    error::AppError,
    model::{ChatLine, Participant},
    protocol::{AuctionEvent, ServerMsg, Topic},
};
pub const LINE_MAX: u32 = 500;

/// The latest lines of `listing`'s room, oldest first.
pub async fn history(
    conn: impl sqlx::SqliteExecutor<'_>,
    listing: i64,
    now: i64,
) -> Result<Vec<ChatLine>, sqlx::Error> {
    let rows = store::latest_lines(conn, ListingId(listing), HISTORY).await?;
    Ok(rows
        .into_iter()
        .map(|(id, author, nickname, status, until, body, at)| ChatLine {
            id,
            author: Participant {
                id: author,
                name: shown_name(&nickname, &status, until, now),
            },
            body,
            at,
        })
        .collect())
}

/// Lines one member may say in `RATE_WINDOW_MS`, over every room: a room is a
/// conversation, not a place to flood.
pub const RATE_LINES: i64 = 5;
pub const RATE_WINDOW_MS: i64 = 10_000;
/// Saying the same thing again in the same room within this time is refused.
pub const REPEAT_WINDOW_MS: i64 = 60_000;

/// Stores `author`'s line in `listing`'s room and sends it to the room.
/// Restricted accounts are read-only, and like bidding, talking needs a
/// verified e-mail address; the text is plain text, never markup. A member
/// says at most `RATE_LINES` lines in `RATE_WINDOW_MS`, and not the same line
/// twice in a row in one room within `REPEAT_WINDOW_MS`.
pub async fn say(
    house: &AuctionHouse,
    author: i64,
    listing: i64,
    text: &str,
    now: i64,
) -> Result<ChatLine, AppError> {
    let body = check_text(text, LINE_MAX)
        .map_err(|problem| AppError::field(crate::domain::form::Field::Message, problem))?;
    if body.is_empty() {
        return Err(AppError::field(
            crate::domain::form::Field::Message,
            crate::domain::form::Problem::Required,
        ));
    }
    // One writer at a time: the limit and the repeat check hold for lines
    // sent at once from several tabs.
    let mut tx = house.db().begin_with(super::IMMEDIATE).await?;
    let (nickname, status, until, verified) = store::load_author(&mut *tx, UserId(author))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !Standing::from_status(&status, until, now).may_trade() {
        return Err(AppError::Forbidden);
    }
    if verified.is_none() {
        return Err(AppError::field(
            crate::domain::form::Field::Message,
            crate::domain::form::Problem::VerifyEmailFirst,
        ));
    }
    // Both windows in one read; a member within the rate limit has said at
    // most RATE_LINES × (REPEAT_WINDOW_MS / RATE_WINDOW_MS) lines in it.
    let most = RATE_LINES * (REPEAT_WINDOW_MS / RATE_WINDOW_MS + 1);
    let recent = store::lines_since(&mut *tx, UserId(author), now - REPEAT_WINDOW_MS, most).await?;
    let in_rate_window = recent
        .iter()
        .filter(|(_, _, at)| *at > now - RATE_WINDOW_MS)
        .count();
    if in_rate_window as i64 >= RATE_LINES {
        return Err(AppError::RateLimited);
    }
    let last_here = recent.iter().find(|(room, _, _)| *room == listing);
    if last_here.is_some_and(|(_, said, _)| *said == body) {
        return Err(AppError::field(
            crate::domain::form::Field::Message,
            crate::domain::form::Problem::Repeated,
        ));
    }
    let id = store::insert_line(&mut *tx, ListingId(listing), UserId(author), &body, now).await?;
    tx.commit().await?;
    let line = ChatLine {
        id: id.ok_or(AppError::NotFound)?,
        author: Participant {
            id: author,
            name: nickname,
        },
        body,
        at: now,
    };
    house.hub().publish(
        &Topic::Auction { listing },
        ServerMsg::Auction(AuctionEvent::Chat {
            listing,
            line: line.clone(),
        }),
    );
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{
        auction::Rules, catalog::search_cache::SearchCache, live::hub::Hub, testing::*,
    };
    use crate::domain::{
        auction::increment::IncrementTable,
        form::{Field, Problem},
        money::Currency,
    };
    use sqlx::SqlitePool;

    /// A member with a verified e-mail address: they may talk.
    async fn talker(pool: &SqlitePool, name: &str) -> i64 {
        let id = user(pool, name).await;
        sqlx::query("UPDATE users SET email_verified_at = 0 WHERE id = ?")
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        id
    }

    fn house(pool: &SqlitePool) -> AuctionHouse {
        AuctionHouse::new(
            pool.clone(),
            Hub::default(),
            SearchCache::default(),
            Rules {
                currency: Currency::Twd,
                increments: IncrementTable::default_for(Currency::Twd),
                soft_close_ms: 120_000,
            },
        )
    }

    #[tokio::test]
    async fn lines_are_stored_sent_to_the_room_and_kept_in_order() {
        let (pool, _dir) = temp_db().await;
        let seller = talker(&pool, "seller").await;
        let ann = talker(&pool, "ann").await;
        let id = listed(&pool, seller, &auction("Lamp", NOW + HOUR, DAY), NOW).await;
        let house = house(&pool);
        let mut watcher = house.hub().connect(None);
        house.hub().subscribe(
            watcher.id,
            Topic::Auction { listing: id },
            Some(ServerMsg::Pong),
        );
        watcher.try_recv();

        let line = say(&house, ann, id, "  <script>hi</script>\r\nthere ", NOW)
            .await
            .unwrap();
        assert_eq!(
            line.body, "<script>hi</script>\nthere",
            "stored as plain text"
        );
        assert_eq!(line.author.name, "ann nick");
        match watcher.try_recv().map(|f| f.msg()) {
            Some(ServerMsg::Auction(AuctionEvent::Chat {
                listing,
                line: sent,
            })) => {
                assert_eq!((listing, sent), (id, line.clone()));
            }
            other => panic!("{other:?}"),
        }
        for i in 0..HISTORY + 3 {
            say(&house, seller, id, &format!("line {i}"), NOW + i * 2_500)
                .await
                .unwrap();
        }
        let kept = history(&pool, id, NOW).await.unwrap();
        assert_eq!(kept.len(), HISTORY as usize, "the latest lines only");
        assert_eq!(kept[0].body, "line 3");
        assert_eq!(kept.last().unwrap().body, format!("line {}", HISTORY + 2));
        assert!(kept.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    }

    #[tokio::test]
    async fn bad_lines_and_restricted_authors_are_refused() {
        let (pool, _dir) = temp_db().await;
        let seller = talker(&pool, "seller").await;
        let ann = talker(&pool, "ann").await;
        let id = listed(&pool, seller, &auction("Lamp", NOW + HOUR, DAY), NOW).await;
        let pending = submitted(&pool, seller, &auction("Desk", NOW + HOUR, DAY), NOW).await;
        let house = house(&pool);

        assert_eq!(
            say(&house, ann, id, "   ", NOW).await,
            Err(AppError::field(Field::Message, Problem::Required))
        );
        assert_eq!(
            say(&house, ann, id, &"x".repeat(LINE_MAX as usize + 1), NOW).await,
            Err(AppError::field(
                Field::Message,
                Problem::TooLong { max: LINE_MAX }
            ))
        );
        assert_eq!(
            say(&house, ann, id, "bell\u{7}", NOW).await,
            Err(AppError::field(Field::Message, Problem::InvalidChars))
        );
        assert_eq!(
            say(&house, ann, pending, "hi", NOW).await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            say(&house, ann, id + 100, "hi", NOW).await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            say(&house, 9_999, id, "hi", NOW).await,
            Err(AppError::Unauthenticated)
        );
        sqlx::query("UPDATE users SET status = 'blacklisted' WHERE id = ?")
            .bind(ann)
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            say(&house, ann, id, "hi", NOW).await,
            Err(AppError::Forbidden)
        );
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM auction_messages")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(stored, 0);
    }

    #[tokio::test]
    async fn talking_needs_a_verified_email_a_pause_and_something_new() {
        let (pool, _dir) = temp_db().await;
        let seller = talker(&pool, "seller").await;
        let ann = talker(&pool, "ann").await;
        let newbie = user(&pool, "newbie").await;
        let id = listed(&pool, seller, &auction("Lamp", NOW + HOUR, DAY), NOW).await;
        let other = listed(&pool, seller, &auction("Desk", NOW + HOUR, DAY), NOW).await;
        let house = house(&pool);
        let message = |problem| Err(AppError::field(Field::Message, problem));

        assert_eq!(
            say(&house, newbie, id, "hello", NOW).await,
            message(Problem::VerifyEmailFirst)
        );

        // The same line twice in one room is refused; in another room, or
        // after a minute, it is fine.
        say(&house, ann, id, "Is it still for sale?", NOW)
            .await
            .unwrap();
        assert_eq!(
            say(&house, ann, id, "Is it still for sale?", NOW + 1).await,
            message(Problem::Repeated)
        );
        say(&house, ann, other, "Is it still for sale?", NOW + 2)
            .await
            .unwrap();
        say(
            &house,
            ann,
            id,
            "Is it still for sale?",
            NOW + REPEAT_WINDOW_MS + 1,
        )
        .await
        .unwrap();

        // Five lines in ten seconds, over every room; the sixth waits.
        let t = NOW + 10 * REPEAT_WINDOW_MS;
        for i in 0..RATE_LINES {
            let room = if i % 2 == 0 { id } else { other };
            say(&house, ann, room, &format!("line {i}"), t + i)
                .await
                .unwrap();
        }
        assert_eq!(
            say(&house, ann, id, "one more", t + RATE_LINES).await,
            Err(AppError::RateLimited)
        );
        // Others are not held back by ann.
        say(&house, seller, id, "one more", t + RATE_LINES)
            .await
            .unwrap();
        say(&house, ann, id, "one more", t + RATE_WINDOW_MS + 1)
            .await
            .unwrap();

        let stored: i64 =
            sqlx::query_scalar("SELECT count(*) FROM auction_messages WHERE author_id = ?")
                .bind(ann)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(stored, 3 + RATE_LINES + 1, "refused lines are not stored");
    }
}
