//! `/reset-password/:token`: the link from the reset email asks for a new password (the
//! same rules as any new password); a used, expired or unknown link says so and offers to
//! ask again. `/password-changed` follows a reset: nobody is signed in, so it asks the
//! person to sign in with the new password.

use crate::api::page_data::page_data;

use super::PASSWORD_HINT;
use crate::{
    api::account::{check_reset_link, ResetLinkView, ResetPassword},
    auth::use_auth,
    components::form::{action_error, form_action, FormError, TextField},
    domain::MAX_PASSWORD_CHARS,
    error::AppError,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// The page a reset link opens.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = page_data(token, check_reset_link);
    let reset = form_action::<ResetPassword>();
    let error = action_error(reset.value());
    if let Ok(auth) = use_auth() {
        auth.refresh_after(reset.version());
    }
    view! {
        <Title text="Choose a new password"/>
        <section class="card auth-card" aria-labelledby="reset-title">
            <Suspense fallback=|| view! { <p class="loading">"Opening your link…"</p> }>
                {move || Suspend::new(async move { link.await.map(|view| reset_view(view, token(), reset, error)) })}
            </Suspense>
        </section>
    }
}

fn reset_view(
    link: ResetLinkView,
    token: String,
    reset: ServerAction<ResetPassword>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let unusable = |title: &'static str, message: &'static str| {
        Either::Left(view! {
            <h1 id="reset-title">{title}</h1>
            <p>{message}</p>
            <p><A href="/forgot-password" attr:class="button-primary">"Ask for a new link"</A></p>
            <p class="aside"><A href="/sign-in">"Go to sign in"</A></p>
        })
    };
    match link {
        ResetLinkView::Used => unusable(
            "This link has been used",
            "Each link works once. If you still need to choose a new password, ask for a new link.",
        ),
        ResetLinkView::Expired => unusable(
            "This link has expired",
            "Links work for 30 minutes, and only the newest one works. Ask for a new link.",
        ),
        ResetLinkView::Unknown => unusable(
            "We don't recognise this link",
            "Check that you copied the whole link from the email, or ask for a new one.",
        ),
        ResetLinkView::Valid => Either::Right(view! {
            <h1 id="reset-title">"Choose a new password"</h1>
            <p>"Choosing it signs your account out everywhere. Then sign in with the new password."</p>
            <ActionForm action=reset attr:novalidate=true>
                <FormError error=error/>
                <input type="hidden" name="token" value=token/>
                <TextField label="New password" name="password" input_type="password" autocomplete="new-password" hint=PASSWORD_HINT max_length=MAX_PASSWORD_CHARS error=error/>
                <button type="submit" class="button-primary">"Save new password"</button>
            </ActionForm>
        }),
    }
}

/// After a reset: the password is changed and every session has ended.
#[component]
pub fn PasswordChangedPage() -> impl IntoView {
    view! {
        <Title text="Password changed"/>
        <section class="card auth-card" aria-labelledby="changed-title">
            <h1 id="changed-title">"Your password has been changed"</h1>
            <p>"Your account was signed out everywhere. Sign in with your new password."</p>
            <p><A href="/sign-in" attr:class="button-primary">"Sign in"</A></p>
        </section>
    }
}
