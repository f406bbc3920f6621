//! Form fields with their label and their error message beside them.

use crate::error::AppError;
use leptos::prelude::*;

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
    /// The last submission's result, whose field error may belong here.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let message = move || error.get().and_then(|error| error.message_for(name));
    let described_by = {
        let hint_id = hint_id.clone();
        let error_id = error_id.clone();
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                maxlength=max_length.map(|n| n.to_string())
                required
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=described_by
            />
            <p class="field-error" id=error_id.clone() role="alert" hidden=move || message().is_none()>
                {message}
            </p>
        </div>
    }
}

/// The message for an error that belongs to the form as a whole (not to one field).
#[component]
pub fn FormError(
    /// The last submission's result.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move || {
        error
            .get()
            .filter(|error| !error.is_field_error())
            .map(|error| error.to_string())
    };
    view! {
        <div class="notice notice-error form-error" role="alert" hidden=move || message().is_none()>
            {message}
        </div>
    }
}
