//! Where a couple stands in Baby Steps: which of steps 3 to 5 are open (or what comes
//! first), and each partner's progress ("Sam has answered 4 of 6 wishes").

use crate::{api::exchange::ProgressView, domain::baby_steps};
use leptos::prelude::*;

/// The exchange's steps with their pages' names, and the progress sentences.
#[component]
pub fn ProgrammeProgress(
    /// The couple's progress.
    progress: ProgressView,
    /// The heading's id (the list is labelled by it).
    #[prop(into)]
    heading_id: String,
) -> impl IntoView {
    let steps = [
        (baby_steps::WISHES_STEP, "Step 3 – answering wishes"),
        (baby_steps::AGREEMENTS_STEP, "Step 4 – agreements and the weekly check-in"),
        (baby_steps::PACT_STEP, "Step 5 – letting go and the pact"),
    ];
    let sentences = progress.sentences();
    view! {
        <h3 id=heading_id.clone()>"Where the programme stands"</h3>
        <ul aria-labelledby=heading_id class="progress">
            {steps
                .into_iter()
                .map(|(number, label)| {
                    let state = if progress.is_open(number) { "open" } else { "not open yet" };
                    view! { <li>{format!("{label}: {state}")}</li> }
                })
                .collect_view()}
            {sentences.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
        </ul>
    }
}
