use crate::{
    components::catalog_labels::StatusName,
    domain::catalog::{SaleMode, Status},
    i18n::*,
    model::ListingCard,
};
use leptos::{either::Either, prelude::*};

#[component]
pub fn ListingGrid(cards: Vec<ListingCard>) -> impl IntoView {
    view! {
        <ul class="grid" data-testid="listing-grid">
            {cards.into_iter().map(|card| view! { <ListingCardView card /> }).collect_view()}
        </ul>
    }
}

#[component]
pub fn ListingCardView(card: ListingCard) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/l/{}", card.id);
    let badge = format!("badge badge-{}", card.sale_mode.as_str());
    let price = card.price.to_string();
    view! {
        <li class="card">
            <a class="card-link" href=href>
                <div class="card-media">
                    {match card.thumb_url {
                        Some(url) => Either::Left(view! {
                            <img src=url alt="" loading="lazy" decoding="async" width="480" height="360" />
                        }),
                        None => Either::Right(view! { <span class="no-photo">{t!(i18n, no_photo)}</span> }),
                    }}
                    <span class=badge>
                        <SaleModeLabel mode=card.sale_mode />
                    </span>
                    {(card.status != Status::Approved).then(|| view! {
                        <span class=format!("badge badge-status status-{}", card.status.as_str())>
                            <StatusName status=card.status />
                        </span>
                    })}
                </div>
                <div class="card-body">
                    <h3 class="card-title">{card.title}</h3>
                    <p class="card-price"><span class="price">{price}</span>
                        {(card.favorites > 0).then(|| view! { <span class="card-favs"><span aria-hidden="true">"♥ "</span>{card.favorites}</span> })}
                    </p>
                    <p class="card-area">{card.area}</p>
                </div>
            </a>
        </li>
    }
}

#[component]
pub fn SaleModeLabel(mode: SaleMode) -> impl IntoView {
    let i18n = use_i18n();
    match mode {
        SaleMode::Fixed => t!(i18n, mode_fixed).into_any(),
        SaleMode::Offers => t!(i18n, mode_offers).into_any(),
        SaleMode::Auction => t!(i18n, mode_auction).into_any(),
    }
}
