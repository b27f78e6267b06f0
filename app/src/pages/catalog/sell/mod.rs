//! `/sell` and `/l/<id>/edit`: the listing editor. Photos upload as soon as
//! they are chosen (each with its own progress bar), so saving sends only
//! their ids in the order the seller arranged them.

use crate::{
    api::catalog::{SaveListing, fetch_listing_for_edit, suggest_tags},
    auth::Auth,
    components::{
        catalog_labels::{CategoryOptions, ConditionName},
        form::{FormFailure, LogInFirst, ProblemText, debounced, problem_of},
        listing_card::SaleModeLabel,
        page_title::PageTitle,
        time::{local_input_value, parse_local_input},
    },
    domain::{
        catalog::{
            Condition, ListingInput, MAX_IMAGES, MAX_TAGS, SaleMode, category, normalize_tag,
        },
        form::{Field, Problem},
    },
    error::AppError,
    i18n::*,
    model::{ImageRef, ListingForEdit},
    pages::not_found::NotFoundPage,
};
use leptos::{either::EitherOf4, prelude::*};
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn SellPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, sell_title)) />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match auth.viewer.await {
                    Ok(Some(v)) if v.email_verified => EitherOf4::A(view! {
                        <h1>{t!(i18n, sell_title)}</h1>
                        <ListingEditor existing=None />
                    }),
                    Ok(Some(_)) => EitherOf4::B(view! {
                        <p class="notice" role="alert" data-testid="verify-first">
                            {t!(i18n, sell_verify_first)} " " <a href="/verify">{t!(i18n, verify_now)}</a>
                        </p>
                    }),
                    Ok(None) => EitherOf4::C(view! { <LogInFirst next="/sell" /> }),
                    Err(_) => EitherOf4::D(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn EditListingPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let listing = Resource::new(
        move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => fetch_listing_for_edit(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, edit_listing)) />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(existing) => EitherOf4::A(view! {
                        <h1>{t!(i18n, edit_listing)}</h1>
                        <ListingEditor existing=Some(existing) />
                    }),
                    Err(AppError::Unauthenticated) => EitherOf4::B(view! { <LogInFirst next="/my/listings" /> }),
                    Err(AppError::NotFound | AppError::Forbidden) => EitherOf4::C(view! { <NotFoundPage /> }),
                    Err(_) => EitherOf4::D(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                }
            })}
        </Suspense>
    }
}

/// A photo in the editor: on its way up, stored, or refused.
// Only the browser starts uploads.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
enum Photo {
    Sending {
        key: u32,
        name: String,
        sent: f64,
    },
    Stored {
        key: u32,
        image: ImageRef,
    },
    Failed {
        key: u32,
        name: String,
        problem: Option<Problem>,
    },
}

impl Photo {
    /// Changes whenever what is drawn for the photo changes.
    fn render_key(&self) -> (u32, u8, u32) {
        match self {
            Photo::Sending { key, sent, .. } => (*key, 0, (sent * 100.0) as u32),
            Photo::Stored { key, .. } => (*key, 1, 0),
            Photo::Failed { key, .. } => (*key, 2, 0),
        }
    }

    fn key(&self) -> u32 {
        match self {
            Photo::Sending { key, .. } | Photo::Stored { key, .. } | Photo::Failed { key, .. } => {
                *key
            }
        }
    }
}

#[component]
fn ListingEditor(existing: Option<ListingForEdit>) -> impl IntoView {
    let i18n = use_i18n();
    let id = existing.as_ref().map(|e| e.id);
    let (input, stored_images) = existing.map(|e| (e.input, e.images)).unwrap_or_else(|| {
        (
            ListingInput {
                stock: "1".into(),
                condition: Condition::Good.as_str().into(),
                sale_mode: SaleMode::Fixed.as_str().into(),
                meetup: true,
                ..ListingInput::default()
            },
            Vec::new(),
        )
    });
    let text = |s: &String| RwSignal::new(s.clone());
    let title = text(&input.title);
    let description = text(&input.description);
    let price = text(&input.price);
    let stock = text(&input.stock);
    let category_slug = text(&input.category);
    let condition = text(&input.condition);
    let sale_mode = text(&input.sale_mode);
    let area = text(&input.area);
    let meetup_place = text(&input.meetup_place);
    let start_price = text(&input.start_price);
    let reserve = text(&input.reserve);
    let buy_now = text(&input.buy_now);
    let secret = text(&input.secret);
    let meetup = RwSignal::new(input.meetup);
    let shipping = RwSignal::new(input.shipping);
    let tags = RwSignal::new(input.tags.clone());
    let tag_draft = RwSignal::new(String::new());
    // `datetime-local` values are the seller's wall clock; the conversion to
    // and from Unix time happens in the browser, which knows the zone (the
    // form is sent by script only, so the server never reads these fields).
    let starts_local = RwSignal::new(String::new());
    let ends_local = RwSignal::new(String::new());
    let (starts_at, ends_at) = (input.starts_at, input.ends_at);
    Effect::new(move |_| {
        starts_local.set(starts_at.map(local_input_value).unwrap_or_default());
        ends_local.set(ends_at.map(local_input_value).unwrap_or_default());
    });
    let next_key = StoredValue::new(stored_images.len() as u32);
    let photos = RwSignal::new(
        stored_images
            .into_iter()
            .enumerate()
            .map(|(i, image)| Photo::Stored {
                key: i as u32,
                image,
            })
            .collect::<Vec<_>>(),
    );

    let save = ServerAction::<SaveListing>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            navigate(&format!("/l/{}", saved.id), Default::default());
        }
    });
    let is_auction = move || sale_mode.get() == SaleMode::Auction.as_str();
    let is_digital = move || category::find(&category_slug.get()).is_some_and(|c| c.digital);
    let uploading = move || photos.with(|p| p.iter().any(|p| matches!(p, Photo::Sending { .. })));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut all_tags = tags.get_untracked();
        let pending = tag_draft.get_untracked();
        if !pending.trim().is_empty() {
            all_tags.push(pending);
        }
        let input = ListingInput {
            title: title.get_untracked(),
            description: description.get_untracked(),
            price: price.get_untracked(),
            stock: stock.get_untracked(),
            category: category_slug.get_untracked(),
            tags: all_tags,
            condition: condition.get_untracked(),
            meetup: meetup.get_untracked(),
            area: area.get_untracked(),
            meetup_place: meetup_place.get_untracked(),
            shipping: shipping.get_untracked(),
            sale_mode: sale_mode.get_untracked(),
            starts_at: parse_local_input(&starts_local.get_untracked()),
            ends_at: parse_local_input(&ends_local.get_untracked()),
            start_price: start_price.get_untracked(),
            reserve: reserve.get_untracked(),
            buy_now: buy_now.get_untracked(),
            secret: secret.get_untracked(),
            images: photos.with_untracked(|p| {
                p.iter()
                    .filter_map(|p| match p {
                        Photo::Stored { image, .. } => Some(image.id),
                        _ => None,
                    })
                    .collect()
            }),
        };
        save.dispatch(SaveListing { id, input });
    };

    let problem = move |field: Field| problem_of(save.value(), field);
    let error_line = move |field: Field| {
        let p = problem(field);
        view! {
            <p class="field-error" aria-live="polite">{move || p.get().map(|problem| view! { <ProblemText problem /> })}</p>
        }
    };
    let invalid = move |field: Field| {
        let p = problem(field);
        move || p.get().is_some().to_string()
    };

    // Tag suggestions for what is being typed.
    let tag_typed = debounced(tag_draft, 200);
    let suggestions = Resource::new(
        move || tag_typed.get(),
        |prefix| async move {
            if prefix.trim().is_empty() {
                Ok(Vec::new())
            } else {
                suggest_tags(prefix).await
            }
        },
    );
    let add_tag = move || {
        let draft = tag_draft.get_untracked();
        if let Ok(tag) = normalize_tag(&draft) {
            tags.update(|t| {
                if !t.contains(&tag) && t.len() < MAX_TAGS as usize {
                    t.push(tag);
                }
            });
        }
        tag_draft.set(String::new());
    };

    view! {
        <noscript><p class="notice">{t!(i18n, sell_needs_js)}</p></noscript>
        <form class="form listing-form" on:submit=submit novalidate data-testid="listing-form">
            <fieldset>
                <legend>{t!(i18n, sell_photos)}</legend>
                <PhotoPicker photos next_key />
                {error_line(Field::Images)}
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, sell_about)}</legend>
                <div class="field">
                    <label for="title">{t!(i18n, field_title)}</label>
                    <input id="title" maxlength="80" bind:value=title aria-invalid=invalid(Field::Title) />
                    {error_line(Field::Title)}
                </div>
                <div class="field-pair">
                    <div class="field">
                        <label for="category">{t!(i18n, field_category)}</label>
                        <select id="category" on:change=move |ev| category_slug.set(event_target_value(&ev)) aria-invalid=invalid(Field::Category)>
                            <option value="">{t!(i18n, choose)}</option>
                            <CategoryOptions selected=category_slug />
                        </select>
                        {error_line(Field::Category)}
                    </div>
                    <div class="field">
                        <label for="condition">{t!(i18n, field_condition)}</label>
                        <select id="condition" on:change=move |ev| condition.set(event_target_value(&ev))>
                            {Condition::ALL.iter().map(|c| {
                                let value = c.as_str();
                                view! { <option value=value selected=move || condition.get() == value><ConditionName condition=*c /></option> }
                            }).collect_view()}
                        </select>
                        {error_line(Field::Condition)}
                    </div>
                </div>
                <div class="field">
                    <label for="description">{t!(i18n, field_description)}</label>
                    <textarea id="description" rows="6" maxlength="5000" bind:value=description aria-invalid=invalid(Field::Description)></textarea>
                    {error_line(Field::Description)}
                </div>
                <div class="field">
                    <label for="tag-input">{t!(i18n, field_tags)}</label>
                    <ul class="tags editable" data-testid="tag-list">
                        {move || tags.get().into_iter().map(|t| {
                            let remove = t.clone();
                            view! {
                                <li>"#" {t.clone()}
                                    <button type="button" class="chip-remove" aria-label=move || t_string!(i18n, remove_tag)
                                        on:click=move |_| tags.update(|all| all.retain(|x| *x != remove))>"×"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <input id="tag-input" list="tag-suggestions" autocomplete="off" bind:value=tag_draft
                        placeholder=move || t_string!(i18n, tags_hint)
                        on:keydown=move |ev| if ev.key() == "Enter" || ev.key() == "," { ev.prevent_default(); add_tag() } />
                    <datalist id="tag-suggestions">
                        <Transition fallback=|| ()>
                            {move || suggestions.get().and_then(Result::ok).unwrap_or_default().into_iter()
                                .map(|s| view! { <option value=s></option> }).collect_view()}
                        </Transition>
                    </datalist>
                    {error_line(Field::Tags)}
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, field_sale_mode)}</legend>
                <div class="choices" role="radiogroup">
                    {SaleMode::ALL.iter().map(|m| {
                        let value = m.as_str();
                        view! {
                            <label class="choice">
                                <input type="radio" name="sale_mode" value=value
                                    prop:checked=move || sale_mode.get() == value
                                    on:change=move |_| sale_mode.set(value.to_string()) />
                                <SaleModeLabel mode=*m />
                            </label>
                        }
                    }).collect_view()}
                </div>
                {error_line(Field::SaleMode)}
                <Show when=move || !is_auction()>
                    <div class="field">
                        <label for="price">{t!(i18n, field_price)}</label>
                        <input id="price" inputmode="decimal" bind:value=price aria-invalid=invalid(Field::Price) />
                        {error_line(Field::Price)}
                    </div>
                </Show>
                <Show when=is_auction>
                    <div class="field-pair">
                        <div class="field">
                            <label for="starts_at">{t!(i18n, field_starts_at)}</label>
                            <input id="starts_at" type="datetime-local" bind:value=starts_local aria-invalid=invalid(Field::StartsAt) />
                            {error_line(Field::StartsAt)}
                        </div>
                        <div class="field">
                            <label for="ends_at">{t!(i18n, field_ends_at)}</label>
                            <input id="ends_at" type="datetime-local" bind:value=ends_local aria-invalid=invalid(Field::EndsAt) />
                            {error_line(Field::EndsAt)}
                        </div>
                    </div>
                    <div class="field-pair">
                        <div class="field">
                            <label for="start_price">{t!(i18n, field_start_price)}</label>
                            <input id="start_price" inputmode="decimal" bind:value=start_price aria-invalid=invalid(Field::StartPrice) />
                            {error_line(Field::StartPrice)}
                        </div>
                        <div class="field">
                            <label for="reserve">{t!(i18n, field_reserve_optional)}</label>
                            <input id="reserve" inputmode="decimal" bind:value=reserve aria-invalid=invalid(Field::Reserve) />
                            {error_line(Field::Reserve)}
                        </div>
                        <div class="field">
                            <label for="buy_now">{t!(i18n, field_buy_now_optional)}</label>
                            <input id="buy_now" inputmode="decimal" bind:value=buy_now aria-invalid=invalid(Field::BuyNow) />
                            {error_line(Field::BuyNow)}
                        </div>
                    </div>
                </Show>
                <div class="field">
                    <label for="stock">{t!(i18n, field_stock)}</label>
                    <input id="stock" type="number" min="1" max="9999" inputmode="numeric" bind:value=stock aria-invalid=invalid(Field::Stock) />
                    {error_line(Field::Stock)}
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, sell_trade)}</legend>
                <label class="choice"><input type="checkbox" bind:checked=meetup /> {t!(i18n, trade_meetup)}</label>
                <label class="choice"><input type="checkbox" bind:checked=shipping /> {t!(i18n, trade_shipping)}</label>
                {error_line(Field::TradeMethods)}
                <div class="field-pair">
                    <div class="field">
                        <label for="area">{t!(i18n, field_area)}</label>
                        <input id="area" maxlength="40" bind:value=area aria-invalid=invalid(Field::Area)
                            placeholder=move || t_string!(i18n, area_hint) />
                        {error_line(Field::Area)}
                    </div>
                    <Show when=move || meetup.get()>
                        <div class="field">
                            <label for="meetup_place">{t!(i18n, field_meetup_place)}</label>
                            <input id="meetup_place" maxlength="80" bind:value=meetup_place aria-invalid=invalid(Field::MeetupPlace) />
                            {error_line(Field::MeetupPlace)}
                        </div>
                    </Show>
                </div>
            </fieldset>
            <Show when=is_digital>
                <fieldset>
                    <legend>{t!(i18n, field_secret)}</legend>
                    <p class="field-hint">{t!(i18n, secret_hint)}</p>
                    <textarea id="secret" rows="3" bind:value=secret aria-invalid=invalid(Field::Secret)></textarea>
                    {error_line(Field::Secret)}
                </fieldset>
            </Show>
            <FormFailure outcome=save.value() />
            {move || matches!(save.value().get(), Some(Err(AppError::Forbidden))).then(|| view! {
                <p class="notice notice-error" role="alert">{t!(i18n, sell_not_allowed)}</p>
            })}
            <div class="row">
                <button type="submit" class="button" disabled=move || uploading() || save.pending().get() data-testid="save-listing">
                    {if id.is_some() { t!(i18n, save_changes).into_any() } else { t!(i18n, submit_for_review).into_any() }}
                </button>
                <span class="muted">{t!(i18n, review_note)}</span>
            </div>
        </form>
    }
}

/// Drop zone, file picker and the chosen photos in order.
#[component]
fn PhotoPicker(photos: RwSignal<Vec<Photo>>, next_key: StoredValue<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let dragged = StoredValue::new(None::<usize>);
    let full = move || photos.with(|p| p.len() >= MAX_IMAGES as usize);
    let take = move |files: Option<web_sys::FileList>| {
        if let Some(files) = files {
            start_uploads(files, photos, next_key);
        }
    };
    let move_photo = move |from: usize, to: usize| {
        photos.update(|p| {
            if from < p.len() && to < p.len() {
                let photo = p.remove(from);
                p.insert(to, photo);
            }
        })
    };
    view! {
        <div class="dropzone" data-testid="dropzone"
            on:dragover=move |ev| ev.prevent_default()
            on:drop=move |ev| {
                ev.prevent_default();
                if dragged.get_value().is_none() {
                    take(ev.data_transfer().and_then(|d| d.files()));
                }
            }>
            <p>{t!(i18n, photos_drop)}</p>
            <label class="button-ghost small">
                {t!(i18n, photos_pick)}
                <input type="file" class="visually-hidden" accept="image/jpeg,image/png,image/webp" multiple
                    data-testid="photo-input" disabled=full
                    on:change=move |ev| {
                        use wasm_bindgen::JsCast;
                        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
                        take(input.as_ref().and_then(|i| i.files()));
                        if let Some(input) = input { input.set_value(""); }
                    } />
            </label>
            <p class="field-hint">{t!(i18n, photos_hint, max = MAX_IMAGES)}</p>
        </div>
        <ol class="photos" data-testid="photos">
            <For each=move || photos.get().into_iter().enumerate() key=|(i, p)| (*i, p.render_key()) let((index, photo))>
                <li class="photo" draggable="true"
                    on:dragstart=move |_| dragged.set_value(Some(index))
                    on:dragend=move |_| dragged.set_value(None)
                    on:drop=move |ev| {
                        ev.prevent_default();
                        if let Some(from) = dragged.get_value() { move_photo(from, index); }
                        dragged.set_value(None);
                    }>
                    {match photo.clone() {
                        Photo::Sending { name, sent, .. } => view! {
                            <div class="photo-slot sending">
                                <progress max="100" value=(sent * 100.0).round() aria-label=name.clone() data-testid="upload-progress"></progress>
                                <span class="photo-name">{name}</span>
                            </div>
                        }.into_any(),
                        Photo::Stored { image, .. } => view! {
                            <img class="photo-slot" src=image.thumb_url alt="" data-testid="uploaded-photo" />
                        }.into_any(),
                        Photo::Failed { name, problem, .. } => view! {
                            <div class="photo-slot failed" role="alert">
                                <span class="photo-name">{name}</span>
                                <span class="field-error">{match problem {
                                    Some(problem) => view! { <ProblemText problem /> }.into_any(),
                                    None => t!(i18n, err_generic).into_any(),
                                }}</span>
                            </div>
                        }.into_any(),
                    }}
                    <div class="photo-tools">
                        {(index == 0).then(|| view! { <span class="badge">{t!(i18n, photo_cover)}</span> })}
                        <button type="button" class="icon" aria-label=move || t_string!(i18n, photo_earlier)
                            disabled={index == 0} on:click=move |_| move_photo(index, index - 1)>"←"</button>
                        <button type="button" class="icon" aria-label=move || t_string!(i18n, photo_later)
                            disabled={move || index + 1 >= photos.with(Vec::len)} on:click=move |_| move_photo(index, index + 1)>"→"</button>
                        <button type="button" class="icon" aria-label=move || t_string!(i18n, photo_remove)
                            on:click=move |_| { let key = photo.key(); photos.update(|p| p.retain(|x| x.key() != key)) }>"×"</button>
                    </div>
                </li>
            </For>
        </ol>
    }
}

/// Starts one upload per file, as many as there is room for.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn start_uploads(
    files: web_sys::FileList,
    photos: RwSignal<Vec<Photo>>,
    next_key: StoredValue<u32>,
) {
    #[cfg(feature = "hydrate")]
    {
        let room = (MAX_IMAGES as usize).saturating_sub(photos.with_untracked(Vec::len));
        for i in 0..files.length().min(room as u32) {
            let Some(file) = files.get(i) else { continue };
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            let name = file.name();
            photos.update(|p| {
                p.push(Photo::Sending {
                    key,
                    name: name.clone(),
                    sent: 0.0,
                })
            });
            let set = move |photo: Photo| {
                photos.update(|p| {
                    if let Some(slot) = p.iter_mut().find(|x| x.key() == key) {
                        *slot = photo;
                    }
                })
            };
            leptos::task::spawn_local(async move {
                let progress_name = name.clone();
                let result = crate::client::upload::send_file::<ImageRef>(
                    "/api/listing/image",
                    "image",
                    &file,
                    move |sent| {
                        set(Photo::Sending {
                            key,
                            name: progress_name.clone(),
                            sent,
                        })
                    },
                )
                .await;
                set(match result {
                    Ok(image) => Photo::Stored { key, image },
                    Err(e) => Photo::Failed {
                        key,
                        name,
                        problem: e.problem_with(Field::Images),
                    },
                });
            });
        }
    }
}
