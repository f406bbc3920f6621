//! The one sign-in page for therapists and clients.

use crate::{
    api::auth::SignIn,
    auth::use_auth,
    components::form::{action_error, form_action, Field, FieldIds, FieldLayout, FormError, TextField},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

/// Email and password, then on to where the person was going.
#[component]
pub fn SignInPage() -> impl IntoView {
    use_auth().map(|auth| {
        let sign_in = form_action::<SignIn>();
        auth.refresh_after(sign_in.version());
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    // A therapist who deleted their account lands here with `?account=deleted`.
    let deleted = move || query.read().get("account").as_deref() == Some("deleted");
    let result = sign_in.value();
    let error = action_error(result);
    let pending = sign_in.pending();
        view! {
        <Title text="Sign in"/>
        <section class="card auth-card" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">"Sign in"</h1>
            <p role="status" class="saved-note">{move || deleted().then_some("Your account has been deleted.")}</p>
            <ActionForm action=sign_in attr:novalidate=true>
                <FormError error=error/>
                <input type="hidden" name="next" prop:value=next value=next/>
                <TextField label="Email" name="email" input_type="email" autocomplete="email" error=error/>
                <TextField label="Password" name="password" input_type="password" autocomplete="current-password" error=error/>
                <Field ids=FieldIds::new("field-remember") label="Keep me signed in on this device" hint="Leave this unticked on a shared computer: you will be signed out when the browser closes." layout=FieldLayout::Beside>
                    <input type="checkbox" id="field-remember" name="remember" value="yes" aria-describedby="field-remember-hint"/>
                </Field>
                <button type="submit" class="button-primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="aside">"Forgot your password, or too many attempts? " <A href="/forgot-password">"Reset your password"</A></p>
            <p class="aside">"New here as a therapist? " <A href="/sign-up">"Create an account"</A></p>
            <p class="aside">"Clients join through the invitation link their therapist sends."</p>
        </section>
        }
    })
}
