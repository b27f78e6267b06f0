//! `/l/<id>`: a listing's page.

use crate::{
    api::{
        admin::DelistListing,
        catalog::{SetFavorite, fetch_listing},
        chat::OpenConversation,
    },
    auth::Auth,
    components::{
        catalog_labels::{CategoryName, ConditionName, StatusName},
        form::{FormFailure, PostForm, ProblemText, problem_of},
        listing_card::{ListingGrid, SaleModeLabel},
        member::{Avatar, MemberName},
        time::When,
    },
    domain::{
        catalog::{SaleMode, Status},
        form::Field,
        money::Money,
    },
    error::AppError,
    i18n::*,
    model::{ImageRef, ListingDetail},
    pages::{not_found::NotFoundPage, order::rules::buy_refusal},
};
use leptos::{either::Either, prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ListingPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let favorite = ServerAction::<SetFavorite>::new();
    let delist = ServerAction::<DelistListing>::new();
    let listing = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())),
                delist.version().get(),
            )
        },
        |(id, _)| async move {
            match id {
                Some(id) => fetch_listing(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(detail) => Either::Left(view! {
                        <Title text=format!("{} · Haggle", detail.title) />
                        <ListingView detail favorite delist />
                    }),
                    Err(AppError::NotFound) => Either::Right(view! { <NotFoundPage /> }.into_any()),
                    Err(_) => Either::Right(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any()),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListingView(
    detail: ListingDetail,
    favorite: ServerAction<SetFavorite>,
    delist: ServerAction<DelistListing>,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let is_admin = move || {
        auth.viewer
            .get()
            .and_then(|v| v.ok().flatten())
            .is_some_and(|v| v.is_admin)
    };
    let ListingDetail {
        id,
        title,
        description,
        price,
        stock,
        category,
        tags,
        condition,
        meetup,
        area,
        meetup_place,
        shipping,
        sale_mode,
        auction,
        has_reserve,
        status,
        reject_reason,
        images,
        seller,
        favorites,
        views,
        created_at,
        favorited,
        mine,
        more_from_seller,
    } = detail;
    // The favorite's state: the last answer if there is one, else the page's.
    let fav = Signal::derive(move || match favorite.value().get() {
        Some(Ok(state)) => (state.on, state.count),
        _ => (favorited, favorites),
    });
    let category_href = format!("/search?category={category}");
    let seller_href = format!("/u/{}", seller.username);
    let member_since = seller.member_since;
    view! {
        <article class="listing" data-testid="listing-page">
            {(status != Status::Approved).then(|| view! {
                <div class=format!("notice status-banner status-{}", status.as_str()) data-testid="listing-status">
                    <strong><StatusName status /></strong>
                    {reject_reason.map(|r| view! { <p class="reason">{r}</p> })}
                </div>
            })}
            <Gallery images title=title.clone() />
            <div class="listing-info">
                <p class="crumbs"><a href=category_href><CategoryName slug=category /></a></p>
                <h1 class="listing-title">{title}</h1>
                <p class="listing-price" data-testid="listing-price">{price.to_string()}</p>
                <ul class="facts">
                    <li class=format!("badge badge-{}", sale_mode.as_str())><SaleModeLabel mode=sale_mode /></li>
                    <li class="badge"><ConditionName condition /></li>
                    <li>{t!(i18n, stock_count, count = stock)}</li>
                </ul>
                {auction.map(|a| {
                    let money = move |minor: i64| Money::new(minor, price.currency).to_string();
                    view! {
                        <dl class="auction-terms" data-testid="auction-terms">
                            <dt>{t!(i18n, field_starts_at)}</dt><dd><When ms=a.starts_at /></dd>
                            <dt>{t!(i18n, field_ends_at)}</dt><dd><When ms=a.ends_at /></dd>
                            <dt>{t!(i18n, field_start_price)}</dt><dd>{money(a.start_price)}</dd>
                            {has_reserve.then(|| view! { <dt>{t!(i18n, field_reserve)}</dt><dd>{t!(i18n, reserve_set)}</dd> })}
                            {a.buy_now.map(|b| view! { <dt>{t!(i18n, field_buy_now)}</dt><dd>{money(b)}</dd> })}
                        </dl>
                        <a class="button" href=format!("/a/{id}") data-testid="enter-room">{t!(i18n, auction_enter_room)}</a>
                    }
                })}
                <dl class="trade">
                    {meetup.then(|| view! {
                        <dt>{t!(i18n, trade_meetup)}</dt>
                        <dd>{area.clone()}{(!meetup_place.is_empty()).then(|| format!(" · {meetup_place}"))}</dd>
                    })}
                    {shipping.then(|| view! { <dt>{t!(i18n, trade_shipping)}</dt><dd>{t!(i18n, trade_shipping_yes)}</dd> })}
                </dl>
                {buy_refusal(mine, status, sale_mode, stock).is_none().then(|| view! {
                    <p class="buy-actions">
                        <a class="button" href=format!("/l/{id}/buy") data-testid="buy">{t!(i18n, listing_buy)}</a>
                        {(sale_mode == SaleMode::Offers).then(|| view! {
                            <a class="button-ghost" href=format!("/l/{id}/offer") data-testid="make-offer">{t!(i18n, listing_make_offer)}</a>
                        })}
                    </p>
                })}
                <div class="listing-actions">
                    {(!mine).then(|| view! { <MessageSeller id /> })}
                    {if mine {
                        Either::Left(view! {
                            <a class="button" href=format!("/l/{id}/edit") data-testid="edit-listing">{t!(i18n, edit_listing)}</a>
                        })
                    } else {
                        Either::Right(view! {
                            <PostForm path=SetFavorite::PATH class="inline-form"
                                submit=move |()| { favorite.dispatch(SetFavorite { listing: id, on: !fav.get_untracked().0 }); }>
                                <input type="hidden" name="listing" value=id />
                                <input type="hidden" name="on" value=move || (!fav.get().0).to_string() />
                                <button type="submit" class="button-ghost favorite" data-testid="favorite"
                                    aria-pressed=move || fav.get().0.to_string()>
                                    <span aria-hidden="true">{move || if fav.get().0 { "♥" } else { "♡" }}</span>
                                    " " {move || if fav.get().0 { t_string!(i18n, favorited) } else { t_string!(i18n, favorite) }}
                                </button>
                            </PostForm>
                        })
                    }}
                    <span class="muted" data-testid="favorite-count">{move || t!(i18n, favorite_count, count = fav.get().1)}</span>
                    <span class="muted" data-testid="view-count">{t!(i18n, view_count, count = views)}</span>
                    // Reporting arrives with the trust-and-safety console.
                    <button type="button" class="button-ghost small" disabled title=move || t_string!(i18n, report_soon)>
                        {t!(i18n, report)}
                    </button>
                </div>
                <FormFailure outcome=favorite.value() />
                {(status == Status::Approved).then(|| view! {
                    <Show when=is_admin>
                        <DelistForm id action=delist />
                    </Show>
                })}
                <a class="seller-card" href=seller_href data-testid="seller-card">
                    <Avatar url=seller.avatar_url nickname=seller.nickname.clone() size=48 />
                    <span>
                        <MemberName nickname=seller.nickname verified=seller.id_verified />
                        <span class="muted">" @" {seller.username} " · " {t!(i18n, member_since, date = move || view! { <When ms=member_since date_only=true /> })}</span>
                    </span>
                </a>
                {(!tags.is_empty()).then(|| view! {
                    <ul class="tags">
                        {tags.into_iter().map(|t| {
                            let href = format!("/search?tag={}", form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>());
                            view! { <li><a href=href>"#" {t}</a></li> }
                        }).collect_view()}
                    </ul>
                })}
                <p class="description">{description}</p>
                <p class="muted small">{t!(i18n, listed_on, date = move || view! { <When ms=created_at date_only=true /> })}</p>
            </div>
        </article>
        {(!more_from_seller.is_empty()).then(|| view! {
            <section class="listings" aria-labelledby="more-heading">
                <h2 id="more-heading">{t!(i18n, more_from_seller)}</h2>
                <ListingGrid cards=more_from_seller />
            </section>
        })}
    }
}

/// "Message seller": a plain form, so it works before (and without)
/// hydration; the server leads to the conversation, or visitors to log in
/// and back here.
#[component]
fn MessageSeller(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="inline-form" method="post" action=OpenConversation::PATH>
            <input type="hidden" name="listing" value=id />
            <button type="submit" class="button-ghost" data-testid="message-seller">{t!(i18n, chat_message_seller)}</button>
        </form>
    }
}

#[component]
fn DelistForm(id: i64, action: ServerAction<DelistListing>) -> impl IntoView {
    let i18n = use_i18n();
    let problem = problem_of(action.value(), Field::Reason);
    let reason = NodeRef::<leptos::html::Textarea>::new();
    let submit = move |()| {
        let reason = reason.get().map(|r| r.value()).unwrap_or_default();
        action.dispatch(DelistListing {
            listing: id,
            reason,
        });
    };
    view! {
        <PostForm path=DelistListing::PATH class="form delist" testid="delist-form" submit>
            <input type="hidden" name="listing" value=id />
            <label for="delist-reason">{t!(i18n, delist_reason)}</label>
            <textarea id="delist-reason" name="reason" rows="2" required node_ref=reason></textarea>
            <p class="field-error">{move || problem.get().map(|problem| view! { <ProblemText problem /> })}</p>
            <button type="submit" class="button-ghost small">{t!(i18n, delist)}</button>
        </PostForm>
    }
}

/// The photos: arrow keys and swipes move between them, thumbnails jump.
#[component]
fn Gallery(images: Vec<ImageRef>, title: String) -> impl IntoView {
    let i18n = use_i18n();
    let count = images.len();
    if count == 0 {
        return Either::Left(
            view! { <div class="gallery gallery-empty"><span class="no-photo">{t!(i18n, no_photo)}</span></div> },
        );
    }
    let shown = RwSignal::new(0usize);
    let step = move |by: isize| {
        shown.update(|i| *i = (*i as isize + by).rem_euclid(count as isize) as usize)
    };
    let touch_x = StoredValue::new(None::<i32>);
    let images = StoredValue::new(images);
    let current = move || images.with_value(|all| all[shown.get().min(count - 1)].clone());
    Either::Right(view! {
        <div class="gallery" data-testid="gallery">
            <div class="gallery-stage" tabindex="0" role="group"
                aria-roledescription=move || t_string!(i18n, gallery)
                aria-label=move || format!("{} {} / {count}", t_string!(i18n, photo), shown.get() + 1)
                on:keydown=move |ev| match ev.key().as_str() {
                    "ArrowLeft" => { ev.prevent_default(); step(-1) }
                    "ArrowRight" => { ev.prevent_default(); step(1) }
                    _ => {}
                }
                on:touchstart=move |ev| touch_x.set_value(ev.touches().get(0).map(|t| t.client_x()))
                on:touchend=move |ev| {
                    if let (Some(start), Some(end)) = (touch_x.get_value(), ev.changed_touches().get(0).map(|t| t.client_x())) {
                        if end - start > 40 { step(-1) } else if start - end > 40 { step(1) }
                    }
                }>
                <img src=move || current().url alt=title.clone()
                    width=move || current().width height=move || current().height data-testid="gallery-image" />
                {(count > 1).then(|| view! {
                    <button type="button" class="gallery-nav prev" aria-label=move || t_string!(i18n, photo_prev) on:click=move |_| step(-1)>"‹"</button>
                    <button type="button" class="gallery-nav next" aria-label=move || t_string!(i18n, photo_next) on:click=move |_| step(1)>"›"</button>
                    <span class="gallery-count">{move || format!("{} / {count}", shown.get() + 1)}</span>
                })}
            </div>
            {(count > 1).then(|| view! {
                <ul class="gallery-thumbs">
                    {images.with_value(|all| all.iter().enumerate().map(|(i, img)| view! {
                        <li>
                            <button type="button" aria-current=move || (shown.get() == i).to_string()
                                aria-label=move || format!("{} {} / {count}", t_string!(i18n, photo), i + 1)
                                on:click=move |_| shown.set(i)>
                                <img src=img.thumb_url.clone() alt="" loading="lazy" />
                            </button>
                        </li>
                    }).collect_view())}
                </ul>
            })}
        </div>
    })
}
