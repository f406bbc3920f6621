//! The therapist's outbox: every email of their cases and how its delivery went. Without a
//! mail server, invitations wait here and the therapist can open each link themselves.

use crate::{
    api::invitations::{load_outbox, RevealInvitationLink},
    components::{
        dates::date_time,
        form::{action_error, FormError},
        guard::RequireRole,
    },
    domain::Role,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// The outbox page.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let reveal = ServerAction::<RevealInvitationLink>::new();
    let outbox = Resource::new(move || reveal.version().get(), |_| load_outbox());
    let reveal_error = action_error(reveal.value());
    let revealed = move || reveal.value().get().and_then(Result::ok);
    view! {
        <Title text="Outbox"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="outbox-title">
                <h1 id="outbox-title">"Outbox"</h1>
                <FormError error=reveal_error/>
                {move || revealed().map(|link| view! {
                    <div class="notice notice-info" role="status">
                        <label for="revealed-link">"Invitation link (works once, for 7 days)"</label>
                        <input id="revealed-link" class="copy-field" readonly value=link.clone()/>
                        <p><a href=link>"Open the link"</a>" — or copy it and send it to the partner yourself."</p>
                    </div>
                })}
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        outbox.await.map(|view| {
                            let notice = (!view.smtp_configured).then(|| view! {
                                <p class="notice notice-info">
                                    "No mail server is set up (SMTP_HOST), so emails wait here unsent. "
                                    "For an invitation, open its link and pass it on to the partner yourself. "
                                    "Opening a link makes a new one; any earlier link for it stops working."
                                </p>
                            });
                            let rows = if view.emails.is_empty() {
                                Either::Left(view! { <p>"No emails yet."</p> })
                            } else {
                                Either::Right(view! {
                                    <div class="table-scroll">
                                        <table>
                                            <thead>
                                                <tr>
                                                    <th scope="col">"To"</th>
                                                    <th scope="col">"Subject"</th>
                                                    <th scope="col">"Status"</th>
                                                    <th scope="col">"Queued"</th>
                                                    <th scope="col">"Link"</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {view.emails.into_iter().map(|email| {
                                                    let can_open = email.is_unsent_invitation && email.status != "failed";
                                                    let to = email.to.clone();
                                                    view! {
                                                        <tr>
                                                            <td>{email.to}</td>
                                                            <td>{email.subject}</td>
                                                            <td>{email.status}</td>
                                                            <td>{date_time(email.created_at)}</td>
                                                            <td>
                                                                {can_open.then(|| view! {
                                                                    <ActionForm action=reveal attr:class="inline-form">
                                                                        <input type="hidden" name="email_id" value=email.id/>
                                                                        <button type="submit" class="button-secondary" aria-label=format!("Open invitation link for {to}")>
                                                                            "Open invitation link"
                                                                        </button>
                                                                    </ActionForm>
                                                                })}
                                                            </td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                })
                            };
                            view! { {notice} {rows} }
                        })
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}
