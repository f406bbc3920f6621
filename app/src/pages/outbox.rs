//! The therapist's outbox: every email of their cases and how its delivery went. Without a
//! mail server, invitations wait here and the therapist can open each link themselves.

use crate::api::page_data::page_data;

use crate::{
    api::invitations::{load_outbox, RevealInvitationLink},
    components::{
        email_table::EmailTable,
        form::{action_error, form_action, Field, FieldIds, FormError},
        guard::RequireRole,
    },
    domain::Role,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The outbox page.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let reveal = form_action::<RevealInvitationLink>();
    let outbox = page_data(move || reveal.version().get(), |_| load_outbox());
    let reveal_error = action_error(reveal.value());
    let revealed = move || reveal.value().get().and_then(Result::ok);
    view! {
        <Title text="Outbox"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="outbox-title">
                <h1 id="outbox-title">"Outbox"</h1>
                <FormError error=reveal_error/>
                {move || revealed().map(|link| { let copy = link.clone(); view! {
                    <div class="notice notice-info" role="status">
                        <Field ids=FieldIds::new("revealed-link") label="Invitation link (works once, for 7 days)" class="copy">
                            <input id="revealed-link" class="copy-field" readonly value=copy/>
                        </Field>
                        <p><a href=link>"Open the link"</a>" — or copy it and send it to the partner yourself."</p>
                    </div>
                }})}
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
                            view! { {notice} <EmailTable emails=view.emails reveal=reveal/> }
                        })
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}
