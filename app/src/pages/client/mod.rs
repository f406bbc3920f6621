//! A client's own pages.

use crate::{components::guard::RequireRole, domain::Role};
use leptos::prelude::*;
use leptos_meta::Title;

/// "My homework": what the therapist has assigned to this client.
#[component]
pub fn MyHomeworkPage() -> impl IntoView {
    view! {
        <Title text="My homework"/>
        <RequireRole role=Role::Client>
            <section aria-labelledby="homework-title">
                <h1 id="homework-title">"My homework"</h1>
                <div class="empty-state">
                    <h2>"Nothing assigned yet"</h2>
                    <p>"When your therapist gives you an exercise it appears here."</p>
                </div>
            </section>
        </RequireRole>
    }
}
