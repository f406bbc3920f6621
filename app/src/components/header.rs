//! The site header: product name, navigation for the signed-in role, and sign out.

use crate::{auth::use_auth, domain::Role};
use leptos::{either::Either, prelude::*};
use leptos_router::components::A;

/// The header shown on every page.
#[component]
pub fn SiteHeader() -> impl IntoView {
    use_auth().map(|auth| {
        view! {
        <header class="site-header">
            <a class="brand" href="/">"Babysteps"</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(user)) => Either::Left(view! {
                            <nav aria-label="Main">
                                <ul>
                                    {match user.role {
                                        Role::Therapist => view! {
                                            <li><A href="/caseload">"Caseload"</A></li>
                                            <li><A href="/exercises">"Exercises"</A></li>
                                            <li><A href="/measures">"Measures"</A></li>
                                            <li><A href="/outbox">"Outbox"</A></li>
                                            <li><A href="/audit">"Records"</A></li>
                                            <li><A href="/settings">"Settings"</A></li>
                                            <li><A href="/account">"Account"</A></li>
                                        }.into_any(),
                                        Role::Client => view! {
                                            <li><A href="/homework">"My homework"</A></li>
                                            <li><A href="/account">"Account"</A></li>
                                        }.into_any(),
                                    }}
                                    <li><A href="/account/second-factor">"Second factor"</A></li>
                                </ul>
                            </nav>
                            <div class="account">
                                <span class="account-name">{user.display_name}</span>
                                <ActionForm action=auth.sign_out attr:class="inline-form">
                                    <button type="submit" class="button-secondary">"Sign out"</button>
                                </ActionForm>
                            </div>
                        }),
                        _ => Either::Right(view! {
                            <nav aria-label="Account">
                                <ul>
                                    <li><A href="/sign-in">"Sign in"</A></li>
                                    <li><A href="/sign-up">"Create a therapist account"</A></li>
                                </ul>
                            </nav>
                        }),
                    }
                })}
            </Transition>
        </header>
        }
    })
}
