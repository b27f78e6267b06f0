//! Translated names of the catalog's fixed vocabularies.

use crate::{
    domain::catalog::{Condition, Status, category, search::Sort},
    i18n::*,
};
use leptos::prelude::*;

/// A category's name in the reader's language.
#[component]
pub fn CategoryName(#[prop(into)] slug: String) -> impl IntoView {
    let i18n = use_i18n();
    match slug.as_str() {
        "electronics" => t!(i18n, cat_electronics).into_any(),
        "phones" => t!(i18n, cat_phones).into_any(),
        "computers" => t!(i18n, cat_computers).into_any(),
        "audio" => t!(i18n, cat_audio).into_any(),
        "cameras" => t!(i18n, cat_cameras).into_any(),
        "fashion" => t!(i18n, cat_fashion).into_any(),
        "clothing" => t!(i18n, cat_clothing).into_any(),
        "bags" => t!(i18n, cat_bags).into_any(),
        "shoes" => t!(i18n, cat_shoes).into_any(),
        "home" => t!(i18n, cat_home).into_any(),
        "furniture" => t!(i18n, cat_furniture).into_any(),
        "kitchen" => t!(i18n, cat_kitchen).into_any(),
        "books" => t!(i18n, cat_books).into_any(),
        "textbooks" => t!(i18n, cat_textbooks).into_any(),
        "comics" => t!(i18n, cat_comics).into_any(),
        "games" => t!(i18n, cat_games).into_any(),
        "consoles" => t!(i18n, cat_consoles).into_any(),
        "video_games" => t!(i18n, cat_video_games).into_any(),
        "game_accounts" => t!(i18n, cat_game_accounts).into_any(),
        "sports" => t!(i18n, cat_sports).into_any(),
        "bikes" => t!(i18n, cat_bikes).into_any(),
        "outdoor" => t!(i18n, cat_outdoor).into_any(),
        "desserts" => t!(i18n, cat_desserts).into_any(),
        "collectibles" => t!(i18n, cat_collectibles).into_any(),
        "kids" => t!(i18n, cat_kids).into_any(),
        _ => t!(i18n, cat_other).into_any(),
    }
}

/// `<option>`s for every category, children indented under their parent.
#[component]
pub fn CategoryOptions(#[prop(into)] selected: Signal<String>) -> impl IntoView {
    category::CATEGORIES
        .iter()
        .map(|c| {
            let slug = c.slug;
            view! {
                <option value=slug selected=move || selected.get() == slug>
                    {c.parent.map(|_| "\u{2003}")}
                    <CategoryName slug=slug />
                </option>
            }
        })
        .collect_view()
}

#[component]
pub fn ConditionName(condition: Condition) -> impl IntoView {
    let i18n = use_i18n();
    match condition {
        Condition::New => t!(i18n, cond_new).into_any(),
        Condition::LikeNew => t!(i18n, cond_like_new).into_any(),
        Condition::Good => t!(i18n, cond_good).into_any(),
        Condition::Fair => t!(i18n, cond_fair).into_any(),
        Condition::ForParts => t!(i18n, cond_for_parts).into_any(),
    }
}

#[component]
pub fn StatusName(status: Status) -> impl IntoView {
    let i18n = use_i18n();
    match status {
        Status::Pending => t!(i18n, status_pending).into_any(),
        Status::Approved => t!(i18n, status_approved).into_any(),
        Status::Rejected => t!(i18n, status_rejected).into_any(),
        Status::Delisted => t!(i18n, status_delisted).into_any(),
        Status::Sold => t!(i18n, status_sold).into_any(),
    }
}

#[component]
pub fn SortName(sort: Sort) -> impl IntoView {
    let i18n = use_i18n();
    match sort {
        Sort::Relevance => t!(i18n, sort_relevance).into_any(),
        Sort::New => t!(i18n, sort_new).into_any(),
        Sort::PriceLow => t!(i18n, sort_price_low).into_any(),
        Sort::PriceHigh => t!(i18n, sort_price_high).into_any(),
        Sort::EndingSoon => t!(i18n, sort_ending_soon).into_any(),
        Sort::Popular => t!(i18n, sort_popular).into_any(),
    }
}
