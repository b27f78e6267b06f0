use crate::{
    api::account::auth::LogOut,
    auth::Auth,
    components::{
        form::PostForm,
        member::{Avatar, VerifiedBadge},
        notice::{Bell, MessagesLink},
    },
    i18n::*,
};
use leptos::{either::Either, prelude::*, server_fn::ServerFn};
use leptos_router::components::A;

/// The signed-in member's own pages, in the main navigation: the buyer and
/// seller centers (which lead to orders, bids, offers and listings) and the
/// wallet.
#[component]
pub fn MemberLinks() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(auth.viewer.await, Ok(Some(_))).then(|| view! {
                    <A href="/buying">{t!(i18n, nav_buying)}</A>
                    <A href="/selling">{t!(i18n, nav_selling)}</A>
                    <A href="/wallet">{t!(i18n, nav_wallet)}</A>
                })
            })}
        </Transition>
    }
}

/// The header's account corner: log-in and sign-up links, or the viewer's name
/// and a log-out button.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    view! {
        <div class="account" data-testid="account">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match auth.viewer.await {
                        Ok(Some(viewer)) => Either::Left(view! {
                            {viewer.is_admin.then(|| view! {
                                <a class="button-ghost" href="/admin">{t!(i18n, nav_admin)}</a>
                            })}
                            <MessagesLink />
                            <Bell />
                            <a class="account-link" href="/settings" title=viewer.username.clone()>
                                <Avatar url=viewer.avatar_url.clone() nickname=viewer.nickname.clone() size=28 />
                                <span class="account-name">{viewer.nickname}</span>
                                {viewer.id_verified.then(|| view! { <VerifiedBadge /> })}
                            </a>
                            <PostForm path=LogOut::PATH class="inline-form"
                                submit=move |()| { auth.log_out.dispatch(LogOut {}); }>
                                <button type="submit" class="button-ghost">{t!(i18n, log_out)}</button>
                            </PostForm>
                        }),
                        _ => Either::Right(view! {
                            <a class="button-ghost" href="/login">{t!(i18n, nav_log_in)}</a>
                            <a class="button small" href="/signup">{t!(i18n, nav_sign_up)}</a>
                        }),
                    }
                })}
            </Transition>
        </div>
    }
}
