//! A friendly notice for an error, and the boundary that shows one for a failed page.

use crate::error::AppError;
use leptos::prelude::*;

/// A message for a failure the person cannot fix at a form field.
#[component]
pub fn ErrorNotice(
    /// The error to explain.
    error: AppError,
) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            <p>{error.to_string()}</p>
        </div>
    }
}

/// Wraps a page so an error it raises is shown as a friendly message, not a blank screen.
#[component]
pub fn FriendlyErrors(children: Children) -> impl IntoView {
    view! {
        <ErrorBoundary fallback=|errors| {
            view! {
                <section class="error-page" aria-labelledby="error-title">
                    <h1 id="error-title">"Something went wrong"</h1>
                    <ul>
                        {move || {
                            errors
                                .get()
                                .into_iter()
                                .map(|(_, error)| view! { <li>{error.to_string()}</li> })
                                .collect_view()
                        }}
                    </ul>
                    <p>
                        "Your work is saved as far as you had saved it. "
                        <a href="/">"Go to the start page"</a>
                        " or try again in a moment."
                    </p>
                </section>
            }
        }>{children()}</ErrorBoundary>
    }
}
