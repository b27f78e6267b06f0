//! Pieces of forms: translated field problems and a debounced input.

use crate::{domain::account::Problem, i18n::*};
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
        Problem::DomainNotAllowed => t!(i18n, err_domain_not_allowed).into_any(),
        Problem::Taken => t!(i18n, err_taken).into_any(),
        Problem::Wrong => t!(i18n, err_wrong).into_any(),
        Problem::Expired => t!(i18n, err_expired).into_any(),
        Problem::TooManyTries => t!(i18n, err_too_many_tries).into_any(),
        Problem::TooSoon { secs } => t!(i18n, err_too_soon, secs).into_any(),
    }
}

/// A labelled input with an optional hint, the line saying what is wrong with
/// it, and room for a note below (`children`). `name` is both the form field
/// and the element id; the hint and problem lines are `{name}-hint` and
/// `{name}-error`.
#[component]
pub fn TextField(
    name: &'static str,
    #[prop(into)] label: ViewFn,
    autocomplete: &'static str,
    problem: Signal<Option<Problem>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] hint: Option<ViewFn>,
    #[prop(optional)] value: Option<RwSignal<String>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let value = value.unwrap_or_else(|| RwSignal::new(String::new()));
    let (hint_id, error_id) = (format!("{name}-hint"), format!("{name}-error"));
    let described_by = if hint.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=name>{label.run()}</label>
            <input id=name name=name type=kind autocomplete=autocomplete required
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
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    set_settled.set(value);
                }
            },
            Duration::from_millis(ms),
        );
    });
    settled
}
