//! The follow-up composer on the case page: to one or both partners, from the built-in
//! consultation follow-up or the therapist's own template, with placeholders, a live
//! preview (which warns when the subject or the start of the message would tell an inbox
//! of treatment), up to three proposed consultation times, and sending now or later.

use crate::{
    api::messages::{save_message_template, send_follow_up, ComposeView},
    components::form::{Field, FieldIds},
    domain::follow_up::{self, PLACEHOLDERS},
};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The composer for one case.
#[component]
pub fn FollowUpComposer(
    /// The case.
    case_id: i32,
    /// Its starting point.
    compose: ComposeView,
) -> impl IntoView {
    let templates = StoredValue::new(compose.templates.clone());
    let first = compose.templates.first().cloned();
    let subject = RwSignal::new(first.as_ref().map(|t| t.subject.clone()).unwrap_or_default());
    let body = RwSignal::new(first.as_ref().map(|t| t.body.clone()).unwrap_or_default());
    let recipients = RwSignal::new("both".to_owned());
    let progress = RwSignal::new(compose.progress_summary.clone());
    let send_at = RwSignal::new(String::new());
    let times = [RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new())];
    let template_name = RwSignal::new(String::new());
    // The therapist's own template being used, if any (the built-in one cannot be edited).
    let editing = RwSignal::new(None::<(i32, String)>);
    let partners = compose.partners.clone();
    let (therapist, practice, booking) =
        (compose.therapist_name.clone(), compose.practice_name.clone(), compose.booking_url.clone());
    let preview_name = {
        let partners = partners.clone();
        Signal::derive(move || match recipients.get().as_str() {
            "b" => partners.get(1).cloned().unwrap_or_default(),
            _ => partners.first().cloned().unwrap_or_default(),
        })
    };
    let rendered = move |text: String| {
        let values = BTreeMap::from([
            ("first_name", preview_name.get()),
            ("therapist_name", therapist.clone()),
            ("practice_name", practice.clone()),
            ("progress_summary", progress.get()),
            ("booking_link", booking.clone()),
        ]);
        follow_up::render(&text, &values)
    };
    let rendered_subject = {
        let rendered = rendered.clone();
        move || rendered(subject.get())
    };
    let rendered_body = move || rendered(body.get());
    let send = Action::new_local(move |_: &()| {
        let proposed: Vec<String> =
            times.iter().map(|t| t.get_untracked()).filter(|t| !t.is_empty()).collect();
        send_follow_up(
            case_id,
            recipients.get_untracked(),
            subject.get_untracked(),
            body.get_untracked(),
            progress.get_untracked(),
            send_at.get_untracked(),
            proposed,
        )
    });
    // Saves a new template (`None`) or the one being edited (`Some`).
    let save_template = Action::new_local(move |target: &Option<(i32, String)>| {
        let (id, name) = match target {
            Some((id, name)) => (Some(*id), name.clone()),
            None => (None, template_name.get_untracked()),
        };
        save_message_template(id, name, subject.get_untracked(), body.get_untracked())
    });
    let send_result = move || match send.value().get() {
        Some(Ok(n)) => Some(Ok(if send_at.get_untracked().is_empty() {
            format!(
                "Queued {n} email{} to send now. You can follow delivery under Emails.",
                if n == 1 { "" } else { "s" }
            )
        } else {
            format!("Scheduled {n} email{}.", if n == 1 { "" } else { "s" })
        })),
        Some(Err(error)) => Some(Err(error)),
        None => None,
    };
    let field_error = move |field: &'static str| {
        Signal::derive(move || match send.value().get() {
            Some(Err(error)) => error.message_for(field),
            _ => None,
        })
    };
    let template_result = move || match save_template.value().get() {
        Some(Ok(_)) => Some("Template saved. It is in the list the next time you open this page.".to_owned()),
        Some(Err(error)) => Some(error.to_string()),
        None => None,
    };
    let known =
        PLACEHOLDERS.iter().map(|(name, what)| format!("{{{name}}} ({what})")).collect::<Vec<_>>().join(", ");
    view! {
        <form class="composer" aria-label="Follow-up email" on:submit=move |ev| { ev.prevent_default(); send.dispatch(()); }>
            <Field ids=FieldIds::new("follow-up-template") label="Start from">
                <select id="follow-up-template" on:change=move |ev| {
                    let index: usize = event_target_value(&ev).parse().unwrap_or(0);
                    if let Some(template) = templates.with_value(|t| t.get(index).cloned()) {
                        subject.set(template.subject);
                        body.set(template.body);
                        editing.set(template.id.map(|id| (id, template.name)));
                    }
                }>
                    {compose.templates.iter().enumerate().map(|(i, t)| view! { <option value=i.to_string()>{t.name.clone()}</option> }).collect_view()}
                </select>
            </Field>
            <Field ids=FieldIds::new("follow-up-to") label="To">
                <select id="follow-up-to" on:change=move |ev| recipients.set(event_target_value(&ev))>
                    <option value="both">"Both partners"</option>
                    {partners.iter().zip(["a", "b"]).map(|(name, value)| view! { <option value=value>{format!("{name} only")}</option> }).collect_view()}
                </select>
            </Field>
            <Field ids=FieldIds::new("follow-up-subject") label="Subject" hint="Anyone who sees the inbox reads the subject: keep it neutral." error=field_error("subject")>
                <input id="follow-up-subject" type="text" maxlength="200" aria-describedby="follow-up-subject-hint follow-up-subject-error" prop:value=move || subject.get() on:input=move |ev| subject.set(event_target_value(&ev))/>
            </Field>
            <Field ids=FieldIds::new("follow-up-body") label="Message" hint="No clinical details in email. The inbox shows the start of the message too." error=field_error("body")>
                <p class="field-hint" id="follow-up-body-placeholders">{format!("Placeholders: {known}.")}</p>
                <textarea id="follow-up-body" rows="10" maxlength="10000" aria-describedby="follow-up-body-hint follow-up-body-placeholders follow-up-body-error" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            </Field>
            <Field ids=FieldIds::new("follow-up-progress") label="Progress sentence ({progress_summary})" hint="Neutral by default; change it if you like. No clinical details in email.">
                <input id="follow-up-progress" type="text" maxlength="300" aria-describedby="follow-up-progress-hint" prop:value=move || progress.get() on:input=move |ev| progress.set(event_target_value(&ev))/>
            </Field>
            <fieldset>
                <legend>{format!("Propose consultation times (optional, up to three, {})", compose.time_zone)}</legend>
                {times.iter().enumerate().map(|(i, time)| {
                    let time = *time;
                    let id = format!("follow-up-time-{}", i + 1);
                    view! {
                        <Field ids=FieldIds::new(id.clone()) label={format!("Time {}", i + 1)}>
                            <input id=id type="datetime-local" on:input=move |ev| time.set(event_target_value(&ev))/>
                        </Field>
                    }
                }).collect_view()}
                <p class="field-error" role="alert" hidden=move || field_error("times").get().is_none()>{field_error("times")}</p>
            </fieldset>
            <Field ids=FieldIds::new("follow-up-send-at") label={format!("Send at (optional, {}; empty sends now)", compose.time_zone)} error=field_error("send_at")>
                <input id="follow-up-send-at" type="datetime-local" aria-describedby="follow-up-send-at-error" on:input=move |ev| send_at.set(event_target_value(&ev))/>
            </Field>
            <section class="card preview" aria-label="Preview">
                <h3>{move || format!("Preview for {}", preview_name.get())}</h3>
                {move || match (rendered_subject(), rendered_body()) {
                    (Ok(subject), Ok(body)) => {
                        let warning = follow_up::inbox_warning(&subject, &body).map(|(_, message)| message);
                        view! {
                            <p class="field-error" role="status" hidden=warning.is_none()>{warning.clone()}</p>
                            <p><strong>"Subject: "</strong>{subject}</p>
                            <p class="preserve-lines">{body}</p>
                        }.into_any()
                    }
                    (Err(unknown), _) | (_, Err(unknown)) => view! {
                        <p class="field-error" role="alert">{follow_up::unknown_message(&unknown)}</p>
                    }.into_any(),
                }}
            </section>
            <div class="form-actions">
                <button type="submit" class="button-primary" disabled=move || send.pending().get()>"Send follow-up"</button>
                <span role="status" class="saved-note">
                    {move || match send_result() {
                        Some(Ok(text)) => Some(text),
                        Some(Err(error)) if !error.is_field_error() => Some(error.to_string()),
                        _ => None,
                    }}
                </span>
            </div>
            <details>
                <summary>"Save this as a template"</summary>
                <Field ids=FieldIds::new("follow-up-template-name") label="Template name">
                    <input id="follow-up-template-name" type="text" maxlength="120" on:input=move |ev| template_name.set(event_target_value(&ev))/>
                </Field>
                <button type="button" class="button-secondary" on:click=move |_| { save_template.dispatch(None); }>"Save template"</button>
                <p role="status">{template_result}</p>
            </details>
            {move || editing.get().map(|(id, name)| view! {
                <button type="button" class="button-secondary" on:click=move |_| { save_template.dispatch(Some((id, name.clone()))); }>
                    "Save changes to this template"
                </button>
            })}
        </form>
    }
}
