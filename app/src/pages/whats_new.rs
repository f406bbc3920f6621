//! What's new: what happened across the therapist's cases since they last marked it done,
//! newest first. Each item links to its place and can be marked done; so can all of them.

use crate::{
    api::{
        page_data::page_data,
        whats_new::{load_whats_new, MarkAllWhatsNewDone, MarkWhatsNewDone, WhatsNewItemView},
    },
    components::{
        dates::date_time,
        form::{action_error, form_action, FormError},
        guard::RequireRole,
    },
    domain::Role,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The "What's new" page.
#[component]
pub fn WhatsNewPage() -> impl IntoView {
    let done = form_action::<MarkWhatsNewDone>();
    let all_done = form_action::<MarkAllWhatsNewDone>();
    let list = page_data(move || (done.version().get(), all_done.version().get()), |_| load_whats_new());
    let done_error = action_error(done.value());
    let all_error = action_error(all_done.value());
    view! {
        <Title text="What's new"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="whats-new-title">
                <h1 id="whats-new-title">"What's new"</h1>
                <p>"What happened across your cases since you last marked it done, newest first. Times are in your time zone (Settings)."</p>
                <FormError error=done_error/>
                <FormError error=all_error/>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        list.await.map(|view| {
                            if view.items.is_empty() {
                                return view! { <p>"Nothing new. You are up to date."</p> }.into_any();
                            }
                            view! {
                                <ActionForm action=all_done>
                                    <button type="submit" class="button-secondary">"Mark all done"</button>
                                </ActionForm>
                                <ul class="whats-new">
                                    {view.items.into_iter().map(|item| item_view(item, done)).collect_view()}
                                </ul>
                            }
                            .into_any()
                        })
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}

/// One item: when, the case, what happened (a link to its place) and "Done".
fn item_view(item: WhatsNewItemView, done: ServerAction<MarkWhatsNewDone>) -> impl IntoView {
    let label = format!("Mark done: {} ({})", item.text, item.case_label);
    view! {
        <li>
            <span class="aside">{format!("{} · {}", date_time(&item.at), item.case_label)}</span>" "
            <a href=item.link>{item.text}</a>
            <ActionForm action=done attr:class="inline-form">
                <input type="hidden" name="kind" value=item.kind.as_str()/>
                <input type="hidden" name="record_id" value=item.record_id/>
                <input type="hidden" name="version" value=item.version/>
                <button type="submit" class="button-secondary" aria-label=label>"Done"</button>
            </ActionForm>
        </li>
    }
}
