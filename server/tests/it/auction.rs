//! Live auctions over the router: bids and chat over the WebSocket from
//! authenticated clients (the bidder is always the session's), the JS-off
//! bid form, and the seller's controls.

use crate::common::{
    Socket, TestServer, Via, call_as, error_of, log_in, make_admin, no_redirects, page, post,
    sign_up, verified_member, ws_connect,
};
use app::{
    backend::platform::clock::now_ms,
    components::time::offset_at,
    domain::{
        auction::{BidRefusal, Outcome, Phase},
        date::{date_time_at, iso_instant, zone_name},
        form::{Field, Problem},
        money::{Currency, Money},
    },
    error::AppError,
    model::{AuctionRoom, BidAck, BidStanding, MyAuction, NoticeKind, Notifications},
    protocol::{
        AuctionCommand, AuctionEvent, ClientMsg, ErrorCode, NoticeEvent, Receipt, ServerMsg, Topic,
    },
};
use futures::{SinkExt, StreamExt};
use reqwest::{StatusCode, header};
use std::{collections::VecDeque, time::Duration};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

const HOUR: i64 = 3_600_000;

fn twd(minor: i64) -> Money {
    Money::new(minor, Currency::Twd)
}

async fn user_id(server: &TestServer, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
        .bind(username)
        .fetch_one(&server.state.db)
        .await
        .unwrap()
}

/// (bidder, amount, price) of every stored bid on `listing`, oldest first.
async fn bids(server: &TestServer, listing: i64) -> Vec<(i64, i64, i64)> {
    sqlx::query_as("SELECT bidder_id, amount, price FROM bids WHERE listing_id = ? ORDER BY id")
        .bind(listing)
        .fetch_all(&server.state.db)
        .await
        .unwrap()
}

/// An auction by `seller` (a new verified member) starting at 100, created
/// with the listing form, approved by an admin and started by the
/// scheduler's service. Returns the listing id and the seller's cookie.
async fn live_auction(server: &TestServer, seller: &str, buy_now: &str) -> (i64, String) {
    let cookie = verified_member(server, seller).await;
    let starts = now_ms();
    let (starts_text, ends_text) = (starts.to_string(), (starts + HOUR).to_string());
    let form = [
        ("input[title]", "Brass desk lamp"),
        ("input[description]", "Warm light, works well."),
        ("input[price]", ""),
        ("input[stock]", "1"),
        ("input[category]", "computers"),
        ("input[condition]", "good"),
        ("input[meetup]", "true"),
        ("input[area]", "Taipei"),
        ("input[shipping]", "false"),
        ("input[sale_mode]", "auction"),
        ("input[start_price]", "100"),
        ("input[buy_now]", buy_now),
        ("input[starts_at]", &starts_text),
        ("input[ends_at]", &ends_text),
    ];
    let res = call_as(server, "/api/listing/save", &form, Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: serde_json::Value = res.json().await.unwrap();
    let id = saved["id"].as_i64().unwrap();

    let admin_name = format!("{seller}admin");
    let admin = verified_member(server, &admin_name).await;
    make_admin(server, &admin_name).await;
    let id_text = id.to_string();
    let res = call_as(
        server,
        "/api/admin/review_listing",
        &[("listing", &id_text), ("approve", "true"), ("reason", "")],
        Some(&admin),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The running scheduler may have started it already; starting is idempotent.
    server.state.auctions.start_due(now_ms()).await.unwrap();
    let phase: String = sqlx::query_scalar("SELECT phase FROM auctions WHERE listing_id = ?")
        .bind(id)
        .fetch_one(&server.state.db)
        .await
        .unwrap();
    assert_eq!(phase, "live");
    (id, cookie)
}

/// A socket and the messages it received that were not yet asked for, so
/// waiting for one kind of message never loses another.
struct Client {
    socket: Socket,
    held: VecDeque<ServerMsg>,
    /// The rest of a batch being read.
    batched: VecDeque<ServerMsg>,
}

/// A socket carrying `cookie` (signed in) or none, from the site's origin.
async fn connect(server: &TestServer, cookie: Option<&str>) -> Client {
    let mut client = Client {
        socket: ws_connect(server, cookie).await,
        held: VecDeque::new(),
        batched: VecDeque::new(),
    };
    assert!(matches!(client.next().await, ServerMsg::Welcome { .. }));
    client
}

impl Client {
    async fn send(&mut self, msg: &ClientMsg) {
        self.send_text(serde_json::to_string(msg).unwrap()).await;
    }

    async fn send_text(&mut self, text: String) {
        self.socket.send(Message::text(text)).await.unwrap();
    }

    /// The next application message off the wire (a batch's one by one),
    /// skipping heartbeats.
    async fn next(&mut self) -> ServerMsg {
        loop {
            if let Some(msg) = self.batched.pop_front() {
                return msg;
            }
            let frame = timeout(Duration::from_secs(5), self.socket.next())
                .await
                .expect("a message in time");
            match frame {
                Some(Ok(Message::Text(text))) => match serde_json::from_str(&text).unwrap() {
                    ServerMsg::Heartbeat { .. } => continue,
                    ServerMsg::Batch { msgs } => self.batched.extend(msgs),
                    msg => return msg,
                },
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// Waits for the server to close the socket, whatever comes before.
    async fn closed(&mut self) -> bool {
        let end = async {
            loop {
                match self.socket.next().await {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                }
            }
        };
        timeout(Duration::from_secs(5), end).await.is_ok()
    }

    /// The first message, held or new, that `pick` accepts; the others stay held.
    async fn take<T>(&mut self, mut pick: impl FnMut(&ServerMsg) -> Option<T>) -> T {
        if let Some((i, found)) = self
            .held
            .iter()
            .enumerate()
            .find_map(|(i, m)| pick(m).map(|t| (i, t)))
        {
            self.held.remove(i);
            return found;
        }
        loop {
            let msg = self.next().await;
            if let Some(found) = pick(&msg) {
                return found;
            }
            self.held.push_back(msg);
        }
    }

    /// The answer to request `req`.
    async fn ack(&mut self, req: u32) -> Result<Option<BidAck>, AppError> {
        self.take(|msg| match msg {
            ServerMsg::Ack { req: r, result } if *r == req => Some(
                result
                    .clone()
                    .map(|receipt| receipt.map(|Receipt::Bid(ack)| ack)),
            ),
            _ => None,
        })
        .await
    }

    async fn bid(
        &mut self,
        listing: i64,
        amount: i64,
        req: u32,
    ) -> Result<Option<BidAck>, AppError> {
        self.send(&ClientMsg::Auction(AuctionCommand::Bid {
            listing,
            amount,
            req,
        }))
        .await;
        self.ack(req).await
    }

    async fn say(
        &mut self,
        listing: i64,
        text: &str,
        req: u32,
    ) -> Result<Option<BidAck>, AppError> {
        self.send(&ClientMsg::Auction(AuctionCommand::Say {
            listing,
            text: text.into(),
            req,
        }))
        .await;
        self.ack(req).await
    }

    /// Subscribes to the room; its snapshot comes before anything of the room.
    async fn enter(&mut self, listing: i64) -> AuctionRoom {
        self.send(&ClientMsg::Subscribe {
            topic: Topic::Auction { listing },
        })
        .await;
        let room = self
            .take(|msg| match msg {
                ServerMsg::Auction(AuctionEvent::Snapshot { room }) => Some(room.clone()),
                _ => None,
            })
            .await;
        assert!(
            !self.held.iter().any(|m| matches!(
                m,
                ServerMsg::Auction(AuctionEvent::Update { .. })
                    | ServerMsg::Auction(AuctionEvent::Presence { .. })
                    | ServerMsg::Auction(AuctionEvent::Chat { .. })
            )),
            "nothing of the room before its snapshot: {:?}",
            self.held
        );
        *room
    }

    /// The next update of the room: its number, the price and who bid.
    async fn update(&mut self) -> (i64, Money, Option<i64>) {
        self.take(|msg| match msg {
            ServerMsg::Auction(AuctionEvent::Update { live, bid }) => {
                Some((live.seq, live.price, bid.as_ref().map(|b| b.bidder.id)))
            }
            // A batched update whose state a later one carries: its bid line
            // holds the price it made.
            ServerMsg::Auction(AuctionEvent::Step {
                seq,
                bid: Some(bid),
                ..
            }) => Some((*seq, bid.price, Some(bid.bidder.id))),
            _ => None,
        })
        .await
    }
}

/// The listing id as a one-field form.
fn listing_form(listing: &str) -> [(&'static str, &str); 1] {
    [("listing", listing)]
}

#[tokio::test]
async fn two_signed_in_clients_bid_over_the_socket_and_see_each_other() {
    let server = TestServer::start(false).await;
    let (listing, _) = live_auction(&server, "seller", "").await;
    let ann_cookie = verified_member(&server, "ann").await;
    let bob_cookie = verified_member(&server, "bob").await;
    let (ann, bob) = (user_id(&server, "ann").await, user_id(&server, "bob").await);

    let mut a = connect(&server, Some(&ann_cookie)).await;
    let room = a.enter(listing).await;
    assert_eq!(room.live.phase, Phase::Live);
    assert_eq!(room.live.price, twd(100));
    assert_eq!(room.live.min_bid, twd(100));
    assert_eq!(room.live.leader, None);
    let seq = room.live.seq;
    let mut b = connect(&server, Some(&bob_cookie)).await;
    let room = b.enter(listing).await;
    assert_eq!(room.watching, 2);
    assert_eq!(room.live.seq, seq);
    // Ann hears Bob come in, by name.
    let joined = a
        .take(|m| match m {
            ServerMsg::Auction(AuctionEvent::Presence {
                joined: Some(name),
                watching,
                ..
            }) if name == "bob" => Some(*watching),
            _ => None,
        })
        .await;
    assert_eq!(joined, 2);

    let ack = a.bid(listing, 300, 1).await.unwrap().unwrap();
    assert_eq!((ack.leading, ack.price), (true, twd(100)));
    // Bob outbids Ann's maximum of 300 by one step.
    let ack = b.bid(listing, 500, 7).await.unwrap().unwrap();
    assert_eq!((ack.leading, ack.price), (true, twd(310)));
    assert_eq!(a.update().await, (seq + 1, twd(100), Some(ann)));
    assert_eq!(a.update().await, (seq + 2, twd(310), Some(bob)));
    // Ann is told she was outbid, in her open tab.
    let outbid = a
        .take(|m| match m {
            ServerMsg::Notify(NoticeEvent::Notice {
                notification,
                unread,
            }) => Some((notification.kind, *unread)),
            _ => None,
        })
        .await;
    assert_eq!(outbid, (NoticeKind::Outbid, 1));

    // A refused bid is answered to its sender only and changes nothing.
    assert_eq!(
        a.bid(listing, 310, 2).await,
        Err(AppError::Bid(BidRefusal::TooLow { minimum: 320 }))
    );
    assert_eq!(
        bids(&server, listing).await,
        vec![(ann, 300, 100), (bob, 500, 310)]
    );
    let ack = a.bid(listing, 400, 3).await.unwrap().unwrap();
    assert_eq!((ack.leading, ack.price), (false, twd(410)));
    // Bob saw every accepted bid, numbered without a gap, and nothing else.
    assert_eq!(b.update().await, (seq + 1, twd(100), Some(ann)));
    assert_eq!(b.update().await, (seq + 2, twd(310), Some(bob)));
    assert_eq!(b.update().await, (seq + 3, twd(410), Some(ann)));
    assert!(
        !b.held
            .iter()
            .any(|m| matches!(m, ServerMsg::Auction(AuctionEvent::Update { .. })))
    );
}

#[tokio::test]
async fn a_bidder_named_in_the_payload_is_ignored() {
    let server = TestServer::start(false).await;
    let (listing, _) = live_auction(&server, "seller", "").await;
    verified_member(&server, "ann").await;
    let bob_cookie = verified_member(&server, "bob").await;
    let (ann, bob) = (user_id(&server, "ann").await, user_id(&server, "bob").await);

    let mut b = connect(&server, Some(&bob_cookie)).await;
    b.send_text(format!(
        r#"{{"type":"bid","listing":{listing},"amount":500,"req":3,"bidder":{ann}}}"#
    ))
    .await;
    assert!(b.ack(3).await.unwrap().unwrap().leading);
    assert_eq!(bids(&server, listing).await, vec![(bob, 500, 100)]);
    let leader: Option<i64> =
        sqlx::query_scalar("SELECT leader_id FROM auctions WHERE listing_id = ?")
            .bind(listing)
            .fetch_one(&server.state.db)
            .await
            .unwrap();
    assert_eq!(leader, Some(bob));
    // An anonymous socket claiming to be Ann gets nowhere either.
    let mut anon = connect(&server, None).await;
    anon.send_text(format!(
        r#"{{"type":"bid","listing":{listing},"amount":900,"req":4,"bidder":{ann}}}"#
    ))
    .await;
    assert_eq!(anon.ack(4).await, Err(AppError::Unauthenticated));
    assert_eq!(bids(&server, listing).await.len(), 1);
}

#[tokio::test]
async fn the_seller_and_anonymous_sockets_cannot_bid() {
    let server = TestServer::start(false).await;
    let (listing, seller_cookie) = live_auction(&server, "seller", "").await;

    let mut seller = connect(&server, Some(&seller_cookie)).await;
    assert_eq!(
        seller.bid(listing, 500, 1).await,
        Err(AppError::Bid(BidRefusal::OwnAuction))
    );
    // `#amount` in the chat is a bid too, refused the same way.
    assert_eq!(
        seller.say(listing, "#500", 2).await,
        Err(AppError::Bid(BidRefusal::OwnAuction))
    );

    // Anyone may watch, but only a signed-in member may bid or chat.
    let mut anon = connect(&server, None).await;
    let room = anon.enter(listing).await;
    assert_eq!(room.my_max, None);
    assert_eq!(
        anon.bid(listing, 500, 1).await,
        Err(AppError::Unauthenticated)
    );
    assert_eq!(
        anon.say(listing, "#600", 2).await,
        Err(AppError::Unauthenticated)
    );
    assert_eq!(
        anon.say(listing, "hello", 3).await,
        Err(AppError::Unauthenticated)
    );

    // An account that never confirmed its email is told to.
    let newbie = sign_up(&server, "newbie").await;
    let mut unverified = connect(&server, Some(&newbie)).await;
    assert_eq!(
        unverified.bid(listing, 500, 1).await,
        Err(AppError::Bid(BidRefusal::VerifyEmail))
    );
    // An unknown room cannot be entered.
    anon.send(&ClientMsg::Subscribe {
        topic: Topic::Auction {
            listing: listing + 100,
        },
    })
    .await;
    assert_eq!(
        anon.next().await,
        ServerMsg::Error {
            code: ErrorCode::Forbidden
        }
    );
    assert!(bids(&server, listing).await.is_empty());
    // None of it reached the room.
    assert!(
        !anon
            .held
            .iter()
            .any(|m| matches!(m, ServerMsg::Auction(AuctionEvent::Update { .. })))
    );
}

#[tokio::test]
async fn ending_a_login_closes_its_sockets_at_once() {
    let server = TestServer::start(false).await;
    let (listing, _) = live_auction(&server, "seller", "").await;
    let cookie = verified_member(&server, "ann").await;
    let mut a = connect(&server, Some(&cookie)).await;
    assert!(a.bid(listing, 200, 1).await.is_ok());
    let res = post(&server, Via::Form, "/api/auth/log_out", &[], Some(&cookie)).await;
    assert!(res.status().is_redirection());
    // Logging out in another tab closes this one's socket: nothing more can
    // be sent for ann, nor reach her.
    assert!(a.closed().await, "the socket closes");
    assert_eq!(bids(&server, listing).await.len(), 1);

    // Signing out elsewhere closes the other browsers' sockets, not this one's.
    let laptop = log_in(&server, "ann").await;
    let phone = log_in(&server, "ann").await;
    let mut on_laptop = connect(&server, Some(&laptop)).await;
    let mut on_phone = connect(&server, Some(&phone)).await;
    let res = call_as(
        &server,
        "/api/account/sign_out_elsewhere",
        &[],
        Some(&laptop),
    )
    .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert!(on_phone.closed().await, "the other browser's socket closes");
    assert!(
        on_laptop.bid(listing, 300, 2).await.is_ok(),
        "this one still bids"
    );
}

#[tokio::test]
async fn chat_lines_reach_the_room_and_hash_amounts_bid() {
    let server = TestServer::start(false).await;
    let (listing, _) = live_auction(&server, "seller", "").await;
    let ann_cookie = verified_member(&server, "ann").await;
    let bob_cookie = verified_member(&server, "bob").await;
    let (ann, bob) = (user_id(&server, "ann").await, user_id(&server, "bob").await);
    let mut a = connect(&server, Some(&ann_cookie)).await;
    a.enter(listing).await;
    let mut b = connect(&server, Some(&bob_cookie)).await;
    b.enter(listing).await;

    // A plain line is stored and sent to everyone in the room, as text.
    assert_eq!(
        a.say(listing, "  Is the <b>cable</b> included? ", 1).await,
        Ok(None)
    );
    let line = b
        .take(|m| match m {
            ServerMsg::Auction(AuctionEvent::Chat { listing: l, line }) if *l == listing => {
                Some(line.clone())
            }
            _ => None,
        })
        .await;
    assert_eq!(line.body, "Is the <b>cable</b> included?");
    assert_eq!((line.author.id, line.author.name.as_str()), (ann, "ann"));
    // A hashtag is chat, not a bid.
    assert_eq!(a.say(listing, "#vintage", 2).await, Ok(None));
    assert!(bids(&server, listing).await.is_empty());

    // `#1,200` bids 1,200 (TWD has no minor digits).
    let ack = b.say(listing, "#1,200", 3).await.unwrap().unwrap();
    assert_eq!((ack.leading, ack.price), (true, twd(100)));
    assert_eq!(bids(&server, listing).await, vec![(bob, 1_200, 100)]);
    assert_eq!(a.update().await.2, Some(bob));
    // A bad amount is a field error; nothing is stored or said.
    assert_eq!(
        a.say(listing, "#12.5", 4).await,
        Err(AppError::field(
            Field::Amount,
            Problem::TooManyDecimals { allowed: 0 }
        ))
    );
    assert_eq!(
        a.say(listing, "   ", 5).await,
        Err(AppError::field(Field::Message, Problem::Required))
    );
    assert_eq!(bids(&server, listing).await.len(), 1);

    // Whoever comes in later gets the stored chat with the room.
    let mut late = connect(&server, None).await;
    let room = late.enter(listing).await;
    let chat: Vec<&str> = room.chat.iter().map(|l| l.body.as_str()).collect();
    assert_eq!(chat, vec!["Is the <b>cable</b> included?", "#vintage"]);
    assert_eq!(room.history.len(), 1);
    assert_eq!(room.history[0].bidder.id, bob);
}

#[tokio::test]
async fn absurd_amounts_over_the_socket_are_refused_as_on_the_form() {
    let server = TestServer::start(false).await;
    let (listing, _) = live_auction(&server, "seller", "").await;
    let cookie = verified_member(&server, "ann").await;
    let mut a = connect(&server, Some(&cookie)).await;
    for (req, amount) in [(1, i64::MAX), (2, 1_000_000_001)] {
        assert_eq!(
            a.bid(listing, amount, req).await,
            Err(AppError::field(Field::Amount, Problem::AmountTooHigh))
        );
    }
    // The form path says the same of the same amount.
    let listing_text = listing.to_string();
    let res = call_as(
        &server,
        "/api/auction/bid",
        &[("listing", &listing_text), ("amount", "1000000001")],
        Some(&cookie),
    )
    .await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::Amount, Problem::AmountTooHigh)
    );
    assert!(bids(&server, listing).await.is_empty());
    // The largest amount allowed is a valid bid.
    assert!(a.bid(listing, 1_000_000_000, 3).await.unwrap().is_some());
}

#[tokio::test]
async fn bidding_works_without_javascript() {
    let server = TestServer::start(false).await;
    let (listing, _) = live_auction(&server, "seller", "").await;
    let cookie = verified_member(&server, "ann").await;
    let ann = user_id(&server, "ann").await;
    let listing_text = listing.to_string();
    let form = |amount: &'static str| [("listing", listing_text.as_str()), ("amount", amount)];

    // As the hydrated app calls it: the acknowledgement, or the refusal.
    let res = call_as(&server, "/api/auction/bid", &form("1,500"), Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let ack: BidAck = res.json().await.unwrap();
    assert_eq!((ack.leading, ack.price), (true, twd(100)));
    let res = call_as(&server, "/api/auction/bid", &form("1500"), Some(&cookie)).await;
    assert_eq!(
        error_of(res).await,
        AppError::Bid(BidRefusal::NotAboveYourMax { max: 1_500 })
    );
    let res = call_as(&server, "/api/auction/bid", &form("1500"), None).await;
    assert_eq!(error_of(res).await, AppError::Unauthenticated);
    let res = call_as(&server, "/api/auction/bid", &form("lots"), Some(&cookie)).await;
    assert_eq!(
        error_of(res).await,
        AppError::field(Field::Amount, Problem::NotAnAmount)
    );
    assert_eq!(bids(&server, listing).await, vec![(ann, 1_500, 100)]);

    // A plain form post goes back to the room either way; only the good one bids.
    let bob = verified_member(&server, "bob").await;
    let room = format!("/a/{listing}");
    let plain = |amount: &'static str| {
        no_redirects()
            .post(server.url("/api/auction/bid"))
            .header("origin", format!("http://{}", server.addr))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, server.url(&room))
            .header(header::COOKIE, bob.clone())
            .form(&form(amount))
            .send()
    };
    let res = plain("50").await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(back.contains(&room), "{back}");
    assert_eq!(bids(&server, listing).await.len(), 1);
    let res = plain("2000").await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let stored = bids(&server, listing).await;
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1].1, 2_000);
}

#[tokio::test]
async fn the_seller_ends_early_and_the_winner_finds_the_order() {
    let server = TestServer::start(false).await;
    let (listing, seller) = live_auction(&server, "seller", "").await;
    let ann = verified_member(&server, "ann").await;
    let listing_text = listing.to_string();
    let only_listing = listing_form(&listing_text);

    // Nothing to sell yet; someone else may not end or cancel it.
    let res = call_as(&server, "/api/auction/end", &only_listing, Some(&seller)).await;
    assert_eq!(error_of(res).await, AppError::Conflict);
    let res = call_as(&server, "/api/auction/cancel", &only_listing, Some(&ann)).await;
    assert_eq!(error_of(res).await, AppError::Forbidden);

    let res = call_as(
        &server,
        "/api/auction/bid",
        &[("listing", &listing_text), ("amount", "700")],
        Some(&ann),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // With a bid in it cannot be called off, but it can be ended and sold.
    let res = call_as(&server, "/api/auction/cancel", &only_listing, Some(&seller)).await;
    assert_eq!(error_of(res).await, AppError::Conflict);
    let res = call_as(&server, "/api/auction/end", &only_listing, Some(&ann)).await;
    assert_eq!(error_of(res).await, AppError::Forbidden);
    let res = call_as(&server, "/api/auction/end", &only_listing, Some(&seller)).await;
    assert_eq!(res.status(), StatusCode::OK);

    let res = call_as(&server, "/api/my/bids", &[], Some(&ann)).await;
    let mine: Vec<MyAuction> = res.json().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].standing, Some(BidStanding::Won));
    assert_eq!(mine[0].outcome, Some(Outcome::Sold));
    let order = mine[0].order.clone().expect("an order for the winner");
    assert_eq!(order.amount, twd(100));
    let res = call_as(&server, "/api/auction", &only_listing, Some(&ann)).await;
    let room: AuctionRoom = res.json().await.unwrap();
    assert_eq!(room.my_order.as_deref(), Some(order.public_id.as_str()));

    let res = call_as(&server, "/api/my/auctions", &[], Some(&seller)).await;
    let sold: Vec<MyAuction> = res.json().await.unwrap();
    assert_eq!(
        sold[0].order.as_ref().map(|o| &o.public_id),
        Some(&order.public_id)
    );

    // Notifications: listed, unread until opened.
    let res = call_as(&server, "/api/notifications", &[], Some(&ann)).await;
    let list: Notifications = res.json().await.unwrap();
    assert_eq!(list.unread, 1);
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].kind, NoticeKind::AuctionWon);
    assert_eq!(list.items[0].title, "Brass desk lamp");
    assert!(!list.items[0].read);
    let res = call_as(&server, "/api/notifications", &[], Some(&ann)).await;
    let list: Notifications = res.json().await.unwrap();
    assert_eq!(list.unread, 0);
    assert!(list.items[0].read);
    let res = call_as(&server, "/api/notifications", &[], Some(&seller)).await;
    let list: Notifications = res.json().await.unwrap();
    assert_eq!(list.items[0].kind, NoticeKind::AuctionSold);
}

#[tokio::test]
async fn buy_it_now_sells_at_once_over_the_api() {
    let server = TestServer::start(false).await;
    let (listing, _) = live_auction(&server, "seller", "5000").await;
    let ann = verified_member(&server, "ann").await;
    let bob = verified_member(&server, "bob").await;
    let mut watcher = connect(&server, None).await;
    let room = watcher.enter(listing).await;
    assert_eq!(room.live.buy_now, Some(twd(5_000)));
    let listing_text = listing.to_string();
    let only_listing = listing_form(&listing_text);

    let res = call_as(&server, "/api/auction/buy_now", &only_listing, Some(&ann)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let order: String = res.json().await.unwrap();
    let (live, bid) = watcher
        .take(|m| match m {
            ServerMsg::Auction(AuctionEvent::Update { live, bid }) => {
                Some((live.clone(), bid.clone()))
            }
            _ => None,
        })
        .await;
    assert_eq!(
        (live.phase, live.outcome),
        (Phase::Ended, Some(Outcome::Sold))
    );
    assert_eq!(live.price, twd(5_000));
    assert!(bid.is_some_and(|b| b.buy_now));
    let res = call_as(&server, "/api/auction/buy_now", &only_listing, Some(&bob)).await;
    assert_eq!(error_of(res).await, AppError::Bid(BidRefusal::NotLive));
    let stored: (String, i64) =
        sqlx::query_as("SELECT public_id, amount FROM orders WHERE listing_id = ?")
            .bind(listing)
            .fetch_one(&server.state.db)
            .await
            .unwrap();
    assert_eq!(stored, (order, 5_000));
}

#[tokio::test]
async fn an_admin_take_down_of_a_live_auction_reaches_its_room() {
    let server = TestServer::start(false).await;
    let (listing, _) = live_auction(&server, "seller", "").await;
    let ann_cookie = verified_member(&server, "ann").await;
    let mut watcher = connect(&server, None).await;
    let room = watcher.enter(listing).await;
    assert_eq!(room.live.phase, Phase::Live);

    // `live_auction` made "selleradmin" the admin who approved it.
    let admin = log_in(&server, "selleradmin").await;
    let listing_text = listing.to_string();
    let res = call_as(
        &server,
        "/api/admin/delist",
        &[("listing", &listing_text), ("reason", "Counterfeit goods.")],
        Some(&admin),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);

    // The open room hears it at once, numbered after what it had.
    let live = watcher
        .take(|m| match m {
            ServerMsg::Auction(AuctionEvent::Update { live, .. }) => Some(live.clone()),
            _ => None,
        })
        .await;
    assert_eq!(live.seq, room.live.seq + 1);
    assert_eq!(live.phase, Phase::Cancelled);
    // And bidding over the socket stopped with it.
    let mut ann = connect(&server, Some(&ann_cookie)).await;
    assert_eq!(
        ann.bid(listing, 500, 1).await,
        Err(AppError::Bid(BidRefusal::NotLive))
    );
}

#[tokio::test]
async fn a_reserve_price_reaches_its_seller_and_admins_only() {
    let server = TestServer::start(false).await;
    let (listing, seller) = live_auction(&server, "mei", "").await;
    sqlx::query("UPDATE auctions SET reserve = 7777 WHERE listing_id = ?")
        .bind(listing)
        .execute(&server.state.db)
        .await
        .unwrap();
    let bidder = verified_member(&server, "bob").await;
    let id = listing.to_string();
    let reserve_of = |detail: &serde_json::Value| detail["auction"]["reserve"].clone();

    for (who, cookie) in [("anonymous", None), ("a bidder", Some(bidder.as_str()))] {
        let res = call_as(&server, "/api/listing", &[("id", &id)], cookie).await;
        assert_eq!(res.status(), StatusCode::OK, "{who}");
        let detail: serde_json::Value = res.json().await.unwrap();
        assert_eq!(reserve_of(&detail), serde_json::Value::Null, "{who}");
        assert_eq!(detail["has_reserve"], true, "{who}");
        // Nor in the server-rendered page or its hydration data.
        let (_, html) = page(&server, &format!("/l/{listing}"), cookie).await;
        assert!(html.contains("Brass desk lamp"), "{who}");
        assert!(!html.contains("7777") && !html.contains("7,777"), "{who}");
    }

    let res = call_as(&server, "/api/listing", &[("id", &id)], Some(&seller)).await;
    let detail: serde_json::Value = res.json().await.unwrap();
    assert_eq!(reserve_of(&detail), 7777, "the seller");
}

/// Before the browser's zone takes over (and without JavaScript), times read
/// in the deployment's zone: `HAGGLE_TIMEZONE`, Asia/Taipei by default.
#[tokio::test]
async fn times_are_written_in_the_deployment_zone() {
    for vars in [vec![], vec![("HAGGLE_TIMEZONE", "America/New_York")]] {
        let server = TestServer::start_with(false, &vars).await;
        let zone = server.state.config.timezone;
        let (listing, _) = live_auction(&server, "zoe", "").await;
        let ends: i64 = sqlx::query_scalar("SELECT ends_at FROM auctions WHERE listing_id = ?")
            .bind(listing)
            .fetch_one(&server.state.db)
            .await
            .unwrap();
        let offset = offset_at(zone, ends);
        let named = zone_name(offset);
        if vars.is_empty() {
            assert_eq!(named, "GMT+8");
        } else {
            assert!(named == "GMT-5" || named == "GMT-4", "{named}");
        }
        let shown = format!(
            r#"<time datetime="{}">{}"#,
            iso_instant(ends),
            date_time_at(ends, offset)
        );
        assert!(shown.ends_with(&format!(" {named}")));
        for path in [format!("/l/{listing}"), format!("/a/{listing}")] {
            let (status, html) = page(&server, &path, None).await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains(&shown), "{path} ({vars:?}) lacks {shown}");
            assert!(!html.contains(" UTC<"), "{path} still says UTC");
        }
    }
}
