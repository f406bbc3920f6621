//! Form fields with their label and their error message beside them.

use crate::error::AppError;
use leptos::prelude::*;
use server_fn::ServerFn;

/// The ids a field uses: its own, its hint's and its error's.
fn field_ids(name: &str) -> (String, String, String) {
    let id = format!("field-{name}");
    (id.clone(), format!("{id}-hint"), format!("{id}-error"))
}

/// `aria-describedby` for a field with an optional hint and a possible error.
fn described_by(has_hint: bool, hint_id: &str, has_error: bool, error_id: &str) -> Option<String> {
    let ids: Vec<&str> = [(has_hint, hint_id), (has_error, error_id)]
        .into_iter()
        .filter_map(|(present, id)| present.then_some(id))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// The error line under a field; announced when it appears.
#[component]
fn FieldErrorLine(id: String, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id role="alert" hidden=move || message.get().is_none()>
            {move || message.get()}
        </p>
    }
}

/// A labelled input whose error (from the last submission) is shown under it and announced.
#[component]
pub fn TextField(
    /// The visible label.
    label: &'static str,
    /// The form field's name (also its id).
    name: &'static str,
    /// The input type: `text`, `email`, `password`, …
    #[prop(default = "text")]
    input_type: &'static str,
    /// The browser's autocomplete hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// A hint shown under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The most characters the field accepts.
    #[prop(optional)]
    max_length: Option<usize>,
    /// The starting value.
    #[prop(default = None)]
    value: Option<String>,
    /// Whether the field must be filled in.
    #[prop(default = true)]
    required: bool,
    /// The last submission's result, whose field error may belong here.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let (id, hint_id, error_id) = field_ids(name);
    let message = Signal::derive(move || error.get().and_then(|error| error.message_for(name)));
    let describedby = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || described_by(hint.is_some(), &hint_id, message.get().is_some(), &error_id)
    };
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some()>
            <label for=id.clone()>{label}{(!required).then_some(" (optional)")}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                maxlength=max_length.map(|n| n.to_string())
                value=value
                required=required
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=describedby
            />
            <FieldErrorLine id=error_id message=message/>
        </div>
    }
}

/// A labelled multi-line text box with its error under it.
#[component]
pub fn TextArea(
    /// The visible label.
    label: &'static str,
    /// The form field's name (also its id).
    name: &'static str,
    /// A hint shown under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The most characters the field accepts.
    max_length: usize,
    /// The starting value.
    #[prop(into)]
    value: String,
    /// Visible rows.
    #[prop(default = 6)]
    rows: u32,
    /// The last submission's result, whose field error may belong here.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let (id, hint_id, error_id) = field_ids(name);
    let message = Signal::derive(move || error.get().and_then(|error| error.message_for(name)));
    let describedby = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || described_by(hint.is_some(), &hint_id, message.get().is_some(), &error_id)
    };
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> })}
            <textarea
                id=id
                name=name
                rows=rows
                maxlength=max_length.to_string()
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=describedby
            >
                {value}
            </textarea>
            <FieldErrorLine id=error_id message=message/>
        </div>
    }
}

/// A labelled drop-down list.
#[component]
pub fn SelectField(
    /// The visible label.
    label: &'static str,
    /// The form field's name (also its id).
    name: &'static str,
    /// `(value, label)` pairs.
    options: Vec<(&'static str, &'static str)>,
    /// The value chosen at first.
    #[prop(default = None)]
    selected: Option<String>,
    /// The last submission's result, whose field error may belong here.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let (id, _, error_id) = field_ids(name);
    let message = Signal::derive(move || error.get().and_then(|error| error.message_for(name)));
    let describedby = {
        let error_id = error_id.clone();
        move || described_by(false, "", message.get().is_some(), &error_id)
    };
    view! {
        <div class="field" class:field-invalid=move || message.get().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-describedby=describedby>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = selected.as_deref() == Some(value);
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <FieldErrorLine id=error_id message=message/>
        </div>
    }
}

/// The message for an error that belongs to the form as a whole (not to one field).
#[component]
pub fn FormError(
    /// The last submission's result.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move || error.get().filter(|error| !error.is_field_error()).map(|error| error.to_string());
    view! {
        <div class="notice notice-error form-error" role="alert" hidden=move || message().is_none()>
            {message}
        </div>
    }
}

/// The result of the last run of a server action, as an error signal for the form.
pub fn action_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(Result::err))
}

/// The server action behind a form; every page makes its actions here. Without JavaScript a
/// failed submission is redirected back with the error in the query (`__err`), and the
/// action starts with that error. Anyone can write such a link, so the error is shown only
/// as [`AppError::from_link`] allows: a fixed sentence for its kind, never the link's words.
#[track_caller]
pub fn form_action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    action.value().update(|value| {
        if let Some(Err(error)) = value {
            *error = error.clone().from_link();
        }
    });
    action
}
