//! The start page: a short welcome for visitors; signed-in people go to their own home.

use crate::auth::use_auth;
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};

/// The start page.
#[component]
pub fn HomePage() -> impl IntoView {
    use_auth().map(|auth| {
        view! {
        <Title text=""/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) => Either::Left(view! { <Redirect path=user.role.home_path()/> }),
                    _ => Either::Right(view! {
                        <section class="welcome" aria-labelledby="welcome-title">
                            <h1 id="welcome-title">"Homework for couples, one small step at a time"</h1>
                            <p>
                                "Babysteps helps couples therapists give structured homework between sessions. "
                                "Each partner writes privately; nothing is shown to the other partner until they choose to share."
                            </p>
                            <p class="actions">
                                <A href="/sign-in" attr:class="button-primary">"Sign in"</A>
                                <A href="/sign-up" attr:class="button-secondary">"Create a therapist account"</A>
                            </p>
                        </section>
                    }),
                }
            })}
        </Suspense>
        }
    })
}
