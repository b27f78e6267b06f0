//! `/wallet`: the balance, money waiting in escrow, the forms that top up
//! and withdraw, and the statement (filters in the URL, pages, a CSV
//! download). Each money form carries an idempotency key made when the
//! form is shown: a retry after an error sends the same key (and cannot
//! charge twice), a success makes a fresh one for the next request.

pub mod center;

use crate::{
    api::wallet::{TopUpWallet, WithdrawMoney, fetch_statement, fetch_top_up, fetch_wallet},
    components::{
        form::{FormFailure, LogInFirst, TextField, action_outcome, problem_of},
        page_title::PageTitle,
        time::When,
    },
    domain::{
        form::{Field, Problem},
        wallet::Purpose,
    },
    error::AppError,
    i18n::*,
    model::{HoldLine, StatementLine, StatementPage, TopUpState, TopUpView, WalletSummary},
};
use center::CenterNav;
use leptos::{either::EitherOf3, prelude::*};
use leptos_router::hooks::use_query_map;

/// The purposes a member filters by, in the order the menu lists them.
const PURPOSES: [Purpose; 5] = [
    Purpose::TopUp,
    Purpose::Withdrawal,
    Purpose::Escrow,
    Purpose::Release,
    Purpose::Refund,
];

#[component]
pub fn WalletPage() -> impl IntoView {
    let i18n = use_i18n();
    // Decides what the page is (a member's wallet, or the way to log in);
    // never asked again, so the forms below keep their state when the money
    // shown changes.
    let gate = Resource::new(|| (), |_| fetch_wallet());
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, wallet_title)) />
        <h1>{t!(i18n, wallet_title)}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match gate.await {
                    Ok(summary) => EitherOf3::A(view! { <Wallet id_verified=summary.id_verified /> }),
                    Err(AppError::Unauthenticated) => EitherOf3::B(view! { <LogInFirst next="/wallet" /> }),
                    Err(_) => EitherOf3::C(view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Wallet(id_verified: bool) -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let filters = move || {
        (
            param("purpose"),
            param("from"),
            param("to"),
            param("page").parse::<u32>().unwrap_or(1).max(1),
        )
    };
    let wallet = Resource::new(|| (), |_| fetch_wallet());
    let statement = Resource::new(filters, |(purpose, from, to, page)| {
        fetch_statement(purpose, from, to, page)
    });
    // What a money request changed shows at once: the balance, the holds
    // and the statement are asked again.
    let refresh = Callback::new(move |()| {
        wallet.refetch();
        statement.refetch();
    });
    view! {
        <CenterNav balance=false />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                wallet.await.ok().map(|summary| view! { <Summary summary /> })
            })}
        </Suspense>
        <div class="wallet-forms">
            <TopUpForm refresh />
            <WithdrawForm refresh id_verified />
        </div>
        <Statement statement filters />
    }
}

#[component]
fn Summary(summary: WalletSummary) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="wallet-summary" data-testid="wallet-summary">
            <dl class="wallet-balance">
                <dt id="wallet-balance-label">{t!(i18n, wallet_balance)}</dt>
                <dd aria-labelledby="wallet-balance-label" data-testid="balance" class="price">
                    {summary.balance.to_string()}
                </dd>
            </dl>
            {summary.frozen.then(|| view! {
                <p class="notice" role="status" data-testid="wallet-frozen">{t!(i18n, wallet_frozen)}</p>
            })}
            <h2>{t!(i18n, wallet_holds)}</h2>
            <Holds holds=summary.holds_as_buyer testid="holds-paid"
                title=ViewFn::from(move || t!(i18n, wallet_holds_paid)) />
            <Holds holds=summary.holds_as_seller testid="holds-owed"
                title=ViewFn::from(move || t!(i18n, wallet_holds_owed)) />
        </section>
    }
}

#[component]
fn Holds(holds: Vec<HoldLine>, testid: &'static str, title: ViewFn) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h3 class="small">{title.run()}</h3>
        {if holds.is_empty() {
            view! { <p class="muted" data-testid=testid>{t!(i18n, wallet_holds_none)}</p> }.into_any()
        } else {
            view! {
                <ul class="hold-list" data-testid=testid>
                    {holds.into_iter().map(|h| {
                        let what = match (h.order, h.title) {
                            (Some(order), title) => view! {
                                <a href=format!("/o/{order}")>{title.unwrap_or_else(|| order.clone())}</a>
                            }.into_any(),
                            (None, title) => title.unwrap_or_default().into_any(),
                        };
                        view! {
                            <li>
                                <span class="price">{h.amount.to_string()}</span> " · " {what}
                                " · " <When ms=h.at />
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

/// A fresh idempotency key for a money form. In the browser it need not be
/// unguessable, only unique among one member's requests of a day: 122 random
/// bits in the shape of a UUID (v4).
fn new_key() -> String {
    #[cfg(feature = "ssr")]
    {
        uuid::Uuid::new_v4().to_string()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let mut hex = String::with_capacity(36);
        for i in 0..32 {
            let digit = match i {
                12 => 4,
                16 => 8 + (js_sys::Math::random() * 4.0) as u32,
                _ => (js_sys::Math::random() * 16.0) as u32,
            };
            if matches!(i, 8 | 12 | 16 | 20) {
                hex.push('-');
            }
            hex.push(char::from_digit(digit, 16).unwrap_or('0'));
        }
        hex
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        String::new()
    }
}

/// How many times, and how often, the page asks whether a pending top-up
/// has been decided (the simulated provider decides in about 0.3 s).
#[cfg(feature = "hydrate")]
const POLLS: u32 = 20;
#[cfg(feature = "hydrate")]
const POLL_MS: u32 = 500;

/// Asks after top-up `id` until its callback has decided it, then shows
/// the outcome in `decided` and refreshes the page's money.
fn follow(id: String, decided: RwSignal<Option<TopUpView>>, refresh: Callback<()>) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        for _ in 0..POLLS {
            gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
            if let Ok(now) = fetch_top_up(id.clone()).await
                && now.state != TopUpState::Pending
            {
                if decided.try_set(Some(now)).is_none() {
                    refresh.run(());
                }
                return;
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, decided, refresh, fetch_top_up);
}

#[component]
fn TopUpForm(refresh: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<TopUpWallet>::new();
    let outcome = action_outcome(action);
    let key = RwSignal::new(new_key());
    // The top-up as its callback decided it (None while pending).
    let decided = RwSignal::new(None::<TopUpView>);
    let amount = RwSignal::new(String::new());
    let card = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(top_up)) = action.value().get() {
            // Done with this key: the next top-up is another request. (After
            // an error the key stays, so a retry cannot charge twice.)
            key.set(new_key());
            decided.set(None);
            if top_up.state == TopUpState::Pending {
                follow(top_up.id, decided, refresh);
            } else {
                decided.set(Some(top_up));
                refresh.run(());
            }
        }
    });
    let status = move || {
        if action.pending().get() {
            return None;
        }
        let top_up = match outcome.get() {
            Some(Ok(top_up)) => decided.get().unwrap_or(top_up),
            _ => return None,
        };
        Some(match top_up.state {
            TopUpState::Pending => view! {
                <p class="notice" role="status" data-testid="top-up-status">{t!(i18n, wallet_processing)}</p>
            }
            .into_any(),
            TopUpState::Succeeded => {
                let amount = top_up.amount.to_string();
                view! {
                    <p class="notice notice-ok" role="status" data-testid="top-up-status">
                        {t!(i18n, wallet_topped_up, amount)}
                    </p>
                }
                .into_any()
            }
            TopUpState::Declined => view! {
                <p class="notice notice-error" role="alert" data-testid="top-up-status">{t!(i18n, wallet_declined)}</p>
            }
            .into_any(),
            TopUpState::Failed => view! {
                <p class="notice notice-error" role="alert" data-testid="top-up-status">{t!(i18n, wallet_failed)}</p>
            }
            .into_any(),
        })
    };
    view! {
        <section class="wallet-form" aria-labelledby="top-up-heading">
            <h2 id="top-up-heading">{t!(i18n, wallet_top_up)}</h2>
            <ActionForm action attr:class="form" attr:data-testid="top-up-form" attr:aria-labelledby="top-up-heading">
                <input type="hidden" name="key" value=key />
                <TextField name="amount" id="top-up-amount" label=move || t!(i18n, wallet_field_amount)
                    autocomplete="off" value=amount problem=problem_of(outcome, Field::Amount) />
                <TextField name="card" id="top-up-card" label=move || t!(i18n, wallet_field_card)
                    autocomplete="cc-number" value=card hint=move || t!(i18n, wallet_card_hint)
                    problem=problem_of(outcome, Field::CardNumber) />
                <FormFailure outcome />
                {status}
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    {t!(i18n, wallet_top_up)}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn WithdrawForm(refresh: Callback<()>, id_verified: bool) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<WithdrawMoney>::new();
    let outcome = action_outcome(action);
    let key = RwSignal::new(new_key());
    let amount = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            key.set(new_key());
            refresh.run(());
        }
    });
    let problem = problem_of(outcome, Field::Amount);
    // Asked without a verified identity: said with the way to verify, not
    // as a problem with the amount.
    let needs_identity =
        move || !id_verified || problem.get() == Some(Problem::VerifyIdentityFirst);
    let amount_problem =
        Signal::derive(move || problem.get().filter(|p| *p != Problem::VerifyIdentityFirst));
    let done = move || match outcome.get() {
        Some(Ok(w)) if !action.pending().get() => {
            let amount = w.amount.to_string();
            Some(view! {
                <p class="notice notice-ok" role="status" data-testid="withdraw-status">
                    {t!(i18n, wallet_withdrawn, amount)}
                </p>
            })
        }
        _ => None,
    };
    view! {
        <section class="wallet-form" aria-labelledby="withdraw-heading">
            <h2 id="withdraw-heading">{t!(i18n, wallet_withdraw)}</h2>
            {move || needs_identity().then(|| view! {
                <p class="notice" role="alert" data-testid="identity-needed">
                    {t!(i18n, wallet_identity_needed)} " "
                    <a href="/settings/identity">{t!(i18n, wallet_verify_identity)}</a>
                </p>
            })}
            <ActionForm action attr:class="form" attr:data-testid="withdraw-form" attr:aria-labelledby="withdraw-heading">
                <input type="hidden" name="key" value=key />
                <TextField name="amount" id="withdraw-amount" label=move || t!(i18n, wallet_field_amount)
                    autocomplete="off" value=amount problem=amount_problem />
                <FormFailure outcome />
                {done}
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    {t!(i18n, wallet_withdraw)}
                </button>
            </ActionForm>
        </section>
    }
}

type Filters = (String, String, String, u32);

#[component]
fn Statement(
    statement: Resource<Result<StatementPage, AppError>>,
    filters: impl Fn() -> Filters + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let (purpose, from, to, _) = filters();
    let export = move || {
        let (purpose, from, to, _) = filters();
        format!(
            "/wallet/statement.csv?{}",
            query(&purpose, &from, &to, None)
        )
    };
    view! {
        <section class="wallet-statement" aria-labelledby="statement-heading">
            <div class="row-head">
                <h2 id="statement-heading">{t!(i18n, wallet_statement)}</h2>
                // A file, not a page: the router must let the browser fetch it.
                <a class="button-ghost" href=export download="haggle-statement.csv" rel="external"
                    data-testid="statement-csv">{t!(i18n, wallet_download_csv)}</a>
            </div>
            // A plain GET form: the filters are the URL, with or without
            // JavaScript.
            <form class="statement-filters" method="get" action="/wallet" data-testid="statement-filters">
                <div class="field">
                    <label for="filter-purpose">{t!(i18n, wallet_filter_type)}</label>
                    <select id="filter-purpose" name="purpose">
                        <option value="" selected=purpose.is_empty()>{t!(i18n, wallet_filter_all)}</option>
                        {PURPOSES.into_iter().map(|p| view! {
                            <option value=p.as_str() selected=purpose == p.as_str()><PurposeText purpose=p /></option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-from">{t!(i18n, wallet_filter_from)}</label>
                    <input id="filter-from" name="from" type="date" value=from />
                </div>
                <div class="field">
                    <label for="filter-to">{t!(i18n, wallet_filter_to)}</label>
                    <input id="filter-to" name="to" type="date" value=to />
                </div>
                <button type="submit" class="button-ghost">{t!(i18n, wallet_filter_show)}</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match statement.await {
                        Ok(page) => view! { <Lines page filters /> }.into_any(),
                        Err(_) => view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The statement's query string: the filters and, if given, a page.
fn query(purpose: &str, from: &str, to: &str, page: Option<u32>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [("purpose", purpose), ("from", from), ("to", to)] {
        if !value.is_empty() {
            q.append_pair(name, value);
        }
    }
    if let Some(page) = page {
        q.append_pair("page", &page.to_string());
    }
    q.finish()
}

#[component]
fn Lines(
    page: StatementPage,
    filters: impl Fn() -> Filters + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let (purpose, from, to, _) = filters();
    let link = move |n: u32| format!("/wallet?{}", query(&purpose, &from, &to, Some(n)));
    let newer = (page.page > 1).then(|| {
        view! {
            <a href=link(page.page - 1) rel="prev">{t!(i18n, wallet_newer)}</a>
        }
    });
    let older = page.more.then(|| {
        view! {
            <a href=link(page.page + 1) rel="next">{t!(i18n, wallet_older)}</a>
        }
    });
    let number = page.page;
    if page.lines.is_empty() {
        return view! {
            <p class="muted" data-testid="statement-empty">{t!(i18n, wallet_statement_empty)}</p>
            <nav class="pager" aria-label=move || t_string!(i18n, wallet_pages)>{newer}</nav>
        }
        .into_any();
    }
    view! {
        <table class="statement" data-testid="statement">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, wallet_col_date)}</th>
                    <th scope="col">{t!(i18n, wallet_col_what)}</th>
                    <th scope="col" class="num">{t!(i18n, wallet_col_amount)}</th>
                    <th scope="col" class="num">{t!(i18n, wallet_col_balance)}</th>
                </tr>
            </thead>
            <tbody>
                {page.lines.into_iter().map(|line| view! { <Line line /> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label=move || t_string!(i18n, wallet_pages)>
            {newer}
            <span class="muted">{t!(i18n, wallet_page, number)}</span>
            {older}
        </nav>
    }
    .into_any()
}

#[component]
fn Line(line: StatementLine) -> impl IntoView {
    let what = match (line.order, line.title) {
        (Some(order), title) => Some(view! {
            " · " <a href=format!("/o/{order}")>{title.unwrap_or_else(|| order.clone())}</a>
        }),
        _ => None,
    };
    let sign = if line.amount.minor < 0 { "out" } else { "in" };
    view! {
        <tr data-purpose=line.purpose.as_str()>
            <td><When ms=line.at /></td>
            <td><PurposeText purpose=line.purpose />{what}</td>
            <td class=format!("num price amount-{sign}")>{line.amount.to_string()}</td>
            <td class="num price">{line.balance_after.to_string()}</td>
        </tr>
    }
}

#[component]
fn PurposeText(purpose: Purpose) -> impl IntoView {
    let i18n = use_i18n();
    match purpose {
        Purpose::TopUp => t!(i18n, wallet_purpose_top_up).into_any(),
        Purpose::Withdrawal => t!(i18n, wallet_purpose_withdrawal).into_any(),
        Purpose::Escrow => t!(i18n, wallet_purpose_escrow).into_any(),
        Purpose::Release => t!(i18n, wallet_purpose_release).into_any(),
        Purpose::Refund => t!(i18n, wallet_purpose_refund).into_any(),
        Purpose::Fee => t!(i18n, wallet_purpose_fee).into_any(),
    }
}
