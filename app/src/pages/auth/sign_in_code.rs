//! `/sign-in/code`: the second screen of a sign-in for an account with a second factor.

use crate::{
    api::second_factor::SignInCode,
    auth::use_auth,
    components::form::{action_error, form_action, FormError, TextField},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

/// A code from the authenticator app (or a recovery code), then on to where the person
/// was going.
#[component]
pub fn SignInCodePage() -> impl IntoView {
    use_auth().map(|auth| {
        let submit = form_action::<SignInCode>();
        auth.refresh_after(submit.version());
        let query = use_query_map();
        let next = move || query.read().get("next").unwrap_or_default();
        // "Keep me signed in", ticked on the password screen, rides along to this one.
        let keep = move || query.read().get("remember").is_some();
        let error = action_error(submit.value());
        let pending = submit.pending();
        view! {
            <Title text="Sign-in code"/>
            <section class="card auth-card" aria-labelledby="sign-in-code-title">
                <h1 id="sign-in-code-title">"Enter your code"</h1>
                <p>"Open your authenticator app and enter the six-digit code it shows for Babysteps."</p>
                <ActionForm action=submit attr:novalidate=true>
                    <FormError error=error/>
                    <input type="hidden" name="next" prop:value=next value=next/>
                    {move || keep().then(|| view! { <input type="hidden" name="remember" value="on"/> })}
                    <TextField
                        label="Code"
                        name="code"
                        autocomplete="one-time-code"
                        hint="Lost your phone? Enter one of your recovery codes instead."
                        max_length=64
                        error=error
                    />
                    <button type="submit" class="button-primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Checking…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <p class="aside">"The code screen waits five minutes. " <A href="/sign-in">"Start again"</A></p>
            </section>
        }
    })
}
