//! The table of emails the therapist reads on the case page and in the outbox: to whom,
//! what, and how delivery went; in the outbox, an unsent invitation's link can be opened.

use crate::{
    api::{cases::EmailView, invitations::RevealInvitationLink},
    components::dates::date_time,
    domain::outbox::EmailStatus,
};
use leptos::{either::Either, prelude::*};

/// Emails, newest first. With `reveal`, each unsent invitation gets an "Open invitation
/// link" button that calls it.
#[component]
pub fn EmailTable(
    /// The emails to list.
    emails: Vec<EmailView>,
    /// The action that opens an unsent invitation's link (the outbox only).
    #[prop(optional)]
    reveal: Option<ServerAction<RevealInvitationLink>>,
) -> impl IntoView {
    if emails.is_empty() {
        return Either::Left(view! { <p>"No emails yet."</p> });
    }
    Either::Right(view! {
        <div class="table-scroll" tabindex="0" role="group" aria-label="Emails">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"To"</th>
                        <th scope="col">"Subject"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Queued"</th>
                        {reveal.is_some().then(|| view! { <th scope="col">"Link"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {emails
                        .into_iter()
                        .map(|email| {
                            let status = delivery_status(&email);
                            let link = reveal.map(|reveal| view! { <td>{reveal_button(reveal, &email)}</td> });
                            view! {
                                <tr>
                                    <td>{email.to}</td>
                                    <td>{email.subject}</td>
                                    <td class=format!("delivery delivery-{}", email.status.as_str())>{status}</td>
                                    <td>{date_time(email.created_at)}</td>
                                    {link}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    })
}

/// The "Open invitation link" button of an unsent invitation that has not failed.
fn reveal_button(reveal: ServerAction<RevealInvitationLink>, email: &EmailView) -> Option<impl IntoView> {
    let can_open = email.is_unsent_invitation && email.status != EmailStatus::Failed;
    let label = format!("Open invitation link for {}", email.to);
    let id = email.id;
    can_open.then(|| {
        view! {
            <ActionForm action=reveal attr:class="inline-form">
                <input type="hidden" name="email_id" value=id/>
                <button type="submit" class="button-secondary" aria-label=label>
                    "Open invitation link"
                </button>
            </ActionForm>
        }
    })
}

/// How an email's delivery reads.
fn delivery_status(email: &EmailView) -> String {
    match email.status {
        EmailStatus::Sent => match &email.sent_at {
            Some(at) => format!("Sent {}", date_time(at)),
            None => "Sent".to_owned(),
        },
        EmailStatus::Failed => format!("Not delivered: {}", email.last_error.clone().unwrap_or_default()),
        _ if email.attempts > 0 => {
            format!("Waiting to retry ({})", email.last_error.clone().unwrap_or_else(|| "sending".to_owned()))
        }
        _ => "Waiting to be sent".to_owned(),
    }
}
