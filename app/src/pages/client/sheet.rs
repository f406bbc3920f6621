//! One exercise as a client fills it in: answers save themselves as the client types
//! (debounced, retried after a network blip, flushed when the page is left), a submit
//! button, sharing with the partner, the partner's answers once visible, and the
//! therapist's comments.

use crate::api::page_data::page_data;

use crate::{
    api::homework::{
        load_sheet, save_answers, AnswerSet, CommentView, MarkCommentsRead, ShareAnswers, SheetView,
    },
    components::{
        dates::short_date,
        focus::focus_after_render,
        form::{action_error, form_action, FormError},
        guard::RequireRole,
        questions::{answer_text, QuestionField},
    },
    domain::{homework::ResponseStatus, Role},
    error::AppError,
};
use leptos::{either::Either, html, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};
use std::collections::BTreeMap;

/// `/homework/:id`: one assignment for the signed-in client.
#[component]
pub fn SheetPage() -> impl IntoView {
    let params = use_params_map();
    let assignment_id = move || params.read().get("id").and_then(|id| id.parse::<i32>().ok()).unwrap_or(0);
    let share = form_action::<ShareAnswers>();
    let reload = RwSignal::new(0_u32);
    let unsaved_copy = RwSignal::new(None::<BTreeMap<String, String>>);
    // Where the keyboard focus goes once the sheet has loaded again after a submit or share.
    let focus_after_load = RwSignal::new(None::<&'static str>);
    Effect::watch(
        move || share.version().get(),
        move |_, _, _| focus_after_load.set(Some("#share-status")),
        false,
    );
    let sheet =
        page_data(move || (assignment_id(), share.version().get(), reload.get()), |(id, ..)| load_sheet(id));
    view! {
        <Title text="Homework"/>
        <RequireRole role=Role::Client>
            <Transition fallback=|| view! { <p class="loading">"Loading your exercise…"</p> }>
                {move || Suspend::new(async move {
                    // Keyed by the reload count, so loading the latest version builds fresh
                    // fields instead of patching ones the client has typed into.
                    sheet.await.map(|sheet| {
                        let loaded = [(reload.get_untracked(), sheet)];
                        view! {
                            <For each=move || loaded.clone() key=|(count, _)| *count let((_, sheet))>
                                <Sheet sheet share reload unsaved_copy focus_after_load/>
                            </For>
                        }
                    })
                })}
            </Transition>
        </RequireRole>
    }
}

/// Where saving stands, as the client sees it beside the submit button.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SaveState {
    /// Nothing typed since the page opened.
    Idle,
    /// Typed, waiting for a pause to save.
    Unsaved,
    /// A save is on its way.
    Saving,
    /// The latest text is saved.
    Saved,
    /// A save failed and will be retried.
    Retrying(String),
    /// The server refused an answer; the message is at the field.
    Refused(String),
    /// Another tab or device changed the draft; autosave stops until the latest is loaded.
    Conflict(String),
}

impl SaveState {
    fn text(&self) -> String {
        match self {
            SaveState::Idle => "Your answers save as you type.".to_owned(),
            SaveState::Unsaved => "Not saved yet…".to_owned(),
            SaveState::Saving => "Saving…".to_owned(),
            SaveState::Saved => "All changes saved.".to_owned(),
            SaveState::Retrying(message) | SaveState::Refused(message) | SaveState::Conflict(message) => {
                message.clone()
            }
        }
    }

    fn class(&self) -> &'static str {
        match self {
            SaveState::Retrying(_) | SaveState::Refused(_) | SaveState::Conflict(_) => {
                "save-state save-problem"
            }
            SaveState::Saved => "save-state save-ok",
            _ => "save-state",
        }
    }
}

/// The autosave machinery of one sheet. Everything here runs in the browser only.
#[derive(Clone, Copy)]
struct Autosave {
    assignment_id: i32,
    revision: StoredValue<i32>,
    state: RwSignal<SaveState>,
    /// Changed since the last save started.
    dirty: StoredValue<bool>,
    in_flight: RwSignal<bool>,
    failures: StoredValue<u32>,
    timer: StoredValue<Option<TimeoutHandle>>,
    /// `(field name, message)` from the last refused save.
    field_error: RwSignal<Option<(String, String)>>,
    /// The form the answers are read from (in the browser only).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    form: NodeRef<html::Form>,
}

/// Waits after the last keystroke before saving.
const SAVE_PAUSE_MS: u64 = 800;

impl Autosave {
    fn new(assignment_id: i32, revision: i32, form: NodeRef<html::Form>) -> Self {
        Autosave {
            assignment_id,
            revision: StoredValue::new(revision),
            state: RwSignal::new(SaveState::Idle),
            dirty: StoredValue::new(false),
            in_flight: RwSignal::new(false),
            failures: StoredValue::new(0),
            timer: StoredValue::new(None),
            field_error: RwSignal::new(None),
            form,
        }
    }

    /// The client typed or changed something.
    fn changed(self) {
        if matches!(self.state.get_untracked(), SaveState::Conflict(_)) {
            return;
        }
        self.dirty.set_value(true);
        self.state.set(SaveState::Unsaved);
        self.schedule(SAVE_PAUSE_MS);
    }

    fn schedule(self, delay_ms: u64) {
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        let handle =
            set_timeout_with_handle(move || self.save_now(), std::time::Duration::from_millis(delay_ms)).ok();
        self.timer.set_value(handle);
    }

    /// True while there is text the server has not got.
    #[cfg(feature = "hydrate")]
    fn has_unsaved(self) -> bool {
        self.dirty.try_get_value().unwrap_or(false) || self.in_flight.try_get_untracked().unwrap_or(false)
    }

    /// Saves the draft now, unless a save is already on its way (it saves again after).
    fn save_now(self) {
        if self.in_flight.get_untracked() || !self.dirty.get_value() {
            return;
        }
        let Some(answers) = self.collect() else { return };
        self.dirty.set_value(false);
        self.in_flight.set(true);
        self.state.set(SaveState::Saving);
        let revision = self.revision.get_value();
        leptos::task::spawn_local(async move {
            let result = save_answers(self.assignment_id, revision, "draft".to_owned(), answers).await;
            self.in_flight.set(false);
            self.after_save(result);
        });
    }

    fn after_save(self, result: Result<i32, AppError>) {
        match result {
            Ok(revision) => {
                self.revision.set_value(revision);
                self.failures.set_value(0);
                self.field_error.set(None);
                if self.dirty.get_value() {
                    self.schedule(SAVE_PAUSE_MS);
                } else {
                    self.state.set(SaveState::Saved);
                }
            }
            Err(AppError::Invalid { field, message }) => {
                self.field_error.set(Some((field, message)));
                self.state
                    .set(SaveState::Refused("Not saved: please check the answer marked below.".to_owned()));
            }
            Err(AppError::Conflict { message }) => self.state.set(SaveState::Conflict(message)),
            Err(error) => {
                // A blip: keep the text, try again with growing pauses (up to 30 seconds).
                self.dirty.set_value(true);
                let failures = self.failures.get_value() + 1;
                self.failures.set_value(failures);
                let wait_secs = (1_u64 << failures.min(5)).min(30);
                let reason = match error {
                    AppError::Unauthenticated => {
                        "Not saved: you have been signed out. Sign in again in another tab; we keep trying."
                    }
                    _ => {
                        "Not saved: we could not reach Babysteps. Your text is kept here and we keep trying."
                    }
                };
                self.state.set(SaveState::Retrying(reason.to_owned()));
                self.schedule(wait_secs * 1000);
            }
        }
    }

    /// The form's answers by question key (several checked boxes become lines).
    #[cfg(feature = "hydrate")]
    fn collect(self) -> Option<BTreeMap<String, String>> {
        use wasm_bindgen::JsCast;
        let form = self.form.get_untracked()?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        let mut answers: BTreeMap<String, String> = BTreeMap::new();
        for entry in js_sys::try_iter(&data).ok()??.flatten() {
            let pair: js_sys::Array = entry.unchecked_into();
            let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) else {
                continue;
            };
            let Some(key) = name.strip_prefix("answers[").and_then(|rest| rest.strip_suffix(']')) else {
                continue;
            };
            answers
                .entry(key.to_owned())
                .and_modify(|existing| {
                    existing.push('\n');
                    existing.push_str(&value);
                })
                .or_insert(value);
        }
        Some(answers)
    }

    #[cfg(not(feature = "hydrate"))]
    fn collect(self) -> Option<BTreeMap<String, String>> {
        None
    }

    /// Hands unsaved text to the browser to deliver as the page goes away (tab closed,
    /// reload, another site). The server still checks the revision, so nothing is overwritten.
    #[cfg(feature = "hydrate")]
    fn send_before_leaving(self) {
        if !self.dirty.try_get_value().unwrap_or(false) {
            return;
        }
        let (Some(answers), Some(revision)) = (self.collect(), self.revision.try_get_value()) else {
            return;
        };
        let Ok(params) = web_sys::UrlSearchParams::new() else { return };
        params.append("assignment_id", &self.assignment_id.to_string());
        params.append("revision", &revision.to_string());
        params.append("intent", "draft");
        for (key, value) in &answers {
            params.append(&crate::domain::answers::field_name(key), value);
        }
        if window()
            .navigator()
            .send_beacon_with_opt_url_search_params("/api/homework/save", Some(&params))
            .is_ok()
        {
            self.dirty.set_value(false);
        }
    }
}

/// The sheet itself, for one loaded assignment.
#[component]
fn Sheet(
    sheet: SheetView,
    share: ServerAction<ShareAnswers>,
    reload: RwSignal<u32>,
    unsaved_copy: RwSignal<Option<BTreeMap<String, String>>>,
    focus_after_load: RwSignal<Option<&'static str>>,
) -> impl IntoView {
    if let Some(selector) = focus_after_load.get_untracked() {
        focus_after_load.set(None);
        focus_after_render(selector.to_owned());
    }
    let editable = matches!(sheet.progress, ResponseStatus::NotStarted | ResponseStatus::Draft);
    // New comments are on screen now: mark them read (a POST; opening the page changes nothing).
    if sheet.comments.iter().any(|comment| comment.unread) {
        let mark_read = form_action::<MarkCommentsRead>();
        #[cfg(feature = "hydrate")]
        mark_read.dispatch(MarkCommentsRead { assignment_id: sheet.assignment_id });
        #[cfg(not(feature = "hydrate"))]
        let _ = mark_read;
    }
    let form = NodeRef::<html::Form>::new();
    let autosave = Autosave::new(sheet.assignment_id, sheet.revision, form);
    let submit_error = RwSignal::new(None::<String>);

    #[cfg(feature = "hydrate")]
    if editable {
        let on_leave = window_event_listener(leptos::ev::pagehide, move |_| autosave.send_before_leaving());
        let on_unload = window_event_listener(leptos::ev::beforeunload, move |event| {
            if autosave.has_unsaved() {
                autosave.send_before_leaving();
            }
            if matches!(autosave.state.try_get_untracked(), Some(SaveState::Retrying(_))) {
                event.prevent_default();
            }
        });
        on_cleanup(move || {
            autosave.send_before_leaving();
            on_leave.remove();
            on_unload.remove();
        });
    }

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if autosave.in_flight.get_untracked() {
            return;
        }
        if let Some(handle) = autosave.timer.get_value() {
            handle.clear();
        }
        let Some(answers) = autosave.collect() else { return };
        autosave.in_flight.set(true);
        submit_error.set(None);
        let revision = autosave.revision.get_value();
        leptos::task::spawn_local(async move {
            let result = save_answers(autosave.assignment_id, revision, "submit".to_owned(), answers).await;
            autosave.in_flight.set(false);
            match result {
                Ok(_) => {
                    autosave.dirty.set_value(false);
                    focus_after_load.set(Some("#answers-status"));
                    reload.update(|n| *n += 1);
                }
                Err(AppError::Invalid { field, message }) => {
                    autosave.field_error.set(Some((field, message)));
                    submit_error
                        .set(Some("Not submitted yet: please see the question marked below.".to_owned()));
                    focus_after_render(
                        ".field-invalid :is(input:not([type=hidden]), textarea, select, button)".to_owned(),
                    );
                }
                Err(AppError::Conflict { message }) => autosave.state.set(SaveState::Conflict(message)),
                Err(error) => submit_error.set(Some(format!("Not submitted: {error}"))),
            }
        });
    };

    let load_latest = move |_| {
        unsaved_copy.set(autosave.collect());
        autosave.dirty.set_value(false);
        reload.update(|n| *n += 1);
    };

    let partner = sheet.partner_first_name.clone();
    let questions = sheet.mine.questions.clone();
    let content = sheet.content;
    let values = sheet.mine.values.clone();
    let on_change = Callback::new(move |()| autosave.changed());
    let body = if editable {
        Either::Left(view! {
            <form node_ref=form class="sheet-form" on:input=move |_| autosave.changed() on:submit=submit novalidate>
                {questions
                    .into_iter()
                    .map(|question| {
                        let name = crate::domain::answers::field_name(&question.key);
                        let value = values.get(&question.key).cloned().unwrap_or_default();
                        let error = Signal::derive(move || {
                            autosave.field_error.get().filter(|(field, _)| *field == name).map(|(_, message)| message)
                        });
                        view! { <QuestionField question value error on_change content/> }
                    })
                    .collect_view()}
                <div class="sheet-actions">
                    <p role="status" class=move || autosave.state.get().class()>{move || autosave.state.get().text()}</p>
                    {move || matches!(autosave.state.get(), SaveState::Conflict(_)).then(|| view! {
                        <button type="button" class="button-secondary" on:click=load_latest>"Load the latest version"</button>
                    })}
                    <p class="field-error" role="alert" hidden=move || submit_error.get().is_none()>{move || submit_error.get()}</p>
                    <button type="submit" class="button-primary" aria-disabled=move || autosave.in_flight.get().then_some("true")>"Submit to my therapist"</button>
                    <p class="field-hint">"After you submit, your answers are read-only unless your therapist reopens them."</p>
                </div>
            </form>
        })
    } else {
        Either::Right(view! {
            <section aria-labelledby="mine-title">
                <h2 id="mine-title">"Your answers"</h2>
                <p class="notice notice-info" id="answers-status" tabindex="-1">
                    {if sheet.progress == ResponseStatus::Reviewed {
                        "Submitted and reviewed by your therapist."
                    } else {
                        "Submitted. Your therapist will read it. To change it, ask your therapist to reopen it."
                    }}
                </p>
                {answer_list(&sheet.mine, &sheet.comments)}
            </section>
            {share_section(&sheet, share)}
        })
    };

    view! {
        <Title text=sheet.title.clone()/>
        <article class="sheet" aria-labelledby="sheet-title">
            <p class="breadcrumb"><A href="/homework">"← My homework"</A></p>
            <h1 id="sheet-title">{sheet.title.clone()}</h1>
            <p class="aside">
                <span class="badge">{sheet.progress.label()}</span>
                " Only you and your therapist can read what you write here, until you choose to share it with "
                {partner.clone()}
                "."
            </p>
            {move || unsaved_copy.get().filter(|copy| !copy.is_empty()).map(|copy| view! {
                <details class="notice notice-info" open>
                    <summary>"Your text from before you loaded the latest version (not saved)"</summary>
                    <dl>
                        {copy.into_iter().map(|(key, value)| view! { <dt>{key}</dt><dd class="preserve-lines">{value}</dd> }).collect_view()}
                    </dl>
                </details>
            })}
            {(!sheet.note.is_empty()).then(|| view! {
                <div class="notice notice-info"><strong>"From your therapist: "</strong>{sheet.note.clone()}</div>
            })}
            {sheet.partner_sees_older_version.then(|| view! {
                <p class="notice notice-info">
                    {format!(
                        "Your therapist reopened this. {partner} still sees the version you shared before; they will see your changes only when you submit and share again."
                    )}
                </p>
            })}
            {companion_page(sheet.step_number)}
            <div class="instructions">
                {sheet.instructions.split("\n\n").map(|p| view! { <p>{p.to_owned()}</p> }).collect_view()}
            </div>
            {overall_comments(&sheet.comments)}
            {body}
            {partner_section(&sheet)}
        </article>
    }
}

/// Steps 3 to 5 are done together on their own pages; the sheet points there.
fn companion_page(step: Option<i16>) -> Option<impl IntoView> {
    let (href, text) = match step? {
        3 | 4 => (
            "/wishes",
            "Answer your partner's wishes and agree on small steps on the Wishes and agreements page.",
        ),
        5 => ("/letting-go", "Write what you are letting go of and confirm the pact on the Letting go page."),
        _ => return None,
    };
    Some(view! { <p class="notice notice-info"><A href=href>{text}</A></p> })
}

/// The therapist's comments on the whole exercise.
fn overall_comments(comments: &[CommentView]) -> Option<impl IntoView> {
    let overall: Vec<CommentView> = comments.iter().filter(|c| c.question_key.is_none()).cloned().collect();
    (!overall.is_empty()).then(|| {
        view! {
            <section class="comments" aria-labelledby="comments-title">
                <h2 id="comments-title">"Comments from your therapist"</h2>
                {overall.into_iter().map(comment_view).collect_view()}
            </section>
        }
    })
}

fn comment_view(comment: CommentView) -> impl IntoView {
    view! {
        <blockquote class="comment">
            <p class="preserve-lines">{comment.body}</p>
            <footer>
                {format!("Your therapist, {}", short_date(comment.created_at))}
                {comment.unread.then(|| view! { " " <span class="badge badge-review">"New"</span> })}
            </footer>
        </blockquote>
    }
}

/// Answers read back, question by question, with the therapist's comments on each.
fn answer_list(set: &AnswerSet, comments: &[CommentView]) -> impl IntoView {
    view! {
        <dl class="answers">
            {set.questions
                .iter()
                .map(|question| {
                    let own_comments: Vec<CommentView> = comments
                        .iter()
                        .filter(|c| c.question_key.as_deref() == Some(question.key.as_str()))
                        .cloned()
                        .collect();
                    view! {
                        <dt>{question.prompt.clone()}</dt>
                        <dd>
                            {answer_text(question, set.values.get(&question.key))}
                            {own_comments.into_iter().map(comment_view).collect_view()}
                        </dd>
                    }
                })
                .collect_view()}
        </dl>
    }
}

/// Sharing a submission with the partner.
fn share_section(sheet: &SheetView, share: ServerAction<ShareAnswers>) -> impl IntoView {
    let partner = sheet.partner_first_name.clone();
    let error = action_error(share.value());
    let text = match (sheet.shared, sheet.mutual_reveal, sheet.partner_has_shared) {
        (true, true, false) => format!("You have shared. You will see each other's answers once {partner} shares too."),
        (true, _, _) => format!("You shared your answers with {partner}."),
        (false, true, true) => format!("{partner} has shared and is waiting for you. When you share, you both see each other's answers."),
        (false, true, false) => format!("When you are ready, share with {partner}. Neither of you sees the other's answers until you have both shared."),
        (false, false, _) => format!("You can share your answers with {partner}. Until you do, only you and your therapist can read them."),
    };
    let assignment_id = sheet.assignment_id;
    view! {
        <section class="share" aria-labelledby="share-title">
            <h2 id="share-title">"Sharing"</h2>
            <p id="share-status" tabindex="-1">{text}</p>
            {(!sheet.shared).then(move || view! {
                <ActionForm action=share>
                    <input type="hidden" name="assignment_id" value=assignment_id/>
                    <button type="submit" class="button-primary">{format!("Share with {partner}")}</button>
                </ActionForm>
            })}
            <FormError error/>
        </section>
    }
}

/// The partner's answers, once they are visible.
fn partner_section(sheet: &SheetView) -> Option<impl IntoView> {
    let answers = sheet.partner_answers.clone()?;
    let partner = sheet.partner_first_name.clone();
    Some(view! {
        <section class="partner-answers" aria-labelledby="partner-title">
            <h2 id="partner-title">{format!("{partner}'s answers")}</h2>
            {answer_list(&answers, &[])}
        </section>
    })
}
