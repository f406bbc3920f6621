//! The crisis line and "not monitored around the clock" notice a client sees beside the
//! private note, at the foot of their home and on the join page.

use crate::domain::safety::SafetyInfo;
use leptos::prelude::*;

/// The therapist's crisis line (or the default) and how soon they usually reply.
#[component]
pub fn SafetyNotice(
    /// What the therapist set.
    safety: SafetyInfo,
) -> impl IntoView {
    view! {
        <aside class="safety-notice" aria-label="If you need help now">
            <p><strong>{safety.crisis_text().to_owned()}</strong></p>
            <p>{safety.availability()}</p>
        </aside>
    }
}
