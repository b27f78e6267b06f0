//! `/settings`: profile, email, phone, password, identity and signed-in browsers.

use crate::{
    api::account::{
        ChangeEmail, ChangePassword, ConfirmCode, SendPhoneCode, SignOutElsewhere, UpdateProfile,
        fetch_own_account, my_logins, upload_avatar,
    },
    auth::Auth,
    components::{
        form::{
            FormFailure, LogInFirst, ProblemText, Saved, TextField, form_data, problem_of,
            succeeded,
        },
        member::{Avatar, VerifiedBadge},
        page_title::PageTitle,
        time::When,
    },
    domain::form::Field,
    error::AppError,
    i18n::*,
    model::{CodeChannel, OwnAccount},
    pages::{account::verify::CodeForm, chat::blocked::BlockedSection},
};
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let profile = ServerAction::<UpdateProfile>::new();
    let change_email = ServerAction::<ChangeEmail>::new();
    let send_phone = ServerAction::<SendPhoneCode>::new();
    let confirm = ServerAction::<ConfirmCode>::new();
    let avatar_changed = RwSignal::new(0u32);
    let account = Resource::new(
        move || {
            (
                profile.version().get(),
                change_email.version().get(),
                send_phone.version().get(),
                confirm.version().get(),
                avatar_changed.get(),
            )
        },
        |_| fetch_own_account(),
    );
    Effect::new(move |_| {
        if succeeded(profile.value()).get() || succeeded(confirm.value()).get() {
            auth.changed.update(|n| *n += 1);
        }
    });
    view! {
        <PageTitle text=|l| format!("{} · Haggle", td_string!(l, settings_title)) />
        <div class="settings">
            <h1>{t!(i18n, settings_title)}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match account.await {
                        Err(AppError::Unauthenticated) => view! { <LogInFirst next="/settings" /> }.into_any(),
                        Err(_) => view! { <p class="notice notice-error">{t!(i18n, err_generic)}</p> }.into_any(),
                        Ok(me) => view! {
                            <ProfileSection me=me.clone() action=profile avatar_changed />
                            <EmailSection me=me.clone() action=change_email confirm />
                            <PhoneSection me=me.clone() action=send_phone confirm />
                            <IdentitySection me=me.clone() />
                            <PasswordSection />
                            <LoginsSection />
                            <BlockedSection />
                        }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ProfileSection(
    me: OwnAccount,
    action: ServerAction<UpdateProfile>,
    avatar_changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let nickname = RwSignal::new(me.nickname.clone());
    view! {
        <section class="panel" aria-labelledby="profile-h">
            <h2 id="profile-h">{t!(i18n, settings_profile)}</h2>
            <p><a href=format!("/u/{}", me.username)>{t!(i18n, view_public_page)}</a></p>
            <AvatarForm current=me.avatar_url.clone() nickname=me.nickname.clone() changed=avatar_changed />
            <ActionForm action=action attr:class="form" attr:data-testid="profile-form">
                <TextField name="nickname" label=move || t!(i18n, field_nickname) autocomplete="nickname"
                    hint=move || t!(i18n, hint_nickname) problem=problem_of(action.value(), Field::Nickname) value=nickname />
                <div class="field">
                    <label for="intro">{t!(i18n, field_intro)}</label>
                    <textarea id="intro" name="intro" rows="4" maxlength="500" aria-describedby="intro-error">{me.intro.clone()}</textarea>
                    <p class="field-error" id="intro-error" aria-live="polite">
                        {move || problem_of(action.value(), Field::Intro).get().map(|problem| view! { <ProblemText problem /> })}
                    </p>
                </div>
                <FormFailure outcome=action.value() />
                <Saved outcome=action.value() text=move || t!(i18n, saved) />
                <button type="submit" class="button" disabled=move || action.pending().get()>{t!(i18n, save)}</button>
            </ActionForm>
        </section>
    }
}

/// Uploads with JavaScript (no page reload); without it the same form posts
/// to the server function and the page comes back.
#[component]
fn AvatarForm(current: Option<String>, nickname: String, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let upload = Action::new_local(|data: &web_sys::FormData| upload_avatar(data.clone().into()));
    let outcome = upload.value();
    Effect::new(move |_| {
        if outcome.with(|v| matches!(v, Some(Ok(_)))) {
            changed.update(|n| *n += 1);
            if let Some(auth) = use_context::<Auth>() {
                auth.changed.update(|n| *n += 1);
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(data) = form_data(&ev) {
            upload.dispatch_local(data);
        }
    };
    view! {
        <form class="avatar-form" method="post" enctype="multipart/form-data" action="/api/account/avatar"
            on:submit=on_submit data-testid="avatar-form">
            <Avatar url=current nickname size=72 />
            <div class="field">
                <label for="avatar">{t!(i18n, field_avatar)}</label>
                <input id="avatar" name="avatar" type="file" accept="image/jpeg,image/png,image/webp" required
                    aria-describedby="avatar-error" />
                <p class="field-error" id="avatar-error" aria-live="polite">
                    {move || outcome.with(|v| match v {
                        Some(Err(e)) => e.problem_with(Field::Avatar),
                        _ => None,
                    }).map(|problem| view! { <ProblemText problem /> })}
                </p>
            </div>
            <button type="submit" class="button-ghost" disabled=move || upload.pending().get()>
                {t!(i18n, upload)}
            </button>
        </form>
    }
}

#[component]
fn EmailSection(
    me: OwnAccount,
    action: ServerAction<ChangeEmail>,
    confirm: ServerAction<ConfirmCode>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="email-h">
            <h2 id="email-h">{t!(i18n, settings_email)}</h2>
            <p data-testid="current-email">
                {me.email.clone()} " "
                {if me.email_verified {
                    view! { <span class="tag tag-ok">{t!(i18n, status_verified)}</span> }.into_any()
                } else {
                    view! { <span class="tag">{t!(i18n, status_unverified)}</span> }.into_any()
                }}
            </p>
            {me.email_pending.clone().map(|pending| view! {
                <p class="lead">{t!(i18n, verify_sent_to, email = pending)}</p>
                <CodeForm action=confirm channel=CodeChannel::Email />
            })}
            <ActionForm action=action attr:class="form" attr:data-testid="email-form">
                <TextField name="email" kind="email" label=move || t!(i18n, field_new_email) autocomplete="email"
                    problem=problem_of(action.value(), Field::Email) />
                <FormFailure outcome=action.value() />
                <button type="submit" class="button-ghost" disabled=move || action.pending().get()>{t!(i18n, send_code)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PhoneSection(
    me: OwnAccount,
    action: ServerAction<SendPhoneCode>,
    confirm: ServerAction<ConfirmCode>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="phone-h">
            <h2 id="phone-h">{t!(i18n, settings_phone)}</h2>
            {me.phone.clone().map(|phone| view! {
                <p data-testid="current-phone">{phone} " " <span class="tag tag-ok">{t!(i18n, status_verified)}</span></p>
            })}
            {me.phone_pending.clone().map(|pending| view! {
                <p class="lead">{t!(i18n, verify_sent_to, email = pending)}</p>
                <CodeForm action=confirm channel=CodeChannel::Phone />
            })}
            <ActionForm action=action attr:class="form" attr:data-testid="phone-form">
                <TextField name="phone" kind="tel" label=move || t!(i18n, field_phone) autocomplete="tel"
                    hint=move || t!(i18n, hint_phone) problem=problem_of(action.value(), Field::Phone) />
                <FormFailure outcome=action.value() />
                <button type="submit" class="button-ghost" disabled=move || action.pending().get()>{t!(i18n, send_code)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn IdentitySection(me: OwnAccount) -> impl IntoView {
    let i18n = use_i18n();
    let status = if me.id_verified {
        view! { <p><VerifiedBadge /> " " {t!(i18n, id_verified_done)}</p> }.into_any()
    } else if me.id_in_review {
        view! { <p class="tag">{t!(i18n, id_in_review)}</p> }.into_any()
    } else {
        view! {
            <p>{t!(i18n, id_explain)}</p>
            <a class="button-ghost" href="/settings/identity">{t!(i18n, id_start)}</a>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="id-h">
            <h2 id="id-h">{t!(i18n, settings_identity)}</h2>
            {status}
        </section>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePassword>::new();
    view! {
        <section class="panel" aria-labelledby="password-h">
            <h2 id="password-h">{t!(i18n, settings_password)}</h2>
            <ActionForm action=action attr:class="form" attr:data-testid="password-form">
                <TextField name="password" kind="password" label=move || t!(i18n, field_current_password)
                    autocomplete="current-password" problem=problem_of(action.value(), Field::Password) />
                <TextField name="new_password" kind="password" label=move || t!(i18n, field_new_password)
                    autocomplete="new-password" hint=move || t!(i18n, hint_password)
                    problem=problem_of(action.value(), Field::NewPassword) />
                <FormFailure outcome=action.value() />
                <Saved outcome=action.value() text=move || t!(i18n, password_changed) />
                <button type="submit" class="button" disabled=move || action.pending().get()>{t!(i18n, save)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn LoginsSection() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignOutElsewhere>::new();
    let logins = Resource::new(move || action.version().get(), |_| my_logins());
    view! {
        <section class="panel" aria-labelledby="logins-h">
            <h2 id="logins-h">{t!(i18n, settings_logins)}</h2>
            <Suspense fallback=|| ()>
                <ul class="logins" data-testid="logins">
                    {move || Suspend::new(async move {
                        logins.await.unwrap_or_default().into_iter().map(|l| view! {
                            <li>
                                <span class="login-agent">{short_agent(&l.user_agent)}</span>
                                <span class="muted">{l.ip.clone()} " · " <When ms=l.last_seen date_only=true /></span>
                                {l.current.then(|| view! { <span class="tag tag-ok">{t!(i18n, this_browser)}</span> })}
                            </li>
                        }).collect_view()
                    })}
                </ul>
            </Suspense>
            <ActionForm action=action attr:class="inline-form">
                <button type="submit" class="button-ghost" disabled=move || action.pending().get()>
                    {t!(i18n, sign_out_elsewhere)}
                </button>
            </ActionForm>
        </section>
    }
}

/// "Chrome on Linux" out of a long user-agent string (good enough to recognise
/// one's own devices; the full string is kept server-side).
fn short_agent(agent: &str) -> String {
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/"]
        .iter()
        .find(|b| agent.contains(*b))
        .map(|b| match *b {
            "Edg/" => "Edge",
            "Firefox/" => "Firefox",
            "Chrome/" => "Chrome",
            _ => "Safari",
        });
    let system = ["Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"]
        .iter()
        .find(|s| agent.contains(*s))
        .map(|s| if *s == "Mac OS" { "macOS" } else { s });
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => s.to_string(),
        (None, None) if agent.is_empty() => "?".into(),
        (None, None) => agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::short_agent;

    #[test]
    fn agents_are_shortened() {
        assert_eq!(
            short_agent(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
            ),
            "Chrome · Linux"
        );
        assert_eq!(
            short_agent(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Version/18.0 Mobile Safari/604.1"
            ),
            "Safari · iPhone"
        );
        assert_eq!(short_agent(""), "?");
        assert_eq!(short_agent("curl/8.0"), "curl/8.0");
    }
}
