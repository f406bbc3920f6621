//! A client's own pages.

use crate::{
    api::cases::load_client_home,
    components::guard::RequireRole,
    domain::{case::CaseStatus, Role},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// "My homework": the client's home, with their therapist, their partner, and what the
/// therapist has assigned.
#[component]
pub fn MyHomeworkPage() -> impl IntoView {
    view! {
        <Title text="My homework"/>
        <RequireRole role=Role::Client>
            <ClientHome/>
        </RequireRole>
    }
}

#[component]
fn ClientHome() -> impl IntoView {
    let home = Resource::new(|| (), |_| load_client_home());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                home.await.map(|home| view! {
                    <section aria-labelledby="homework-title">
                        <h1 id="homework-title">"My homework"</h1>
                        <p class="lead">
                            {format!("Hello {}. You and {} are working with {}.", home.own_first_name, home.partner_first_name, home.therapist_name)}
                        </p>
                        {(home.status != CaseStatus::Active).then(|| view! {
                            <p class="notice notice-info">{format!("Your therapist has marked your work as {}.", home.status.label().to_lowercase())}</p>
                        })}
                        <div class="empty-state">
                            <h2>"Nothing assigned yet"</h2>
                            <p>{format!("When {} gives you an exercise, it appears here.", home.therapist_name)}</p>
                        </div>
                        <details class="policy">
                            <summary>{format!("Confidentiality: {}", home.policy.label())}</summary>
                            <p>{home.policy.explanation()}</p>
                        </details>
                    </section>
                })
            })}
        </Suspense>
    }
}
