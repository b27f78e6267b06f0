//! Pieces of forms: translated field problems and a debounced input.

use crate::{
    domain::form::{Field, Problem},
    error::AppError,
    i18n::*,
};
use leptos::prelude::*;
use std::time::Duration;

/// One sentence saying what is wrong with a field.
#[component]
pub fn ProblemText(problem: Problem) -> impl IntoView {
    let i18n = use_i18n();
    match problem {
        Problem::Required => t!(i18n, err_required).into_any(),
        Problem::TooShort { min } => t!(i18n, err_too_short, min).into_any(),
        Problem::TooLong { max } => t!(i18n, err_too_long, max).into_any(),
        Problem::InvalidChars => t!(i18n, err_invalid_chars).into_any(),
        Problem::MustStartWithLetter => t!(i18n, err_must_start_with_letter).into_any(),
        Problem::NeedsLetter => t!(i18n, err_needs_letter).into_any(),
        Problem::NeedsDigit => t!(i18n, err_needs_digit).into_any(),
        Problem::NeedsSymbol => t!(i18n, err_needs_symbol).into_any(),
        Problem::InvalidFormat => t!(i18n, err_invalid_format).into_any(),
        Problem::NotAPhoneNumber => t!(i18n, err_not_a_phone).into_any(),
        Problem::NotAnIdNumber => t!(i18n, err_not_an_id_number).into_any(),
        Problem::NotACode => t!(i18n, err_not_a_code).into_any(),
        Problem::DomainNotAllowed => t!(i18n, err_domain_not_allowed).into_any(),
        Problem::Taken => t!(i18n, err_taken).into_any(),
        Problem::Wrong => t!(i18n, err_wrong).into_any(),
        Problem::Expired => t!(i18n, err_expired).into_any(),
        Problem::Unchanged => t!(i18n, err_unchanged).into_any(),
        Problem::NotAnImage => t!(i18n, err_not_an_image).into_any(),
        Problem::FileTooLarge { max_mb } => t!(i18n, err_file_too_large, max_mb).into_any(),
        Problem::TooManyTries => t!(i18n, err_too_many_tries).into_any(),
        Problem::TooSoon { secs } => t!(i18n, err_too_soon, secs).into_any(),
        Problem::NotAnAmount => t!(i18n, err_not_an_amount).into_any(),
        Problem::TooManyDecimals { allowed } => t!(i18n, err_too_many_decimals, allowed).into_any(),
        Problem::MustBePositive => t!(i18n, err_must_be_positive).into_any(),
        Problem::AmountTooHigh => t!(i18n, err_amount_too_high).into_any(),
        Problem::OutOfRange { min, max } => t!(i18n, err_out_of_range, min, max).into_any(),
        Problem::TooMany { max } => t!(i18n, err_too_many, max).into_any(),
        Problem::NoTradeMethod => t!(i18n, err_no_trade_method).into_any(),
        Problem::BelowStartPrice => t!(i18n, err_below_start_price).into_any(),
        Problem::BelowReserve => t!(i18n, err_below_reserve).into_any(),
        Problem::InThePast => t!(i18n, err_in_the_past).into_any(),
        Problem::TooFarAhead { days } => t!(i18n, err_too_far_ahead, days).into_any(),
        Problem::TooShortAuction { minutes } => t!(i18n, err_too_short_auction, minutes).into_any(),
        Problem::TooLongAuction { days } => t!(i18n, err_too_long_auction, days).into_any(),
        Problem::NotForThisCategory => t!(i18n, err_not_for_this_category).into_any(),
        Problem::Locked => t!(i18n, err_locked).into_any(),
        Problem::VerifyEmailFirst => t!(i18n, err_verify_email_first).into_any(),
        Problem::VerifyIdentityFirst => t!(i18n, err_verify_identity_first).into_any(),
        Problem::Repeated => t!(i18n, err_repeated).into_any(),
        Problem::HasBids => t!(i18n, err_has_bids).into_any(),
        Problem::NotAnIdCard => t!(i18n, err_not_an_id_card).into_any(),
        Problem::VerifiesAnother => t!(i18n, err_verifies_another).into_any(),
        Problem::BlockedYou => t!(i18n, err_blocked_you).into_any(),
        Problem::YouBlocked => t!(i18n, err_you_blocked).into_any(),
    }
}

/// A labelled input with an optional hint, the line saying what is wrong with
/// it, and room for a note below (`children`). `name` is the form field and,
/// unless `id` is given (for a page with two fields of one name), the element
/// id; the hint and problem lines are `{id}-hint` and `{id}-error`.
#[component]
pub fn TextField(
    name: &'static str,
    #[prop(optional, into)] id: Option<String>,
    #[prop(into)] label: ViewFn,
    autocomplete: &'static str,
    problem: Signal<Option<Problem>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] hint: Option<ViewFn>,
    #[prop(optional)] value: Option<RwSignal<String>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let value = value.unwrap_or_else(|| RwSignal::new(String::new()));
    let id = id.unwrap_or_else(|| name.to_string());
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let described_by = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label.run()}</label>
            <input id=id name=name type=kind autocomplete=autocomplete required
                aria-describedby=described_by aria-invalid=move || problem.get().is_some().to_string()
                bind:value=value />
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id>{hint.run()}</p> })}
            <p class="field-error" id=error_id aria-live="polite">
                {move || problem.get().map(|problem| view! { <ProblemText problem /> })}
            </p>
            {children.map(|children| children())}
        </div>
    }
}

/// Follows `source` once it has been still for `ms` milliseconds, so a check
/// runs when the user pauses typing rather than on every key.
pub fn debounced(source: RwSignal<String>, ms: u64) -> ReadSignal<String> {
    let (settled, set_settled) = signal(source.get_untracked());
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let value = source.get();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        // The page may be gone when the timer fires (a submit navigates
        // away): then there is nothing left to update.
        set_timeout(
            move || {
                if generation.try_get_value() == Some(mine) {
                    set_settled.try_set(value);
                }
            },
            Duration::from_millis(ms),
        );
    });
    settled
}

/// The last result of a server action, as the helpers below read it.
pub type Outcome<T> = Signal<Option<Result<T, AppError>>>;

/// What the server said about `field` in its last answer.
pub fn problem_of<T: Send + Sync + 'static>(
    outcome: impl Into<Outcome<T>>,
    field: Field,
) -> Signal<Option<Problem>> {
    let outcome = outcome.into();
    Signal::derive(move || {
        outcome.with(|v| match v {
            Some(Err(e)) => e.problem_with(field),
            _ => None,
        })
    })
}

/// The last answer of `action`'s server function: the one it gave the
/// hydrated page or, after a plain form post (no JavaScript, or sent before
/// the page hydrated), the error Leptos carried back in the URL of the page
/// it redirected to. The app's shared actions are made above the router,
/// where that error is not yet known, so a page reads it here; call this in
/// the page.
pub fn action_outcome<S>(action: ServerAction<S>) -> Outcome<S::Output>
where
    S: server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let posted = use_context::<leptos::server::ServerActionError>()
        .filter(|e| e.path() == S::PATH)
        .map(|e| server_fn::error::ServerFnUrlError::<AppError>::decode_err(e.err()));
    let value = action.value();
    Signal::derive(move || value.get().or_else(|| posted.clone().map(Err)))
}

/// The CAPTCHA, shown while the server's last answer asks for one
/// (`problem`): the picture, fresh for each such answer, and the `captcha`
/// field, which names the problem only when the answer was wrong.
#[component]
pub fn Captcha(problem: Signal<Option<Problem>>, #[prop(into)] hint: ViewFn) -> impl IntoView {
    let i18n = use_i18n();
    let round = Memo::new(move |n: Option<&u32>| {
        let n = n.copied().unwrap_or(0);
        if problem.get().is_some() { n + 1 } else { n }
    });
    move || {
        let hint = hint.clone();
        problem.get().map(|_| view! {
            <div class="captcha" data-testid="captcha">
                <img src=format!("/captcha.png?round={}", round.get()) width="220" height="90"
                    alt=move || t_string!(i18n, captcha_alt) />
                <TextField name="captcha" label=move || t!(i18n, field_captcha) autocomplete="off"
                    hint=hint
                    problem=Signal::derive(move || problem.get().filter(|p| *p == Problem::Wrong)) />
            </div>
        })
    }
}

/// Whether the last answer succeeded.
pub fn succeeded<T: Send + Sync + 'static>(outcome: impl Into<Outcome<T>>) -> Signal<bool> {
    let outcome = outcome.into();
    Signal::derive(move || outcome.with(|v| matches!(v, Some(Ok(_)))))
}

/// A form-level message for a failure that belongs to no single field
/// (a network error, a server error, too many attempts).
#[component]
pub fn FormFailure<T: Send + Sync + 'static>(#[prop(into)] outcome: Outcome<T>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        outcome.with(|v| match v {
            Some(Err(AppError::RateLimited)) => Some(
                view! { <p class="notice notice-error" role="alert">{t!(i18n, err_rate_limited)}</p> }
                    .into_any(),
            ),
            Some(Err(AppError::Busy)) => Some(
                view! { <p class="notice notice-error" role="alert">{t!(i18n, err_busy)}</p> }
                    .into_any(),
            ),
            Some(Err(AppError::Conflict)) => Some(
                view! { <p class="notice notice-error" role="alert">{t!(i18n, err_conflict)}</p> }
                    .into_any(),
            ),
            Some(Err(AppError::Validation(_))) | Some(Ok(_)) | None => None,
            Some(Err(_)) => Some(
                view! { <p class="notice notice-error" role="alert">{t!(i18n, err_generic)}</p> }
                    .into_any(),
            ),
        })
    }
}

/// A short confirmation shown after an action succeeds.
#[component]
pub fn Saved<T: Send + Sync + 'static>(
    #[prop(into)] outcome: Outcome<T>,
    #[prop(into)] text: ViewFn,
) -> impl IntoView {
    move || {
        succeeded(outcome)
            .get()
            .then(|| view! { <p class="notice notice-ok" role="status">{text.run()}</p> })
    }
}

/// Takes over a file-upload form's submission: the form's data, to send with a
/// multipart server function, instead of the browser's own post (which stays
/// the fallback without JavaScript).
pub fn form_data(ev: &leptos::ev::SubmitEvent) -> Option<web_sys::FormData> {
    use wasm_bindgen::JsCast;
    let form = ev.target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    ev.prevent_default();
    Some(data)
}

/// A form that posts to a server function's `path` without JavaScript and,
/// with it, calls `submit` instead (which dispatches the action): what
/// `ActionForm` does, minus its generic reading of the form's fields, which
/// would ride in the first-load file for every action used there.
#[component]
pub fn PostForm(
    path: &'static str,
    #[prop(into)] submit: Callback<()>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <form method="post" action=path class=class data-testid=testid
            on:submit=move |ev| {
                ev.prevent_default();
                submit.run(());
            }>
            {children()}
        </form>
    }
}

/// For pages that need an account: a link to log in that comes back here.
#[component]
pub fn LogInFirst(#[prop(into)] next: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="notice" role="alert">
            {t!(i18n, log_in_first)} " " <a href=format!("/login?next={next}")>{t!(i18n, nav_log_in)}</a>
        </p>
    }
}
