//! Creating a therapist account.

use crate::{
    api::auth::SignUp,
    auth::use_auth,
    components::form::{action_error, form_action, FormError, TextField},
    domain::{MAX_NAME_CHARS, MAX_PASSWORD_CHARS},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The password rule, as the form explains it.
const PASSWORD_HINT: &str =
    "At least 12 characters. A few unrelated words make a strong password you can remember.";

/// Name, email and password for a new therapist; signs them in and opens the caseload.
#[component]
pub fn SignUpPage() -> impl IntoView {
    use_auth().map(|auth| {
        let sign_up = form_action::<SignUp>();
        auth.refresh_after(sign_up.version());
    let result = sign_up.value();
    let error = action_error(result);
    let pending = sign_up.pending();
        view! {
        <Title text="Create a therapist account"/>
        <section class="card auth-card" aria-labelledby="sign-up-title">
            <h1 id="sign-up-title">"Create a therapist account"</h1>
            <ActionForm action=sign_up attr:novalidate="true">
                <FormError error=error/>
                <TextField label="Your name" name="display_name" autocomplete="name" hint="Shown to your clients." max_length=MAX_NAME_CHARS error=error/>
                <TextField label="Email" name="email" input_type="email" autocomplete="email" error=error/>
                <TextField label="Password" name="password" input_type="password" autocomplete="new-password" hint=PASSWORD_HINT max_length=MAX_PASSWORD_CHARS error=error/>
                <button type="submit" class="button-primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating your account…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="aside">"Already have an account? " <A href="/sign-in">"Sign in"</A></p>
        </section>
        }
    })
}
