//! The chat of an auction room: stored, then sent to everyone in the room.

use crate::backend::{
    auction::{AuctionHouse, HISTORY, shown_name, store},
    platform::clock::now_ms,
};
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
use sqlx::SqlitePool;

pub const LINE_MAX: u32 = 500;

/// The latest lines of `listing`'s room, oldest first.
pub async fn history(
    pool: &SqlitePool,
    listing: i64,
    now: i64,
) -> Result<Vec<ChatLine>, sqlx::Error> {
    let rows = store::latest_lines(pool, ListingId(listing), HISTORY).await?;
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

/// Stores `author`'s line in `listing`'s room and sends it to the room.
/// Restricted accounts are read-only; the text is plain text, never markup.
pub async fn say(
    house: &AuctionHouse,
    author: i64,
    listing: i64,
    text: &str,
) -> Result<ChatLine, AppError> {
    let now = now_ms();
    let body = check_text(text, LINE_MAX)
        .map_err(|problem| AppError::field(crate::domain::form::Field::Message, problem))?;
    if body.is_empty() {
        return Err(AppError::field(
            crate::domain::form::Field::Message,
            crate::domain::form::Problem::Required,
        ));
    }
    let db = house.db();
    let (nickname, status, until) = store::load_author(db, UserId(author))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !Standing::from_status(&status, until, now).may_trade() {
        return Err(AppError::Forbidden);
    }
    let id = store::insert_line(db, ListingId(listing), UserId(author), &body, now).await?;
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
        let seller = user(&pool, "seller").await;
        let ann = user(&pool, "ann").await;
        let id = listed(&pool, seller, &auction("Lamp", NOW + HOUR, DAY), NOW).await;
        let house = house(&pool);
        let mut watcher = house.hub().connect(None);
        house.hub().subscribe(
            watcher.id,
            Topic::Auction { listing: id },
            Some(ServerMsg::Pong),
        );
        watcher.try_recv();

        let line = say(&house, ann, id, "  <script>hi</script>\r\nthere ")
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
            say(&house, seller, id, &format!("line {i}")).await.unwrap();
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
        let seller = user(&pool, "seller").await;
        let ann = user(&pool, "ann").await;
        let id = listed(&pool, seller, &auction("Lamp", NOW + HOUR, DAY), NOW).await;
        let pending = submitted(&pool, seller, &auction("Desk", NOW + HOUR, DAY), NOW).await;
        let house = house(&pool);

        assert_eq!(
            say(&house, ann, id, "   ").await,
            Err(AppError::field(Field::Message, Problem::Required))
        );
        assert_eq!(
            say(&house, ann, id, &"x".repeat(LINE_MAX as usize + 1)).await,
            Err(AppError::field(
                Field::Message,
                Problem::TooLong { max: LINE_MAX }
            ))
        );
        assert_eq!(
            say(&house, ann, id, "bell\u{7}").await,
            Err(AppError::field(Field::Message, Problem::InvalidChars))
        );
        assert_eq!(
            say(&house, ann, pending, "hi").await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            say(&house, ann, id + 100, "hi").await,
            Err(AppError::NotFound)
        );
        assert_eq!(
            say(&house, 9_999, id, "hi").await,
            Err(AppError::Unauthenticated)
        );
        sqlx::query("UPDATE users SET status = 'blacklisted' WHERE id = ?")
            .bind(ann)
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(say(&house, ann, id, "hi").await, Err(AppError::Forbidden));
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM auction_messages")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(stored, 0);
    }
}
