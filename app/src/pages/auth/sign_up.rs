//! Creating a therapist account (when sign-up is open; otherwise the page says it is by
//! invitation).

use crate::api::page_data::page_data;

use crate::{
    api::auth::{sign_up_open, SignUp},
    components::form::{action_error, form_action, FormError, TextField},
    domain::{MAX_NAME_CHARS, MAX_PASSWORD_CHARS},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::components::A;

/// Name, email and password for a new therapist; the confirmation arrives by email.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let open = page_data(|| (), |()| sign_up_open());
    let sign_up = form_action::<SignUp>();
    let error = action_error(sign_up.value());
    let pending = sign_up.pending();
    view! {
        <Title text="Create a therapist account"/>
        <section class="card auth-card" aria-labelledby="sign-up-title">
            <h1 id="sign-up-title">"Create a therapist account"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    open.await.map(|open| if open {
                        Either::Left(view! {
                            <ActionForm action=sign_up attr:novalidate=true>
                                <FormError error=error/>
                                <TextField label="Your name" name="display_name" autocomplete="name" hint="Shown to your clients." max_length=MAX_NAME_CHARS error=error/>
                                <TextField label="Email" name="email" input_type="email" autocomplete="email" hint="We send a link to confirm it." error=error/>
                                <TextField label="Password" name="password" input_type="password" autocomplete="new-password" hint=super::PASSWORD_HINT max_length=MAX_PASSWORD_CHARS error=error/>
                                <button type="submit" class="button-primary" disabled=move || pending.get()>
                                    {move || if pending.get() { "Creating your account…" } else { "Create account" }}
                                </button>
                            </ActionForm>
                        })
                    } else {
                        Either::Right(view! {
                            <p>"Sign-up is by invitation on this Babysteps. Ask its operator for an invitation; it arrives by email with a link to set up your account."</p>
                        })
                    })
                })}
            </Suspense>
            <p class="aside">"Already have an account? " <A href="/sign-in">"Sign in"</A></p>
        </section>
    }
}
