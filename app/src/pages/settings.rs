//! `/settings`: the therapist's name, practice, signature, time zone, booking link and
//! email preferences.

use crate::{
    api::settings::{load_settings, SaveSettings, SettingsView},
    components::{
        form::{action_error, FormError, TextArea, TextField},
        guard::RequireRole,
    },
    domain::{outbox::Digest, Role},
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| load_settings());
    view! {
        <Title text="Settings"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="settings-title" class="form-card">
                <h1 id="settings-title">"Settings"</h1>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move { settings.await.map(|s| settings_form(s, save)) })}
                </Transition>
            </section>
        </RequireRole>
    }
}

fn settings_form(settings: SettingsView, save: ServerAction<SaveSettings>) -> impl IntoView {
    let error: Signal<Option<AppError>> = action_error(save.value());
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <p class="aside">{format!("Signed in as {}.", settings.email)}</p>
        <ActionForm action=save>
            <TextField label="Your name" name="display_name" hint="Shown to clients and in emails." max_length=100 value=Some(settings.display_name) error=error/>
            <TextField label="Practice name" name="practice_name" required=false max_length=120 value=Some(settings.practice_name) error=error/>
            <TextArea label="Signature (optional)" name="signature" hint="Added under your follow-up emails." max_length=1000 value=settings.signature rows=3 error=error/>
            <TextField
                label="Time zone"
                name="time_zone"
                hint="For example Europe/London or America/New_York. Due dates, reminders and quiet hours (21:00–08:00) follow this time zone, for you and your clients."
                max_length=64
                value=Some(settings.time_zone)
                error=error
            />
            <TextField label="Booking link" name="booking_url" required=false hint="Where clients book a consultation; fills {booking_link} in follow-ups." max_length=300 value=Some(settings.booking_url) error=error/>
            <fieldset class="choices">
                <legend>"When a client submits homework"</legend>
                <div class="choice">
                    <input type="radio" id="digest-immediate" name="digest" value="immediate" checked=settings.digest == Digest::Immediate/>
                    <label for="digest-immediate">"Email me at once"</label>
                </div>
                <div class="choice">
                    <input type="radio" id="digest-daily" name="digest" value="daily" checked=settings.digest == Digest::Daily/>
                    <label for="digest-daily">"Send me one daily digest"</label>
                </div>
            </fieldset>
            <div class="checkbox-field">
                <input type="checkbox" id="settings-reminders" name="reminders" value="on" checked=settings.reminders/>
                <label for="settings-reminders">"Send my clients automatic reminders (new homework, due tomorrow, overdue, weekly check-in)"</label>
            </div>
            <FormError error=error/>
            <div class="form-actions">
                <button type="submit" class="button-primary">"Save settings"</button>
                <span role="status" class="saved-note">{move || saved().then_some("Settings saved.")}</span>
            </div>
        </ActionForm>
    }
}
