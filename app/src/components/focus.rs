//! Keeping the keyboard focus in place when the page changes under it (an item removed, a
//! refused submit, a sheet that turns read-only), so keyboard and screen-reader users never
//! fall back to the start of the page.

/// Focuses the first element matching `selector` once the browser has drawn the change that
/// created or moved it. Does nothing on the server.
pub fn focus_after_render(selector: String) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        let element = leptos::prelude::document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = selector;
}
