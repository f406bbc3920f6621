//! Sessions on the therapist's case page: the sessions held and scheduled, newest first,
//! each with its note (free text or Data / Assessment / Plan) and links to what was
//! discussed; a form to record a session, and one to schedule the next (the attending
//! partners get a calendar invitation), move it or cancel it. Plain forms: they work
//! without JavaScript.

use crate::{
    api::therapy_sessions::{
        CancelTherapySession, MoveTherapySession, RecordTherapySession, ScheduleTherapySession,
        TherapySessionView, TherapySessionsView, TopicView,
    },
    components::form::{action_error, form_action, Field, FieldIds, FieldLayout, FormError},
    domain::therapy_session::{NoteFormat, SessionStatus, MAX_SESSION_NOTE_CHARS},
    error::AppError,
};
use leptos::prelude::*;

/// The forms of the section, whose completion reloads the notes tab.
#[derive(Clone, Copy)]
pub struct SessionActions {
    record: ServerAction<RecordTherapySession>,
    schedule: ServerAction<ScheduleTherapySession>,
    move_to: ServerAction<MoveTherapySession>,
    cancel: ServerAction<CancelTherapySession>,
}

impl Default for SessionActions {
    fn default() -> Self {
        SessionActions {
            record: form_action(),
            schedule: form_action(),
            move_to: form_action(),
            cancel: form_action(),
        }
    }
}

impl SessionActions {
    /// Changes whenever one of the forms completes (read in a tracking context).
    pub fn version(&self) -> usize {
        self.record.version().get()
            + self.schedule.version().get()
            + self.move_to.version().get()
            + self.cancel.version().get()
    }
}

/// The case's sessions, from the notes tab's data (their read is audited on its own).
#[component]
pub fn TherapySessions(
    /// The case's sessions and the forms' choices.
    sessions: TherapySessionsView,
    /// The section's forms.
    actions: SessionActions,
) -> impl IntoView {
    let case_id = sessions.case_id;
    view! {
        <section aria-labelledby="sessions-title" class="therapy-sessions">
            <h2 id="sessions-title">"Sessions"</h2>
            <p><a href=format!("/cases/{case_id}/summary")>"Session summary (printable)"</a></p>
            {sessions_view(sessions, actions)}
        </section>
    }
}

fn sessions_view(view: TherapySessionsView, actions: SessionActions) -> impl IntoView {
    let closed = view.closed;
    let zone = view.time_zone.clone();
    view! {
        {view.sessions.is_empty().then(|| view! { <p>"No sessions recorded yet."</p> })}
        <ol class="session-list">
            {view.sessions.into_iter().map(|session| session_item(session, closed, actions)).collect_view()}
        </ol>
        {(!closed).then(|| view! {
            {record_form(view.case_id, view.attendance.clone(), view.topics, zone.clone(), actions.record)}
            {schedule_form(view.case_id, view.attendance, zone, actions.schedule)}
        })}
    }
}

/// A field's message from the last submission of one form.
fn message(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.message_for(name)))
}

fn session_item(session: TherapySessionView, closed: bool, actions: SessionActions) -> impl IntoView {
    let heading = format!("{} · {} minutes · {}", session.when, session.minutes, session.attended);
    let status = session.status;
    let note = match session.note_format {
        NoteFormat::Free => (!session.note.is_empty())
            .then(|| view! { <p class="preserve-lines">{session.note.clone()}</p> })
            .into_any(),
        NoteFormat::Dap => view! {
            <dl class="dap-note">
                <dt>"Data"</dt><dd class="preserve-lines">{session.data.clone()}</dd>
                <dt>"Assessment"</dt><dd class="preserve-lines">{session.assessment.clone()}</dd>
                <dt>"Plan"</dt><dd class="preserve-lines">{session.plan.clone()}</dd>
            </dl>
        }
        .into_any(),
    };
    let topics = (!session.topics.is_empty()).then(|| {
        view! {
            <p class="aside">"Discussed:"</p>
            <ul class="session-topics">
                {session.topics.iter().map(|t| view! { <li><a href=t.href.clone()>{t.title.clone()}</a></li> }).collect_view()}
            </ul>
        }
    });
    let scheduled = status == SessionStatus::Scheduled && !closed;
    let id = session.id;
    let move_error = action_error(actions.move_to.value());
    let at = FieldIds::new(format!("move-{id}-starts_at"));
    let minutes = FieldIds::new(format!("move-{id}-minutes"));
    view! {
        <li class="card session">
            <h3>
                <span class=format!("badge badge-session-{}", status.as_str())>{status.label()}</span>
                " "{heading}
            </h3>
            {note}
            {topics}
            {scheduled.then(|| view! {
                <details>
                    <summary>"Move or cancel this session…"</summary>
                    <ActionForm action=actions.move_to>
                        <input type="hidden" name="session_id" value=id/>
                        <Field ids=at.clone() label="New date and time" error=message(move_error, "starts_at")>
                            <input type="datetime-local" id=at.control.clone() name="starts_at" value=session.local_value.clone() required/>
                        </Field>
                        <Field ids=minutes.clone() label="Length in minutes" error=message(move_error, "minutes")>
                            <input type="number" id=minutes.control.clone() name="minutes" min="5" max="600" value=session.minutes required/>
                        </Field>
                        <FormError error=move_error/>
                        <button type="submit" class="button-secondary">"Move the session"</button>
                    </ActionForm>
                    <ActionForm action=actions.cancel attr:class="inline-form">
                        <input type="hidden" name="session_id" value=id/>
                        <button type="submit" class="button-danger">"Cancel the session"</button>
                    </ActionForm>
                    <FormError error=action_error(actions.cancel.value())/>
                </details>
            })}
        </li>
    }
}

/// The date, length and attendance fields, their ids prefixed by the form's name.
fn time_fields(
    form: &'static str,
    attendance: Vec<(String, String)>,
    zone: &str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let at = FieldIds::new(format!("{form}-starts_at"));
    let minutes = FieldIds::new(format!("{form}-minutes"));
    let who = FieldIds::new(format!("{form}-attendance"));
    let hint = format!("In your time zone, {zone}.");
    view! {
        <Field ids=at.clone() label="Date and time" hint=hint error=message(error, "starts_at")>
            <input type="datetime-local" id=at.control.clone() name="starts_at" aria-describedby=at.hint.clone() required/>
        </Field>
        <Field ids=minutes.clone() label="Length in minutes" error=message(error, "minutes")>
            <input type="number" id=minutes.control.clone() name="minutes" min="5" max="600" value="50" required/>
        </Field>
        <Field ids=who.clone() label="Who attends" error=message(error, "attendance")>
            <select id=who.control.clone() name="attendance">
                {attendance.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
            </select>
        </Field>
    }
}

fn note_area(name: &'static str, label: &'static str, error: Signal<Option<AppError>>) -> impl IntoView {
    let ids = FieldIds::new(format!("record-{name}"));
    view! {
        <Field ids=ids.clone() label=label error=message(error, name)>
            <textarea id=ids.control.clone() name=name rows="4" maxlength=MAX_SESSION_NOTE_CHARS.to_string()></textarea>
        </Field>
    }
}

fn record_form(
    case_id: i32,
    attendance: Vec<(String, String)>,
    topics: Vec<TopicView>,
    zone: String,
    record: ServerAction<RecordTherapySession>,
) -> impl IntoView {
    let error = action_error(record.value());
    let saved = move || matches!(record.value().get(), Some(Ok(_))).then_some("Session recorded.");
    let free = FieldIds::new("record-format-free");
    let dap = FieldIds::new("record-format-dap");
    view! {
        <details class="record-session">
            <summary>"Record a session"</summary>
            <ActionForm action=record>
                <input type="hidden" name="case_id" value=case_id/>
                {time_fields("record", attendance, &zone, error)}
                <fieldset>
                    <legend>"How you write the note"</legend>
                    <Field ids=free.clone() label="Free text" layout=FieldLayout::Beside>
                        <input type="radio" id=free.control.clone() name="note_format" value="free" checked/>
                    </Field>
                    <Field ids=dap.clone() label="Data / Assessment / Plan" layout=FieldLayout::Beside>
                        <input type="radio" id=dap.control.clone() name="note_format" value="dap"/>
                    </Field>
                </fieldset>
                <p class="field-hint">"Only you can read session notes. Clients never see them, and no email carries them."</p>
                {note_area("note", "Note (free text)", error)}
                <fieldset>
                    <legend>"Data / Assessment / Plan"</legend>
                    {note_area("data", "Data", error)}
                    {note_area("assessment", "Assessment", error)}
                    {note_area("plan", "Plan", error)}
                </fieldset>
                {(!topics.is_empty()).then(|| view! {
                    <fieldset>
                        <legend>"What was discussed (optional)"</legend>
                        {topics.into_iter().enumerate().map(|(index, topic)| {
                            let ids = FieldIds::new(format!("record-topic-{index}"));
                            view! {
                                <Field ids=ids.clone() label=topic.title.clone() layout=FieldLayout::Beside>
                                    <input type="checkbox" id=ids.control.clone() name=format!("topics[{index}]") value=topic.value.clone()/>
                                </Field>
                            }
                        }).collect_view()}
                        <p class="field-error" role="alert" hidden=move || message(error, "topics").get().is_none()>{move || message(error, "topics").get()}</p>
                    </fieldset>
                })}
                <FormError error=error/>
                <div class="form-actions">
                    <button type="submit" class="button-primary">"Record the session"</button>
                    <span role="status" class="saved-note">{saved}</span>
                </div>
            </ActionForm>
        </details>
    }
}

fn schedule_form(
    case_id: i32,
    attendance: Vec<(String, String)>,
    zone: String,
    schedule: ServerAction<ScheduleTherapySession>,
) -> impl IntoView {
    let error = action_error(schedule.value());
    let done = move || {
        matches!(schedule.value().get(), Some(Ok(_)))
            .then_some("Scheduled. The partners who joined get a calendar invitation.")
    };
    view! {
        <details class="schedule-session">
            <summary>"Schedule the next session"</summary>
            <p class="field-hint">"Each attending partner who has joined gets a short email with a calendar invitation. It says when, never what the session is about."</p>
            <ActionForm action=schedule>
                <input type="hidden" name="case_id" value=case_id/>
                {time_fields("schedule", attendance, &zone, error)}
                <FormError error=error/>
                <div class="form-actions">
                    <button type="submit" class="button-primary">"Schedule the session"</button>
                    <span role="status" class="saved-note">{done}</span>
                </div>
            </ActionForm>
        </details>
    }
}
