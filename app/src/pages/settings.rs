//! `/settings`: the signed-in therapist's time zone, which due dates and "overdue" follow.

use crate::{
    api::settings::{load_settings, SaveTimeZone},
    components::{
        form::{action_error, FormError, TextField},
        guard::RequireRole,
    },
    domain::Role,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveTimeZone>::new();
    let settings = Resource::new(move || save.version().get(), |_| load_settings());
    let error = action_error(save.value());
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <Title text="Settings"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="settings-title" class="form-card">
                <h1 id="settings-title">"Settings"</h1>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        settings.await.map(|settings| view! {
                            <p class="aside">{format!("Signed in as {} ({}).", settings.display_name, settings.email)}</p>
                            <ActionForm action=save>
                                <TextField
                                    label="Time zone"
                                    name="time_zone"
                                    hint="For example Europe/London or America/New_York. Due dates and overdue homework follow this time zone."
                                    max_length=64
                                    value=Some(settings.time_zone)
                                    error=error
                                />
                                <FormError error=error/>
                                <div class="form-actions">
                                    <button type="submit" class="button-primary">"Save settings"</button>
                                    <span role="status" class="saved-note">{move || saved().then_some("Settings saved.")}</span>
                                </div>
                            </ActionForm>
                        })
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}
