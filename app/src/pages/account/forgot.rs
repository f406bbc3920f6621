//! `/forgot-password`: ask for a link to choose a new password. The answer never says
//! whether the email has an account.

use crate::{
    api::account::ForgotPassword,
    components::form::{action_error, form_action, FormError, TextField},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

/// The email field, then the same answer for every email.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let ask = form_action::<ForgotPassword>();
    let error = action_error(ask.value());
    let pending = ask.pending();
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    view! {
        <Title text="Forgot your password?"/>
        <section class="card auth-card" aria-labelledby="forgot-title">
            <h1 id="forgot-title">"Forgot your password?"</h1>
            {move || if sent() {
                Either::Left(view! {
                    <p role="status">
                        "If an account uses that email, we have sent it a link to choose a new password. \
                         The link works once, for 30 minutes. It may take a few minutes to arrive; check your spam folder too."
                    </p>
                    <p><A href="/sign-in">"Back to sign in"</A></p>
                    <p class="aside">"No email? " <A href="/forgot-password">"Ask again"</A></p>
                })
            } else {
                Either::Right(view! {
                    <p>"Enter the email you sign in with. We will send you a link to choose a new password."</p>
                    <ActionForm action=ask attr:novalidate=true>
                        <FormError error=error/>
                        <TextField label="Email" name="email" input_type="email" autocomplete="email" error=error/>
                        <button type="submit" class="button-primary" disabled=move || pending.get()>
                            {move || if pending.get() { "Sending…" } else { "Send me a link" }}
                        </button>
                    </ActionForm>
                    <p class="aside"><A href="/sign-in">"Back to sign in"</A></p>
                })
            }}
        </section>
    }
}
