//! `/settings`: the therapist's name, practice, signature, time zone, booking link, email
//! preferences, and what clients are told beside the private note (crisis line, usual
//! reply time), how long closed cases are kept, and deleting the account.

use crate::api::page_data::page_data;

use crate::{
    api::{
        account::DeleteAccount,
        settings::{load_settings, SaveRetention, SaveSettings, SettingsView},
    },
    components::{
        form::{
            action_error, form_action, Field, FieldIds, FieldLayout, FormError, SelectField, TextArea,
            TextField,
        },
        guard::RequireRole,
    },
    domain::{outbox::Digest, retention::RetentionYears, safety::MAX_CRISIS_LINE_CHARS, Role},
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The choices for "I usually reply within": not said, or 1 to 14 days.
const REPLY_DAY_OPTIONS: [(&str, &str); 15] = [
    ("", "Not said"),
    ("1", "1 day"),
    ("2", "2 days"),
    ("3", "3 days"),
    ("4", "4 days"),
    ("5", "5 days"),
    ("6", "6 days"),
    ("7", "7 days"),
    ("8", "8 days"),
    ("9", "9 days"),
    ("10", "10 days"),
    ("11", "11 days"),
    ("12", "12 days"),
    ("13", "13 days"),
    ("14", "14 days"),
];

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = form_action::<SaveSettings>();
    let retention = form_action::<SaveRetention>();
    let delete = form_action::<DeleteAccount>();
    let settings = page_data(move || (save.version().get(), retention.version().get()), |_| load_settings());
    view! {
        <Title text="Settings"/>
        <RequireRole role=Role::Therapist>
            <section aria-labelledby="settings-title" class="form-card">
                <h1 id="settings-title">"Settings"</h1>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move { settings.await.map(|s| {
                        let years = s.retention_years;
                        view! { {settings_form(s, save)} {retention_form(years, retention)} {delete_form(delete)} }
                    }) })}
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
                hint="For example Europe/London or America/Chicago. Every time you enter or read (proposed times, “send at”, the timeline, emails, records) is in this time zone, and clients see times in it, labelled. Due dates, reminders and quiet hours (21:00–08:00) follow it too."
                max_length=64
                value=Some(settings.time_zone)
                error=error
            />
            <TextField label="Booking link" name="booking_url" required=false hint="Where clients book a consultation; fills {booking_link} in follow-ups." max_length=300 value=Some(settings.booking_url) error=error/>
            <fieldset class="choices">
                <legend>"When a client submits homework"</legend>
                <Field ids=FieldIds::new("digest-immediate") label="Email me at once" layout=FieldLayout::Beside class="choice">
                    <input type="radio" id="digest-immediate" name="digest" value="immediate" checked=settings.digest == Digest::Immediate/>
                </Field>
                <Field ids=FieldIds::new("digest-daily") label="Send me one daily digest" layout=FieldLayout::Beside class="choice">
                    <input type="radio" id="digest-daily" name="digest" value="daily" checked=settings.digest == Digest::Daily/>
                </Field>
            </fieldset>
            <Field ids=FieldIds::new("settings-reminders") label="Send my clients automatic reminders (new homework, due tomorrow, overdue, weekly check-in)" layout=FieldLayout::Beside>
                <input type="checkbox" id="settings-reminders" name="reminders" value="on" checked=settings.reminders/>
            </Field>
            <fieldset class="choices">
                <legend>"Beside the private note"</legend>
                <p class="field-hint">
                    "Clients see this on their private note page, at the foot of their home page and when they join. \
                     The private note is not an emergency service."
                </p>
                <TextField
                    label="Crisis line"
                    name="crisis_line"
                    required=false
                    hint="One line, for example: In an emergency call 112 (EU) or 988 (US). Left empty, clients read: If you are in danger, call your local emergency number."
                    max_length=MAX_CRISIS_LINE_CHARS
                    value=Some(settings.crisis_line)
                    error=error
                />
                <SelectField
                    label="I usually reply to private notes within"
                    name="reply_within_days"
                    options=REPLY_DAY_OPTIONS.to_vec()
                    selected=Some(settings.reply_within_days.map(|d| d.to_string()).unwrap_or_default())
                    error=error
                />
            </fieldset>
            <FormError error=error/>
            <div class="form-actions">
                <button type="submit" class="button-primary">"Save settings"</button>
                <span role="status" class="saved-note">{move || saved().then_some("Settings saved.")}</span>
            </div>
        </ActionForm>
    }
}

/// "Delete my account": the password and a confirming tick; the service refuses while a
/// case is open or a closed case's record was not downloaded, and says which.
fn delete_form(delete: ServerAction<DeleteAccount>) -> impl IntoView {
    let error: Signal<Option<AppError>> = action_error(delete.value());
    view! {
        <h2 id="delete-account-title">"Delete your account"</h2>
        <p class="aside">"Possible once every case is closed and you have downloaded each closed case's record (or erased the case). Deleting erases every closed case's content and signs you out everywhere; the audit trail keeps a note of what was erased. It cannot be undone."</p>
        <ActionForm action=delete attr:novalidate=true attr:aria-labelledby="delete-account-title">
            <FormError error=error/>
            <TextField label="Current password" name="current_password" input_type="password" autocomplete="current-password" error=error/>
            <Field ids=FieldIds::new("field-confirm") label="I understand that my account and my closed cases' content will be deleted" layout=FieldLayout::Beside>
                <input type="checkbox" id="field-confirm" name="confirm" value="yes"/>
            </Field>
            <p class="field-error" role="alert" hidden=move || error.get().and_then(|e| e.message_for("confirm")).is_none()>
                {move || error.get().and_then(|e| e.message_for("confirm"))}
            </p>
            <div class="form-actions">
                <button type="submit" class="button-danger">"Delete my account"</button>
            </div>
        </ActionForm>
    }
}

/// "Keep closed cases N years": when the daily job purges a closed case's content.
fn retention_form(years: i16, save: ServerAction<SaveRetention>) -> impl IntoView {
    let error: Signal<Option<AppError>> = action_error(save.value());
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <h2 id="retention-title">"Records"</h2>
        <ActionForm action=save>
            <TextField
                label="Keep closed cases for (years)"
                name="retention_years"
                input_type="number"
                hint="A closed case's content is purged this many years after it was closed (each closed case shows the date); the audit trail keeps a note of what was purged. 7 years is this app's default, not legal advice: follow the rules for clinical records where you practise."
                range=(RetentionYears::MIN, RetentionYears::MAX)
                value=Some(years.to_string())
                error=error
            />
            <FormError error=error/>
            <div class="form-actions">
                <button type="submit" class="button-secondary">"Save retention"</button>
                <span role="status" class="saved-note">{move || saved().then_some("Retention saved.")}</span>
            </div>
        </ActionForm>
    }
}
