//! Form fields with their label and their error message beside them.

use crate::error::AppError;
use leptos::prelude::*;
use server_fn::ServerFn;

/// The ids a field uses: its control's, its hint's and its error's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIds {
    /// The control's id (the label points at it).
    pub control: String,
    /// The hint line's id.
    pub hint: String,
    /// The error line's id.
    pub error: String,
}

impl FieldIds {
    /// The ids for the control with id `control`.
    pub fn new(control: impl Into<String>) -> Self {
        let control = control.into();
        Self { hint: format!("{control}-hint"), error: format!("{control}-error"), control }
    }

    /// The ids for the form field called `name` (`field-{name}`).
    pub fn for_name(name: &str) -> Self {
        Self::new(format!("field-{name}"))
    }

    /// The control's `aria-describedby`: its hint when there is one, its error while shown.
    pub fn described_by(&self, has_hint: bool, has_error: bool) -> Option<String> {
        let ids: Vec<&str> = [(has_hint, self.hint.as_str()), (has_error, self.error.as_str())]
            .into_iter()
            .filter_map(|(present, id)| present.then_some(id))
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// How a field places its label beside its control.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FieldLayout {
    /// Label, hint, control and error one under the other (text boxes, drop-down lists).
    #[default]
    Stacked,
    /// The control, then its label and hint beside it (a checkbox or a radio button).
    Beside,
    /// A label only screen readers read, then the control (an item whose place names it).
    LabelHidden,
}

/// The one wrapper every labelled control sits in: its label (pointing at the control's
/// id), an optional hint, the control itself (the children), and the error line, announced
/// when it appears. The control sets `id` to `ids.control` and `aria-describedby` from
/// [`FieldIds::described_by`].
#[component]
pub fn Field<L>(
    /// The control's ids.
    ids: FieldIds,
    /// The visible label (text or markup).
    label: L,
    /// A hint shown with the label.
    #[prop(optional, into)]
    hint: MaybeProp<String>,
    /// The error message to show under the control, if any.
    #[prop(optional, into)]
    error: Option<Signal<Option<String>>>,
    /// Where the label goes.
    #[prop(optional)]
    layout: FieldLayout,
    /// The wrapper's class, when not the layout's usual one.
    #[prop(optional)]
    class: Option<&'static str>,
    /// The control.
    children: Children,
) -> impl IntoView
where
    L: IntoView + 'static,
{
    let error = error.unwrap_or_else(|| Signal::stored(None));
    let FieldIds { control, hint: hint_id, error: error_id } = ids;
    let hint = move || hint.get().map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> });
    let error_line = view! {
        <p class="field-error" id=error_id role="alert" hidden=move || error.get().is_none()>
            {move || error.get()}
        </p>
    };
    let class = class.unwrap_or(match layout {
        FieldLayout::Stacked => "field",
        FieldLayout::Beside => "checkbox-field",
        FieldLayout::LabelHidden => "field-label-hidden",
    });
    let invalid = move || error.get().is_some();
    match layout {
        FieldLayout::Stacked => view! {
            <div class=class class:field-invalid=invalid>
                <label for=control>{label}</label>
                {hint}
                {children()}
                {error_line}
            </div>
        }
        .into_any(),
        FieldLayout::Beside => view! {
            <div class=class class:field-invalid=invalid>
                {children()}
                <label for=control>{label}</label>
                {hint}
                {error_line}
            </div>
        }
        .into_any(),
        FieldLayout::LabelHidden => view! {
            <div class=class class:field-invalid=invalid>
                <label class="visually-hidden" for=control>{label}</label>
                {children()}
                {hint}
                {error_line}
            </div>
        }
        .into_any(),
    }
}

/// The message the last submission gave for field `name`, if any.
fn field_message(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|error| error.message_for(name)))
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
    /// The most characters the field accepts (not for `number` inputs: see `range`).
    #[prop(optional)]
    max_length: Option<usize>,
    /// For a `number` input, the smallest and largest value it accepts.
    #[prop(optional)]
    range: Option<(i16, i16)>,
    /// The starting value.
    #[prop(default = None)]
    value: Option<String>,
    /// Whether the field must be filled in.
    #[prop(default = true)]
    required: bool,
    /// The last submission's result, whose field error may belong here.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let ids = FieldIds::for_name(name);
    let message = field_message(error, name);
    let describedby = {
        let ids = ids.clone();
        move || ids.described_by(hint.is_some(), message.get().is_some())
    };
    let label = format!("{label}{}", if required { "" } else { " (optional)" });
    view! {
        <Field ids=ids.clone() label=label hint=hint.map(str::to_owned) error=message>
            <input
                id=ids.control.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                maxlength=max_length.map(|n| n.to_string())
                min=range.map(|(min, _)| min.to_string())
                max=range.map(|(_, max)| max.to_string())
                value=value.clone()
                required=required
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=describedby.clone()
            />
        </Field>
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
    let ids = FieldIds::for_name(name);
    let message = field_message(error, name);
    let describedby = {
        let ids = ids.clone();
        move || ids.described_by(hint.is_some(), message.get().is_some())
    };
    view! {
        <Field ids=ids.clone() label=label hint=hint.map(str::to_owned) error=message>
            <textarea
                id=ids.control.clone()
                name=name
                rows=rows
                maxlength=max_length.to_string()
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=describedby.clone()
            >
                {value.clone()}
            </textarea>
        </Field>
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
    let ids = FieldIds::for_name(name);
    let message = field_message(error, name);
    let describedby = {
        let ids = ids.clone();
        move || ids.described_by(false, message.get().is_some())
    };
    view! {
        <Field ids=ids.clone() label=label error=message>
            <select id=ids.control.clone() name=name aria-describedby=describedby.clone()>
                {options
                    .iter()
                    .map(|(value, text)| {
                        let is_selected = selected.as_deref() == Some(*value);
                        view! { <option value=*value selected=is_selected>{*text}</option> }
                    })
                    .collect_view()}
            </select>
        </Field>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_is_described_by_its_hint_and_its_shown_error_only() {
        let ids = FieldIds::for_name("email");
        assert_eq!(ids.control, "field-email");
        assert_eq!(ids.described_by(false, false), None);
        assert_eq!(ids.described_by(true, false).as_deref(), Some("field-email-hint"));
        assert_eq!(ids.described_by(false, true).as_deref(), Some("field-email-error"));
        assert_eq!(ids.described_by(true, true).as_deref(), Some("field-email-hint field-email-error"));
    }
}
