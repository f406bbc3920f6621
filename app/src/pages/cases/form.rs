//! Creating and editing a case: the couple's name, the confidentiality policy and both
//! partners.

use crate::api::page_data::page_data;

use crate::{
    api::cases::{load_case, CaseView, PartnerView, SaveCase},
    components::{
        form::{action_error, form_action, FormError, SelectField, TextField},
        guard::RequireRole,
    },
    domain::{
        case::{
            same_kind_warning, ConfidentialityPolicy, Seeks, MAX_CASE_LABEL_CHARS, MAX_PARTNER_NAME_CHARS,
            MAX_PRONOUNS_CHARS,
        },
        Role,
    },
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// A new case.
#[component]
pub fn NewCasePage() -> impl IntoView {
    let create = form_action::<SaveCase>();
    let error = action_error(create.value());
    view! {
        <Title text="New case"/>
        <RequireRole role=Role::Therapist>
            <section class="card form-card" aria-labelledby="new-case-title">
                <h1 id="new-case-title">"New case"</h1>
                <ActionForm action=create attr:novalidate=true>
                    <CaseFields existing=None error=error/>
                    <div class="form-actions">
                        <button type="submit" class="button-primary">"Create case"</button>
                        <A href="/caseload">"Cancel"</A>
                    </div>
                </ActionForm>
            </section>
        </RequireRole>
    }
}

/// Editing an existing case.
#[component]
pub fn EditCasePage() -> impl IntoView {
    let params = use_params_map();
    let case_id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let case = page_data(case_id, load_case);
    let update = form_action::<SaveCase>();
    let error = action_error(update.value());
    view! {
        <Title text="Edit case"/>
        <RequireRole role=Role::Therapist>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    case.await.map(|case| {
                        let back = format!("/cases/{}", case.id);
                        view! {
                            <section class="card form-card" aria-labelledby="edit-case-title">
                                <h1 id="edit-case-title">{format!("Edit {}", case.label)}</h1>
                                <ActionForm action=update attr:novalidate=true>
                                    <input type="hidden" name="case_id" value=case.id/>
                                    <CaseFields existing=Some(case) error=error/>
                                    <div class="form-actions">
                                        <button type="submit" class="button-primary">"Save changes"</button>
                                        <A href=back>"Cancel"</A>
                                    </div>
                                </ActionForm>
                            </section>
                        }
                    })
                })}
            </Suspense>
        </RequireRole>
    }
}

/// The fields shared by the new and edit forms.
#[component]
fn CaseFields(existing: Option<CaseView>, error: Signal<Option<AppError>>) -> impl IntoView {
    let policy_options: Vec<(&'static str, &'static str)> =
        ConfidentialityPolicy::ALL.iter().map(|p| (p.as_str(), p.label())).collect();
    let label = existing.as_ref().map(|case| case.label.clone());
    let policy = existing.as_ref().map(|case| case.policy.as_str().to_owned());
    let partner = |index: usize| existing.as_ref().and_then(|case| case.partners.get(index).cloned());
    let same_kind = match (partner(0), partner(1)) {
        (Some(a), Some(b)) => same_kind_warning(a.seeks, b.seeks),
        _ => None,
    };
    view! {
        <FormError error=error/>
        {same_kind.map(|warning| view! { <p class="notice notice-warning" role="status">{warning}</p> })}
        <TextField
            label="Case name"
            name="label"
            hint="How the couple appears in your caseload, for example \"Alex & Sam\"."
            max_length=MAX_CASE_LABEL_CHARS
            value=label
            error=error
        />
        <SelectField
            label="Confidentiality policy"
            name="confidentiality_policy"
            options=policy_options
            selected=policy
            error=error
        />
        <p class="field-hint">"Both partners see this policy, explained, when they join."</p>
        <div class="partner-fieldsets">
            <PartnerFields legend="Partner A" names=PARTNER_A_FIELDS existing=partner(0) error=error/>
            <PartnerFields legend="Partner B" names=PARTNER_B_FIELDS existing=partner(1) error=error/>
        </div>
    }
}

/// Form field names of partner A: first name, last name, email, pronouns, seeks.
const PARTNER_A_FIELDS: [&str; 5] = ["a_first_name", "a_last_name", "a_email", "a_pronouns", "a_seeks"];
/// Form field names of partner B, in the same order.
const PARTNER_B_FIELDS: [&str; 5] = ["b_first_name", "b_last_name", "b_email", "b_pronouns", "b_seeks"];

/// One partner's fields.
#[component]
fn PartnerFields(
    legend: &'static str,
    names: [&'static str; 5],
    existing: Option<PartnerView>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let [first_name, last_name, email, pronouns, seeks] = names;
    let seeks_options: Vec<(&'static str, &'static str)> =
        Seeks::ALL.iter().map(|s| (s.as_str(), s.label())).collect();
    let joined =
        existing.as_ref().is_some_and(|p| p.invitation == crate::domain::case::InvitationState::Joined);
    let value = |f: fn(&PartnerView) -> Option<String>| existing.as_ref().and_then(f);
    view! {
        <fieldset class="partner-fields">
            <legend>{legend}</legend>
            <TextField label="First name" name=first_name max_length=MAX_PARTNER_NAME_CHARS value=value(|p| Some(p.first_name.clone())) error=error/>
            <TextField label="Last name" name=last_name max_length=MAX_PARTNER_NAME_CHARS value=value(|p| p.last_name.clone()) required=false error=error/>
            <TextField
                label="Email"
                name=email
                input_type="email"
                hint=if joined { "This partner has joined; their email is their sign-in." } else { "Their invitation goes here." }
                value=value(|p| Some(p.email.clone()))
                error=error
            />
            <TextField label="Pronouns" name=pronouns max_length=MAX_PRONOUNS_CHARS value=value(|p| p.pronouns.clone()) required=false error=error/>
            <SelectField
                label="Seeks more of"
                name=seeks
                options=seeks_options
                selected=Some(value(|p| Some(p.seeks.as_str().to_owned())).unwrap_or_else(|| "unsure".to_owned()))
                error=error
            />
        </fieldset>
    }
}
