//! The sample practice on the therapist's pages: the "Sample couples" box on the caseload
//! (add them, or remove them in one click) and the "Sample" notice on a sample case's page
//! with its "View as" links.

use crate::{
    api::{
        cases::CaseView,
        sample::{AddSampleCouples, RemoveSampleCouples},
    },
    components::form::FormError,
};
use leptos::{either::Either, prelude::*};
use leptos_router::components::A;

/// The two sample actions; their completion reloads the caseload.
#[derive(Clone, Copy)]
pub struct SampleActions {
    /// "Add sample couples".
    pub add: ServerAction<AddSampleCouples>,
    /// "Remove sample couples".
    pub remove: ServerAction<RemoveSampleCouples>,
}

impl SampleActions {
    /// New actions (errors shown like every form's).
    pub fn new() -> Self {
        Self { add: crate::components::form::form_action(), remove: crate::components::form::form_action() }
    }

    /// Changes whenever either action completes.
    pub fn version(&self) -> usize {
        self.add.version().get() + self.remove.version().get()
    }
}

impl Default for SampleActions {
    fn default() -> Self {
        Self::new()
    }
}

/// The "Add sample couples" form, with what it does.
pub fn add_samples_form(actions: SampleActions) -> impl IntoView {
    let error = crate::components::form::action_error(actions.add.value());
    view! {
        <ActionForm action=actions.add attr:class="inline-form">
            <button type="submit" class="button-secondary">"Add sample couples"</button>
        </ActionForm>
        <FormError error/>
    }
}

/// The "Sample couples" box: add the three fictional couples, or remove them.
pub fn sample_couples_box(sample_cases: u64, actions: SampleActions) -> impl IntoView {
    let error = crate::components::form::action_error(actions.remove.value());
    view! {
        <section class="card sample-box" aria-labelledby="sample-box-title">
            <h2 id="sample-box-title">"Sample couples"</h2>
            {if sample_cases == 0 {
                Either::Left(view! {
                    <p>"Three fictional couples at different points of Baby Steps, to explore the app. They are never emailed, and you can remove them in one click."</p>
                    {add_samples_form(actions)}
                })
            } else {
                Either::Right(view! {
                    <p>"Your caseload shows the fictional sample couples (marked “Sample”). Removing them deletes everything about them."</p>
                    <ActionForm action=actions.remove attr:class="inline-form">
                        <button type="submit" class="button-secondary">"Remove sample couples"</button>
                    </ActionForm>
                    <FormError error/>
                })
            }}
        </section>
    }
}

/// On a sample case's page: the "Sample" badge, what it means, and "View as" each partner.
pub fn sample_notice(case: &CaseView) -> Option<impl IntoView + use<>> {
    if !case.is_sample {
        return None;
    }
    let case_id = case.id;
    let links = case
        .partners
        .iter()
        .map(|partner| {
            let href = format!("/cases/{case_id}/view-as/{}", partner.id);
            view! { <li><A href=href>{format!("View as {}", partner.first_name)}</A></li> }
        })
        .collect_view();
    Some(view! {
        <section class="notice notice-info sample-notice" aria-labelledby="sample-notice-title">
            <h2 id="sample-notice-title"><span class="badge badge-sample">"Sample"</span>" A fictional couple"</h2>
            <p>"Nothing about this couple is ever emailed. See their pages as each partner would, read-only:"</p>
            <ul class="inline-list">{links}</ul>
        </section>
    })
}
