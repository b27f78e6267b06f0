//! Routes off the reading path: their code is split out of the main WASM
//! file and fetched on the first visit (for a page rendered by the server,
//! before it hydrates) or on the first click to them. The reading path (`/`,
//! `/search`, `/l/<id>`) stays in the main file: split, each of those pages
//! needed 80 to 150 small chunks, more bytes in all and far more requests
//! than the one file.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use super::{
    about::AboutPage,
    account::{
        identity::IdentityPage, log_in::LogInPage, member::MemberPage, settings::SettingsPage,
        sign_up::SignUpPage, verify::VerifyEmailPage,
    },
    admin::AdminPage,
    auction::{
        center::{MyAuctionsPage, MyBidsPage},
        room::AuctionPage,
    },
    call::page::CallPage,
    catalog::{
        collections::{FavoritesPage, MyListingsPage},
        sell::{EditListingPage, SellPage},
    },
    chat::MessagesPage,
    notify::NotificationsPage,
    offer::{make::MakeOfferPage, mine::MyOffersPage, page::OfferPage},
    order::{buy::BuyPage, list::OrdersPage, room::OrderRoomPage},
    wallet::{
        WalletPage,
        center::{BuyingPage, SellingPage},
    },
};

/// Declares `Route => Page` pairs: the route loads no data of its own (each
/// page starts its resources itself), its view is the page.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

lazy_pages! {
    AboutRoute => AboutPage,
    SignUpRoute => SignUpPage,
    LogInRoute => LogInPage,
    VerifyRoute => VerifyEmailPage,
    SettingsRoute => SettingsPage,
    IdentityRoute => IdentityPage,
    MemberRoute => MemberPage,
    AdminRoute => AdminPage,
    EditListingRoute => EditListingPage,
    SellRoute => SellPage,
    FavoritesRoute => FavoritesPage,
    MyListingsRoute => MyListingsPage,
    AuctionRoute => AuctionPage,
    MyBidsRoute => MyBidsPage,
    MyAuctionsRoute => MyAuctionsPage,
    NotificationsRoute => NotificationsPage,
    BuyRoute => BuyPage,
    OrderRoomRoute => OrderRoomPage,
    OrdersRoute => OrdersPage,
    MakeOfferRoute => MakeOfferPage,
    OfferRoute => OfferPage,
    MyOffersRoute => MyOffersPage,
    MessagesRoute => MessagesPage,
    CallRoute => CallPage,
    WalletRoute => WalletPage,
    BuyingRoute => BuyingPage,
    SellingRoute => SellingPage,
}
