//! The pages an account email leads to: "check your email" after sign-up, confirming a
//! sign-up's email, and an invited therapist's first visit.

use crate::{
    api::auth::{CompleteInvitation, ConfirmEmail},
    auth::use_auth,
    components::form::{action_error, form_action, FormError, TextField},
    domain::{MAX_NAME_CHARS, MAX_PASSWORD_CHARS},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// What every sign-up sees, whatever the email: the result comes by email.
#[component]
pub fn SignUpSentPage() -> impl IntoView {
    view! {
        <Title text="Check your email"/>
        <section class="card auth-card" aria-labelledby="sent-title">
            <h1 id="sent-title">"Check your email"</h1>
            <p>"We have sent an email to the address you gave. Open the link in it to confirm your address; it works for 24 hours."</p>
            <p>"If an account already uses that address, the email says how to sign in or reset the password instead."</p>
            <p class="aside"><A href="/sign-in">"Go to sign in"</A></p>
        </section>
    }
}

/// The sign-up's confirmation link: the password chosen at sign-up confirms the address
/// and signs in.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let confirm = form_action::<ConfirmEmail>();
    let error = action_error(confirm.value());
    if let Ok(auth) = use_auth() {
        auth.refresh_after(confirm.version());
    }
    view! {
        <Title text="Confirm your email"/>
        <section class="card auth-card" aria-labelledby="confirm-title">
            <h1 id="confirm-title">"Confirm your email"</h1>
            <p>"Enter the password you chose when you signed up. This confirms your address and signs you in."</p>
            <ActionForm action=confirm attr:novalidate=true>
                <FormError error=error/>
                <input type="hidden" name="token" prop:value=token value=token/>
                <TextField label="Password" name="password" input_type="password" autocomplete="current-password" max_length=MAX_PASSWORD_CHARS error=error/>
                <button type="submit" class="button-primary">"Confirm and sign in"</button>
            </ActionForm>
        </section>
    }
}

/// The operator's invitation link: the new therapist chooses their name and password.
#[component]
pub fn WelcomePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let complete = form_action::<CompleteInvitation>();
    let error = action_error(complete.value());
    if let Ok(auth) = use_auth() {
        auth.refresh_after(complete.version());
    }
    view! {
        <Title text="Set up your account"/>
        <section class="card auth-card" aria-labelledby="welcome-title">
            <h1 id="welcome-title">"Set up your account"</h1>
            <p>"Choose the name your clients will see and a password."</p>
            <ActionForm action=complete attr:novalidate=true>
                <FormError error=error/>
                <input type="hidden" name="token" prop:value=token value=token/>
                <TextField label="Your name" name="display_name" autocomplete="name" hint="Shown to your clients." max_length=MAX_NAME_CHARS error=error/>
                <TextField label="Password" name="password" input_type="password" autocomplete="new-password" hint=super::PASSWORD_HINT max_length=MAX_PASSWORD_CHARS error=error/>
                <button type="submit" class="button-primary">"Save and sign in"</button>
            </ActionForm>
        </section>
    }
}
