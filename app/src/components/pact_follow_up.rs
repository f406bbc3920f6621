//! Step 5 on the therapist's case page: each partner's request for one more guided
//! conversation, which the therapist marks as held with its date (a partner cannot confirm
//! the pact while their own request is open), and the date to revisit the pact, on which
//! both partners get a check-in reminder. Forms work without JavaScript.

use crate::domain::date_text;
use crate::{
    api::exchange::{MarkConversationHeld, PactView, SetPactRevisit},
    components::form::{action_error, form_action, Field, FieldIds},
};
use leptos::prelude::*;

/// The actions of the step 5 follow-up, whose completion reloads the case page.
#[derive(Clone, Copy)]
pub struct PactActions {
    /// Marks a request for one more conversation as held.
    pub held: ServerAction<MarkConversationHeld>,
    /// Sets or clears the date to revisit the pact.
    pub revisit: ServerAction<SetPactRevisit>,
}

impl Default for PactActions {
    fn default() -> Self {
        PactActions { held: form_action(), revisit: form_action() }
    }
}

impl PactActions {
    /// Changes whenever one of the actions completes (a key for the page's resource).
    pub fn version(&self) -> usize {
        self.held.version().get() + self.revisit.version().get()
    }
}

/// The requests for one more conversation and the revisit date of a case's pact.
#[component]
pub fn PactFollowUp(
    /// The case.
    case_id: i32,
    /// Its step 5 as the therapist sees it.
    pact: PactView,
    /// The forms' actions.
    actions: PactActions,
) -> impl IntoView {
    let held_error = action_error(actions.held.value());
    let revisit_error =
        Signal::derive(move || action_error(actions.revisit.value()).get().map(|e| e.to_string()));
    let requests = pact
        .entries
        .into_iter()
        .map(|entry| {
            let name = entry.partner.clone();
            let held = entry.conversation_held_on.map(|on| {
                view! { <p>{format!("{name}'s extra conversation was held on {}.", date_text::long_date(&on))}</p> }
            });
            let open = entry.wants_conversation.then(|| {
                let id = format!("held-on-{}", entry.partner_id);
                view! {
                    <div class="notice notice-warning" role="status">
                        <p>{format!("{name} asked for one more guided conversation before confirming the pact. They can confirm once you mark it as held.")}</p>
                        <ActionForm action=actions.held attr:class="inline-form">
                            <input type="hidden" name="case_id" value=case_id/>
                            <input type="hidden" name="partner_id" value=entry.partner_id/>
                            <Field ids=FieldIds::new(id.clone()) label=format!("Day {name}'s conversation was held")>
                                <input id=id type="date" name="held_on" required/>
                            </Field>
                            <button type="submit" class="button-secondary">"Mark as held"</button>
                        </ActionForm>
                        <p class="field-error" role="alert" hidden=move || held_error.get().is_none()>
                            {move || held_error.get().map(|e| e.to_string())}
                        </p>
                    </div>
                }
            });
            view! { {held} {open} }
        })
        .collect_view();
    let revisit = pact.revisit_on.map(|on| date_text::field_date(&on)).unwrap_or_default();
    let revisit_text = match pact.revisit_on {
        Some(on) => format!("Both partners get a check-in reminder on {}.", date_text::long_date(&on)),
        None => "No date set. On the date you set, both partners get a check-in reminder.".to_owned(),
    };
    view! {
        <div class="pact-follow-up">
            {requests}
            <ActionForm action=actions.revisit attr:class="form-card">
                <input type="hidden" name="case_id" value=case_id/>
                <Field ids=FieldIds::new("pact-revisit-on") label="Revisit the pact on" hint=revisit_text error=revisit_error>
                    <input id="pact-revisit-on" type="date" name="revisit_on" value=revisit aria-describedby="pact-revisit-on-hint"/>
                </Field>
                <p class="aside">"Leave the date empty and save to clear it."</p>
                <button type="submit" class="button-secondary">"Save the revisit date"</button>
            </ActionForm>
        </div>
    }
}
