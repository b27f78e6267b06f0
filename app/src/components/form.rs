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
    }
}

/// The message line under an input: a problem, or nothing.
#[component]
pub fn FieldMessage(id: &'static str, problem: Signal<Option<Problem>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id aria-live="polite">
            {move || problem.get().map(|problem| view! { <ProblemText problem /> })}
        </p>
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
