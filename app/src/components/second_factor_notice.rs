//! The banner a therapist sees on every page while their account requires a second
//! factor and none is set up yet.

use crate::{auth::use_auth, domain::Role};
use leptos::prelude::*;

/// "Set up a second factor now", shown above the page while it is missing.
#[component]
pub fn SecondFactorNotice() -> impl IntoView {
    use_auth().map(|auth| {
        view! {
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let missing = matches!(
                        auth.user.await,
                        Ok(Some(user)) if user.role == Role::Therapist && user.second_factor_missing
                    );
                    missing.then(|| view! {
                        <aside class="notice notice-warning second-factor-notice" aria-label="Second factor">
                            <p>
                                <strong>"Protect your clients' records with a second factor."</strong>
                                " Your account requires a code from an authenticator app at sign-in, and none is set up yet. "
                                <a href="/account/second-factor">"Set up now"</a>
                            </p>
                        </aside>
                    })
                })}
            </Transition>
        }
    })
}
