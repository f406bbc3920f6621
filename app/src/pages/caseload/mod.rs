//! The therapist's caseload: their couples at a glance.

use crate::{components::guard::RequireRole, domain::Role};
use leptos::prelude::*;
use leptos_meta::Title;

/// The therapist's home page.
#[component]
pub fn CaseloadPage() -> impl IntoView {
    view! {
        <Title text="Caseload"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="caseload-title">
                <h1 id="caseload-title">"Caseload"</h1>
                <div class="empty-state">
                    <h2>"No couples yet"</h2>
                    <p>
                        "Your caseload lists each couple you work with, where they are in their homework "
                        "and what is waiting for your review."
                    </p>
                </div>
            </section>
        </RequireRole>
    }
}
